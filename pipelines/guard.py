"""One run at a time, however it starts, and no ghost runs.

Every run holds `outputs/.run.lock` (an flock, released by the kernel when the process dies) from
the moment its resources start: `make run`, a run launched from the UI, the sensor or the schedule
all wait for the one before. Each run is tagged with its process id; a run whose process is gone
while Dagster still records it as started is a ghost, and is marked failed (at the start of every
run, by `make run`, and by the `ghost_runs` sensor), so the queue never stalls.
"""
from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

PID_TAG, START_TAG, HOST_TAG = "sesam/pid", "sesam/pid_started", "sesam/host"
_held: dict[str, list] = {}  # lock path -> [open file, how many holders in this process]


def process_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot), or None when there is no such process;
    a pid reused by another process has another start time."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def acquire(outputs: Path, holder: str, say=print) -> bool:
    """Hold the run lock of `outputs` (reentrant within a process); wait, saying who holds it,
    when another process does. True when this call took the lock, False when the process
    already held it."""
    path = str(Path(outputs) / ".run.lock")
    if path in _held:
        _held[path][1] += 1
        return False
    Path(outputs).mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        say(f"Another run is writing {outputs} ({fh.read().strip() or 'unknown'}); "
            f"waiting for it to finish...")
        fcntl.flock(fh, fcntl.LOCK_EX)
    fh.seek(0)
    fh.truncate()
    fh.write(f"{holder}, pid {os.getpid()}\n")
    fh.flush()
    _held[path] = [fh, 1]
    return True


def release(outputs: Path) -> None:
    path = str(Path(outputs) / ".run.lock")
    entry = _held.get(path)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] == 0:
        del _held[path]
        fcntl.flock(entry[0], fcntl.LOCK_UN)
        entry[0].close()


def process_tags() -> dict[str, str]:
    """The tags that let a later run tell whether this run's process is still alive."""
    pid = os.getpid()
    return {PID_TAG: str(pid), START_TAG: process_start(pid) or "", HOST_TAG: socket.gethostname()}


def is_ghost(tags: dict) -> bool:
    """A run whose process, on this host, is gone (or is now another process)."""
    if tags.get(HOST_TAG) != socket.gethostname() or not tags.get(PID_TAG, "").isdigit():
        return False
    return process_start(int(tags[PID_TAG])) != tags.get(START_TAG)


def reap_ghost_runs(instance, keep: str | None = None) -> list[str]:
    """Mark failed every run recorded as starting or started whose process is gone; returns
    their ids."""
    from dagster import DagsterRunStatus, RunsFilter

    reaped = []
    statuses = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
    for run in instance.get_runs(filters=RunsFilter(statuses=statuses)):
        if run.run_id != keep and is_ghost(run.tags):
            instance.report_run_failed(
                run, f"Marked failed: its process (pid {run.tags[PID_TAG]}) is gone; the run was "
                     f"killed before it could finish. Nothing it staged was published.")
            reaped.append(run.run_id)
    return reaped


def start_of_run(context, outputs: Path) -> None:
    """At the start of a run (resource set-up): take the lock, tag the run with its process and
    mark ghost runs failed."""
    run = getattr(context, "run", None)
    say = context.log.info if context.log else print
    first = acquire(outputs, f"run {run.run_id}" if run else "a run", say)
    instance = context.instance
    if instance is None or run is None:
        return
    if run.tags.get(PID_TAG) != str(os.getpid()):
        instance.add_run_tags(run.run_id, process_tags())
    if first:
        for run_id in reap_ghost_runs(instance, keep=run.run_id):
            say(f"run {run_id} was marked failed: its process is gone")
