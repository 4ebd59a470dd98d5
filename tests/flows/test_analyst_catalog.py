"""The warehouse as analysts get it: every view and column described, and every view answering in
the DuckDB shell installed with the project (`.venv/bin/duckdb`, the duckdb-cli package)."""

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.flow

SHELL = Path(sys.executable).parent / "duckdb"


def _views(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.sql("select view_name from duckdb_views() where not internal order by 1").fetchall()]


def test_every_view_and_column_is_described(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:
        bare_views = con.sql("select view_name from duckdb_views() where not internal and coalesce(comment, '') = ''").fetchall()
        bare_columns = con.sql(
            "select table_name, column_name from duckdb_columns() where coalesce(comment, '') = ''"
            " and table_name in (select view_name from duckdb_views() where not internal)"
        ).fetchall()
        score = con.sql("select comment from duckdb_columns() where table_name = 'engagement_scores' and column_name = 'score'").fetchall()
    assert bare_views == [] and bare_columns == []
    assert "score" in score[0][0].lower()


def test_every_view_answers_in_the_installed_duckdb_shell(backfilled):
    views = _views(backfilled)
    assert len(views) > 30
    script = "".join(f"select '{name}', count(*) from {name};\n" for name in views)
    done = subprocess.run(
        [str(SHELL), "-readonly", "-csv", "-noheader", str(backfilled)], input=script, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    answered = [line.split(",")[0] for line in done.stdout.splitlines()]
    assert answered == views


def test_folder_names_are_not_read_as_columns(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:
        typed = con.sql(
            "select table_name, column_name, data_type from duckdb_columns()"
            " where column_name in ('day', 'snapshot_date') and table_name in (select view_name from duckdb_views() where not internal)"
        ).fetchall()
    assert [(t, c) for t, c, _ in typed if c == "day"] == [("engagement_score_daily", "day")]
    assert {d for _, _, d in typed} == {"DATE"}


def test_the_named_breakdown_names_the_event_filters_and_window_of_every_rule_row(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:
        unnamed = con.sql("select count(*) from engagement_score_breakdown_named where component = 'rule' and rule is null").fetchall()
        named = dict(
            con.sql(
                "select rule, event_type from engagement_score_breakdown_named"
                " where score_id = 'contact_activity' and group_name = 'Meetings and calls' and component = 'rule'"
            ).fetchall()
        )
    assert unnamed == [(0,)]
    assert named["call where duration_seconds gte 300, last 60 days"] == "call"


def test_a_day_never_computed_is_an_error_naming_the_days_there_are(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:
        days = [r[0] for r in con.sql("select as_of from computed_days()").fetchall()]
        assert days == [r[0] for r in con.sql("select distinct as_of from engagement_scores order by 1").fetchall()]
        last = days[-1]
        on = con.sql("select count(*) from engagement_scores_on(?)", params=[last]).fetchall()
        assert on == con.sql("select count(*) from engagement_scores where as_of = ?", params=[last]).fetchall() != [(0,)]
        missing = days[0] + (days[1] - days[0]) / 2
        with pytest.raises(duckdb.InvalidInputException, match=f"no scores were computed for {missing}; days computed: {days[0]}, "):
            con.sql("select count(*) from engagement_scores_on(?)", params=[missing]).fetchall()


def test_every_view_is_in_the_map_of_the_catalog_under_one_of_the_five_groups(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:
        mapped = dict(con.sql("select view_name, view_group from engage_views").fetchall())
    assert sorted(mapped) == _views(backfilled)
    assert mapped["contacts"] == mapped["clients"] == "snapshot" and mapped["clients_overview"] == "partner dashboard"
    assert {mapped[name] for name in ("engagement_scores", "score_definitions", "engagement_band_crossings")} == {"scores"}
    assert set(mapped.values()) == {"snapshot", "scores", "partner dashboard", "partner points", "operations"}
