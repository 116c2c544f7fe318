"""Researchers never see a lock or a half-written warehouse, even while `make run` publishes."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
READER = r"""
import sys, time, duckdb
path, stop, expected = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
reads = errors = incomplete = 0
import os
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
            n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
            m = con.execute("SELECT count(*) FROM series").fetchone()[0]
        reads += 1
        if not expected <= tables or n == 0 or m == 0:
            incomplete += 1
    except Exception as exc:
        errors += 1
        print(repr(exc), file=sys.stderr)
    time.sleep(0.02)
print(reads, errors, incomplete)
"""


def run_pipeline(env: dict, job: tuple = ("--job", "publication_only")) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.run", *job], cwd=PROJECT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_reader_sees_only_complete_databases_while_two_runs_publish(published_folder, tmp_path):
    from conftest import copy_published

    outputs, home = copy_published(published_folder, tmp_path)
    env = {**os.environ, "SESAM_OUTPUTS": str(outputs), "DAGSTER_HOME": str(home),
           "PYTHONPATH": str(PROJECT)}
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        expected = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}

    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(outputs / "warehouse.duckdb"),
                               str(stop), ",".join(sorted(expected))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = run_pipeline(env)
    time.sleep(1.0)
    third = run_pipeline(env)  # started while the second runs: waits, then succeeds
    out2, out3 = second.communicate(timeout=300)[0], third.communicate(timeout=300)[0]
    stop.write_text("")
    reads, errors, incomplete = map(int, reader.communicate(timeout=60)[0].split())
    print(f"reader during two runs: {reads} reads, {errors} errors, {incomplete} incomplete")
    assert second.returncode == 0, out2
    assert third.returncode == 0, out3
    assert "waiting for it to finish" in out2 + out3
    assert reads > 20 and errors == 0 and incomplete == 0, (reads, errors, incomplete)
