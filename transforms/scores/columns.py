"""Column names the scoring modules share: keys, breakdown labels, and the columns of a score's wide
frame (a row per member, columns per unit, rule, group and breakdown row kind), each named once here.

`unit_sums` writes `unit_cents`/`unit_events`; `member_points` reads them and adds the rest.
"""

from __future__ import annotations

KEY = ["score_index", "portal_id", "record_id"]
MEMBER_KEY = [*KEY, "contact_id"]
BREAKDOWN_KEYS = ["group_name", "rule_index", "value", "component"]


def unit_cents(unit_id: int) -> str:
    """Cents of a unit's eligible matching events (decayed), per member."""
    return f"c{unit_id}"


def unit_events(unit_id: int) -> str:
    """The count of a unit's eligible matching events, per member."""
    return f"e{unit_id}"


def chosen_value(rule_id: int) -> str:
    """The position of the value a `together` rule counts."""
    return f"k{rule_id}"


def rule_points(rule_id: int) -> str:
    """A rule's cents after `limit_to`."""
    return f"p{rule_id}"


def group_raw(group_id: int) -> str:
    """A group's cents before its limit."""
    return f"graw{group_id}"


def group_points(group_id: int) -> str:
    """A group's cents after its limit."""
    return f"g{group_id}"


def row_shown(kind: int) -> str:
    """Whether the member has a breakdown row of the n-th kind."""
    return f"row{kind}"


def row_events(kind: int) -> str:
    """Events of the member's row of the n-th kind (0 where absent)."""
    return f"row{kind}_events"


def row_cents(kind: int) -> str:
    """Cents of the member's row of the n-th kind (0 where absent)."""
    return f"row{kind}_cents"
