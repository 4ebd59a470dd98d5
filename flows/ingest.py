"""Snapshot ingest: read each table's files, type and validate them, write the lake and the quarantine."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.io.errors import SnapshotError
from flows.io.lake import stored_order
from flows.io.logs import run_logger
from flows.io.paths import DEFAULT_MARKETS, Paths
from flows.io.storage import publish, staging_dir, write_parquet
from transforms.scores.definition import ScoreDefinition
from transforms.scores.members import ScoreInputs, needed_inputs
from transforms.snapshot.contract import INGEST_ORDER, TABLES, Table
from transforms.snapshot.mappings import ColumnMappings, TableMapping, apply_mapping
from transforms.snapshot.parse import parse_table
from transforms.snapshot.validate import QUARANTINE_SCHEMA, validate_table

FORMATS = {".parquet": "parquet", ".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson"}


@dataclass
class TableManifest:
    table: str
    source: str
    files: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0


def table_files(snapshot: Path, table: str) -> list[Path]:
    """Return the files holding `table` in `snapshot`: `<table>.<ext>` or the parts in `<table>/`."""
    files = [snapshot / f"{table}{suffix}" for suffix in FORMATS if (snapshot / f"{table}{suffix}").is_file()]
    folder = snapshot / table
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in FORMATS and not p.name.startswith("."))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_part(path: Path) -> pl.DataFrame:
    kind = FORMATS[path.suffix]
    if kind == "parquet":
        return pl.read_parquet(path)
    if kind == "csv":
        return pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    frame = pl.read_ndjson(path, infer_schema_length=None)
    if "properties" in frame.columns and isinstance(frame.schema["properties"], pl.Struct):
        frame = frame.unnest("properties")
    return frame


def read_table_part(path: Path, table: Table, mapping: TableMapping | None = None, extras: set[str] | None = None) -> pl.DataFrame:
    """Return one file of `table` (its headers and values mapped by `mapping`) typed to the contract,
    with `_source_file` / `_source_row` (1-based); with `extras`, only those extra columns are kept."""
    try:
        raw = _read_part(path)
    except Exception as exc:  # any parser failure stops the run, naming the file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SnapshotError(f"{path}: cannot be parsed: {reason}") from exc
    # Polars renames a repeated CSV header to `<name>_duplicated_<n>`: which copy is meant is unknowable.
    repeated = sorted({re.sub(r"_duplicated_\d+$", "", c) for c in raw.columns if re.search(r"_duplicated_\d+$", c)})
    if repeated:
        raise SnapshotError(f"{path}: cannot be parsed: column(s) {', '.join(repeated)} appear more than once in the header")
    raw = apply_mapping(raw, mapping)
    if extras is not None:
        raw = raw.select(c for c in raw.columns if c in table.column_names or c in extras)
    missing = [c.name for c in table.columns if not c.nullable and c.name not in raw.columns]
    if missing and raw.width:
        raise SnapshotError(f"{path}: table {table.name} lacks required column(s) {', '.join(missing)}")
    raw = raw.with_columns(
        pl.lit(path.name).cast(pl.Categorical).alias("_source_file"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_source_row"),
    )
    return parse_table(raw.lazy(), table).collect()


def _empty(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=table.schema())


def validate_snapshot_table(
    snapshot: Path,
    table_name: str,
    parents: dict[str, pl.DataFrame],
    mappings: ColumnMappings | None = None,
    extras: set[str] | None = None,
) -> tuple[TableManifest, pl.DataFrame, pl.DataFrame]:
    """Read and validate one table of `snapshot`: its manifest, kept rows and quarantine rows (with
    `extras`, only those extra columns are read and validated)."""
    started = time.perf_counter()
    table = TABLES[table_name]
    files = table_files(snapshot, table_name)
    source = "snapshot"
    if not files and table_name == "markets" and DEFAULT_MARKETS.is_file():
        files, source = [DEFAULT_MARKETS], "default"
    manifest = TableManifest(table_name, source if files else "absent")
    if not files:
        if not table.optional:
            raise SnapshotError(
                f"{snapshot}: required table {table_name} is missing (no {table_name}.parquet/.csv/.ndjson or {table_name}/)"
            )
        kept, quarantine = _empty(table), pl.DataFrame(schema=QUARANTINE_SCHEMA)
    else:
        mapping = mappings.tables.get(table_name) if mappings else None
        parts = [read_table_part(path, table, mapping, extras) for path in files]
        parsed = pl.concat(parts, how="diagonal_relaxed")
        for path, part in zip(files, parts, strict=True):
            manifest.files.append({"path": str(path), "sha256": _sha256(path), "rows": part.height})
        result = validate_table(parsed, table, parents)
        kept, quarantine = result.kept, result.quarantine
        manifest.rows_read = parsed.height
        manifest.rows_quarantined = result.rows_quarantined
    manifest.rows_kept = kept.height
    manifest.seconds = round(time.perf_counter() - started, 3)
    return manifest, kept, quarantine


def read_snapshot(snapshot: Path, tables: list[str], mappings: ColumnMappings | None = None) -> dict[str, pl.DataFrame]:
    """The validated rows of `tables` (and the parents their foreign keys need), in memory."""
    if not snapshot.is_dir():
        raise SnapshotError(f"{snapshot}: snapshot folder not found")
    wanted = set(tables) | {fk.parent for t in tables for fk in TABLES[t].foreign_keys if fk.parent}
    if any(fk.parent_by for t in tables for fk in TABLES[t].foreign_keys):
        wanted |= {"contacts", "companies"}
    kept: dict[str, pl.DataFrame] = {}
    for name in INGEST_ORDER:
        if name in wanted:
            _, kept[name], _ = validate_snapshot_table(snapshot, name, kept, mappings)
    return {name: kept[name] for name in tables}


def read_score_inputs(
    snapshot: Path, definitions: list[ScoreDefinition], mappings: ColumnMappings | None = None
) -> tuple[ScoreInputs, list[TableManifest]]:
    """The validated tables `definitions` read (only their columns; the others empty), and the
    manifests of the tables read, quarantine counts included: a preview without a full load."""
    if not snapshot.is_dir():
        raise SnapshotError(f"{snapshot}: snapshot folder not found")
    needed = needed_inputs(definitions)
    parents_of = {fk.parent for t in needed for fk in TABLES[t].foreign_keys if fk.parent}
    if any(fk.parent_by for t in needed for fk in TABLES[t].foreign_keys):
        parents_of |= {"contacts", "companies"}
    kept: dict[str, pl.DataFrame] = {}
    manifests = []
    for name in INGEST_ORDER:
        if name in needed or name in parents_of:
            manifest, kept[name], _ = validate_snapshot_table(snapshot, name, kept, mappings, needed.get(name, set()))
            manifests.append(manifest)
    frames = {name: (kept[name] if name in needed else _empty(TABLES[name])).lazy() for name in ScoreInputs.__dataclass_fields__}
    return ScoreInputs(**frames), manifests


def _transient(task, task_run, state) -> bool:
    """Retry read errors of the file system, never a snapshot that breaks the contract."""
    try:
        state.result()
    except SnapshotError:
        return False
    except OSError:
        return True
    return False


@task(name="ingest-table", retries=2, retry_delay_seconds=1, retry_condition_fn=_transient, cache_policy=NO_CACHE)
def ingest_table(
    snapshot: Path,
    table_name: str,
    snapshot_date: date,
    staged: Path,
    parents: dict[str, pl.DataFrame],
    mappings: ColumnMappings | None = None,
) -> tuple[TableManifest, pl.DataFrame]:
    """Validate one table into `staged`; return its manifest and kept rows (parents of later tables)."""
    manifest, kept, quarantine = validate_snapshot_table(snapshot, table_name, parents, mappings)
    dated = pl.lit(snapshot_date).alias("snapshot_date")
    write_parquet(stored_order(kept, table_name).with_columns(dated), staged / table_name / "part-0.parquet")
    write_parquet(quarantine.with_columns(dated), staged / "_quarantine" / f"{table_name}.parquet")
    run_logger().info(
        "%s: read %d, kept %d, quarantined %d rows in %.1fs",
        table_name,
        manifest.rows_read,
        manifest.rows_kept,
        manifest.rows_quarantined,
        manifest.seconds,
    )
    return manifest, kept.select(list(TABLES[table_name].key)) if table_name in _PARENTS else kept.clear()


_PARENTS = {fk.parent for t in TABLES.values() for fk in t.foreign_keys if fk.parent} | {"contacts", "companies"}


def ingest_snapshot(snapshot: Path, snapshot_date: date, paths: Paths, mappings: ColumnMappings | None = None) -> list[TableManifest]:
    """Validate every contract table of `snapshot` (headers mapped by `mappings`) into the lake partition
    of `snapshot_date`."""
    if not snapshot.is_dir():
        raise SnapshotError(f"{snapshot}: snapshot folder not found")
    staged_root = paths.lake / ".staging" / f"{snapshot_date.isoformat()}-{uuid.uuid4().hex[:8]}"
    staged_root.mkdir(parents=True)
    parents: dict[str, pl.DataFrame] = {}
    manifests = []
    for name in INGEST_ORDER:
        manifest, kept = ingest_table(snapshot, name, snapshot_date, staged_root, parents, mappings)
        manifests.append(manifest)
        if name in _PARENTS:
            parents[name] = kept
    for name in INGEST_ORDER:
        link = paths.lake_partition(name, snapshot_date)
        link.parent.mkdir(parents=True, exist_ok=True)
        target = staging_dir(link)
        (staged_root / name).rename(target / "data")
        publish(target, link)
    quarantine_link = paths.quarantine_partition(snapshot_date)
    quarantine_link.parent.mkdir(parents=True, exist_ok=True)
    target = staging_dir(quarantine_link)
    (staged_root / "_quarantine").rename(target / "tables")
    publish(target, quarantine_link)
    manifest_path = paths.lake / "_manifests" / f"snapshot_date={snapshot_date.isoformat()}.json"
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps([asdict(m) for m in manifests], indent=2))
    staged_root.rmdir()
    return manifests
