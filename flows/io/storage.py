"""Atomic file publishing: a folder of Parquet files is written aside, then swapped in by renaming a symlink.

Readers follow `<parent>/<name>` (a symlink) into `<parent>/.versions/<name>/<token>/`; replacing the
symlink with `os.replace` is atomic, so a reader sees the old folder or the new one, never a mix, and
a crash before the swap leaves the old one in place.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import polars as pl

log = logging.getLogger("engage")

VERSIONS = ".versions"


def staging_dir(link: Path) -> Path:
    """Return a new, empty folder beside `link` to write its next version into."""
    token = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    folder = link.parent / VERSIONS / link.name / token
    folder.mkdir(parents=True)
    return folder


def write_parquet(frame: pl.DataFrame | pl.LazyFrame, path: Path, scratch: bool = False) -> None:
    """Write `frame` to `path` through a temporary file and fsync, so `path` is whole or absent. A
    `scratch` file (read back once within the run, never published) is neither compressed nor synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    compression: Literal["zstd", "uncompressed"] = "uncompressed" if scratch else "zstd"
    if isinstance(frame, pl.LazyFrame):
        frame.sink_parquet(tmp, compression=compression)
    else:
        frame.write_parquet(tmp, compression=compression, statistics=True)
    if not scratch:
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
    os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staged: Path, link: Path) -> None:
    """Make `link` point at `staged` atomically; keep the version just replaced for readers mid-query.

    The files in `staged` are already synced (`write_parquet`); its folder entries are synced here."""
    _fsync_dir(staged)
    previous = link.resolve() if link.is_symlink() else None
    tmp_link = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(os.path.relpath(staged, link.parent), tmp_link)
    os.replace(tmp_link, link)
    _fsync_dir(link.parent)
    versions = sorted((p for p in staged.parent.iterdir() if p.is_dir()), key=lambda p: p.name)
    keep = {staged.resolve(), *([previous] if previous else [])}
    for old in versions:
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


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
