"""Read YAML rule files into typed models; every error names the file, line and key."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zoning.errors import InputError, RuleError
from zoning.files import check_input_file

M = TypeVar("M", bound=BaseModel)
MAX_RULE_FILE_BYTES = 16 << 20  # a rule file is text a lawyer reads, not data


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
    try:
        check_input_file(path, what, MAX_RULE_FILE_BYTES)
    except InputError as error:
        raise RuleError(error.message, error.hint) from None
    try:
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise RuleError(
            f"{path} line {line}: tệp không phải UTF-8 / the {what} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x})",
            "lưu lại tệp với mã UTF-8 / save it again as UTF-8 (in Notepad: Save as ▸ Encoding UTF-8)",
        ) from None
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
    return RuleError(f"{path}{at}: {_dotted(loc)}: {message}{extra}",
                     "sửa dòng đó của tệp quy tắc / correct that line of the rule file, then check it with `zoning rules`")


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
