"""Snapshot ingest: read each table's files, type and validate them, write the lake and the quarantine."""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.cluster import worker_memory
from flows.io.errors import SnapshotError, first_line, transient
from flows.io.lake import publish_snapshot, stored_order
from flows.io.lake_reuse import ingest_inputs, reusable_manifests
from flows.io.logs import run_logger
from flows.io.paths import DEFAULT_MARKETS, Paths
from flows.io.snapshot_files import BATCH_ROWS, SUPPORTED, FileFormat, file_format, raw_batches, sha256_beside, table_files
from flows.io.storage import write_parquet
from flows.progress import StepProgress
from transforms.scores.definition import ScoreDefinition
from transforms.scores.members import ScoreInputs, needed_inputs
from transforms.snapshot.buckets import BUCKETED_TABLES, CONTACT_KEY, bucket_count, bucket_references, contact_bucket
from transforms.snapshot.contract import INGEST_ORDER, TABLES, ForeignKey, Table
from transforms.snapshot.mappings import ColumnMappings, TableMapping, apply_mapping
from transforms.snapshot.parse import PARSE_COLUMN, PARSE_ERROR, column_clash, extra_name, parse_table
from transforms.snapshot.validate import (
    FAILURE_SCHEMA,
    QUARANTINE_SCHEMA,
    ROW,
    SOURCE_FILE,
    duplicate_keys,
    quarantine_rows,
    reference_failures,
    row_failures,
    validate_table,
)


@dataclass(frozen=True)
class Sizes:
    """How an ingest divides its work: contact buckets, and rows read, checked and spilled at a time."""

    buckets: int = 1
    batch_rows: int = BATCH_ROWS


@dataclass
class TableManifest:
    table: str
    source: str
    files: list[dict[str, object]] = field(default_factory=list)
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    buckets: int = 1


def parsed_batches(
    path: Path, table: Table, mapping: TableMapping | None = None, extras: set[str] | None = None, batch_rows: int | None = None
) -> Iterator[pl.DataFrame]:
    """One file of `table` in batches (its headers and values mapped by `mapping`), typed to the
    contract, with `SOURCE_FILE` / `_source_row` (1-based); with `extras`, only those extra columns."""
    header, batches = raw_batches(path, batch_rows)
    # Polars renames a repeated CSV header to `<name>_duplicated_<n>`: which copy is meant is unknowable.
    repeated = sorted({re.sub(r"_duplicated_\d+$", "", c) for c in header if re.search(r"_duplicated_\d+$", c)})
    if repeated:
        raise SnapshotError(f"{path}: cannot be parsed: column(s) {', '.join(repeated)} appear more than once in the header")
    if problem := header_problem(header, table, mapping):
        raise SnapshotError(f"{path}: {problem}")
    first_row = 1
    for raw in _at_least_one(batches, pl.DataFrame(schema=dict.fromkeys(header, pl.String))):
        frame = apply_mapping(raw, mapping)
        if extras is not None:
            frame = frame.select(c for c in frame.columns if c in table.column_names or extra_name(c) in extras)
        frame = frame.with_columns(
            pl.lit(path.name).cast(pl.Categorical).alias(SOURCE_FILE),
            pl.int_range(first_row, first_row + pl.len(), dtype=pl.Int64).alias("_source_row"),
        )
        first_row += raw.height
        try:
            yield parse_table(frame.lazy(), table).collect()
        except pl.exceptions.PolarsError as exc:
            # Whole-column failures, such as bytes that are not UTF-8 text in a binary column.
            column = re.search(r'col\("([^"]+)"\)', str(exc))
            where = f"column {column.group(1)!r}: " if column else ""
            raise SnapshotError(f"{path}: cannot be parsed: {where}{first_line(exc)}") from exc


def header_problem(header: list[str], table: Table, mapping: TableMapping | None) -> str | None:
    """Why a file of `table` with `header` cannot be read (a name clash, required columns neither in
    the file nor mapped), or None."""
    mapped = apply_mapping(pl.DataFrame(schema=dict.fromkeys(header, pl.String)), mapping).columns
    if clash := column_clash(mapped, table):
        return clash
    missing = [c.name for c in table.columns if not c.nullable and c.name not in mapped]
    if not missing or not header:
        return None
    hint = f"map a header to each under tables.{table.name}.columns in column_mappings.yaml"
    if "portal_id" in missing:
        hint += ", or give the export's one portal there for every table (constants: {portal_id: <your portal id>})"
    return f"table {table.name} lacks required column(s) {', '.join(missing)}: {hint}"


def _at_least_one(batches: Iterator[pl.DataFrame], empty: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """`batches`, or `empty` alone when there are none (a file with a header and no rows)."""
    seen = False
    for batch in batches:
        seen = True
        yield batch
    if not seen:
        yield empty


def read_table_part(path: Path, table: Table, mapping: TableMapping | None = None, extras: set[str] | None = None) -> pl.DataFrame:
    """Return one file of `table` typed to the contract, in memory (see `parsed_batches`)."""
    return pl.concat(list(parsed_batches(path, table, mapping, extras)), how="diagonal_relaxed")


def _empty(table: Table) -> pl.DataFrame:
    return pl.DataFrame(schema=table.schema())


def _sources(snapshot: Path, table_name: str) -> tuple[list[Path], TableManifest]:
    """The files of a table (the shipped markets when a snapshot has none) and its new manifest; a
    table without files is `absent` (its callers say which tables they cannot do without)."""
    files = _files(snapshot, table_name)
    source = "default" if files == [DEFAULT_MARKETS] else "snapshot"
    return files, TableManifest(table_name, source if files else "absent")


def _files(snapshot: Path, table_name: str) -> list[Path]:
    """The files of a table: the snapshot's, or the shipped markets when it has none."""
    files = table_files(snapshot, table_name)
    if not files and table_name == "markets" and DEFAULT_MARKETS.is_file():
        return [DEFAULT_MARKETS]
    return files


def require_tables(snapshot: Path, tables: set[str]) -> None:
    """Stop, naming every one of `tables` (optional ones left out) that `snapshot` has no files of."""
    if not snapshot.is_dir():
        raise SnapshotError(f"{snapshot}: snapshot folder not found")
    missing = [name for name in INGEST_ORDER if name in tables and not TABLES[name].optional and not table_files(snapshot, name)]
    if missing:
        raise SnapshotError(
            f"{snapshot}: required table(s) {', '.join(missing)} missing (no <table>.<format> file or <table>/ folder; formats: {SUPPORTED})"
        )


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
    files, manifest = _sources(snapshot, table_name)
    if not files:
        kept, quarantine = _empty(table), pl.DataFrame(schema=QUARANTINE_SCHEMA)
    else:
        mapping = mappings.for_table(table_name) if mappings else None
        digests = [sha256_beside(path) for path in files]
        try:
            parts = [read_table_part(path, table, mapping, extras) for path in files]
        except BaseException:
            # The read stops here: the hashes not yet begun are not wanted.
            for digest in digests:
                digest.cancel()
            raise
        parsed = pl.concat(parts, how="diagonal_relaxed")
        if clash := column_clash([c for c in parsed.columns if not c.startswith("_")], table):
            raise SnapshotError(f"{snapshot / table_name}: across its files, {clash}")
        for path, digest, part in zip(files, digests, parts, strict=True):
            manifest.files.append({"path": str(path), "sha256": digest.result(), "rows": part.height})
        result = validate_table(parsed, table, parents)
        kept, quarantine = result.kept, result.quarantine
        manifest.rows_read = parsed.height
        manifest.rows_quarantined = result.rows_quarantined
    manifest.rows_kept = kept.height
    manifest.seconds = round(time.perf_counter() - started, 3)
    return manifest, kept, quarantine


def _parents_of(references: tuple[ForeignKey, ...]) -> set[str]:
    """The tables `references` point at (every record table for a polymorphic one)."""
    return {fk.parent for fk in references if fk.parent} | {parent for fk in references if fk.parent_by for _, parent, _ in fk.parent_by[1]}


def _with_parents(tables: set[str]) -> set[str]:
    """`tables` and the tables their foreign keys point at."""
    return tables | _parents_of(tuple(fk for name in tables for fk in TABLES[name].foreign_keys))


def read_snapshot(snapshot: Path, tables: list[str], mappings: ColumnMappings | None = None) -> dict[str, pl.DataFrame]:
    """The validated rows of `tables` (and the parents their foreign keys need, empty when absent), in memory."""
    require_tables(snapshot, set(tables))
    wanted = _with_parents(set(tables))
    kept: dict[str, pl.DataFrame] = {}
    for name in INGEST_ORDER:
        if name in wanted:
            _, kept[name], _ = validate_snapshot_table(snapshot, name, kept, mappings)
    return {name: kept[name] for name in tables}


def read_score_inputs(
    snapshot: Path,
    definitions: list[ScoreDefinition],
    mappings: ColumnMappings | None = None,
    also: dict[str, set[str] | None] | None = None,
) -> tuple[ScoreInputs, list[TableManifest]]:
    """The validated tables `definitions` read (only their columns, and the extra columns `also`
    names per table, None for all; the others empty), and the manifests of the tables read,
    quarantine counts included: a preview without a full load. Only the tables the definitions
    read are required; their parents are empty when absent."""
    needed: dict[str, set[str] | None] = dict(needed_inputs(definitions))
    require_tables(snapshot, set(needed))
    for name, columns in (also or {}).items():
        before = needed.get(name, set())
        needed[name] = None if columns is None or before is None else before | columns
    wanted = _with_parents(set(needed))
    kept: dict[str, pl.DataFrame] = {}
    manifests = []
    for name in INGEST_ORDER:
        if name in wanted:
            manifest, kept[name], _ = validate_snapshot_table(snapshot, name, kept, mappings, needed.get(name, set()))
            manifests.append(manifest)
    frames = {name: (kept[name] if name in needed else _empty(TABLES[name])).lazy() for name in ScoreInputs.__dataclass_fields__}
    return ScoreInputs(**frames), manifests


def _expected_rows(files: list[Path]) -> int | None:
    """The rows of `files` when their metadata says (Parquet), else None (text must be read)."""
    if not files or any(file_format(path) != FileFormat("parquet") for path in files):
        return None
    try:
        return int(pl.scan_parquet(files, glob=False).select(pl.len()).collect().item())
    except Exception:  # unreadable metadata: the batches will name the file
        return None


def _spilled(folder: Path, name: str, part: int) -> pl.LazyFrame | None:
    """The spilled batches of one bucket (`rows`) or key partition (`keys`), or None when there are none."""
    files = sorted((folder / f"{name}-{part}").glob("batch-*.parquet"))
    return pl.concat([pl.scan_parquet(f, glob=False) for f in files], how="diagonal_relaxed") if files else None


KEY_HASH = "_key_hash"


def _key_hash(key: list[str]) -> pl.Expr:
    """A 64-bit hash of a row's `key` columns (the same within a process: one task hashes a table)."""
    return pl.struct(key).hash()


# Batches are held until they reach this size, then written as one file per bucket and key
# partition: a few files a bucket however many batches. A bucket of 1.76M events spilled so took
# 0.45 s to write and read back, against 1.9 s appended batch by batch to Arrow files (LZ4).
SPILL_BYTES = 256 << 20


class _Spill:
    """The batches of one table on disk while it is checked: every parsed row by bucket (with
    `_row_ok`: it passed the row checks) and the key hash of every parsed row by key partition, held
    until SPILL_BYTES, then written as scratch Parquet, a file per bucket or partition. Rows name
    their source file by its number in `sources` (a text column would be spilled on every row)."""

    def __init__(self, folder: Path, table: Table, buckets: int) -> None:
        self.folder, self.table, self.buckets = folder, table, buckets
        self.columns: dict[str, pl.DataType] = {}
        self.sources: list[str] = []
        self.held: dict[tuple[str, int], list[pl.DataFrame]] = {}
        self.held_bytes = 0
        self.flushes = 0

    def add(self, frame: pl.DataFrame, failed: pl.Series, source: str) -> None:
        """Spill the parsed rows of a batch of the file `source`, numbered by ROW; `failed`: the ROWs
        that failed a row check."""
        parsed = frame.filter(pl.col(PARSE_ERROR).is_null()).drop(PARSE_COLUMN, PARSE_ERROR)
        self.columns |= {c: d for c, d in parsed.schema.items() if not c.startswith("_") and c not in self.columns}
        if source not in self.sources:
            self.sources.append(source)
        parsed = parsed.with_columns(pl.lit(self.sources.index(source), dtype=pl.Int32).alias(SOURCE_FILE))
        key = list(self.table.key)
        # A key is spilled as its 64-bit hash, a third of the bytes of (portal_id, event_id): the
        # rows whose hashes repeat are the only ones whose whole keys are compared (`_duplicates`).
        keys = parsed.select(ROW, _key_hash(key).alias(KEY_HASH)).with_columns(
            (pl.col(KEY_HASH) % self.buckets).cast(pl.Int32).alias("_part")
        )
        rows = parsed.with_columns(~pl.col(ROW).is_in(failed.implode()).alias("_row_ok"))
        if self.buckets > 1:
            rows = rows.with_columns(contact_bucket(pl.col("portal_id"), pl.col("contact_id"), self.buckets).alias("_bucket"))
        else:
            rows = rows.with_columns(pl.lit(0, dtype=pl.Int32).alias("_bucket"))
        for name, frame_of, column in (("keys", keys, "_part"), ("rows", rows, "_bucket")):
            for (part,), piece in frame_of.partition_by(column, as_dict=True, maintain_order=False).items():
                self.held.setdefault((name, part), []).append(piece.drop(column))
                self.held_bytes += int(piece.estimated_size())
        if self.held_bytes >= SPILL_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the batches held, a file per bucket and key partition."""
        for (name, part), pieces in sorted(self.held.items()):
            write_parquet(
                pl.concat(pieces, how="diagonal_relaxed"), self.folder / f"{name}-{part}" / f"batch-{self.flushes}.parquet", scratch=True
            )
        self.held = {}
        self.held_bytes = 0
        self.flushes += 1


@dataclass(frozen=True)
class SpilledTable:
    """A table read and checked into its spill folder, waiting to be written bucket by bucket: what
    a bucket task needs, as paths and a schema (no frames travel to a worker)."""

    table_name: str
    folder: Path
    staged: Path
    snapshot_date: date
    buckets: int
    columns: dict[str, pl.DataType]
    # The source files the spilled rows name by number.
    sources: tuple[str, ...]

    @property
    def duplicates(self) -> Path:
        return self.folder / "duplicates.parquet"

    def quarantine(self, bucket: int | None = None) -> Path:
        """The quarantine lines of one bucket's duplicate keys, or (None) of the row checks."""
        return self.folder / f"quarantine-{'rows' if bucket is None else bucket}.parquet"

    def lake_part(self, bucket: int) -> Path:
        return self.staged / self.table_name / f"part-{bucket}.parquet"


def check_table(
    snapshot: Path,
    table_name: str,
    snapshot_date: date,
    staged: Path,
    mappings: ColumnMappings | None = None,
    sizes: Sizes = Sizes(),
) -> tuple[TableManifest, SpilledTable]:
    """Read one table in batches: row checks and foreign keys (against the parents already in
    `staged`) per batch, every parsed row spilled by bucket, duplicate keys found in a pass over the
    key columns by partition. Return the manifest so far and the spilled table."""
    table = TABLES[table_name]
    # A contact bucket checks its references to contacts itself (`write_bucket`): the batches need
    # only the other parents' keys, and never every contact's.
    local = bucket_references(table)
    references = tuple(fk for fk in table.foreign_keys if fk not in local)
    parents = {name: kept_keys(staged, name) for name in sorted(_parents_of(references))}
    files, manifest = _sources(snapshot, table_name)
    mapping = mappings.for_table(table_name) if mappings else None
    spill = _Spill(staged / ".spill" / table_name, table, sizes.buckets if table_name in BUCKETED_TABLES else 1)
    # A retried attempt starts clean: nothing of a failed one is read again.
    shutil.rmtree(spill.folder, ignore_errors=True)
    shutil.rmtree(staged / table_name, ignore_errors=True)
    quarantine = [pl.DataFrame(schema=QUARANTINE_SCHEMA)]
    progress = StepProgress(table_name, _expected_rows(files), "rows read and checked")
    try:
        for path in files:
            digest = sha256_beside(path)
            rows_in_file = 0
            for batch in parsed_batches(path, table, mapping, batch_rows=sizes.batch_rows):
                frame = batch.with_row_index(ROW, offset=manifest.rows_read).with_columns(pl.col(ROW).cast(pl.Int64))
                failures = row_failures(frame, table, parents, references)
                failed = failures.get_column(ROW).unique()
                quarantine.append(quarantine_rows(failures, frame.filter(pl.col(ROW).is_in(failed.implode())), table))
                spill.add(frame, failed, path.name)
                manifest.rows_read += frame.height
                rows_in_file += frame.height
                progress.update(manifest.rows_read, manifest.rows_read)
            manifest.files.append({"path": str(path), "sha256": digest.result(), "rows": rows_in_file})
    finally:
        progress.close()
    spill.flush()
    if clash := column_clash(list(spill.columns), table):
        raise SnapshotError(f"{snapshot / table_name}: across its files, {clash}")
    spilled = SpilledTable(table_name, spill.folder, staged, snapshot_date, spill.buckets, spill.columns, tuple(spill.sources))
    write_parquet(_duplicates(spill), spilled.duplicates, scratch=True)
    write_parquet(pl.concat(quarantine), spilled.quarantine(), scratch=True)
    return manifest, spilled


# The rows whose key hashes repeat are read back with their whole keys at most this many at a time.
CANDIDATE_ROWS = 2_000_000


def _duplicates(spill: _Spill) -> pl.DataFrame:
    """The failures (FAILURE_SCHEMA) of both (every) copies of each duplicate key of a spilled
    table, wherever they sit: per key partition the rows whose key hashes repeat, then among those
    the rows whose whole keys repeat, read back from the spilled rows (a hash's rows share a
    partition, so a group of partitions is checked on its own)."""
    key = list(spill.table.key)
    found = [pl.DataFrame(schema=FAILURE_SCHEMA)]
    group: list[pl.DataFrame] = []
    for part in range(spill.buckets):
        if (keys := _spilled(spill.folder, "keys", part)) is not None:
            repeated = keys.group_by(KEY_HASH).agg(pl.len().alias("_copies")).filter(pl.col("_copies") > 1)
            group.append(keys.join(repeated, on=KEY_HASH, how="semi").select(ROW).collect())
        if group and (part == spill.buckets - 1 or sum(g.height for g in group) >= CANDIDATE_ROWS):
            candidates = pl.concat(group).get_column(ROW)
            if candidates.len():
                files = sorted(spill.folder.glob("rows-*/batch-*.parquet"))
                rows = pl.concat([pl.scan_parquet(f, glob=False).select(ROW, *key) for f in files])
                found.append(duplicate_keys(rows.filter(pl.col(ROW).is_in(candidates.implode())), spill.table).collect())
            group = []
    return pl.concat(found)


KEY_SCHEMA = pl.Schema({c: pl.Int64() for c in CONTACT_KEY})


def write_bucket(spilled: SpilledTable, bucket: int) -> int:
    """Write one bucket of a spilled table: its kept rows to the staged lake in the lake's order, the
    rows of its duplicate keys and of its references to contacts missing from the same bucket to its
    quarantine file. Return the rows kept (memory holds one bucket)."""
    table = TABLES[spilled.table_name]
    rows = _spilled(spilled.folder, "rows", bucket)
    duplicates = pl.read_parquet(spilled.duplicates, glob=False)
    dropped = duplicates.get_column(ROW).implode()
    if rows is None:
        write_parquet(pl.DataFrame(schema=QUARANTINE_SCHEMA), spilled.quarantine(bucket), scratch=True)
        return 0
    # One bucket in memory (its size is bounded by the bucket count): the in-memory engine sorts it
    # several times faster than a streaming sink.
    collected = rows.collect(engine="in-memory")
    in_bucket = collected.select(
        *[pl.col(c) if c in collected.columns else pl.lit(None, dtype=d).alias(c) for c, d in spilled.columns.items()],
        *[c for c in collected.columns if c.startswith("_")],
    )
    del collected
    local = bucket_references(table)
    if local:
        contacts = spilled.staged / "contacts" / f"part-{bucket}.parquet"
        keys = pl.read_parquet(contacts, columns=list(CONTACT_KEY), glob=False) if contacts.exists() else pl.DataFrame(schema=KEY_SCHEMA)
        columns = {c for fk in local for c in fk.columns}
        unknown = reference_failures(in_bucket.select(ROW, *columns), table, local, {"contacts": keys})
        duplicates = pl.concat([duplicates, unknown])
        dropped = duplicates.get_column(ROW).implode()
    rejected = in_bucket.filter(pl.col(ROW).is_in(dropped)).with_columns(
        pl.col(SOURCE_FILE).replace_strict(range(len(spilled.sources)), spilled.sources, return_dtype=pl.String)
    )
    write_parquet(quarantine_rows(duplicates, rejected, table), spilled.quarantine(bucket), scratch=True)
    kept = in_bucket.filter(pl.col("_row_ok") & ~pl.col(ROW).is_in(dropped))
    del in_bucket
    # Read order, unless the lake keeps the table in its contract's order (a total order).
    kept = stored_order(kept, spilled.table_name) if table.cluster_by else kept.sort(ROW)
    write_parquet(
        kept.select(list(spilled.columns)).with_columns(pl.lit(spilled.snapshot_date).alias("snapshot_date")), spilled.lake_part(bucket)
    )
    return kept.height


_TASK_OPTIONS: dict[str, Any] = {"retries": 2, "retry_delay_seconds": 1, "retry_condition_fn": transient, "cache_policy": NO_CACHE}
check_table_task = task(name="ingest-table", **_TASK_OPTIONS)(check_table)
write_bucket_task = task(name="ingest-bucket", **_TASK_OPTIONS)(write_bucket)


def ingest_table(
    snapshot: Path,
    table_name: str,
    snapshot_date: date,
    staged: Path,
    mappings: ColumnMappings | None = None,
    sizes: Sizes = Sizes(),
    as_tasks: bool = True,
) -> TableManifest:
    """Validate one table into `staged` (after its parents): checked in batches (`check_table`),
    then written bucket by bucket (`write_bucket`). With `as_tasks` each step is a task on the flow's
    task runner (on a Dask cluster, the buckets side by side), else a call in this process. Memory
    follows a batch and a bucket, not the table."""
    started = time.perf_counter()
    if as_tasks:
        # The check reads the whole table in batches, one after another: in the flow's own process
        # (a worker sized for a bucket is too small for it); the buckets it spills go to the cluster.
        manifest, spilled = check_table_task(snapshot, table_name, snapshot_date, staged, mappings, sizes)
        # A table kept whole is written here: a task of its own would only add the cluster's overhead.
        futures = [write_bucket_task.submit(spilled, b) for b in range(spilled.buckets)] if spilled.buckets > 1 else []
        kept = _written(table_name, [future.result for future in futures]) or [write_bucket(spilled, 0)]
    else:
        manifest, spilled = check_table(snapshot, table_name, snapshot_date, staged, mappings, sizes)
        kept = _written(table_name, [partial(write_bucket, spilled, b) for b in range(spilled.buckets)])
    manifest.rows_kept = sum(kept)
    dated = pl.lit(snapshot_date).alias("snapshot_date")
    if not manifest.rows_kept:
        write_parquet(_empty(TABLES[table_name]).with_columns(dated), staged / table_name / "part-0.parquet")
    parts = [spilled.quarantine(), *[spilled.quarantine(b) for b in range(spilled.buckets)]]
    lines = pl.read_parquet(parts, glob=False).sort("source_file", "source_row", "column_name", "reason")
    shutil.rmtree(spilled.folder, ignore_errors=True)
    manifest.rows_quarantined = lines.select(pl.struct("source_file", "source_row").n_unique()).item() if lines.height else 0
    write_parquet(lines.with_columns(dated), staged / "_quarantine" / f"{table_name}.parquet")
    manifest.seconds = round(time.perf_counter() - started, 3)
    manifest.buckets = spilled.buckets
    run_logger().info(
        "%s: read %d, kept %d, quarantined %d rows in %.1fs (%d bucket(s), %.0f rows/s)",
        table_name,
        manifest.rows_read,
        manifest.rows_kept,
        manifest.rows_quarantined,
        manifest.seconds,
        spilled.buckets,
        manifest.rows_read / max(manifest.seconds, 1e-3),
    )
    return manifest


def _written(table_name: str, buckets: list[Callable[[], int]]) -> list[int]:
    """The rows kept by each of `buckets` (each written, or waited for, when called), with the
    progress of the table's bucket writes."""
    if len(buckets) < 2:
        return [bucket() for bucket in buckets]
    kept: list[int] = []
    with StepProgress(f"{table_name} buckets", len(buckets), "buckets written") as progress:
        for bucket in buckets:
            kept.append(bucket())
            progress.update(len(kept), sum(kept))
    return kept


def kept_keys(staged: Path, table_name: str) -> pl.DataFrame:
    """The key columns of the rows of `table_name` kept in `staged` (what the foreign keys of the
    tables after it are checked against)."""
    files = sorted((staged / table_name).glob("part-*.parquet"))
    return pl.read_parquet(files, columns=list(TABLES[table_name].key), glob=False)


def snapshot_buckets(snapshot: Path, worker_memory: int | None = None) -> int:
    """How many contact buckets a snapshot is split into: `ENGAGE_BUCKETS` when set, else by the size
    of its contact-keyed files and the memory limit of the workers (`bucket_count`)."""
    setting = os.environ.get("ENGAGE_BUCKETS", "").strip()
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise ValueError(f"ENGAGE_BUCKETS must be a whole number of buckets, 1 or more, not {setting!r}")
        return int(setting)
    files = [path for name in BUCKETED_TABLES for path in table_files(snapshot, name)]
    # Compressed text is counted like Parquet: both hold several times their bytes in text.
    text = sum(path.stat().st_size for path in files if file_format(path) in (FileFormat("csv"), FileFormat("ndjson")))
    return bucket_count(text, sum(path.stat().st_size for path in files) - text, worker_memory)


def ingest_snapshot(
    snapshot: Path,
    snapshot_date: date,
    paths: Paths,
    mappings: ColumnMappings | None = None,
    as_tasks: bool = True,
    required: set[str] | None = None,
) -> list[TableManifest]:
    """Validate every contract table of `snapshot` (headers mapped by `mappings`) into the lake's
    snapshot of `snapshot_date`, published whole (see `ingest_table` for `as_tasks`). The tables
    `required` names (None: every table the contract does not call optional) must have files; the
    others are stored empty when absent. A lake snapshot ingested from the same inputs is reused
    (`flows/io/lake_reuse.py`); its tables' manifests then count no seconds."""
    require_tables(snapshot, set(INGEST_ORDER) if required is None else required)
    sizes = Sizes(snapshot_buckets(snapshot, worker_memory()))
    inputs: dict[str, object] | None = None
    try:
        inputs = ingest_inputs({name: _files(snapshot, name) for name in INGEST_ORDER}, mappings, sizes.buckets)
        stored, why = reusable_manifests(paths, snapshot_date, inputs)
    except (OSError, SnapshotError) as exc:
        # The ingest's own tasks read the same files again, retry what is transient and name what is not.
        inputs, stored, why = None, None, f"cannot tell whether the lake can be reused ({first_line(exc)}): ingesting anew"
    run_logger().info("%s: %s", paths.lake_snapshot(snapshot_date).name, why)
    if stored is not None:
        return [TableManifest(**{**manifest, "seconds": 0.0}) for manifest in stored]
    # Named as a temporary folder: a run that finds one left by a killed run removes it.
    staged_root = paths.lake / f".staging-{snapshot_date.isoformat()}.{uuid.uuid4().hex[:8]}.tmp"
    staged_root.mkdir(parents=True)
    manifests = [ingest_table(snapshot, name, snapshot_date, staged_root, mappings, sizes, as_tasks) for name in INGEST_ORDER]
    publish_snapshot(paths, snapshot_date, staged_root, [asdict(m) for m in manifests], inputs)
    shutil.rmtree(staged_root / ".spill", ignore_errors=True)
    staged_root.rmdir()
    return manifests
