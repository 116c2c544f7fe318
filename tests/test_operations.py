"""Jobs, schedule and sensor; the asset keys snapshot that catches an accidental rename."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import yaml

from pipelines.operations import new_documents_evaluation

SNAPSHOT = Path(__file__).resolve().parent / "asset_keys.txt"


def test_asset_keys_match_the_snapshot():
    from pipelines.definitions import defs

    keys = sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
    assert keys == SNAPSHOT.read_text().split(), (
        "asset keys changed; if on purpose, update tests/asset_keys.txt")


def test_jobs_and_schedule():
    from dagster import DefaultScheduleStatus

    from pipelines.definitions import defs

    publication = defs.resolve_job_def("publication_only")
    selected = {k.to_user_string() for k in publication.asset_layer.selected_asset_keys}
    assert "release" in selected and "observations" not in selected
    schedule = defs.resolve_schedule_def("yearly_refresh")
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    assert schedule.job_name == "full_refresh"


def test_sensor_asks_for_a_register_then_requests_a_run(sources_copy):
    _, _, cursor = new_documents_evaluation(sources_copy, None)
    source = next((sources_copy / "documents").glob("003_*.txt"))
    copy = sources_copy / "documents" / "005_next_year.txt"
    shutil.copyfile(source, copy)
    requests, messages, cursor = new_documents_evaluation(sources_copy, cursor)
    assert not requests and any("005_next_year.txt" in m and "no entry" in m for m in messages)

    catalogue = yaml.safe_load((sources_copy / "documents.yaml").read_text())
    catalogue["documents"].append({"id": "005", "file": copy.name, "title": "t", "publisher": "p",
                                   "period_covered": "2025", "kind": "annual_report",
                                   "language": "fr", "published": "2026",
                                   "sha256": hashlib.sha256(copy.read_bytes()).hexdigest()})
    (sources_copy / "documents.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True))
    requests, messages, cursor = new_documents_evaluation(sources_copy, cursor)
    assert not requests and any("make candidates DOC=005" in m for m in messages)

    register = yaml.safe_load((sources_copy / "figures" / "003.yaml").read_text())
    register["document"] = "005"
    (sources_copy / "figures" / "005.yaml").write_text(yaml.safe_dump(register, allow_unicode=True))
    requests, messages, cursor = new_documents_evaluation(sources_copy, cursor)
    assert len(requests) == 1 and requests[0].tags["documents"] == "005"
    requests, _, _ = new_documents_evaluation(sources_copy, cursor)
    assert requests == []


def test_candidates_list_every_unaccounted_number_parsed(sources_copy):
    from sources.candidates import candidates

    (sources_copy / "figures" / "003.yaml").unlink()
    draft = candidates("003", sources_copy)
    by_line = {(f["line"], f.get("number")): f for f in draft["figures"]}
    assert by_line[(8, "242 454")]["value"] == 242454
    from sources.register import Catalogues

    known = Catalogues(sources_copy).indicators
    assert all(f["todo"] == "confirm" and f["indicator"] in known
               or f["todo"] == "classify" and f["indicator"] is None for f in draft["figures"])
    assert len(draft["figures"]) == 29  # every number of 003 not dismissed automatically
