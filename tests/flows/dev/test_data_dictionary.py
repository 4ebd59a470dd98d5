"""docs/warehouse.md cannot drift from the schemas, the contract and the views."""

from flows.dev.data_dictionary import TARGET, render
from transforms.outputs import OUTPUT_SCHEMAS
from transforms.scores.schemas import ENGAGEMENT_SCORE_HISTORY, SCORE_DEFINITIONS


def test_every_table_and_column_is_described():
    for schema in [*OUTPUT_SCHEMAS.values(), ENGAGEMENT_SCORE_HISTORY, SCORE_DEFINITIONS]:
        assert schema.description, f"{schema.name}: no description"
        missing = [name for name, column in schema.columns.items() if not column.description]
        assert not missing, f"{schema.name}: no description for {missing}"


def test_the_data_dictionary_is_up_to_date():
    assert TARGET.read_text() == render(), "docs/warehouse.md is stale: run `python -m flows.dev.data_dictionary`"
