"""Asset checks: Great Expectations suites (ERROR, blocking) and consistency rules (WARN)."""
import hashlib

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from expectations import suites
from expectations.runner import validate
from pipelines import assets
from pipelines.resources import OutputsResource, SourcesResource
from pipelines.warehouse import read_table
from sources.register import Catalogues
from transforms.consistency import FINDING_COLUMNS, derived_findings, findings_table, jump_findings


def with_provenance_flags(frame: pd.DataFrame, cat: Catalogues) -> pd.DataFrame:
    """Add `sha256_matches` and `quote_on_line`, re-reading each document's bytes from disk."""
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
    return out


def suite_result(frame: pd.DataFrame, name: str, expectations: list,
                 outputs: OutputsResource) -> AssetCheckResult:
    """Run a GX suite as a blocking ERROR check; metadata lists expectations and failures."""
    outcome = validate(frame, name, expectations, outputs.build_docs)
    return AssetCheckResult(
        passed=outcome["success"],
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "rows": MetadataValue.int(len(frame)),
            "expectations_evaluated": MetadataValue.int(outcome["evaluated"]),
            "expectations_failed": MetadataValue.int(outcome["failed"]),
            "failures": MetadataValue.json(outcome["failures"]),
        })


def findings_result(findings: pd.DataFrame) -> AssetCheckResult:
    """A WARN check result: passes when there is no finding, lists each finding otherwise."""
    per_rule = findings.drop_duplicates("finding_id")["rule"].value_counts().to_dict()
    lines = [f"- **{r.rule}**: {r.message} ({r.document_id} line {r.line})"
             for r in findings.drop_duplicates("finding_id").itertuples()]
    return AssetCheckResult(
        passed=findings.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={"findings": MetadataValue.int(findings["finding_id"].nunique()),
                  "by_rule": MetadataValue.json({k: int(v) for k, v in per_rule.items()}),
                  "list": MetadataValue.md("\n".join(lines[:200]) or "No finding.")})


@asset_check(asset=assets.documents, blocking=True,
             description="GX suite `documents`: columns, unique ids, SHA-256 format, periods.")
def documents_suite(duckdb: DuckDBResource, outputs: OutputsResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        frame = read_table(con, "documents")
    return suite_result(frame, "documents", suites.documents_expectations(), outputs)


@asset_check(asset=assets.indicators, blocking=True,
             description="GX suite `indicators`: unique snake_case codes, known families and "
                         "units, labels in French, Dutch and English, a definition.")
def indicators_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                     sources: SourcesResource) -> AssetCheckResult:
    vocab = sources.catalogues().vocabulary
    with duckdb.get_connection() as con:
        frame = read_table(con, "indicators")
    return suite_result(frame, "indicators", suites.indicators_expectations(
        list(vocab["families"]), list(vocab["units"])), outputs)


@asset_check(asset=assets.observations, blocking=True,
             description="GX suite `observations`: schema, types, non-null and unique keys, "
                         "catalogue values, percentages in [0, 100], counts ≥ 0, valid periods, "
                         "provenance (checksum matches, quote on its line).")
def observations_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                       sources: SourcesResource) -> AssetCheckResult:
    cat = sources.catalogues()
    with duckdb.get_connection() as con:
        frame = with_provenance_flags(read_table(con, "observations"), cat)
    vocab = cat.vocabulary
    return suite_result(frame, "observations", suites.observations_expectations(
        list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
        list(vocab["qualifiers"]), list(vocab["geos"]), list(vocab["entities"]),
        list(vocab["obs_statuses"]), list(vocab["period_bases"])), outputs)


@asset_check(asset=assets.observations, blocking=False,
             description="Consistency (WARN): rules declared in the registers (parts sum to "
                         "their total, shares to 100, a stated change or ratio agrees with its "
                         "values) and the same figure stated twice with different values.")
def consistency(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        findings = findings_table(read_table(con, "observations"),
                                  read_table(con, "consistency_rules"))
    return findings_result(findings)


@asset_check(asset=assets.series, blocking=True,
             description="GX suite `series`: one value per key and period, catalogue values, "
                         "percentages in [0, 100], provenance kept.")
def series_suite(duckdb: DuckDBResource, outputs: OutputsResource,
                 sources: SourcesResource) -> AssetCheckResult:
    cat = sources.catalogues()
    vocab = cat.vocabulary
    with duckdb.get_connection() as con:
        frame = read_table(con, "series")
    return suite_result(frame, "series", suites.series_expectations(
        list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
        list(vocab["geos"]), list(vocab["entities"]), list(vocab["obs_statuses"])), outputs)


@asset_check(asset=assets.observations, blocking=False,
             description="Register lint (WARN): readings the words around a figure put in doubt "
                         "(no period basis, a country with geo BE, 'ouvrables' in calendar days, "
                         "'devrait' on an observed figure, a repeat without a note, ...); findings "
                         "an entry accepts with a reason are listed but do not fail the check.")
def register_lint(duckdb: DuckDBResource) -> AssetCheckResult:
    with duckdb.get_connection() as con:
        lint = read_table(con, "register_lint")
    open_ = lint[lint["status"] == "open"]
    lines = [f"- **{r.rule}** {r.observation_id}: {r.message} («{r.quote}»)"
             for r in open_.itertuples()]
    return AssetCheckResult(
        passed=open_.empty, severity=AssetCheckSeverity.WARN,
        metadata={"findings": MetadataValue.int(len(open_)),
                  "accepted": MetadataValue.int(int((lint["status"] == "accepted").sum())),
                  "by_rule": MetadataValue.json({k: int(v) for k, v in
                                                 open_["rule"].value_counts().items()}),
                  "list": MetadataValue.md("\n".join(lines[:200]) or "No open finding.")})


def findings_check(asset, name: str, table: str, find, description: str):
    """A WARN check on `asset` listing what `find` reports on warehouse table `table`."""
    @asset_check(asset=asset, name=name, blocking=False, description=description)
    def _check(duckdb: DuckDBResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            frame = read_table(con, table)
        return findings_result(pd.DataFrame(find(frame), columns=FINDING_COLUMNS))

    return _check


plausibility = findings_check(
    assets.series, "plausibility", "series", jump_findings,
    "Plausibility (WARN): a yearly level that moves by more than half (or a percentage by more "
    "than 25 points) from one year to the next.")
derived_points_agree = findings_check(
    assets.series, "derived_points_agree", "series_vintages", derived_findings,
    "Derived points (WARN): a point implied by a stated change or share agrees, within "
    "rounding, with the figure stated for the same point.")


def table_suite(asset, table: str, expectations_of, description: str):
    """A blocking GX check on `asset` validating warehouse table `table`."""
    @asset_check(asset=asset, name=f"{table}_suite", blocking=True, description=description)
    def _check(duckdb: DuckDBResource, outputs: OutputsResource,
               sources: SourcesResource) -> AssetCheckResult:
        with duckdb.get_connection() as con:
            frame = read_table(con, table)
        return suite_result(frame, table, expectations_of(sources.catalogues()), outputs)

    return _check


vintages_suite = table_suite(
    assets.series, "series_vintages", lambda cat: suites.vintages_expectations(),
    "GX suite `series_vintages`: each statement of a point ranked once, the kept value first, "
    "derived points with their sources.")
changes_suite = table_suite(
    assets.changes, "changes", lambda cat: suites.changes_expectations(),
    "GX suite `changes`: unique points, percentages changing in points, index 100 on the "
    "first year.")
regional_suite = table_suite(
    assets.regional, "regional", lambda cat: suites.regional_expectations(
        list(cat.vocabulary["geos"])),
    "GX suite `regional`: regions from the vocabulary, shares in [0, 100], counts ≥ 0, names in "
    "French and Dutch, totals and sources kept.")

coverage_suite = table_suite(
    assets.number_coverage, "number_coverage", lambda cat: suites.coverage_expectations(
        list(cat.vocabulary["dismissal_reasons"])),
    "GX suite `number_coverage`: one row per number of each document, a known status, and a "
    "known reason for every dismissed number.")
findings_suite = table_suite(
    assets.quality_findings, "quality_findings", lambda cat: suites.findings_expectations(
        ["sum", "shares_100", "change", "ratio", "equal", "same_figure", "repeat",
         "derived_vs_stated", "plausibility_jump"]),
    "GX suite `quality_findings`: known rules, WARN severity, provenance of every observation "
    "involved.")
