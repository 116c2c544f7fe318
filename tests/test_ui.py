"""The Dagster UI for real: webserver on 127.0.0.1, GraphQL queries, a run launched and finished."""
from __future__ import annotations

import json
import os
import re
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
    """`make ui` (pipelines.ui) on 127.0.0.1 over a copy of the session's publication, with its own
    DAGSTER_HOME; every process stopped after."""
    from conftest import copy_published

    outputs, home = copy_published(published_folder, tmp_path)
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "SESAM_OUTPUTS": str(outputs),
           "PYTHONPATH": str(PROJECT)}
    log = open(tmp_path / "dagster.log", "w")
    files_port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.ui", "--host", "127.0.0.1", "--port", str(port),
         "--files-port", str(files_port)],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2)
                # the webserver answers before its code location is loaded: wait for that too
                entries = graphql(port, """{ workspaceOrError { ... on Workspace {
                    locationEntries { loadStatus } } } }""")["workspaceOrError"]["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "dagster.log").read_text()
            assert time.monotonic() - started < 120, "webserver did not start in 120 s"
            time.sleep(0.5)
        yield port, time.monotonic() - started, home, files_port
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
            os.killpg(proc.pid, signal.SIGKILL)  # children left behind (webserver, daemon)
        except ProcessLookupError:
            pass
        log.close()


def test_ui_serves_assets_checks_jobs_and_runs_the_full_job(webserver):
    from pipelines.unchanged import REBUILD_TAG

    port, startup, home, files_port = webserver
    print(f"webserver served after {startup:.1f} s")
    nodes = graphql(port, """{ assetNodes { assetKey { path } groupName description
        assetChecksOrError { ... on AssetChecks { checks { name } } } } }""")["assetNodes"]
    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
    expected = set((Path(__file__).parent / "asset_keys.txt").read_text().split())
    assert keys == expected
    assert all(n["groupName"] and n["description"] for n in nodes)
    checks = {c["name"] for n in nodes for c in n["assetChecksOrError"].get("checks", [])}
    assert {"observations_suite", "sums_and_shares_findings", "series_suite"} <= checks

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
        "jobName": "full_refresh"}, "runConfigData": {}, "executionMetadata": {"tags": [
            {"key": REBUILD_TAG, "value": "true"}]}}})["launchRun"]  # every step: nothing changed
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
    published_tables_and_links(port, files_port)
    log = (home.parent / "dagster.log").read_text()
    assert "superseded" not in log and "dg dev" not in log


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


TABLE_QUERY = """{ assetNodes { assetKey { path } assetMaterializations(limit: 1) { metadataEntries {
    label __typename
    ... on TableSchemaMetadataEntry { schema { columns { name type description } } }
    ... on TableColumnLineageMetadataEntry { lineage { columnName columnDeps { assetKey { path }
        columnName } } }
    ... on UrlMetadataEntry { url } } } } }"""
CHECK_QUERY = """{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks {
    name executionForLatestMaterialization { status evaluation { severity metadataEntries {
    label __typename ... on TableMetadataEntry { table { records schema { columns { name } } } }
    } } } } } } } }"""

FRESHNESS_QUERY = """{ assetNodes { assetKey { path } internalFreshnessPolicy {
    ... on TimeWindowFreshnessPolicy { failWindowSeconds warnWindowSeconds } }
    freshnessStatusInfo { freshnessStatus } } }"""


def published_tables_and_links(port: int, files_port: int) -> None:
    """Every published table is an asset with SQL-typed, described columns; findings checks
    report a table; the links of the metadata open the files of the release."""
    from pipelines.assets import PUBLISHED_TABLES

    nodes = {"/".join(n["assetKey"]["path"]): n for n in graphql(port, TABLE_QUERY)["assetNodes"]}
    for table in PUBLISHED_TABLES + ["data_dictionary"]:
        assert table in nodes, table
        entries = nodes[table]["assetMaterializations"][0]["metadataEntries"]
        schema = next(e for e in entries if e["label"] == "dagster/column_schema")["schema"]
        assert schema["columns"], table
        for column in schema["columns"]:
            assert column["type"].split("(")[0] in {"VARCHAR", "DOUBLE", "BIGINT", "INTEGER",
                                                    "BOOLEAN", "DATE"}, (table, column)
            assert column["description"], (table, column["name"])
            assert "<" not in column["description"], (table, column["name"])  # read as HTML
    lineage = next(e for e in nodes["series"]["assetMaterializations"][0]["metadataEntries"]
                   if e["label"] == "dagster/column_lineage")["lineage"]
    assert {"observations"} == {d["assetKey"]["path"][0] for c in lineage for d in c["columnDeps"]}
    links = [e["url"] for n in ("release", "quality_report", "chart_disabled_staff_employment_rate")
             for e in nodes[n]["assetMaterializations"][0]["metadataEntries"]
             if e["__typename"] == "UrlMetadataEntry"]
    assert links and all(u.startswith(f"http://127.0.0.1:{files_port}/") for u in links)
    for url in links:
        with urllib.request.urlopen(url.split("#")[0], timeout=10) as response:
            assert response.status == 200, url

    checks = {c["name"]: c for n in graphql(port, CHECK_QUERY)["assetNodes"]
              for c in (n["assetChecksOrError"].get("checks") or [])}
    sums = checks["sums_and_shares_findings"]["executionForLatestMaterialization"]["evaluation"]
    assert sums["severity"] == "WARN"
    table = next(e for e in sums["metadataEntries"] if e["label"] == "table")["table"]
    assert {c["name"] for c in table["schema"]["columns"]} == {
        "rule", "indicator", "period", "stated", "computed", "unit", "where", "quote"}
    assert table["records"]

    for name in ("sums_and_shares_findings", "changes_and_ratios_findings"):
        evaluation = checks[name]["executionForLatestMaterialization"]["evaluation"]
        records = next(e for e in evaluation["metadataEntries"] if e["label"] == "table")[
            "table"]["records"]
        for record in map(json.loads, records):  # one number format: 1 746 510 000, -3,4
            for field in ("stated", "computed"):
                assert re.fullmatch(r"-?\d{1,3}(\u202f\d{3})*(,\d+)?", record[field]), record
            assert re.fullmatch(r"\d{3}:\d+", record["where"]) and record["quote"], record

    fresh = {"/".join(n["assetKey"]["path"]): n for n in graphql(port, FRESHNESS_QUERY)["assetNodes"]
             if n["internalFreshnessPolicy"]}
    assert {"documents", "observations", "observation_breakdowns", "consistency_rules",
            "register_lint", "official_values"} == set(fresh)
    for node in fresh.values():
        assert node["internalFreshnessPolicy"]["failWindowSeconds"] == 400 * 86400
        # just materialised: fresh, or not yet evaluated by the daemon; never late
        assert node["freshnessStatusInfo"]["freshnessStatus"] in ("HEALTHY", "UNKNOWN"), node
