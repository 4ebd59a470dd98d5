"""Names from outside (paths, table names, ids) never change the SQL they end up in."""

from datetime import date

import duckdb
import polars as pl
import pytest

from flows.io.paths import Paths
from flows.io.storage import write_parquet
from flows.io.warehouse import _identifier, _literal_path, day_table_schemas, ensure_catalog, file_pattern, publish_day


def test_a_warehouse_folder_with_quotes_and_spaces_still_reads_its_own_files(tmp_path):
    paths = Paths.of(tmp_path / 'it\'s "odd" -- here' / "warehouse.duckdb")
    publish_day(paths, date(2026, 6, 30), {"alpha": pl.DataFrame({"marker": ["x"]})})
    ensure_catalog(paths, day_table_schemas() | {"alpha": {"marker": pl.String}})
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.sql("select marker from alpha").fetchall() == [("x",)]


def test_pattern_characters_in_the_warehouse_path_read_only_its_own_files(tmp_path):
    paths = Paths.of(tmp_path / "w*?[1]" / "warehouse.duckdb")
    decoy = Paths.of(tmp_path / "wxy1" / "warehouse.duckdb")
    for where, marker in ((paths, "own"), (decoy, "decoy")):
        publish_day(where, date(2026, 6, 30), {"alpha": pl.DataFrame({"marker": [marker]})})
        write_parquet(pl.DataFrame({"marker": [marker]}), where.store / "run_log" / "run.parquet")
    ensure_catalog(paths, day_table_schemas() | {"alpha": {"marker": pl.String}})
    with duckdb.connect(str(paths.warehouse), read_only=True) as con:
        assert con.sql("select marker from alpha").fetchall() == [("own",)]
        assert con.sql("select marker from run_log").fetchall() == [("own",)]


def test_a_file_pattern_given_as_a_parameter_matches_only_its_own_file(tmp_path):
    own, decoy = tmp_path / "a[1]*?" / "part.parquet", tmp_path / "a1xy" / "part.parquet"
    for path, marker in ((own, "own"), (decoy, "decoy")):
        write_parquet(pl.DataFrame({"marker": [marker]}), path)
    with duckdb.connect() as con:
        rows = con.execute("select marker from read_parquet($files)", {"files": [file_pattern(str(own))]}).fetchall()
    assert rows == [("own",)]


@pytest.mark.parametrize("name", ["alpha; drop view alpha", "Alpha", "a-b", "", "1abc", "a\nb"])
def test_table_names_outside_the_plain_pattern_are_refused(name):
    with pytest.raises(ValueError, match="not a safe table name"):
        _identifier(name)


def test_a_path_with_a_newline_or_nul_is_refused(tmp_path):
    for bad in ("a\nb", "a\x00b"):
        with pytest.raises(ValueError, match="unsafe path"):
            _literal_path(tmp_path / bad)


def test_score_ids_that_are_not_plain_names_are_refused_at_load():
    from transforms.scores.definition import DefinitionError, parse_definition

    for bad in ("x'; drop table y; --", "X", "a b", "../up"):
        with pytest.raises(DefinitionError, match="id"):
            parse_definition(
                {
                    "id": bad,
                    "name": "n",
                    "object": "contact",
                    "score_limit": 100,
                    "groups": [{"name": "g", "rules": [{"event": "e", "points": 1}]}],
                },
                "s.yaml",
            )
