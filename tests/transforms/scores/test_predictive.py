"""How well a score predicts a transition: the score of the day before, AUC, bands and lift."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.scores.predictive import _lift, evaluate_prediction, scores_before_transition


def test_a_movers_score_is_that_of_the_day_before_its_move_and_the_others_that_of_the_last_day():
    cohort = pl.LazyFrame(
        {
            "portal_id": [1, 1, 1],
            "contact_id": [1, 2, 3],
            "converted": [True, False, False],
            "cutoff": [datetime(2026, 6, 10, 9, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)],
        }
    )
    # Contact 1 scores 5 until June 10, then 50 (its move): the 5 is what counts.
    intervals = pl.LazyFrame(
        {
            "score_id": ["s", "s", "s", "other"],
            "object_type": ["contact"] * 4,
            "portal_id": [1, 1, 1, 1],
            "record_id": [1, 1, 2, 3],
            "valid_from": [date(2026, 5, 1), date(2026, 6, 10), date(2026, 5, 1), date(2026, 5, 1)],
            "valid_to": [date(2026, 6, 10), None, None, None],
            "score": [5.0, 50.0, 7.0, 9.0],
            "band": ["low", "high", "low", "low"],
        }
    )
    got = scores_before_transition(cohort, intervals, "s").collect()
    assert got.select("contact_id", "day", "score").rows() == [
        (1, date(2026, 6, 9), 5.0),
        (2, date(2026, 6, 30), 7.0),
        (3, date(2026, 6, 30), None),
    ]


def test_lift_counts_contacts_tied_at_the_edge_by_the_share_that_fits():
    scored = pl.DataFrame({"score": [5.0, 4, 3, 2, 1, 0, 0, 0, 0, 0], "converted": [1, 0, 0, 0, 1, 0, 0, 0, 0, 1]}).cast(
        {"converted": pl.Boolean}
    )
    assert _lift(scored, 0.1, 0.3) == pytest.approx(1 / 0.3)  # the top contact moved
    # The top 6: five above the zeros (2 moved) and one of five zeros (1 of 5 moved).
    assert _lift(scored, 0.6, 0.3) == pytest.approx((2 + 1 / 5) / 6 / 0.3)


def test_auc_bands_and_lift_of_a_score_that_ranks_every_mover_first():
    scored = pl.DataFrame(
        {
            "converted": [True, True, False, False, False, False, False, False, False, False, True],
            "score": [90.0, 80, 10, 10, 5, 5, 5, 0, 0, 0, None],
            "band": ["high", "high", "low", "low", "low", "low", "low", "low", "low", "low", None],
        }
    )
    evaluation = evaluate_prediction(scored, "s")
    assert (evaluation.contacts, evaluation.converted, evaluation.unscored) == (10, 2, 1)
    assert evaluation.auc == 1.0 and evaluation.predictive
    assert evaluation.by_band.select("band", "contacts", "moved").rows() == [("low", 8, 0), ("high", 2, 2)]
    assert evaluation.lift[0.1] == pytest.approx(1 / 0.2) and evaluation.lift[0.2] == pytest.approx(1 / 0.2)


def test_a_score_that_cannot_tell_movers_apart_is_refused_when_nobody_moved():
    scored = pl.DataFrame({"converted": [False, False], "score": [1.0, 2.0], "band": ["low", "low"]})
    with pytest.raises(ValueError, match="all moved or none did"):
        evaluate_prediction(scored, "s")
