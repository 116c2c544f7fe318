"""Assets: documents and registers → warehouse tables → derived series → published files."""

import time

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from pipelines.resources import OutputsResource, SourcesResource
from pipelines.warehouse import read_table, replace_table, table_metadata
from publication import dictionary
from publication.files import publish_release, publish_tree, write_parquet, write_text
from publication.quality_report import render_report
from transforms import tables
from transforms.consistency import findings_table
from transforms.regional import regional_table
from transforms.series import SERIES_KEY, changes_table, series_table, vintages_table

OWNERS = ["team:statistics"]


@asset(group_name="sources", kinds={"python", "duckdb"}, owners=OWNERS,
       description="The source documents, each checked against the SHA-256 of the catalogue "
                   "(sources/documents.yaml); a modified document is refused.")
def documents(duckdb: DuckDBResource, sources: SourcesResource) -> MaterializeResult:
    frame = tables.documents_table(sources.load(documents=set()))
    with duckdb.get_connection() as con:
        replace_table(con, "documents", frame)
    return MaterializeResult(metadata=table_metadata(frame))


@asset(group_name="sources", kinds={"python", "duckdb"}, owners=OWNERS,
       description="The indicator catalogue (sources/indicators/*.yaml): code, family, unit, "
                   "labels in French, Dutch and English, definition.")
def indicators(duckdb: DuckDBResource, sources: SourcesResource) -> MaterializeResult:
    frame = tables.indicators_table(sources.load(documents=set()))
    with duckdb.get_connection() as con:
        replace_table(con, "indicators", frame)
    return MaterializeResult(metadata=table_metadata(frame))


@asset(group_name="warehouse", deps=[documents, indicators], kinds={"python", "duckdb"},
       owners=OWNERS,
       description="One row per registered figure, read from its document through the registers "
                   "(sources/figures/*.yaml), with provenance: document SHA-256, line, quote.")
def observations(duckdb: DuckDBResource, sources: SourcesResource) -> MaterializeResult:
    register = sources.load()
    frame = tables.observations_table(register)
    with duckdb.get_connection() as con:
        replace_table(con, "observations", frame)
        replace_table(con, "observation_breakdowns", tables.breakdowns_table(frame))
        replace_table(con, "consistency_rules", tables.rules_table(register))
        replace_table(con, "register_lint", tables.lint_table(register))
    return MaterializeResult(metadata={
        **table_metadata(frame),
        "documents": MetadataValue.int(frame["document_id"].nunique()),
        "indicators": MetadataValue.int(frame["indicator"].nunique())})


@asset(group_name="warehouse", deps=[documents, indicators], kinds={"python", "duckdb"},
       owners=OWNERS,
       description="Every number of every document, registered, dismissed with a reason, or "
                   "unaccounted; with a summary per document (coverage_summary table).")
def number_coverage(context: AssetExecutionContext, duckdb: DuckDBResource,
                    sources: SourcesResource) -> MaterializeResult:
    tokens = tables.coverage_table(sources.load())
    summary = tables.coverage_summary(tokens)
    with duckdb.get_connection() as con:
        replace_table(con, "number_coverage", tokens)
        replace_table(con, "coverage_summary", summary)
    context.log.info("coverage per document:\n%s", summary.to_string(index=False))
    return MaterializeResult(metadata={
        **table_metadata(tokens),
        "summary": MetadataValue.md(summary.to_markdown(index=False)),
        "unaccounted": MetadataValue.int(int(summary["unaccounted"].sum()))})


@asset(group_name="derived", deps=[observations], kinds={"python", "duckdb"}, owners=OWNERS,
       description="One value per indicator × geo × breakdown × unit × kind × period, joined "
                   "across documents; the latest publication wins.")
def series(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        vintages = vintages_table(read_table(con, "observations"), read_table(con, "documents"),
                                  read_table(con, "indicators"))
        frame = series_table(vintages)
        replace_table(con, "series_vintages", vintages)
        replace_table(con, "series", frame)
    n_series = frame.groupby(SERIES_KEY).ngroups
    return MaterializeResult(metadata={
        **table_metadata(frame), "series": MetadataValue.int(n_series),
        "derived_points": MetadataValue.int(int((frame["kind"] == "derived").sum())),
        "points_with_several_vintages": MetadataValue.int(int((frame["vintages"] > 1).sum()))})


@asset(group_name="derived", deps=[series], kinds={"python", "duckdb"}, owners=OWNERS,
       description="Year-on-year change (in points for percentages), compound annual growth "
                   "over the span and an index (first year = 100) for every yearly level series "
                   "with at least two points.")
def changes(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        frame = changes_table(read_table(con, "series"))
        replace_table(con, "changes", frame)
    return MaterializeResult(metadata=table_metadata(frame))


@asset(group_name="derived", deps=[series], kinds={"python", "duckdb"}, owners=OWNERS,
       description="Regional breakdowns: shares by region and counts side by side (a stated "
                   "share times the national total gives a count), with the rounding residue; "
                   "geo codes BE1, BE2, BE3, BE-DG with names in French and Dutch.")
def regional(duckdb: DuckDBResource, sources: SourcesResource) -> MaterializeResult:
    geos = sources.catalogues().vocabulary["geos"]
    with duckdb.get_connection() as con:
        frame = regional_table(read_table(con, "series"), read_table(con, "indicators"), geos)
        replace_table(con, "regional", frame)
    return MaterializeResult(metadata=table_metadata(frame))


@asset(group_name="validation", deps=[observations, series, changes, regional],
       kinds={"python", "duckdb"},
       owners=OWNERS,
       description="Every consistency and plausibility finding, one row per finding and "
                   "involved observation, with both quotes (rule, severity, expected, actual).")
def quality_findings(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        frame = findings_table(read_table(con, "observations"),
                               read_table(con, "consistency_rules"), read_table(con, "series"),
                               read_table(con, "series_vintages"))
        replace_table(con, "quality_findings", frame)
    per_rule = frame.drop_duplicates("finding_id")["rule"].value_counts().to_dict()
    return MaterializeResult(metadata={**table_metadata(frame),
                                       "findings_by_rule": MetadataValue.json(per_rule)})


PUBLISHED_TABLES = ["documents", "indicators", "observations", "observation_breakdowns",
                    "consistency_rules", "register_lint", "series", "series_vintages", "changes", "regional",
                    "coverage_summary", "number_coverage", "quality_findings"]


@asset(group_name="publication", deps=[series, changes, regional, number_coverage,
                                       quality_findings],
       kinds={"duckdb"}, owners=OWNERS,
       description="The data dictionary (table, column, type, unit, meaning) as a table, as "
                   "COMMENT ON every table and column, and the researchers' views "
                   "(latest_values, series_with_provenance).")
def data_dictionary(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        frame = dictionary.dictionary_table(con, PUBLISHED_TABLES)
        replace_table(con, "data_dictionary", frame)
        frame = dictionary.dictionary_table(con, PUBLISHED_TABLES + ["data_dictionary"])
        replace_table(con, "data_dictionary", frame)
        dictionary.apply_comments(con, frame)
        dictionary.create_views(con)
    return MaterializeResult(metadata=table_metadata(frame))


@asset(group_name="publication", deps=[data_dictionary], kinds={"parquet"},
       owners=OWNERS,
       description="One Parquet file per published table in outputs/parquet/, each replaced "
                   "atomically.")
def parquet_files(duckdb: DuckDBResource, outputs: OutputsResource) -> MaterializeResult:
    written = {}
    for stale in (outputs.stage / "parquet").glob("*.parquet"):
        stale.unlink()
    with duckdb.get_connection() as con:
        for name in PUBLISHED_TABLES + ["data_dictionary"]:
            frame = read_table(con, name)
            written[name] = len(frame)
            write_parquet(frame, outputs.stage / "parquet" / f"{name}.parquet")
    return MaterializeResult(metadata={
        "directory": MetadataValue.path(str(outputs.parquet)),
        "rows": MetadataValue.json(written)})


@asset(group_name="publication", deps=[quality_findings, number_coverage], kinds={"html"},
       owners=OWNERS,
       description="outputs/quality/report.html (each finding with its quotes side by side) and "
                   "the Great Expectations Data Docs in outputs/quality/gx/.")
def quality_report(duckdb: DuckDBResource, outputs: OutputsResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        data = {n: read_table(con, n) for n in ("quality_findings", "documents", "coverage_summary",
                                                "register_lint")}
    html = render_report(data["quality_findings"], data["documents"], data["coverage_summary"],
                         data["register_lint"])
    write_text(html, outputs.stage / "quality" / "report.html")
    publish_tree(outputs.build_docs, outputs.stage / "quality" / "gx")
    return MaterializeResult(metadata={
        "report": MetadataValue.path(str(outputs.quality / "report.html")),
        "data_docs": MetadataValue.path(str(outputs.quality / "gx" / "index.html")),
        "findings": MetadataValue.int(data["quality_findings"]["finding_id"].nunique())})


@asset(group_name="publication", deps=[parquet_files, quality_report, "chart_gallery"],
       kinds={"duckdb"},
       owners=OWNERS,
       description="Publication, after every blocking check passed: the read-only DuckDB file, "
                   "the Parquet files, the charts and the quality report of this run become one "
                   "release (outputs/releases/<id>/), made visible together by one atomic rename "
                   "of the link outputs/current.")
def warehouse(context: AssetExecutionContext, duckdb: DuckDBResource,
              outputs: OutputsResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        con.execute("CHECKPOINT")
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                  for name in PUBLISHED_TABLES + ["data_dictionary"]}
    release_id = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + context.run.run_id[:8]
    release = publish_release(outputs.path, release_id, context.run.run_id,
                              {name: outputs.stage / name for name in ("parquet", "charts",
                                                                       "quality")},
                              outputs.build_db)
    return MaterializeResult(metadata={"path": MetadataValue.path(str(outputs.warehouse)),
                                       "release": MetadataValue.path(str(release)),
                                       "rows": MetadataValue.json(counts)})
