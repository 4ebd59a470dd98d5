from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.snapshot.contract import TABLES
from transforms.snapshot.parse import PARSE_COLUMN, PARSE_ERROR, extra_name, parse_table

UTC = UTC


def _parse(table: str, rows: dict) -> pl.DataFrame:
    return parse_table(pl.DataFrame(rows).lazy(), TABLES[table]).collect()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T10:00:00Z", datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01T10:00:00+02:00", datetime(2026, 1, 1, 8, tzinfo=UTC)),
        ("2026-01-01 10:00:00", datetime(2026, 1, 1, 10, tzinfo=UTC)),
        ("2026-01-01T10:00:00.250000", datetime(2026, 1, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
        (" 2026-01-01T23:30:00-01:00 ", datetime(2026, 1, 2, 0, 30, tzinfo=UTC)),
    ],
)
def test_timestamps_are_utc_and_a_value_without_offset_is_utc(text, expected):
    out = _parse(
        "score_resets", {"portal_id": ["1"], "score_id": ["s"], "object_type": ["contact"], "record_id": ["1"], "reset_at": [text]}
    )
    assert out["reset_at"][0] == expected
    assert out[PARSE_ERROR][0] is None


@pytest.mark.parametrize("text", ["yesterday", "2026-02-30T00:00:00", "2026-13-01"])
def test_a_bad_timestamp_names_the_column_and_value(text):
    out = _parse(
        "score_resets", {"portal_id": ["1"], "score_id": ["s"], "object_type": ["contact"], "record_id": ["1"], "reset_at": [text]}
    )
    assert out[PARSE_COLUMN][0] == "reset_at"
    assert out[PARSE_ERROR][0] == f"not a valid ts: '{text}'"


def test_enums_are_trimmed_and_lower_cased_and_codes_upper_cased():
    out = _parse(
        "clients",
        {
            "client_id": ["7"],
            "name": ["A"],
            "domain": [""],
            "country": [" fr "],
            "currency": ["eur"],
            "relationship": [" Sold_And_Managed"],
            "managing_partners": ["2"],
            "associated_since": ["2025-01-01"],
            "ended_at": [""],
        },
    )
    row = out.row(0, named=True)
    assert (row["country"], row["currency"], row["relationship"]) == ("FR", "EUR", "sold_and_managed")
    assert row["domain"] is None and row["ended_at"] is None
    assert row["associated_since"] == date(2025, 1, 1)


@pytest.mark.parametrize(("text", "ok"), [("10", True), ("10.5", True), ("10.25", True), ("10.255", False), ("ten", False)])
def test_money_has_at_most_two_decimals(text, ok):
    out = _parse(
        "deals",
        {
            "deal_id": ["d"],
            "client_id": ["1"],
            "deal_type": ["upgrade"],
            "sold_type": ["sourced"],
            "closed_on": ["2026-01-01"],
            "mrr": [text],
        },
    )
    assert (out[PARSE_ERROR][0] is None) is ok


def test_typed_parquet_columns_are_cast_and_non_integral_ids_rejected():
    raw = pl.DataFrame({"portal_id": [1, 1], "contact_id": [3.0, 3.5], "created_at": [datetime(2026, 1, 1), datetime(2026, 1, 2)]})
    out = parse_table(raw.lazy(), TABLES["contacts"]).collect()
    assert out["contact_id"].to_list() == [3, None]
    assert out[PARSE_COLUMN].to_list() == [None, "contact_id"]
    assert out.schema["created_at"] == pl.Datetime("us", "UTC")


def test_extra_event_properties_are_kept_as_strings():
    out = _parse(
        "events",
        {
            "portal_id": ["1"],
            "event_id": ["e"],
            "contact_id": ["1"],
            "event_type": ["Form_Submission"],
            "occurred_at": ["2026-01-01"],
            "form_id": ["contact_us"],
            "score": [3],
        },
    )
    assert out["event_type"][0] == "form_submission"
    assert out.schema["score"] == pl.String and out["score"][0] == "3"


@pytest.mark.parametrize(
    ("header", "stored"),
    [("First Name", "first_name"), (" Amount ($) ", "amount"), ("utm-source", "utm_source"), ("plan_id", "plan_id"), ("Prénom", "prénom")],
)
def test_extra_columns_are_stored_lower_case_with_words_joined_by_underscores(header, stored):
    assert extra_name(header) == stored
    out = _parse("contacts", {"portal_id": ["1"], "contact_id": ["2"], header: ["x"]})
    assert out[stored].to_list() == ["x"]
