"""Full materialisation against the import floor, and re-materialisation after one register change.

    python -m bench.run_vs_floor

Prints, measured in this one run:
- floor: a process that only imports dagster, duckdb, pandas, pyarrow, matplotlib and
  great_expectations;
- full: `python -m pipelines.run` (every asset, every check) into a temporary outputs folder;
- after a comment was added to one register: the same command again; what the registers say
  did not change, so the run checks that and skips every step after its first ones
  (pipelines/unchanged.py);
- after one figure's note was changed in that register: the same command again, which reads
  that register again, validates and derives every table again and redraws no chart whose data
  did not change;
and the ratios full / floor and after-change / full.
"""
from __future__ import annotations

import os
import re
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
        text = register.read_text(encoding="utf-8") + "\n# edited\n"
        register.write_text(text, encoding="utf-8")
        comment = timed([sys.executable, "-m", "pipelines.run"], env)
        edited = re.sub(r"^(  note: )(?=[A-Za-z])", r"\1Edited. ", text, count=1, flags=re.M)
        assert edited != text, f"{register.name}: no plain note to edit"
        register.write_text(edited, encoding="utf-8")
        figure = timed([sys.executable, "-m", "pipelines.run"], env)
    print(f"import floor:                          {floor:6.2f} s")
    print(f"full materialisation:                  {full:6.2f} s   = {full / floor:.2f} x floor")
    print(f"after a comment added to one register: {comment:6.2f} s   = {comment / full:.2f} x "
          f"full run (nothing it says changed: steps skipped)")
    print(f"after one figure's note changed:       {figure:6.2f} s   = {figure / full:.2f} x "
          f"full run")


if __name__ == "__main__":
    main()
