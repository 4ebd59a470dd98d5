"""Dated folders: a store's days and a lake table's snapshot dates, read from their names."""

from __future__ import annotations

from datetime import date

from flows.io.paths import DAY_PREFIX, Paths, dated_folders


def test_only_folders_named_for_a_day_count_in_date_order(tmp_path):
    paths = Paths.of(tmp_path / "warehouse.duckdb")
    for day in (date(2026, 6, 30), date(2026, 6, 1)):
        paths.day(day).mkdir(parents=True)
    paths.schema_day.mkdir()
    (paths.store / "registry").mkdir()
    assert dated_folders(paths.store, DAY_PREFIX) == [date(2026, 6, 1), date(2026, 6, 30)]
    assert dated_folders(tmp_path / "absent", DAY_PREFIX) == []
