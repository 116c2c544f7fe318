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
    assert {"documents", "observations", "series", "parquet_files", "chart_files",
            "warehouse"} <= keys
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name in {"sources", "warehouse", "derived", "publication"}, key
        assert node.description, key
    assert defs.resolve_job_def("full_refresh") is not None
    checks = {c.name for c in graph.asset_check_keys}
    assert "observations_suite" in checks


def test_every_asset_materialises_and_every_check_passes(materialized):
    outputs, result = materialized
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert evaluations and all(e.passed for e in evaluations)
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialised == {"documents", "indicators", "observations", "number_coverage",
                            "series", "parquet_files", "chart_files", "warehouse"}


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
    assert "hausse" in svg_fr and "Communiqué de presse" in svg_fr


def test_broken_register_fails_the_run_and_leaves_published_outputs_untouched(
        materialized, sources_copy, tmp_path):
    import shutil

    from pipelines.definitions import build_definitions

    outputs, _ = materialized
    before = {p.relative_to(outputs): p.read_bytes() for p in outputs.rglob("*")
              if p.is_file() and "build" not in p.parts}
    copy = tmp_path / "outputs"
    shutil.copytree(outputs, copy)
    register = sources_copy / "figures" / "003.yaml"
    register.write_text(register.read_text().replace("value: 242454", "value: 242455"))
    defs = build_definitions(copy, sources_copy)
    result = defs.resolve_job_def("full_refresh").execute_in_process(raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0]
    assert "003.yaml" in failure.event_specific_data.error.message
    after = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*")
             if p.is_file() and "build" not in p.parts}
    assert after == before
