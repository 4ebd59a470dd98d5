"""Shared fixtures. Prefect gets a private home, and only flow tests start its temporary server."""

import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="engage-prefect-")
os.environ["ENGAGE_LOG_DIR"] = tempfile.mkdtemp(prefix="engage-logs-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

import pytest
from hypothesis import HealthCheck, settings

# CI runs a bounded number of examples; `make soak` runs many more (HYPOTHESIS_PROFILE=soak).
settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("soak", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SNAPSHOT_DAY = date(2026, 6, 30)
BACKFILL_FIRST = SNAPSHOT_DAY - timedelta(days=40)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server (with its own database) for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=240):
        yield


@pytest.fixture(scope="session")
def small_snapshot(tmp_path_factory) -> Path:
    """A generated snapshot of 400 contacts with every kind of planted bad row."""
    from flows.dev.generate import generate_snapshot

    # Pattern characters in the path: every read of it must take the path as it is.
    out = tmp_path_factory.mktemp("snapshot") / "snap[1]*"
    generate_snapshot(out, contacts=400, seed=11, as_of=SNAPSHOT_DAY, bad_rows=True)
    return out


@pytest.fixture
def snapshot_copy(small_snapshot, tmp_path) -> Path:
    """A copy of the small snapshot that a test may change."""
    copy = tmp_path / "snap"
    shutil.copytree(small_snapshot, copy)
    return copy


@pytest.fixture(scope="session")
def backfilled(small_snapshot, tmp_path_factory, prefect_harness) -> Path:
    """A warehouse backfilled over 41 days of the small snapshot: history every day, tables every 20th."""
    from flows.daily import backfill_flow

    warehouse = tmp_path_factory.mktemp("backfilled") / "w*?[1]" / "warehouse.duckdb"
    backfill_flow(str(small_snapshot), BACKFILL_FIRST, SNAPSHOT_DAY, str(warehouse), every=20)
    return warehouse


def load_ten_days(small_snapshot: Path, warehouse: Path, runner=None) -> Path:
    """`warehouse` after a 10-day history backfill of the small snapshot and the daily run of its
    last day (on `runner` when given): what the bucketed and the Dask runs are compared on."""
    from flows.daily import backfill_flow, daily_flow

    backfill, daily = (flow.with_options(task_runner=runner) if runner else flow for flow in (backfill_flow, daily_flow))
    backfill(str(small_snapshot), SNAPSHOT_DAY - timedelta(days=9), SNAPSHOT_DAY, str(warehouse), history_only=True)
    daily(str(small_snapshot), SNAPSHOT_DAY, str(warehouse))
    return warehouse


@pytest.fixture(scope="session")
def one_bucket_load(small_snapshot, tmp_path_factory, prefect_harness) -> Path:
    """`load_ten_days` in one process and one contact bucket: the reference of the split runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ENGAGE_BUCKETS", "1")
        return load_ten_days(small_snapshot, tmp_path_factory.mktemp("one-bucket") / "warehouse.duckdb")


def require_service(variable: str, what: str) -> str:
    """The address of a test service from the environment. Without it the test is skipped, unless
    ENGAGE_REQUIRE_SERVICES=1 (CI, after `.ci/services`) makes that a failure."""
    value = os.environ.get(variable)
    if value:
        return value
    if os.environ.get("ENGAGE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{variable} is not set: {what} is required here (run .ci/services)")
    pytest.skip(f'{variable} is not set: no {what} (`eval "$(.ci/services)"` starts one)')


def dump_warehouse(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view of a warehouse but the append-only run log and its summary, rows sorted."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.sql(
                "select view_name from duckdb_views() where not internal and view_name not in ('run_log', 'run_summary')"
            ).fetchall()
        ]
        return {name: sorted(con.sql(f'select * from "{name}"').fetchall(), key=repr) for name in names}
