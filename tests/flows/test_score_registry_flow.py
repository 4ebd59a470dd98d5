"""Managing score definitions on generated data: edit, deactivate, preview, delete (issue 9)."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.cli.app import app
from flows.daily import daily_flow
from flows.io.analyst import connect_read_only
from flows.io.paths import DEFAULT_CONFIG, Paths
from tests.conftest import SNAPSHOT_DAY

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
D1, D2, D3 = SNAPSHOT_DAY - timedelta(days=2), SNAPSHOT_DAY - timedelta(days=1), SNAPSHOT_DAY


def _edit(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        node, *rest = key.split(".")
        if rest:
            data[node][int(rest[0])][rest[1]] = value
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data))


def _q(warehouse: Path, sql: str, *params) -> list[tuple]:
    with connect_read_only(Paths.of(warehouse)) as con:
        return con.sql(sql, params=list(params)).fetchall()


def test_edit_deactivate_preview_and_delete(small_snapshot, tmp_path):
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG, config)
    scores = config / "scores"
    warehouse = tmp_path / "warehouse.duckdb"
    runner = CliRunner()

    daily_flow(str(small_snapshot), D1, str(warehouse), str(config))
    first = dict(_q(warehouse, "select score_id, content_hash from score_definitions"))
    before = _q(warehouse, "select sum(score) from engagement_scores where score_id = 'mql_engagement' and as_of = ?", D1)

    # An edited definition gets a new hash; the rows computed under the old one stay as they were.
    _edit(scores / "mql_engagement.yaml", **{"groups.0.limit": 30})
    daily_flow(str(small_snapshot), D2, str(warehouse), str(config))
    row = _q(
        warehouse, "select content_hash, first_seen, last_changed, last_computed from score_definitions where score_id = 'mql_engagement'"
    )[0]
    assert row[0] != first["mql_engagement"] and row[1:] == (D1, D2, D2)
    assert _q(warehouse, "select sum(score) from engagement_scores where score_id = 'mql_engagement' and as_of = ?", D1) == before

    # Deactivated: not computed any more, its last values stay queryable.
    _edit(scores / "contact_activity.yaml", status="inactive")
    daily_flow(str(small_snapshot), D3, str(warehouse), str(config))
    days = [r[0] for r in _q(warehouse, "select distinct as_of from engagement_scores where score_id = 'contact_activity' order by 1")]
    assert days == [D1, D2]
    assert _q(warehouse, "select status, last_computed from score_definitions where score_id = 'contact_activity'") == [("inactive", D2)]

    listed = runner.invoke(app, ["scores", "list", "--status", "inactive", "--warehouse", str(warehouse)])
    assert listed.exit_code == 0 and "contact_activity" in listed.output and "mql_engagement" not in listed.output
    changed = runner.invoke(app, ["scores", "list", "--changed-since", D2.isoformat(), "--search", "MQL", "--warehouse", str(warehouse)])
    assert "mql_engagement" in changed.output and "company_engagement" not in changed.output

    # A draft is previewed, never loaded.
    draft = yaml.safe_load((scores / "mql_engagement.yaml").read_text()) | {"id": "mql_draft", "status": "draft"}
    (scores / "mql_draft.yaml").write_text(yaml.safe_dump(draft))
    preview = runner.invoke(
        app, ["scores", "preview", "mql_draft", "--snapshot", str(small_snapshot), "--as-of", D3.isoformat(), "--config", str(config)]
    )
    assert preview.exit_code == 0, preview.output
    assert "highest:" in preview.output and "lowest:" in preview.output and "bands: low" in preview.output
    assert _q(warehouse, "select count(*) from engagement_scores where score_id = 'mql_draft'") == [(0,)]

    # Delete without --drop-values: gone from the registry listing, values stay, marked deleted.
    kept = runner.invoke(app, ["scores", "delete", "company_engagement", "--warehouse", str(warehouse), "--config", str(config)])
    assert kept.exit_code == 0, kept.output
    assert not (scores / "company_engagement.yaml").exists() and (scores / ".deleted" / "company_engagement.yaml").exists()
    assert _q(warehouse, "select status, values_dropped from score_definitions where score_id = 'company_engagement'") == [
        ("deleted", False)
    ]
    assert _q(warehouse, "select count(*) > 0 from engagement_scores where score_id = 'company_engagement'") == [(True,)]
    assert "company_engagement" not in runner.invoke(app, ["scores", "list", "--warehouse", str(warehouse)]).output

    # Delete with --drop-values: its scores and breakdown leave the views and the files.
    dropped = runner.invoke(
        app, ["scores", "delete", "mql_engagement", "--drop-values", "--warehouse", str(warehouse), "--config", str(config)]
    )
    assert dropped.exit_code == 0, dropped.output
    for table in ("engagement_scores", "engagement_score_breakdown", "engagement_score_distribution"):
        assert _q(warehouse, f"select count(*) from {table} where score_id = 'mql_engagement'") == [(0,)], table
        files = f"read_parquet('{Paths.of(warehouse).store}/day=*/{table}/*.parquet')"
        assert _q(warehouse, f"select count(*) from {files} where score_id = 'mql_engagement'") == [(0,)], table
    assert _q(warehouse, "select count(*) > 0 from engagement_scores where score_id = 'company_engagement'") == [(True,)]

    # A later run does not bring deleted definitions back.
    daily_flow(str(small_snapshot), D3, str(warehouse), str(config))
    untouched = {path.stem for path in (DEFAULT_CONFIG / "scores").glob("*.yaml")} - {
        "company_engagement",
        "contact_activity",
        "mql_engagement",
    }
    assert dict(_q(warehouse, "select score_id, status from score_definitions")) == dict.fromkeys(untouched, "active") | {
        "company_engagement": "deleted",
        "contact_activity": "inactive",
        "mql_draft": "draft",
        "mql_engagement": "deleted",
    }
