"""The analysts' DuckDB warehouse: a catalog of views over day folders of Parquet and the lake.

Loads never open the DuckDB file for writing while analysts read it: a day's tables are written
to a new folder and swapped in atomically (see `flows.io.storage`), and the catalog file itself is
rebuilt aside and renamed into place only when its DDL changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import uuid
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from flows.io.analyst import built_for
from flows.io.lake import lake_schema
from flows.io.paths import DAY_PREFIX, SNAPSHOT_PREFIX, SQL_DIR, Paths, dated_folders
from flows.io.storage import publish, staging_dir, write_parquet
from transforms.outputs import OUTPUT_SCHEMAS, polars_schema
from transforms.scores.registry import REGISTRY_SCHEMA
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY, SCORE_DEFINITIONS
from transforms.snapshot.contract import INGEST_ORDER, TABLES
from transforms.snapshot.validate import QUARANTINE_SCHEMA

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
# The catalog (views and macros only) is written in the storage format of DuckDB 1.5, so the DuckDB
# shell installed with the project (the `duckdb-cli` package, 1.5) opens it as well as Python's 2.x.
CATALOG_STORAGE = "v1.5.0"
RUN_LOG_SCHEMA = pl.Schema(
    {
        "run_id": pl.String(),
        "flow": pl.String(),
        "as_of": pl.Date(),
        "snapshot_date": pl.Date(),
        "step": pl.String(),
        "table_name": pl.String(),
        "rows_read": pl.Int64(),
        "rows_kept": pl.Int64(),
        "rows_quarantined": pl.Int64(),
        "rows_written": pl.Int64(),
        "seconds": pl.Float64(),
        "finished_at": pl.Datetime("us", "UTC"),
    }
)


def _identifier(name: str) -> str:
    if not IDENTIFIER.match(name):
        raise ValueError(f"not a safe table name: {name!r}")
    return name


def _string(path: Path) -> str:
    """`path` as the body of a SQL string literal: quotes doubled."""
    text = str(path)
    if "\x00" in text or "\n" in text:
        raise ValueError(f"unsafe path for the warehouse: {text!r}")
    return text.replace("'", "''")


def file_pattern(path: str) -> str:
    """`path` as a DuckDB file pattern that matches only itself: `*?[` each in a class of its own."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in path)


def _literal_path(path: Path) -> str:
    """`path` as the body of a SQL string that DuckDB's patterns read as itself: quotes doubled, and
    `*?[` escaped (the views append patterns such as `/day=*/` to it)."""
    return file_pattern(_string(path))


def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text()


def view_files() -> list[Path]:
    """The analysts' views, one per file, in dependency order (file names sort that way)."""
    return sorted((SQL_DIR / "views").glob("*.sql"))


def view_name(path: Path) -> str:
    """The name of the view a file of `sql/views/` creates."""
    found = re.search(r"create or replace view (\w+)", path.read_text())
    if found is None:
        raise ValueError(f"{path}: no `create or replace view` statement")
    return found.group(1)


def catalog_ddl(paths: Paths, day_tables: list[str]) -> str:
    """Return the DDL of the whole catalog: macros, snapshot and day tables, quarantine, run log, views."""
    parts = [
        _sql("base/macros.sql").format(store=_literal_path(paths.store), lake=_literal_path(paths.lake), warehouse=_string(paths.warehouse))
    ]
    parts += [_sql("base/lake_table.sql").format(table=_identifier(t)) for t in INGEST_ORDER]
    parts.append(_sql("base/score_definitions.sql"))
    parts += [
        _sql("base/score_table.sql" if t.startswith("engagement_score") else "base/day_table.sql").format(table=_identifier(t))
        for t in day_tables
    ]
    parts += [_sql(f"base/{name}.sql") for name in ("score_history", "quarantine", "run_log", "computed_days")]
    parts += [path.read_text() for path in view_files()]
    parts.append(_views_view(day_tables))
    parts += _comments(day_tables)
    return "\n".join(parts)


# The catalog's views by group: the snapshot tables by the contract, every other view by its prefix.
VIEW_GROUPS = (
    ("engagement_", "scores"),
    ("score_", "scores"),
    ("platform_", "partner dashboard"),
    ("client", "partner dashboard"),
    ("upcoming_renewals", "partner dashboard"),
    ("renewal_", "partner dashboard"),
    ("partner_", "partner points"),
    ("quarantine", "operations"),
    ("run_", "operations"),
    ("engage_", "operations"),
)


def view_group(name: str) -> str:
    """The group a view of the catalog belongs to (`engage_views` lists them by group); `other` for a
    name without a group's prefix (the analyst catalog's test refuses one among engage's views)."""
    if name in INGEST_ORDER:
        return "snapshot"
    return next((group for prefix, group in VIEW_GROUPS if name.startswith(prefix)), "other")


def _view_names(day_tables: list[str]) -> list[str]:
    """Every view the catalog defines."""
    defined = [view_name(path) for path in view_files()]
    fixed = ["engagement_score_history", "score_definitions", "quarantine", "run_log", "engage_views"]
    return [*INGEST_ORDER, *day_tables, *fixed, *defined]


def _views_view(day_tables: list[str]) -> str:
    """`engage_views`: every view of the catalog with its group and description, the map an analyst
    starts from."""
    rows = ",\n    ".join(f"('{name}', '{view_group(name)}')" for name in sorted(_view_names(day_tables)))
    return (
        "create or replace view engage_views as\n"
        "select groups.view_group, views.view_name, views.comment as description\n"
        "from duckdb_views() as views\n"
        f"join (values\n    {rows}\n) as groups (view_name, view_group) using (view_name)\n"
        "where not views.internal\n"
        "order by groups.view_group, views.view_name;"
    )


def _column_descriptions() -> dict[str, str]:
    """A description per column name, from the output schemas and the data contract: the views pass
    these columns through under the same names."""
    known = {
        column: spec.description
        for schema in [*OUTPUT_SCHEMAS.values(), ENGAGEMENT_SCORE_HISTORY, SCORE_DEFINITIONS]
        for column, spec in schema.columns.items()
        if spec.description
    }
    contract = {
        column.name: f"{column.kind} column of the data contract ({'may be null' if column.nullable else 'required'})"
        for table in INGEST_ORDER
        for column in TABLES[table].columns
    }
    return contract | known | {"snapshot_date": "the date of the snapshot the row was ingested from"}


def _comment_remaining_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Comment every view column the DDL left without one, by its name (known from another table)
    or as part of its view."""
    known = _column_descriptions()
    views = "select view_name from duckdb_views() where not internal"
    missing = con.sql(f"select table_name, column_name from duckdb_columns() where comment is null and table_name in ({views})").fetchall()
    for view, column in missing:
        text = known.get(column, f"{column}: a column of {view}; the view's description says how it is computed")
        con.execute(f'comment on column "{view}"."{column.replace(chr(34), chr(34) * 2)}" is {_quoted(text)}')


def _quoted(text: str) -> str:
    return "'" + " ".join(text.split()).replace("'", "''") + "'"


def view_description(path: Path) -> str:
    """What a view of `sql/views/` holds: its file's leading comment lines."""
    return " ".join(line.removeprefix("--").strip() for line in path.read_text().splitlines() if line.startswith("--"))


def _comments(day_tables: list[str]) -> list[str]:
    """`comment on` statements for every table view and its columns, from the same descriptions as the
    data dictionary (the Pandera schemas, the contract, the views' own header comments), so an
    analyst's `describe` or `duckdb_columns()` explains each one."""
    described = {name: OUTPUT_SCHEMAS[name] for name in day_tables if name in OUTPUT_SCHEMAS}
    described |= {"engagement_score_history": ENGAGEMENT_SCORE_HISTORY, "score_definitions": SCORE_DEFINITIONS}
    statements = []
    for name, schema in sorted(described.items()):
        statements.append(f"comment on view {_identifier(name)} is {_quoted(schema.description or name)};")
        statements += [
            f"comment on column {_identifier(name)}.{_identifier(column)} is {_quoted(spec.description)};"
            for column, spec in schema.columns.items()
            if spec.description
        ]
    for table in INGEST_ORDER:
        statements.append(
            f"comment on view {_identifier(table)} is {_quoted(f'The validated snapshot table {table}: every snapshot date ingested (snapshot_date), from the lake; docs/warehouse.md lists its columns.')};"
        )
    statements.append(
        f"comment on view quarantine is {_quoted('Rejected snapshot rows with the table, source file and row, key, column and reason, per snapshot date.')};"
    )
    statements.append(
        f"comment on view run_log is {_quoted('One row per table per run and day: rows read, kept, quarantined and written, and timings.')};"
    )
    statements += [f"comment on view {_identifier(view_name(path))} is {_quoted(view_description(path))};" for path in view_files()]
    statements.append(
        f"comment on view engage_views is {_quoted('Every view of this warehouse by group (snapshot, scores, partner dashboard, partner points, operations), with its description: start here.')};"
    )
    return statements


def day_table_schemas() -> dict[str, pl.Schema]:
    """The column types of every table a day holds."""
    return {name: polars_schema(name) for name in OUTPUT_SCHEMAS}


def relink(paths: Paths) -> bool:
    """Rebuild the catalog of a copied or moved warehouse so its views read its own files; return
    whether it needed it."""
    if built_for(paths) == paths.warehouse:
        return False
    return ensure_catalog(paths, day_table_schemas())


def ensure_catalog(paths: Paths, day_schemas: dict[str, pl.Schema]) -> bool:
    """Rebuild the DuckDB catalog when its DDL changed; return whether it was rebuilt."""
    placeholders: dict[Path, pl.Schema] = {paths.run_log / "_schema.parquet": RUN_LOG_SCHEMA}
    if not paths.registry.exists():
        placeholders[paths.registry] = REGISTRY_SCHEMA
    # Empty files where the views' patterns find them, fixing the column types before the first snapshot.
    schema_date = f"{SNAPSHOT_PREFIX}_schema"
    placeholders |= {paths.lake / t / schema_date / "data" / "part-0.parquet": lake_schema(t) for t in INGEST_ORDER}
    quarantine_schema = pl.Schema({**QUARANTINE_SCHEMA, "snapshot_date": pl.Date()})
    placeholders[paths.lake / "_quarantine" / schema_date / "tables" / "_schema.parquet"] = quarantine_schema
    placeholders |= {paths.schema_day / _identifier(t) / "part-0.parquet": schema for t, schema in day_schemas.items()}
    # Imported here: the history store brings pandera, which quick read-only commands do without.
    from flows.io.history_store import ensure_history

    ensure_history(paths)
    _move_flat_days(paths)
    for target, schema in placeholders.items():
        if not target.exists() or pl.scan_parquet(target, glob=False).collect_schema() != schema:
            write_parquet(pl.DataFrame(schema=schema), target)
    ddl = catalog_ddl(paths, sorted(day_schemas))
    digest = hashlib.sha256(ddl.encode()).hexdigest()
    stamp = paths.store / "catalog.sha256"
    if paths.warehouse.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    tmp = paths.warehouse.with_name(f".{paths.warehouse.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        # Built in a scratch folder of its own: DuckDB cannot write a database whose path holds `?`
        # (it takes the rest for options), and a killed build leaves nothing beside the warehouse.
        with tempfile.TemporaryDirectory(prefix="engage-catalog-") as scratch:
            built = Path(scratch) / "catalog.duckdb"
            with duckdb.connect(str(built), config={"storage_compatibility_version": CATALOG_STORAGE}) as con:
                con.execute(ddl)
                _comment_remaining_columns(con)
                con.execute("checkpoint")
            shutil.copyfile(built, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        # Analysts holding the old file keep reading it; new sessions open the new one.
        os.replace(tmp, paths.warehouse)
    finally:
        tmp.unlink(missing_ok=True)
    stamp.write_text(digest)
    return True


def stage_day(paths: Paths, as_of: date) -> Path:
    """A new, empty folder to write the next version of the day `as_of` into."""
    link = paths.day(as_of)
    link.parent.mkdir(parents=True, exist_ok=True)
    return staging_dir(link)


def write_day_part(staged: Path, table: str, part: str, frame: pl.DataFrame) -> None:
    """Write `frame` as the part `part` of `table` in a staged day (`<table>/<part>.parquet`)."""
    write_parquet(frame, staged / _identifier(table) / f"{part}.parquet")


def publish_staged_day(paths: Paths, as_of: date, staged: Path) -> None:
    """Swap the staged folder in as the day `as_of`, atomically."""
    publish(staged, paths.day(as_of))


def publish_day(paths: Paths, as_of: date, tables: dict[str, pl.DataFrame]) -> dict[str, int]:
    """Replace the day `as_of` with `tables` (one part each) in one atomic swap; return the rows written per table."""
    staged = stage_day(paths, as_of)
    for name, frame in tables.items():
        write_day_part(staged, name, "all", frame)
    publish_staged_day(paths, as_of, staged)
    return {name: frame.height for name, frame in tables.items()}


def _move_flat_days(paths: Paths) -> None:
    """Rewrite the days stored before tables were split into parts (`<table>.parquet`), and drop the
    flat schema files, so the views' `<table>/*.parquet` reads every day."""
    for stale in paths.schema_day.glob("*.parquet"):
        stale.unlink()
    for day in published_days(paths):
        flat = sorted(paths.day(day).glob("*.parquet"))
        if flat:
            publish_day(paths, day, {path.stem: pl.read_parquet(path, glob=False) for path in flat})


def day_table(paths: Paths, as_of: date, table: str, part: str | None = None) -> pl.LazyFrame:
    """The rows of `table` as published for the day `as_of`: of every part, or of `part` alone."""
    folder = paths.day(as_of) / _identifier(table)
    files = sorted(folder.glob("*.parquet")) if part is None else [folder / f"{part}.parquet"]
    files = [path for path in files if path.exists()]
    if not files:
        return pl.LazyFrame(schema=polars_schema(table))
    return pl.scan_parquet(files, glob=False)


def published_days(paths: Paths) -> list[date]:
    """The days the store holds, ascending."""
    return dated_folders(paths.store, DAY_PREFIX)


def append_run_log(paths: Paths, rows: pl.DataFrame) -> None:
    """Add one run's rows to the append-only run log."""
    write_parquet(rows.select(list(RUN_LOG_SCHEMA)).cast(RUN_LOG_SCHEMA), paths.run_log / f"{rows['run_id'][0]}.parquet")


def write_manifest(paths: Paths, run_id: str, manifest: dict[str, object]) -> Path:
    """Keep a run's manifest (input hashes and row counts) beside the run log."""
    target = paths.store / "manifests" / f"{run_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(manifest, indent=2, default=str))
    return target
