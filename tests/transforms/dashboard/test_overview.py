"""platform-index.md: the Clients table."""

from datetime import date, timedelta

import polars as pl

from tests.transforms.partner_fixtures import AS_OF, CATALOG, clients, fx, subscriptions, usage
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.dashboard.overview import clients_overview
from transforms.dashboard.platform_index import engagement_index, index_breakdown, tools_in_use


def test_products_mrr_in_both_currencies_usage_and_renewals():
    c = associated_clients(
        clients({"client_id": 1, "currency": "EUR"}, {"client_id": 2, "currency": "USD", "relationship": "managed"}), AS_OF
    )
    active = active_subscriptions(
        subscriptions(
            {"client_id": 1, "product": "sales_hub", "mrr": "100.50"},
            {"client_id": 1, "product": "marketing_hub", "mrr": "50.25"},
            {"client_id": 1, "product": "service_hub", "mrr": "999", "end_date": AS_OF - timedelta(days=1)},
        ),
        AS_OF,
    )
    index = engagement_index(
        index_breakdown(tools_in_use(usage((1, "email", 0, 1), (1, "deals", 0, 1)), c, CATALOG, AS_OF), c, CATALOG, AS_OF)
    )
    renewals = pl.LazyFrame({"client_id": [1, 1]})
    out = clients_overview(c, active, index, renewals, fx(("EUR", date(2026, 1, 1), 2.0)), AS_OF).collect().sort("client_id")
    first, second = out.rows(named=True)
    assert first["products_owned"] == ["marketing_hub", "sales_hub"]
    assert (first["total_mrr"], first["total_mrr_usd"], first["index_score"], first["band"], first["upcoming_renewals"]) == (
        150.75,
        301.5,
        2,
        "low",
        2,
    )
    assert (second["products_owned"], second["total_mrr"], second["total_mrr_usd"], second["upcoming_renewals"]) == ([], 0.0, 0.0, 0)
