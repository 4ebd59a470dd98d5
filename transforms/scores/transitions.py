"""Lifecycle transitions: which contacts a period evaluates for a move from one stage to another,
which of them made it, and the instant that bounds what may be known of each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

from transforms.snapshot.contract import TABLES

CONTACT = list(TABLES["contacts"].key)
STAGE_CHANGE = "lifecycle_stage_change"


@dataclass(frozen=True)
class Period:
    """A transition from `from_stage` to `to_stage` over the `days` days that end with `as_of`."""

    from_stage: str
    to_stage: str
    as_of: date
    days: int

    @property
    def first_day(self) -> date:
        return self.as_of - timedelta(days=self.days - 1)

    @property
    def start(self) -> datetime:
        """The first instant of the period (midnight UTC of its first day)."""
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period (midnight UTC after `as_of`)."""
        return datetime.combine(self.as_of + timedelta(days=1), time.min, tzinfo=UTC)

    def describe(self) -> str:
        return f"{self.from_stage} -> {self.to_stage} within the {self.days} days to {self.as_of}"


def transition_cohort(contacts: pl.LazyFrame, events: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """(portal_id, contact_id, entered_at, converted, cutoff): the contacts at `from_stage` when the
    period starts or entering it during the period; `converted` when they then reach `to_stage`
    before it ends; `cutoff`, the instant of that move, else the period's end. A contact's stage at
    an instant is the `to_stage` of its last stage change before it, else the `from_stage` of its
    first change, else its `lifecycle_stage`."""
    start, end = pl.lit(period.start), pl.lit(period.end)
    changes = events.filter(pl.col("event_type") == STAGE_CHANGE).select(
        *CONTACT,
        "occurred_at",
        pl.col("from_stage").str.strip_chars().str.to_lowercase(),
        pl.col("to_stage").str.strip_chars().str.to_lowercase(),
    )
    last_before = (
        changes.filter(pl.col("occurred_at") < start)
        .group_by(CONTACT)
        .agg(pl.col("to_stage").sort_by("occurred_at", "to_stage").last().alias("stage_before"))
    )
    first = changes.group_by(CONTACT).agg(pl.col("from_stage").sort_by("occurred_at", "from_stage").first().alias("first_from"))
    records = (
        contacts.select(*CONTACT, "created_at", pl.col("lifecycle_stage").str.strip_chars().str.to_lowercase())
        .join(last_before, on=CONTACT, how="left")
        .join(first, on=CONTACT, how="left")
        .with_columns(pl.coalesce("first_from", "lifecycle_stage").alias("initial"))
    )
    at_start = records.filter((pl.col("created_at") < start) & (pl.coalesce("stage_before", "initial") == period.from_stage)).select(
        *CONTACT, start.alias("entered_at")
    )
    created = records.filter(pl.col("created_at").is_between(start, end, closed="left") & (pl.col("initial") == period.from_stage)).select(
        *CONTACT, pl.col("created_at").alias("entered_at")
    )
    moved_in = changes.filter(
        pl.col("occurred_at").is_between(start, end, closed="left") & (pl.col("to_stage") == period.from_stage)
    ).select(*CONTACT, pl.col("occurred_at").alias("entered_at"))
    entered = (
        pl.concat([at_start, created, moved_in], how="vertical_relaxed")
        .join(records.select(CONTACT), on=CONTACT, how="semi")
        .group_by(CONTACT)
        .agg(pl.col("entered_at").min())
    )
    reached = (
        changes.filter((pl.col("to_stage") == period.to_stage) & (pl.col("occurred_at") < end))
        .join(entered, on=CONTACT)
        .filter(pl.col("occurred_at") > pl.col("entered_at"))
        .group_by(CONTACT)
        .agg(pl.col("occurred_at").min().alias("converted_at"))
    )
    return (
        entered.join(reached, on=CONTACT, how="left")
        .select(
            *CONTACT,
            "entered_at",
            pl.col("converted_at").is_not_null().alias("converted"),
            pl.coalesce("converted_at", end).alias("cutoff"),
        )
        .sort(CONTACT)
    )
