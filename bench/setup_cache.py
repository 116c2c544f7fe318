"""Set-up from the lock file on an empty uv cache against a warm one.

    python -m bench.setup_cache

Creates two throw-away virtual environments with `uv sync --frozen`: the first with an empty
cache (every wheel downloaded from the package index), the second reusing that cache.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def sync(cache: Path, venv: Path) -> float:
    env = {**os.environ, "UV_CACHE_DIR": str(cache), "UV_PROJECT_ENVIRONMENT": str(venv)}
    start = time.perf_counter()
    subprocess.run([str(PROJECT / ".venv" / "bin" / "uv"), "sync", "--frozen", "--quiet"],
                   cwd=PROJECT, env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cold = sync(cache, Path(tmp) / "venv-cold")
        warm = sync(cache, Path(tmp) / "venv-warm")
        shutil.rmtree(cache, ignore_errors=True)
    print(f"uv sync, empty cache: {cold:6.1f} s")
    print(f"uv sync, warm cache:  {warm:6.1f} s   = {cold / warm:.1f} x faster")


if __name__ == "__main__":
    main()
