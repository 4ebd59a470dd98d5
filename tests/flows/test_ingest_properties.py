"""Ingest on random snapshots with random bad rows (hypothesis): exactly the bad rows are quarantined,
each with a reason, every good row is kept, and read = kept + quarantined. `make soak` runs more."""

import csv
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from flows.ingest import validate_snapshot_table

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


def _write(folder: Path, name: str, header: list[str], rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


@st.composite
def snapshots(draw):
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


@given(snapshots())
def test_exactly_the_bad_rows_are_quarantined_and_every_good_row_is_kept(tmp_path_factory, data):
    contacts, bad_contacts, events, bad_events = data
    snap = tmp_path_factory.mktemp("snap")
    _write(snap / "contacts", "part", list(contacts[0]), contacts)
    _write(snap / "events", "part", ["portal_id", "event_id", "contact_id", "event_type", "occurred_at"], events)

    manifest, kept, quarantine = validate_snapshot_table(snap, "contacts", {})
    assert manifest.rows_read == len(contacts) == manifest.rows_kept + manifest.rows_quarantined
    assert set(quarantine["source_row"]) == {i + 1 for i in bad_contacts}
    assert quarantine["reason"].str.len_chars().min() or not quarantine.height
    good = [c for i, c in enumerate(contacts) if i not in bad_contacts]
    assert sorted(kept["contact_id"].to_list()) == sorted(int(c["contact_id"]) for c in good)
    assert sorted(kept["email"].fill_null("").to_list()) == sorted(c["email"].strip() for c in good)

    kept_ids = {str(i) for i in kept["contact_id"]}
    manifest, kept_events, quarantine = validate_snapshot_table(snap, "events", {"contacts": kept})
    assert manifest.rows_read == len(events) == manifest.rows_kept + manifest.rows_quarantined
    expected_bad = {j for j, e in enumerate(events) if j in bad_events or e["contact_id"] not in kept_ids}
    assert set(quarantine["source_row"]) == {j + 1 for j in expected_bad}
    assert kept_events.height == len(events) - len(expected_bad)
    assert kept_events["event_type"].is_in(["email_open", "form_submission"]).all()  # lower-cased
    assert kept_events.filter(pl.col("occurred_at").is_null()).is_empty()
