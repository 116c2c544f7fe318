"""The team instance (deploy/team/dagster.yaml): runs, event logs and schedules in a real PostgreSQL
server; a full run recorded there is read back, with its check results, by another process."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import PROJECT, copy_published

TEAM_YAML = PROJECT / "deploy" / "team" / "dagster.yaml"


def server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parts[-3]))
    if not found:
        pytest.fail("PostgreSQL server not installed: `make test` installs Debian's postgresql")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own: temporary data directory, 127.0.0.1 and a free port, no
    Unix socket. Root may not run the server, so it runs as the `postgres` user then."""
    bin_dir = server_binaries()
    data = Path(tempfile.mkdtemp(prefix="sesam_pg_"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(data, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True,  # noqa: E731
                                      text=True, timeout=120)
    run(str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "sesam", "--auth=trust",
        "-E", "UTF8", "--no-instructions")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories=''"
    run(str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options, "-l",
        str(data / "server.log"), "-w", "start")
    try:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user="sesam", dbname="postgres")
        con.autocommit = True  # CREATE DATABASE runs outside a transaction
        con.cursor().execute("CREATE DATABASE sesam_dagster")
        con.close()
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port),
               "DAGSTER_PG_DB": "sesam_dagster", "DAGSTER_PG_USER": "sesam",
               "DAGSTER_PG_PASSWORD": "unused-with-trust"}
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast",
                        "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(data, ignore_errors=True)


def test_full_run_on_the_team_instance_is_read_back_from_postgresql(
        postgres, published_folder, tmp_path, monkeypatch):
    outputs, home = copy_published(published_folder, tmp_path)
    shutil.copy(TEAM_YAML, home / "dagster.yaml")
    env = {**os.environ, **postgres, "SESAM_OUTPUTS": str(outputs), "DAGSTER_HOME": str(home),
           "PYTHONPATH": str(PROJECT)}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pipelines.run", "--rebuild"], cwd=PROJECT,
                         env=env, capture_output=True, text=True, timeout=600)
    print(f"full run on the PostgreSQL instance: {time.monotonic() - started:.1f} s")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]

    # Read back in this process, as a second user's webserver would.
    for name, value in postgres.items():
        monkeypatch.setenv(name, value)
    from dagster import (AssetCheckKey, AssetKey, DagsterEventType, DagsterInstance,
                         DagsterRunStatus)
    from dagster_postgres import (PostgresEventLogStorage, PostgresRunStorage,
                                  PostgresScheduleStorage)

    with DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        runs = instance.get_runs()
        assert [(r.job_name, r.status) for r in runs] == [("full_refresh", DagsterRunStatus.SUCCESS)]
        run_id = runs[0].run_id
        evaluations = [r.event_log_entry.dagster_event.event_specific_data for r in
                       instance.get_records_for_run(
                           run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records]
        by_name = {e.check_name: e for e in evaluations}
        assert by_name["observations_suite"].passed
        sums = by_name["sums_and_shares_findings"]
        assert sums.severity.value == "WARN" and sums.metadata["table"].value.records
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [AssetCheckKey(AssetKey("observations"), "observations_suite")])
        assert next(iter(latest.values())).run_id == run_id
        materialised = instance.get_latest_materialization_event(AssetKey("release"))
        assert materialised.run_id == run_id
    # Nothing went to SQLite under DAGSTER_HOME: the history is in the server.
    assert not list(home.rglob("*.db"))
    import psycopg2

    with psycopg2.connect(host="127.0.0.1", port=int(postgres["DAGSTER_PG_PORT"]), user="sesam",
                          dbname="sesam_dagster") as con:
        cursor = con.cursor()
        cursor.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,))
        assert cursor.fetchone() == ("SUCCESS",)
        cursor.execute("SELECT count(*) FROM event_logs WHERE run_id = %s AND dagster_event_type"
                       " = 'ASSET_CHECK_EVALUATION'", (run_id,))
        assert cursor.fetchone()[0] == len(evaluations) >= 15
