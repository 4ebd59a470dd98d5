"""The registry: hashes, first seen, last changed, last computed, deletion."""

from datetime import date

import polars as pl
import pytest

from tests.transforms.score_fixtures import definition, rules
from transforms.scores.registry import REGISTRY_SCHEMA, Loaded, content_hash, mark_deleted, refresh_registry

A = definition(rules({"event": "email_open", "points": 1}), id="a")
B = definition(rules({"event": "email_open", "points": 2}), id="b", thresholds={"medium": 10, "high": 20})
EMPTY = pl.DataFrame(schema=REGISTRY_SCHEMA)


def test_a_new_definition_is_seen_and_changed_on_the_run_day():
    reg = refresh_registry(EMPTY, [Loaded(A, "a.yaml"), Loaded(B, "b.yaml")], {"a": date(2026, 6, 1)}, date(2026, 6, 1))
    a, b = reg.sort("score_id").rows(named=True)
    assert (a["first_seen"], a["last_changed"], a["last_computed"], a["groups"], a["rules"]) == (
        date(2026, 6, 1),
        date(2026, 6, 1),
        date(2026, 6, 1),
        1,
        1,
    )
    assert (b["last_computed"], b["threshold_high"], b["content_hash"]) == (None, 20.0, content_hash(B))


def test_an_edit_is_a_new_hash_and_an_unchanged_definition_keeps_its_dates():
    first = refresh_registry(
        EMPTY, [Loaded(A, "a.yaml"), Loaded(B, "b.yaml")], {"a": date(2026, 6, 1), "b": date(2026, 6, 1)}, date(2026, 6, 1)
    )
    edited = definition(rules({"event": "email_open", "points": 3}), id="b", thresholds={"medium": 10, "high": 20})
    second = refresh_registry(first, [Loaded(A, "a.yaml"), Loaded(edited, "b.yaml")], {"a": date(2026, 6, 5)}, date(2026, 6, 5))
    rows = {r["score_id"]: r for r in second.iter_rows(named=True)}
    assert rows["a"]["last_changed"] == date(2026, 6, 1) and rows["a"]["last_computed"] == date(2026, 6, 5)
    assert rows["b"]["content_hash"] != first.filter(pl.col("score_id") == "b")["content_hash"][0]
    assert (rows["b"]["first_seen"], rows["b"]["last_changed"], rows["b"]["last_computed"]) == (
        date(2026, 6, 1),
        date(2026, 6, 5),
        date(2026, 6, 1),
    )


def test_deleted_rows_stay_deleted_when_their_file_is_gone():
    first = refresh_registry(EMPTY, [Loaded(A, "a.yaml"), Loaded(B, "b.yaml")], {}, date(2026, 6, 1))
    deleted = mark_deleted(first, "b", date(2026, 6, 2), drop_values=True)
    later = refresh_registry(deleted, [Loaded(A, "a.yaml")], {}, date(2026, 6, 3))
    row = later.filter(pl.col("score_id") == "b").row(0, named=True)
    assert (row["status"], row["deleted_on"], row["values_dropped"]) == ("deleted", date(2026, 6, 2), True)
    with pytest.raises(KeyError, match="no score definition 'zz'"):
        mark_deleted(first, "zz", date(2026, 6, 2), drop_values=False)


def test_an_engagement_definitions_hash_is_the_one_it_had_before_score_types():
    from transforms.scores.definition import parse_definition

    d = parse_definition(
        {
            "id": "opens",
            "name": "Opens",
            "object": "contact",
            "score_limit": 100,
            "groups": [{"name": "G", "rules": [{"event": "email_open", "points": 3, "within_days": 30}]}],
        },
        "x",
    )
    # Computed by engage before `type` existed: the registry sees no change on upgrade.
    assert content_hash(d) == "589485a11bd7c06a"
    assert content_hash(parse_definition({**d.model_dump(), "type": "engagement"}, "x")) == "589485a11bd7c06a"


def test_a_registry_stored_before_score_types_reads_as_engagement_scores_and_fit_files_say_fit():
    from tests.transforms.scores.test_fit import CONTACT_FIT
    from transforms.scores.registry import upgraded

    old = pl.DataFrame(schema=REGISTRY_SCHEMA).drop("score_type")
    old = pl.concat([old, pl.DataFrame({"score_id": ["gone"], "status": ["deleted"]})], how="diagonal_relaxed")
    assert upgraded(old).select("score_id", "score_type").rows() == [("gone", "engagement")]
    registry = refresh_registry(upgraded(old), [Loaded(CONTACT_FIT, "scores/lead_fit.yaml")], {}, date(2026, 6, 30))
    assert registry.select("score_id", "score_type").rows() == [("gone", "engagement"), ("lead_fit", "fit")]
    assert registry.columns == REGISTRY_SCHEMA.names()
