"""Ingest on random snapshots with random bad rows (hypothesis): exactly the bad rows are quarantined,
each with a reason, every good row is kept, and read = kept + quarantined. `make soak` runs more."""

import polars as pl
from hypothesis import given

from flows.ingest import validate_snapshot_table
from tests.strategies import EVENT_HEADER, snapshots, write_csv


@given(snapshots())
def test_exactly_the_bad_rows_are_quarantined_and_every_good_row_is_kept(tmp_path_factory, data):
    contacts, bad_contacts, events, bad_events = data
    snap = tmp_path_factory.mktemp("snap")
    write_csv(snap / "contacts", "part", list(contacts[0]), contacts)
    write_csv(snap / "events", "part", EVENT_HEADER, events)

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
