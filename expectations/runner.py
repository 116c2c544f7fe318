"""Run a Great Expectations 1.x suite on a pandas DataFrame and summarise the outcome.

`great_expectations` takes seconds to import: it is imported here, lazily, once per process.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd


@lru_cache(maxsize=1)
def _context():
    import great_expectations as gx

    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context, context.data_sources.add_pandas("frames")


def validate(frame: pd.DataFrame, name: str, expectations: list) -> dict:
    """Validate `frame` against `expectations` (a list of gx expectation objects).

    Returns success, counts and, per failed expectation, its type, column and examples.
    """
    gx, context, source = _context()
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name))
    for expectation in expectations:
        suite.add_expectation(expectation)
    try:
        asset = source.get_asset(name)
    except LookupError:
        asset = source.add_dataframe_asset(name=name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format="SUMMARY")
    failures = []
    for r in result.results:
        if not r.success:
            detail = r.result or {}
            failures.append({
                "expectation": r.expectation_config.type,
                "column": r.expectation_config.kwargs.get("column"),
                "unexpected_count": detail.get("unexpected_count"),
                "examples": [str(x) for x in (detail.get("partial_unexpected_list") or [])[:5]]
                or ([str(detail.get("observed_value"))] if "observed_value" in detail else []),
                "exception": (r.exception_info or {}).get("exception_message"),
            })
    return {"success": bool(result.success), "evaluated": len(result.results),
            "failed": len(failures), "failures": failures}
