"""The analysts' and the report's queries, one per file in `sql/queries/`, named for what they return."""

from __future__ import annotations

from functools import cache

from flows.io.paths import SQL_DIR


@cache
def query(name: str) -> str:
    """The text of `sql/queries/<name>.sql` (parameters are `$name`, bound by the caller)."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text()
