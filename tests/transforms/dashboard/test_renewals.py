"""renewals.md: the 120-day horizon, deadlines, statuses with the 44/45-day rules, owner, USD, alerts."""

from datetime import date, timedelta

import polars as pl
import pytest

from tests.transforms.partner_fixtures import AS_OF, clients, fx, subscriptions, ts
from transforms.common.fx import MissingFxRate, require_rates
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.dashboard.renewals import client_alerts, upcoming_renewals

RATES = fx(("EUR", date(2026, 6, 1), 1.1), ("EUR", date(2026, 6, 30), 1.2), ("EUR", date(2026, 7, 1), 9.9))


def change(start_in_days: int, **values) -> dict:
    return {
        "change_id": f"c{start_in_days}",
        "client_id": 1,
        "contract_type": "renewal",
        "renewal_start_date": AS_OF + timedelta(days=start_in_days),
        "accepted_at": None,
        "cancellation_requested_at": None,
        "communication_owner": None,
        "primary_contact_email": None,
        "current_mrr": "100.00",
        "estimated_new_mrr": "150.00",
        **values,
    }


def _renewals(*changes: dict, client: dict | None = None, as_of=AS_OF, rates=RATES):
    frame = pl.DataFrame(
        list(changes), schema_overrides={"accepted_at": pl.Datetime("us", "UTC"), "cancellation_requested_at": pl.Datetime("us", "UTC")}
    )
    frame = frame.with_columns(pl.col("current_mrr", "estimated_new_mrr").cast(pl.Decimal(18, 2))).lazy()
    c = associated_clients(clients({"client_id": 1, "currency": "EUR", **(client or {})}), as_of)
    active = active_subscriptions(subscriptions({"client_id": 1, "product": "sales_hub", "max_contacts": 5000}), as_of)
    out = upcoming_renewals(frame, c, active, rates, as_of).collect()
    return require_rates(out, "currency", "as_of")


def test_upcoming_means_from_as_of_to_120_days_ahead():
    out = _renewals(change(-1), change(0), change(120), change(121))
    assert sorted(out["change_id"]) == ["c0", "c120"]


def test_deadline_is_45_days_before_the_start_and_days_to_deadline_counts_down():
    out = _renewals(change(60), change(45), change(10)).sort("change_id")
    rows = {r["change_id"]: (r["renewal_deadline"], r["days_to_deadline"]) for r in out.iter_rows(named=True)}
    assert rows == {"c60": (AS_OF + timedelta(days=15), 15), "c45": (AS_OF, 0), "c10": (AS_OF - timedelta(days=35), -35)}


@pytest.mark.parametrize(("start_in_days", "status"), [(46, "pending"), (45, "pending"), (44, "renewed"), (10, "renewed")])
def test_a_renewal_goes_through_44_days_before_its_start(start_in_days, status):
    assert _renewals(change(start_in_days))["status"][0] == status


def test_statuses_in_order_of_precedence():
    out = _renewals(
        change(60, change_id="cancel", accepted_at=ts(AS_OF), cancellation_requested_at=ts(AS_OF)),
        change(60, change_id="cancel_later", cancellation_requested_at=ts(AS_OF + timedelta(days=1))),
        change(60, change_id="ctu", contract_type="contact_upgrade", accepted_at=ts(AS_OF)),
        change(10, change_id="eo_pending", contract_type="email_overage"),  # no auto-renewal for overages
        change(60, change_id="renewal_accepted", accepted_at=ts(AS_OF - timedelta(days=3))),
    )
    assert dict(out.select("change_id", "status").iter_rows()) == {
        "cancel": "cancellation_requested",
        "cancel_later": "pending",
        "ctu": "confirmed",
        "eo_pending": "pending",
        "renewal_accepted": "renewed",
    }


def test_owner_defaults_to_hubspot_and_amounts_are_in_usd_at_the_latest_rate_on_or_before_as_of():
    out = _renewals(change(60, communication_owner="partner", change_id="a"), change(61)).sort("change_id")
    assert out["communication_owner"].to_list() == ["partner", "hubspot"]
    row = out.row(0, named=True)
    assert (row["mrr_change"], row["current_mrr_usd"], row["estimated_new_mrr_usd"]) == (50.0, 120.0, 180.0)
    assert (row["max_contacts"], row["website"]) == (5000, "c.example")


def test_a_missing_fx_rate_is_an_error_naming_currency_and_date():
    with pytest.raises(MissingFxRate, match="no fx_rates row for NOK on or before 2026-06-30"):
        _renewals(change(60), client={"currency": "NOK"})


def test_an_ended_client_drops_out_from_its_ended_at():
    assert _renewals(change(60), client={"ended_at": AS_OF}).height == 0
    assert _renewals(change(60), client={"ended_at": AS_OF + timedelta(days=1)}).height == 1


def test_alerts_count_pending_changes_whose_deadline_has_not_passed():
    out = _renewals(change(45), change(60, change_id="x"), change(44), change(30, change_id="eo", contract_type="email_overage"))
    alerts = client_alerts(out.lazy(), AS_OF).collect()
    assert alerts.row(0) == (AS_OF, 2)  # c45 (deadline today) and x; c44 renewed; eo deadline passed
