"""Which clients and subscriptions count on a day: from their start, until (not on) their end."""

from __future__ import annotations

from datetime import date

from tests.transforms.partner_fixtures import clients, subscriptions
from transforms.dashboard.clients import active_subscriptions, associated_clients


def test_a_client_counts_from_its_association_until_the_day_it_ends():
    rows = clients(
        {"client_id": 1, "associated_since": date(2026, 6, 30)},
        {"client_id": 2, "associated_since": date(2026, 7, 1)},
        {"client_id": 3, "ended_at": date(2026, 6, 30)},
        {"client_id": 4, "ended_at": date(2026, 7, 1)},
    )
    assert associated_clients(rows, date(2026, 6, 30)).collect()["client_id"].to_list() == [1, 4]


def test_a_subscription_is_active_from_its_start_until_its_end_date():
    rows = subscriptions(
        {"client_id": 1, "product": "marketing_hub", "start_date": date(2026, 6, 30)},
        {"client_id": 1, "product": "sales_hub", "end_date": date(2026, 6, 30)},
        {"client_id": 1, "product": "service_hub", "start_date": date(2026, 7, 1)},
    )
    assert active_subscriptions(rows, date(2026, 6, 30)).collect()["product"].to_list() == ["marketing_hub"]
