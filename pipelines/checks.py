"""Asset checks: Great Expectations suites (ERROR, blocking) and findings (WARN, reported).

A findings check lists where the documents disagree with themselves or each other, one family of
rules per check, as a table (rule, indicator, period, stated, computed, unit, where, quote) with a
link to each document line. It never blocks publication: a failed findings check means "there are
findings to read", not a broken run.
"""
from __future__ import annotations

import hashlib

import pandas as pd
from dagster import (AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, TableColumn,
                     TableRecord, TableSchema, asset_check)
from dagster_duckdb import DuckDBResource

from expectations import suites
from expectations.runner import validate
from pipelines.metadata import outputs_url
from pipelines.resources import OutputsResource, SourcesResource
from pipelines.warehouse import read_table
from sources.numbers import written_decimals
from sources.intake import line_pages
from sources.register import Catalogues
from transforms.consistency import FINDING_COLUMNS, derived_findings, findings_table, jump_findings, show


def with_provenance_flags(frame: pd.DataFrame, cat: Catalogues) -> pd.DataFrame:
    """Add `sha256_matches`, `quote_on_line` and `page_matches` (the page a line is on, for a
    document received as PDF, else empty), re-reading each document's bytes from disk."""
    digests, lines = {}, {}
    for doc_id, doc in cat.documents.items():
        data = doc["path"].read_bytes() if doc["path"].is_file() else b""
        digests[doc_id] = hashlib.sha256(data).hexdigest()
        lines[doc_id] = data.decode("utf-8", errors="replace").split("\n")
    out = frame.copy()
    out["sha256_matches"] = [digests.get(d) == s == cat.documents.get(d, {}).get("sha256")
                             for d, s in zip(out["document_id"], out["document_sha256"])]
    out["quote_on_line"] = [d in lines and 1 <= n <= len(lines[d]) and q in lines[d][n - 1]
                            for d, n, q in zip(out["document_id"], out["line"], out["quote"])]
    pages = {d: line_pages(lines[d]) if doc.get("pdf") else None
             for d, doc in cat.documents.items()}
    out["page_matches"] = [
        (pd.isna(p) if pages.get(d) is None else 1 <= n <= len(pages[d]) and pages[d][n - 1] == p)
        for d, n, p in zip(out["document_id"], out["line"], out["page"])]
    return out


def suite_result(frame: pd.DataFrame, name: str, expectations: list,
                 outputs: OutputsResource,
                 severity: AssetCheckSeverity = AssetCheckSeverity.ERROR) -> AssetCheckResult:
    """Run a GX suite as a check (blocking ERROR unless `severity` says WARN); metadata lists
    expectations and failures."""
    outcome = validate(frame, name, expectations)
    return AssetCheckResult(
        passed=outcome["success"],
        severity=severity,
        metadata={
            "rows": MetadataValue.int(len(frame)),
            "expectations_evaluated": MetadataValue.int(outcome["evaluated"]),
            "expectations_failed": MetadataValue.int(outcome["failed"]),
            "failures": MetadataValue.json(outcome["failures"]),
            "data_docs": MetadataValue.url(outputs_url("quality/gx/index.html"))})


FINDINGS_SCHEMA = TableSchema(columns=[
    TableColumn("rule", "text", description="consistency or plausibility rule"),
    TableColumn("indicator", "text", description="indicator code"),
    TableColumn("period", "text", description="period of the figure"),
    TableColumn("stated", "text", description="the figure as the document states it (actual)"),
    TableColumn("computed", "text", description="what the other figures imply (expected)"),
    TableColumn("unit", "text", description="unit of both values"),
    TableColumn("where", "text", description="document:line of the main statement"),
    TableColumn("quote", "text", description="the main statement, verbatim")])


def text_table(columns: tuple[str, ...], rows: list[dict]) -> MetadataValue:
    """A table of texts for a check's metadata, one record per row."""
    return MetadataValue.table(records=[TableRecord(row) for row in rows],
                               schema=TableSchema(columns=[TableColumn(c, "text")
                                                           for c in columns]))


def findings_result(findings: pd.DataFrame, observations: pd.DataFrame) -> AssetCheckResult:
    """A WARN result listing each disagreement once, as a table and with links to the lines."""
    columns = ["indicator", "period", "unit", "number_text"]
    about = observations.set_index("observation_id")[columns].fillna("").to_dict("index")
    records, links = [], []
    for _, rows in findings.groupby("finding_id", sort=False):
        main = rows.iloc[0]
        where = f"{main['document_id']}:{main['line']}"
        figure = about.get(main["observation_id"], {})
        decimals = written_decimals(figure.get("number_text"))
        records.append(TableRecord({  # computed: one decimal more than printed, if it has one
            "rule": main["rule"], "indicator": figure.get("indicator", ""),
            "period": figure.get("period", ""),
            "stated": show(main["actual"], decimals),
            "computed": show(main["expected"], decimals if round(main["expected"], decimals)
                             == main["expected"] else decimals + 1),
            "unit": figure.get("unit", ""),
            "where": where, "quote": main["quote"]}))
        links.append(f"- **{main['rule']}** {main['message']} — [{where}]("
                     f"{outputs_url(f'quality/documents/{main.document_id}.html#L{main.line}')})")
    by_rule = findings.drop_duplicates("finding_id")["rule"].value_counts().to_dict()
    return AssetCheckResult(
        passed=findings.empty, severity=AssetCheckSeverity.WARN,
        metadata={"findings": MetadataValue.int(len(records)),
                  "by_rule": MetadataValue.json({k: int(v) for k, v in by_rule.items()}),
                  "table": MetadataValue.table(records=records, schema=FINDINGS_SCHEMA),
                  "at_their_lines": MetadataValue.md("\n".join(links) or "No finding."),
                  "report": MetadataValue.url(outputs_url("quality/report.html"))})


def findings_check(asset: str, name: str, rules: set[str], description: str, find=None,
                   table: str | None = None):
    """A WARN check on `asset` listing the findings of `rules` (from the consistency rules of
    the registers, or from `find` run on warehouse table `table`)."""
    @asset_check(asset=AssetKey(asset), name=name, blocking=False, description=description,
                 additional_deps=[AssetKey("consistency_rules")] if find is None else [])
    def _check(duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            observations = read_table(con, "observations")
            if find is None:
                found = findings_table(observations, read_table(con, "consistency_rules"))
            else:
                found = pd.DataFrame(find(read_table(con, table)), columns=FINDING_COLUMNS)
        return findings_result(found[found["rule"].isin(rules)], observations)

    return _check


sums_and_shares_findings = findings_check(
    "observations", "sums_and_shares_findings", {"sum", "shares_100"},
    "Findings (WARN, reported, never blocks): parts that do not add up to the total the document "
    "states, shares that do not add up to 100 %.")
changes_and_ratios_findings = findings_check(
    "observations", "changes_and_ratios_findings", {"change", "ratio"},
    "Findings (WARN, reported, never blocks): a stated change or ratio that its two values do not "
    "give.")
repeated_figures_findings = findings_check(
    "observations", "repeated_figures_findings", {"equal", "same_figure", "repeat"},
    "Findings (WARN, reported, never blocks): the same figure stated twice with different values "
    "(a repeat, a declared equal statement, the same key in two documents).")
derived_points_findings = findings_check(
    "series", "derived_points_findings", {"derived_vs_stated"},
    "Findings (WARN, reported, never blocks): a point implied by a stated change or share that "
    "disagrees, beyond rounding, with the figure stated for that point.",
    find=derived_findings, table="series_vintages")
plausibility_findings = findings_check(
    "series", "plausibility_findings", {"plausibility_jump"},
    "Findings (WARN, reported, never blocks): a yearly level that moves by more than half (or a "
    "percentage by more than 25 points) from one year to the next.",
    find=jump_findings, table="series")


@asset_check(asset=AssetKey("register_lint"), blocking=False, name="register_lint_findings",
             description="Findings (WARN, reported, never blocks): readings the words around a "
                         "figure put in doubt (no period basis, a country with geo BE, 'ouvrables' "
                         "in calendar days, 'devrait' on an observed figure, a repeat without a "
                         "note, ...); findings an entry accepts with a reason do not fail it.")
def register_lint_findings(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        lint = read_table(con, "register_lint")
    open_ = lint[lint["status"] == "open"]
    rows = [{"rule": r.rule, "observation": r.observation_id, "message": r.message,
             "quote": r.quote} for r in open_.itertuples()]
    return AssetCheckResult(
        passed=open_.empty, severity=AssetCheckSeverity.WARN,
        metadata={"findings": MetadataValue.int(len(open_)),
                  "accepted": MetadataValue.int(int((lint["status"] == "accepted").sum())),
                  "by_rule": MetadataValue.json({k: int(v) for k, v in
                                                 open_["rule"].value_counts().items()}),
                  "table": text_table(("rule", "observation", "message", "quote"), rows)})


@asset_check(asset=AssetKey("official_crosscheck"), blocking=False,
             name="official_crosscheck_findings",
             description="Findings (WARN, reported, never blocks): a poverty rate or ESSPROS share "
                         "of the documents that differs, beyond the rounding of both, from the "
                         "official value of the same survey year and definition; the table shows "
                         "every figure compared, side by side with its official value.")
def official_crosscheck_findings(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        compared = read_table(con, "official_crosscheck")
    columns = ("verdict", "figure", "period", "ours", "official", "official_year", "source",
               "quote")
    rows = [{"verdict": r.verdict, "figure": r.observation_id, "period": r.period,
             "ours": show(r.value), "official": "" if pd.isna(r.official_value)
             else show(r.official_value), "official_year": r.official_year or "",
             "source": r.source_url or "", "quote": r.quote} for r in compared.itertuples()]
    verdicts = compared["verdict"].value_counts()
    return AssetCheckResult(
        passed=not (compared["verdict"] == "differs").any(), severity=AssetCheckSeverity.WARN,
        metadata={"findings": MetadataValue.int(int(verdicts.get("differs", 0))),
                  "verdicts": MetadataValue.json({k: int(v) for k, v in verdicts.items()}),
                  "table": text_table(columns, rows),
                  "report": MetadataValue.url(outputs_url("quality/report.html#official"))})


@asset_check(asset=AssetKey("documents"), blocking=True,
             description="GX suite `documents`: columns, unique ids, SHA-256 format, periods.")
def documents_suite(duckdb: DuckDBResource, outputs: OutputsResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        frame = read_table(con, "documents")
    return suite_result(frame, "documents", suites.documents_expectations(), outputs)


@asset_check(asset=AssetKey("indicators"), blocking=True,
             description="GX suite `indicators`: unique snake_case codes, known families and "
                         "units, labels in French, Dutch and English, a definition.")
def indicators_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                     sources: SourcesResource) -> AssetCheckResult:
    vocab = sources.catalogues().vocabulary
    with duckdb.get_connection() as con:
        frame = read_table(con, "indicators")
    return suite_result(frame, "indicators", suites.indicators_expectations(
        list(vocab["families"]), list(vocab["units"])), outputs)


@asset_check(asset=AssetKey("observations"), blocking=True,
             description="GX suite `observations`: schema, types, non-null and unique keys, "
                         "catalogue values, finite values, percentages in [0, 100], counts ≥ 0, "
                         "valid periods, provenance (checksum matches, quote on its line).")
def observations_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                       sources: SourcesResource) -> AssetCheckResult:
    cat = sources.catalogues()
    with duckdb.get_connection() as con:
        frame = with_provenance_flags(read_table(con, "observations"), cat)
    vocab = cat.vocabulary
    return suite_result(frame, "observations", suites.observations_expectations(
        list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
        list(vocab["qualifiers"]), cat.geo_codes, list(vocab["entities"]),
        list(vocab["obs_statuses"]), list(vocab["period_bases"])), outputs)


@asset_check(asset=AssetKey("series"), blocking=True,
             description="GX suite `series`: one value per key and period, catalogue values, "
                         "percentages in [0, 100], provenance kept, no figure without a period.")
def series_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                 sources: SourcesResource) -> AssetCheckResult:
    cat = sources.catalogues()
    vocab = cat.vocabulary
    with duckdb.get_connection() as con:
        frame = read_table(con, "series")
    return suite_result(frame, "series", suites.series_expectations(
        list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
        cat.geo_codes, list(vocab["entities"]), list(vocab["obs_statuses"])), outputs)


def table_suite(asset: str, table: str, expectations_of, description: str):
    """A blocking GX check on `asset` validating warehouse table `table`."""
    @asset_check(asset=AssetKey(asset), name=f"{table}_suite", blocking=True,
                 description=description)
    def _check(duckdb: DuckDBResource, outputs: OutputsResource,
               sources: SourcesResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            frame = read_table(con, table)
        return suite_result(frame, table, expectations_of(sources.catalogues()), outputs)

    return _check


vintages_suite = table_suite(
    "series_vintages", "series_vintages", lambda cat: suites.vintages_expectations(),
    "GX suite `series_vintages`: each statement of a point ranked once, the kept value first, "
    "derived points with their sources.")
changes_suite = table_suite(
    "changes", "changes", lambda cat: suites.changes_expectations(),
    "GX suite `changes`: unique points, percentages changing in points, index 100 on the "
    "first year.")
regional_suite = table_suite(
    "regional", "regional", lambda cat: suites.regional_expectations(
        cat.geo_codes),
    "GX suite `regional`: regions from the vocabulary, shares in [0, 100], counts ≥ 0, names in "
    "French and Dutch, totals and sources kept.")


@asset_check(asset=AssetKey("regional"), name="regional_parts_suite", blocking=False,
             description="GX suite `regional_parts` (WARN, reported, never blocks): the parts of "
                         "each level (regions, provinces, municipalities, roll-ups) add up to the "
                         "national total within the rounding of the figures involved.")
def regional_parts_suite(duckdb: DuckDBResource, outputs: OutputsResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        frame = read_table(con, "regional")
    result = suite_result(frame, "regional_parts", suites.regional_parts_expectations(), outputs,
                          AssetCheckSeverity.WARN)
    off = frame[frame["residue_beyond_rounding"] > 0].drop_duplicates(
        ["indicator", "entity", "breakdown", "period", "level", "count_kind"])
    rows = [{"indicator": r.indicator, "period": r.period, "level": r.level,
             "total": show(r.total), "sum": show(r.sum_of_counts), "residue": show(r.residue)}
            for r in off.itertuples()]
    return AssetCheckResult(passed=result.passed, severity=result.severity, metadata={
        **result.metadata, "findings": MetadataValue.int(len(rows)),
        "table": text_table(("indicator", "period", "level", "total", "sum", "residue"), rows)})


coverage_suite = table_suite(
    "number_coverage", "number_coverage", lambda cat: suites.coverage_expectations(
        list(cat.vocabulary["dismissal_reasons"])),
    "GX suite `number_coverage`: one row per number of each document, a known status, and a "
    "known reason for every dismissed number.")
findings_suite = table_suite(
    "quality_findings", "quality_findings", lambda cat: suites.findings_expectations(
        ["sum", "shares_100", "change", "ratio", "equal", "same_figure", "repeat",
         "derived_vs_stated", "plausibility_jump"]),
    "GX suite `quality_findings`: known rules, WARN severity, provenance of every observation "
    "involved.")

ALL_CHECKS = [documents_suite, indicators_suite, observations_suite, series_suite, vintages_suite,
              changes_suite, regional_suite, coverage_suite, findings_suite,
              sums_and_shares_findings, changes_and_ratios_findings, repeated_figures_findings,
              derived_points_findings, plausibility_findings, register_lint_findings,
              official_crosscheck_findings, regional_parts_suite]
