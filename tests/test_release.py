"""One release visible at a time, runs that never block each other or the queue, and bad input
refused with one clear line naming the file and the entry."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from conftest import copy_published
from pipelines import guard
from publication.files import PUBLISHED

PROJECT = Path(__file__).resolve().parent.parent


def whole_release(outputs: Path) -> str:
    """The id of the one release readers see; fails unless the warehouse, the Parquet files, the
    charts and the quality report all come from it, complete."""
    current = Path(os.path.realpath(outputs / "current"))
    for name in PUBLISHED:
        assert Path(os.path.realpath(outputs / name)).parent == current, name
    manifest = json.loads((current / "RELEASE.json").read_text())
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert n == len(pd.read_parquet(outputs / "parquet" / "observations.parquet")) > 0
    assert (outputs / "charts" / "index.html").is_file()
    assert (outputs / "quality" / "report.html").is_file()
    return manifest["release"]


def run_env(outputs: Path, home: Path, **extra) -> dict:
    return {**os.environ, "SESAM_OUTPUTS": str(outputs), "DAGSTER_HOME": str(home),
            "PYTHONPATH": str(PROJECT), **extra}


PUBLISH = ["--job", "publication_only"]  # re-publish from the build database: the step that
# switches releases, without re-reading the documents


def make_run(outputs: Path, home: Path, job: list[str] = PUBLISH,
             timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.run", *job], cwd=PROJECT,
                          env=run_env(outputs, home), capture_output=True, text=True,
                          timeout=timeout)


# Kill the run with SIGKILL at a chosen point of the publication, from inside the run.
KILL_AT = """
import os, runpy, signal, sys
import publication.files as files
point = sys.argv[1]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if point == "switch":            # just before the rename that makes the release visible
    switch = files._switch
    files._switch = lambda link, to: die() if link.name == "current" else switch(link, to)
elif point == "after_switch":    # the release is visible, its links and pruning not done
    files._fixed_link = die
elif point == "copy":            # while the release is being copied (a full disk, a crash)
    files.shutil.copyfile = die
sys.argv = ["pipelines.run", "--job", "publication_only"]
runpy.run_module("pipelines.run", run_name="__main__")
"""


@pytest.mark.parametrize("point,visible", [("copy", "old"), ("switch", "old"),
                                           ("after_switch", "new")])
def test_a_run_killed_during_publication_leaves_one_whole_release_and_the_next_run_succeeds(
        published_folder, tmp_path, point, visible):
    outputs, home = copy_published(published_folder, tmp_path)
    before = whole_release(outputs)
    killed = subprocess.run([sys.executable, "-c", KILL_AT, point], cwd=PROJECT,
                            env=run_env(outputs, home), capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    after = whole_release(outputs)
    assert (after == before) == (visible == "old")
    rerun = make_run(outputs, home)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert whole_release(outputs) not in (before, after)
    assert not list((outputs / "releases").glob(".*.partial"))


def test_a_failed_publication_says_what_stays_visible(published_folder, tmp_path):
    outputs, home = copy_published(published_folder, tmp_path)
    before = whole_release(outputs)
    full_disk = """
import errno, os, runpy, sys
import publication.files as files
copyfile = files.shutil.copyfile
def no_space_for_the_database(src, dst, *args, **kwargs):
    if str(dst).endswith("warehouse.duckdb"):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return copyfile(src, dst, *args, **kwargs)
files.shutil.copyfile = no_space_for_the_database
sys.argv = ["pipelines.run", "--job", "publication_only"]
runpy.run_module("pipelines.run", run_name="__main__")
"""
    run = subprocess.run([sys.executable, "-c", full_disk], cwd=PROJECT,
                         env=run_env(outputs, home), capture_output=True, text=True, timeout=300)
    assert run.returncode == 1
    assert "No space left on device" in run.stderr and "nothing was switched" in run.stderr
    assert f"release {before}" in run.stderr.splitlines()[-1]
    assert whole_release(outputs) == before


def test_a_killed_run_is_marked_failed_and_does_not_block_the_next(published_folder, tmp_path):
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    outputs, home = copy_published(published_folder, tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "pipelines.run", *PUBLISH], cwd=PROJECT,
                           env=run_env(outputs, home, SESAM_LOG_LEVEL="DEBUG"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in run.stderr:
        if 'Started execution of step "parquet_files"' in line:
            os.kill(run.pid, signal.SIGKILL)
            break
    run.wait(timeout=60)
    with DagsterInstance.from_config(str(home)) as instance:
        ghosts = instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED]))
        assert len(ghosts) == 1 and guard.is_ghost(ghosts[0].tags)
        ghost_id = ghosts[0].run_id
    rerun = make_run(outputs, home)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"Run {ghost_id} was marked failed: its process is gone." in rerun.stdout
    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(ghost_id).status == DagsterRunStatus.FAILURE
        assert not instance.get_runs(filters=RunsFilter(statuses=[DagsterRunStatus.STARTED]))


PROBE = """
import sys, time
from dagster import asset, materialize
from pipelines.resources import BuildDatabase
@asset
def probe(duckdb: BuildDatabase):
    print("probe ran at", time.time(), flush=True)
materialize([probe], resources={"duckdb": BuildDatabase(database=sys.argv[1])})
"""


def test_every_run_waits_for_the_run_lock_not_only_make_run(tmp_path):
    outputs = tmp_path / "outputs"
    (outputs / "build").mkdir(parents=True)
    guard.acquire(outputs, "a test holding the lock")
    try:
        run = subprocess.Popen([sys.executable, "-c", PROBE, str(outputs / "build" / "w.duckdb")],
                               cwd=PROJECT, env=run_env(outputs, tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(8)
        assert run.poll() is None, run.stdout.read()  # waiting on the lock
        released = time.time()
    finally:
        guard.release(outputs)
    out = run.communicate(timeout=120)[0]
    assert run.returncode == 0, out
    assert "waiting for it to finish" in out and "a test holding the lock" in out
    ran = float(out.split("probe ran at ")[1].split()[0])
    assert ran >= released


def test_ghost_is_a_run_whose_process_is_gone():
    alive = guard.process_tags()
    assert not guard.is_ghost(alive)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = {**alive, guard.PID_TAG: str(child.pid),
            guard.START_TAG: guard.process_start(os.getpid())}
    assert guard.is_ghost(dead)
    reused = {**alive, guard.START_TAG: "1"}  # same pid, another process
    assert guard.is_ghost(reused)
    elsewhere = {**dead, guard.HOST_TAG: "another-machine"}
    assert not guard.is_ghost(elsewhere)


# Bad input: each refused with one line naming the file and the entry, nothing published.
def _set_first_figure(path: Path, value):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["figures"][2] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _break_catalogue_label(sources: Path):
    path = sources / "indicators" / "core.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"][0].pop("label")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _document(sources: Path) -> Path:
    return next((sources / "documents").glob("003_*.txt"))


def _replace_document(sources: Path, data: bytes):
    """New bytes for document 003, with the catalogue's checksum updated to match them."""
    import hashlib

    old = hashlib.sha256(_document(sources).read_bytes()).hexdigest()
    _document(sources).write_bytes(data)
    catalogue = sources / "documents.yaml"
    catalogue.write_text(catalogue.read_text().replace(old, hashlib.sha256(data).hexdigest()))


BAD = {
    "changed document": (lambda s: _document(s).write_bytes(
        _document(s).read_bytes().replace(b"242 454", b"242 455")),
        r"document 003 \(003_\w+\.txt\) has been modified"),
    "missing document": (lambda s: _document(s).unlink(), r"document 003: file .* is missing"),
    "document not UTF-8": (lambda s: _replace_document(s, b"\xff\xfe" + b"x" * 10),
                           r"document 003 \(.*003_\w+\.txt\): not UTF-8 text"),
    "catalogue file name leaving sources": (
        lambda s: (s / "documents.yaml").write_text((s / "documents.yaml").read_text().replace(
            "file: 003_bc6ea9325629a296.txt", "file: ../../etc/passwd")),
        r"documents.yaml:\d+: documents entry 4: file must be a plain file name"),
    "register not UTF-8": (lambda s: (s / "figures" / "003.yaml").write_bytes(
        (s / "figures" / "003.yaml").read_bytes().replace("à".encode(), b"\xe0")),
        r"003.yaml: not UTF-8 text"),
    "figure entry that is a string": (
        lambda s: _set_first_figure(s / "figures" / "003.yaml", "just a string"),
        r"003.yaml: figures entry 3: each figure must be a mapping"),
    "dismissal that is a bare number": (
        lambda s: (s / "figures" / "003.yaml").write_text(
            (s / "figures" / "003.yaml").read_text().replace(
                "dismissed:\n", "dismissed:\n- 42\n")),
        r"dismissed entry 1: each dismissal must be a mapping"),
    "occurrence in words": (
        lambda s: (s / "figures" / "003.yaml").write_text(
            (s / "figures" / "003.yaml").read_text().replace(
                "  number: '32'\n", "  number: '32'\n  occurrence: two\n", 1)),
        r"figures entry 1: occurrence must be a whole number"),
    "infinite value": (
        lambda s: (s / "figures" / "003.yaml").write_text(
            (s / "figures" / "003.yaml").read_text().replace(
                "  number: '32'\n", "  number: '32'\n  scale: 1.0e+308\n", 1)),
        r"figures entry 1: the value read, inf, is not a finite number"),
    "indicator without labels": (_break_catalogue_label, r"core.yaml:\d+: indicators entry 1: "
                                                         r"label needs fr, nl and en"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_fails_with_one_line_naming_file_and_entry(published_folder, sources_copy,
                                                             tmp_path, case):
    import re

    from pipelines.definitions import build_definitions
    from pipelines.run import cause

    change, message = BAD[case]
    change(sources_copy)
    outputs, _ = copy_published(published_folder, tmp_path)
    before = whole_release(outputs)
    result = build_definitions(outputs, sources_copy).resolve_job_def(
        "full_refresh").execute_in_process(raise_on_error=False)
    assert not result.success
    causes = {cause(e.event_specific_data.error) for e in result.get_step_failure_events()}
    assert len(causes) == 1, causes
    assert re.search(message, causes.pop())
    assert whole_release(outputs) == before


def test_make_run_prints_each_cause_once_without_traces(published_folder, sources_copy,
                                                         tmp_path):
    BAD["register not UTF-8"][0](sources_copy)
    outputs, home = copy_published(published_folder, tmp_path)
    env = run_env(outputs, home, SESAM_SOURCES=str(sources_copy))
    run = subprocess.run([sys.executable, "-m", "pipelines.run"], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    failed = [line for line in run.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and failed[0].startswith(
        f"FAILED (coverage, registers): {sources_copy}/figures/003.yaml: not UTF-8 text"
    ), failed
    assert "Stack Trace" not in run.stderr and "Traceback" not in run.stderr
    assert "nothing new was published; release" in run.stderr.splitlines()[-1]


def test_code_location_loads_when_the_catalogue_is_broken(sources_copy):
    _break_catalogue_label(sources_copy)
    env = {**os.environ, "SESAM_SOURCES": str(sources_copy), "PYTHONPATH": str(PROJECT)}
    loaded = subprocess.run([sys.executable, "-c", "from pipelines.definitions import defs; "
                             "print(len(list(defs.assets)))"], cwd=PROJECT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
