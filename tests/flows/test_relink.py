"""A copied or moved warehouse reads its own files: its catalog refuses to read the original's until
it is relinked, and every engage command relinks it."""

import shutil

import duckdb
import polars as pl
import pytest

from flows.cli.app import main
from flows.io.paths import Paths
from flows.io.storage import write_parquet
from flows.io.warehouse import day_table_schemas, ensure_catalog


@pytest.fixture
def original(tmp_path) -> Paths:
    paths = Paths.of(tmp_path / "original" / "warehouse.duckdb")
    write_parquet(pl.DataFrame({"marker": ["original"]}), paths.run_log / "run.parquet")
    ensure_catalog(paths, day_table_schemas())
    return paths


def _copy(original: Paths, target) -> Paths:
    shutil.copytree(original.root, target, symlinks=True)
    copy = Paths.of(target / original.warehouse.name)
    write_parquet(pl.DataFrame({"marker": ["copy"]}), copy.run_log / "run.parquet")
    return copy


def test_a_copy_refuses_to_read_the_original_until_relinked(original, tmp_path, capsys):
    copy = _copy(original, tmp_path / "copy")
    with duckdb.connect(str(copy.warehouse), read_only=True) as con, pytest.raises(duckdb.Error, match="copied or moved; relink it"):
        con.sql("select marker from run_log").fetchall()
    with pytest.raises(SystemExit) as ended:
        main(["relink", "--warehouse", str(copy.warehouse)])
    assert ended.value.code == 0 and f"relinked {copy.warehouse}" in capsys.readouterr().err
    for paths, marker in ((copy, "copy"), (original, "original")):
        with duckdb.connect(str(paths.warehouse), read_only=True) as con:
            assert con.sql("select marker from run_log").fetchall() == [(marker,)]


def test_a_moved_warehouse_is_relinked_by_the_next_command(original, tmp_path, capsys):
    moved = _copy(original, tmp_path / "moved")
    shutil.rmtree(original.root)
    with pytest.raises(SystemExit) as ended:
        main(["scores", "list", "--warehouse", str(moved.warehouse)])
    assert ended.value.code == 0 and f"relinked {moved.warehouse}" in capsys.readouterr().err
    with duckdb.connect(str(moved.warehouse), read_only=True) as con:
        assert con.sql("select marker from run_log").fetchall() == [("copy",)]
