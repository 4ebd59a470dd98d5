"""platform-index.md: tools in use, category caps, rounding, bands, breakdown, uncatalogued tools."""

import pytest

from tests.transforms.partner_fixtures import AS_OF, CATALOG, clients, usage
from transforms.dashboard.clients import associated_clients
from transforms.dashboard.platform_index import engagement_index, index_breakdown, tools_in_use, uncatalogued_tools


def _index(tool_rows, client_rows=({"client_id": 1},)):
    c = associated_clients(clients(*client_rows), AS_OF)
    in_use = tools_in_use(usage(*tool_rows), c, CATALOG, AS_OF)
    breakdown = index_breakdown(in_use, c, CATALOG, AS_OF)
    return engagement_index(breakdown).collect(), breakdown.collect(), uncatalogued_tools(in_use, CATALOG, AS_OF).collect()


def _tools(*names):
    return [(1, name, 0, 1) for name in names]


@pytest.mark.parametrize(
    ("tools", "score", "band"),
    [
        ((), 0, "low"),
        (("email", "forms", "deals"), 3, "low"),
        (("email", "forms", "deals", "meetings"), 4, "medium"),  # 3.5 rounds half up to 4
        (("email", "forms", "landing_pages", "deals", "sequences", "tickets"), 6, "medium"),
        (("email", "forms", "landing_pages", "deals", "sequences", "tickets", "feedback_surveys"), 7, "high"),  # 6.5 -> 7
    ],
)
def test_index_rounds_half_up_and_bands_at_3_4_and_6_7(tools, score, band):
    index, _, _ = _index(_tools(*tools))
    assert index.select("index_score", "band").row(0) == (score, band)


def test_category_points_are_capped_at_max_points_and_every_category_has_a_row():
    index, breakdown, _ = _index(_tools("email", "forms", "landing_pages", "social", "ads", "campaigns", "blog"))
    rows = {r["category"]: (r["points"], r["max_points"], r["tools_in_use"]) for r in breakdown.iter_rows(named=True)}
    assert rows == {
        "marketing": (3.0, 3.0, 6),
        "sales": (0.0, 2.0, 0),
        "service": (0.0, 2.0, 0),
        "content": (0.5, 1.0, 1),
        "operations": (0.0, 2.0, 0),
    }
    assert index.select("index_score", "tools_in_use").row(0) == (4, 7)


def test_a_tool_is_in_use_with_actions_in_the_30_days_ending_with_as_of():
    index, _, _ = _index([(1, "email", 29, 1), (1, "deals", 30, 5), (1, "tickets", -1, 5)])
    assert index["index_score"][0] == 1


def test_min_actions_counts_the_window_total():
    catalog = CATALOG.model_copy(update={"min_actions": 3})
    c = associated_clients(clients({"client_id": 1}), AS_OF)
    in_use = tools_in_use(usage((1, "email", 1, 2), (1, "email", 5, 1), (1, "deals", 0, 2)), c, catalog, AS_OF).collect()
    assert in_use.select("tool", "actions").rows() == [("email", 3)]


def test_uncatalogued_tools_score_nothing_and_are_reported():
    index, _, other = _index([(1, "chatbot_builder", 0, 4), (1, "email", 0, 1)])
    assert index["index_score"][0] == 1
    assert other.select("client_id", "tool", "actions").rows() == [(1, "chatbot_builder", 4)]


def test_only_clients_associated_at_as_of_appear():
    from datetime import timedelta

    rows = (
        {"client_id": 1},
        {"client_id": 2, "ended_at": AS_OF},  # ended on as_of: gone
        {"client_id": 3, "ended_at": AS_OF + timedelta(days=1)},  # ends tomorrow: still here
        {"client_id": 4, "associated_since": AS_OF + timedelta(days=1)},
        {"client_id": 5, "associated_since": AS_OF},
    )
    index, breakdown, _ = _index(_tools("email"), rows)
    assert sorted(index["client_id"]) == [1, 3, 5]
    assert breakdown.height == 3 * 5
