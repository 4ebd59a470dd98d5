"""Command-line conventions: --version, --json for scripts, exit code 2 for bad arguments and unknown
ids, warnings where a result would silently mislead (a misspelt event type, an old fx rate)."""

import json

import pytest
from typer.testing import CliRunner

from flows.cli.app import _quarantine_summary, app
from tests.conftest import SNAPSHOT_DAY

DAY = SNAPSHOT_DAY.isoformat()
TYPO = """id: typo
name: Typo
object: contact
score_limit: 100
groups:
  - name: g
    rules:
      - {event: email_opne, points: 5}
"""


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_version():
    result = _invoke("--version")
    assert result.exit_code == 0 and result.output.startswith("engage ")


def test_an_unknown_status_is_a_bad_argument():
    result = _invoke("scores", "list", "--status", "bogus")
    assert result.exit_code == 2 and "'bogus' is not one of active, inactive, draft, deleted" in result.output


def test_a_misspelt_event_type_is_a_warning_and_an_unknown_record_a_bad_argument(small_snapshot, tmp_path):
    definition = tmp_path / "typo.yaml"
    definition.write_text(TYPO)
    args = [
        "score",
        "--definition",
        str(definition),
        "--snapshot",
        str(small_snapshot),
        "--as-of",
        DAY,
        "--out",
        str(tmp_path / "s.parquet"),
    ]
    result = _invoke(*args)
    assert result.exit_code == 0 and "warning: typo: no event of type email_opne in" in result.output
    result = _invoke(*args, "--explain", "999999")
    assert result.exit_code == 2 and "record 999999 is not in scope of typo" in result.output


def test_points_calc_as_json_and_an_old_rate_is_said(small_snapshot):
    args = ["points", "calc", "--amount", "1000", "--currency", "EUR", "--country", "FR", "--sold-type", "sourced"]
    result = CliRunner().invoke(app, [*args, "--snapshot", str(small_snapshot), "--as-of", "2027-06-30", "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: the latest EUR rate is from" in result.stderr
    quote = json.loads(result.stdout)
    assert quote["terms"]["currency"] == "EUR" and quote["result"]["sold_points"] > 0
    assert quote["terms"]["rate_date"] <= DAY


def test_a_run_summary_reads_as_a_sentence():
    assert _quarantine_summary({"quarantined": {}}) == "no rows quarantined"
    said = _quarantine_summary({"quarantined": {"contacts": 6, "events": 1200}})
    assert said.startswith("quarantined rows: contacts 6, events 1,200")


@pytest.mark.flow
def test_status_and_scores_list_as_json(backfilled):
    status = json.loads(_invoke("status", "--warehouse", str(backfilled), "--json").stdout)
    assert status["days"] >= 1 and status["runs"] and {"table_name", "reason", "rows"} <= set(status["quarantine"][0])
    scores = json.loads(_invoke("scores", "list", "--warehouse", str(backfilled), "--json").stdout)
    assert {row["score_id"] for row in scores} >= {"mql_engagement"}


def test_explain_names_the_event_filters_and_window_of_each_rule(small_snapshot, tmp_path):
    import polars as pl

    from flows.io.paths import DEFAULT_CONFIG

    definition = DEFAULT_CONFIG / "scores" / "contact_activity.yaml"
    out = tmp_path / "s.parquet"
    args = ["score", "--definition", str(definition), "--snapshot", str(small_snapshot), "--as-of", DAY, "--out", str(out)]
    assert _invoke(*args).exit_code == 0
    top = pl.read_parquet(out).sort("score", descending=True)["record_id"][0]
    result = _invoke(*args, "--explain", str(top))
    assert result.exit_code == 0, result.output
    rows = [[cell.strip() for cell in line.strip("│").split("┆")] for line in result.output.splitlines() if line.startswith("│")]
    rules = {row[1] for row in rows if row[3] == "rule"}
    assert rules and all(", last " in rule for rule in rules), rules  # every rule of contact_activity has a window
    assert rules <= {
        "email_open, last 30 days",
        "email_click, last 30 days",
        "meeting_booked, last 90 days",
        "meeting_outcome_change where meeting_outcome equals completed, last 90 days",
        "meeting_outcome_change where meeting_outcome is any of no_show, canceled, last 90 days",
        "call where duration_seconds gte 300, last 60 days",
        "lifecycle_stage_change where to_stage is any of marketing_qualified_lead, sales_qualified_lead, last 180 days",
        "email_unsubscribe, last 365 days",
    }
