"""Helpers for the benchmark commands: a cached generated snapshot and measured subprocesses."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from flows.io.paths import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "data" / "bench"
AS_OF = date(2026, 6, 30)


def snapshot(contacts: int, events_per_contact: float, seed: int = 7, name: str = "snapshot") -> Path:
    """A generated snapshot, reused when one with the same shape and `name` exists."""
    from flows.dev.generate import generate_snapshot

    out = BENCH_DIR / f"{name}-{contacts}-{events_per_contact:g}"
    meta = out / "_snapshot.json"
    if not meta.exists() or json.loads(meta.read_text())["contacts"] != contacts:
        started = time.perf_counter()
        rows = generate_snapshot(out, contacts, seed, AS_OF, events_per_contact=events_per_contact)
        print(f"generated {rows['contacts']:,} contacts / {rows['events']:,} events in {time.perf_counter() - started:.1f}s", flush=True)
    return out


SCORED_TABLES = ("events", "contacts", "companies", "associations", "list_memberships", "score_resets")


def _built(out: Path, source: Path, build: Callable[[], None], said: str) -> None:
    """Run `build` (which fills `out`) unless `out` was built from the snapshot `source` was (their
    `_snapshot.json`), then mark `out` as built from it."""
    meta = (source / "_snapshot.json").read_text()
    if (out / "_snapshot.json").exists() and (out / "_snapshot.json").read_text() == meta:
        return
    started = time.perf_counter()
    build()
    (out / "_snapshot.json").write_text(meta)
    print(f"{said} in {time.perf_counter() - started:.1f}s", flush=True)


def _in_own_process(target: Callable[..., None], *args: object) -> None:
    """`target(*args)` in a process of its own: generating and sorting 50M rows would otherwise count
    in the measured peaks (Linux keeps the peak resident size across the fork and exec of the
    measured runs)."""
    worker = multiprocessing.get_context("spawn").Process(target=target, args=args)
    worker.start()
    worker.join()
    if worker.exitcode != 0:
        raise RuntimeError(f"{target.__name__}{args} failed (exit {worker.exitcode})")


def _lay_out(contacts: int, events_per_contact: float, out: Path) -> None:
    import polars as pl

    from flows.io.lake import stored_order

    snap = snapshot(contacts, events_per_contact)

    def build() -> None:
        for table in SCORED_TABLES:
            (out / table).mkdir(parents=True, exist_ok=True)
            stored_order(pl.scan_parquet(snap / table / "*.parquet"), table).sink_parquet(out / table / "part-0.parquet")

    _built(out, snap, build, f"laid out the lake of {snap.name}")


def lake(contacts: int, events_per_contact: float) -> Path:
    """The scoring tables of a generated snapshot as the lake stores them (one file per table, rows
    in the contract's order), reused when built from the same snapshot: scoring reads the lake in
    production. The generated rows are valid by construction, so they are not validated again (the
    ingest's validation has its own tests)."""
    out = BENCH_DIR / f"lake-{contacts}-{events_per_contact:g}"
    _in_own_process(_lay_out, contacts, events_per_contact, out)
    return out


def _split(whole: Path, out: Path, buckets: int) -> None:
    import shutil

    import polars as pl

    from transforms.snapshot.buckets import BUCKETED_TABLES, CONTACT_KEY, contact_bucket

    def build() -> None:
        for table in SCORED_TABLES:
            (out / table).mkdir(parents=True, exist_ok=True)
            source = whole / table / "part-0.parquet"
            if table not in BUCKETED_TABLES:
                shutil.copyfile(source, out / table / "part-0.parquet")
                continue
            bucket = contact_bucket(pl.col(CONTACT_KEY[0]), pl.col(CONTACT_KEY[1]), buckets)
            for b in range(buckets):
                # Filtering keeps the lake's order, which is the order inside a bucket too.
                pl.scan_parquet(source).filter(bucket == b).sink_parquet(out / table / f"part-{b}.parquet")

    _built(out, whole, build, f"split the lake {whole.name} into {buckets} contact buckets")


def bucketed_lake(contacts: int, events_per_contact: float, buckets: int | None = None) -> tuple[Path, int]:
    """`lake` split into contact buckets as `engage run` splits it (`part-{bucket}.parquet` of the
    contact-keyed tables, the others whole), by default into as many as it would choose for the
    snapshot; the folder and the bucket count."""
    from flows.ingest import snapshot_buckets

    whole = lake(contacts, events_per_contact)
    count = buckets or snapshot_buckets(snapshot(contacts, events_per_contact))
    out = BENCH_DIR / f"lake-{contacts}-{events_per_contact:g}-buckets-{count}"
    _in_own_process(_split, whole, out, count)
    return out, count


def measured(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; return the JSON it prints last, plus its peak RSS in MiB."""
    wrapper = (
        "import json, resource, sys, time\n"
        "import flows  # the process settings engage runs with (its allocator's), before Polars loads\n"
        f"{code}\n"
        "result = main(*sys.argv[1:])\n"
        "result['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, cwd=PROJECT_ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])
