"""Config files as typed models: their strict base class, and validation errors as lines naming the
file, the path inside it and the reason."""

import re
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

Model = TypeVar("Model", bound=BaseModel)
_NAME = re.compile(r"^[A-Za-z0-9_]+$")

# Parts of a pydantic error location that name its own machinery (union members, validators), not the file's keys.
_INTERNAL = re.compile(r"^(int|float|str|bool|none|(function|dict|list|literal|union|nullable|tagged-union|is-instance)[a-z-]*\[.*\])$")


def location(loc: tuple[Any, ...]) -> str:
    """`groups[0].rules[1].limit_to` for the location ('groups', 0, 'rules', 1, 'limit_to')."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _INTERNAL.match(str(part)):
            continue
        elif not _NAME.match(str(part)):
            path += f"[{str(part)!r}]"  # a key with spaces, newlines or nothing at all, shown quoted
        else:
            path += f".{part}" if path else str(part)
    return path or "(top)"


def error_lines(exc: ValidationError, source: str) -> str:
    """One line per error: `<source>: <path>: <reason>`."""
    return "\n".join(f"{source}: {location(err['loc'])}: {err['msg'].removeprefix('Value error, ')}" for err in exc.errors())


def validate_config(model: type[Model], data: Any, source: str, error: type[ValueError], what: str) -> Model:
    """`data` validated as `model`; any problem raises `error` with one line per reason."""
    if not isinstance(data, dict):
        raise error(f"{source}: (top): {what} is a mapping, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(error_lines(exc, source)) from None


class StrictConfig(BaseModel):
    """A part of a config file: unknown keys are errors, and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
