"""`engage doctor` on damage that every version of the history shares (its versions link the same
files), and the repair it names, run as a user would paste it."""

import os
import shlex
import shutil

import polars as pl
import pytest

from flows.cli.app import main
from flows.io.history_store import covered_days, read_changes
from flows.io.paths import Paths

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def _doctor(capsys, warehouse) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as ended:
        main(["doctor", "--warehouse", str(warehouse)])
    return int(ended.value.code or 0), capsys.readouterr().out.splitlines()


def _damage_in_place(path) -> None:
    """Overwrite the file itself, not a new file in its place: every version linking it sees it."""
    with open(path, "r+b") as file:
        file.truncate(64)


def _history(paths: Paths) -> pl.DataFrame:
    return read_changes(paths).sort(pl.all())


def test_history_damage_shared_by_every_version_is_mended_by_the_one_command_the_doctor_names(capsys, caplog, backfilled, tmp_path):
    warehouse = tmp_path / "copy" / "warehouse.duckdb"
    shutil.copytree(backfilled.parent, warehouse.parent, symlinks=True)
    paths = Paths.of(warehouse)
    before = _history(paths)
    parts = sorted(p for p in paths.history.iterdir() if p.is_dir() and p.name != "_schema")
    changes = sorted(parts[0].glob("changes_*.parquet"))[1]
    state = parts[-1] / "state.parquet"
    for damaged in (changes, state):
        _damage_in_place(damaged)

    code, said = _doctor(capsys, warehouse)
    assert code == 1 and "2 damaged or missing" in said[0], said
    repairs = {line.split("; repair: ")[1] for line in said[1:]}
    assert len(repairs) == 1, repairs  # one run mends both
    (repair,) = repairs
    assert repair.startswith("engage backfill --history-only") and f"--from {changes.stem.removeprefix('changes_')}" in repair, repair

    with pytest.raises(SystemExit) as ended:
        main(shlex.split(repair)[1:])
    assert ended.value.code in (0, None), capsys.readouterr().err
    capsys.readouterr()
    assert any(f"{changes}: damaged" in record.getMessage() for record in caplog.records)  # named as it is written anew
    code, said = _doctor(capsys, warehouse)
    assert code == 0 and "none damaged" in said[0], said
    assert _history(paths).equals(before)


def test_a_damaged_coverage_is_removed_and_every_day_stored_again_by_the_command_the_doctor_names(capsys, backfilled, tmp_path):
    warehouse = tmp_path / "copy" / "warehouse.duckdb"
    shutil.copytree(backfilled.parent, warehouse.parent, symlinks=True)
    paths = Paths.of(warehouse)
    before, days = _history(paths), covered_days(paths)
    _damage_in_place(paths.history / "coverage.parquet")

    code, said = _doctor(capsys, warehouse)
    assert code == 1 and "1 damaged or missing" in said[0], said
    removal, repair = said[1].split("; repair: ")[1].split("; then ")
    assert removal == f"rm {shlex.quote(str(paths.history / 'coverage.parquet'))}", removal
    assert f"--from {days[0]} --to {days[-1]}" in repair, repair  # the days covered, read from what is left

    os.remove(shlex.split(removal)[1])
    with pytest.raises(SystemExit) as ended:
        main(shlex.split(repair)[1:])
    assert ended.value.code in (0, None), capsys.readouterr().err
    capsys.readouterr()
    code, said = _doctor(capsys, warehouse)
    assert code == 0 and "none damaged" in said[0], said
    assert covered_days(paths) == days and _history(paths).equals(before)
