"""Municipal figures rolled up to provinces, regions and Belgium where the quantity adds up, and
the regional counts implied by lists of places; each row says which places it covers."""
from __future__ import annotations

import pandas as pd

ADDITIVE_UNITS = {"count", "eur", "fte"}  # never rates, averages, shares or amounts per head
COLUMNS = ["indicator", "entity", "breakdown", "unit", "period", "geo", "level", "value", "kind",
           "formula", "n_places", "covers", "places_covered", "observation_ids", "stated_total",
           "stated_observation_id", "difference", "tolerance"]


def _covers(codes: list[str], places: pd.DataFrame) -> str:
    names = places.set_index("code")["name_fr"]
    listed = ", ".join(names[c] for c in codes)
    return f"{len(codes)} listed municipalit{'y' if len(codes) == 1 else 'ies'}: {listed}"


def rollup_table(series: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Sums of the municipalities' figures of one indicator, breakdown and period to their
    province, region and Belgium, for counts and amounts; the Belgian sum is compared with the
    total the document states for the same key, where it gives one."""
    towns = places[places["level"] == "municipality"].set_index("code")
    level = series[(series["measure"] == "level") & series["geo"].isin(towns.index)
                   & series["unit"].isin(ADDITIVE_UNITS)]
    key = ["indicator", "entity", "breakdown", "unit", "period"]
    stated = series[(series["geo"] == "BE") & (series["measure"] == "level")].set_index(key)
    rows = []
    for values, group in level.groupby(key, sort=True):
        group = group.assign(province=group["geo"].map(towns["province"]),
                             region=group["geo"].map(towns["region"]))
        parents = [("province", p, g) for p, g in group.groupby("province")]
        parents += [("region", r, g) for r, g in group.groupby("region")]
        parents.append(("country", "BE", group))
        for lvl, geo, part in parents:
            codes = sorted(part["geo"])
            row = dict(zip(key, values)) | {
                "geo": geo, "level": lvl, "value": float(part["value"].sum()), "kind": "rollup",
                "formula": f"sum of {len(codes)} municipal figures ({', '.join(codes)})",
                "n_places": len(codes), "covers": _covers(codes, places),
                "places_covered": "+".join(codes),
                "observation_ids": "+".join(part["observation_id"]),
                "tolerance": float(part["half_unit"].fillna(0).sum())}
            if lvl == "country" and values in stated.index:
                total = stated.loc[values]
                total = total.iloc[0] if isinstance(total, pd.DataFrame) else total
                row.update({"stated_total": float(total["value"]),
                            "stated_observation_id": total["observation_id"],
                            "difference": row["value"] - float(total["value"]),
                            "tolerance": row["tolerance"] + float(total["half_unit"] or 0)})
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def listed_counts(lists: list[dict], observations: pd.DataFrame) -> pd.DataFrame:
    """The number of places a document lists per region (derived points), each compared with
    the total the document states for the list; `lists` as sources.places.load_place_lists
    reads them, each name with its code."""
    stated = observations.set_index("observation_id")
    rows = []
    for entry in lists:
        total = stated.loc[entry["total"]] if entry.get("total") in stated.index else None
        breakdown = ";".join(f"{k}={v}" for k, v in sorted(entry["breakdown"].items()))
        all_codes = []
        for region, names in entry["by_region"].items():
            codes = entry["codes"][region]
            all_codes += codes
            rows.append({
                "indicator": entry["indicator"], "entity": "", "breakdown": breakdown,
                "unit": "count", "period": entry["period"], "geo": region, "level": "region",
                "value": float(len(codes)), "kind": "derived",
                "formula": f"count of the places listed under the heading of {region} at "
                           f"{entry['document']}:{entry['lines'][0]}-{entry['lines'][1]}",
                "n_places": len(codes),
                "covers": f"{len(codes)} listed municipalities: {', '.join(names)}",
                "places_covered": "+".join(codes), "observation_ids": "",
                "tolerance": 0.0})
        row = {**rows[-1], "geo": "BE", "level": "country", "value": float(len(all_codes)),
               "formula": f"count of the places listed at {entry['document']}:"
                          f"{entry['lines'][0]}-{entry['lines'][1]}",
               "n_places": len(all_codes),
               "covers": f"{len(all_codes)} listed municipalities",
               "places_covered": "+".join(all_codes)}
        if total is not None:
            row.update({"stated_total": float(total["value"]),
                        "stated_observation_id": entry["total"],
                        "difference": row["value"] - float(total["value"])})
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
