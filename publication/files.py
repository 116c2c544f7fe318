"""Write published files so that a reader only ever sees a complete old or new version."""
from __future__ import annotations

import os
import shutil
import tempfile
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


def copy_file(source: Path, target: Path) -> Path:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
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
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


def publish_release(stage: Path, outputs: Path, names: list[str], release_id: str,
                    keep: int = 3) -> Path:
    """Publish the staged folders `names` as one release.

    The folders are copied to `outputs/releases/<release_id>/`, then each `outputs/<name>` link
    is switched to the new release by an atomic rename. A run killed before the switch leaves
    the previous release published; the `keep` newest releases stay on disk for readers that
    still hold files open.
    """
    releases = outputs / "releases"
    target = releases / release_id
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in names:
        shutil.copytree(stage / name, target / name)
    for name in names:
        link, tmp = outputs / name, outputs / f".{name}.link"
        tmp.unlink(missing_ok=True)
        os.symlink(Path("releases") / release_id / name, tmp)
        if link.is_dir() and not link.is_symlink():  # a folder left by an older layout
            legacy = outputs / f".{name}.legacy"
            shutil.rmtree(legacy, ignore_errors=True)
            os.replace(link, legacy)
            shutil.rmtree(legacy, ignore_errors=True)
        os.replace(tmp, link)
    current = {os.path.realpath(outputs / name) for name in names}
    old = sorted((p for p in releases.iterdir() if p.is_dir()), key=lambda p: p.name)
    for release in old[:-keep]:
        if not any(c.startswith(str(release.resolve()) + os.sep) for c in current):
            shutil.rmtree(release, ignore_errors=True)
    return target
