"""Config models: strict parts, and errors as one line per reason naming the file and the path."""

from __future__ import annotations

import re

import pytest
from pydantic import Field, ValidationError

from transforms.common.config import StrictConfig, location, validate_config


class Part(StrictConfig):
    name: str
    limit: int = Field(ge=0)


class File(StrictConfig):
    parts: list[Part]


class FileError(ValueError):
    pass


def test_locations_read_like_the_file():
    assert location(("groups", 0, "rules", 1, "limit_to")) == "groups[0].rules[1].limit_to"
    assert location(("tables", "First Name")) == "tables['First Name']"
    assert location(()) == "(top)"


def test_every_problem_is_a_line_naming_the_file_and_path():
    with pytest.raises(FileError) as raised:
        validate_config(
            File, {"parts": [{"name": "a", "limit": -1}, {"name": "b", "limit": 1, "colour": "red"}]}, "f.yaml", FileError, "a file"
        )
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("f.yaml: parts[0].limit: Input should be greater than or equal to 0")
    assert lines[1].startswith("f.yaml: parts[1].colour: Extra inputs are not permitted")


def test_a_file_that_is_not_a_mapping_is_refused_and_parts_are_frozen():
    with pytest.raises(FileError, match=re.escape("f.yaml: (top): a file is a mapping, got list")):
        validate_config(File, [1], "f.yaml", FileError, "a file")
    part = Part(name="a", limit=1)
    with pytest.raises(ValidationError):
        part.limit = 2  # type: ignore[misc]
