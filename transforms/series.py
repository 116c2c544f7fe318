"""Series across report vintages, points implied by stated changes and shares, and changes.

A series is one indicator × geo × breakdown × unit × measure, where measure is `level`
(observed, estimate or derived points), `target` or `threshold`. Each point has one value: an
observed figure wins over an estimate, an estimate over a derived point, and among figures of
the same kind the latest publication wins; the others stay in `series_vintages`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CHANGE_UNITS = ("percent_change", "percentage_point_change")
SERIES_KEY = ["indicator", "geo", "entity", "breakdown", "unit", "measure"]
POINT_KEY = SERIES_KEY + ["period"]
KIND_RANK = {"observed": 0, "estimate": 1, "derived": 2, "target": 0, "threshold": 0}
MEASURE = {"observed": "level", "estimate": "level", "derived": "level", "target": "target",
           "threshold": "threshold"}
PROVENANCE = ["observation_id", "document_id", "document_sha256", "line", "quote"]


def level_points(observations: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every stated level (not a change) whose period the text gives, with its measure and its
    document's publication year; figures with period_basis `not_stated` stay out of series."""
    levels = observations[~observations["unit"].isin(CHANGE_UNITS)
                          & (observations["period_basis"] != "not_stated")].copy()
    levels["measure"] = levels["kind"].map(MEASURE)
    levels["formula"] = None
    levels["derived_from"] = None
    return levels.merge(documents[["document_id", "published"]], on="document_id", how="left")


def implied_points(observations: pd.DataFrame, documents: pd.DataFrame,
                   indicators: pd.DataFrame) -> pd.DataFrame:
    """Points implied by the documents, with kind `derived`, a formula and their sources.

    - a stated change with its base period and the level of its end period gives the base level
      (level / (1 + change/100), or level - change for percentage points);
    - a stated share of a known total gives a count (share / 100 × total), where the catalogue
      says which indicator the share is a share of (`share_of`).
    """
    levels = level_points(observations, documents)
    levels = levels[levels["kind"].isin(["observed", "estimate"])]
    latest = (levels.sort_values(["published", "line"], ascending=[False, True])
              .drop_duplicates(["indicator", "geo", "entity", "breakdown", "unit", "kind", "period"]))
    units = dict(zip(indicators["indicator"], indicators["unit"]))
    rows = []
    changes = observations[observations["unit"].isin(CHANGE_UNITS)
                           & observations["kind"].isin(["observed", "estimate"])
                           & (observations["period_basis"] != "not_stated")
                           & observations["base_period"].notna()]
    for change in changes.to_dict("records"):
        ends = latest[(latest["indicator"] == change["indicator"]) & (latest["geo"] == change["geo"])
                      & (latest["entity"] == change["entity"])
                      & (latest["breakdown"] == change["breakdown"])
                      & (latest["period"] == change["period"])
                      & (latest["unit"] == units.get(change["indicator"]))]
        for end in ends.to_dict("records"):
            if change["unit"] == "percent_change":
                if change["value"] <= -100:
                    continue
                value = end["value"] / (1 + change["value"] / 100)
                unc = abs(value) * (_rel(end) + change["half_unit"] / (100 + change["value"]))
                formula = (f"{end['value']:.10g} / (1 + {change['value']:.10g} / 100): level of "
                           f"{end['period']} and its stated change since {change['base_period']}")
            else:
                value = end["value"] - change["value"]
                unc = end["half_unit"] + change["half_unit"]
                formula = (f"{end['value']:.10g} - {change['value']:.10g}: level of "
                           f"{end['period']} minus its stated change in points")
            rows.append(_derived(end, change, change["base_period"], value, formula, unc))
    shares_of = indicators.dropna(subset=["share_of"]) if "share_of" in indicators else indicators[:0]
    for share_indicator, parent in zip(shares_of["indicator"], shares_of["share_of"]):
        shares = latest[latest["indicator"] == share_indicator]
        totals = latest[(latest["indicator"] == parent) & (latest["geo"] == "BE")
                        & (latest["breakdown"] == "")]
        for share in shares.to_dict("records"):
            for total in totals[(totals["period"] == share["period"])
                                & (totals["entity"] == share["entity"])].to_dict("records"):
                value = share["value"] / 100 * total["value"]
                unc = abs(value) * (_rel(share) + _rel(total))
                formula = (f"{share['value']:.10g} / 100 × {total['value']:.10g}: stated share of "
                           f"the stated total of {parent}")
                row = _derived(total, share, share["period"], value, formula, unc)
                row.update(geo=share["geo"], breakdown=share["breakdown"])
                rows.append(row)
    frame = pd.DataFrame(rows, columns=list(levels.columns))
    return frame.astype({"value": "float64"}) if len(frame) else frame


def _rel(obs: dict) -> float:
    """Relative rounding uncertainty of a stated figure."""
    return obs["half_unit"] / abs(obs["value"]) if obs["value"] else 0.0


def _derived(level: dict, other: dict, period: str, value: float, formula: str,
             uncertainty: float) -> dict:
    """A derived point keeping the provenance of the level it was computed from; `half_unit`
    carries the rounding uncertainty of its inputs."""
    row = dict(level)
    row.update(kind="derived", measure="level", period=str(period), value=float(value),
               half_unit=float(uncertainty), period_basis=other["period_basis"],
               obs_status=level["obs_status"] or other["obs_status"],
               qualifier="approx" if "approx" in (level["qualifier"], other["qualifier"])
               else "exact",
               formula=formula, derived_from=f"{level['observation_id']} {other['observation_id']}",
               number_text=None, base_period=None)
    return row


def vintages_table(observations: pd.DataFrame, documents: pd.DataFrame,
                   indicators: pd.DataFrame) -> pd.DataFrame:
    """Every statement of every point, ranked: rank 1 is the value the series keeps."""
    implied = implied_points(observations, documents, indicators)
    points = level_points(observations, documents)
    if len(implied):
        points = pd.concat([points, implied], ignore_index=True)
    points["kind_rank"] = points["kind"].map(KIND_RANK)
    points = points.sort_values(POINT_KEY + ["kind_rank", "published", "line"],
                                ascending=[True] * len(POINT_KEY) + [True, False, True],
                                kind="stable", ignore_index=True)
    points["rank"] = points.groupby(POINT_KEY, dropna=False).cumcount() + 1
    kept = points[points["rank"] == 1].set_index(POINT_KEY)["value"]
    points["kept_value"] = points.set_index(POINT_KEY).index.map(kept).astype(float)
    points["difference_from_kept"] = points["value"] - points["kept_value"]
    columns = POINT_KEY + ["rank", "kind", "value", "kept_value", "difference_from_kept",
                           "half_unit", "qualifier", "obs_status", "period_basis", "published",
                           "formula", "derived_from", *PROVENANCE]
    return points[columns]


def series_table(vintages: pd.DataFrame) -> pd.DataFrame:
    """One value per point: the first-ranked vintage, with how many statements it has."""
    counts = vintages.groupby(POINT_KEY, dropna=False).agg(
        vintages=("rank", "size"), high=("value", "max"), low=("value", "min"))
    counts["value_spread"] = counts.pop("high") - counts.pop("low")
    kept = vintages[vintages["rank"] == 1].drop(columns=["rank", "kept_value",
                                                         "difference_from_kept"])
    return kept.merge(counts.reset_index(), on=POINT_KEY).sort_values(POINT_KEY, ignore_index=True)


def yearly_levels(series: pd.DataFrame) -> pd.DataFrame:
    """The yearly level points of `series`, sorted by series and year: each point follows the
    previous one of its series."""
    yearly = series[(series["measure"] == "level") & series["period"].str.fullmatch(r"\d{4}")]
    return yearly.dropna(subset=SERIES_KEY).sort_values(SERIES_KEY + ["period"], kind="stable")


def changes_table(series: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year change, compound annual growth over the span and an index (first year = 100)
    for every yearly level series with at least two points; percentages change in points.
    Computed on all series at once: sorted by series and year, each row beside its previous."""
    yearly = yearly_levels(series)
    yearly = yearly[yearly.groupby(SERIES_KEY, sort=False)["period"].transform("size") >= 2].copy()
    by_series = yearly.groupby(SERIES_KEY, sort=False)
    years = yearly["period"].astype(int)
    in_points = yearly["unit"] == "percent"
    prev = by_series["value"].shift(1)
    previous_period = by_series["period"].shift(1)
    yearly["previous_period"] = previous_period.where(previous_period.notna(), None)
    yearly["years_since_previous"] = (years - pd.to_numeric(previous_period)).astype(float)
    yearly["change_unit"] = np.where(in_points, "percentage_points", "percent")
    yearly["change"] = (yearly["value"] - prev).where(in_points, (yearly["value"] / prev - 1) * 100)
    yearly.loc[~in_points & (prev == 0), "change"] = np.nan
    first, last = by_series["value"].transform("first"), by_series["value"].transform("last")
    first_year = by_series["period"].transform("first")
    last_year = by_series["period"].transform("last")
    yearly["span"] = first_year + "/" + last_year
    growth = ((last / first) ** (1 / (last_year.astype(int) - first_year.astype(int))) - 1) * 100
    yearly["cagr"] = growth.where(~in_points & (first > 0) & (last > 0))
    yearly["index_first_year_100"] = (yearly["value"] / first * 100).where(first != 0)
    columns = SERIES_KEY + ["period", "value", "kind", "obs_status", "previous_period",
                            "years_since_previous",
                            "change", "change_unit", "span", "cagr", "index_first_year_100",
                            "observation_id"]
    if yearly.empty:
        return pd.DataFrame(columns=columns)
    return yearly[columns].reset_index(drop=True)
