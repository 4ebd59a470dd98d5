"""Contact buckets: contact-keyed tables split by a stable hash of (portal_id, contact_id), so each
bucket holds every row of its contacts and can be checked, stored and scored on its own."""

from __future__ import annotations

import math

import polars as pl

from transforms.snapshot.contract import ForeignKey, Table

# Tables whose rows belong to one contact. Company, list, reset and partner tables stay whole.
BUCKETED_TABLES = ("contacts", "associations", "events")
# The columns a row's bucket is the hash of.
CONTACT_KEY = ("portal_id", "contact_id")
# Text bytes per bucket when the count follows the data size: about 1.5M events of a CRM export,
# some 250 MB in memory. Parquet holds the same rows in about an eighth of the bytes.
BUCKET_BYTES = 128 * 1024 * 1024
PARQUET_EXPANSION = 8
# On workers with a memory limit, a bucket's text bytes stay within this share of the limit: writing
# a bucket's lake file holds about six times its text bytes (its rows parsed, filtered and sorted),
# beside the worker's own ~300 MB, and Dask pauses a worker at 80% of its limit.
WORKER_SHARE = 24


def bucket_references(table: Table) -> tuple[ForeignKey, ...]:
    """The foreign keys of `table` that a contact bucket checks on its own: a contact-keyed table's
    references to contacts, whose rows sit in the same bucket (the same hash of the same columns)."""
    if table.name not in BUCKETED_TABLES:
        return ()
    return tuple(fk for fk in table.foreign_keys if fk.parent == "contacts" and fk.columns == CONTACT_KEY == fk.parent_columns)


_GOLDEN, _MIX1, _MIX2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def contact_hash(portal_id: pl.Expr, contact_id: pl.Expr) -> pl.Expr:
    """A 64-bit hash of (portal_id, contact_id), the same on every machine and Polars version:
    splitmix64's finalizer in wrapping unsigned arithmetic (null for a null id)."""
    x = portal_id.cast(pl.UInt64, wrap_numerical=True) * pl.lit(_GOLDEN, dtype=pl.UInt64) + contact_id.cast(pl.UInt64, wrap_numerical=True)
    x = (x ^ (x // 2**30)) * pl.lit(_MIX1, dtype=pl.UInt64)
    x = (x ^ (x // 2**27)) * pl.lit(_MIX2, dtype=pl.UInt64)
    return x ^ (x // 2**31)


def contact_bucket(portal_id: pl.Expr, contact_id: pl.Expr, buckets: int) -> pl.Expr:
    """The bucket (0..buckets-1) of a contact's rows; rows with a null id go to bucket 0."""
    return (contact_hash(portal_id, contact_id) % buckets).fill_null(0).cast(pl.Int32)


def bucket_count(text_bytes: int, parquet_bytes: int = 0, worker_memory: int | None = None) -> int:
    """How many buckets a snapshot is split into, by the sizes of its contact-keyed files (CSV and
    NDJSON bytes as they are, Parquet bytes as the text they hold) and, when known, the smallest
    memory limit of the workers that process them."""
    per_bucket = BUCKET_BYTES if worker_memory is None else max(1, min(BUCKET_BYTES, worker_memory // WORKER_SHARE))
    return max(1, math.ceil((text_bytes + PARQUET_EXPANSION * parquet_bytes) / per_bucket))
