"""`engage doctor`: read every file a warehouse depends on and name the damaged or missing ones,
each with the command that repairs it. The daily run checks the files it builds on the same way
before it publishes, so a damaged store stops the run with one line instead of a late traceback."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from flows.io.errors import first_line
from flows.io.history_store import COVERAGE, change_days, last_change, read_before_writing
from flows.io.paths import DAY_PREFIX, SNAPSHOT_PREFIX, Paths
from flows.io.storage import VERSIONS
from flows.io.warehouse import published_days
from flows.progress import StepProgress


@dataclass(frozen=True)
class Damage:
    path: Path
    reason: str
    repair: str

    def line(self) -> str:
        return f"{self.path}: {self.reason}; repair: {self.repair}"


def _snapshot_of(paths: Paths, day: date | None) -> str:
    """The snapshot the latest run of `day` (of any day when None) read, from the run manifests."""
    runs: list[tuple[str, str, str]] = []
    folder = paths.store / "manifests"
    for manifest in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if day is None or data.get("as_of") == day.isoformat():
            runs.append((str(data.get("as_of", "")), manifest.name, str(data.get("snapshot"))))
    return shlex.quote(max(runs)[2]) if runs else "SNAPSHOT"


def _history_day(relative: Path, paths: Paths) -> date | None:
    """The day whose rewrite repairs the history file at `relative`: a change file's own day, or for
    a part's state the part's last change (the state follows from the change rows); else None."""
    try:
        return date.fromisoformat(relative.name.removeprefix("changes_").removesuffix(".parquet"))
    except ValueError:
        return last_change(paths.root / relative.parent)


def _history_repair(paths: Paths, damaged: list[Path]) -> str:
    """The one backfill that rewrites every damaged history file among `damaged` (relative to the
    warehouse's folder): the days from the first to the last of them."""
    days = [day for relative in damaged if relative.name != COVERAGE and (day := _history_day(relative, paths))]
    first = ""
    if any(relative.name == COVERAGE for relative in damaged):
        # The days covered cannot be read back; they run from the first change to the last day loaded.
        days += [*change_days(paths), *published_days(paths)]
        first = f"rm {shlex.quote(str(paths.history / COVERAGE))}; then "
    span = f"--from {min(days)} --to {max(days)}" if days else "--from FIRST_DAY --to LAST_DAY"
    where = f"--warehouse {shlex.quote(str(paths.warehouse))}"
    return f"{first}engage backfill --history-only --snapshot {_snapshot_of(paths, None)} {span} {where}"


def _repair(paths: Paths, relative: Path, history: str) -> str:
    """The command that rewrites the file at `relative` (to the warehouse's folder); for a history
    file, `history` (one run repairs them all)."""
    # Quoted, so the command can be pasted into a shell whatever the paths hold.
    where = f"--warehouse {shlex.quote(str(paths.warehouse))}"
    first = relative.parts[1] if len(relative.parts) > 1 else ""
    if relative.parts[0] == paths.store.name and first.startswith(DAY_PREFIX):
        day = date.fromisoformat(first.removeprefix(DAY_PREFIX))
        return f"engage run --snapshot {_snapshot_of(paths, day)} --as-of {day} {where}"
    if relative.parts[0] == paths.lake.name:
        dated = next((p for p in relative.parts if p.startswith(SNAPSHOT_PREFIX)), None)
        if dated:
            day = date.fromisoformat(dated.removeprefix(SNAPSHOT_PREFIX)[:10])
            return f"engage run --snapshot {_snapshot_of(paths, day)} --as-of {day} {where} (ingests that snapshot again)"
    if first == "history":
        return history
    if first == "run_log":
        return f"rm {shlex.quote(str(paths.root / relative))} (the run log is a record of runs; nothing reads it back)"
    return f"engage run --snapshot {_snapshot_of(paths, None)} --as-of LAST_DAY {where} (rewrites it)"


def _files(paths: Paths) -> Iterator[Path]:
    """Every Parquet file the warehouse reads, and every link to nothing where one should be: the
    store's published days, history, registry and run log, the lake's published snapshots (through
    the tables' links; versions kept for readers mid-query are not read)."""
    for top in (paths.store, paths.lake):
        for root, dirs, names in os.walk(top, followlinks=True):
            dirs[:] = sorted(d for d in dirs if d not in (VERSIONS, "_snapshots") and not d.startswith("."))
            for name in sorted(names):
                path = Path(root) / name
                if (name.endswith(".parquet") and not name.startswith(".")) or not path.exists():
                    yield path


def _problem(path: Path, whole: bool) -> str | None:
    """Why `path` cannot be read, or None: its footer, and when `whole` every row group (data pages
    decoded)."""
    if not path.exists():
        return "missing (a link to nothing)"
    try:
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups if whole else 0):
            parquet.read_row_group(group)
    except Exception as exc:  # any reader failure is damage to report, not to raise
        return f"damaged ({first_line(exc)})"
    return None


def check_files(paths: Paths, files: list[Path], whole: bool = False, progress: bool = False) -> list[Damage]:
    """The damaged or missing ones among `files`, with their repairs: by their footers (a truncated
    or overwritten file), or `whole`, every page."""
    bar = StepProgress("doctor", len(files), "files read") if progress else None
    found = []
    for i, path in enumerate(files, start=1):
        if reason := _problem(path, whole):
            found.append((path, path.relative_to(paths.root), reason))
        if bar:
            bar.update(i, i)
    if bar:
        bar.close()
    history = _history_repair(paths, [relative for _, relative, _ in found if relative.parts[1:2] == ("history",)])
    return [Damage(path, reason, _repair(paths, relative, history)) for path, relative, reason in found]


def diagnose(paths: Paths) -> tuple[int, list[Damage]]:
    """How many files the warehouse depends on, and the damaged or missing ones (the catalog too)."""
    files = list(_files(paths))
    found = check_files(paths, files, whole=True, progress=True)
    try:
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            con.sql("select count(*) from duckdb_views()").fetchall()
    except duckdb.Error as exc:
        reason = f"damaged ({first_line(exc)})"
        stamp = shlex.quote(str(paths.store / "catalog.sha256"))
        found.append(Damage(paths.warehouse, reason, f"rm {stamp}; then {_repair(paths, Path('catalog'), '')}"))
    return len(files) + 1, found


def relied_on(paths: Paths, start: date) -> list[Path]:
    """The stored files a run whose history starts on `start` builds on before it publishes (see
    `history_store.read_before_writing`), and the registry."""
    return [*read_before_writing(paths, start), *([paths.registry] if paths.registry.exists() or paths.registry.is_symlink() else [])]
