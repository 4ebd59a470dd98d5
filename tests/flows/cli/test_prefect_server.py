"""Quick answers: bad inputs and quick commands never wait for the flows' imports or a Prefect
server, and the temporary server is only started when none is configured."""

import subprocess
import sys

import pytest

from flows.cli import prefect_server

PROBE = """
import sys
from flows.cli.app import main
try:
    main(sys.argv[1:])
except SystemExit as ended:
    heavy = sorted(m for m in ("prefect", "polars", "pandera", "matplotlib") if m in sys.modules)
    print("exit", ended.code, "loaded", ",".join(heavy) or "none")
"""


def _loaded(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    return done.stdout.strip().splitlines()[-1]


def test_a_missing_snapshot_is_answered_before_prefect_or_a_server_starts(tmp_path):
    said = _loaded("run", "--snapshot", str(tmp_path / "nope"), "--as-of", "2026-06-30", "--warehouse", str(tmp_path / "w.duckdb"))
    assert said == "exit 1 loaded none"


def test_help_loads_nothing_heavy():
    assert _loaded("--help") == "exit 0 loaded none"


def test_a_configured_server_is_used_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "prefect.settings", None)  # as in a fresh process: Prefect not loaded
    monkeypatch.delitem(sys.modules, "prefect.settings")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_PROFILE", raising=False)
    assert not prefect_server._configured()
    (tmp_path / "profiles.toml").write_text('active = "work"\n[profiles.work]\nPREFECT_API_URL = "http://prefect:4200/api"\n')
    assert prefect_server._configured()
    (tmp_path / "profiles.toml").write_text('active = "local"\n[profiles.local]\n')
    assert not prefect_server._configured()
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect:4200/api")
    assert prefect_server._configured()


@pytest.mark.flow
def test_status_and_scores_list_load_neither_prefect_nor_a_dataframe_library(backfilled):
    assert _loaded("status", "--warehouse", str(backfilled)) == "exit 0 loaded none"
    assert _loaded("scores", "list", "--warehouse", str(backfilled)) == "exit 0 loaded none"
