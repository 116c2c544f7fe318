"""Shared fixtures: one in-process materialisation of every asset into a temporary folder, made
once per test session and shared by the pytest-xdist workers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent


def _materialize(outputs: Path):
    from pipelines.definitions import build_definitions

    defs = build_definitions(outputs)
    return defs.resolve_job_def("full_refresh").execute_in_process(raise_on_error=False)


class SharedResult:
    """The events of a run materialised by another worker, read back: what the tests ask of an
    in-process result (success, materialisations, check evaluations, step failures)."""

    def __init__(self, success: bool, events: list):
        self.success, self.all_events = success, events

    def get_asset_materialization_events(self):
        return [e for e in self.all_events if e.is_step_materialization]

    def get_asset_check_evaluations(self):
        return [e.event_specific_data for e in self.all_events
                if e.event_type_value == "ASSET_CHECK_EVALUATION"]

    def get_step_failure_events(self):
        return [e for e in self.all_events if e.is_step_failure]


@pytest.fixture(scope="session")
def materialized(tmp_path_factory, worker_id):
    """Run the full_refresh job once per session, in process, writing under a temporary outputs
    folder. Under pytest-xdist the first worker to need it runs it while the others wait, then
    read its events: tests only read these outputs (those that break something copy them)."""
    if worker_id == "master":
        outputs = tmp_path_factory.mktemp("outputs")
        return outputs, _materialize(outputs)
    from dagster._serdes import deserialize_value, serialize_value
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent
    outputs, record = shared / "outputs", shared / "materialized.json"
    with FileLock(str(shared / "materialized.lock")):
        if not record.is_file():
            outputs.mkdir()
            result = _materialize(outputs)
            record.write_text(serialize_value({"success": result.success,
                                               "events": list(result.all_events)}))
            return outputs, result
    made = deserialize_value(record.read_text())
    return outputs, SharedResult(made["success"], made["events"])


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


# The order in which the two workers take the test files (pytest-xdist --dist loadfile with
# --no-loadscope-reorder, pyproject.toml): the UI test first, so that the session's materialisation
# starts at once; while one worker materialises, the other runs the files that do not need it
# (and, in each file, the tests that do not need it come first); then the files that start real
# runs in subprocesses, longest first (`python -m bench.test_time` lists the slowest tests); then
# every other file, in collection order.
FILE_ORDER = ["test_ui.py", "test_intake.py", "test_register.py", "test_numbers.py",
              "test_lint.py", "test_operations.py", "test_bench.py", "test_faults.py",
              "test_places.py", "test_release.py", "test_team_instance.py", "test_concurrency.py",
              "test_open_data.py", "test_gallery.py", "test_pipeline.py", "test_notebooks.py"]


def pytest_collection_modifyitems(items):
    """Files in FILE_ORDER; in each file, the tests that do not need the session's
    materialisation first, the others in their own order."""
    missing = set(FILE_ORDER) - {p.name for p in Path(__file__).parent.glob("test_*.py")}
    if missing:
        raise pytest.UsageError(f"tests/conftest.py FILE_ORDER names no such file: {missing}")
    rank = {name: i for i, name in enumerate(FILE_ORDER)}
    items.sort(key=lambda item: (rank.get(item.path.name, len(FILE_ORDER)),
                                 "materialized" in item.fixturenames))
