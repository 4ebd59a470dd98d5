"""Read-only access to a warehouse, as analysts and the quick commands (`status`, `scores list`)
have it: light to import, never blocking a load."""

from __future__ import annotations

from pathlib import Path

import duckdb

from flows.io.paths import Paths


def connect_read_only(paths: Paths) -> duckdb.DuckDBPyConnection:
    """An analyst's connection: read-only, never blocking a load."""
    return duckdb.connect(str(paths.warehouse), read_only=True)


def built_for(paths: Paths) -> Path | None:
    """The warehouse file the catalog at `paths` was built for (its store paths point there), or None
    for a catalog from before that was recorded."""
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        try:
            return Path(con.sql("select engage_warehouse()").fetchall()[0][0])
        except duckdb.CatalogException:
            return None
