"""Regional breakdowns: every figure about a place below Belgium (region, community, province,
municipality, and the roll-ups of municipal figures) beside the national total, with the share,
the stated share where there is one, and the residue of the parts at each level."""
from __future__ import annotations

import pandas as pd

OTHER_PARTS = ("community", "abroad")  # levels that are no partition of Belgium on their own
COLUMNS = ["indicator", "entity", "breakdown", "period", "level", "geo", "geo_name_fr",
           "geo_name_nl", "covers", "share", "share_kind", "computed_share", "share_difference",
           "count", "count_kind", "total",
           "sum_of_counts", "sum_of_shares", "residue", "tolerance", "residue_beyond_rounding",
           "count_observation_id", "share_observation_id", "total_observation_id"]


def regional_table(series: pd.DataFrame, indicators: pd.DataFrame, places: pd.DataFrame,
                   rollups: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator × breakdown × period × place below BE where the national total is
    known: the figures of the series (observed, or derived from a stated share) and the roll-ups
    of municipal figures (count_kind `rollup`, `covers` naming the municipalities).

    Shares are the stated ones where the documents give them, else count / total × 100.
    `residue` is the total minus the sum of the parts of the same level; beyond the rounding of
    the figures involved (`tolerance`) it is `residue_beyond_rounding`, which a WARN check reads.
    """
    level_of = dict(zip(places["code"], places["level"]))
    names = {c: (fr, nl) for c, fr, nl in zip(places["code"], places["name_fr"],
                                               places["name_nl"])}
    level = series[series["measure"] == "level"]
    share_of = {}
    if "share_of" in indicators:
        share_of = {s: p for s, p in zip(indicators["indicator"], indicators["share_of"])
                    if isinstance(p, str) and p}
    below = level["geo"].map(level_of).isin(["region", "province", "municipality",
                                             *OTHER_PARTS])
    stated_shares = level[level["indicator"].isin(share_of) & below
                          & (level["kind"] != "derived")].assign(
        parent=lambda f: f["indicator"].map(share_of))
    parts = level[below & ~level["indicator"].isin(share_of)].assign(
        level=lambda f: f["geo"].map(level_of), covers="",
        tolerance=lambda f: f["half_unit"].fillna(0))
    if rollups is not None and not rollups.empty:
        rolled = rollups[rollups["kind"] == "rollup"]
        rolled = rolled[rolled["level"].isin(["province", "region"])]
        parts = pd.concat([parts, rolled.assign(
            observation_id=rolled["observation_ids"], measure="level")], ignore_index=True)
    key = ["indicator", "entity", "breakdown", "period"]
    totals = level[level["geo"] == "BE"].set_index(key)
    parts = parts[pd.MultiIndex.from_frame(parts[key]).isin(totals.index)]  # a total to compare
    rows = []
    for values, group in parts.groupby(key, sort=True):
        total = totals.loc[values]
        total = total.iloc[0] if isinstance(total, pd.DataFrame) else total
        if not total["value"]:
            continue
        shares = stated_shares[(stated_shares["parent"] == values[0])
                               & (stated_shares["entity"] == values[1])
                               & (stated_shares["breakdown"] == values[2])
                               & (stated_shares["period"] == values[3])].set_index("geo")
        for r in group.sort_values(["level", "geo"]).to_dict("records"):
            stated = shares.loc[r["geo"]] if r["geo"] in shares.index else None
            rows.append({
                **dict(zip(key, values)), "level": r["level"], "geo": r["geo"],
                "geo_name_fr": names[r["geo"]][0], "geo_name_nl": names[r["geo"]][1],
                "covers": r["covers"] or "",
                "share": float(stated["value"]) if stated is not None
                else r["value"] / total["value"] * 100,
                "share_kind": "observed" if stated is not None else "derived",
                "count": float(r["value"]), "count_kind": r["kind"],
                "total": float(total["value"]),
                "tolerance": float(r["tolerance"]),
                "total_half_unit": float(total["half_unit"] or 0),
                "obs_status": r.get("obs_status") or "",
                "count_observation_id": r["observation_id"],
                "share_observation_id": stated["observation_id"] if stated is not None else None,
                "total_observation_id": total["observation_id"]})
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "total_half_unit", "obs_status"])
    if frame.empty:
        return frame[COLUMNS]
    frame["parts"] = (frame["count_kind"] == "rollup").map({True: "rollup", False: "figures"})
    # Wallonia stated without the German-speaking Community (status d, definition differs): the
    # Community is then one of the regions' parts
    without = frame[(frame["geo"] == "BE3") & (frame["obs_status"] == "d")][key]
    joins = frame.merge(without.assign(_w=True), on=key, how="left")["_w"].eq(True).to_numpy()
    frame["partition"] = frame["level"].where(~(joins & (frame["geo"] == "BE-DG")), "region")
    group = frame.groupby([*key, "partition", "parts"])
    frame["sum_of_counts"] = group["count"].transform("sum")
    frame["sum_of_shares"] = group["share"].transform("sum")
    frame["tolerance"] = group["tolerance"].transform("sum") + frame["total_half_unit"]
    frame["computed_share"] = frame["count"] / frame["total"] * 100
    stated = frame["share_kind"] == "observed"
    frame["share_difference"] = (frame["share"] - frame["computed_share"]).where(stated)
    frame["residue"] = frame["total"] - frame["sum_of_counts"]
    frame["residue_beyond_rounding"] = (frame["residue"].abs() - frame["tolerance"]).clip(lower=0)
    # a community or the figures abroad alone are parts of no partition of Belgium
    alone = frame["partition"].isin(OTHER_PARTS)
    frame.loc[alone, ["residue", "residue_beyond_rounding"]] = [float("nan"), 0.0]
    return frame[COLUMNS]
