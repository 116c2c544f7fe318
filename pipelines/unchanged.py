"""Whether a full run has anything new to publish.

A release records the digest of what it was made from (`inputs` in its RELEASE.json): the
pipeline's code and locked packages, the catalogues and every other sources file, the documents'
checksums, and each register's checked reading (what it says, not its bytes: a comment changes
nothing). When the next full run finds the same digest, the release it names still visible and
the build database last written by the run that published it, its first steps say so and
materialise nothing, and Dagster skips every step after them: nothing is validated, derived or
published again. The run tag `sesam/rebuild=true` (`python -m pipelines.run --rebuild`) runs
every step all the same.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from publication.files import PUBLISHED, visible_release

PROJECT = Path(__file__).resolve().parent.parent
CODE = ["pipelines", "publication", "transforms", "expectations", "sources"]
REBUILD_TAG = "sesam/rebuild"


def code_fingerprint() -> str:
    """SHA-256 of the code that makes a release: the Python packages of the project (with their
    chart specifications and fonts) and the locked versions of what they import."""
    digest = hashlib.sha256()
    files = [p for p in [PROJECT / "uv.lock"] if p.is_file()] + sorted(
        p for folder in CODE for p in (PROJECT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
        and not (folder == "sources" and p.suffix != ".py"))  # the sources' data: inputs_digest
    for path in files:
        digest.update(f"{path.relative_to(PROJECT)}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_digest(sources: Path, kept: Path | None) -> str:
    """The digest of everything a full run reads, with every document checked against its
    SHA-256 (a modified document raises RegisterError, as the loader does)."""
    from sources.register import Catalogues, reading_digests

    cat = Catalogues(sources).verified()
    parts = {"code": code_fingerprint(), "catalogues": cat.fingerprint,
             "registers": reading_digests(cat, kept)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _mark(outputs: Path) -> Path:
    return outputs / "build" / "inputs.json"


def read_mark(outputs: Path) -> dict:
    """What the build database was last made from: digest, run id and, once that run published,
    the release."""
    try:
        return json.loads(_mark(outputs).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_mark(outputs: Path, **mark) -> None:
    path = _mark(outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(mark), encoding="utf-8")
    os.replace(part, path)


def published_from(outputs: Path, digest: str) -> str | None:
    """The id of the visible release when it was made from `digest`, is whole, and the build
    database has not been written since by another run; else None."""
    seen = visible_release(outputs) or {}
    mark = read_mark(outputs)
    if not digest or seen.get("inputs") != digest or mark.get("digest") != digest \
            or mark.get("release") != seen.get("release"):
        return None
    if not all((outputs / "current" / name).exists() for name in PUBLISHED):
        return None
    return seen["release"]


def release_inputs(outputs: Path, run_id: str) -> str | None:
    """The digest a release published by run `run_id` is made from: this run's own (it built
    the database), or, when it only re-publishes, that of the published run that built it."""
    mark = read_mark(outputs)
    seen = visible_release(outputs) or {}
    if mark.get("run_id") == run_id or (mark.get("release") and
                                        mark.get("release") == seen.get("release")):
        return mark.get("digest")
    return None


_DECIDED: dict[str, str | None] = {}  # by run id: the two first steps of a run decide once


def nothing_new(context, sources, outputs) -> str | None:
    """For the first steps of a full run: the id of the visible release, said in the run's log,
    when it was made from exactly what this run would read (the step then materialises nothing
    and Dagster skips every step after it); else None, and the build database is marked as
    being made by this run. Only a run that publishes (the whole job, or a selection with the
    release) is skipped. Bad input is not up to date: the steps reading it fail as before,
    naming the file and the entry."""
    from dagster import AssetKey

    from sources.register import RegisterError

    run_id = context.run.run_id
    if run_id not in _DECIDED:
        try:
            digest = inputs_digest(Path(sources.root), Path(sources.cache) if sources.cache
                                   else None)
        except RegisterError:  # changed, and wrong: the steps reading it say where
            digest = None
        selection = context.run.asset_selection  # a run of some assets only is not gated
        whole = not selection or AssetKey("release") in selection  # empty: the whole job
        release = published_from(outputs.path, digest) if whole else None
        if release and context.run.tags.get(REBUILD_TAG) != "true":
            context.log.info(
                f"Nothing changed since release {release} was published: same code, catalogues, "
                f"documents and registers (as read). Nothing is validated, derived or published "
                f"again: the steps after this one are skipped and release {release} stays "
                f"visible. The run tag {REBUILD_TAG}=true (python -m pipelines.run --rebuild) "
                f"runs them all.")
            _DECIDED[run_id] = release
        else:
            write_mark(outputs.path, digest=digest, run_id=run_id, release=None)
            _DECIDED[run_id] = None
    return _DECIDED[run_id]
