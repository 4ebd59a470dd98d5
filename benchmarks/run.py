"""Benchmark: `engage run` end to end on a generated snapshot, as a user runs it.

Prints the seconds of each stage (ingest, compute, checks and publish, history), the wall time,
the peak resident memory of the whole process tree (the run and the temporary Prefect server,
sampled every 0.1 s; the Prefect home kept between runs, as a scheduled job's), and the ratio to a
bare Polars copy of the same snapshot into Parquet timed in the same run. With --rerun, the same
figures of the same run again, its lake reused (what the run costs without its ingest); with
--backfill-days N, of a history-only backfill of N days on the warehouse just loaded. Run with
`make bench-run` (ARGS="--contacts N --events-per-contact E --rerun --backfill-days N").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.common import AS_OF, BENCH_DIR, measured, snapshot
from flows.io.paths import PROJECT_ROOT

COPY = """
def main(snapshot, out):
    from pathlib import Path
    import polars as pl
    started = time.perf_counter()
    for folder in sorted(p for p in Path(snapshot).iterdir() if p.is_dir()):
        frame = pl.scan_parquet(folder / "*.parquet")
        frame.sink_parquet(Path(out) / f"{folder.name}.parquet")
    return {"seconds": time.perf_counter() - started}
"""


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and every process below it."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


# A scheduled job keeps its Prefect home, and the temporary server's database in it, from one run to
# the next; a new home adds about 8 s to a run (the database created). The benchmarks keep one home,
# made before anything is timed.
PREFECT_HOME = BENCH_DIR / "prefect-home"
_START_SERVER = "from flows.cli.prefect_server import start_early; start_early()()"


def engage(*arguments: str) -> dict[str, object]:
    """Run `engage <arguments>` as a user does; return its wall time, the peak RSS of its process tree
    and what it printed."""
    env = {**os.environ, "PREFECT_HOME": str(PREFECT_HOME), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if not (PREFECT_HOME / "prefect.db").exists():
        subprocess.run([sys.executable, "-c", _START_SERVER], env=env, check=True)
    command = [str(Path(sys.executable).parent / "engage"), *arguments]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    # The output is read as it comes, each line with its time: the peak is placed after the last
    # line printed before it (which stage, which table or bucket).
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: lines.extend((time.perf_counter(), line) for line in proc.stdout or ()), daemon=True)
    reader.start()
    peak, peak_at = 0, started
    while proc.poll() is None:
        rss = _tree_rss(proc.pid)
        if rss > peak:
            peak, peak_at = rss, time.perf_counter()
        time.sleep(0.1)
    reader.join()
    output = "".join(line for _, line in lines)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"engage {' '.join(arguments[:2])} failed (exit {proc.returncode}):\n{output[-3000:]}")
    before = [line for at, line in lines if at <= peak_at]
    where = before[-1].strip() if before else "before any output"
    return {
        "seconds": seconds,
        "peak_mib": peak / 2**20,
        "output": output,
        "peak_after": f"{peak_at - started:.0f} s, after: {where[-160:]}",
    }


def run_engage(snap: Path, warehouse: Path, *arguments: str) -> dict[str, object]:
    """Run `engage <arguments>` on `snap` (`run` by default); return its wall time, peak tree RSS and stage seconds."""
    run = engage(*(arguments or ("run", "--as-of", AS_OF.isoformat())), "--snapshot", str(snap), "--warehouse", str(warehouse))
    seconds, peak, output = run["seconds"], run["peak_mib"], str(run["output"])
    stages = {}
    for line in output.splitlines():
        if "stage seconds:" in line:
            stages = {
                name.strip(): float(value) for name, value in (part.rsplit(" ", 1) for part in line.split("stage seconds:")[1].split(","))
            }
    return {"seconds": seconds, "peak_mib": peak, "stages": stages, "peak_after": run["peak_after"]}


def _report(title: str, result: dict[str, object], copy_seconds: float | None = None) -> None:
    """Print a timed command's wall time, peak RSS and where it peaked, its stage seconds and, given
    the bare copy's seconds, its ratio to them."""
    print(f"{title}: {result['seconds']:.1f} s, peak RSS of the process tree {result['peak_mib']:,.0f} MiB")
    print(f"  peak at {result['peak_after']}")
    for name, seconds in result["stages"].items():  # type: ignore[attr-defined]
        print(f"  {name:<20} {seconds:8.1f} s")
    if copy_seconds is not None:
        print(f"ratio to the bare copy: {result['seconds'] / copy_seconds:.2f}")  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--rerun", action="store_true", help="then time the same run again, its lake reused (no ingest)")
    parser.add_argument("--backfill-days", type=int, default=0, help="then time a history-only backfill of this many days")
    args = parser.parse_args()
    snap = snapshot(args.contacts, args.events_per_contact)
    events = json.loads((snap / "_snapshot.json").read_text())["rows"]["events"]
    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as out:
        copy = measured(COPY, str(snap), out)
    warehouse = BENCH_DIR / f"run-{args.contacts}-{args.events_per_contact:g}" / "warehouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    run = run_engage(snap, warehouse)
    print(f"snapshot: {args.contacts:,} contacts, {events:,} events ({snap.relative_to(PROJECT_ROOT)})")
    print(f"bare Polars copy into Parquet: {copy['seconds']:.1f} s, peak {copy['peak_rss_mib']:,.0f} MiB")
    _report("engage run", run, copy["seconds"])
    if args.rerun:
        _report("engage run again, its lake reused", run_engage(snap, warehouse), copy["seconds"])
    if args.backfill_days:
        first = AS_OF - timedelta(days=args.backfill_days - 1)
        backfill = run_engage(snap, warehouse, "backfill", "--from", first.isoformat(), "--to", AS_OF.isoformat(), "--history-only")
        _report(f"engage backfill --history-only, {args.backfill_days} days", backfill)


if __name__ == "__main__":
    main()
