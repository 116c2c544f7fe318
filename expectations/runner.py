"""Run a Great Expectations 1.x suite on a pandas DataFrame and summarise the outcome.

`great_expectations` takes seconds to import: it is imported here, lazily, once per process, and
one ephemeral context serves every validation of the process. Each validation goes through a
checkpoint whose result the context keeps; `build_docs` renders the Data Docs of every validation
of the process once, at the end of a run (one site rebuild instead of one per suite).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd


@lru_cache(maxsize=1)
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context, context.data_sources.add_pandas("frames")


@lru_cache(maxsize=8)
def _docs_site(docs_dir: str) -> str:
    _, context, _ = _context()
    name = f"site_{len(context.get_config().data_docs_sites or {})}"
    context.add_data_docs_site(site_name=name, site_config={
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": docs_dir}})
    return name


def _replace(collection, item):
    """Add `item` to a GX store, replacing any earlier one of the same name."""
    try:
        collection.delete(item.name)
    except Exception:  # noqa: BLE001 - GX raises store-specific errors for a missing name
        pass
    return collection.add(item)


def build_docs(docs_dir: Path) -> bool:
    """Render the Data Docs of this process's validations into `docs_dir`; False (and nothing
    imported or written) when no suite ran in this process, e.g. a publication-only run."""
    if _context.cache_info().currsize == 0:
        return False
    _, context, _ = _context()
    Path(docs_dir).mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=[_docs_site(str(Path(docs_dir).resolve()))])
    return True


def validate(frame: pd.DataFrame, name: str, expectations: list) -> dict:
    """Validate `frame` against `expectations` (gx expectation objects) as suite `name`.

    Returns success, the number of expectations evaluated and, per failed expectation, its
    type, column, unexpected count and a few examples.
    """
    gx, context, source = _context()
    suite = gx.ExpectationSuite(name=name, expectations=list(expectations))
    suite = _replace(context.suites, suite)
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name=name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    definition = _replace(context.validation_definitions,
                          gx.ValidationDefinition(data=batch_definition, suite=suite, name=name))
    checkpoint = _replace(context.checkpoints, gx.Checkpoint(
        name=name, validation_definitions=[definition], actions=[],
        result_format="SUMMARY"))
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    result = next(iter(run.run_results.values()))
    failures = []
    for r in result.results:
        if not r.success:
            detail = r.result or {}
            examples = [str(x) for x in (detail.get("partial_unexpected_list") or [])[:5]]
            if not examples and "observed_value" in detail:
                examples = [str(detail["observed_value"])]
            failures.append({
                "expectation": r.expectation_config.type,
                "column": r.expectation_config.kwargs.get("column"),
                "unexpected_count": detail.get("unexpected_count"),
                "examples": examples,
                "exception": (r.exception_info or {}).get("exception_message"),
            })
    return {"success": bool(result.success), "evaluated": len(result.results),
            "failed": len(failures), "failures": failures}
