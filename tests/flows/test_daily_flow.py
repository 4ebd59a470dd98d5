"""End to end: the daily flow on a generated snapshot, reruns, kills and concurrent readers."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from flows.daily import daily_flow
from flows.io.analyst import connect_read_only
from flows.io.paths import Paths
from tests.conftest import SNAPSHOT_DAY, dump_warehouse

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


@pytest.fixture(scope="module")
def loaded(small_snapshot, tmp_path_factory) -> Path:
    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(warehouse))
    return warehouse


def test_every_planted_bad_row_is_quarantined_with_its_reason_and_good_rows_are_kept(loaded, small_snapshot):
    planted = json.loads((small_snapshot / "_planted_bad_rows.json").read_text())
    generated = json.loads((small_snapshot / "_snapshot.json").read_text())["rows"]
    with connect_read_only(Paths.of(loaded)) as con:
        quarantine = con.sql("select table_name, source_file, source_row, column_name, reason from quarantine").fetchall()
        for row in planted:
            reasons = [q[4] for q in quarantine if q[:4] == (row["table"], row["source_file"], row["source_row"], row["column"])]
            assert any(row["reason"] in r for r in reasons), (row, reasons)
        counts = con.sql("select table_name, rows_read, rows_kept, rows_quarantined from run_log where step = 'ingest'").fetchall()
    planted_per_table = {t: sum(1 for r in planted if r["table"] == t) for t in {r["table"] for r in planted}}
    for table, read, kept, quarantined in counts:
        assert read == kept + quarantined
        assert kept == generated[table], table
        assert quarantined == planted_per_table.get(table, 0), table


def test_a_rerun_of_the_same_day_gives_identical_rows(loaded, small_snapshot):
    day = Paths.of(loaded).day(SNAPSHOT_DAY)
    before, files = dump_warehouse(loaded), {path.name: pl.read_parquet(path) for path in sorted(day.glob("*.parquet"))}
    daily_flow(str(small_snapshot), SNAPSHOT_DAY, str(loaded))
    assert dump_warehouse(loaded) == before
    assert sum(len(rows) for rows in before.values()) > 0
    # Row for row in the same order too: every table file of the day is the same frame.
    for name, frame in files.items():
        assert pl.read_parquet(day / name).equals(frame), name


def test_a_read_only_session_held_open_during_a_load_neither_blocks_it_nor_breaks(loaded, small_snapshot):
    with connect_read_only(Paths.of(loaded)) as analyst:
        before = analyst.sql("select count(*) from events").fetchall()[0][0]
        daily_flow(str(small_snapshot), SNAPSHOT_DAY + timedelta(days=1), str(loaded))
        after = analyst.sql("select count(*) from events").fetchall()[0][0]
    assert after == 2 * before  # the new snapshot date is visible as a whole


KILLER = """
import sys, time
from datetime import date
from pathlib import Path
import polars as pl
import flows.io.storage as storage
from flows.io.warehouse import publish_day
from flows.io.paths import Paths

point = sys.argv[2]
real_write, real_publish = storage.write_parquet, storage.publish
def slow_write(frame, path):
    real_write(frame, path)
    if point == "mid-write":
        Path(sys.argv[3]).touch(); time.sleep(60)
def slow_publish(staged, link):
    if point == "before-swap":
        Path(sys.argv[3]).touch(); time.sleep(60)
    real_publish(staged, link)
import flows.io.warehouse as wh
wh.write_parquet, wh.publish = slow_write, slow_publish
new = {name: pl.DataFrame({"marker": ["new"] * 3}) for name in ("alpha", "beta")}
publish_day(Paths.of(sys.argv[1]), date(2026, 6, 30), new)
"""


@pytest.mark.parametrize("point", ["mid-write", "before-swap"])
def test_a_load_killed_mid_way_leaves_the_previous_day(tmp_path, point):
    from datetime import date

    import polars as pl

    from flows.io.warehouse import ensure_catalog, publish_day

    paths = Paths.of(tmp_path / "warehouse.duckdb")
    schemas = {"alpha": {"marker": pl.String}, "beta": {"marker": pl.String}}
    publish_day(paths, date(2026, 6, 30), {name: pl.DataFrame({"marker": ["old"]}) for name in schemas})
    from flows.io.warehouse import day_table_schemas

    ensure_catalog(paths, day_table_schemas() | schemas)
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(paths.warehouse), point, str(ready)])
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert ready.exists(), "the loader never reached the kill point"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        for table in schemas:
            assert con.sql(f"select marker from {table}").fetchall() == [("old",)]
    publish_day(paths, date(2026, 6, 30), {name: pl.DataFrame({"marker": ["new"]}) for name in schemas})
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.sql("select marker from alpha").fetchall() == [("new",)]


def test_the_daily_flow_fills_every_table(loaded):
    from flows.io.warehouse import day_table_schemas

    with connect_read_only(Paths.of(loaded)) as con:
        for table in day_table_schemas():
            rows = con.sql(f"select count(*) from {table} where as_of = ?", params=[SNAPSHOT_DAY]).fetchall()[0][0]
            assert rows > 0, table
        for view in ("client_engagement", "renewal_search"):
            assert con.sql(f"select count(*) from {view}").fetchall()[0][0] > 0, view


def test_the_lake_stores_events_ordered_by_type_then_contact(loaded):
    """Scoring reads one event type at a time and relies on this order to skip other types' row groups."""

    from flows.io.lake import lake_table
    from transforms.snapshot.contract import TABLES

    events = lake_table(Paths.of(loaded), "events", SNAPSHOT_DAY).collect()
    assert events.height > 1000
    assert events.equals(events.sort(TABLES["events"].cluster_by))
    assert events["event_type"].n_unique() > 5


def test_a_backfill_across_the_renewal_deadline_moves_the_planted_renewal_on_the_right_day(small_snapshot, tmp_path):
    from flows.daily import backfill_flow
    from flows.dev.generate import PLANTED_CHANGE_ID, PLANTED_RENEWAL_LEAD_DAYS

    start = SNAPSHOT_DAY + timedelta(days=PLANTED_RENEWAL_LEAD_DAYS)
    # From two days before the renewal is due to be confirmed (44 days ahead) to the snapshot's day.
    first = start - timedelta(days=46)
    span = (SNAPSHOT_DAY - first).days + 1
    assert 3 <= span <= 30
    backfill_flow(str(small_snapshot), first, SNAPSHOT_DAY, str(tmp_path / "warehouse.duckdb"))
    with connect_read_only(Paths.of(tmp_path / "warehouse.duckdb")) as con:
        rows = con.sql(
            "select as_of, status, days_to_deadline from upcoming_renewals where change_id = ? order by as_of", params=[PLANTED_CHANGE_ID]
        ).fetchall()
        days = con.sql("select count(distinct as_of) from engagement_scores").fetchall()[0][0]
    assert days == span
    assert [r[0] for r in rows] == [first + timedelta(days=i) for i in range(span)]
    for as_of, status, days_to_deadline in rows:
        assert status == ("renewed" if as_of >= start - timedelta(days=44) else "pending"), as_of
        assert days_to_deadline == (start - timedelta(days=45) - as_of).days


def test_a_12_month_backfill_shows_points_expiring_the_tier_moving_and_draws_the_chart(small_snapshot, tmp_path):
    import shutil

    import yaml

    from flows.daily import backfill_flow
    from flows.io.paths import DEFAULT_CONFIG

    config = tmp_path / "config"
    (config / "scores").mkdir(parents=True)  # partner marts only: scores are tested above
    shutil.copy(DEFAULT_CONFIG / "index_catalog.yaml", config)
    program = yaml.safe_load((DEFAULT_CONFIG / "partner_program.yaml").read_text())
    program["versions"][0]["tiers"] = [{"name": f"t{n}", "min_total": 250 * n, "min_sourced": 0} for n in range(1, 21)]
    (config / "partner_program.yaml").write_text(yaml.safe_dump(program))
    warehouse = tmp_path / "warehouse.duckdb"
    # Every second week: the tier's moves and the points' expiry show over the year at that pace.
    backfill_flow(str(small_snapshot), SNAPSHOT_DAY - timedelta(days=364), SNAPSHOT_DAY, str(warehouse), str(config), every=14)
    with connect_read_only(Paths.of(warehouse)) as con:
        tiers = con.sql("select as_of, tier, total_points, expiring_soon from partner_tier order by as_of").fetchall()
        expired = con.sql("select as_of, sum(expired_points) from partner_points_by_client group by as_of order by as_of").fetchall()
    assert len(tiers) == 27 and tiers[-1][0] == SNAPSHOT_DAY
    assert len({t[1] for t in tiers}) >= 2, "the tier never moved"
    assert expired[-1][1] > expired[0][1], "no points expired over the year"
    assert any(t[3] > 0 for t in tiers)
    chart = Paths.of(warehouse).reports / "tier_progress.png"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 10_000


def test_status_shows_the_last_runs_and_the_quarantine(loaded):
    from typer.testing import CliRunner

    from flows.cli.app import app

    result = CliRunner().invoke(app, ["status", "--warehouse", str(loaded)])
    assert result.exit_code == 0, result.output
    assert "day(s) loaded" in result.output and "rows_quarantined" in result.output
    assert "duplicate key (portal_id, contact_id)" in result.output
