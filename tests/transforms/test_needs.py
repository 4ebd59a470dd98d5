"""Which snapshot tables each computation of a day needs, and which a run may skip."""

import pytest

from transforms.needs import COMPANY_SCORES, PARTNER, PARTNER_TABLES, SCORES, day_needs, purpose_needs, required_tables, unmet
from transforms.scores.definition import parse_definition

CONTACT = parse_definition(
    {"id": "c", "name": "C", "object": "contact", "score_limit": 100, "groups": [{"name": "G", "rules": [{"event": "call", "points": 1}]}]},
    "c.yaml",
)
COMPANY = parse_definition(
    {"id": "k", "name": "K", "object": "company", "score_limit": 100, "groups": [{"name": "G", "rules": [{"event": "call", "points": 1}]}]},
    "k.yaml",
)


def test_contact_scores_need_contacts_and_events_and_company_scores_and_partner_outputs_can_be_skipped():
    needs = {n.computation: n for n in day_needs([CONTACT, COMPANY])}
    assert needs[SCORES].tables == ("contacts", "events") and not needs[SCORES].skippable
    assert needs[COMPANY_SCORES].tables == ("companies", "associations") and needs[COMPANY_SCORES].skippable
    assert needs[PARTNER].tables == PARTNER_TABLES and needs[PARTNER].skippable
    assert required_tables(list(needs.values())) == {"contacts", "events"}


def test_without_definitions_only_the_partner_outputs_are_computed_and_without_company_ones_no_company_scores():
    assert [n.computation for n in day_needs([])] == [PARTNER]
    assert [n.computation for n in day_needs([CONTACT])] == [SCORES, PARTNER]


def test_a_check_for_a_purpose_requires_every_table_of_it():
    needs = day_needs([CONTACT, COMPANY])
    assert [(n.computation, n.skippable) for n in purpose_needs(needs, "scores")] == [(SCORES, False), (COMPANY_SCORES, False)]
    assert [(n.computation, n.skippable) for n in purpose_needs(needs, "partner")] == [(PARTNER, False)]
    assert len(purpose_needs(needs, "all")) == 3
    with pytest.raises(ValueError, match="unknown purpose 'everything'"):
        purpose_needs(needs, "everything")


def test_unmet_names_each_need_with_its_missing_tables_in_order():
    needs = day_needs([CONTACT, COMPANY])
    gaps = unmet(needs, {"contacts", "events", "associations", "deals", "clients"})
    assert [(n.computation, tables) for n, tables in gaps] == [
        (COMPANY_SCORES, ["companies"]),
        (PARTNER, ["subscriptions", "tool_usage", "contract_changes", "fx_rates"]),
    ]


def test_fit_scores_need_their_records_and_a_contact_fit_on_company_properties_the_companies():
    fit = parse_definition(
        {
            "id": "f",
            "name": "F",
            "type": "fit",
            "object": "contact",
            "score_limit": 100,
            "groups": [{"name": "G", "rules": [{"filters": [{"property": "company.industry", "operator": "is_known"}], "points": 5}]}],
        },
        "f.yaml",
    )
    needs = {n.computation: n.tables for n in day_needs([fit])}
    assert needs[SCORES] == ("contacts",) and needs[COMPANY_SCORES] == ("companies", "associations")
