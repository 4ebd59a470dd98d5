"""A snapshot checked before a run and by `engage check`: every gap at once, only what a
computation needs required, quarantine reasons, and what the definitions name that it lacks."""

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli.app import app
from flows.io.errors import SnapshotError
from flows.io.lake import lake_table
from flows.io.paths import DEFAULT_CONFIG, Paths
from flows.snapshot_check import check_snapshot, preflight
from tests.conftest import SNAPSHOT_DAY
from transforms.needs import PARTNER_TABLES, day_needs
from transforms.scores.definition import parse_definition

TYPO = parse_definition(
    {
        "id": "typo",
        "name": "Typo",
        "object": "contact",
        "score_limit": 100,
        "groups": [
            {
                "name": "G",
                "rules": [
                    {"event": "email_opne", "points": 1},
                    {"event": "form_submission", "points": 5, "filters": [{"property": "form_idd", "operator": "equals", "value": "x"}]},
                ],
            }
        ],
    },
    "typo.yaml",
)


def _copy(small_snapshot: Path, folder: Path, tables: list[str]) -> Path:
    for name in tables:
        shutil.copytree(small_snapshot / name, folder / name)
    return folder


def test_a_run_stops_naming_every_missing_table_and_every_refused_header_at_once(small_snapshot, tmp_path):
    snapshot = _copy(small_snapshot, tmp_path / "snap", ["companies", *PARTNER_TABLES])
    (snapshot / "deals" / "extra.csv").write_text("deal_id,client_id\n1,2\n")
    with pytest.raises(SnapshotError) as error:
        preflight(snapshot, day_needs([TYPO]), None)
    message = str(error.value)
    assert "2 problem(s)" in message and "scores need table(s) contacts, events, which the snapshot lacks" in message
    assert f"{snapshot / 'deals' / 'extra.csv'}: table deals lacks required column(s)" in message
    assert "\n" not in message


def test_a_contacts_and_events_snapshot_skips_only_the_partner_outputs(small_snapshot, tmp_path, caplog):
    snapshot = _copy(small_snapshot, tmp_path / "snap", ["contacts", "events"])
    skipped = preflight(snapshot, day_needs([TYPO]), None)
    assert [need.computation for need in skipped] == ["partner outputs"]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and warnings[0].startswith("partner outputs skipped: the snapshot has no clients, subscriptions")


def test_the_check_reports_quarantine_reasons_extra_columns_and_what_the_definitions_lack(small_snapshot, tmp_path):
    snapshot = _copy(small_snapshot, tmp_path / "snap", ["contacts", "events"])
    (snapshot / "contacts" / "own.csv").write_text(
        "portal_id,contact_id,created_at,First Name\n1,900001,2026-01-01,Ada\n1,xyz,2026-01-01,Bo\n"
    )
    report = check_snapshot(snapshot, [TYPO], None, "scores")
    assert report["ready"] and report["problems"] == []
    contacts = next(t for t in report["tables"] if t["table"] == "contacts")
    assert "first_name" in contacts["extra_columns"]
    assert {"column_name": "contact_id", "reason": "not a valid id: 'xyz'", "rows": 1} in contacts["reasons"]
    assert contacts["rows_quarantined"] == sum(r["rows"] for r in contacts["reasons"]) or contacts["other_reasons"]
    assert report["definitions"] == [
        "typo: no event of type email_opne in the snapshot (a misspelt type scores 0)",
        "typo: no column form_idd in events (a filter on it never matches)",
    ]
    # The same snapshot is not ready for the partner outputs, and says which tables they need.
    partner = check_snapshot(snapshot, [TYPO], None, "partner")
    assert not partner["ready"] and partner["needs"][0]["missing"] == list(PARTNER_TABLES)


def test_engage_check_exits_1_when_not_ready_and_prints_json(small_snapshot, tmp_path):
    snapshot = _copy(small_snapshot, tmp_path / "snap", ["contacts", "events", "companies", "associations"])
    runner = CliRunner()
    ready = runner.invoke(app, ["check", "--snapshot", str(snapshot), "--for", "scores", "--config", str(DEFAULT_CONFIG)])
    assert ready.exit_code == 0, ready.output
    assert ready.output.strip().endswith("ready") and "contacts: " in ready.output
    partner = runner.invoke(app, ["check", "--snapshot", str(snapshot), "--for", "partner", "--json"])
    assert partner.exit_code == 1
    assert json.loads(partner.stdout)["needs"][0]["missing"] == list(PARTNER_TABLES)
    bad = runner.invoke(app, ["check", "--snapshot", str(snapshot), "--for", "everything"])
    assert bad.exit_code == 2 and "'everything' is not one of scores, partner, all" in bad.output


@pytest.mark.flow
def test_a_run_on_contacts_and_events_scores_contacts_and_leaves_the_partner_tables_empty(small_snapshot, tmp_path, prefect_harness):
    from flows.daily import daily_flow
    from flows.io.analyst import connect_read_only

    snapshot = _copy(small_snapshot, tmp_path / "snap", ["contacts", "events"])
    warehouse = tmp_path / "warehouse.duckdb"
    daily_flow(str(snapshot), SNAPSHOT_DAY, str(warehouse))
    paths = Paths.of(warehouse)
    assert lake_table(paths, "clients", SNAPSHOT_DAY).select(pl.len()).collect().item() == 0
    with connect_read_only(paths) as con:
        objects = dict(con.sql("select object_type, count(*) from engagement_scores group by all").fetchall())
        assert objects.get("contact", 0) > 400 and "company" not in objects
        for table in ("partner_tier", "client_alerts", "upcoming_renewals"):
            assert con.sql(f"select count(*) from {table}").fetchall() == [(0,)], table
