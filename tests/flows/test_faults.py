"""Faults during loads: kills at random points, a full disk, a read-only folder, flaky reads."""

import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.io.paths import Paths
from tests.conftest import SNAPSHOT_DAY, dump_warehouse

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

NEXT_DAY = SNAPSHOT_DAY + timedelta(days=1)
# How many random kill points; `make soak` raises it.
KILLS = int(os.environ.get("ENGAGE_KILLS", "1"))


@pytest.fixture(scope="module")
def base(small_snapshot, tmp_path_factory) -> Path:
    """A warehouse holding one loaded day."""
    from flows.daily import daily_flow

    warehouse = tmp_path_factory.mktemp("base") / "warehouse.duckdb"
    daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(warehouse))
    return warehouse


def _copy(warehouse: Path, target: Path) -> Path:
    """A copy of the warehouse's folder, its catalog relinked to read the copy's own files."""
    from flows.io.warehouse import relink

    shutil.copytree(warehouse.parent, target, symlinks=True)
    relink(Paths.of(target / warehouse.name))
    return target / warehouse.name


@pytest.fixture(scope="module")
def next_day_outputs(base, tmp_path_factory) -> Path:
    """The computed tables of the next day, as Parquet files, for the loader to publish."""
    from prefect import flow

    from flows.compute import compute_day, load_settings
    from flows.io.lake import lake_buckets
    from flows.io.paths import DEFAULT_CONFIG

    scratch = _copy(base, tmp_path_factory.mktemp("scratch") / "warehouse")
    paths = Paths.of(scratch)

    @flow
    def stage_next_day() -> Path:
        # The bucket tasks are submitted to a flow's task runner: computed inside a flow, not loaded.
        return compute_day(paths, SNAPSHOT_DAY, load_settings(DEFAULT_CONFIG), NEXT_DAY, lake_buckets(paths, SNAPSHOT_DAY))[0]

    staged = stage_next_day()
    folder = tmp_path_factory.mktemp("outputs") / "day"
    shutil.copytree(staged, folder)
    return folder


def load_next_day(warehouse: str, outputs: str, ready: str | None = None) -> None:
    """The load of a day exactly as `flows.daily` does it, outside Prefect: publish the day, extend
    the history, append the run log, rebuild the catalog. `ready` is touched once the inputs are
    read, so a kill lands inside the load rather than in interpreter start-up."""
    from flows.compute import day_history
    from flows.daily import _run_log
    from flows.io.lake import lake_buckets
    from flows.io.storage import write_parquet
    from flows.io.warehouse import append_run_log, day_table, day_table_schemas, ensure_catalog, publish_staged_day, stage_day

    paths = Paths.of(warehouse)
    parts = {path.relative_to(outputs): pl.read_parquet(path) for path in sorted(Path(outputs).glob("*/*.parquet"))}
    if ready:
        Path(ready).touch()
    staged = stage_day(paths, NEXT_DAY)
    written: dict[str, int] = {}
    for relative, frame in parts.items():
        write_parquet(frame, staged / relative)
        written[relative.parent.name] = written.get(relative.parent.name, 0) + frame.height
    publish_staged_day(paths, NEXT_DAY, staged)
    scores = day_table(paths, NEXT_DAY, "engagement_scores")
    score_ids = sorted(scores.select("score_id").unique().collect()["score_id"])
    written["engagement_score_history"] = day_history.fn(paths, NEXT_DAY, score_ids, lake_buckets(paths, SNAPSHOT_DAY))
    append_run_log(paths, _run_log(f"{NEXT_DAY}-killtest", "daily", NEXT_DAY, NEXT_DAY, [], written, 0.0))
    ensure_catalog(paths, day_table_schemas())


def _load(warehouse: Path, outputs: Path, ready: Path) -> subprocess.Popen:
    code = "import sys; from tests.flows.test_faults import load_next_day; load_next_day(*sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, str(warehouse), str(outputs), str(ready)])


def test_a_load_killed_at_random_points_leaves_each_table_whole_and_a_rerun_completes(base, next_day_outputs, tmp_path):
    before = dump_warehouse(base)
    # The reference: the same load, never interrupted; its duration bounds the kill points.
    reference_wh = _copy(base, tmp_path / "reference")
    ready = tmp_path / "ready-reference"
    proc = _load(reference_wh, next_day_outputs, ready)
    while not ready.exists() and proc.poll() is None:
        time.sleep(0.01)
    started = time.monotonic()
    assert proc.wait() == 0
    duration = time.monotonic() - started
    after = dump_warehouse(reference_wh)
    assert after != before
    chooser = random.Random(20261124)
    survived, outcomes = 0, Counter()
    for attempt in range(KILLS):
        warehouse = _copy(base, tmp_path / f"kill-{attempt}")
        ready = tmp_path / f"ready-{attempt}"
        proc = _load(warehouse, next_day_outputs, ready)
        while not ready.exists() and proc.poll() is None:
            time.sleep(0.005)
        time.sleep(chooser.uniform(0, 0.8 * duration))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        else:
            outcomes["finished before the kill"] += 1
        proc.wait()
        state = dump_warehouse(warehouse)
        # Each table or view holds its old rows or its new rows, never a part of the new ones.
        for name, rows in state.items():
            assert rows in (before[name], after[name]), f"attempt {attempt}: {name} is torn"
        outcomes["old" if state == before else "new" if state == after else "some tables new"] += 1
        load_next_day(str(warehouse), str(next_day_outputs))
        assert dump_warehouse(warehouse) == after, f"attempt {attempt}: the rerun did not complete the load"
        survived += 1
    assert survived == KILLS
    print(f"kills survived: {survived}; state found: {dict(outcomes)}")


@pytest.mark.parametrize(
    "code, words",
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")],
)
def test_a_failed_write_leaves_the_warehouse_intact_and_says_why(base, small_snapshot, tmp_path, monkeypatch, code, words):
    import flows.io.storage
    from flows.cli.app import app

    warehouse = _copy(base, tmp_path / "wh")
    before = dump_warehouse(warehouse)
    real = flows.io.storage.write_parquet
    calls = {"n": 0}

    def failing(frame, path, scratch=False):
        calls["n"] += 1
        if calls["n"] > 3:  # a few files in: the day is half written when the disk gives out
            raise OSError(code, os.strerror(code), str(path))
        real(frame, path, scratch)

    for module in ("flows.io.storage", "flows.io.warehouse", "flows.ingest", "flows.io.history_store"):
        monkeypatch.setattr(f"{module}.write_parquet", failing)
    result = CliRunner().invoke(
        app, ["run", "--snapshot", str(small_snapshot), "--as-of", NEXT_DAY.isoformat(), "--warehouse", str(warehouse)]
    )
    assert result.exit_code == 1
    assert f"error: [Errno {code}] {words}: '{warehouse.parent}" in result.output
    assert dump_warehouse(warehouse) == before
    # The rerun once the fault is gone is the same for every kind: checked after a full disk.
    if code == errno.ENOSPC:
        monkeypatch.undo()
        result = CliRunner().invoke(
            app, ["run", "--snapshot", str(small_snapshot), "--as-of", NEXT_DAY.isoformat(), "--warehouse", str(warehouse)]
        )
        assert result.exit_code == 0, result.output


def test_transient_read_errors_are_retried_a_bounded_number_of_times(small_snapshot, tmp_path, monkeypatch):
    import flows.ingest
    from flows.daily import daily_flow

    real = flows.ingest._sources
    attempts: dict[str, int] = {}

    def flaky(snapshot, table_name, failures=2):
        attempts[table_name] = attempts.get(table_name, 0) + 1
        if table_name in ("contacts", "events") and attempts[table_name] <= failures:
            raise OSError(errno.EIO, "Input/output error", str(snapshot / table_name))
        return real(snapshot, table_name)

    # Every attempt of a table's ingest task lists the table's files first: that read fails here.
    monkeypatch.setattr(flows.ingest, "_sources", flaky)
    daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(tmp_path / "a" / "warehouse.duckdb"))
    assert attempts["contacts"] == 3 and attempts["events"] == 3 and attempts["deals"] == 1
    attempts.clear()
    monkeypatch.setattr(flows.ingest, "_sources", lambda *a, **k: flaky(*a, **k, failures=99))
    with pytest.raises(OSError, match="Input/output error"):
        daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(tmp_path / "b" / "warehouse.duckdb"))
    assert attempts["contacts"] == 3, "retries are bounded: one try and two retries"
    assert not (tmp_path / "b" / "lake" / "contacts").exists(), "nothing of the failed run reached the lake"


@pytest.fixture(scope="module")
def corrected_snapshot(small_snapshot, tmp_path_factory) -> Path:
    """The small snapshot re-exported with a third of its contacts gone: re-ingested for the same
    day, its events of those contacts become dangling and are quarantined."""
    snap = tmp_path_factory.mktemp("corrected") / "snap"
    shutil.copytree(small_snapshot, snap)
    for path in sorted((snap / "contacts").glob("*.parquet")):
        pl.read_parquet(path).filter(pl.col("contact_id") % 3 != 0).write_parquet(path)
    return snap


def reingest(warehouse: str, snapshot: str, ready: str | None = None) -> float:
    """The ingest of `snapshot` for SNAPSHOT_DAY as `ingest_snapshot` does it, outside Prefect, with
    `ready` touched when every table is staged (the kills land in the publish); return the seconds
    the publish took."""
    import flows.ingest
    from flows.io import lake

    publish = lake.publish_snapshot
    took = {"seconds": 0.0}

    def announced(*args, **kwargs):
        if ready:
            Path(ready).touch()
        started = time.monotonic()
        publish(*args, **kwargs)
        took["seconds"] = time.monotonic() - started

    flows.ingest.publish_snapshot = announced
    try:
        flows.ingest.ingest_snapshot(Path(snapshot), SNAPSHOT_DAY, Paths.of(warehouse), as_tasks=False)
    finally:
        flows.ingest.publish_snapshot = publish
    return took["seconds"]


def _lake_state(warehouse: Path) -> dict[str, object]:
    from flows.io.lake import lake_buckets, lake_table
    from transforms.snapshot.contract import INGEST_ORDER

    paths = Paths.of(warehouse)
    tables = {name: lake_table(paths, name, SNAPSHOT_DAY).collect().sort(pl.all()).rows() for name in INGEST_ORDER}
    quarantine = sorted((paths.quarantine_partition(SNAPSHOT_DAY) / "tables").glob("*.parquet"))
    lines = {p.name: pl.read_parquet(p).drop("snapshot_date").sort(pl.all()).rows() for p in quarantine}
    return tables | {"_quarantine": lines, "_buckets": lake_buckets(paths, SNAPSHOT_DAY)}


def test_a_reingest_killed_in_the_lake_publish_leaves_the_whole_old_or_the_whole_new_snapshot(base, corrected_snapshot, tmp_path):
    from flows.io.storage import leftovers, remove_leftovers

    before = _lake_state(base)
    reference = _copy(base, tmp_path / "reference")
    # The publish alone bounds the kill points (the process also needs a moment to notice `ready`).
    duration = reingest(str(reference), str(corrected_snapshot)) + 0.005
    after = _lake_state(reference)
    code = "import sys; from tests.flows.test_faults import reingest; reingest(*sys.argv[1:])"
    changed = [name for name in after if after[name] != before[name]]
    assert {"contacts", "events", "_quarantine"} <= set(changed)
    chooser = random.Random(20261201)
    outcomes = Counter()
    for attempt in range(KILLS):
        warehouse = _copy(base, tmp_path / f"kill-{attempt}")
        paths = Paths.of(warehouse)
        ready = tmp_path / f"ready-{attempt}"
        proc = subprocess.Popen([sys.executable, "-c", code, str(warehouse), str(corrected_snapshot), str(ready)])
        while not ready.exists() and proc.poll() is None:
            time.sleep(0.001)
        time.sleep(chooser.uniform(0, duration))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _lake_state(warehouse)
        assert state in (before, after), (
            f"attempt {attempt}: tables {[n for n in changed if state[n] != before[n]]} are new, the others old"
        )
        outcomes["old" if state == before else "new"] += 1
        remove_leftovers([paths.lake, paths.store], beside=paths.warehouse)
        assert leftovers([paths.lake, paths.store], beside=paths.warehouse) == []
        assert _lake_state(warehouse) == state, "removing the leftovers changed what the lake holds"
    # A rerun after the last kill completes the ingest (the earlier kills left the same kinds of state).
    reingest(str(warehouse), str(corrected_snapshot))
    assert _lake_state(warehouse) == after, "the rerun did not complete the ingest"
    print(f"kills in the lake publish: {dict(outcomes)}")
