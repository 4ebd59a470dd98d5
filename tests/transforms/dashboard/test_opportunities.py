"""platform-index.md: cross-sell, upsell, adoption and their counts per band."""

from datetime import date

import polars as pl

from tests.transforms.partner_fixtures import AS_OF, CATALOG, clients, subscriptions, usage
from transforms.dashboard.clients import active_subscriptions, associated_clients
from transforms.dashboard.opportunities import client_opportunities, opportunity_counts
from transforms.dashboard.platform_index import engagement_index, index_breakdown, tools_in_use


def _opportunities(subs, tools=()):
    c = associated_clients(clients({"client_id": 1}), AS_OF)
    breakdown = index_breakdown(tools_in_use(usage(*tools), c, CATALOG, AS_OF), c, CATALOG, AS_OF)
    opps = client_opportunities(c, active_subscriptions(subscriptions(*subs), AS_OF), breakdown, CATALOG, AS_OF)
    return opps, engagement_index(breakdown)


def test_cross_sell_upsell_and_adoption():
    subs = [
        {"client_id": 1, "product": "marketing_hub", "edition": "starter"},
        {"client_id": 1, "product": "sales_hub", "edition": "enterprise"},
        {"client_id": 1, "product": "data_hub", "edition": "free"},
        {"client_id": 1, "product": "service_hub", "end_date": AS_OF},  # ended: not held
        {"client_id": 1, "product": "content_hub", "start_date": date(2026, 7, 1)},  # not started
        {"client_id": 1, "product": "smart_crm", "edition": "free"},
    ]
    opps, _ = _opportunities(subs, tools=[(1, "deals", 0, 1)])
    got = set(opps.collect()["opportunity"])
    assert got == {
        "cross_sell:service_hub",
        "cross_sell:content_hub",
        "cross_sell:operations_hub",
        "cross_sell:commerce_hub",
        "upsell:marketing_hub",
        "upsell:data_hub",
        "upsell:smart_crm",
        "adoption:marketing",
        "adoption:operations",  # holds marketing_hub / data_hub, those categories score 0
    }


def test_counts_in_the_client_base_per_opportunity_and_band():
    opps, index = _opportunities([{"client_id": 1, "product": "marketing_hub", "edition": "free"}])
    counts = opportunity_counts(opps, index).collect()
    row = counts.filter(pl.col("opportunity") == "upsell:marketing_hub").row(0, named=True)
    assert (row["band"], row["clients"], row["kind"]) == ("low", 1, "upsell")
    assert counts["clients"].sum() == opps.collect().height
