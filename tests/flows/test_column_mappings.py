"""CRM exports with their own headers load through a column mapping file, without hand editing."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.ingest import read_snapshot
from flows.io.config_files import ConfigError, load_mappings
from flows.io.paths import DEFAULT_CONFIG

HUBSPOT_CONTACTS = """Record ID,First Name,Email,Lifecycle Stage,Create Date
101,Ada,ada@example.org,Marketing Qualified Lead,2026-03-05 14:22
102,Bo,bo@example.org, customer ,2026-03-06 09:10:11
103,Cy,,Something Else,2026-03-07 08:00
"""
HUBSPOT_COMPANIES = """Record ID,Company name,Company Domain Name,Create Date
900,Acme,acme.example,2025-01-02 10:00
"""


def _snapshot(tmp_path: Path) -> Path:
    from flows.dev.generate import generate_snapshot

    snap = tmp_path / "snap"
    generate_snapshot(snap, contacts=20, seed=3, as_of=datetime(2026, 6, 30).date(), bad_rows=False)
    for table in ("contacts", "companies"):
        for part in (snap / table).iterdir():
            part.unlink()
    (snap / "contacts" / "hubspot-contacts.csv").write_text(HUBSPOT_CONTACTS)
    (snap / "companies" / "hubspot-companies.csv").write_text(HUBSPOT_COMPANIES)
    return snap


def test_a_hubspot_export_loads_through_the_shipped_mapping_with_a_portal_constant(tmp_path):
    config = tmp_path / "column_mappings.yaml"
    text = (DEFAULT_CONFIG / "column_mappings.yaml").read_text()
    config.write_text(
        text.replace("  contacts:\n", "  contacts:\n    constants: {portal_id: 7}\n").replace(
            "  companies:\n", "  companies:\n    constants: {portal_id: 7}\n"
        )
    )
    tables = read_snapshot(_snapshot(tmp_path), ["contacts", "companies"], load_mappings(config))
    contacts = tables["contacts"].sort("contact_id")
    assert contacts.select("portal_id", "contact_id", "email", "lifecycle_stage").rows() == [
        (7, 101, "ada@example.org", "marketing_qualified_lead"),
        (7, 102, "bo@example.org", "customer"),
    ]  # 103's stage is not a lifecycle stage: quarantined, not guessed
    assert contacts["created_at"].to_list()[0] == datetime(2026, 3, 5, 14, 22, tzinfo=UTC)
    # Unmapped headers stay as extra properties, named as analysts type them.
    assert "first_name" in contacts.columns and "First Name" not in contacts.columns
    assert tables["companies"].select("company_id", "name", "domain").rows() == [(900, "Acme", "acme.example")]


def test_without_the_portal_constant_the_file_is_refused_naming_the_column(tmp_path):
    from flows.io.errors import SnapshotError

    with pytest.raises(SnapshotError, match=r"hubspot-contacts.csv: table contacts lacks required column\(s\) portal_id"):
        read_snapshot(_snapshot(tmp_path), ["contacts"], load_mappings(DEFAULT_CONFIG / "column_mappings.yaml"))


@pytest.mark.parametrize(
    "text, message",
    [
        ("tables: {contact: {columns: {A: contact_id}}}", "not a contract table"),
        ("tables: {contacts: {columns: {A: contact_key}}}", "'contact_key' is not a column of contacts"),
        ("tables: {contacts: {columns: {A: email, ' a ': email}}}", "header 'a' is mapped twice"),
        ("tables: {contacts: {columns: {A: email, B: email}}}", "'email' has more than one source header"),
        ("tables: {contacts: {colums: {A: email}}}", "tables.contacts.colums"),
    ],
)
def test_a_bad_mapping_file_is_refused_with_file_path_and_reason(tmp_path, text, message):
    path = tmp_path / "column_mappings.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)) as error:
        load_mappings(path)
    assert message in str(error.value)
