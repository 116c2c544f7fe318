"""Shared fixtures: one in-process materialisation of every asset into a temporary folder."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def materialized(tmp_path_factory):
    """Run the full_refresh job once, in process, writing under a temporary outputs folder."""
    from pipelines.definitions import build_definitions

    outputs = tmp_path_factory.mktemp("outputs")
    defs = build_definitions(outputs)
    result = defs.resolve_job_def("full_refresh").execute_in_process(raise_on_error=False)
    return outputs, result


@pytest.fixture(scope="module")
def warehouse(materialized):
    """The session's build database, read-only, for tests that query its tables."""
    import duckdb

    outputs, result = materialized
    assert result.success
    con = duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def published_folder(materialized, tmp_path_factory):
    """The session's publication as `make run` leaves it: outputs (a whole release, the build
    database, drawn charts) and a DAGSTER_HOME, for tests that start runs of their own; each test
    copies it with `copy_published`."""
    outputs, result = materialized
    assert result.success
    home = tmp_path_factory.mktemp("published_home")
    (home / "dagster.yaml").write_text((PROJECT / "dagster.yaml").read_text())
    return outputs, home


def copy_published(published_folder, target: Path) -> tuple[Path, Path]:
    """A private copy of the published outputs and of the instance, to run and break."""
    outputs, home = published_folder
    shutil.copytree(outputs, target / "outputs", symlinks=True)
    shutil.copytree(home, target / "home")
    return target / "outputs", target / "home"


@pytest.fixture
def sources_copy(tmp_path) -> Path:
    """A private copy of sources/ that a test may break without touching the real one."""
    target = tmp_path / "sources"
    shutil.copytree(PROJECT / "sources", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target
