"""The platform engagement index catalog: categories, tools and their points, validated."""

from __future__ import annotations

from typing import Any

from pydantic import Field, NonNegativeFloat, model_validator

from transforms.common.config import StrictConfig, validate_config
from transforms.snapshot.contract import PRODUCTS

HUBS = ("marketing_hub", "sales_hub", "service_hub", "content_hub", "operations_hub", "commerce_hub", "data_hub")
DEFAULT_CATEGORY_HUBS = {
    "marketing": ["marketing_hub"],
    "sales": ["sales_hub"],
    "service": ["service_hub"],
    "content": ["content_hub"],
    "operations": ["operations_hub", "data_hub"],
}


class CatalogError(ValueError):
    """A catalog that breaks the rules: names the file, the path inside it and the reason."""


class Category(StrictConfig):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    max_points: float = Field(gt=0)
    tools: dict[str, NonNegativeFloat] = Field(min_length=1)
    # The hubs whose holders should be using this category (adoption opportunities).
    hubs: list[str] | None = None

    @model_validator(mode="after")
    def _check(self) -> Category:
        for hub in self.hubs or []:
            if hub not in PRODUCTS:
                raise ValueError(f"hubs: {hub!r} is not a product ({', '.join(PRODUCTS)})")
        return self

    @property
    def adoption_hubs(self) -> list[str]:
        return self.hubs if self.hubs is not None else DEFAULT_CATEGORY_HUBS.get(self.name, [])


class IndexCatalog(StrictConfig):
    active_window_days: int = Field(ge=1)
    min_actions: int = Field(ge=1)
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> IndexCatalog:
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError("category names must be unique")
        tools = [t for c in self.categories for t in c.tools]
        repeated = sorted({t for t in tools if tools.count(t) > 1})
        if repeated:
            raise ValueError(f"tools belong to one category only: {', '.join(map(repr, repeated))}")
        total = sum(c.max_points for c in self.categories)
        if abs(total - 10) > 1e-9:
            raise ValueError(f"category max_points must add up to 10, not {total:g}")
        return self


def parse_catalog(data: Any, source: str) -> IndexCatalog:
    """The validated catalog in `data`; errors name `source`, the path and the reason."""
    return validate_config(IndexCatalog, data, source, CatalogError, "the catalog")
