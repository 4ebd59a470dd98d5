"""Print a digest of every table and view of a warehouse, to show two runs wrote the same rows.

    python -m flows.dev.table_digest data/warehouse.duckdb > before.txt

Each line: the relation, its row count, a hash of its rows in the order the warehouse returns
them (read on one thread, so in file order) and a hash of its rows sorted. Columns that differ between two identical runs by nature
(run ids, wall-clock times and durations, absolute file paths) are left out and named in the
line. Two runs wrote the same rows when their digests are equal line by line.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import duckdb

# Different on every run by nature: identifiers, wall clock, durations, where the files live.
VOLATILE = {"run_id", "finished_at", "seconds", "compute_seconds", "file"}


def _digest(rows: list[tuple[object, ...]]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(row).encode())
    return h.hexdigest()[:16]


def digest_lines(warehouse: Path) -> list[str]:
    """Return one line per relation of `warehouse`: name, rows, ordered hash, sorted hash."""
    lines = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # One thread: a parallel scan of several files returns their rows in no fixed order.
        con.execute("set threads = 1")
        names = [r[0] for r in con.sql("select table_name from information_schema.tables order by table_name").fetchall()]
        for name in names:
            columns = con.sql(f'select * from "{name}" limit 0').columns
            kept = [c for c in columns if c not in VOLATILE]
            dropped = sorted(set(columns) - set(kept))
            select = ", ".join(f'"{c}"' for c in kept)
            rows = con.sql(f'select {select} from "{name}"').fetchall()
            ordered = _digest(rows)
            ranked = _digest(sorted(rows, key=repr))
            lines.append(f"{name}\t{len(rows)}\t{ordered}\t{ranked}" + (f"\twithout {','.join(dropped)}" if dropped else ""))
    return lines


if __name__ == "__main__":
    print("\n".join(digest_lines(Path(sys.argv[1]))))
