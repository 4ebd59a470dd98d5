"""Choosing where the bucket tasks run: this process, a Dask scheduler, or a local cluster."""

from __future__ import annotations

import gc
import weakref

import pytest
import yaml
from prefect.task_runners import ThreadPoolTaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from flows.cluster import DASK_ADDRESS_ENV, Parcel, each_result, task_runner
from flows.io.paths import PROJECT_ROOT


def test_without_a_cluster_tasks_run_one_at_a_time_in_this_process(monkeypatch):
    monkeypatch.delenv(DASK_ADDRESS_ENV, raising=False)
    runner = task_runner()
    assert isinstance(runner, ThreadPoolTaskRunner) and runner._max_workers == 1


def test_an_address_from_the_option_or_the_environment_selects_that_scheduler(monkeypatch):
    monkeypatch.setenv(DASK_ADDRESS_ENV, "tcp://scheduler:8786")
    from_env = task_runner()
    assert isinstance(from_env, DaskTaskRunner) and from_env.address == "tcp://scheduler:8786"
    from_option = task_runner("tcp://other:8786")
    assert isinstance(from_option, DaskTaskRunner) and from_option.address == "tcp://other:8786"


def test_workers_start_a_local_cluster_of_single_threaded_processes(monkeypatch):
    monkeypatch.delenv(DASK_ADDRESS_ENV, raising=False)
    runner = task_runner(workers=3)
    assert isinstance(runner, DaskTaskRunner) and runner.address is None
    assert runner.cluster_kwargs["n_workers"] == 3 and runner.cluster_kwargs["threads_per_worker"] == 1
    # Polars' allocator in each worker returns freed memory, so Dask's memory limit sees what is used.
    assert "dirty_decay_ms" in runner.cluster_kwargs["env"]["_RJEM_MALLOC_CONF"]


def test_an_address_and_workers_together_are_refused(monkeypatch):
    monkeypatch.delenv(DASK_ADDRESS_ENV, raising=False)
    with pytest.raises(ValueError, match="not both"):
        task_runner("tcp://scheduler:8786", 2)


def test_both_deployments_take_the_scheduler_address_as_a_job_variable():
    deployments = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())["deployments"]
    assert {d["name"]: DASK_ADDRESS_ENV in d["job_variables"]["env"] for d in deployments} == {"daily": True, "backfill": True}


class _Result:
    """A bucket's result, whose lifetime the test follows."""


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_each_bucket_result_is_let_go_once_the_flow_has_taken_it():
    from prefect import flow, task

    @task
    def bucket(number: int) -> Parcel[_Result]:
        return Parcel(_Result())

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=1))
    def buckets(let_go: bool) -> list[bool]:
        futures = [bucket.submit(n) for n in range(3)]
        results = each_result(futures) if let_go else (future.result().content for future in futures)
        alive = []
        for result in results:
            taken = weakref.ref(result)
            del result
            gc.collect()
            alive.append(taken() is not None)
        return alive

    assert buckets(True) == [False, False, False]
    # Read without emptying the parcels, every result stays in memory until the flow run ends.
    assert buckets(False) == [True, True, True]
