"""The table digest that shows two runs wrote the same rows."""

from __future__ import annotations

import duckdb

from flows.dev.table_digest import digest_lines


def _warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create table t(a int, seconds double)")
        con.executemany("insert into t values (?, ?)", rows)


def test_same_rows_same_digest_whatever_the_durations_and_order_tells_apart(tmp_path):
    _warehouse(tmp_path / "a.duckdb", [(1, 0.5), (2, 0.7)])
    _warehouse(tmp_path / "b.duckdb", [(1, 9.0), (2, 3.0)])
    _warehouse(tmp_path / "c.duckdb", [(2, 0.5), (1, 0.7)])
    a, b, c = (digest_lines(tmp_path / f"{n}.duckdb")[0].split("\t") for n in "abc")
    assert a == b and a[:2] == ["t", "2"] and a[4] == "without seconds"
    assert c[2] != a[2] and c[3] == a[3]  # another order: ordered hash differs, sorted hash equal
