"""The points calculator: the pipeline's rates, multipliers, FX and rounding for one amount."""

from __future__ import annotations

from datetime import date

import pytest

from tests.transforms.partner_fixtures import MARKETS, PROGRAM, RATES, history
from transforms.common.fx import MissingFxRate
from transforms.points.calculator import terms, to_currency, to_points


def test_calculator_gives_the_pipelines_numbers_and_round_trips():
    day = date(2026, 6, 30)
    t = terms("eur", "fr", "sourced", True, 2, day, PROGRAM, MARKETS, RATES)
    q = to_points(1234.56, t)
    pipeline = history([("a", 1, "sourced", day, "1234.56")], day)
    assert q.sold_points == pipeline["points"][0] == 246.91  # 1234.56 x 4 / 100 x 5 = 246.912
    assert q.managed_points == round(1234.56 * 4 / 100 * 1 / 3, 2)
    amounts = to_currency(q.sold_points, t)
    assert to_points(amounts.sold_amount, t).sold_points == q.sold_points
    assert to_points(amounts.managed_amount, t).managed_points == q.sold_points
    growth = terms("USD", "IN", "assisted", False, 0, day, PROGRAM, MARKETS, RATES)
    assert (to_points(100, growth).sold_points, to_points(100, growth).managed_points, growth.multiplier) == (6.0, 0.0, 2.0)
    with pytest.raises(MissingFxRate, match="NOK on or before 2026-06-30"):
        terms("NOK", "NO", "sourced", False, 0, day, PROGRAM, MARKETS, RATES)
