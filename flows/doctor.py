"""`engage doctor`: read every file a warehouse depends on and name the damaged or missing ones,
each with the command that repairs it. The daily run checks the files it builds on the same way
before it publishes, so a damaged store stops the run with one line instead of a late traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from flows.io.errors import first_line
from flows.io.history_store import COVERAGE, STATE
from flows.io.paths import DAY_PREFIX, SNAPSHOT_PREFIX, Paths
from flows.io.storage import VERSIONS
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
    return max(runs)[2] if runs else "SNAPSHOT"


def _repair(paths: Paths, relative: Path) -> str:
    """The command that rewrites the file at `relative` (to the warehouse's folder)."""
    where = f"--warehouse {paths.warehouse}"
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
        return f"engage backfill --history-only --snapshot {_snapshot_of(paths, None)} --from FIRST_DAY --to LAST_DAY {where}"
    if first == "run_log":
        return f"rm {paths.root / relative} (the run log is a record of runs; nothing reads it back)"
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
            found.append(Damage(path, reason, _repair(paths, path.relative_to(paths.root))))
        if bar:
            bar.update(i, i)
    if bar:
        bar.close()
    return found


def diagnose(paths: Paths) -> tuple[int, list[Damage]]:
    """How many files the warehouse depends on, and the damaged or missing ones (the catalog too)."""
    files = list(_files(paths))
    found = check_files(paths, files, whole=True, progress=True)
    try:
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            con.sql("select count(*) from duckdb_views()").fetchall()
    except duckdb.Error as exc:
        reason = f"damaged ({first_line(exc)})"
        found.append(Damage(paths.warehouse, reason, f"rm {paths.store / 'catalog.sha256'}; then {_repair(paths, Path('catalog'))}"))
    return len(files) + 1, found


def relied_on(paths: Paths) -> list[Path]:
    """The stored files a run builds on before it publishes: the history's coverage and every part's
    state, and the registry."""
    history = paths.history
    states = sorted(history.glob(f"*/{STATE}")) if history.is_dir() else []
    return [p for p in [history / COVERAGE, *states, paths.registry] if p.exists() or p.is_symlink()]
