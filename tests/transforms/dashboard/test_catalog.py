"""The index catalog file: categories, tools and their points, checked at load."""

from __future__ import annotations

import re

import pytest

from tests.transforms.partner_fixtures import CATALOG


def test_catalog_rules_are_checked_at_load():
    from transforms.dashboard.catalog import CatalogError, parse_catalog

    data = CATALOG.model_dump()
    data["categories"][0]["max_points"] = 4
    with pytest.raises(CatalogError, match=re.escape("catalog.yaml: (top): category max_points must add up to 10, not 11")):
        parse_catalog(data, "catalog.yaml")
    data = CATALOG.model_dump()
    data["categories"][1]["tools"]["email"] = 1
    data["categories"][0]["max_points"] = 3
    with pytest.raises(CatalogError, match="tools belong to one category only: 'email'"):
        parse_catalog(data, "catalog.yaml")
    with pytest.raises(CatalogError, match=re.escape("categories[0].colour: Extra inputs")):
        parse_catalog({**CATALOG.model_dump(), "categories": [{**CATALOG.model_dump()["categories"][0], "colour": "x"}]}, "catalog.yaml")
