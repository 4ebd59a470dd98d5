"""Deleting a definition acts on the config folder the user names, never on another checkout's."""

from __future__ import annotations

import shutil
from datetime import date

from flows.io.config_files import load_definition_files
from flows.io.paths import DEFAULT_CONFIG, Paths
from flows.io.registry_store import delete_definition, read_registry, update_registry

DAY = date(2026, 6, 30)


def test_delete_moves_the_file_of_the_named_config_and_leaves_the_original(tmp_path):
    original, copy = tmp_path / "original" / "scores", tmp_path / "copy" / "scores"
    shutil.copytree(DEFAULT_CONFIG / "scores", original)
    shutil.copytree(DEFAULT_CONFIG / "scores", copy)
    (copy / "broken.yaml").write_text("id: [unclosed\n")  # another file that cannot be read
    paths = Paths.of(tmp_path / "copy" / "warehouse.duckdb")
    # The registry was written by a run against the original folder: it records those paths.
    update_registry(paths, load_definition_files(original), {}, DAY)

    moved = delete_definition(paths, copy, "contact_activity", DAY, drop_values=False)

    assert moved == copy / ".deleted" / "contact_activity.yaml" and moved.exists()
    assert not (copy / "contact_activity.yaml").exists()
    assert (original / "contact_activity.yaml").exists(), "the original checkout's file was moved"
    status = dict(read_registry(paths).select("score_id", "status").iter_rows())
    assert status["contact_activity"] == "deleted"
    assert delete_definition(paths, copy, "contact_activity", DAY, drop_values=False) is None
