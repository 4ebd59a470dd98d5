"""The partner program file: point rates, multipliers and tiers, in versions by effective date."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any

import polars as pl
from pydantic import Field, model_validator

from transforms.common.config import StrictConfig, validate_config


class ProgramError(ValueError):
    """A program file that breaks the rules: names the file, the path inside it and the reason."""


class Rates(StrictConfig):
    sourced: float = Field(gt=0)
    assisted: float = Field(gt=0)
    managed: float = Field(gt=0)


class Tier(StrictConfig):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    min_total: float = Field(ge=0)
    min_sourced: float = Field(ge=0)
    requires_certification: bool = False


class ProgramVersion(StrictConfig):
    effective_from: date
    points_per_100_usd_mrr: Rates
    growth_market_multiplier: float = Field(ge=1)
    sold_points_active_months: int = Field(ge=1)
    expiring_soon_months: int = Field(ge=1)
    tiers: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> ProgramVersion:
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        for lower, upper in pairwise(self.tiers):
            if not (upper.min_total > lower.min_total and upper.min_sourced >= lower.min_sourced):
                raise ValueError(f"tiers must ascend: {upper.name} is not above {lower.name}")
        return self


class Program(StrictConfig):
    versions: list[ProgramVersion] = Field(min_length=1)
    certified: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Program:
        days = [v.effective_from for v in self.versions]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("versions must be listed by strictly increasing effective_from")
        return self

    def version_on(self, day: date) -> ProgramVersion:
        """The version in force on `day`: the latest effective on or before it; before the first, the first."""
        in_force = [v for v in self.versions if v.effective_from <= day]
        return in_force[-1] if in_force else self.versions[0]

    def versions_frame(self) -> pl.LazyFrame:
        """One row per version with its figures, for joining by date (`version_from`, `version_to` exclusive)."""
        rows = []
        for i, v in enumerate(self.versions):
            rows.append(
                {
                    "version_from": date.min if i == 0 else v.effective_from,
                    "version_to": self.versions[i + 1].effective_from if i + 1 < len(self.versions) else date.max,
                    "rate_sourced": v.points_per_100_usd_mrr.sourced,
                    "rate_assisted": v.points_per_100_usd_mrr.assisted,
                    "rate_managed": v.points_per_100_usd_mrr.managed,
                    "growth_multiplier": v.growth_market_multiplier,
                    "active_months": v.sold_points_active_months,
                }
            )
        return pl.LazyFrame(rows)


def parse_program(data: Any, source: str) -> Program:
    """The validated program in `data`; errors name `source`, the path and the reason."""
    return validate_config(Program, data, source, ProgramError, "the program")
