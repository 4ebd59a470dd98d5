"""Benchmark: score the example definitions on 1M contacts / 50M events (`--type` engagement or fit
alone: the cost of each kind).

Prints wall time, peak memory, events per second, and the ratio to a bare Polars scan of the
event columns that scoring reads. Both read the tables as the lake stores them. Run with `make bench-scores` (ARGS="--contacts N --events-per-contact E").
"""

from __future__ import annotations

import argparse

from benchmarks.common import AS_OF, lake, measured

SCORE = """
def main(snapshot, as_of, types):
    from datetime import date
    from pathlib import Path
    import polars as pl
    from flows.io.config_files import load_definitions
    from flows.compute import score_tables
    from transforms.scores.members import ScoreInputs
    root = Path(snapshot)
    scan = lambda t: pl.scan_parquet(root / t / "*.parquet")
    inputs = ScoreInputs(*(scan(t) for t in ("events", "contacts", "companies", "associations", "list_memberships", "score_resets")))
    definitions = [d for d in load_definitions(Path("data/config/scores")) if d.type in types.split(",")]
    started = time.perf_counter()
    out = score_tables(definitions, inputs, date.fromisoformat(as_of))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": {k: v.height for k, v in out.items()}}
"""

SCAN = """
def main(snapshot, columns):
    from pathlib import Path
    import polars as pl
    started = time.perf_counter()
    frame = pl.scan_parquet(Path(snapshot) / "events" / "*.parquet").select(columns.split(",")).collect()
    return {"seconds": time.perf_counter() - started, "rows": frame.height}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument(
        "--type", choices=["engagement", "fit", "combined", "all"], default="all", help="score only the definitions of this type"
    )
    args = parser.parse_args()
    types = "engagement,fit,combined" if args.type == "all" else args.type
    snap = lake(args.contacts, args.events_per_contact)
    from pathlib import Path

    from flows.io.config_files import load_definitions
    from transforms.scores.combined import expanded

    definitions = [d for d in load_definitions(Path("data/config/scores")) if d.type in types.split(",")]
    # The bare scan reads what the engagement rules read from events (fit rules read contacts and companies).
    properties = sorted({f.property for d in expanded(definitions) if d.type == "engagement" for f in d.filters})
    columns = ["portal_id", "contact_id", "event_type", "occurred_at", *properties]
    scan = measured(SCAN, str(snap), ",".join(columns))
    score = measured(SCORE, str(snap), AS_OF.isoformat(), types)
    events = scan["rows"]
    print(f"events: {events:,}  definitions: {', '.join(d.id for d in definitions)}  columns read: {', '.join(columns)}")
    print(f"bare scan of those columns: {scan['seconds']:.2f}s, peak {scan['peak_rss_mib']:.0f} MiB")
    print(f"scoring: {score['seconds']:.2f}s, peak {score['peak_rss_mib']:.0f} MiB, {events / score['seconds']:,.0f} events/s")
    print(f"rows out: {score['rows']}")
    print(f"ratio scoring / bare scan: {score['seconds'] / scan['seconds']:.2f} (target <= 3); peak memory target < 8192 MiB")


if __name__ == "__main__":
    main()
