"""The bounded ingest (batches, key partitions, contact buckets) keeps and quarantines exactly the
rows the in-memory validation does, whatever the bucket count and the batch size (hypothesis)."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from unittest.mock import patch

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import flows.ingest
from flows.ingest import Sizes, check_table, ingest_table, validate_snapshot_table, write_bucket
from tests.strategies import EVENT_HEADER, snapshots, write_csv

DAY = date(2026, 6, 30)


def _ingested(snap: Path, staged: Path, sizes: Sizes) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """(kept, quarantine) per table, from the lake files and quarantine a bounded ingest wrote."""
    out = {}
    for name in ("contacts", "events"):
        manifest = ingest_table(snap, name, DAY, staged, None, sizes, as_tasks=False)
        kept = pl.read_parquet(sorted((staged / name).glob("part-*.parquet"))).drop("snapshot_date")
        quarantine = pl.read_parquet(staged / "_quarantine" / f"{name}.parquet").drop("snapshot_date")
        assert manifest.rows_read == manifest.rows_kept + manifest.rows_quarantined == kept.height + manifest.rows_quarantined
        assert manifest.buckets == (sizes.buckets if name in ("contacts", "events") else 1)
        out[name] = (kept, quarantine)
    return out


def _in_memory(snap: Path) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    _, contacts, contacts_bad = validate_snapshot_table(snap, "contacts", {})
    _, events, events_bad = validate_snapshot_table(snap, "events", {"contacts": contacts})
    return {"contacts": (contacts, contacts_bad), "events": (events, events_bad)}


def _rows(frame: pl.DataFrame) -> list[tuple]:
    return sorted(frame.rows(), key=repr)


def _contact_rows(ids: range) -> list[dict[str, str]]:
    """CSV rows of valid contacts of portal 1 with `ids`."""
    return [{"portal_id": "1", "contact_id": str(i), "email": "", "lifecycle_stage": "lead", "created_at": "2026-01-01"} for i in ids]


# Each example runs six ingests: fewer examples than the others in CI,
# more under `make soak`.
@settings(max_examples=6 if settings().max_examples <= 40 else 200)
@given(snapshots(), st.integers(1, 7), st.integers(1, 9), st.booleans(), st.booleans())
def test_every_bucket_count_and_batch_size_gives_the_rows_of_the_in_memory_validation(
    tmp_path_factory, data, split, batch_rows, flush_often, colliding
):
    contacts, _, events, _ = data
    snap = tmp_path_factory.mktemp("snap")
    # Two part files each: a duplicate key may sit in both.
    cut = min(split, len(contacts))
    write_csv(snap / "contacts", "part-a", list(contacts[0]), contacts[:cut])
    write_csv(snap / "contacts", "part-b", list(contacts[0]), contacts[cut:])
    write_csv(snap / "events", "part-a", EVENT_HEADER, events[: len(events) // 2])
    write_csv(snap / "events", "part-b", EVENT_HEADER, events[len(events) // 2 :])
    expected = _in_memory(snap)
    # Every key hashing alike: duplicates are told by their whole keys, never by the hash alone.
    key_hash = (lambda key: pl.lit(7, dtype=pl.UInt64)) if colliding else flows.ingest._key_hash
    for buckets in (1, 2, 7):
        # A spill written after every batch (several files a bucket, which may differ in columns),
        # and the rows of repeated hashes read back a key partition at a time.
        often = {"SPILL_BYTES": 1, "CANDIDATE_ROWS": 1} if flush_often else {}
        with patch.multiple(flows.ingest, _key_hash=key_hash, **often):
            got = _ingested(snap, tmp_path_factory.mktemp(f"staged{buckets}"), Sizes(buckets, batch_rows))
        for name, (kept, quarantine) in expected.items():
            assert _rows(got[name][0].select(kept.columns)) == _rows(kept), (name, buckets)
            assert got[name][1].equals(quarantine), (name, buckets)


def test_each_contact_and_all_its_rows_land_in_one_bucket_file(tmp_path):
    rows = _contact_rows(range(1, 40))
    write_csv(tmp_path / "snap" / "contacts", "part", list(rows[0]), rows)
    ingest_table(tmp_path / "snap", "contacts", DAY, tmp_path / "staged", None, Sizes(buckets=4), as_tasks=False)
    seen: dict[int, str] = {}
    for path in sorted((tmp_path / "staged" / "contacts").glob("part-*.parquet")):
        for contact in pl.read_parquet(path)["contact_id"].to_list():
            assert contact not in seen
            seen[contact] = path.name
    assert sorted(seen) == list(range(1, 40)) and len(set(seen.values())) == 4


def test_a_bucketed_table_reports_its_bucket_writes_as_they_finish(tmp_path, caplog):
    rows = _contact_rows(range(1, 40))
    write_csv(tmp_path / "snap" / "contacts", "part", list(rows[0]), rows)
    with caplog.at_level(logging.INFO, logger="engage"):
        ingest_table(tmp_path / "snap", "contacts", DAY, tmp_path / "staged", None, Sizes(buckets=3), as_tasks=False)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("contacts buckets")]
    assert len(lines) == 1 and lines[0].startswith("contacts buckets: 3 of 3 buckets written") and "rows/s" in lines[0]


def test_spilled_files_of_one_bucket_may_differ_in_columns(tmp_path):
    first = _contact_rows(range(1, 9))
    header = list(first[0])
    second = [{**row, "contact_id": str(int(row["contact_id"]) + 8), "Favourite Colour": f"c{row['contact_id']}"} for row in first]
    write_csv(tmp_path / "snap" / "contacts", "part-a", header, first)
    write_csv(tmp_path / "snap" / "contacts", "part-b", [*header, "Favourite Colour"], second)
    _, expected, _ = validate_snapshot_table(tmp_path / "snap", "contacts", {})
    # Every batch of three rows spilled on its own: the files of a bucket have one column or the other.
    with patch.object(flows.ingest, "SPILL_BYTES", 1):
        _, spilled = check_table(tmp_path / "snap", "contacts", DAY, tmp_path / "staged", None, Sizes(buckets=2, batch_rows=3))
    files = sorted(spilled.folder.glob("rows-*/batch-*.parquet"))
    assert len(files) > 2 and len({tuple(pl.read_parquet_schema(f)) for f in files}) == 2
    assert sum(write_bucket(spilled, bucket) for bucket in range(2)) == expected.height
    kept = pl.read_parquet(sorted((tmp_path / "staged" / "contacts").glob("part-*.parquet")))
    assert "favourite_colour" in kept.columns
    assert _rows(kept.select(expected.columns)) == _rows(expected)
