"""Jobs, the yearly schedule and the sensor that picks up a new report."""
import hashlib
import json
from pathlib import Path

from dagster import (AssetSelection, DefaultScheduleStatus, DefaultSensorStatus, RunRequest,
                     ScheduleDefinition, SensorEvaluationContext, SensorResult, SkipReason,
                     define_asset_job, sensor)

from pipelines import guard
from pipelines.unchanged import REBUILD_TAG
from pipelines.resources import default_sources_dir
from sources.register import read_plain_yaml, register_document

full_refresh = define_asset_job(
    "full_refresh", selection=AssetSelection.all(),
    description="Re-read every document and register, validate, derive and publish everything.")
publication_only = define_asset_job(
    "publication_only", selection=AssetSelection.groups("publication"),
    description="Re-publish Parquet, charts, quality report and the read-only warehouse from the "
                "build database, without re-reading the documents.")
yearly_refresh = ScheduleDefinition(
    name="yearly_refresh", job=full_refresh, cron_schedule="0 6 1 7 *",
    execution_timezone="Europe/Brussels", default_status=DefaultScheduleStatus.STOPPED,
    tags={REBUILD_TAG: "true"},  # every step, even when nothing changed: the yearly re-reading
    description="Full refresh every 1 July, once the annual reports are out (off by default): "
                "every step runs, even when nothing changed since the last release.")


def scan_documents(root: Path) -> dict:
    """State of each document: `pdf_not_taken_in` (a PDF no catalogue entry stores),
    `uncatalogued` (a text with no catalogue entry), `draft` (an entry from make intake still
    marked todo), `no_register` (catalogued, no register yet), or a fingerprint of the document
    and its registers."""
    catalogue = read_plain_yaml(root / "documents.yaml")
    docs = {str(d["id"]): d for d in catalogue.get("documents", [])}
    registers: dict[str, list[Path]] = {}
    for path in sorted((root / "figures").glob("*.yaml")):
        doc_id = str(register_document(path))
        registers.setdefault(doc_id, []).append(path)
    state = {}
    catalogued_files = {d["file"] for d in docs.values()}
    stored_pdfs = {d.get("pdf") for d in docs.values()}
    for path in sorted((root / "documents").glob("*.txt")):
        if path.name not in catalogued_files:
            state[path.name] = "uncatalogued"
    for path in sorted((root / "documents").glob("*.pdf")):
        if path.name not in stored_pdfs:
            state[path.name] = "pdf_not_taken_in"
    for doc_id, doc in docs.items():
        if doc.get("todo") or doc_id not in registers:
            state[doc_id] = "draft" if doc.get("todo") else "no_register"
            continue
        digest = hashlib.sha256((root / "documents" / doc["file"]).read_bytes()
                                if (root / "documents" / doc["file"]).is_file() else b"")
        for path in registers[doc_id]:
            digest.update(path.read_bytes())
        state[doc_id] = digest.hexdigest()
    return state


def new_documents_evaluation(root: Path, cursor: str | None) -> tuple[list, list[str], str]:
    """Run requests for documents whose text or register changed since `cursor`, and messages
    asking for what is missing; the first evaluation only records the state."""
    state = scan_documents(root)
    previous = json.loads(cursor) if cursor else None
    messages = [f"{name}: a PDF no catalogue entry stores: run `make intake "
                f"PDF=sources/documents/{name}` to store it with its text and a draft entry"
                for name, s in state.items() if s == "pdf_not_taken_in"]
    messages += [f"{name}: file in sources/documents/ with no entry in sources/documents.yaml"
                 for name, s in state.items() if s == "uncatalogued"]
    messages += [f"document {doc_id} is a draft from `make intake`: complete its entry in "
                 f"sources/documents.yaml (todo), then run `make candidates DOC={doc_id}`"
                 for doc_id, s in state.items() if s == "draft"]
    messages += [f"document {doc_id} has no register: run `make candidates DOC={doc_id}` and "
                 f"save the completed draft as sources/figures/{doc_id}.yaml"
                 for doc_id, s in state.items() if s == "no_register"]
    requests = []
    if previous is not None:
        changed = sorted(d for d, s in state.items() if len(s) == 64 and previous.get(d) != s)
        if changed:
            requests.append(RunRequest(run_key="+".join(f"{d}:{state[d][:12]}" for d in changed),
                                       tags={"documents": ",".join(changed)}))
    return requests, messages, json.dumps(state, sort_keys=True)


@sensor(job=full_refresh, minimum_interval_seconds=60, default_status=DefaultSensorStatus.RUNNING,
        description="Watches sources/: a new PDF asks for `make intake`, a draft entry for its "
                    "completion, a new document for its register; a new or changed register (or "
                    "document) starts a full refresh.")
def new_documents(context: SensorEvaluationContext):
    requests, messages, cursor = new_documents_evaluation(default_sources_dir(), context.cursor)
    for message in messages:
        context.log.info(message)
    if requests:
        return SensorResult(run_requests=requests, cursor=cursor)
    return SensorResult(skip_reason=SkipReason("; ".join(messages) or "no new or changed document"),
                        cursor=cursor)


# Every 5 s: one query of the runs recorded as started and a look at their processes; a queue
# stalled behind a dead run is free again within seconds.
@sensor(minimum_interval_seconds=5, default_status=DefaultSensorStatus.RUNNING,
        description="Marks failed every run that Dagster still records as started but whose "
                    "process is gone (a run killed with kill -9 or a crashed machine), so the "
                    "queue of runs launched from the UI, the sensor or the schedule never stalls "
                    "(checked every 5 s).")
def ghost_runs(context: SensorEvaluationContext):
    reaped = guard.reap_ghost_runs(context.instance)
    for run_id in reaped:
        context.log.info(f"run {run_id} marked failed: its process is gone")
    return SkipReason(f"{len(reaped)} ghost run(s) marked failed" if reaped
                      else "no run whose process is gone")
