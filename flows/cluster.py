"""Where the bucket tasks run: in the flow's own process, one at a time, or on a Dask cluster.

`engage run` and `engage backfill` take `--dask ADDRESS` (an existing scheduler) or `--workers N`
(a local cluster of N worker processes for the run); `ENGAGE_DASK_ADDRESS` does what `--dask` does,
also for a deployment's flow run (a job variable). Tasks receive paths, not frames: every worker
must reach the warehouse folder (docs/scaling.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from prefect.futures import PrefectFuture
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

DASK_ADDRESS_ENV = "ENGAGE_DASK_ADDRESS"
# The environment of a worker process: Polars' allocator (jemalloc) keeps freed memory unless told to
# return it, which Dask counts against the worker's memory limit (it pauses the worker at 80%).
WORKER_ENV = {"_RJEM_MALLOC_CONF": "background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:500"}


def task_runner(address: str | None = None, workers: int | None = None) -> TaskRunner[Any]:
    """The runner of the bucket tasks: a Dask scheduler at `address` (or `ENGAGE_DASK_ADDRESS`), a
    local cluster of `workers` processes (Dask divides the machine's memory among them), or else one
    task at a time in this process, so memory holds one bucket."""
    address = address or os.environ.get(DASK_ADDRESS_ENV, "").strip() or None
    if address and workers:
        raise ValueError("give a Dask scheduler address or a number of local workers, not both")
    if not address and not workers:
        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask.task_runners import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    # One thread per worker process: Polars uses the cores; a bucket at a time per worker.
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None, "env": WORKER_ENV}
    )


T = TypeVar("T")


@dataclass
class Parcel(Generic[T]):
    """A task's result, handed over once. Prefect keeps the result of every task of a flow run until
    the run ends (it tracks which task made which object), so a bucket task returns its frames in a
    parcel that the flow empties as it takes them, and the flow holds one bucket's frames at a time."""

    content: T | None

    def take(self) -> T:
        content, self.content = self.content, None
        if content is None:
            raise RuntimeError("this task result has been taken already")
        return content


def each_result(futures: list[PrefectFuture[Parcel[T]]]) -> Iterator[T]:
    """The contents of the parcels `futures` return, in their order, each parcel emptied as it is taken."""
    for future in futures:
        yield future.result().take()


def worker_memory() -> int | None:
    """The smallest memory limit (bytes) of the Dask workers the current flow runs its tasks on, or
    None in one process or when the workers have no limit."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    runner = context.task_runner if context else None
    if runner is None or type(runner).__name__ != "DaskTaskRunner":
        return None
    workers = runner.client.scheduler_info(n_workers=-1)["workers"].values()  # type: ignore[attr-defined]
    limits = [int(w.get("memory_limit") or 0) for w in workers]
    return min(limits) if limits and all(limits) else None


@contextmanager
def shared_prefect_api() -> Iterator[None]:
    """Within the block, the Prefect API of this process is named in the environment that Dask
    workers started from it inherit; with no server configured, Prefect's temporary server is
    started first (else each worker would start a temporary server of its own, and the flow would
    never hear of their task runs)."""
    url = PREFECT_API_URL.value()
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()
        url = server.api_url
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
