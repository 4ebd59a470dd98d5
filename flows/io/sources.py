"""Sources beyond files: the contract tables pulled from a PostgreSQL schema into a snapshot of Parquet.

A source is named by a URL, `postgresql://user@host:port/db?schema=crm`: the tables of the data
contract are read from that schema through ADBC (Arrow end to end, no row-by-row driver), written
to a snapshot folder, and ingested like any other snapshot, with the same validation and quarantine.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.io.errors import SnapshotError, one_line, transient
from flows.io.logs import run_logger
from transforms.snapshot.contract import INGEST_ORDER, TABLES

SCHEMES = ("postgresql://", "postgres://")
SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def is_source_url(text: str) -> bool:
    """Whether a snapshot argument names a database source rather than a folder."""
    return text.startswith(SCHEMES)


def split_source(url: str) -> tuple[str, str]:
    """(connection URL, schema) of a source URL; the schema is checked as a plain identifier, since it
    is spliced into the queries as a quoted name."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    schema = query.pop("schema", "public")
    if not SCHEMA_NAME.match(schema):
        raise SnapshotError(f"{redacted(url)}: schema {schema!r} is not a plain lower-case identifier")
    return urlunsplit(parts._replace(query=urlencode(query))), schema


def _without(url: str, replacement: str | None) -> tuple[str, str | None]:
    """`url` with its password (in the address or as `password=` in the query) replaced, or removed
    when `replacement` is None; and the password, None when it had none."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    password = (unquote(parts.password) if parts.password is not None else None) or next(
        (v for k, v in query if k.lower() == "password"), None
    )
    netloc = parts.netloc
    if parts.password is not None:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}{'' if replacement is None else ':' + replacement}@{host}"
    kept = [(k, replacement or "") for k, v in query if k.lower() == "password"] if replacement is not None else []
    query = [(k, v) for k, v in query if k.lower() != "password"] + kept
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*"))), password


def redacted(url: str) -> str:
    """The URL with its password masked, for logs and errors."""
    masked, password = _without(url, "***")
    return masked if password is not None else url


def without_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None when it has none): a password travels
    in PGPASSWORD, never in a flow run's parameters, which Prefect stores."""
    return _without(url, None)


def _plain(table: pa.Table) -> pa.Table:
    """Extension columns (PostgreSQL `numeric` arrives as opaque text) as their storage type."""
    columns = [c.storage if isinstance(c.type, pa.BaseExtensionType) else c for c in (col.combine_chunks() for col in table.columns)]
    return pa.table(columns, names=table.column_names)


@task(name="pull-postgres", retries=2, retry_delay_seconds=2, retry_condition_fn=transient, cache_policy=NO_CACHE)
def pull_postgres(url: str, out: Path) -> dict[str, int]:
    """Write the contract tables of the source's schema to `out` (replaced whole); return rows per table."""
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
            raise ConnectionError(f"{redacted(url)}: cannot connect: {one_line(str(exc).strip().splitlines()[0])}") from None
        with con, con.cursor() as cur:
            cur.execute("select table_name from information_schema.tables where table_schema = $1", parameters=(schema,))
            present = {row[0] for row in cur.fetchall()}
            absent = [t for t in INGEST_ORDER if t not in present and not TABLES[t].optional]
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
