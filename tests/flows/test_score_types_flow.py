"""The shipped fit, company fit and combined scores through the flows: every score table, the
history, the registry and the report have them."""

import duckdb
import pytest

from tests.conftest import SNAPSHOT_DAY

pytestmark = pytest.mark.flow

NEW = {"lead_fit": "fit", "account_fit": "fit", "lead_matrix": "combined"}


def test_every_table_holds_the_fit_and_combined_scores(backfilled):
    with duckdb.connect(str(backfilled), read_only=True) as con:

        def count(sql: str) -> dict:
            return dict(con.sql(sql, params=[SNAPSHOT_DAY]).fetchall())

        scores = count("select score_id, count(*) from engagement_scores where as_of = ? group by all")
        breakdown = count("select score_id, count(*) from engagement_score_breakdown where as_of = ? group by all")
        distribution = count(
            "select score_id, sum(records) from engagement_score_distribution where as_of = ? and band is null group by all"
        )
        rules = count("select score_id, count(*) from engagement_score_rules where as_of = ? group by all")
        history = count("select score_id, count(*) from engagement_score_daily where day = ? group by all")
        matrix = con.sql(
            "select count(*) filter (where matrix is null), count(*) filter (where abs(score - least(fit_score + engagement_score, 200)) > 0.005)"
            " from engagement_scores where score_id = 'lead_matrix'"
        ).fetchall()
        others = con.sql("select count(*) from engagement_scores where score_id != 'lead_matrix' and matrix is not null").fetchall()
        types = dict(con.sql("select score_id, score_type from score_definitions").fetchall())
    for score_id in NEW:
        assert scores[score_id] > 0 and breakdown[score_id] > 0 and rules[score_id] > 0, score_id
        assert distribution[score_id] == scores[score_id] == history[score_id], score_id
        assert types[score_id] == NEW[score_id]
    assert scores["account_fit"] < scores["lead_fit"]  # companies, then contacts
    assert matrix == [(0, 0)] and others == [(0,)]
    assert types["contact_activity"] == "engagement"
