"""Score history in the warehouse: the backfill's one pass, daily extension, rebasing and the views."""

from datetime import timedelta
from pathlib import Path

import pytest

from flows.io.analyst import connect_read_only
from flows.io.paths import Paths
from tests.conftest import BACKFILL_FIRST as FIRST
from tests.conftest import SNAPSHOT_DAY

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

# Questions about one particular day that 400 contacts may not answer; the demo's 5,000 do.
EMPTY_ON_SMALL_DATA = {"crossed_into_high.sql"}
SCORES = "select score_id, object_type, portal_id, record_id, score, band from {} where {} = ? order by all"


def _daily_view(warehouse: Path) -> list[tuple]:
    with connect_read_only(Paths.of(warehouse)) as con:
        return con.sql("select * from engagement_score_daily order by all").fetchall()


def test_the_history_of_a_backfill_agrees_with_each_day_computed_alone(backfilled):
    with connect_read_only(Paths.of(backfilled)) as con:
        days = [r[0] for r in con.sql("select distinct as_of from engagement_scores order by 1").fetchall()]
        assert len(days) == 3
        for day in days:
            alone = con.sql(SCORES.format("engagement_scores", "as_of"), params=[day]).fetchall()
            assert con.sql(SCORES.format("engagement_score_daily", "day"), params=[day]).fetchall() == alone, day
            assert len(alone) > 400
        covered = con.sql("select min(day), max(day), count(distinct day) from engagement_score_daily").fetchall()[0]
        records = con.sql("select count(*) from engagement_scores where as_of = ?", params=[SNAPSHOT_DAY]).fetchall()[0][0]
        intervals = con.sql("select count(*) from engagement_score_history").fetchall()[0][0]
    assert covered == (FIRST, SNAPSHOT_DAY, 41)
    assert intervals < 41 * records / 4, "history should be far smaller than a row per record and day"


def test_band_crossings_follow_the_history(backfilled):
    with connect_read_only(Paths.of(backfilled)) as con:
        crossings = con.sql("select score_id, record_id, crossed_on, from_band, to_band from engagement_band_crossings").fetchall()
        assert crossings, "no record changed band in 41 days"
        for score_id, record_id, day, from_band, to_band in crossings[:20]:
            bands = con.sql(
                "select day, band from engagement_score_daily where score_id = ? and record_id = ? and day in (?, ?) order by day",
                params=[score_id, record_id, day - timedelta(days=1), day],
            ).fetchall()
            assert bands == [(day - timedelta(days=1), from_band), (day, to_band)]


def test_a_daily_run_adds_only_the_records_that_changed_and_a_re_backfill_keeps_later_days(backfilled, small_snapshot):
    from flows.daily import backfill_flow, daily_flow
    from flows.io.history_store import read_changes

    paths = Paths.of(backfilled)
    next_day = SNAPSHOT_DAY + timedelta(days=1)
    daily_flow(str(small_snapshot), next_day, str(backfilled))
    with connect_read_only(paths) as con:
        changed = con.sql(
            """select count(*) from engagement_scores as today
               left join engagement_scores as yesterday
                 on yesterday.as_of = ? and (today.score_id, today.object_type, today.portal_id, today.record_id)
                    = (yesterday.score_id, yesterday.object_type, yesterday.portal_id, yesterday.record_id)
               where today.as_of = ? and (yesterday.score is null or yesterday.score <> today.score
                     or yesterday.band is distinct from today.band)""",
            params=[SNAPSHOT_DAY, next_day],
        ).fetchall()[0][0]
        assert (
            con.sql(SCORES.format("engagement_score_daily", "day"), params=[next_day]).fetchall()
            == con.sql(SCORES.format("engagement_scores", "as_of"), params=[next_day]).fetchall()
        )
    stored = read_changes(paths)
    assert changed > 0
    assert stored.filter(stored["valid_from"] == next_day).height == changed
    before = _daily_view(backfilled)
    backfill_flow(str(small_snapshot), FIRST + timedelta(days=3), FIRST + timedelta(days=10), str(backfilled), history_only=True)
    assert _daily_view(backfilled) == before
    assert read_changes(paths).sort(read_changes(paths).columns).equals(stored.sort(stored.columns))


def test_every_example_query_answers_on_a_backfilled_warehouse(backfilled):
    from flows.cli.app import EXAMPLE_QUERIES
    from flows.io.paths import SQL_DIR

    files = sorted((SQL_DIR / "examples").glob("*.sql"))
    assert {SQL_DIR / "examples" / f for f in EXAMPLE_QUERIES} <= set(files)
    with connect_read_only(Paths.of(backfilled)) as con:
        for path in files:
            assert path.read_text().startswith("-- "), f"{path.name}: first line should say what it answers"
            rows = con.sql(path.read_text()).fetchall()
            assert rows or path.name in EMPTY_ON_SMALL_DATA, path.name
