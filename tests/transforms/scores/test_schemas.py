"""The engagement score schemas: bands, components and history intervals are checked."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from transforms.common.tables import OutputValidationError, validate_with
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY, ENGAGEMENT_SCORES, SCORE_DEFINITIONS

ROW = {"score_id": "mql", "object_type": "contact", "portal_id": 1, "record_id": 7}


def test_a_score_row_passes_and_an_unknown_band_fails():
    row = {**ROW, "as_of": date(2026, 6, 30), "score": 12.5, "band": "low", "fit_score": None, "engagement_score": None, "matrix": None}
    good = pl.DataFrame([row], schema_overrides={"fit_score": pl.Float64, "engagement_score": pl.Float64, "matrix": pl.String})
    assert validate_with(ENGAGEMENT_SCORES, good).height == 1
    with pytest.raises(OutputValidationError, match="isin"):
        validate_with(ENGAGEMENT_SCORES, good.with_columns(pl.lit("hot").alias("band")))
    with pytest.raises(OutputValidationError, match="str_matches"):
        validate_with(ENGAGEMENT_SCORES, good.with_columns(pl.lit("D4").alias("matrix")))


def test_history_intervals_must_end_after_they_start():
    row = {**ROW, "score": 1.0, "band": None, "valid_from": date(2026, 6, 2), "valid_to": date(2026, 6, 2)}
    frame = pl.DataFrame([row], schema_overrides={"band": pl.String})
    with pytest.raises(OutputValidationError, match="valid_to is after valid_from"):
        validate_with(ENGAGEMENT_SCORE_HISTORY, frame)


def test_the_registry_is_described_column_by_column():
    assert all(column.description for column in SCORE_DEFINITIONS.columns.values())
    assert list(SCORE_DEFINITIONS.columns)[:5] == ["score_id", "name", "score_type", "object_type", "status"]
