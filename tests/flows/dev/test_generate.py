"""The synthetic snapshot: every contract table, deterministic for a seed."""

import polars as pl

from flows.dev.generate import generate_snapshot
from tests.conftest import SNAPSHOT_DAY
from transforms.snapshot.contract import TABLES


def _tables(folder) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(folder / name / "*.parquet") for name in TABLES}


def test_same_seed_same_snapshot_other_seed_other_snapshot(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate_snapshot(tmp_path / name, contacts=300, seed=seed, as_of=SNAPSHOT_DAY)
    a, b, c = (_tables(tmp_path / n) for n in "abc")
    assert all(a[t].equals(b[t]) for t in TABLES)
    assert not a["events"].equals(c["events"])


def test_every_contract_table_with_its_columns_and_realistic_shapes(tmp_path):
    rows = generate_snapshot(tmp_path / "s", contacts=2000, seed=3, as_of=SNAPSHOT_DAY)
    tables = _tables(tmp_path / "s")
    for name, table in TABLES.items():
        assert rows[name] > 0 and set(table.column_names) <= set(tables[name].columns), name
    per_contact = tables["events"].group_by("contact_id").len()["len"]
    assert per_contact.max() > 5 * per_contact.median()  # heavy tail
    assert tables["contacts"]["portal_id"].n_unique() == 3
    assert set(tables["markets"]["market_type"]) == {"growth"} and tables["clients"]["currency"].n_unique() > 3
    assert tables["associations"]["label"].null_count() > 0 and tables["associations"]["label"].n_unique() > 2
    starts = tables["contract_changes"]["renewal_start_date"]
    assert (starts.max() - SNAPSHOT_DAY).days > 120  # renewals spread beyond the 120-day horizon


def test_keys_stay_unique_across_chunks_and_subscribers_move_to_mql_through_one_change(tmp_path, monkeypatch):
    import flows.dev.generate

    monkeypatch.setattr(flows.dev.generate, "CHUNK", 150)  # four chunks
    generate_snapshot(tmp_path / "s", contacts=600, seed=2, as_of=SNAPSHOT_DAY)
    tables = _tables(tmp_path / "s")
    assert tables["events"]["event_id"].is_unique().all() and tables["contacts"]["contact_id"].is_unique().all()
    moves = tables["events"].filter(pl.col("event_id").str.starts_with("ev-mql-"))
    moved = tables["contacts"].join(moves.select("portal_id", "contact_id"), on=["portal_id", "contact_id"])
    assert moves.height > 10 and set(moved["lifecycle_stage"]) == {"marketing_qualified_lead"}
    assert set(moves["from_stage"]) == {"subscriber"} and (moves["occurred_at"].dt.date() <= SNAPSHOT_DAY).all()
