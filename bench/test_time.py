"""The whole test suite's time, and its slowest tests.

    python -m bench.test_time [--slowest 20]

Runs `python -m pytest` as `make test` does (both cores, pytest-xdist) once, in a subprocess,
and prints: the wall time of the suite, the number of tests passed, the ratio to the 240 s
goal, and the slowest tests (call and setup phases) as a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GOAL_S = 240


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slowest", type=int, default=20)
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(PROJECT),
           "DAGSTER_HOME": os.environ.get("DAGSTER_HOME", str(PROJECT / ".dagster_home"))}
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--durations={args.slowest}"], cwd=PROJECT, env=env,
                         capture_output=True, text=True)
    wall = time.perf_counter() - started
    out = run.stdout
    summary = re.search(r"(\d+) passed(?:, (\d+) failed)?", out)
    passed = int(summary.group(1)) if summary else 0
    failed = int(summary.group(2) or 0) if summary else 0
    print(f"suite: {wall:.0f} s wall, {passed} passed, {failed} failed, exit {run.returncode}; "
          f"{wall / GOAL_S:.2f} x the {GOAL_S} s goal")
    print(f"\n| test (slowest {args.slowest}) | phase | s |\n|---|---|---:|")
    for seconds, phase, test in re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)$", out,
                                           flags=re.M):
        print(f"| `{test.removeprefix('tests/')}` | {phase} | {float(seconds):.1f} |")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
