"""Config files are read within bounds: a hostile file is refused with its name before it is expanded."""

import time

import pytest

from flows.io.config_files import ConfigError, load_definition

VALID = """id: hostile
name: Hostile
object: contact
score_limit: 100
groups:
  - name: g
    rules:
      - event: email_open
        points: {points}
"""


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 200)
    ]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines))
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"bomb\.yaml: line \d+, column \d+: more than 1000 aliases"):
        load_definition(path)
    assert time.perf_counter() - started < 5


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 3000 + "]" * 3000)
    with pytest.raises(ConfigError, match=r"deep\.yaml: .*more than 64 nested levels"):
        load_definition(path)


def test_an_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * 2_000_000)
    with pytest.raises(ConfigError, match=r"big\.yaml: 2,000,002 bytes; a config file may hold at most"):
        load_definition(path)


@pytest.mark.parametrize("points", ["100000000000000000000000", "-99999", "10001"])
def test_points_past_any_useful_score_are_refused_at_load(tmp_path, points):
    path = tmp_path / "big_points.yaml"
    path.write_text(VALID.format(points=points))
    with pytest.raises(ConfigError, match=r"big_points\.yaml: .*points"):
        load_definition(path)


def test_points_within_bounds_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(VALID.format(points=-10000))
    assert load_definition(path).groups[0].rules[0].points == -10000
