"""Series: one value per indicator × geo × breakdown × unit × kind × period, across documents."""
from __future__ import annotations

import pandas as pd

SERIES_KEY = ["indicator", "geo", "breakdown", "unit", "kind", "period"]


def series_table(observations: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The latest publication's value of each point, with its provenance and vintage count.

    Levels only: stated changes stay in `observations`. Within one document the first
    statement (lowest line) is kept.
    """
    levels = observations[~observations["unit"].isin(["percent_change", "percentage_point_change"])]
    ranked = levels.merge(documents[["document_id", "published"]], on="document_id")
    ranked = ranked.sort_values(["published", "line"], ascending=[False, True], kind="stable")
    latest = ranked.drop_duplicates(SERIES_KEY, keep="first")
    counts = ranked.groupby(SERIES_KEY, dropna=False).agg(
        vintages=("observation_id", "size"),
        value_spread=("value", lambda v: float(v.max() - v.min())))
    series = latest.merge(counts.reset_index(), on=SERIES_KEY)
    columns = SERIES_KEY + ["value", "qualifier", "vintages", "value_spread", "observation_id",
                            "document_id", "document_sha256", "line", "quote"]
    return series[columns].sort_values(SERIES_KEY, ignore_index=True)
