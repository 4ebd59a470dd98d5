"""partner-points.md: sold and managed points, expiry, versions, rounding, tiers, and the calculator."""

from datetime import date

import polars as pl
import pytest

from tests.transforms.partner_fixtures import CLIENTS, MARKETS, PROGRAM, RATES, deals, history, subscriptions, version
from transforms.common.calendar import add_months
from transforms.common.fx import MissingFxRate
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.points.points import deal_points, managed_points, partner_tier, points_by_client
from transforms.points.program import parse_program


def test_sold_points_by_type_market_and_fx_at_the_close_date():
    out = history(
        [
            ("a", 1, "sourced", date(2025, 6, 1), "100"),
            ("b", 1, "assisted", date(2026, 4, 1), "100"),
            ("c", 2, "sourced", date(2025, 6, 1), "250"),
            ("d", 3, "assisted", date(2025, 6, 1), "100"),
        ],
        date(2026, 6, 30),
    )
    got = {r["deal_id"]: (r["usd_mrr"], r["points"], r["market_type"]) for r in out.iter_rows(named=True)}
    assert got == {
        "a": (200.0, 10.0, "standard"),  # 100 EUR x 2.0 (rate of 2025-01-01) / 100 x 5
        "b": (400.0, 12.0, "standard"),  # rate of 2026-03-01: 4.0; assisted 3
        "c": (250.0, 25.0, "growth"),  # USD needs no rate; growth x 2
        "d": (100.0, 3.0, "standard"),  # country missing from markets: standard
    }


def test_sold_points_are_active_for_12_months_then_expired_on_the_exact_day():
    closed = date(2025, 6, 30)
    rows = [("a", 1, "sourced", closed, "100")]
    assert add_months(closed, 12) == date(2026, 6, 30)
    for day, active, expired in ((date(2026, 6, 29), 10.0, 0.0), (date(2026, 6, 30), 0.0, 10.0)):
        c = associated_clients(CLIENTS, day)
        h = deal_points(deals(*rows), c, MARKETS, RATES, PROGRAM, day)
        managed = managed_points(c, active_subscriptions(subscriptions(), day), MARKETS, RATES, PROGRAM, day)
        row = points_by_client(c, MARKETS, h, managed, day).filter(pl.col("client_id") == 1).collect().row(0, named=True)
        assert (row["sold_points"], row["expired_points"]) == (active, expired), day


def test_managed_points_split_between_the_managing_partners():
    day = date(2026, 6, 30)
    c = associated_clients(CLIENTS, day)
    subs = active_subscriptions(
        subscriptions(
            {"client_id": 2, "product": "sales_hub", "mrr": "300.00"},
            {"client_id": 1, "product": "sales_hub", "mrr": "999"},
            {"client_id": 3, "product": "sales_hub", "mrr": "50"},
        ),
        day,
    )
    out = managed_points(c, subs, MARKETS, RATES, PROGRAM, day).collect()
    assert dict(out.select("client_id", "managed_points").iter_rows()) == {2: 2.0, 3: 0.5}  # 300/100 x 1 x 2 / 3; client 1 is sold only


def test_each_deal_is_rounded_half_away_from_zero_and_totals_add_the_rounded_values():
    out = history([("a", 3, "sourced", date(2026, 1, 1), "100.10"), ("b", 3, "sourced", date(2026, 1, 2), "100.10")], date(2026, 6, 30))
    assert out["points"].to_list() == [5.01, 5.01]  # 5.005 each
    c = associated_clients(CLIENTS, date(2026, 6, 30))
    managed = managed_points(c, active_subscriptions(subscriptions(), date(2026, 6, 30)), MARKETS, RATES, PROGRAM, date(2026, 6, 30))
    row = points_by_client(c, MARKETS, out.lazy(), managed, date(2026, 6, 30)).filter(pl.col("client_id") == 3).collect().row(0, named=True)
    assert row["sold_points"] == 10.02


def test_the_version_in_force_on_the_close_date_and_on_the_as_of_date_apply():
    program = parse_program(
        {"versions": [version("2026-01-01"), version("2026-06-15", sourced=10, managed=2)], "certified": True}, "p.yaml"
    )
    out = history(
        [
            ("before", 3, "sourced", date(2026, 6, 14), "100"),
            ("after", 3, "sourced", date(2026, 6, 15), "100"),
            ("early", 3, "sourced", date(2025, 6, 15), "100"),
        ],
        date(2026, 6, 30),
        program,
    )
    assert dict(out.select("deal_id", "points").iter_rows()) == {"before": 5.0, "after": 10.0, "early": 5.0}  # before v1: v1
    subs = subscriptions({"client_id": 3, "product": "sales_hub", "mrr": "100"})
    for day, expected in ((date(2026, 6, 14), 1.0), (date(2026, 6, 15), 2.0)):
        c = associated_clients(CLIENTS, day)
        managed = managed_points(c, active_subscriptions(subs, day), MARKETS, RATES, program, day).collect()
        assert managed.filter(pl.col("client_id") == 3)["managed_points"][0] == expected


def test_a_missing_fx_rate_names_the_currency_and_the_close_date():
    with pytest.raises(MissingFxRate, match="no fx_rates row for EUR on or before 2024-12-31"):
        history([("a", 1, "sourced", date(2024, 12, 31), "100")], date(2026, 6, 30))


def _tier(by_client_rows, history_rows=(), tools=(3, 5, 8), certified=True, as_of=date(2026, 6, 30)):
    program = PROGRAM.model_copy(update={"certified": certified})
    by_client = pl.LazyFrame(
        by_client_rows, orient="row", schema={"sold_points": pl.Float64, "sourced_points": pl.Float64, "managed_points": pl.Float64}
    )
    hist = pl.LazyFrame(list(history_rows), orient="row", schema={"points": pl.Float64, "active_from": pl.Date, "active_until": pl.Date})
    index = pl.LazyFrame({"tools_in_use": list(tools)})
    return partner_tier(by_client, hist, index, program, as_of).collect().row(0, named=True)


def test_tier_reached_next_tier_and_margins():
    row = _tier([(300.0, 100.0, 150.0)])  # total 450, sourced 100
    assert (row["tier"], row["next_tier"], row["missing_total"], row["missing_sourced"]) == ("platinum", "elite", 550.0, 0.0)
    assert (row["keep_margin_total"], row["keep_margin_sourced"], row["median_tools_in_use"], row["certified"]) == (50.0, 20.0, 5.0, True)


def test_no_tier_below_the_first_and_top_tier_has_no_next():
    low = _tier([(50.0, 10.0, 0.0)])
    assert (low["tier"], low["next_tier"], low["missing_total"], low["missing_sourced"], low["keep_margin_total"]) == (
        None,
        "gold",
        50.0,
        10.0,
        None,
    )
    top = _tier([(1000.0, 500.0, 100.0)])
    assert (top["tier"], top["next_tier"], top["missing_total"]) == ("elite", None, None)


def test_a_tier_that_requires_certification_is_not_reached_without_it():
    assert _tier([(1000.0, 500.0, 100.0)], certified=False)["tier"] == "platinum"


def test_expiring_soon_counts_active_sold_points_ending_within_3_months():
    as_of = date(2026, 6, 30)
    rows = [
        (10.0, date(2025, 7, 1), date(2026, 7, 1)),
        (20.0, date(2025, 9, 30), date(2026, 9, 30)),
        (40.0, date(2025, 10, 1), date(2026, 10, 1)),
        (80.0, date(2025, 6, 1), date(2026, 6, 1)),
    ]
    assert _tier([(0.0, 0.0, 0.0)], rows, as_of=as_of)["expiring_soon"] == 30.0
