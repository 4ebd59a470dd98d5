"""Bands of scores by each definition's own thresholds."""

from __future__ import annotations

import polars as pl

from tests.transforms.score_fixtures import AS_OF, definition, events, inputs, rules
from transforms.scores.bands import score_band
from transforms.scores.evaluate import evaluate_scores


def test_each_score_is_banded_by_its_own_definitions_thresholds():
    banded = definition(rules({"event": "email_open", "points": 1}), thresholds={"medium": 40, "high": 70})
    unbanded = definition(rules({"event": "email_open", "points": 1}))
    frame = pl.DataFrame({"score_index": [0, 0, 0, 0, 1], "score": [39.99, 40.0, 69.99, 70.0, 90.0]})
    bands = frame.select(score_band(pl.col("score"), [banded, unbanded])).to_series().to_list()
    assert bands == ["low", "medium", "medium", "high", None]


def test_total_is_clamped_to_the_score_limit_and_banded():
    d = definition(rules({"event": "email_open", "points": 60}), thresholds={"medium": 40, "high": 70})
    ev = events((1, "email_open", "2026-06-01"), (1, "email_open", "2026-06-02"), (2, "email_open", "2026-06-01"))
    out = evaluate_scores([d], inputs(ev, contacts=[1, 2, 3]), AS_OF).scores.collect().sort("record_id")
    assert out["score"].to_list() == [100.0, 60.0, 0.0]
    assert out["band"].to_list() == ["high", "medium", "low"]


def test_band_is_null_without_thresholds():
    d = definition(rules({"event": "email_open", "points": 1}))
    assert evaluate_scores([d], inputs(events((1, "email_open", "2026-06-01"))), AS_OF).scores.collect()["band"].to_list() == [None]
