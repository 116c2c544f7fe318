"""Write published files so that a reader only ever sees a complete old or new version."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd


class PublicationError(OSError):
    """A file could not be written; whatever was published before is unchanged."""


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success it replaces `target` in one rename.

    A failure to write (full disk, unwritable folder) raises PublicationError naming `target`;
    the temporary file is removed and `target` keeps its previous content.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise PublicationError(exc.errno, f"cannot write {target}: {exc.strerror or exc}; "
                                          f"nothing published before was changed") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; published files are for everyone
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except PublicationError:
        raise
    except OSError as exc:
        raise PublicationError(exc.errno, f"cannot write {target}: {exc.strerror or exc}; "
                                          f"nothing published before was changed") from exc
    finally:
        tmp_path.unlink(missing_ok=True)


def write_parquet(frame: pd.DataFrame, target: Path) -> Path:
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)
    return target


def write_text(text: str, target: Path) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def publish_tree(source: Path, target: Path) -> Path:
    """Replace folder `target` by a copy of `source`: copied aside, then swapped by renames."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    old = target.parent / f".{target.name}.old"
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            os.replace(target, old)
        os.replace(staging, target)
    except (OSError, shutil.Error) as exc:
        why = exc.args[0][0][2] if isinstance(exc, shutil.Error) else (exc.strerror or exc)
        raise PublicationError(getattr(exc, "errno", None), f"cannot write {target}: {why}; "
                                                            f"nothing published before was "
                                                            f"changed") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


PUBLISHED = ("warehouse.duckdb", "parquet", "charts", "quality", "csv", "sdmx",
             "datapackage.json")


class ReleaseError(PublicationError):
    """A release could not be published; the message says which release stays visible."""


def visible_release(outputs: Path) -> dict | None:
    """What readers see now: the RELEASE.json of the release `outputs/current` points at."""
    manifest = Path(outputs) / "current" / "RELEASE.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def describe_visible(outputs: Path) -> str:
    """One sentence naming what readers of `outputs` see."""
    seen = visible_release(outputs)
    if seen is None:
        return f"nothing is published in {outputs} yet"
    return (f"release {seen['release']} (run {seen['run_id'][:8]}, published {seen['published']}) "
            f"is visible: {', '.join(PUBLISHED)}")


def publish_release(outputs: Path, release_id: str, run_id: str, folders: dict[str, Path],
                    database: Path, keep: int = 3, inputs: str | None = None) -> Path:
    """Publish the warehouse, Parquet, charts and quality report of a run as one release.

    Everything is copied into `outputs/releases/.<id>.partial/`, synced, renamed to
    `releases/<id>/`, and then made visible by ONE atomic rename: the link `outputs/current`.
    `outputs/warehouse.duckdb`, `parquet`, `charts`, `quality`, `csv`, `sdmx` and
    `datapackage.json` are fixed links into `current`, so readers see them together: the old
    release or the new one, whatever is killed when. A reader holding a file keeps the release
    it opened (the `keep` newest stay on disk). A failure before the switch raises ReleaseError saying what stays visible.
    `inputs` is the digest of what the release is made from (pipelines.unchanged), if known.
    """
    outputs = Path(outputs)
    releases = outputs / "releases"
    partial = releases / f".{release_id}.partial"
    target = releases / release_id
    try:
        releases.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        for name, folder in folders.items():
            if folder.is_dir():
                shutil.copytree(folder, partial / name)
            else:
                shutil.copyfile(folder, partial / name)
        shutil.copyfile(database, partial / "warehouse.duckdb")
        manifest = {"release": release_id, "run_id": run_id,
                    "published": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "contents": list(PUBLISHED), "inputs": inputs}
        (partial / "RELEASE.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _chmod_readable(partial)
        _sync_tree(partial)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(partial, target)
        _sync_dir(releases)
    except (OSError, shutil.Error) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        why = exc.args[0][0][2] if isinstance(exc, shutil.Error) else (exc.strerror or exc)
        raise ReleaseError(getattr(exc, "errno", None), f"release {release_id} could not be "
                                                        f"written ({why}); nothing was switched: "
                                                        f"{describe_visible(outputs)}") from None
    _switch(outputs / "current", Path("releases") / release_id)  # the one switch point
    for name in PUBLISHED:
        _fixed_link(outputs / name, Path("current") / name)
    _prune(releases, keep, os.path.realpath(outputs / "current"))
    return target


def _switch(link: Path, points_to: Path) -> None:
    tmp = link.with_name(f".{link.name}.new")
    tmp.unlink(missing_ok=True)
    os.symlink(points_to, tmp)
    os.replace(tmp, link)
    _sync_dir(link.parent)


def _fixed_link(path: Path, points_to: Path) -> None:
    """Make `path` a link to `points_to` (replacing a file, a folder or another link of an older
    layout by one rename); nothing to do when it already is."""
    if path.is_symlink() and os.readlink(path) == str(points_to):
        return
    if path.is_dir() and not path.is_symlink():
        legacy = path.with_name(f".{path.name}.legacy")
        shutil.rmtree(legacy, ignore_errors=True)
        os.replace(path, legacy)
        shutil.rmtree(legacy, ignore_errors=True)
    _switch(path, points_to)


def _prune(releases: Path, keep: int, current: str) -> None:
    """Remove all but the `keep` newest releases (never the current one) and stale partials."""
    names = sorted(p for p in releases.iterdir() if p.is_dir())
    for stale in (p for p in names if p.name.startswith(".") and p.name.endswith(".partial")):
        shutil.rmtree(stale, ignore_errors=True)
    finished = [p for p in names if not p.name.startswith(".")]
    for release in finished[:-keep]:
        if os.path.realpath(release) != current:
            shutil.rmtree(release, ignore_errors=True)


def _chmod_readable(root: Path) -> None:
    umask = os.umask(0)
    os.umask(umask)
    for path in [root, *root.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _sync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    for path in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        _sync_dir(path)


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
