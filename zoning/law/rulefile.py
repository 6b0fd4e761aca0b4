"""Read YAML rule files into typed models; every error names the file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zoning.errors import RuleError

M = TypeVar("M", bound=BaseModel)


class RuleModel(BaseModel):
    """Base of every rule-file model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleFileHeader(RuleModel):
    """What every rule file starts with: its id, version and title."""

    id: str
    version: str
    title_vi: str
    title_en: str


def read_yaml_model(path: Path, model: type[M], what: str = "rule file") -> tuple[M, str]:
    """Read a YAML file into a pydantic model; errors name the file, line and key.

    Returns the model and the file text (for locating later cross-check errors).
    """
    if not path.exists():
        raise RuleError(f"{what} not found: {path}", "check the path")
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise RuleError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise RuleError(f"{path}: a {what} must be a mapping of keys to values")
    try:
        return model.model_validate(data), text
    except ValidationError as exc:
        first = exc.errors()[0]
        raise located_error(path, text, first["loc"], first["msg"], exc.error_count() - 1) from None


def located_error(path: Path, text: str, loc: tuple[Any, ...], message: str, more: int = 0) -> RuleError:
    """A RuleError pointing at the YAML line of a pydantic-style location."""
    line = _line_of(text, loc)
    at = f" line {line}" if line else ""
    extra = f" (and {more} more)" if more > 0 else ""
    return RuleError(f"{path}{at}: {_dotted(loc)}: {message}{extra}")


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (closest existing parent)."""
    node = yaml.compose(text)
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == part]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line
