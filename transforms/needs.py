"""What each computation of a day reads from a snapshot, and which computations a run may skip."""

from __future__ import annotations

from dataclasses import dataclass, replace

from transforms.scores.definition import ScoreDefinition
from transforms.scores.members import needed_inputs

PARTNER_TABLES = ("clients", "subscriptions", "tool_usage", "deals", "contract_changes", "fx_rates")
# What `engage check --for` names: the score computations, the partner outputs, or both.
PURPOSES = ("scores", "partner", "all")
SCORES, COMPANY_SCORES, PARTNER = "scores", "company scores", "partner outputs"


@dataclass(frozen=True)
class Need:
    """A computation of a day, the snapshot tables it cannot do without and what it fills; a
    `skippable` one is left out of a run (with a warning) when its tables are absent."""

    computation: str
    tables: tuple[str, ...]
    outputs: str
    skippable: bool


def day_needs(definitions: list[ScoreDefinition]) -> list[Need]:
    """The computations of a run of `definitions`: contact scores (when there are definitions) need
    their contacts, and events for engagement scores, and cannot be skipped; company scores and the partner outputs can.
    List memberships and resets are optional: without them no record is in a list or reset."""
    needs = []
    if definitions:
        read = needed_inputs(definitions)
        own = ("contacts", "events") if "events" in read else ("contacts",)
        needs.append(Need(SCORES, own, "engagement scores, breakdown, distribution and history", skippable=False))
        if "companies" in read:
            needs.append(Need(COMPANY_SCORES, ("companies", "associations"), "the company scores", skippable=True))
    outputs = "platform engagement index, opportunities, renewals, alerts, clients overview, partner points and tier"
    needs.append(Need(PARTNER, PARTNER_TABLES, outputs, skippable=True))
    return needs


def purpose_needs(needs: list[Need], purpose: str) -> list[Need]:
    """`needs` that `purpose` (one of PURPOSES) asks for, none of them skippable: what a check of a
    snapshot for that purpose requires."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}: one of {', '.join(PURPOSES)}")
    wanted = {"scores": {SCORES, COMPANY_SCORES}, "partner": {PARTNER}, "all": {SCORES, COMPANY_SCORES, PARTNER}}[purpose]
    return [replace(need, skippable=False) for need in needs if need.computation in wanted]


def unmet(needs: list[Need], present: set[str]) -> list[tuple[Need, list[str]]]:
    """Each need with tables absent from `present`, and those tables in the need's order."""
    missing = [(need, [t for t in need.tables if t not in present]) for need in needs]
    return [(need, tables) for need, tables in missing if tables]


def required_tables(needs: list[Need]) -> set[str]:
    """The tables of the `needs` a run cannot skip."""
    return {table for need in needs if not need.skippable for table in need.tables}
