"""Points per member and record from per-unit sums (transforms/score_points.py), on tiny wide frames."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.transforms.score_fixtures import definition
from transforms.scores.points import breakdown_rows, company_partials, company_points, member_points
from transforms.scores.units import rule_units

FORMS = {"property": "form_id", "operator": "is_any_of", "values": ["a", "b"]}


def wide(**columns: list[int]) -> pl.LazyFrame:
    """A member per row (members 0..n-1); `c0=[...]`, `e0=[...]`: cents and events of unit 0."""
    n = len(next(iter(columns.values())))
    return pl.LazyFrame({"member": list(range(n)), **columns}, schema_overrides=dict.fromkeys(columns, pl.Int64))


def test_together_takes_the_largest_absolute_sum_ties_to_the_first_value_with_events_then_clamps():
    d = definition([{"name": "G", "rules": [{"event": "form_submission", "filters": [FORMS], "points": 3, "limit_to": 5}]}])
    # member 0: b is larger; member 1: a tie goes to a; member 2: only b has events, both sums 0.
    points, kinds = member_points(wide(c0=[300, 600, 0], e0=[1, 2, 0], c1=[900, 600, 0], e1=[3, 2, 4]), rule_units([d]), 10_000)
    frame = points.collect()
    assert frame["raw_cents"].to_list() == [500, 500, 0]
    rows = pl.concat(breakdown_rows(frame.with_columns(pl.col("member").alias("record")), kinds)).collect()
    # Reading order: each value's rule row, then its limit_to row; each kind in record order.
    assert rows.select("record", "value", "component", "events", "points").rows() == [
        (1, "a", "rule", 2, 6.0),
        (1, "a", "limit_to", 0, -1.0),
        (0, "b", "rule", 3, 9.0),
        (2, "b", "rule", 4, 0.0),
        (0, "b", "limit_to", 0, -4.0),
    ]


def test_individually_clamps_each_value_then_the_group_and_the_total_clamp():
    d = definition(
        [
            {
                "name": "G",
                "limit": 6,
                "rules": [
                    {"event": "form_submission", "filters": [FORMS], "scoring": "individually", "points": {"a": 4, "b": 1}, "limit_to": 4}
                ],
            },
            {"name": "Down", "rules": [{"event": "email_bounce", "points": -20}]},
        ],
    )
    points, kinds = member_points(wide(c0=[800, 400], e0=[2, 1], c1=[300, 0], e1=[3, 0], c2=[0, -2000], e2=[0, 1]), rule_units([d]), 1_000)
    frame = points.collect()
    # member 0: a 8 -> 4, b 3, group 7 -> 6, total 6; member 1: a 4, group 4, bounce -20, total -16 -> 0.
    assert frame.select("raw_cents", "cents").rows() == [(600, 600), (-1600, 0)]
    rows = pl.concat(breakdown_rows(frame.with_columns(pl.col("member").alias("record")), kinds)).collect()
    assert sorted(rows.filter(pl.col("record") == 0).select("component", "points").rows()) == [
        ("group_limit", -1.0),
        ("limit_to", -4.0),
        ("rule", 3.0),
        ("rule", 8.0),
    ]
    assert sorted(rows.filter(pl.col("record") == 1).select("component", "points").rows()) == [
        ("rule", -20.0),
        ("rule", 4.0),
        ("score_limit", 16.0),
    ]
    assert rows.group_by("record").agg(pl.col("points").sum()).sort("record")["points"].to_list() == [6.0, 0.0]


def test_company_avg_rounds_half_up_shows_a_rounding_row_and_a_record_without_members_scores_zero():
    d = definition([{"name": "G", "rules": [{"event": "email_open", "points": 1}]}])
    points, kinds = member_points(wide(c0=[100, 200, 0], e0=[1, 2, 0]), rule_units([d]), 10_000)
    members = points.with_columns(pl.Series("record", [10, 10, 10]), pl.Series("contact_id", [1, 2, 3])).collect()
    scores, rows = company_points(
        company_partials(members, kinds, "avg"), kinds, "avg", first_record=10, records=2, score_limit_cents=10_000
    )
    assert scores.collect().rows() == [(10, 100, 100), (11, 0, 0)]  # (1 + 2 + 0) / 3 = 1
    shown = pl.concat(rows).collect().select("record", "component", "events", "points").rows()
    assert shown == [(10, "rule", 3, 1.0)]


def test_company_max_shows_the_rows_of_the_member_it_is_ties_to_the_lowest_contact():
    d = definition([{"name": "G", "rules": [{"event": "email_open", "points": 1}]}])
    points, kinds = member_points(wide(c0=[300, 300, 100], e0=[3, 3, 1]), rule_units([d]), 10_000)
    members = points.with_columns(pl.Series("record", [0, 0, 0]), pl.Series("contact_id", [9, 4, 1])).collect()
    scores, rows = company_points(company_partials(members, kinds, "max"), kinds, "max", first_record=0, records=1, score_limit_cents=200)
    assert scores.collect().rows() == [(0, 200, 300)]
    assert pl.concat(rows).collect().select("component", "events", "points").rows() == [("rule", 3, 3.0), ("company_limit", 0, -1.0)]


@pytest.mark.parametrize("aggregation", ["sum", "avg", "min", "max"])
def test_partials_of_two_halves_of_the_members_combine_to_the_partials_of_all(aggregation):
    d = definition([{"name": "G", "rules": [{"event": "email_open", "points": 1}, {"event": "form_submission", "points": 5}]}])
    points, kinds = member_points(
        wide(c0=[300, 100, 0, 200], e0=[3, 1, 0, 2], c1=[0, 500, 0, 500], e1=[0, 1, 0, 1]), rule_units([d]), 10_000
    )
    members = points.with_columns(pl.Series("record", [0, 1, 0, 1]), pl.Series("contact_id", [4, 3, 2, 1])).collect()
    whole = company_partials(members, kinds, aggregation)
    halves = pl.concat([company_partials(members[:2], kinds, aggregation), company_partials(members[2:], kinds, aggregation)])
    assert_frame_equal(company_partials(halves, kinds, aggregation), whole)
    assert whole["total"].to_list() == {"sum": [300, 1300], "avg": [300, 1300], "min": [0, 600], "max": [300, 700]}[aggregation]
