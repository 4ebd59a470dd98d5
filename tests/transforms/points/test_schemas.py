"""The partner points schemas: the per-client sums must add up."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms.common.tables import OutputValidationError, validate_with
from transforms.points.schemas import PARTNER_POINTS_BY_CLIENT

ROW = {
    "as_of": date(2026, 6, 30),
    "client_id": 1,
    "client_name": "C",
    "market_type": "standard",
    "sold_points": 30.0,
    "sourced_points": 20.0,
    "assisted_points": 10.0,
    "managed_points": 5.0,
    "active_points": 35.0,
    "expired_points": 0.0,
}


def test_sold_is_sourced_plus_assisted_and_active_is_sold_plus_managed():
    assert validate_with(PARTNER_POINTS_BY_CLIENT, pl.DataFrame([ROW])).height == 1
    with pytest.raises(OutputValidationError, match="sold = sourced \\+ assisted"):
        validate_with(PARTNER_POINTS_BY_CLIENT, pl.DataFrame([{**ROW, "active_points": 36.0}]))
