"""Column mappings: a CRM export's headers, constants and values onto the contract."""

from __future__ import annotations

import polars as pl
import pytest

from transforms.snapshot.mappings import MappingError, apply_mapping, parse_mappings

MAPPINGS = parse_mappings(
    {
        "tables": {
            "contacts": {
                "columns": {"Record ID": "contact_id", "Lifecycle Stage": "lifecycle_stage"},
                "constants": {"portal_id": 42},
                "values": {"lifecycle_stage": {"Marketing Qualified Lead": "marketingqualifiedlead"}},
            }
        }
    },
    "m.yaml",
)


def test_headers_match_trimmed_and_case_insensitively_constants_fill_and_values_translate():
    raw = pl.DataFrame({" record id ": ["1", "2"], "LIFECYCLE STAGE": [" marketing qualified lead", "lead"]})
    out = apply_mapping(raw, MAPPINGS.tables["contacts"])
    assert out.columns == ["contact_id", "lifecycle_stage", "portal_id"]
    assert out["lifecycle_stage"].to_list() == ["marketingqualifiedlead", "lead"]
    assert out["portal_id"].to_list() == ["42", "42"]


def test_a_contract_column_in_the_file_wins_and_no_mapping_changes_nothing():
    raw = pl.DataFrame({"contact_id": ["7"], "Record ID": ["8"]})
    assert apply_mapping(raw, MAPPINGS.tables["contacts"])["contact_id"].to_list() == ["7"]
    assert apply_mapping(raw, None).equals(raw)


def test_unknown_tables_and_columns_are_refused_at_load():
    with pytest.raises(MappingError, match="not a contract table"):
        parse_mappings({"tables": {"people": {"columns": {"a": "b"}}}}, "m.yaml")
    with pytest.raises(MappingError, match="'nope' is not a column of contacts"):
        parse_mappings({"tables": {"contacts": {"columns": {"a": "nope"}}}}, "m.yaml")


def test_export_wide_constants_fill_every_table_with_the_column_and_a_tables_own_wins():
    mappings = parse_mappings(
        {"constants": {"portal_id": 7}, "tables": {"companies": {"constants": {"portal_id": 8}}}},
        "m.yaml",
    )
    assert apply_mapping(pl.DataFrame({"contact_id": ["1"]}), mappings.for_table("contacts"))["portal_id"].to_list() == ["7"]
    assert apply_mapping(pl.DataFrame({"company_id": ["1"]}), mappings.for_table("companies"))["portal_id"].to_list() == ["8"]
    # Clients have no portal: nothing is added to them.
    assert mappings.for_table("clients") is None
    with pytest.raises(MappingError, match="constants: 'portal' is not a column of any table"):
        parse_mappings({"constants": {"portal": 7}}, "m.yaml")
