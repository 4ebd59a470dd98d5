"""The dashboard schemas: the index band follows the score, statuses are the spec's."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms.common.tables import OutputValidationError, validate_with
from transforms.dashboard.renewals import RENEWAL_STATUSES
from transforms.dashboard.schemas import PLATFORM_ENGAGEMENT_INDEX, UPCOMING_RENEWALS


def test_the_index_band_must_match_the_index_score():
    rows = pl.DataFrame(
        {"as_of": [date(2026, 6, 30)] * 3, "client_id": [1, 2, 3], "index_score": [3, 4, 7], "band": ["low", "medium", "high"]}
    )
    good = rows.with_columns(pl.lit(2, dtype=pl.Int64).alias("tools_in_use"))
    assert validate_with(PLATFORM_ENGAGEMENT_INDEX, good).height == 3
    with pytest.raises(OutputValidationError, match="band does not match index_score"):
        validate_with(PLATFORM_ENGAGEMENT_INDEX, good.with_columns(pl.lit("high").alias("band")))


def test_renewal_statuses_are_exactly_the_spec_list():
    check = UPCOMING_RENEWALS.columns["status"].checks[0]
    assert set(check.statistics["allowed_values"]) == set(RENEWAL_STATUSES)
    assert RENEWAL_STATUSES == ("cancellation_requested", "confirmed", "renewed", "pending")
