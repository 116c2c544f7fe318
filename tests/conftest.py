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


@pytest.fixture
def sources_copy(tmp_path) -> Path:
    """A private copy of sources/ that a test may break without touching the real one."""
    target = tmp_path / "sources"
    shutil.copytree(PROJECT / "sources", target,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target
