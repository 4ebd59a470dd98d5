"""A snapshot checked before a run loads it (`preflight`: every missing table and unreadable header
at once) and in full by `engage check` (`check_snapshot`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from flows.ingest import Sizes, header_problem, ingest_table, snapshot_buckets
from flows.io.errors import SnapshotError, first_line
from flows.io.logs import run_logger
from flows.io.paths import DEFAULT_MARKETS
from flows.io.snapshot_files import SUPPORTED, file_header, table_files
from flows.io.storage import write_parquet
from transforms.needs import Need, day_needs, purpose_needs, unmet
from transforms.scores.definition import ScoreDefinition, unmatched_events
from transforms.scores.members import needed_inputs
from transforms.snapshot.contract import INGEST_ORDER, TABLES
from transforms.snapshot.mappings import ColumnMappings
from transforms.snapshot.parse import SNAPSHOT_DATE

# Reasons shown per table: the most frequent first.
FIRST_REASONS = 3


def present_tables(snapshot: Path) -> dict[str, list[Path]]:
    """The files of each contract table `snapshot` has (tables without files left out)."""
    if not snapshot.is_dir():
        raise SnapshotError(f"{snapshot}: snapshot folder not found")
    return {name: files for name in INGEST_ORDER if (files := table_files(snapshot, name))}


def header_problems(files: dict[str, list[Path]], mappings: ColumnMappings | None) -> dict[str, list[str]]:
    """Per table, every file whose header cannot be read into it (a name clash, required columns
    neither there nor mapped), as `<file>: <reason>`; only headers read without reading rows."""
    problems: dict[str, list[str]] = {}
    for name, paths in files.items():
        mapping = mappings.for_table(name) if mappings else None
        for path in paths:
            header = file_header(path)
            if header is not None and (problem := header_problem(header, TABLES[name], mapping)):
                problems.setdefault(name, []).append(f"{path}: {problem}")
    return problems


def _missing(need: Need, tables: list[str]) -> str:
    return f"{need.computation} need table(s) {', '.join(tables)}, which the snapshot lacks"


def preflight(snapshot: Path, needs: list[Need], mappings: ColumnMappings | None) -> list[Need]:
    """The computations of `needs` (a run's, from `day_needs`) that a run on `snapshot` skips for
    want of their tables (each said in one warning). Stops with every missing table and every bad
    header in one line."""
    files = present_tables(snapshot)
    gaps = unmet(needs, set(files))
    problems = [_missing(need, tables) for need, tables in gaps if not need.skippable]
    problems += [line for lines in header_problems(files, mappings).values() for line in lines]
    if problems:
        where = f"no <table>.<format> file or <table>/ folder; formats: {SUPPORTED}"
        raise SnapshotError(
            f"{snapshot}: {len(problems)} problem(s): {'; '.join(problems)} ({where}; `engage check --snapshot` lists what each output needs)"
        )
    skipped = [need for need, _ in gaps]
    for need, tables in gaps:
        run_logger().warning(
            "%s skipped: the snapshot has no %s (%s stay empty for the day)", need.computation, ", ".join(tables), need.outputs
        )
    return skipped


@dataclass
class TableCheck:
    """What loading one table would do: rows read, kept and quarantined, the most frequent reasons,
    the extra columns it would store, or the problem that stops it."""

    table: str
    source: str
    files: int
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    reasons: list[dict[str, object]] = field(default_factory=list)
    other_reasons: int = 0
    extra_columns: list[str] = field(default_factory=list)
    problem: str | None = None


def _reasons(quarantine: Path) -> tuple[list[dict[str, object]], int]:
    """The most frequent (column, reason) pairs of a table's quarantine with their rows, and how many other pairs there are."""
    lines = pl.read_parquet(quarantine, glob=False)
    counted = lines.group_by("column_name", "reason").agg(pl.struct("source_file", "source_row").n_unique().alias("rows"))
    ranked = counted.sort("rows", "column_name", "reason", descending=[True, False, False], nulls_last=True)
    return ranked.head(FIRST_REASONS).to_dicts(), max(ranked.height - FIRST_REASONS, 0)


def _load_into(
    snapshot: Path, staged: Path, files: dict[str, list[Path]], mappings: ColumnMappings | None, broken: set[str]
) -> list[TableCheck]:
    """Load every table of `snapshot` into `staged` as a run would, parents first; a table it lacks,
    or one that cannot be loaded, is staged empty so its children are still checked."""
    sizes = Sizes(snapshot_buckets(snapshot))
    checks = []
    for name in INGEST_ORDER:
        shown = name in files or (name == "markets" and DEFAULT_MARKETS.is_file())
        check = TableCheck(name, "snapshot" if name in files else "the shipped default", len(files.get(name, [])))
        if shown:
            checks.append(check)
        try:
            if name in broken:
                raise SnapshotError("its header is refused (see the problems)")
            manifest = ingest_table(snapshot, name, date.today(), staged, mappings, sizes, as_tasks=False)
        except SnapshotError as exc:
            check.problem = first_line(exc)
            write_parquet(pl.DataFrame(schema=TABLES[name].schema()), staged / name / "part-0.parquet")
            continue
        check.rows_read, check.rows_kept, check.rows_quarantined = manifest.rows_read, manifest.rows_kept, manifest.rows_quarantined
        check.reasons, check.other_reasons = _reasons(staged / "_quarantine" / f"{name}.parquet")
        stored = pq.read_schema(next((staged / name).glob("part-*.parquet"))).names
        check.extra_columns = [c for c in stored if c not in TABLES[name].column_names and c != SNAPSHOT_DATE]
    return checks


def _definition_gaps(definitions: list[ScoreDefinition], staged: Path, checks: list[TableCheck]) -> list[str]:
    """What each definition names that the loaded snapshot lacks: event types and properties."""
    loaded = {c.table: c for c in checks if c.problem is None and c.source == "snapshot"}
    gaps = []
    if "events" in loaded:
        types = pl.read_parquet(sorted((staged / "events").glob("part-*.parquet")), columns=["event_type"], glob=False)
        for score_id, events in unmatched_events(definitions, set(types["event_type"].drop_nulls())).items():
            gaps.append(f"{score_id}: no event of type {', '.join(events)} in the snapshot (a misspelt type scores 0)")
    for definition in definitions:
        if (definition.records.include_lists or definition.records.exclude_lists) and "list_memberships" not in loaded:
            gaps.append(f"{definition.id}: scoped by lists, but the snapshot has no list_memberships (no record is in any list)")
        for table, properties in sorted(needed_inputs([definition]).items()):
            if table not in loaded:
                continue
            known = {*TABLES[table].column_names, *loaded[table].extra_columns}
            if unknown := sorted(properties - known):
                gaps.append(f"{definition.id}: no column {', '.join(unknown)} in {table} (a filter on it never matches)")
    return gaps


def check_snapshot(snapshot: Path, definitions: list[ScoreDefinition], mappings: ColumnMappings | None, purpose: str) -> dict[str, object]:
    """What a run of `definitions` on `snapshot` would find, without loading anything: the tables
    each output needs and which are missing, refused headers, rows each table would keep and
    quarantine (with the most frequent reasons), what the definitions name that the snapshot lacks,
    and whether the snapshot is `ready` for `purpose` (scores, partner or all)."""
    files = present_tables(snapshot)
    needs = purpose_needs(day_needs(definitions), purpose)
    gaps = {need.computation: tables for need, tables in unmet(needs, set(files))}
    headers = header_problems(files, mappings)
    with tempfile.TemporaryDirectory(prefix="engage-check-") as scratch:
        checks = _load_into(snapshot, Path(scratch), files, mappings, set(headers))
        definition_gaps = _definition_gaps(definitions, Path(scratch), checks)
    refused = [line for lines in headers.values() for line in lines] + [c.problem for c in checks if c.problem and c.table not in headers]
    return {
        "snapshot": str(snapshot),
        "purpose": purpose,
        "ready": not gaps and not refused,
        "needs": [
            {"computation": n.computation, "tables": list(n.tables), "outputs": n.outputs, "missing": gaps.get(n.computation, [])}
            for n in needs
        ],
        "problems": refused,
        "tables": [vars(c) for c in checks],
        "definitions": definition_gaps,
    }
