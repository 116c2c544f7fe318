"""kill -9 at random moments of a run, then check what readers see and that the next run succeeds.

    python -m bench.kill_runs [--kills 20]

In a private outputs folder and DAGSTER_HOME, with the Dagster UI (`make ui`, pipelines.ui)
serving the same instance: each round starts `python -m pipelines.run --rebuild` (every step
runs: the inputs do not change between rounds), kills it with SIGKILL at a random moment (a
quarter of the rounds at a chosen point of the publication: during the copy, at the switch, just
after it), checks that one whole release is visible (warehouse, Parquet, charts and quality
report from the same release, readable), then runs once more, alternately from `make run`'s
entry point and from the UI through GraphQL (with the rebuild tag), which must succeed although
the killed run is still recorded as started. Prints one line per round and the counts. Not a
test: it takes about half an hour.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]  # the tests import their conftest

from pipelines.unchanged import REBUILD_TAG  # noqa: E402
from tests.test_release import KILL_AT, whole_release  # noqa: E402
from tests.test_ui import free_port, graphql  # noqa: E402

POINTS = ["copy", "switch", "after_switch"]


def ui_run(port: int) -> str:
    repos = graphql(port, """{ repositoriesOrError { ... on RepositoryConnection { nodes {
        name location { name } jobs { name } } } } }""")["repositoriesOrError"]["nodes"]
    repo = next(r for r in repos if any(j["name"] == "full_refresh" for j in r["jobs"]))
    launched = graphql(port, """mutation($params: ExecutionParams!) { launchRun(executionParams:
        $params) { __typename ... on LaunchRunSuccess { run { runId } } } }""", {"params": {
        "selector": {"repositoryLocationName": repo["location"]["name"],
                     "repositoryName": repo["name"], "jobName": "full_refresh"},
        "runConfigData": {}, "executionMetadata": {"tags": [{"key": REBUILD_TAG,
                                                             "value": "true"}]}}})["launchRun"]
    run_id = launched["run"]["runId"]
    started = time.monotonic()
    while time.monotonic() - started < 600:
        status = graphql(port, """query($id: ID!) { runOrError(runId: $id) { ... on Run {
            status } } }""", {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        time.sleep(1)
    return "TIMEOUT"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="kill_runs_"))
    outputs, home = root / "outputs", root / "home"
    home.mkdir()
    shutil.copyfile(PROJECT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "SESAM_OUTPUTS": str(outputs), "DAGSTER_HOME": str(home),
           "PYTHONPATH": str(PROJECT)}

    def make_run() -> int:
        return subprocess.run([sys.executable, "-m", "pipelines.run", "--rebuild"], cwd=PROJECT,
                              env=env, capture_output=True, text=True, timeout=900).returncode

    assert make_run() == 0, "the first run failed"
    started = time.monotonic()
    assert make_run() == 0, "the second run failed"
    duration = time.monotonic() - started  # a run on a set-up folder: what the kills interrupt
    port = free_port()
    ui = subprocess.Popen([sys.executable, "-m", "pipelines.ui", "--port", str(port),
                           "--files-port", str(free_port())],
                          cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)
    counts = {"kills": 0, "whole_release": 0, "old_visible": 0, "new_visible": 0,
              "next_make_run_ok": 0, "next_ui_run_ok": 0}
    try:
        while True:
            try:
                graphql(port, "{ version }")
                break
            except OSError:
                time.sleep(1)
        for i in range(args.kills):
            before = whole_release(outputs)
            point = POINTS[i // 4 % len(POINTS)] if i % 4 == 3 else None
            if point:
                run = subprocess.Popen([sys.executable, "-c", KILL_AT, point], cwd=PROJECT,
                                       env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
                run.wait(timeout=900)
                moment = f"at {point}"
            else:
                while True:  # a run that ends before its kill is no kill: draw again
                    run = subprocess.Popen([sys.executable, "-m", "pipelines.run", "--rebuild"],
                                           cwd=PROJECT, env=env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                    delay = rng.uniform(1.0, duration * 0.95)
                    time.sleep(delay)
                    run.send_signal(signal.SIGKILL)
                    run.wait(timeout=60)
                    if run.returncode == -signal.SIGKILL:
                        break
                    before = whole_release(outputs)
                moment = f"after {delay:.1f} s"
            killed = run.returncode == -signal.SIGKILL
            counts["kills"] += killed
            try:
                after = whole_release(outputs)
                counts["whole_release"] += 1
                counts["old_visible" if after == before else "new_visible"] += 1
                seen = "old" if after == before else "new"
            except AssertionError as exc:
                seen = f"NOT WHOLE: {exc}"
            if i % 2 == 0:
                ok = make_run() == 0
                counts["next_make_run_ok"] += ok
                via = "make run"
            else:
                ok = ui_run(port) == "SUCCESS"
                counts["next_ui_run_ok"] += ok
                via = "UI"
            print(f"round {i + 1:2}: killed {moment} ({'SIGKILL' if killed else run.returncode}),"
                  f" {seen} release visible, next run from {via}: {'ok' if ok else 'FAILED'}",
                  flush=True)
    finally:
        for sig in (signal.SIGINT, signal.SIGKILL):
            try:
                os.killpg(ui.pid, sig)
                ui.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
    print(", ".join(f"{k} {v}" for k, v in counts.items()))
    shutil.rmtree(root, ignore_errors=True)
    ok = counts["whole_release"] == args.kills == counts["next_make_run_ok"] + counts[
        "next_ui_run_ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
