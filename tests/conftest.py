"""Shared fixtures. Prefect gets a private home, and only flow tests start its temporary server."""

import os
import tempfile
from datetime import date
from pathlib import Path

os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="engage-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# CI runs a bounded number of examples; `make soak` runs many more (HYPOTHESIS_PROFILE=soak).
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("soak", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
