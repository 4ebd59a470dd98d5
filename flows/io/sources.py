"""Sources beyond files: the contract tables pulled from a PostgreSQL schema into a snapshot of Parquet.

A source is named by a URL, `postgresql://user@host:port/db?schema=crm`: the tables of the data
contract are read from that schema through ADBC (Arrow end to end, no row-by-row driver), written
to a snapshot folder, and ingested like any other snapshot, with the same validation and quarantine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.io.errors import SnapshotError, first_line, transient
from flows.io.logs import run_logger
from flows.io.source_urls import redacted, split_source, without_password
from transforms.snapshot.contract import INGEST_ORDER, TABLES


def _plain(table: pa.Table) -> pa.Table:
    """Extension columns (PostgreSQL `numeric` arrives as opaque text) as their storage type."""
    columns = [c.storage if isinstance(c.type, pa.BaseExtensionType) else c for c in (col.combine_chunks() for col in table.columns)]
    return pa.table(columns, names=table.column_names)


@task(name="pull-postgres", retries=2, retry_delay_seconds=2, retry_condition_fn=transient, cache_policy=NO_CACHE)
def pull_postgres(url: str, out: Path, required: list[str] | None = None) -> dict[str, int]:
    """Write the contract tables of the source's schema to `out` (replaced whole); return rows per
    table. The schema must hold the `required` tables (None: every table not optional)."""
    import adbc_driver_postgresql.dbapi as postgres

    if without_password(url)[1] is not None:
        raise SnapshotError(
            f"{redacted(url)}: a password in the source URL would be stored with the run's parameters; "
            "set it in PGPASSWORD or ~/.pgpass instead"
        )
    connection_url, schema = split_source(url)
    staged = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    staged.mkdir(parents=True)
    counts: dict[str, int] = {}
    try:
        try:
            con = postgres.connect(connection_url)
        except postgres.Error as exc:
            # Refused or timed out: worth the task's retries (an OSError), then one line.
            raise ConnectionError(f"{redacted(url)}: cannot connect: {first_line(exc)}") from None
        with con, con.cursor() as cur:
            cur.execute("select table_name from information_schema.tables where table_schema = $1", parameters=(schema,))
            present = {row[0] for row in cur.fetchall()}
            wanted = [t for t in INGEST_ORDER if not TABLES[t].optional] if required is None else required
            absent = [t for t in INGEST_ORDER if t in wanted and t not in present]
            if absent:
                raise SnapshotError(f"{redacted(url)}: schema {schema} lacks required table(s) {', '.join(absent)}")
            for table in (t for t in INGEST_ORDER if t in present):
                cur.execute(f'select * from "{schema}"."{table}"')
                data = _plain(cur.fetch_arrow_table())
                pq.write_table(data, staged / f"{table}.parquet", compression="zstd")
                counts[table] = data.num_rows
                run_logger().info("pulled %s.%s: %d rows", schema, table, data.num_rows)
        old = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.old")
        if out.exists():
            os.replace(out, old)
        os.replace(staged, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return counts
