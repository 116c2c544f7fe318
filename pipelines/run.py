"""Materialise every asset in this process (recorded in DAGSTER_HOME) and say where outputs are.

    python -m pipelines.run
Exit status 0 when every step and every blocking check passed, 1 otherwise.
"""
from __future__ import annotations

import sys
import time

from dagster import DagsterInstance

from pipelines.definitions import defs
from pipelines.resources import default_outputs_dir


def main() -> int:
    started = time.monotonic()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("full_refresh").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}})
    failed = False
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            failed = True
            error = event.event_specific_data.error
            print(f"FAILED {event.step_key}: {error.message.strip()}", file=sys.stderr)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed:
                failed = True
                print(f"CHECK FAILED {check.check_name} on {check.asset_key.to_user_string()}: "
                      f"{check.metadata.get('failures').value if 'failures' in check.metadata else ''}",
                      file=sys.stderr)
    outputs = default_outputs_dir()
    if failed or not result.success:
        print(f"Run {result.run_id} failed: nothing new was published; {outputs} is unchanged.",
              file=sys.stderr)
        return 1
    print_summary(outputs)
    print(f"Run {result.run_id} succeeded in {time.monotonic() - started:.1f} s.")
    return 0


def print_summary(outputs) -> None:
    import duckdb

    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        print("\nNumbers in the documents (registered / dismissed / unaccounted):")
        print(con.execute("SELECT * FROM coverage_summary ORDER BY document_id").df()
              .to_string(index=False))
        n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    print(f"\n{n} registered figures published.\nOutputs:")
    print(f"  DuckDB (read-only copy): {outputs / 'warehouse.duckdb'}")
    print(f"  Parquet:                 {outputs / 'parquet'}/")
    print(f"  Charts:                  {outputs / 'charts'}/")


if __name__ == "__main__":
    sys.exit(main())
