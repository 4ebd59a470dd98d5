"""The score distribution: ten buckets over [0, score_limit] and a row per band."""

from __future__ import annotations

import polars as pl

from tests.transforms.score_fixtures import AS_OF, definition, events, inputs, rules
from transforms.scores.distribution import score_distribution
from transforms.scores.evaluate import evaluate_scores


def test_distribution_has_ten_buckets_and_band_counts():
    d = definition(rules({"event": "email_open", "points": 10}), thresholds={"medium": 40, "high": 70}, score_limit=200)
    ev = events(*[(c, "email_open", "2026-06-01") for c in (1, 2, 2)], *[(3, "email_open", "2026-06-01")] * 20)
    dist = evaluate_scores([d], inputs(ev, contacts=[1, 2, 3, 4]), AS_OF).distribution.collect()
    buckets = dist.filter(pl.col("band").is_null())
    assert buckets["bucket_low"].to_list() == [20.0 * i for i in range(10)]
    # scores 10, 20, 200 (clamped) and 0; a score on a bucket edge belongs to the bucket above it
    assert buckets["records"].to_list() == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert dict(dist.filter(pl.col("band").is_not_null()).select("band", "records").iter_rows()) == {"low": 3, "medium": 0, "high": 1}


def test_a_score_on_a_bucket_edge_goes_up_and_the_limit_stays_in_the_last_bucket():
    d = definition(rules({"event": "email_open", "points": 1}), thresholds={"medium": 50, "high": 80})
    scores = pl.LazyFrame({"score_index": [0, 0, 0, 0], "score": [0.0, 9.99, 10.0, 100.0], "band": ["low", "low", "low", "high"]})
    out = score_distribution(scores, [d]).collect()
    buckets = out.filter(pl.col("band").is_null())["records"].to_list()
    assert buckets == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    bands = out.filter(pl.col("band").is_not_null()).select("band", "bucket_low", "bucket_high", "records").rows()
    assert bands == [("low", 0.0, 50.0, 3), ("medium", 50.0, 80.0, 0), ("high", 80.0, 100.0, 1)]
