"""Benchmark: finding every row of a duplicate key of `events`, three ways, each in a process of its own.

- engage's pass (`flows/ingest.py`): the key of each batch spilled as its 64-bit hash by hash
  partition, then per partition the rows whose hashes repeat compared by their whole keys;
- Polars' streaming engine: a group_by over the key columns, then a semi join;
- DuckDB with a memory limit (it spills its hash tables to a temporary folder past it).

The generated snapshot's events plus a copy of the first `--copies` of them (a snapshot exported
twice in part): every way must find the same rows. Prints seconds and peak RSS of each. Run with
`make bench-keys` (ARGS="--contacts N --events-per-contact E --copies K --duckdb-memory 1GB").
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import polars as pl

from benchmarks.common import BENCH_DIR, measured, snapshot
from flows.ingest import snapshot_buckets
from flows.io.snapshot_files import table_files
from flows.io.warehouse import file_pattern

ENGAGE = """
def main(files, folder, partitions):
    from pathlib import Path

    import polars as pl
    from flows.ingest import _Spill, _duplicates
    from transforms.snapshot.contract import TABLES
    from transforms.snapshot.parse import PARSE_COLUMN, PARSE_ERROR
    from transforms.snapshot.validate import ROW

    started = time.perf_counter()
    spill = _Spill(Path(folder), TABLES["events"], int(partitions))
    none_failed = pl.Series(ROW, [], dtype=pl.Int64)
    offset = 0
    for path in json.loads(files):
        # The columns the pass needs: the key, and the contact that places a row in its bucket.
        scan = pl.scan_parquet(path, glob=False).select("portal_id", "event_id", "contact_id")
        for batch in scan.collect_batches(chunk_size=500_000):
            frame = batch.with_row_index(ROW, offset=offset).with_columns(
                pl.col(ROW).cast(pl.Int64), pl.lit(None, pl.String).alias(PARSE_COLUMN), pl.lit(None, pl.String).alias(PARSE_ERROR)
            )
            spill.add(frame, none_failed, path)
            offset += frame.height
    spill.flush()
    rows = _duplicates(spill).get_column(ROW).n_unique()
    return {"seconds": time.perf_counter() - started, "rows": rows}
"""

POLARS = """
def main(files, folder, partitions):
    import polars as pl

    started = time.perf_counter()
    key = ["portal_id", "event_id"]
    keys = pl.scan_parquet(json.loads(files), glob=False).select(key)
    repeated = keys.group_by(key).agg(pl.len().alias("copies")).filter(pl.col("copies") > 1)
    rows = keys.join(repeated, on=key, how="semi").select(pl.len()).collect(engine="streaming").item()
    return {"seconds": time.perf_counter() - started, "rows": rows}
"""

DUCKDB = """
def main(files, folder, memory):
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(config={"threads": 2, "memory_limit": memory, "temp_directory": folder})
    # Its progress bar would write into the measured output.
    con.execute("SET enable_progress_bar = false")
    rows = con.execute(
        "WITH keys AS (SELECT portal_id, event_id FROM read_parquet($files)), "
        "repeated AS (SELECT portal_id, event_id FROM keys GROUP BY ALL HAVING count(*) > 1) "
        "SELECT count(*) FROM keys SEMI JOIN repeated USING (portal_id, event_id)",
        {"files": json.loads(files)},
    ).fetchone()[0]
    return {"seconds": time.perf_counter() - started, "rows": rows}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--copies", type=int, default=100_000, help="events exported twice (each key then has two rows)")
    parser.add_argument("--duckdb-memory", default="1GB", help="DuckDB's memory_limit")
    args = parser.parse_args()
    snap = snapshot(args.contacts, args.events_per_contact)
    files = table_files(snap, "events")
    partitions = snapshot_buckets(snap)
    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as scratch:
        again = Path(scratch) / "exported-twice.parquet"
        pl.scan_parquet(files, glob=False).head(args.copies).sink_parquet(again)
        listed = [str(path) for path in [*files, again]]
        # DuckDB reads every path as a pattern: each is given as one that matches only itself.
        patterns = json.dumps([file_pattern(path) for path in listed])
        results: dict[str, dict] = {}
        for name, code, given, setting in (
            ("engage (key hashes by partition)", ENGAGE, json.dumps(listed), str(partitions)),
            ("Polars streaming group_by", POLARS, json.dumps(listed), ""),
            (f"DuckDB, memory_limit {args.duckdb_memory}", DUCKDB, patterns, args.duckdb_memory),
        ):
            folder = Path(scratch) / f"way-{len(results)}"
            folder.mkdir()
            results[name] = measured(code, given, str(folder), setting)
    rows = pl.scan_parquet(files, glob=False).select(pl.len()).collect().item() + args.copies
    print(f"events: {rows:,} rows ({args.copies:,} of them exported twice), {partitions} key partitions")
    for name, result in results.items():
        print(
            f"{name:<36} {result['seconds']:7.1f} s   peak {result['peak_rss_mib']:7,.0f} MiB   rows of duplicate keys {result['rows']:,}"
        )
    if len({result["rows"] for result in results.values()}) != 1:
        raise SystemExit("the three ways disagree on the rows of duplicate keys")


if __name__ == "__main__":
    main()
