"""Faults: full disk, unwritable outputs, fuzzed input, hostile text, bad paths (killed runs and
publication are in test_release.py)."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.numbers import NumberFormatError, parse_digits, pick_number
from sources.register import FIGURE_KEYS, Catalogues, RegisterError, _figure, load_all, read_yaml

PROJECT = Path(__file__).resolve().parent.parent


def published_state(outputs: Path) -> dict:
    """Bytes of every published file, after checking each one reads completely."""
    state = {"warehouse.duckdb": (outputs / "warehouse.duckdb").read_bytes()}
    with duckdb.connect(str(outputs / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM series").fetchone()[0] > 0
    for name in ("parquet", "charts", "quality"):
        root = (outputs / name).resolve()
        for path in root.rglob("*"):
            if path.is_file():
                state[f"{name}/{path.relative_to(root)}"] = path.read_bytes()
    for path in (outputs / "parquet").glob("*.parquet"):
        pd.read_parquet(path)
    return state


def test_full_disk_fails_clearly_and_keeps_the_publication(published_folder, tmp_path,
                                                           monkeypatch):
    from conftest import copy_published
    from pipelines.definitions import build_definitions
    from pipelines.unchanged import REBUILD_TAG

    outputs, _ = copy_published(published_folder, tmp_path)
    before = published_state(outputs)

    def no_space(self, path, *args, **kwargs):
        Path(path).write_bytes(b"PAR1 partial")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_space)
    result = build_definitions(outputs).resolve_job_def("full_refresh").execute_in_process(
        raise_on_error=False, tags={REBUILD_TAG: "true"})  # every step: nothing changed
    assert not result.success
    message = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "No space left on device" in message and "nothing published before was changed" in message
    assert published_state(outputs) == before
    assert not list((outputs / "build" / "stage" / "parquet").glob(".*.tmp"))


def test_unwritable_outputs_folder_is_refused_before_anything_runs(tmp_path):
    blocker = tmp_path / "outputs"
    blocker.write_text("a file where the outputs folder should be")
    env = {**os.environ, "SESAM_OUTPUTS": str(blocker), "DAGSTER_HOME": str(tmp_path),
           "PYTHONPATH": str(PROJECT)}
    run = subprocess.run([sys.executable, "-m", "pipelines.run"], cwd=PROJECT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert f"the outputs folder {blocker} is not writable" in run.stderr
    assert blocker.read_text() == "a file where the outputs folder should be"


@given(st.text(max_size=40), st.sampled_from([",", "."]))
def test_parse_digits_gives_a_value_or_a_clear_error(text, decimal):
    try:
        value = parse_digits(text, decimal)
    except NumberFormatError:
        return
    assert value == value  # a real number, never NaN
    assert any(c.isdigit() for c in text)


@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=8)))
def test_pick_number_gives_one_number_or_a_clear_error(quote, number):
    try:
        token = pick_number(quote, number)
    except NumberFormatError:
        return
    assert quote[token.start:token.end] == token.text


CATALOGUES = Catalogues()
LINES = CATALOGUES.document_lines("003")
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 30), st.floats(allow_nan=True),
                   st.text(max_size=20), st.sampled_from(LINES[7:8] + ["242 454", "2023",
                   "arr_ai_beneficiaries", "percent_change", "BE", "target"]),
                   st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=5),
                                                                        st.text(max_size=5),
                                                                        max_size=2))
ENTRIES = st.dictionaries(st.sampled_from(sorted(FIGURE_KEYS) + ["bogus"]), VALUES, max_size=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(ENTRIES)
def test_register_entry_gives_a_checked_figure_or_a_clear_error(entry):
    try:
        fig = _figure(Path("fuzz.yaml"), 0, entry, "003", LINES, CATALOGUES)
    except RegisterError as exc:
        assert "fuzz.yaml" in str(exc)
        return
    assert fig["quote"] in LINES[fig["line"] - 1]
    token = pick_number(fig["quote"], entry.get("number") and str(entry["number"]),
                        entry.get("decimal_separator", ","))
    expected = token.scaled_value * entry.get("scale", 1) * (-1 if entry.get("negate") else 1)
    assert fig["value"] == pytest.approx(expected)


@given(st.text(max_size=200))
def test_any_yaml_text_loads_or_gives_a_clear_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("yaml") / "register.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        read_yaml(path)
    except RegisterError as exc:
        assert str(path) in str(exc)


def test_yaml_is_loaded_safely(sources_copy):
    path = sources_copy / "figures" / "003.yaml"
    path.write_text("document: !!python/object/apply:os.system ['echo owned']\n")
    with pytest.raises(RegisterError, match="not valid YAML"):
        load_all(sources_copy)


@pytest.mark.parametrize("bad_id", ["../000", "/etc/passwd", "a b"])
def test_document_ids_cannot_name_paths(sources_copy, bad_id):
    path = sources_copy / "documents.yaml"
    data = yaml.safe_load(path.read_text())
    data["documents"][0]["id"] = bad_id
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(RegisterError, match="invalid document id"):
        Catalogues(sources_copy).documents


HOSTILE = "<script>alert('x')</script> & <img src=x onerror=alert(1)>"


def test_html_outputs_escape_text_from_documents():
    from publication.gallery import gallery_html
    from publication.quality_report import render_report

    finding = {"finding_id": "f", "rule": "equal", "severity": "WARN", "message": HOSTILE,
               "expected": 1.0, "actual": 2.0, "difference": 1.0, "tolerance": 0.0,
               "observation_id": "x", "role": HOSTILE, "document_id": "003",
               "document_sha256": "0", "line": 1, "quote": HOSTILE, "value": 1.0,
               "declared_at": HOSTILE}
    html = render_report(pd.DataFrame([finding]),
                         pd.DataFrame([{"document_id": "003", "title": HOSTILE}]),
                         pd.DataFrame([{"document_id": "003", "registered": HOSTILE}]))
    texts = {"title": HOSTILE, "alt": HOSTILE, "subtitle": HOSTILE, "source": HOSTILE}
    chart = {"chart_id": "c", "family": "other", "texts": {"fr": texts, "nl": texts},
             "files": {k: HOSTILE for k in ("png_fr", "png_nl", "svg_fr", "svg_nl", "alt_fr",
                                             "alt_nl", "csv")}}
    for page in (html, gallery_html([chart])):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_ui_binds_to_loopback_unless_told_otherwise():
    dry = subprocess.run(["make", "-n", "ui"], cwd=PROJECT, capture_output=True, text=True)
    assert "--host 127.0.0.1" in dry.stdout
    other = subprocess.run(["make", "-n", "ui", "HOST=0.0.0.0"], cwd=PROJECT,
                           capture_output=True, text=True)
    assert "--host 0.0.0.0" in other.stdout
