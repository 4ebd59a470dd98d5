"""The layering of docs/architecture.md, checked on every import of every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Which rooms each room may import (its own always). A room is a folder of transforms/ or flows/,
# or the modules at the top of one of them.
ALLOWED: dict[str, set[str]] = {
    "transforms.common": set(),
    "transforms.snapshot": {"transforms.common"},
    "transforms.scores": {"transforms.common", "transforms.snapshot"},
    "transforms.dashboard": {"transforms.common", "transforms.snapshot"},
    "transforms.points": {"transforms.common", "transforms.snapshot"},
    "transforms": {"transforms.common", "transforms.snapshot", "transforms.scores", "transforms.dashboard", "transforms.points"},
    "flows.io": {"transforms.*"},
    "flows.report": {"flows.io", "transforms.*"},
    "flows": {"flows.io", "flows.report", "transforms.*"},
    "flows.dev": {"flows.io", "transforms.*"},
    "flows.cli": {"flows", "flows.io", "flows.report", "flows.dev", "transforms.*"},
}
# Pure transforms: frames in, frames out. No I/O, clock, orchestration or database libraries; the
# numerical and model libraries (numpy, scipy, scikit-learn) compute, and YAML/JSON text is written
# and read back in memory.
TRANSFORM_LIBRARIES = {
    "__future__", "builtins", "calendar", "collections", "dataclasses", "datetime", "functools", "hashlib", "itertools", "math",
    "re", "typing", "json", "polars", "pandera", "pydantic", "yaml", "numpy", "scipy", "sklearn",
}  # fmt: skip


def _room(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else parts[0]


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def _modules() -> list[tuple[str, Path]]:
    paths = sorted([*ROOT.joinpath("transforms").rglob("*.py"), *ROOT.joinpath("flows").rglob("*.py")])
    return [(".".join(p.relative_to(ROOT).with_suffix("").parts), p) for p in paths]


def _allowed(room: str, target: str) -> bool:
    rules = ALLOWED[room]
    return target == room or target in rules or ("transforms.*" in rules and target.startswith("transforms"))


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_follow_the_layers(module: str, path: Path) -> None:
    room = _room(module)
    assert room in ALLOWED, f"{module}: room {room} is not in docs/architecture.md"
    for target in _imports(path):
        top = target.split(".")[0]
        if top in ("transforms", "flows"):
            assert _allowed(room, _room(target)), f"{module} imports {target}: {room} may import only {sorted(ALLOWED[room])}"
        elif top == "tests":
            pytest.fail(f"{module} imports the tests")
        elif module.startswith("transforms"):
            assert top in TRANSFORM_LIBRARIES, f"{module} imports {target}: transforms stay pure (no I/O, clock or orchestration)"


def test_every_transform_module_has_its_test_module() -> None:
    missing = []
    for module, path in _modules():
        if module.startswith("transforms") and path.name != "__init__.py":
            test = ROOT / "tests" / path.relative_to(ROOT).parent / f"test_{path.name}"
            if not test.exists():
                missing.append(str(test.relative_to(ROOT)))
    assert not missing, f"transform modules without a test module: {missing}"


def test_the_architecture_map_names_every_folder() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    folders = {p.parent.relative_to(ROOT).as_posix() for _, p in _modules()} | {"sql/base", "sql/views", "sql/queries", "sql/examples"}
    missing = sorted(f for f in folders if f"`{f}/`" not in text)
    assert not missing, f"docs/architecture.md does not name {missing}"


# Polars expands `*?[` in a path unless told not to; a warehouse or snapshot path may hold them.
POLARS_READERS = {"read_parquet", "scan_parquet", "scan_csv", "read_csv"}


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_polars_reads_files_by_name_never_by_pattern(module: str, path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            call = f"{node.func.value.id}.{node.func.attr}"
            if node.func.value.id == "pl" and node.func.attr in POLARS_READERS:
                passed = {k.arg: k.value for k in node.keywords}
                glob = passed.get("glob")
                assert isinstance(glob, ast.Constant) and glob.value is False, f"{module}:{node.lineno}: {call} without glob=False"
            assert call not in ("pl.read_parquet_schema", "pl.read_ndjson", "pl.scan_ndjson") or module == "flows.io.snapshot_files", (
                f"{module}:{node.lineno}: {call} expands patterns in a path; read through flows.io.snapshot_files"
            )
