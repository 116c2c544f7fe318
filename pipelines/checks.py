"""Asset checks: Great Expectations suites run as Dagster checks on the tables they guard."""

import hashlib

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check
from dagster_duckdb import DuckDBResource

from expectations.runner import validate
from expectations.suites import observations_expectations
from pipelines.assets import observations
from pipelines.warehouse import read_table
from pipelines.resources import SourcesResource
from sources.register import Catalogues


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


def check_result(outcome: dict) -> AssetCheckResult:
    """A blocking (ERROR) check result with the expectations evaluated and failure examples."""
    return AssetCheckResult(
        passed=outcome["success"],
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "expectations_evaluated": MetadataValue.int(outcome["evaluated"]),
            "expectations_failed": MetadataValue.int(outcome["failed"]),
            "failures": MetadataValue.json(outcome["failures"]),
        })


@asset_check(asset=observations, blocking=True,
             description="Great Expectations suite `observations`: schema, types, non-null and "
                         "unique keys, catalogue values, percentages in [0, 100], counts ≥ 0, "
                         "valid periods, provenance (checksum matches, quote on its line).")
def observations_suite(duckdb: DuckDBResource, sources: SourcesResource) -> AssetCheckResult:
    cat = sources.catalogues()
    with duckdb.get_connection() as con:
        frame = with_provenance_flags(read_table(con, "observations"), cat)
    vocab = cat.vocabulary
    expectations = observations_expectations(
        list(cat.indicators), list(vocab["units"]), list(vocab["kinds"]),
        list(vocab["qualifiers"]), list(vocab["geos"]))
    return check_result(validate(frame, "observations", expectations))
