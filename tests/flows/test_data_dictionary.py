"""docs/warehouse.md cannot drift from the schemas, the contract and the views."""

from flows.data_dictionary import TARGET, render
from transforms.column_docs import COLUMN_DOCS
from transforms.output_schemas import OUTPUT_SCHEMAS


def test_every_output_column_is_described():
    for name, schema in OUTPUT_SCHEMAS.items():
        missing = set(schema.columns) - set(COLUMN_DOCS.get(name, {}))
        assert not missing, f"{name}: no description for {sorted(missing)} in transforms/column_docs.py"


def test_every_registry_column_is_described():
    from transforms.score_registry import REGISTRY_SCHEMA

    assert set(REGISTRY_SCHEMA) <= set(COLUMN_DOCS["score_definitions"])


def test_the_data_dictionary_is_up_to_date():
    assert TARGET.read_text() == render(), "docs/warehouse.md is stale: run `python -m flows.data_dictionary`"
