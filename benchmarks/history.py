"""Benchmark: 365 days of score history for 1M contacts / 50M events (the shipped definitions), against one single-day run.

Both run as `engage` runs them, bucket by bucket over the lake split into contact buckets (as many
as `engage run` chooses for the snapshot, or `--buckets`), then the company merge (the history's
a company slice at a time), in one process without Prefect and without writing. Prints wall time,
peak memory and rows stored for the history, the same for scoring one day, and their ratio; then,
from a run of its own, the seconds and rows of each stage of the pass, summed over the buckets. Run
with `make bench-history` (ARGS="--contacts N --days D --buckets B").
"""

from __future__ import annotations

import argparse

from benchmarks.common import AS_OF, bucketed_lake, measured

INPUTS = """
def definitions():
    from pathlib import Path
    from flows.io.config_files import load_definitions
    return load_definitions(Path("data/config/scores"))

def inputs(lake, buckets, bucket=None):
    from pathlib import Path
    import polars as pl
    from transforms.scores.members import ScoreInputs
    from transforms.snapshot.buckets import BUCKETED_TABLES
    root = Path(lake)
    def scan(table):
        if table not in BUCKETED_TABLES:
            return pl.scan_parquet(root / table / "part-0.parquet", glob=False)
        parts = range(int(buckets)) if bucket is None else [bucket]
        return pl.scan_parquet([root / table / f"part-{b}.parquet" for b in parts], glob=False)
    tables = ("events", "contacts", "companies", "associations", "list_memberships", "score_resets")
    return ScoreInputs(*(scan(t) for t in tables))
"""

ONE_DAY = (
    INPUTS
    + """
def main(lake, buckets, as_of):
    from datetime import date
    import polars as pl
    from transforms.scores.evaluate import bucket_scores, company_scores, folded_partials, merged_distribution
    day = date.fromisoformat(as_of)
    defs = definitions()
    started = time.perf_counter()
    partials, counted, records = {}, [], 0
    for bucket in range(int(buckets)):
        result = bucket_scores(defs, inputs(lake, buckets, bucket), day)
        scores, breakdown, distribution = pl.collect_all([result.scores, result.breakdown, result.distribution])
        partials = folded_partials(defs, [partials, result.company_partials])
        counted.append(distribution.lazy())
        records += scores.height
    companies = company_scores(defs, inputs(lake, buckets), [partials], day)
    scores, breakdown, distribution = pl.collect_all([companies.scores, companies.breakdown, merged_distribution([*counted, companies.distribution])])
    return {"seconds": time.perf_counter() - started, "records": records + scores.height}
"""
)

HISTORY = (
    INPUTS
    + """
def main(lake, buckets, start, end, staged):
    from collections import defaultdict
    from datetime import date
    from flows.io.paths import company_slices
    import polars as pl
    from transforms.scores.history_changes import CHANGE_SCHEMA, range_changes
    import shutil, tempfile
    from pathlib import Path
    from flows.io.history_store import read_company_parts, write_company_parts
    from transforms.scores.history import bucket_history, company_history
    start, end = date.fromisoformat(start), date.fromisoformat(end)
    MERGE = "company parts stored, company history by slice"
    seconds, rows = defaultdict(float), defaultdict(int)
    last = 0.0
    def observe(stage, settled):
        nonlocal last
        now = time.perf_counter()
        seconds[stage] += now - last
        rows[stage] += settled.height
        last = now
    defs = definitions()
    ids = [d.id for d in defs]
    # The change rows are counted as a run stores them, outside the timed pass (the one day's writes are not timed either).
    counting = 0.0
    def changes(found):
        nonlocal counting
        begun = time.perf_counter()
        count = range_changes(pl.LazyFrame(schema=CHANGE_SCHEMA), found.lazy(), ids, start).collect().height
        counting += time.perf_counter() - begun
        return count
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(dir=Path(lake).parent))  # as a run's, beside its store
    slices = company_slices(int(buckets))
    intervals, change_rows = 0, 0
    for bucket in range(int(buckets)):
        data = inputs(lake, buckets, bucket)
        last = time.perf_counter()
        contacts, company = bucket_history(defs, data, start, end, observe if staged == "1" else None)
        found = contacts.collect()
        seconds["company parts, fit and combined scores"] += time.perf_counter() - last
        rows["company parts, fit and combined scores"] += found.height
        last = time.perf_counter()
        if company is not None:
            write_company_parts(scratch, bucket, company, slices)
        seconds[MERGE] += time.perf_counter() - last
        intervals += found.height
        change_rows += changes(found)
    for number in range(slices):
        last = time.perf_counter()
        parts = read_company_parts(scratch, number)
        companies = company_history(defs, inputs(lake, buckets).of_company_slice(number, slices), parts, start, end).collect()
        seconds[MERGE] += time.perf_counter() - last
        rows[MERGE] += companies.height
        intervals += companies.height
        change_rows += changes(companies)
    shutil.rmtree(scratch)
    return {
        "seconds": time.perf_counter() - started - counting,
        "intervals": intervals,
        "change_rows": change_rows,
        "stages": [(stage, seconds[stage], rows[stage]) for stage in seconds],
    }
"""
)


def main() -> None:
    from datetime import timedelta

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--buckets", type=int, default=None, help="contact buckets (default: as engage run chooses)")
    args = parser.parse_args()
    lake, buckets = bucketed_lake(args.contacts, args.events_per_contact, args.buckets)
    start = AS_OF - timedelta(days=args.days - 1)
    day = measured(ONE_DAY, str(lake), str(buckets), AS_OF.isoformat())
    history = measured(HISTORY, str(lake), str(buckets), start.isoformat(), AS_OF.isoformat(), "0")
    # Timed apart in a run of its own: settling each stage changes the plan a little.
    staged = measured(HISTORY, str(lake), str(buckets), start.isoformat(), AS_OF.isoformat(), "1")
    records = day["records"]
    print(
        f"records scored (the shipped definitions): {records:,} in {buckets} contact bucket(s); history {start} .. {AS_OF} ({args.days} days)"
    )
    print(f"one day: {day['seconds']:.2f}s, peak {day['peak_rss_mib']:.0f} MiB")
    print(f"history: {history['seconds']:.2f}s, peak {history['peak_rss_mib']:.0f} MiB")
    print(
        f"rows stored: {history['change_rows']:,} change rows ({history['intervals']:,} intervals) "
        f"vs {records * args.days:,} for a row per record and day ({history['change_rows'] / (records * args.days):.1%})"
    )
    print(f"ratio history / one day: {history['seconds'] / day['seconds']:.2f} (target <= 5)")
    print(
        f"where the time goes (each stage settled on its own, summed over the buckets: {staged['seconds']:.2f}s, peak {staged['peak_rss_mib']:.0f} MiB):"
    )
    print(f"  {'stage':<45} {'seconds':>8} {'rows':>14}")
    for stage, seconds, rows in staged["stages"]:
        print(f"  {stage:<45} {seconds:8.2f} {rows:14,}")


if __name__ == "__main__":
    main()
