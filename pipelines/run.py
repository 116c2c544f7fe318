"""Materialise every asset in this process (recorded in DAGSTER_HOME) and say where outputs are.

    python -m pipelines.run                        # full_refresh, what `make run` does
    python -m pipelines.run --job publication_only # re-publish from the build database
    python -m pipelines.run --rebuild              # every step, even when nothing changed
When nothing changed since the visible release was published (pipelines/unchanged.py), a full
run says so and runs nothing after its first steps.
Exit status 0 when every step and every blocking check passed, 1 otherwise (2 when the outputs
folder cannot be written). What failed is printed once, one line per cause, at the end.
"""
from __future__ import annotations

import logging
import os
import re
import sys
import time
from pathlib import Path

from dagster import AssetCheckSeverity, DagsterInstance, Field, logger

from pipelines import guard
from pipelines.resources import default_outputs_dir


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


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job", default="full_refresh", choices=["full_refresh",
                                                                  "publication_only"])
    parser.add_argument("--rebuild", action="store_true",
                        help="run every step even when nothing changed since the visible release")
    args = parser.parse_args(argv)
    outputs = default_outputs_dir()
    problem = writable_folder_error(outputs)
    if problem:
        print(f"error: {problem}; nothing was run and nothing published was changed.",
              file=sys.stderr)
        return 2
    guard.acquire(outputs, "make run", lambda m: print(m, flush=True))
    try:
        return run_all(outputs, args.job, args.rebuild)
    finally:
        guard.release(outputs)


def run_all(outputs: Path, job_name: str = "full_refresh", rebuild: bool = False) -> int:
    from pipelines.unchanged import REBUILD_TAG
    from publication.files import describe_visible

    started = time.monotonic()
    logging.getLogger("dagster._core.execution.plan.active").addFilter(_not_a_skipped_check)
    with DagsterInstance.get() as instance:
        for run_id in guard.reap_ghost_runs(instance):
            print(f"Run {run_id} was marked failed: its process is gone.")
        try:
            from pipelines.definitions import build_definitions

            defs = build_definitions(outputs)
        except Exception as exc:  # noqa: BLE001 - a definition that cannot load, said in one line
            print(f"FAILED loading the pipeline's definitions: {one_line(exc)}", file=sys.stderr)
            return 1
        job = defs.resolve_job_def(job_name).with_logger_defs({"console": brief_console})
        result = job.execute_in_process(
            instance=instance, raise_on_error=False,
            tags={**guard.process_tags(), **({REBUILD_TAG: "true"} if rebuild else {})},
            run_config={"loggers": {"console": {"config": {
                "log_level": os.environ.get("SESAM_LOG_LEVEL", "INFO")}}}})
    failures: dict[str, list[str]] = {}
    warnings: list[str] = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            failures.setdefault(cause(event.event_specific_data.error), []).append(event.step_key)
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed and check.severity == AssetCheckSeverity.ERROR:
                failed = check.metadata.get("failures")
                failures.setdefault(f"blocking check {check.check_name} on "
                                    f"{check.asset_key.to_user_string()} failed: "
                                    f"{failed.value if failed else ''}", []).append(
                    check.check_name)
            elif not check.passed:
                findings = check.metadata.get("findings")
                warnings.append(f"  {check.check_name} on {check.asset_key.to_user_string()}: "
                                f"{findings.value if findings else '?'} finding(s)")
    if failures or not result.success:
        for message, steps in failures.items():
            print(f"FAILED ({', '.join(steps)}): {message}", file=sys.stderr)
        print(f"Run {result.run_id} failed: nothing new was published; "
              f"{describe_visible(outputs)}.", file=sys.stderr)
        return 1
    print_summary(outputs)
    if warnings:
        print("Warnings (reported, not blocking; see outputs/quality/report.html):")
        print("\n".join(warnings))
    if any(e.event_type_value == "ASSET_MATERIALIZATION"
           and e.asset_key.to_user_string() == "release" for e in result.all_events):
        print(f"Published {describe_visible(outputs)}.")
    else:
        print(f"Nothing changed since the visible release was published: nothing was validated, "
              f"derived or published again (--rebuild runs every step); "
              f"{describe_visible(outputs)}.")
    print(f"Run {result.run_id} succeeded in {time.monotonic() - started:.1f} s.")
    return 0


class _WithoutTraces(logging.Formatter):
    """Dagster's console lines, without the stack traces: each failure's cause is printed once,
    on one line, at the end of the run (the traces stay in the run's event log, in the UI)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return text.split("\n\nStack Trace:", 1)[0].rstrip()


def _not_a_skipped_step(record: logging.LogRecord) -> bool:
    """Steps not run because an upstream step failed add nothing to the failure's cause, nor
    do those skipped because nothing changed (the first step says so once)."""
    text = record.getMessage()
    return "Not executing." not in text and "due to skipped dependencies" not in text


def _not_a_skipped_check(record: logging.LogRecord) -> bool:
    """Dagster warns that a blocking check whose step was skipped gave no result; every check
    of ours gives one when it runs, so the warning only repeats that nothing changed."""
    return "emitted no result" not in record.getMessage()


@logger(config_schema={"log_level": Field(str, is_required=False, default_value="INFO")},
        description="Console logger of `make run`: one line per event, no stack traces.")
def brief_console(init_context) -> logging.Logger:
    log = logging.getLogger("sesam.run")
    log.setLevel(init_context.logger_config["log_level"].upper())
    log.propagate = False
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_WithoutTraces("%(asctime)s - %(levelname)s - %(message)s",
                                            "%H:%M:%S"))
        handler.addFilter(_not_a_skipped_step)
        log.addHandler(handler)
    return log


def cause(error) -> str:
    """The innermost message of a step's error, on one line."""
    while error.cause is not None and error.cls_name in (
            "DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"):
        error = error.cause
    message = error.message.strip()
    if error.cls_name == "Failure":
        message = message.split("\n", 1)[0]
    message = re.sub(r"^[\w.]+(Error|Failure|Exception): ", "", message)
    return one_line(re.sub(r"\[Errno [^\]]*\] ", "", message))


def one_line(text) -> str:
    return " ".join(str(text).split())


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
    print(f"  Data package:            {outputs / 'datapackage.json'} (Parquet, csv/)")
    print(f"  SDMX:                    {outputs / 'sdmx'}/ (series.csv, structure.xml)")
    from publication import readme

    block = readme.render(readme.figures(outputs / "warehouse.duckdb"))
    if readme.current_block(readme.README.read_text()) == block:
        print("README.md's figures match this publication.")
    else:
        print("README.md's figures differ from this publication: python -m publication.readme "
              "--write updates them.")


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every file is written and closed by now; leaving without the interpreter's teardown keeps a
    # binding's shutdown notices ("nanobind: leaked ...") out of the run's output.
    os._exit(code)
