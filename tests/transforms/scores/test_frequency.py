"""Frequency rules on hand-checked frames: points by the number of matching events, at the edges of
their ranges, with windows, in the breakdown and the history, and what they may not be combined with."""

from datetime import timedelta

import pytest

from tests.transforms.score_fixtures import AS_OF, definition, events, inputs, rules, scores
from transforms.scores.definition import DefinitionError, parse_definition
from transforms.scores.evaluate import evaluate_scores
from transforms.scores.history import score_history

OPENS = [{"min": 1, "max": 2, "points": 2}, {"min": 3, "points": 5}]


def opens(count: int, days_ago: int = 1, contact: int = 1) -> list[tuple]:
    day = (AS_OF - timedelta(days=days_ago)).isoformat()
    return [(contact, "email_open", f"{day}T10:00:00")] * count


@pytest.mark.parametrize(("count", "expected"), [(0, 0.0), (1, 2.0), (2, 2.0), (3, 5.0), (7, 5.0)])
def test_the_count_of_matching_events_picks_its_range(count, expected):
    d = definition(rules({"event": "email_open", "frequency": OPENS}))
    assert scores(d, inputs(events(*opens(count)))) == {1: expected}


@pytest.mark.parametrize(("count", "expected"), [(1, 0.0), (2, 4.0), (3, 4.0), (4, 0.0), (6, 3.0), (7, 0.0)])
def test_a_count_between_ranges_or_below_the_first_scores_nothing(count, expected):
    d = definition(rules({"event": "email_open", "frequency": [{"min": 2, "max": 3, "points": 4}, {"min": 6, "max": 6, "points": 3}]}))
    assert scores(d, inputs(events(*opens(count)))) == {1: expected}


def test_a_window_counts_only_its_days_and_the_breakdown_shows_the_count():
    d = definition(rules({"event": "email_open", "frequency": OPENS, "within_days": 30}))
    result = evaluate_scores([d], inputs(events(*opens(2, days_ago=5), *opens(4, days_ago=40))), AS_OF)
    breakdown = result.breakdown.collect()
    assert result.scores.collect()["score"].to_list() == [2.0]
    assert breakdown.select("component", "events", "points").rows() == [("rule", 2, 2.0)]


def test_the_history_moves_between_ranges_as_events_come_and_leave_the_window():
    d = definition(rules({"event": "email_open", "frequency": OPENS, "within_days": 10}))
    # Three opens 15 days before AS_OF (5 points), one 8 days before (still 3+); the three leave the
    # window 10 days on, leaving one open (2 points).
    rows = [*opens(3, days_ago=15), *opens(1, days_ago=8)]
    start = AS_OF - timedelta(days=25)
    history = score_history([d], inputs(events(*rows)), start, AS_OF).collect()
    assert history.select("valid_from", "score").rows() == [
        (start, 0.0),
        (AS_OF - timedelta(days=15), 5.0),
        (AS_OF - timedelta(days=5), 2.0),
    ]
    for day, expected in ((AS_OF - timedelta(days=6), 5.0), (AS_OF - timedelta(days=5), 2.0)):
        alone = evaluate_scores([d], inputs(events(*rows)), day).scores.collect()["score"].to_list()
        assert alone == [expected], day


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"event": "x", "points": 1, "frequency": OPENS}, "`points` or `frequency`"),
        ({"event": "x"}, "`points` or `frequency`"),
        ({"event": "x", "frequency": [{"min": 1, "max": 3, "points": 2}, {"min": 3, "points": 5}]}, "without overlapping"),
        ({"event": "x", "frequency": [{"min": 1, "points": 2}, {"min": 5, "points": 5}]}, "without overlapping"),
        ({"event": "x", "frequency": [{"min": 3, "max": 2, "points": 2}]}, r"max \(2\) is below min \(3\)"),
        ({"event": "x", "frequency": [{"min": 0, "points": 2}]}, "greater than or equal to 1"),
        ({"event": "x", "frequency": OPENS, "limit_to": 3}, "frequency and limit_to"),
        (
            {"event": "x", "frequency": OPENS, "filters": [{"property": "p", "operator": "is_any_of", "values": ["a", "b"]}]},
            "a count per value",
        ),
    ],
)
def test_a_frequency_rule_without_one_reading_is_refused(rule, message):
    data = {"id": "f", "name": "F", "object": "contact", "score_limit": 100, "groups": [{"name": "G", "rules": [rule]}]}
    with pytest.raises(DefinitionError, match=message):
        parse_definition(data, "f.yaml")


def test_a_frequency_rule_under_decay_is_refused():
    data = {
        "id": "f",
        "name": "F",
        "object": "contact",
        "score_limit": 100,
        "decay": {"percent": 10, "every_months": 1},
        "groups": [{"name": "G", "rules": [{"event": "x", "frequency": OPENS}]}],
    }
    with pytest.raises(DefinitionError, match="decay and a frequency rule"):
        parse_definition(data, "f.yaml")
