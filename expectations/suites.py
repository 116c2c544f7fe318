"""Expectation suites of the published tables (structure tier: a failure blocks publication)."""
from __future__ import annotations

from transforms.tables import OBSERVATION_COLUMNS

PERIOD_REGEX = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?(/\d{4}(-(0[1-9]|1[0-2]))?)?$"


def observations_expectations(indicators: list[str], units: list[str], kinds: list[str],
                              qualifiers: list[str], geos: list[str]) -> list:
    """Schema, keys, catalogue membership, ranges and provenance of `observations`.

    The frame validated carries two provenance columns computed beforehand:
    `quote_on_line` and `sha256_matches` (see `pipelines.checks`).
    """
    import great_expectations as gx

    E = gx.expectations
    keys = ["observation_id", "indicator", "period", "geo", "value", "unit", "kind", "qualifier",
            "document_id", "document_sha256", "line", "quote"]
    return [
        E.ExpectTableColumnsToMatchSet(column_set=OBSERVATION_COLUMNS + ["quote_on_line",
                                                                         "sha256_matches"],
                                       exact_match=True),
        *[E.ExpectColumnValuesToNotBeNull(column=c) for c in keys],
        E.ExpectColumnValuesToBeUnique(column="observation_id"),
        E.ExpectColumnValuesToBeOfType(column="value", type_="float64"),
        E.ExpectColumnValuesToBeOfType(column="line", type_="int64"),
        E.ExpectColumnValuesToBeInSet(column="indicator", value_set=indicators),
        E.ExpectColumnValuesToBeInSet(column="unit", value_set=units),
        E.ExpectColumnValuesToBeInSet(column="kind", value_set=kinds),
        E.ExpectColumnValuesToBeInSet(column="qualifier", value_set=qualifiers),
        E.ExpectColumnValuesToBeInSet(column="geo", value_set=geos),
        E.ExpectColumnValuesToMatchRegex(column="period", regex=PERIOD_REGEX),
        E.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100,
                                        row_condition='unit=="percent"',
                                        condition_parser="pandas"),
        E.ExpectColumnValuesToBeBetween(column="value", min_value=0,
                                        row_condition='unit=="count"',
                                        condition_parser="pandas"),
        E.ExpectColumnValuesToBeBetween(column="line", min_value=1),
        E.ExpectColumnValuesToBeInSet(column="quote_on_line", value_set=[True]),
        E.ExpectColumnValuesToBeInSet(column="sha256_matches", value_set=[True]),
    ]
