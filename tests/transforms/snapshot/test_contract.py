"""The data contract holds together: keys, foreign keys, cluster order and ingest order agree."""

from __future__ import annotations

import polars as pl

from transforms.snapshot.contract import INGEST_ORDER, TABLES


def test_keys_and_cluster_columns_are_columns_of_their_table():
    for table in TABLES.values():
        assert set(table.key) <= set(table.column_names), table.name
        assert set(table.cluster_by) <= set(table.column_names), table.name


def test_parents_are_ingested_before_their_children_and_keyed_by_the_referenced_columns():
    position = {name: i for i, name in enumerate(INGEST_ORDER)}
    assert set(INGEST_ORDER) == set(TABLES)
    for table in TABLES.values():
        for fk in table.foreign_keys:
            parents = [fk.parent] if fk.parent_by is None else [parent for _, parent, _ in fk.parent_by[1]]
            for parent in parents:
                assert position[parent] < position[table.name], f"{table.name} before its parent {parent}"
            if fk.parent_by is None:
                assert set(fk.parent_columns) <= set(TABLES[fk.parent].key)


def test_the_schema_of_a_table_is_its_columns_types():
    events = TABLES["events"]
    assert events.schema()["occurred_at"] == pl.Datetime("us", "UTC")
    assert events.cluster_by[0] == "event_type"
    assert events.column("contact_id").kind == "id"
