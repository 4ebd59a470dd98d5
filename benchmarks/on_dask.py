"""`engage run` with its bucket tasks on a local Dask cluster of 1 and 2 worker processes.

Prints per cluster: wall time, the peak memory of each worker process and of the flow's process
tree, the time the workers spent in tasks against the wall time (the rest is the flow's own work
and the scheduler's overhead), and the bytes moved between workers. On a 2-core machine a speed-up
is not expected: the figures show that the work divides and a worker holds one bucket at a time.
With `--memory-limit quarter`, a run in one process comes first and each worker gets a quarter of
its peak: the bucket count follows that limit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import threading
import time
from pathlib import Path

from benchmarks.common import AS_OF, BENCH_DIR, snapshot
from benchmarks.run import run_engage
from flows.cluster import WORKER_ENV, shared_prefect_api
from flows.io.lake import lake_buckets
from flows.io.paths import Paths


def _rss(dask_worker) -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def _moved(dask_worker) -> int:
    return int(dask_worker.transfer_outgoing_bytes_total)


class _Peaks(threading.Thread):
    """Samples the memory of every worker process until stopped; keeps the peak of each."""

    def __init__(self, client) -> None:
        super().__init__(daemon=True)
        self.client, self.done = client, threading.Event()
        self.peaks: dict[str, int] = {}

    def run(self) -> None:
        while not self.done.is_set():
            try:
                sampled = self.client.run(_rss)
            except OSError:  # a worker restarting (its memory limit reached): sample the others next time
                sampled = {}
            for worker, rss in sampled.items():
                self.peaks[worker] = max(self.peaks.get(worker, 0), rss)
            time.sleep(0.5)


def _buckets(warehouse: Path) -> int:
    return lake_buckets(Paths.of(warehouse), AS_OF)


def main() -> None:
    from distributed import Client, LocalCluster, get_task_stream

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events-per-contact", type=float, default=50.0)
    parser.add_argument("--workers", default="1,2", help="comma-separated cluster sizes")
    parser.add_argument(
        "--memory-limit", default="auto", help="Dask memory limit per worker: e.g. 2GiB, or quarter (of one process's peak)"
    )
    args = parser.parse_args()
    snap = snapshot(args.contacts, args.events_per_contact)
    events = json.loads((snap / "_snapshot.json").read_text())["rows"]["events"]
    print(f"snapshot: {args.contacts:,} contacts, {events:,} events")
    memory_limit = args.memory_limit
    if memory_limit == "quarter":
        warehouse = BENCH_DIR / "dask-0" / "warehouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        alone = run_engage(snap, warehouse, "run", "--as-of", AS_OF.isoformat())
        memory_limit = f"{alone['peak_mib'] / 4:.0f}MiB"  # type: ignore[operator]
        print(f"one process: engage run {alone['seconds']:.1f} s, peak {alone['peak_mib']:,.0f} MiB, {_buckets(warehouse)} buckets")
        print(f"worker memory limit: {memory_limit}, a quarter of that peak")
    for workers in (int(n) for n in args.workers.split(",")):
        warehouse = BENCH_DIR / f"dask-{workers}" / "warehouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        # One Prefect server for the flow and the workers, so their task runs meet.
        with (
            shared_prefect_api(),
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit=memory_limit, env=WORKER_ENV
            ) as cluster,
            Client(cluster) as client,
        ):
            peaks = _Peaks(client)
            peaks.start()
            with get_task_stream(client) as stream:
                run = run_engage(snap, warehouse, "run", "--as-of", AS_OF.isoformat(), "--dask", cluster.scheduler_address)
            peaks.done.set()
            peaks.join()
            in_tasks = sum(s["stop"] - s["start"] for task in stream.data for s in task["startstops"] if s["action"] == "compute")
            moved = sum(client.run(_moved).values())
        print(
            f"{workers} worker(s): engage run {run['seconds']:.1f} s, flow's process tree peak {run['peak_mib']:,.0f} MiB,"
            f" {_buckets(warehouse)} buckets"
        )
        for worker, peak in sorted(peaks.peaks.items()):
            print(f"  worker {worker}: peak {peak / 2**20:,.0f} MiB")
        staged = sum(run["stages"].get(name, 0.0) for name in ("ingest", "compute", "history"))  # type: ignore[attr-defined]
        print(f"  time in worker tasks {in_tasks:.1f} s of {staged:.1f} s of ingest, compute and history (wall {run['seconds']:.1f} s)")
        print(f"  bytes moved between workers: {moved:,}")
        for name, seconds in run["stages"].items():  # type: ignore[attr-defined]
            print(f"  {name:<20} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
