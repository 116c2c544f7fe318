"""Full materialisation against the import floor, and re-materialisation after one register change.

    python -m bench.run_vs_floor

Prints, measured in this one run:
- floor: a process that only imports dagster, duckdb, pandas, pyarrow, matplotlib and
  great_expectations;
- full: `python -m pipelines.run` (every asset, every check) into a temporary outputs folder;
- after one register change: the same command once a register file was edited (a comment),
  which re-reads every register but redraws no chart whose data did not change;
and the ratios full / floor and after-change / full.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FLOOR = "import dagster, duckdb, pandas, pyarrow, matplotlib, great_expectations"


def timed(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        shutil.copyfile(PROJECT / "dagster.yaml", home / "dagster.yaml")
        sources = Path(tmp) / "sources"
        shutil.copytree(PROJECT / "sources", sources)
        env = {**os.environ, "DAGSTER_HOME": str(home), "SESAM_OUTPUTS": str(Path(tmp) / "out"),
               "SESAM_SOURCES": str(sources), "PYTHONPATH": str(PROJECT)}
        floor = timed([sys.executable, "-c", FLOOR], env)
        full = timed([sys.executable, "-m", "pipelines.run"], env)
        register = sorted((sources / "figures").glob("*.yaml"))[0]
        register.write_text(register.read_text(encoding="utf-8") + "\n# edited\n",
                            encoding="utf-8")
        again = timed([sys.executable, "-m", "pipelines.run"], env)
    print(f"import floor:                 {floor:6.2f} s")
    print(f"full materialisation:         {full:6.2f} s   = {full / floor:.2f} x floor")
    print(f"after one register changed:   {again:6.2f} s   = {again / full:.2f} x full run")


if __name__ == "__main__":
    main()
