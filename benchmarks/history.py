"""Benchmark: 365 days of score history for 1M contacts / 50M events (the shipped definitions), against one single-day run.

Prints wall time, peak memory and rows stored for the one-pass history, the same for scoring one
day, and their ratio; then, from a run of its own, the seconds and rows of each stage of the pass. Run with `make bench-history` (ARGS="--contacts N --days D").
"""

from __future__ import annotations

import argparse

from benchmarks.common import AS_OF, lake, measured

INPUTS = """
def inputs(snapshot):
    from pathlib import Path
    import polars as pl
    from flows.io.config_files import load_definitions
    from transforms.scores.members import ScoreInputs
    root = Path(snapshot)
    scan = lambda t: pl.scan_parquet(root / t / "*.parquet")
    tables = ("events", "contacts", "companies", "associations", "list_memberships", "score_resets")
    return load_definitions(Path("data/config/scores")), ScoreInputs(*(scan(t) for t in tables))
"""

ONE_DAY = (
    INPUTS
    + """
def main(snapshot, as_of):
    from datetime import date
    from flows.compute import score_tables
    definitions, data = inputs(snapshot)
    started = time.perf_counter()
    out = score_tables(definitions, data, date.fromisoformat(as_of))
    return {"seconds": time.perf_counter() - started, "records": out["engagement_scores"].height}
"""
)

HISTORY = (
    INPUTS
    + """
def main(snapshot, start, end, staged):
    from datetime import date
    import polars as pl
    from transforms.scores.history_changes import CHANGE_SCHEMA, range_changes
    from transforms.scores.history import score_history
    definitions, data = inputs(snapshot)
    stages = []
    started = last = time.perf_counter()
    def observe(stage, rows):
        nonlocal last
        now = time.perf_counter()
        stages.append((stage, now - last, rows.height))
        last = now
    intervals = score_history(definitions, data, date.fromisoformat(start), date.fromisoformat(end), observe if staged == "1" else None).collect()
    seconds = time.perf_counter() - started
    stages.append(("company parts and intervals, all intervals", seconds - sum(s for _, s, _ in stages), intervals.height))
    stored = range_changes(pl.LazyFrame(schema=CHANGE_SCHEMA), intervals.lazy(), [d.id for d in definitions], date.fromisoformat(start)).collect()
    return {"seconds": seconds, "intervals": intervals.height, "change_rows": stored.height, "stages": stages}
"""
)


def main() -> None:
    from datetime import timedelta

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    snap = lake(args.contacts, args.events_per_contact)
    start = AS_OF - timedelta(days=args.days - 1)
    day = measured(ONE_DAY, str(snap), AS_OF.isoformat())
    history = measured(HISTORY, str(snap), start.isoformat(), AS_OF.isoformat(), "0")
    # Timed apart in a run of its own: settling each stage changes the plan a little.
    staged = measured(HISTORY, str(snap), start.isoformat(), AS_OF.isoformat(), "1")
    records = day["records"]
    print(f"records scored (the shipped definitions): {records:,}; history {start} .. {AS_OF} ({args.days} days)")
    print(f"one day: {day['seconds']:.2f}s, peak {day['peak_rss_mib']:.0f} MiB")
    print(f"history: {history['seconds']:.2f}s, peak {history['peak_rss_mib']:.0f} MiB")
    print(
        f"rows stored: {history['change_rows']:,} change rows ({history['intervals']:,} intervals) "
        f"vs {records * args.days:,} for a row per record and day ({history['change_rows'] / (records * args.days):.1%})"
    )
    print(f"ratio history / one day: {history['seconds'] / day['seconds']:.2f} (target <= 5)")
    print(f"where the time goes (each stage settled on its own: {staged['seconds']:.2f}s, peak {staged['peak_rss_mib']:.0f} MiB):")
    print(f"  {'stage':<45} {'seconds':>8} {'rows':>14}")
    for stage, seconds, rows in staged["stages"]:
        print(f"  {stage:<45} {seconds:8.2f} {rows:14,}")


if __name__ == "__main__":
    main()
