"""Config files fuzzed: any mutation of a valid file either loads or fails with `file: path: reason` lines."""

import copy

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from flows.io.paths import DEFAULT_CONFIG
from transforms.dashboard.catalog import CatalogError, parse_catalog
from transforms.points.program import ProgramError, parse_program
from transforms.scores.definition import DefinitionError, parse_definition

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2026-13-01", "contact", "company", "individually", "is_any_of", "gt", "-1", "1e400", "\x00"]),
)
CASES = [
    (DEFAULT_CONFIG / "scores" / "mql_engagement.yaml", parse_definition, DefinitionError),
    (DEFAULT_CONFIG / "scores" / "company_engagement.yaml", parse_definition, DefinitionError),
    (DEFAULT_CONFIG / "index_catalog.yaml", parse_catalog, CatalogError),
    (DEFAULT_CONFIG / "partner_program.yaml", parse_program, ProgramError),
]


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@st.composite
def mutated(draw, base):
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))[1:]
        if not paths:  # every key is gone already
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["set", "delete", "extra"]))
        if action == "delete" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif action == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
        else:
            parent[path[-1]] = draw(VALUES)
    return data


@pytest.mark.parametrize(("file", "parse", "error"), CASES, ids=lambda c: getattr(c, "name", ""))
@given(data=st.data())
def test_a_mutated_config_loads_or_names_file_path_and_reason(file, parse, error, data):
    base = yaml.safe_load(file.read_text())
    candidate = data.draw(mutated(base))
    try:
        parse(candidate, "fuzz.yaml")
    except error as exc:
        lines = str(exc).splitlines()
        assert lines and all(line.startswith("fuzz.yaml: ") and line.count(": ") >= 2 for line in lines), lines
