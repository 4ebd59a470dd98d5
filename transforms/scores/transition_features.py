"""What each evaluated contact did before its cutoff, as counts a score rule can express: events of
a type, or of a type with one frequent property value, over all time or a recent window."""

from __future__ import annotations

import polars as pl

from transforms.scores.filters import normalized_text, text_column
from transforms.scores.transitions import CONTACT, STAGE_CHANGE

# The windows a rule can set with `within_days` that the suggestion tries (None: all time).
WINDOWS: tuple[int | None, ...] = (None, 90, 30)
# Event columns that are not properties a rule would filter on.
NOT_PROPERTIES = {"portal_id", "event_id", "contact_id", "event_type", "occurred_at", "snapshot_date", "from_stage", "to_stage"}
# A feature is a candidate when at least this many evaluated contacts have it; at most TOP_VALUES
# values per event type and property.
MIN_CONTACTS = 20
TOP_VALUES = 8
# Values that look like web addresses are compared by their first path segment (a `starts_with`).
_URL_PREFIX = r"^(https?://[^/?#]+/[^/?#]*)"
FEATURE = ["event", "property", "operator", "value"]


def window_column(window: int | None) -> str:
    """The column of the counts over `window` days (`n_all` for all time)."""
    return "n_all" if window is None else f"n_{window}"


def _counted(matches: pl.LazyFrame) -> pl.LazyFrame:
    """Counts per contact and feature in every window, from matching events with `age_days`."""
    return matches.group_by(*CONTACT, *FEATURE).agg(
        [(pl.len() if w is None else (pl.col("age_days") < w).sum()).cast(pl.Int64).alias(window_column(w)) for w in WINDOWS]
    )


def feature_counts(cohort: pl.LazyFrame, events: pl.LazyFrame, properties: list[str]) -> pl.LazyFrame:
    """(portal_id, contact_id, event, property, operator, value, n_all, n_90, n_30): each evaluated
    contact's events strictly before its cutoff, counted per event type (property null) and per
    event type and value of each of `properties` (normalized as rules compare them; web addresses
    by prefix; numeric values left out), over all time and each window. Stage changes are what is
    predicted, not features."""
    seen = (
        events.join(cohort.select(*CONTACT, "cutoff"), on=CONTACT)
        .filter((pl.col("occurred_at") < pl.col("cutoff")) & (pl.col("event_type") != STAGE_CHANGE))
        .with_columns(((pl.col("cutoff") - pl.col("occurred_at")).dt.total_microseconds() / 86_400e6).alias("age_days"))
    )
    by_type = seen.select(
        *CONTACT,
        pl.col("event_type").alias("event"),
        pl.lit(None, dtype=pl.String).alias("property"),
        pl.lit(None, dtype=pl.String).alias("operator"),
        pl.lit(None, dtype=pl.String).alias("value"),
        "age_days",
    )
    by_value = []
    for name in properties:
        text = pl.col(text_column(name))
        prefix = text.str.extract(_URL_PREFIX)
        by_value.append(
            seen.with_columns(normalized_text(name))
            # Numbers would need a threshold (gt, lt), not one rule per value: left to the user.
            .filter(text.is_not_null() & text.cast(pl.Float64, strict=False).is_null())
            .select(
                *CONTACT,
                pl.col("event_type").alias("event"),
                pl.lit(name).alias("property"),
                pl.when(prefix.is_not_null()).then(pl.lit("starts_with")).otherwise(pl.lit("equals")).alias("operator"),
                pl.coalesce(prefix, text).alias("value"),
                "age_days",
            )
        )
    return pl.concat([_counted(by_type), *[_counted(frame) for frame in by_value]])


def event_properties(columns: list[str]) -> list[str]:
    """The columns of an events table a suggested rule may filter on."""
    return sorted(c for c in columns if c not in NOT_PROPERTIES and not c.startswith("_"))


def frequent(counts: pl.LazyFrame, min_contacts: int = MIN_CONTACTS) -> pl.LazyFrame:
    """The features of `counts` worth a rule: those held by at least `min_contacts` contacts, of the
    property values the TOP_VALUES most held per event type and property. One row each, sorted."""
    held = counts.group_by(FEATURE).agg(pl.len().alias("contacts")).filter(pl.col("contacts") >= min_contacts)
    ranked = held.sort(["event", "property", "contacts", "value"], descending=[False, False, True, False], nulls_last=False).with_columns(
        (pl.int_range(pl.len()).over("event", "property") + 1).alias("rank")
    )
    return (
        ranked.filter(pl.col("property").is_null() | (pl.col("rank") <= TOP_VALUES))
        .select(*FEATURE, "contacts")
        .sort(FEATURE, nulls_last=False)
    )
