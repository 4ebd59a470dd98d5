"""Hypothesis strategies shared by the property tests: score definitions and their events."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import strategies as st

from transforms.scores.definition import parse_definition

EVENT_TYPES = ["email_open", "form_submission", "page_view"]
FORM_IDS = ["a", "b", "c", None]


@st.composite
def filters(draw) -> list[dict]:
    kind = draw(st.sampled_from(["none", "any", "equals", "not_equals", "unknown"]))
    if kind == "none":
        return []
    if kind == "any":
        return [
            {
                "property": "form_id",
                "operator": "is_any_of",
                "values": draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True)),
            }
        ]
    if kind == "unknown":
        return [{"property": "form_id", "operator": "is_unknown"}]
    return [{"property": "form_id", "operator": kind, "value": draw(st.sampled_from("abc"))}]


@st.composite
def frequency_ranges(draw, signs: st.SearchStrategy[int]) -> list[dict]:
    """Ranges going up, with gaps, the last one open or not."""
    ranges, low = [], draw(st.integers(1, 3))
    for _ in range(draw(st.integers(1, 3))):
        high = low + draw(st.integers(0, 3))
        ranges.append({"min": low, "max": high, "points": draw(signs) * draw(st.integers(1, 30))})
        low = high + 1 + draw(st.integers(0, 2))
    if draw(st.booleans()):
        del ranges[-1]["max"]
    return ranges


@st.composite
def rule(draw, signs: st.SearchStrategy[int], windows: bool, limits: bool, frequency: bool = False) -> dict:
    fs = draw(filters())
    out = {"event": draw(st.sampled_from(EVENT_TYPES)), "points": draw(signs) * draw(st.integers(1, 30)), "filters": fs}
    multi = bool(fs) and fs[0]["operator"] == "is_any_of" and len(fs[0]["values"]) > 1
    if windows and draw(st.booleans()):
        out["within_days"] = draw(st.integers(1, 400))
    # A frequency rule goes without decay (`windows` is off under decay), limit_to and several values.
    if frequency and windows and not multi and draw(st.booleans()):
        del out["points"]
        out["frequency"] = draw(frequency_ranges(signs))
        return out
    if multi and draw(st.booleans()):
        out["scoring"] = "individually"
    if limits and draw(st.booleans()):
        out["limit_to"] = draw(st.integers(1, 50))
    return out


@st.composite
def definitions(
    draw, obj: str = "contact", decay: bool = True, limits: bool = True, signs=st.sampled_from([-1, 1, 1]), frequency: bool = False
) -> object:
    use_decay = decay and draw(st.booleans())
    groups = []
    for g in range(draw(st.integers(1, 3))):
        drawn = rule(signs, windows=not use_decay, limits=limits, frequency=frequency)
        group = {"name": f"g{g}", "rules": draw(st.lists(drawn, min_size=1, max_size=4))}
        if limits and draw(st.booleans()):
            group["limit"] = draw(st.integers(1, 100))
        groups.append(group)
    data = {"id": "p", "name": "P", "object": obj, "score_limit": 100 * draw(st.integers(1, 5)), "groups": groups}
    if use_decay:
        data["decay"] = {"percent": draw(st.integers(1, 100)), "every_months": draw(st.sampled_from([1, 3, 6, 12]))}
    if obj == "company":
        data["company"] = {"aggregation": draw(st.sampled_from(["sum", "avg", "min", "max"]))}
    return parse_definition(data, "property.yaml")


@st.composite
def fit_definitions(draw, obj: str = "contact") -> object:
    """Fit definitions whose rules filter `form_id`, a column of the records (see `filters`)."""
    groups = []
    for g in range(draw(st.integers(1, 3))):
        rules = []
        for _ in range(draw(st.integers(1, 4))):
            fs = draw(filters().filter(bool))
            one = {"points": draw(st.sampled_from([-1, 1, 1])) * draw(st.integers(1, 60)), "filters": fs}
            if fs[0]["operator"] == "is_any_of" and len(fs[0]["values"]) > 1 and draw(st.booleans()):
                one["scoring"] = "individually"
            rules.append(one)
        group = {"name": f"g{g}", "rules": rules}
        if draw(st.booleans()):
            group["limit"] = draw(st.integers(1, 100))
        groups.append(group)
    data = {"id": "f", "name": "F", "type": "fit", "object": obj, "score_limit": 100 * draw(st.integers(1, 5)), "groups": groups}
    return parse_definition(data, "fit.yaml")


# Each corruption makes a row invalid on its own: (column, value).
CONTACT_FAULTS = [
    ("contact_id", "abc"),  # wrong type
    ("contact_id", ""),  # null key
    ("portal_id", "1.5"),  # not an integer id
    ("lifecycle_stage", "not_a_stage"),  # bad enum
    ("created_at", "2026-13-45T10:00:00"),  # absurd date
    ("created_at", "2026-01-01T00:00:00+25:00"),  # absurd time-zone offset
    ("created_at", "yesterday"),
]
EVENT_FAULTS = [
    ("event_type", ""),  # required
    ("occurred_at", "NaN"),
    ("occurred_at", "inf"),
    ("event_id", ""),
    ("contact_id", "999999"),  # dangling reference
]
# Awkward but valid values: kept as they are.
ODD_EMAILS = ["a,b@example.org", 'quote"d@example.org', "x" * 5000, "", "ünïcode@example.org", " spaced@example.org "]
ODD_TIMES = ["2026-03-01T10:00:00+05:30", "2026-03-01 10:00:00", "2026-03-01T10:00:00Z", "2026-03-01"]


EVENT_HEADER = ["portal_id", "event_id", "contact_id", "event_type", "occurred_at"]


def write_csv(folder: Path, name: str, header: list[str], rows: list[dict]) -> None:
    """Write `rows` as `<folder>/<name>.csv` with `header`."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


# --- snapshots with random bad rows, for the ingest ------------------------------------------


@st.composite
def snapshots(draw):
    """(contacts, their bad row numbers, events, their bad row numbers) as CSV text rows."""
    n = draw(st.integers(1, 25))
    contacts = [
        {
            "portal_id": "1",
            "contact_id": str(100 + i),
            "email": draw(st.sampled_from(ODD_EMAILS)),
            "lifecycle_stage": draw(st.sampled_from(["lead", "Customer", ""])),
            "created_at": draw(st.sampled_from(ODD_TIMES)),
        }
        for i in range(n)
    ]
    bad_contacts = set(draw(st.sets(st.integers(0, n - 1), max_size=n)))
    for i in bad_contacts:
        column, value = draw(st.sampled_from(CONTACT_FAULTS))
        contacts[i][column] = value
    duplicated = set()
    clean = sorted(set(range(n)) - bad_contacts)
    if len(clean) > 1 and draw(st.booleans()):
        # both copies of a duplicated key are rejected: which one is right is unknowable
        a, b = draw(st.lists(st.sampled_from(clean), min_size=2, max_size=2, unique=True))
        contacts[b]["contact_id"] = contacts[a]["contact_id"]
        duplicated = {a, b}
    events = [
        {
            "portal_id": "1",
            "event_id": f"e{j}",
            "contact_id": contacts[draw(st.integers(0, n - 1))]["contact_id"] or "100",
            "event_type": draw(st.sampled_from(["email_open", "FORM_SUBMISSION"])),
            "occurred_at": draw(st.sampled_from(ODD_TIMES)),
        }
        for j in range(draw(st.integers(0, 30)))
    ]
    bad_events = set(draw(st.sets(st.integers(0, max(len(events) - 1, 0)), max_size=len(events)))) if events else set()
    for j in bad_events:
        column, value = draw(st.sampled_from(EVENT_FAULTS))
        events[j][column] = value
    return contacts, bad_contacts | duplicated, events, bad_events
