"""Helpers for the benchmark commands: a cached generated snapshot and measured subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from flows.paths import PROJECT_ROOT

BENCH_DIR = PROJECT_ROOT / "data" / "bench"
AS_OF = date(2026, 6, 30)


def snapshot(contacts: int, events_per_contact: float, seed: int = 7) -> Path:
    """A generated snapshot, reused when one with the same shape exists."""
    from flows.generate import generate_snapshot

    out = BENCH_DIR / f"snapshot-{contacts}-{events_per_contact:g}"
    meta = out / "_snapshot.json"
    if not meta.exists() or json.loads(meta.read_text())["contacts"] != contacts:
        started = time.perf_counter()
        rows = generate_snapshot(out, contacts, seed, AS_OF, events_per_contact=events_per_contact)
        print(f"generated {rows['contacts']:,} contacts / {rows['events']:,} events in {time.perf_counter() - started:.1f}s", flush=True)
    return out


def measured(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter; return the JSON it prints last, plus its peak RSS in MiB."""
    wrapper = (
        "import json, resource, sys, time\n"
        f"{code}\n"
        "result = main(*sys.argv[1:])\n"
        "result['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(result))\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True, text=True, cwd=PROJECT_ROOT)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])
