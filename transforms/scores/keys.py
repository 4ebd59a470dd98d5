"""Contact keys: one Int64 per (portal_id, contact_id), and the members of each score keyed by it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from transforms.scores.columns import KEY


def sorted_by_key(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` ordered by `contact_key` and flagged so (checked, sorted only if needed): Polars joins
    two flagged frames by merging, about 4x faster than hashing."""
    if frame["contact_key"].is_sorted():
        return frame.with_columns(pl.col("contact_key").set_sorted())
    return frame.sort("contact_key")


def _int_bound(value: object) -> int:
    """An id column's min or max as an int (0 for an empty column)."""
    return int(value) if isinstance(value, int) else 0


@dataclass(frozen=True)
class ContactKeys:
    """One Int64 per (portal_id, contact_id) of the contacts a run scores, so event sums group and join
    on one column: a portal number times the span of contact ids plus the id's offset. The portal
    number is the id's offset from the lowest portal id (arithmetic only), or its rank among the
    run's portals when offsets times the span would not fit in 63 bits."""

    portal_low: int
    portal_high: int
    ranks: pl.Series | None
    low: int
    span: int

    @classmethod
    def of(cls, contacts: pl.DataFrame) -> ContactKeys:
        portals = contacts["portal_id"].unique().sort()
        low, high = _int_bound(contacts["contact_id"].min()), _int_bound(contacts["contact_id"].max())
        portal_low, portal_high = _int_bound(portals.min()), _int_bound(portals.max())
        span = high - low + 1
        if (portal_high - portal_low + 1) * span < 2**63:
            return cls(portal_low, portal_high, None, low, span)
        if len(portals) * span >= 2**63:
            raise ValueError(f"contact ids from {low} to {high} in {len(portals)} portals do not pack into 64-bit keys")
        return cls(portal_low, portal_high, portals, low, span)

    def key(self, portal_id: pl.Expr, contact_id: pl.Expr) -> pl.Expr:
        """The contact's key, named `contact_key`; null for a contact outside the run's ranges (it
        belongs to no score)."""
        if self.ranks is None:
            number = portal_id - self.portal_low
        else:
            number = portal_id.replace_strict(self.ranks, pl.int_range(len(self.ranks), eager=True), default=None, return_dtype=pl.Int64)
        known = portal_id.is_between(self.portal_low, self.portal_high) & contact_id.is_between(self.low, self.low + self.span - 1)
        return pl.when(known).then(number * self.span + (contact_id - self.low)).alias("contact_key")


@dataclass(frozen=True)
class KeyedMembers:
    """Members by contact key, per score index: all of them (`every`: member, contact_key, and
    `reset`, whether its record has a reset), ordered by contact key; and those whose record has a
    reset with the reset columns (`reset`: only their events are joined to it)."""

    keys: ContactKeys
    every: dict[int, pl.DataFrame]
    reset: dict[int, pl.DataFrame]

    @classmethod
    def of(cls, members: pl.DataFrame, resets: pl.DataFrame, scores: int) -> KeyedMembers:
        keys = ContactKeys.of(members)
        members = members.with_columns(keys.key(pl.col("portal_id"), pl.col("contact_id")))
        with_reset = members.join(resets, on=KEY)
        reset_columns = [c for c in resets.columns if c not in KEY]
        flagged = members.select(
            "score_index", "member", "contact_key", pl.col("member").is_in(with_reset["member"].implode()).alias("reset")
        )
        every = {i: sorted_by_key(flagged.filter(pl.col("score_index") == i).drop("score_index")) for i in range(scores)}
        reset = {i: with_reset.filter(pl.col("score_index") == i).select("contact_key", "member", *reset_columns) for i in range(scores)}
        return cls(keys, every, reset)

    def plain(self, score: int) -> pl.LazyFrame:
        """(contact_key, member) of the members of `score` whose record has no reset: their contact's
        sums count whole. Ordered by contact key and flagged so."""
        return self.every[score].lazy().filter(~pl.col("reset")).select("contact_key", "member")

    def touched(self, score: int) -> pl.Expr:
        """Events of a contact some member of whose record in `score` has a reset."""
        return pl.col("contact_key").is_in(self.reset[score]["contact_key"].implode())
