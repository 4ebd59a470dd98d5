"""The bucket tasks on a Dask cluster of two worker processes publish the warehouse of a run in one
process, row for row: a 10-day history backfill and a daily run, with a worker SIGKILLed in the middle."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from tests.conftest import SNAPSHOT_DAY, dump_warehouse, load_ten_days

BUCKETS = 3


class _Killer(threading.Thread):
    """SIGKILLs the first worker process seen running a bucket task."""

    def __init__(self, client) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.killed: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for worker, keys in self.client.processing().items():
                if any("bucket" in str(key) for key in keys):
                    pid = self.client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append(worker)
                    return
            time.sleep(0.02)


@pytest.fixture(scope="module")
def cluster(prefect_harness):
    from distributed import Client, LocalCluster

    from flows.cluster import shared_prefect_api

    # Workers report to the test's Prefect server; 1 GiB a worker: far below what the whole job may
    # use, above one bucket of the small snapshot.
    with (
        shared_prefect_api(),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, memory_limit="1GiB") as local,
        Client(local) as client,
    ):
        yield local, client


def test_two_workers_one_killed_publish_the_rows_of_one_process(
    small_snapshot, one_bucket_load, tmp_path, monkeypatch, prefect_harness, cluster
):
    from prefect_dask.task_runners import DaskTaskRunner

    local, client = cluster
    monkeypatch.setenv("ENGAGE_BUCKETS", str(BUCKETS))
    killer = _Killer(client)
    killer.start()
    try:
        spread = load_ten_days(small_snapshot, tmp_path / "warehouse.duckdb", DaskTaskRunner(address=local.scheduler_address))
    finally:
        killer.done.set()
    assert killer.killed, "no worker was killed: the test did not test a fault"
    assert dump_warehouse(spread) == dump_warehouse(one_bucket_load)
    # Every worker of the cluster ran bucket tasks: the work was divided.
    assert len(client.scheduler_info()["workers"]) == 2


def test_bad_data_met_on_a_worker_stops_the_run_with_the_contract_line(snapshot_copy, tmp_path, prefect_harness, cluster):
    from typer.testing import CliRunner

    from flows.cli.app import app

    local, _ = cluster
    (snapshot_copy / "events").mkdir(exist_ok=True)
    (snapshot_copy / "events" / "zz-broken.parquet").write_bytes(b"PAR1 not a parquet file")
    warehouse = tmp_path / "warehouse.duckdb"
    args = ["run", "--snapshot", str(snapshot_copy), "--as-of", SNAPSHOT_DAY.isoformat(), "--warehouse", str(warehouse)]
    result = CliRunner().invoke(app, [*args, "--dask", local.scheduler_address])
    # A run on the cluster keeps the contract: one line naming the file, exit 1, nothing published.
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "zz-broken.parquet: cannot be parsed" in lines[0], result.stderr
    assert "Traceback" not in result.output and not warehouse.exists()


def test_the_bucket_count_follows_the_workers_memory_limit(cluster, prefect_harness):
    from prefect import flow
    from prefect_dask.task_runners import DaskTaskRunner

    from flows.cluster import worker_memory

    local, _ = cluster

    @flow(task_runner=DaskTaskRunner(address=local.scheduler_address))
    def limits() -> int | None:
        return worker_memory()

    assert limits() == 1024**3
    assert worker_memory() is None
