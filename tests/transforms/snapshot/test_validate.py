import polars as pl

from transforms.snapshot.contract import TABLES
from transforms.snapshot.parse import parse_table
from transforms.snapshot.validate import validate_table


def _validate(table: str, rows: dict, parents: dict | None = None):
    raw = pl.DataFrame(rows).with_columns(pl.lit("f.csv").alias("_source_file"), pl.int_range(1, pl.len() + 1).alias("_source_row"))
    return validate_table(parse_table(raw.lazy(), TABLES[table]).collect(), TABLES[table], parents or {})


def _reasons(result) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for row in result.quarantine.iter_rows(named=True):
        out.setdefault(row["source_row"], set()).add(f"{row['column_name']}: {row['reason']}")
    return out


def test_each_bad_kind_is_quarantined_with_its_reason_and_good_rows_are_kept():
    result = _validate(
        "subscriptions",
        {
            "subscription_id": ["ok", "neg", "enum", "dangling", "", "dup", "dup"],
            "client_id": ["1", "1", "1", "9", "1", "1", "1"],
            "product": ["sales_hub"] * 7,
            "edition": ["free", "free", "gold", "free", "free", "free", "free"],
            "mrr": ["1.00", "-1", "1", "1", "1", "1", "1"],
            "start_date": ["2026-01-01"] * 7,
            "end_date": [None] * 7,
            "billing_frequency": ["monthly"] * 7,
            "term_months": ["12"] * 7,
            "max_contacts": [None] * 7,
            "email_limit": [None] * 7,
        },
        parents={"clients": pl.DataFrame({"client_id": [1]})},
    )
    assert result.kept["subscription_id"].to_list() == ["ok"]
    assert _reasons(result) == {
        2: {"mrr: must be >= 0"},
        3: {"edition: not one of free, starter, professional, enterprise"},
        4: {"client_id: dangling reference: no clients row with this (client_id)"},
        5: {"subscription_id: null in a non-nullable column"},
        6: {"subscription_id: duplicate key (subscription_id)"},
        7: {"subscription_id: duplicate key (subscription_id)"},
    }
    assert result.rows_quarantined == 6
    assert result.quarantine["record_key"][0] == '{"subscription_id":"neg"}'


def test_polymorphic_references_check_the_table_named_by_object_type():
    parents = {
        "contacts": pl.DataFrame({"portal_id": [1], "contact_id": [5]}),
        "companies": pl.DataFrame({"portal_id": [1], "company_id": [7]}),
    }
    result = _validate(
        "list_memberships",
        {
            "portal_id": ["1", "1", "1", "2"],
            "list_id": ["a"] * 4,
            "object_type": ["contact", "company", "company", "contact"],
            "record_id": ["5", "7", "5", "5"],
        },
        parents,
    )
    assert result.kept.height == 2
    assert set(_reasons(result)) == {3, 4}


def test_nan_and_infinite_rates_are_rejected():
    result = _validate(
        "fx_rates",
        {"currency": ["EUR", "EUR", "EUR"], "rate_date": ["2026-01-01", "2026-01-02", "2026-01-03"], "usd_per_unit": ["1.1", "NaN", "inf"]},
    )
    assert result.kept.height == 1
    assert any("not a finite number" in r for r in _reasons(result)[3])
