"""Reading the YAML config folder: every file validated at the door, errors naming file and path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from transforms.dashboard.catalog import CatalogError, IndexCatalog, parse_catalog
from transforms.points.program import Program, ProgramError, parse_program
from transforms.scores.definition import DefinitionError, ScoreDefinition, parse_definition
from transforms.scores.registry import Loaded
from transforms.snapshot.mappings import ColumnMappings, MappingError, parse_mappings

Config = TypeVar("Config")


class ConfigError(ValueError):
    """A config file that cannot be used: names the file, the path inside it and the reason."""


# A config file is a page of settings: these bounds are far above any real one, and keep a hostile
# file (an alias bomb expanding to billions of values, thousands of nested levels) from being expanded.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_ALIASES = 1000
MAX_DEPTH = 64


def _check_shape(path: Path, text: str) -> None:
    """Refuse YAML whose aliases or nesting exceed the bounds, reading its events (nothing expanded)."""
    aliases = depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if aliases > MAX_ALIASES or depth > MAX_DEPTH:
            mark = event.start_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(top)"
            what = f"more than {MAX_ALIASES} aliases" if aliases > MAX_ALIASES else f"more than {MAX_DEPTH} nested levels"
            raise ConfigError(f"{path}: {where}: {what}; a config file needs neither")


def read_yaml(path: Path) -> object:
    """The parsed content of `path`; unreadable, oversized or malformed YAML is a ConfigError naming the file."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: {path.stat().st_size:,} bytes; a config file may hold at most {MAX_CONFIG_BYTES:,}")
        text = path.read_text(encoding="utf-8")
        _check_shape(path, text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(top)"
        raise ConfigError(f"{path}: {where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None


def load_definition(path: Path) -> ScoreDefinition:
    """One validated score definition file."""
    try:
        return parse_definition(read_yaml(path), str(path))
    except DefinitionError as exc:
        raise ConfigError(str(exc)) from None


def load_definition_files(folder: Path) -> list[Loaded]:
    """Every definition in `folder` (`*.yaml`, `*.yml`) with its file, in file-name order; ids must be unique."""
    loaded: list[Loaded] = []
    seen: dict[str, Path] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        definition = load_definition(path)
        if definition.id in seen:
            raise ConfigError(f"{path}: id: {definition.id!r} is already defined in {seen[definition.id]}")
        seen[definition.id] = path
        loaded.append(Loaded(definition, str(path)))
    return loaded


def load_definitions(folder: Path) -> list[ScoreDefinition]:
    """Every definition in `folder`, validated (see `load_definition_files`)."""
    return [item.definition for item in load_definition_files(folder)]


def _load_one(path: Path, parse: Callable[[object, str], Config], what: str) -> Config:
    if not path.is_file():
        raise ConfigError(f"{path}: {what} is missing")
    try:
        return parse(read_yaml(path), str(path))
    except (CatalogError, ProgramError, MappingError) as exc:
        raise ConfigError(str(exc)) from None


def load_catalog(path: Path) -> IndexCatalog:
    """The validated platform engagement index catalog."""
    return _load_one(path, parse_catalog, "the index catalog")


def load_program(path: Path) -> Program:
    """The validated, versioned partner program."""
    return _load_one(path, parse_program, "the partner program file")


def load_mappings(path: Path) -> ColumnMappings | None:
    """The validated column mappings, or None when the config has no mapping file."""
    return _load_one(path, parse_mappings, "the column mapping file") if path.exists() else None
