"""Materialise every asset in this process (recorded in DAGSTER_HOME) and say where outputs are.

    python -m pipelines.run
Exit status 0 when every step and every blocking check passed, 1 otherwise.
"""
from __future__ import annotations

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from dagster import AssetCheckSeverity, DagsterInstance

from pipelines.resources import default_outputs_dir


@contextmanager
def exclusive_run(outputs: Path):
    """Hold `outputs/.run.lock` for the whole run: a second run waits for the first to finish."""
    outputs.mkdir(parents=True, exist_ok=True)
    with open(outputs / ".run.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another run is writing {outputs}; waiting for it to finish...", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def writable_folder_error(path: Path) -> str | None:
    """Why `path` cannot serve as the outputs folder, or None when it can."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        return f"the outputs folder {path} is not writable: {exc.strerror or exc}"
    return None


def main() -> int:
    outputs = default_outputs_dir()
    problem = writable_folder_error(outputs)
    if problem:
        print(f"error: {problem}; nothing was run and nothing published was changed.",
              file=sys.stderr)
        return 2
    with exclusive_run(outputs):
        return run_all()


def run_all() -> int:
    from pipelines.definitions import defs

    started = time.monotonic()
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def("full_refresh").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"loggers": {"console": {"config": {
                "log_level": os.environ.get("SESAM_LOG_LEVEL", "INFO")}}}})
    failed = False
    warnings: list[str] = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            failed = True
            error = event.event_specific_data.error
            print(f"FAILED {event.step_key}: {error.message.strip()}", file=sys.stderr)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed and check.severity == AssetCheckSeverity.ERROR:
                failed = True
                failures = check.metadata.get("failures")
                print(f"CHECK FAILED {check.check_name} on {check.asset_key.to_user_string()}: "
                      f"{failures.value if failures else ''}", file=sys.stderr)
            elif not check.passed:
                findings = check.metadata.get("findings")
                warnings.append(f"  {check.check_name} on {check.asset_key.to_user_string()}: "
                                f"{findings.value if findings else '?'} finding(s)")
    outputs = default_outputs_dir()
    if failed or not result.success:
        print(f"Run {result.run_id} failed: nothing new was published; {outputs} is unchanged.",
              file=sys.stderr)
        return 1
    print_summary(outputs)
    if warnings:
        print("Warnings (reported, not blocking; see outputs/quality/report.html):")
        print("\n".join(warnings))
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
    print(f"  Charts:                  {outputs / 'charts'}/ (gallery: index.html)")
    print(f"  Quality report:          {outputs / 'quality' / 'report.html'}")


if __name__ == "__main__":
    sys.exit(main())
