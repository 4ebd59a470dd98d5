"""Snapshot schemas from the contract: value checks, unique keys and foreign keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pandera.polars as pa
import polars as pl
import pytest
from pandera.errors import SchemaErrors

from transforms.snapshot.checks import snapshot_schema
from transforms.snapshot.contract import TABLES


def contacts(ids: list[int], stage: str = "lead") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "portal_id": [1] * len(ids),
            "contact_id": ids,
            "email": [None] * len(ids),
            "lifecycle_stage": [stage] * len(ids),
            "created_at": [datetime(2026, 1, 1, tzinfo=UTC)] * len(ids),
        },
        schema_overrides={"email": pl.String},
    )


def failures(schema: pa.DataFrameSchema, frame: pl.DataFrame) -> set[tuple[str, str]]:
    with pytest.raises(SchemaErrors) as raised:
        schema.validate(frame, lazy=True)
    return {(str(r["column"]), str(r["check"])) for r in raised.value.failure_cases.iter_rows(named=True)}


def test_enums_and_unique_keys_are_checked():
    schema = snapshot_schema(TABLES["contacts"])
    schema.validate(contacts([1, 2]))
    found = failures(schema, contacts([1, 1], stage="vip"))
    assert ("lifecycle_stage", "not one of " + ", ".join(TABLES["contacts"].column("lifecycle_stage").enum)) in {
        (c, k) for c, k in found if c == "lifecycle_stage"
    }
    assert any(check == "multiple_fields_uniqueness" for _, check in found)


def test_foreign_keys_check_against_the_kept_parent_keys():
    parents = {
        "contacts": contacts([1]).select("portal_id", "contact_id"),
        "companies": pl.DataFrame({"portal_id": [1], "company_id": [9]}),
    }
    schema = snapshot_schema(TABLES["associations"], parents)
    links = pl.DataFrame(
        {"portal_id": [1, 1], "contact_id": [1, 2], "company_id": [9, 9], "label": [None, None]}, schema_overrides={"label": pl.String}
    )
    found = failures(schema, links)
    assert any(column == "contact_id" and "dangling reference" in check for column, check in found)
