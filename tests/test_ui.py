"""The Dagster UI for real: webserver on 127.0.0.1, GraphQL queries, a run launched and finished."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        data = json.loads(response.read())
    assert "errors" not in data, data
    return data["data"]


@pytest.fixture
def webserver(published_folder, tmp_path):
    """`dagster dev` on 127.0.0.1 over a copy of the session's publication, with its own
    DAGSTER_HOME; every process stopped after."""
    from conftest import copy_published

    outputs, home = copy_published(published_folder, tmp_path)
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "SESAM_OUTPUTS": str(outputs),
           "PYTHONPATH": str(PROJECT)}
    log = open(tmp_path / "dagster.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster"), "dev", "--host", "127.0.0.1",
         "--port", str(port), "-m", "pipelines.definitions"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "dagster.log").read_text()
                assert time.monotonic() - started < 120, "webserver did not start in 120 s"
                time.sleep(0.5)
        yield port, time.monotonic() - started, home
    finally:
        for sig, wait in ((signal.SIGINT, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # children left behind by dagster dev
        except ProcessLookupError:
            pass
        log.close()


def test_ui_serves_assets_checks_jobs_and_runs_the_full_job(webserver):
    port, startup, home = webserver
    print(f"webserver served after {startup:.1f} s")
    nodes = graphql(port, """{ assetNodes { assetKey { path } groupName description
        assetChecksOrError { ... on AssetChecks { checks { name } } } } }""")["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    expected = set((Path(__file__).parent / "asset_keys.txt").read_text().split())
    assert keys == expected
    assert all(n["groupName"] and n["description"] for n in nodes)
    checks = {c["name"] for n in nodes for c in n["assetChecksOrError"].get("checks", [])}
    assert {"observations_suite", "consistency", "series_suite"} <= checks

    repos = graphql(port, """{ repositoriesOrError { ... on RepositoryConnection { nodes {
        name location { name } jobs { name } } } } }""")["repositoriesOrError"]["nodes"]
    repo = next(r for r in repos if any(j["name"] == "full_refresh" for j in r["jobs"]))
    assert {"full_refresh", "publication_only"} <= {j["name"] for j in repo["jobs"]}

    # A run killed with kill -9 stays STARTED in the instance; with one run at a time it would
    # keep every later run QUEUED. The ghost_runs sensor marks it failed and the queue moves.
    ghost = plant_ghost_run(home)

    launched = graphql(port, """mutation($params: ExecutionParams!) { launchRun(executionParams:
        $params) { __typename ... on LaunchRunSuccess { run { runId } }
        ... on PythonError { message } } }""", {"params": {"selector": {
        "repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"],
        "jobName": "full_refresh"}, "runConfigData": {}}})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    started = time.monotonic()
    status = None
    while time.monotonic() - started < 300:
        status = graphql(port, """query($id: ID!) { runOrError(runId: $id) {
            ... on Run { status } } }""", {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    print(f"full run launched from the API finished in {time.monotonic() - started:.1f} s")
    assert status == "SUCCESS"
    from dagster import DagsterInstance, DagsterRunStatus

    from pipelines import guard

    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(ghost).status == DagsterRunStatus.FAILURE
        assert guard.PID_TAG in instance.get_run_by_id(run_id).tags  # it held the run lock


def plant_ghost_run(home: Path) -> str:
    """A run recorded as started by a process that no longer exists, as kill -9 leaves it."""
    from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

    from pipelines import guard

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    tags = {**guard.process_tags(), guard.PID_TAG: str(child.pid)}
    with DagsterInstance.from_config(str(home)) as instance:
        run = instance.add_run(DagsterRun(job_name="full_refresh", status=DagsterRunStatus.STARTED,
                                          tags=tags))
    return run.run_id
