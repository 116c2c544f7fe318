"""The Dagster definitions load, and every asset materialises in process into a temporary folder."""
from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from sources.register import load_all

CONTRACT = ["indicator", "period", "geo", "value", "unit", "kind", "qualifier", "document_id",
            "document_sha256", "line", "quote"]


def test_definitions_load_with_groups_descriptions_and_the_full_job():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"documents", "observations", "series", "parquet_files", "chart_gallery",
            "release", "series_vintages", "observation_breakdowns", "consistency_rules",
            "coverage_summary", "register_lint"} <= keys
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name in {"sources", "warehouse", "validation", "derived",
                                   "publication"}, key
        assert node.description, key
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert not groups & keys, "a name used for a group and an asset"
    assert defs.resolve_job_def("full_refresh") is not None
    checks = {c.name for c in graph.asset_check_keys}
    assert "observations_suite" in checks


def test_every_asset_materialises_and_every_check_passes(materialized):
    outputs, result = materialized
    assert result.success
    from dagster import AssetCheckSeverity

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    blocking = {"documents_suite", "indicators_suite", "observations_suite", "series_suite",
                "series_vintages_suite", "changes_suite", "regional_suite",
                "number_coverage_suite", "quality_findings_suite"}
    findings = {"sums_and_shares_findings", "changes_and_ratios_findings",
                "repeated_figures_findings", "derived_points_findings", "plausibility_findings",
                "register_lint_findings", "official_crosscheck_findings",
                "regional_parts_suite"}
    assert blocking | findings == set(evaluations)
    for name in blocking:
        assert evaluations[name].passed and evaluations[name].severity == AssetCheckSeverity.ERROR
    for name in findings:
        assert evaluations[name].severity == AssetCheckSeverity.WARN, name
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    from publication.charts import load_specs

    chart_keys = {f"chart_{s['chart_id']}" for s in load_specs()}
    assert materialised == {"documents", "indicators", "observations", "number_coverage",
                            "series", "changes", "regional", "quality_findings",
                            "data_dictionary", "parquet_files", "chart_gallery",
                            "quality_report", "release", "series_vintages",
                            "observation_breakdowns", "consistency_rules", "coverage_summary",
                            "register_lint", "official_values", "official_crosscheck",
                            "sdmx_files", "data_package", "places",
                            "place_rollups"} | chart_keys


def test_observations_parquet_has_the_contract_and_one_row_per_figure(materialized):
    outputs, _ = materialized
    frame = pd.read_parquet(outputs / "parquet" / "observations.parquet")
    assert set(CONTRACT) <= set(frame.columns)
    register = load_all()
    assert len(frame) == len(register.figures)
    assert frame["observation_id"].is_unique
    assert frame["value"].dtype == "float64"
    docs = {d: doc["sha256"] for d, doc in register.catalogues.documents.items()}
    assert (frame["document_sha256"] == frame["document_id"].map(docs)).all()


def test_published_warehouse_is_readable_and_matches_the_parquet(materialized):
    outputs, _ = materialized
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
        beneficiaries = con.execute(
            "SELECT period, value FROM series WHERE indicator = 'arr_ai_beneficiaries' "
            "AND geo = 'BE' AND breakdown = '' AND unit = 'count' AND kind = 'observed' "
            "ORDER BY period").fetchall()
    assert n == len(pd.read_parquet(outputs / "parquet" / "observations.parquet"))
    periods = dict(beneficiaries)
    assert periods["2022"] == 230703 and periods["2023"] == 242454


def test_chart_has_png_svg_alt_text_and_data_in_both_languages(materialized):
    outputs, _ = materialized
    charts = outputs / "charts"
    data = pd.read_csv(charts / "arr_ai_beneficiaries_over_time.csv", dtype={"period": str})
    assert {"2022", "2023"} <= set(data["period"])
    for lang, source_word in (("fr", "Source"), ("nl", "Bron")):
        png = (charts / f"arr_ai_beneficiaries_over_time_{lang}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        svg = (charts / f"arr_ai_beneficiaries_over_time_{lang}.svg").read_text()
        assert "<svg" in svg and source_word in svg
        alt = (charts / f"arr_ai_beneficiaries_over_time_{lang}.txt").read_text()
        assert "2022" in alt and "2023" in alt
    svg_fr = (charts / "arr_ai_beneficiaries_over_time_fr.svg").read_text()
    assert "253 866 personnes" in svg_fr and "communiqué de presse sur 2023" in svg_fr


def published_files(outputs):
    """Every file a reader reaches through the published paths, with its bytes."""
    found = {"warehouse.duckdb": (outputs / "warehouse.duckdb").read_bytes()}
    for name in ("parquet", "charts", "quality"):
        for p in (outputs / name).resolve().rglob("*"):
            if p.is_file():
                found[f"{name}/{p.relative_to((outputs / name).resolve())}"] = p.read_bytes()
    return found


def rerun_with(materialized, sources_copy, tmp_path):
    """Re-run the full job on a copy of the published outputs, reading `sources_copy`."""
    import shutil

    from pipelines.definitions import build_definitions

    outputs, _ = materialized
    copy = tmp_path / "outputs"
    shutil.copytree(outputs, copy, symlinks=True)
    defs = build_definitions(copy, sources_copy)
    return copy, defs.resolve_job_def("full_refresh").execute_in_process(raise_on_error=False)


def test_register_error_fails_the_run_and_leaves_published_outputs_untouched(
        materialized, sources_copy, tmp_path):
    register = sources_copy / "figures" / "003.yaml"
    register.write_text(register.read_text().replace("value: 242454", "value: 242455"))
    copy, result = rerun_with(materialized, sources_copy, tmp_path)
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "003.yaml" in failure.event_specific_data.error.message
    assert published_files(copy) == published_files(materialized[0])


def test_failed_expectation_blocks_publication_and_leaves_outputs_untouched(
        materialized, sources_copy, tmp_path):
    # The loader accepts a count declared as a percentage; the GX suite must not (150 > 100).
    catalogue = sources_copy / "indicators" / "core.yaml"
    text = catalogue.read_text()
    start = text.index("code: permanence_contact_moments")
    catalogue.write_text(text[:start] + text[start:].replace("unit: count", "unit: percent", 1))
    copy, result = rerun_with(materialized, sources_copy, tmp_path)
    from dagster import AssetCheckSeverity

    failed = [e for e in result.get_asset_check_evaluations()
              if not e.passed and e.severity == AssetCheckSeverity.ERROR]
    assert [e.check_name for e in failed] == ["observations_suite"]
    failures = failed[0].metadata["failures"].value
    assert any(f["column"] == "value" and "150.0" in f["examples"] for f in failures)
    done = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert not done & {"series", "changes", "regional", "parquet_files", "chart_gallery",
                       "chart_arr_ai_beneficiaries_over_time", "quality_report", "release"}
    assert published_files(copy) == published_files(materialized[0])


def test_a_run_with_nothing_new_skips_every_step_after_the_first_and_says_so(
        materialized, sources_copy, tmp_path):
    # A comment added to a register changes nothing it says.
    import shutil

    from dagster import DagsterInstance

    from pipelines.definitions import build_definitions
    from publication.files import visible_release

    register = sources_copy / "figures" / "003.yaml"
    register.write_text(register.read_text() + "\n# checked again in December\n")
    outputs, _ = materialized
    copy = tmp_path / "outputs"
    shutil.copytree(outputs, copy, symlinks=True)
    before = visible_release(copy)
    with DagsterInstance.ephemeral() as instance:
        result = build_definitions(copy, sources_copy).resolve_job_def(
            "full_refresh").execute_in_process(instance=instance, raise_on_error=False)
        said = [entry.user_message for entry in instance.all_logs(result.run_id)]
    assert result.success and not result.get_asset_materialization_events()
    observed = {e.asset_key.to_user_string(): e.event_specific_data.asset_observation.metadata
                for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"}
    assert {name: meta["unchanged since release"].value for name, meta in observed.items()} == \
        {"documents": before["release"], "indicators": before["release"]}
    skipped = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert {"registers", "coverage", "series_and_vintages", "charts", "release",
            "observations_observations_suite", "documents_documents_suite"} <= skipped
    assert [m for m in said if m.startswith(
        f"Nothing changed since release {before['release']} was published")]
    assert visible_release(copy) == before
    assert published_files(copy) == published_files(outputs)

    # A run of some assets only (not the release) is never skipped, and marks the build as its
    # own: the next full run runs every step.
    from dagster import AssetKey

    from pipelines import unchanged

    some = build_definitions(copy, sources_copy).resolve_job_def("full_refresh").execute_in_process(
        asset_selection=[AssetKey("indicators")], raise_on_error=False)
    assert some.success
    assert [e.asset_key.to_user_string() for e in some.get_asset_materialization_events()] == \
        ["indicators"]
    assert unchanged.read_mark(copy)["run_id"] == some.run_id
    assert unchanged.published_from(copy, unchanged.read_mark(copy)["digest"]) is None


def test_a_release_is_up_to_date_only_while_the_build_is_that_of_its_run(tmp_path):
    import json
    import os

    from pipelines import unchanged
    from publication.files import PUBLISHED

    release = tmp_path / "releases" / "r1"
    release.mkdir(parents=True)
    for name in PUBLISHED:
        (release / name).mkdir()
    (release / "RELEASE.json").write_text(json.dumps({"release": "r1", "inputs": "d"}))
    os.symlink("releases/r1", tmp_path / "current")
    unchanged.write_mark(tmp_path, digest="d", run_id="A", release="r1")
    assert unchanged.published_from(tmp_path, "d") == "r1"
    assert unchanged.published_from(tmp_path, "e") is None  # something changed
    assert unchanged.release_inputs(tmp_path, "C") == "d"  # re-publishing A's build
    unchanged.write_mark(tmp_path, digest="d", run_id="B", release=None)  # B started, failed
    assert unchanged.published_from(tmp_path, "d") is None
    assert unchanged.release_inputs(tmp_path, "B") == "d"  # had B published: its own inputs
    assert unchanged.release_inputs(tmp_path, "C") is None  # B's unfinished build: unknown
    unchanged.write_mark(tmp_path, digest="d", run_id="A", release="r1")
    (release / "parquet").rmdir()
    assert unchanged.published_from(tmp_path, "d") is None  # not whole


def test_quality_findings_name_each_disagreement_with_its_quotes(materialized):
    outputs, _ = materialized
    findings = pd.read_parquet(outputs / "parquet" / "quality_findings.parquet")
    assert {"rule", "severity", "message", "expected", "actual", "document_id",
            "document_sha256", "line", "quote"} <= set(findings.columns)
    shares = findings[findings["finding_id"] == "shares_100:003:13:176+003:13:205"]
    assert sorted(shares["quote"]) == ["à 14% dans plus de cinq jours", "à 84% dans les cinq jours"]
    assert shares["actual"].iloc[0] == pytest.approx(98)
    html = (outputs / "quality" / "report.html").read_text()
    assert "à 14% dans plus de cinq jours" in html and "shares_100" in html
    # the Data Docs, rendered once at the end of the run, list every suite of the run
    gx_docs = outputs / "quality" / "gx"
    index = (gx_docs / "index.html").read_text()
    suites = ("documents", "indicators", "observations", "series", "series_vintages", "changes",
              "regional", "regional_parts", "number_coverage", "quality_findings")
    for suite in suites:
        assert (gx_docs / "expectations" / f"{suite}.html").is_file() and suite in index, suite
    assert len(list((gx_docs / "validations").rglob("*.html"))) == len(suites)


def test_every_published_table_and_column_is_documented(materialized):
    outputs, _ = materialized
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall()
        columns = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                              "WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables())"
                              ).fetchall()
        dictionary = con.execute("SELECT * FROM data_dictionary").df()
        latest = con.execute("SELECT value FROM latest_values WHERE indicator = "
                             "'arr_ai_beneficiaries' AND geo = 'BE' AND breakdown = ''").fetchall()
    assert tables and all(comment for _, comment in tables)
    assert all(comment for *_, comment in columns)
    published = {p.stem for p in (outputs / "parquet").glob("*.parquet")}
    assert published == {t for t, _ in tables}
    assert set(dictionary["table"]) == published
    assert len(latest) == 1


def test_materialisations_carry_schema_row_count_preview_and_thumbnails(materialized):
    _, result = materialized
    meta = {e.asset_key.to_user_string(): e.materialization.metadata
            for e in result.get_asset_materialization_events()}
    for table in ("documents", "indicators", "observations", "series", "changes", "regional"):
        assert {"dagster/row_count", "dagster/column_schema", "preview"} <= set(meta[table]), table
    columns = [c.name for c in meta["observations"]["dagster/column_schema"].schema.columns]
    assert {"indicator", "value", "quote", "document_sha256"} <= set(columns)
    thumb = meta["chart_arr_ai_beneficiaries_over_time"]["chart"].value
    assert thumb.startswith("![") and "data:image/png;base64," in thumb
    assert str(meta["release"]["warehouse"].value).endswith("warehouse.duckdb")
    # a first run into an empty outputs folder reads every register (none kept from before)
    from sources.register import register_files

    assert meta["observations"]["registers read"].value == [p.name for p in register_files()]
    assert meta["observations"]["registers unchanged (reading kept)"].value == []
