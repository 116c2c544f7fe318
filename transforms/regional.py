"""Regional breakdowns: shares by region and counts side by side, with the rounding residue."""
from __future__ import annotations

import pandas as pd

REGIONS = ["BE1", "BE2", "BE3", "BE-DG", "BE-ABROAD"]
COLUMNS = ["indicator", "entity", "breakdown", "period", "geo", "geo_name_fr", "geo_name_nl", "share",
           "share_kind", "count", "count_kind", "total", "sum_of_counts", "sum_of_shares",
           "residue", "count_observation_id", "share_observation_id", "total_observation_id"]


def regional_table(series: pd.DataFrame, indicators: pd.DataFrame, geos: dict) -> pd.DataFrame:
    """One row per indicator × breakdown × period × region where a national total is known.

    Counts come from the series (observed, or derived from a stated share); shares are the
    stated ones where the documents give them, else count / total × 100. `residue` is the
    total minus the sum of the regional counts (rounding, or regions not stated).
    """
    level = series[series["measure"] == "level"]
    share_of = {}
    if "share_of" in indicators:
        share_of = {s: p for s, p in zip(indicators["indicator"], indicators["share_of"])
                    if isinstance(p, str) and p}
    stated_shares = level[level["indicator"].isin(share_of) & level["geo"].isin(REGIONS)
                          & (level["kind"] != "derived")].assign(
        parent=lambda f: f["indicator"].map(share_of))
    regional = level[level["geo"].isin(REGIONS) & ~level["indicator"].isin(share_of)]
    key = ["indicator", "entity", "breakdown", "period"]
    totals = level[level["geo"] == "BE"].set_index(key)
    rows = []
    for (indicator, entity, breakdown, period), group in regional.groupby(key, sort=True):
        if (indicator, entity, breakdown, period) not in totals.index:
            continue
        total = totals.loc[(indicator, entity, breakdown, period)]
        total = total.iloc[0] if isinstance(total, pd.DataFrame) else total
        if not total["value"]:
            continue
        shares = stated_shares[(stated_shares["parent"] == indicator)
                               & (stated_shares["entity"] == entity)
                               & (stated_shares["breakdown"] == breakdown)
                               & (stated_shares["period"] == period)].set_index("geo")
        for r in group.sort_values("geo").to_dict("records"):
            stated = shares.loc[r["geo"]] if r["geo"] in shares.index else None
            rows.append({
                "indicator": indicator, "entity": entity, "breakdown": breakdown, "period": period,
                "geo": r["geo"], "geo_name_fr": geos[r["geo"]]["fr"],
                "geo_name_nl": geos[r["geo"]]["nl"],
                "share": float(stated["value"]) if stated is not None
                else r["value"] / total["value"] * 100,
                "share_kind": "observed" if stated is not None else "derived",
                "count": float(r["value"]), "count_kind": r["kind"],
                "total": float(total["value"]),
                "count_observation_id": r["observation_id"],
                "share_observation_id": stated["observation_id"] if stated is not None else None,
                "total_observation_id": total["observation_id"]})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if frame.empty:
        return frame
    group = frame.groupby(key)
    frame["sum_of_counts"] = group["count"].transform("sum")
    frame["sum_of_shares"] = group["share"].transform("sum")
    frame["residue"] = frame["total"] - frame["sum_of_counts"]
    return frame[COLUMNS]
