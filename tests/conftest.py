"""Shared fixtures. Prefect gets a private home, and only flow tests start its temporary server."""

import os
import tempfile
from datetime import date
from pathlib import Path

os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="engage-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

import pytest  # noqa: E402

SNAPSHOT_DAY = date(2026, 6, 30)


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server (with its own database) for every flow test of the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=240):
        yield


@pytest.fixture(scope="session")
def small_snapshot(tmp_path_factory) -> Path:
    """A generated snapshot of 400 contacts with every kind of planted bad row."""
    from flows.generate import generate_snapshot

    out = tmp_path_factory.mktemp("snapshot") / "snap"
    generate_snapshot(out, contacts=400, seed=11, as_of=SNAPSHOT_DAY, bad_rows=True)
    return out
