"""The Dagster code location: every asset, check, resource and job of the pipeline."""
from __future__ import annotations

import warnings
from pathlib import Path

from dagster import BetaWarning, Definitions, in_process_executor, with_source_code_references
from pipelines import assets, chart_assets, checks, operations
from pipelines.resources import (BuildDatabase, OutputsResource, SourcesResource,
                                 default_outputs_dir, default_sources_dir)

ALL_ASSETS = [assets.documents, assets.indicators, assets.registers, assets.coverage,
              assets.series_and_vintages, assets.changes, assets.places_step, assets.regional,
              assets.official_crosscheck_step, assets.quality_findings, assets.data_dictionary,
              assets.parquet_files, assets.sdmx_files, assets.data_package,
              chart_assets.charts_step, chart_assets.chart_gallery, assets.quality_report,
              assets.release]


def build_definitions(outputs_dir: Path | None = None, sources_dir: Path | None = None) -> Definitions:
    """Definitions writing under `outputs_dir` (default: SESAM_OUTPUTS or ./outputs) and reading
    documents and registers from `sources_dir` (default: SESAM_SOURCES or ./sources)."""
    root = Path(outputs_dir or default_outputs_dir())
    try:
        (root / "build").mkdir(parents=True, exist_ok=True)  # DuckDB needs the folder
    except OSError:
        pass  # reported clearly by `make run` (pipelines.run) or by the first step of a run
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)  # code references are a beta API
        located = with_source_code_references(ALL_ASSETS)
    return Definitions(
        assets=located,
        asset_checks=checks.ALL_CHECKS,
        jobs=[operations.full_refresh, operations.publication_only],
        schedules=[operations.yearly_refresh],
        sensors=[operations.new_documents, operations.ghost_runs],
        resources={"duckdb": BuildDatabase(database=str(root / "build" / "warehouse.duckdb")),
                   "outputs": OutputsResource(root=str(root)),
                   "sources": SourcesResource(root=str(sources_dir or default_sources_dir()),
                                              cache=str(root / "build" / "registers"))},
        executor=in_process_executor,
    )


defs = build_definitions()
