"""Benchmark: `engage scores suggest` and `engage scores evaluate` as a user runs them, on a
generated snapshot (with the generator's planted signal): wall time, peak memory of the process
tree, and the AUC and top-decile lift of the suggestion and of the shipped `mql_engagement`.
Run with `make bench-suggest` (ARGS="--contacts N --events-per-contact E --days D").
"""

from __future__ import annotations

import argparse
import json

from benchmarks.common import AS_OF, BENCH_DIR, snapshot
from benchmarks.run import engage

STAGES = ("--from-stage", "subscriber", "--to-stage", "marketing_qualified_lead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    # Its own name: snapshots cached before the generator planted the signal do not carry it.
    snap = snapshot(args.contacts, args.events_per_contact, name="planted")
    events = json.loads((snap / "_snapshot.json").read_text())["rows"]["events"]
    print(f"snapshot: {args.contacts:,} contacts, {events:,} events; period: {args.days} days to {AS_OF}")
    period = (*STAGES, "--days", str(args.days), "--snapshot", str(snap), "--as-of", AS_OF.isoformat())
    suggested = BENCH_DIR / "suggested.yaml"
    suggest = engage("scores", "suggest", *period, "--out", str(suggested))
    print(f"engage scores suggest: {suggest['seconds']:.1f} s, peak RSS of the process tree {suggest['peak_mib']:,.0f} MiB")
    print(str(suggest["output"]).strip())
    chart = BENCH_DIR / "evaluation.html"
    evaluate = engage("scores", "evaluate", "mql_engagement", *period, "--suggested", str(suggested), "--chart", str(chart))
    print(
        f"engage scores evaluate (mql_engagement and the suggestion): {evaluate['seconds']:.1f} s, peak RSS {evaluate['peak_mib']:,.0f} MiB"
    )
    print(str(evaluate["output"]).strip())


if __name__ == "__main__":
    main()
