"""Expectation suites of the published tables (structure tier: a failure blocks publication)."""
from __future__ import annotations

from transforms.tables import OBSERVATION_COLUMNS

PERIOD_REGEX = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?|-Q[1-4]|-S[12])?(?:/\d{4}(?:-(?:0[1-9]|1[0-2]))?)?$"


FINITE = 1e300  # |value| beyond this is an overflow (1.0e+308, .inf), never a figure


def catalogue_values(indicators: list[str], units: list[str], kinds: list[str],
                     geos: list[str], entities: list[str], statuses: list[str]) -> list:
    """Codes from the catalogues, valid periods, finite values and percentages in [0, 100].
    `geo` may join several codes by '+' (one figure stated for several countries)."""
    import re

    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    geo = "|".join(re.escape(g) for g in sorted(geos, key=len, reverse=True))
    return [
        E.ExpectColumnValuesToBeInSet(column="indicator", value_set=indicators),
        E.ExpectColumnValuesToBeInSet(column="unit", value_set=units),
        E.ExpectColumnValuesToBeInSet(column="kind", value_set=kinds),
        E.ExpectColumnValuesToMatchRegex(column="geo", regex=rf"^(?:{geo})(?:\+(?:{geo}))*$"),
        E.ExpectColumnValuesToBeInSet(column="entity", value_set=["", *entities]),
        E.ExpectColumnValuesToBeInSet(column="obs_status", value_set=["", *statuses]),
        E.ExpectColumnValuesToMatchRegex(column="period", regex=PERIOD_REGEX),
        E.ExpectColumnValuesToBeBetween(column="value", min_value=-FINITE, max_value=FINITE),
        E.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=100,
                                        row_condition=Column("unit") == "percent"),
    ]


def observations_expectations(indicators: list[str], units: list[str], kinds: list[str],
                              qualifiers: list[str], geos: list[str], entities: list[str],
                              statuses: list[str], bases: list[str]) -> list:
    """Schema, keys, catalogue membership, ranges and provenance of `observations`.

    The frame validated carries two provenance columns computed beforehand:
    `quote_on_line` and `sha256_matches` (see `pipelines.checks`).
    """
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    keys = ["observation_id", "indicator", "period", "geo", "value", "unit", "kind", "qualifier",
            "document_id", "document_sha256", "line", "quote"]
    return [
        E.ExpectTableColumnsToMatchSet(column_set=OBSERVATION_COLUMNS + [
            "quote_on_line", "sha256_matches", "page_matches"], exact_match=True),
        *[E.ExpectColumnValuesToNotBeNull(column=c) for c in keys],
        E.ExpectColumnValuesToBeUnique(column="observation_id"),
        E.ExpectColumnValuesToBeOfType(column="value", type_="float64"),
        E.ExpectColumnValuesToBeOfType(column="line", type_="int64"),
        *catalogue_values(indicators, units, kinds, geos, entities, statuses),
        E.ExpectColumnValuesToBeInSet(column="qualifier", value_set=qualifiers),
        E.ExpectColumnValuesToBeInSet(column="period_basis", value_set=["", *bases]),
        E.ExpectColumnValuesToNotBeNull(column="period_line",
                                        row_condition=Column("period_basis") == "inferred"),
        E.ExpectColumnValuesToBeInSet(column="obs_status", value_set=["e", "p", "f"],
                                      row_condition=Column("kind") == "estimate"),
        E.ExpectColumnValuesToBeBetween(column="value", min_value=0,
                                        row_condition=Column("unit") == "count"),
        E.ExpectColumnValuesToBeBetween(column="line", min_value=1),
        E.ExpectColumnValuesToBeInSet(column="quote_on_line", value_set=[True]),
        E.ExpectColumnValuesToBeInSet(column="sha256_matches", value_set=[True]),
        E.ExpectColumnValuesToBeInSet(column="page_matches", value_set=[True]),
    ]


def documents_expectations() -> list:
    """One row per catalogued document, each with a SHA-256 and a line count."""
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectTableColumnsToMatchSet(column_set=[
            "document_id", "file", "title", "title_nl", "citation_fr", "citation_nl", "publisher",
            "period_covered", "kind", "language", "published", "sha256", "lines", "pdf_file",
            "pdf_sha256", "pages"], exact_match=True),
        E.ExpectTableRowCountToBeBetween(min_value=1),
        *[E.ExpectColumnValuesToNotBeNull(column=c) for c in ("document_id", "file", "sha256")],
        E.ExpectColumnValuesToBeUnique(column="document_id"),
        E.ExpectColumnValuesToMatchRegex(column="sha256", regex=r"^[0-9a-f]{64}$"),
        E.ExpectColumnValuesToMatchRegex(column="period_covered", regex=PERIOD_REGEX),
        E.ExpectColumnValuesToBeInSet(column="language", value_set=["fr", "nl", "de", "en"]),
        E.ExpectColumnValuesToBeBetween(column="lines", min_value=1),
        E.ExpectColumnValuesToMatchRegex(column="pdf_sha256", regex=r"^[0-9a-f]{64}$"),
        E.ExpectColumnValuesToBeBetween(column="pages", min_value=1),
    ]


def indicators_expectations(families: list[str], units: list[str]) -> list:
    """Every indicator with a unique code, a known family and unit, and three labels."""
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectColumnValuesToBeUnique(column="indicator"),
        E.ExpectColumnValuesToMatchRegex(column="indicator", regex=r"^[a-z][a-z0-9_]*$"),
        E.ExpectColumnValuesToBeInSet(column="family", value_set=families),
        E.ExpectColumnValuesToBeInSet(column="unit", value_set=units),
        *[E.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("label_fr", "label_nl", "label_en", "definition")],
    ]


def series_expectations(indicators: list[str], units: list[str], kinds: list[str],
                        geos: list[str], entities: list[str], statuses: list[str]) -> list:
    """One value per series key and period, values in range, provenance kept, and no figure
    whose period the text does not give."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    key = ["indicator", "geo", "entity", "breakdown", "unit", "measure", "period"]
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=key),
        E.ExpectColumnValuesToBeInSet(column="measure", value_set=["level", "target", "threshold"]),
        E.ExpectColumnValuesToNotBeNull(column="formula", row_condition=Column("kind") == "derived"),
        E.ExpectColumnValuesToBeNull(column="formula", row_condition=Column("kind") != "derived"),
        *[E.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("indicator", "geo", "unit", "kind", "period", "value", "observation_id",
                    "document_sha256", "line", "quote")],
        *catalogue_values(indicators, units, kinds, geos, entities, statuses),
        E.ExpectColumnValuesToNotBeInSet(column="period_basis", value_set=["not_stated"]),
        E.ExpectColumnValuesToBeBetween(column="vintages", min_value=1),
    ]


def vintages_expectations() -> list:
    """Every statement of a point ranked once; rank 1 is the kept value."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    key = ["indicator", "geo", "entity", "breakdown", "unit", "measure", "period", "rank"]
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=key),
        E.ExpectColumnValuesToBeBetween(column="rank", min_value=1),
        E.ExpectColumnValuesToBeBetween(column="difference_from_kept", min_value=0, max_value=0,
                                        row_condition=Column("rank") == 1),
        *[E.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("value", "kind", "observation_id", "document_sha256", "line", "quote")],
        E.ExpectColumnValuesToNotBeNull(column="derived_from",
                                        row_condition=Column("kind") == "derived"),
    ]


def changes_expectations() -> list:
    """Changes in points for percentages, in per cent otherwise; index 100 on the first year."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(
            column_list=["indicator", "geo", "entity", "breakdown", "unit", "measure", "period"]),
        E.ExpectColumnValuesToBeInSet(column="change_unit", value_set=["percent", "percentage_points"]),
        E.ExpectColumnValuesToBeInSet(column="change_unit", value_set=["percentage_points"],
                                      row_condition=Column("unit") == "percent"),
        E.ExpectColumnValuesToBeNull(column="change", row_condition=Column("previous_period").is_null()),
        E.ExpectColumnValuesToBeBetween(column="index_first_year_100", min_value=100, max_value=100,
                                        row_condition=Column("previous_period").is_null()),
        E.ExpectColumnValuesToMatchRegex(column="period", regex=r"^\d{4}$"),
    ]


def regional_parts_expectations() -> list:
    """The parts of each level add up to the national total within their rounding (WARN)."""
    import great_expectations as gx

    return [gx.expectations.ExpectColumnValuesToBeBetween(column="residue_beyond_rounding",
                                                          min_value=0, max_value=0)]


def regional_expectations(geos: list[str]) -> list:
    """Regions from the vocabulary, shares in [0, 100], counts ≥ 0, names in French and Dutch."""
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["indicator", "entity", "breakdown", "period",
                                                       "geo", "count_kind"]),
        E.ExpectColumnValuesToBeInSet(column="geo", value_set=geos),
        E.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=100),
        E.ExpectColumnValuesToBeBetween(column="count", min_value=0),
        *[E.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("geo_name_fr", "geo_name_nl", "total", "count_observation_id",
                    "total_observation_id")],
    ]


def coverage_expectations(reasons: list[str]) -> list:
    """Every number of every document has a status; dismissed ones have a known reason."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    E = gx.expectations
    return [
        E.ExpectCompoundColumnsToBeUnique(column_list=["document_id", "line", "column"]),
        E.ExpectColumnValuesToBeInSet(column="status",
                                      value_set=["registered", "dismissed", "unaccounted"]),
        E.ExpectColumnValuesToBeInSet(column="reason", value_set=reasons,
                                      row_condition=Column("status") == "dismissed"),
        E.ExpectColumnValuesToBeBetween(column="line", min_value=1),
    ]


def findings_expectations(rules: list[str]) -> list:
    """Findings name their rule, are warnings, and keep each observation's provenance."""
    import great_expectations as gx

    E = gx.expectations
    return [
        E.ExpectColumnValuesToBeInSet(column="rule", value_set=rules),
        E.ExpectColumnValuesToBeInSet(column="severity", value_set=["WARN"]),
        E.ExpectCompoundColumnsToBeUnique(column_list=["finding_id", "observation_id", "role"]),
        *[E.ExpectColumnValuesToNotBeNull(column=c)
          for c in ("finding_id", "message", "expected", "actual", "observation_id",
                    "document_id", "document_sha256", "line", "quote")],
    ]
