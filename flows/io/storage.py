"""Atomic file publishing: a folder of Parquet files is written aside, then swapped in by renaming a symlink.

Readers follow `<parent>/<name>` (a symlink) into `<parent>/.versions/<name>/<token>/`; replacing the
symlink with `os.replace` is atomic, so a reader sees the old folder or the new one, never a mix, and
a crash before the swap leaves the old one in place.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import polars as pl
import pyarrow.parquet as pq

from flows.io.errors import first_line, one_line

log = logging.getLogger("engage")

VERSIONS = ".versions"
ZSTD_LEVEL = 1


def staging_dir(link: Path) -> Path:
    """Return a new, empty folder beside `link` to write its next version into."""
    token = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder = link.parent / VERSIONS / link.name / token
    folder.mkdir(parents=True)
    return folder


def write_parquet(frame: pl.DataFrame | pl.LazyFrame, path: Path, scratch: bool = False, groups: str | None = None) -> None:
    """Write `frame` to `path` through a temporary file and fsync, so `path` is whole or absent. A
    `scratch` file (read back within the run, never published) is neither compressed nor synced.
    With `groups` (a column the frame is sorted by), each value of it gets row groups of its own."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    # Measured on 3M events in 28 pieces: a scratch file without compression or statistics takes
    # 0.48 s to write and 0.21 s to read, against 0.70 s and 0.50 s with snappy and statistics (the
    # page cache holds it; disk space is cheap for minutes). zstd at level 1 writes a published file
    # a third faster than its default level, 3% larger.
    compression: Literal["zstd", "uncompressed"] = "uncompressed" if scratch else "zstd"
    level = None if scratch else ZSTD_LEVEL
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(tmp, compression=compression, compression_level=level)
        elif groups:
            # A reader that filters on one value then skips every other value's row groups by their statistics.
            with pq.ParquetWriter(
                tmp, frame.head(0).to_arrow().schema, compression="none" if scratch else "zstd", compression_level=level
            ) as writer:
                for group in frame.partition_by(groups, maintain_order=True):
                    writer.write_table(group.to_arrow())
        else:
            frame.write_parquet(tmp, compression=compression, compression_level=level, statistics=not scratch)
        if not scratch:
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from exc


def write_text(text: str, path: Path) -> None:
    """Write `text` to `path` through a temporary file and fsync, so `path` is whole or absent."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from exc


def write_error(path: Path, exc: BaseException) -> OSError:
    """An OSError naming `path` for a failed write (Polars reports a full disk without the file)."""
    strerror = getattr(exc, "strerror", None)
    reason = one_line(strerror) if strerror else first_line(exc)
    error = OSError(f"{path}: cannot be written: {reason}")
    error.errno = getattr(exc, "errno", None) or (errno.ENOSPC if "No space left" in str(exc) else errno.EIO)
    return error


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_link(link: Path, target: Path) -> None:
    """Make `link` a relative link to `target` in one step (a new link renamed over the old)."""
    tmp_link = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(target, link.parent), tmp_link)
    os.replace(tmp_link, link)


def publish(staged: Path, link: Path) -> None:
    """Make `link` point at `staged` atomically; keep the version just replaced for readers mid-query.

    The files in `staged` are already synced (`write_parquet`); its folder entries are synced here."""
    _fsync_dir(staged)
    previous = link.resolve() if link.is_symlink() else None
    replace_link(link, staged)
    _fsync_dir(link.parent)
    versions = sorted((p for p in staged.parent.iterdir() if p.is_dir()), key=lambda p: p.name)
    keep = {staged.resolve(), *([previous] if previous else [])}
    for old in versions:
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


# Temporary files, links and folders of the writes above: `.<name>.<8 hex>.tmp|link|old`.
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{8}\.(tmp|link|old)$")


def _size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_symlink() or not p.is_dir())


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def leftovers(folders: list[Path], beside: Path | None = None) -> list[Path]:
    """What killed runs left under `folders` (and the temporary copies of the file `beside`):
    temporary files and links of a write or swap, and versions staged but never swapped in (newer
    than the version their link points to, or with no link at all). Only safe to remove while
    holding the run lock: then no run is writing them."""
    found: list[Path] = []
    if beside is not None and beside.parent.is_dir():
        found += [p for p in beside.parent.iterdir() if p.name.startswith(f".{beside.name}.") and _TEMPORARY.match(p.name)]
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            here = Path(root)
            found += [here / n for n in [*names, *dirs] if _TEMPORARY.match(n)]
            if here.name == VERSIONS:
                for name in dirs:
                    link = here.parent / name
                    current = link.resolve().name if link.is_symlink() else ""
                    found += [v for v in (here / name).iterdir() if v.name > current]
                dirs[:] = []
            else:
                dirs[:] = [d for d in dirs if not _TEMPORARY.match(d)]
    return sorted(found)


def remove_leftovers(folders: list[Path], beside: Path | None = None) -> tuple[int, int]:
    """Remove the `leftovers` of killed runs; return how many and their bytes."""
    found = leftovers(folders, beside)
    size = sum(_size(path) for path in found)
    for path in found:
        _remove(path)
    return len(found), size


@contextmanager
def exclusive_lock(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the block; say so and wait when another run holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another run"
            log.warning("%s is locked by %s; waiting for it to finish", what, holder)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
