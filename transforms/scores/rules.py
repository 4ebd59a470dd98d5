"""The rules of score definitions as a table: what the rule behind each breakdown row counts."""

from __future__ import annotations

from datetime import date

import polars as pl

from transforms.scores.combined import PART_SEPARATOR, expanded
from transforms.scores.definition import ScoreDefinition

RULE_COLUMNS = {
    "score_id": pl.String,
    "as_of": pl.Date,
    "group_name": pl.String,
    "rule_index": pl.Int32,
    "event_type": pl.String,
    "filters": pl.String,
    "within_days": pl.Int64,
    "limit_to": pl.Int64,
    "rule": pl.String,
}


def score_rules(definitions: list[ScoreDefinition], as_of: date) -> pl.DataFrame:
    """One row per rule of `definitions` in force on `as_of`: its group and position (the keys of its
    breakdown rows), event type, filters, window, limit and its name as people read it."""
    # A combined score's rules are its parts', their groups named for their part (as in the breakdown).
    sources = [(d.id, part.type + PART_SEPARATOR if d.type == "combined" else "", part) for d in definitions for part in expanded([d])]
    rows = [
        {
            "score_id": score_id,
            "as_of": as_of,
            "group_name": prefix + group.name,
            "rule_index": index,
            "event_type": rule.event,
            "filters": " and ".join(f.label for f in rule.filters) or None,
            "within_days": rule.within_days,
            "limit_to": rule.limit_to,
            "rule": rule.label,
        }
        for score_id, prefix, d in sources
        for group in d.groups
        for index, rule in enumerate(group.rules)
    ]
    return pl.DataFrame(rows, schema=RULE_COLUMNS)
