"""Read YAML rule files into typed models; every error names the file, line and key, in
Vietnamese and English (a rule a validator refuses raises :class:`RuleValueError`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zoning.errors import InputError, RuleError, Text
from zoning.files import check_input_file

M = TypeVar("M", bound=BaseModel)
MAX_RULE_FILE_BYTES = 16 << 20  # a rule file is text a lawyer reads, not data
# the Vietnamese of pydantic's messages, by error type (the English is pydantic's own)
PYDANTIC_VI = {
    "missing": "thiếu khóa bắt buộc",
    "extra_forbidden": "khóa không có trong cấu trúc của tệp (viết sai tên khóa?)",
    "string_type": "phải là văn bản",
    "int_type": "phải là số nguyên", "int_parsing": "phải là số nguyên", "int_from_float": "phải là số nguyên",
    "float_type": "phải là số", "float_parsing": "phải là số", "finite_number": "phải là số hữu hạn",
    "bool_type": "phải là true hoặc false", "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách", "tuple_type": "phải là một danh sách",
    "dict_type": "phải là một bảng khóa: giá trị", "model_type": "phải là một bảng khóa: giá trị",
    "model_attributes_type": "phải là một bảng khóa: giá trị",
    "literal_error": "phải là {expected}", "enum": "phải là {expected}",
    "greater_than": "phải lớn hơn {gt}", "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than": "phải nhỏ hơn {lt}", "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "too_short": "phải có ít nhất {min_length} phần tử", "too_long": "phải có nhiều nhất {max_length} phần tử",
}


class RuleValueError(ValueError):
    """A value a rule-file validator refuses, said in both languages (``(vietnamese, english)``)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.text: Text = (vi, en)


class RuleModel(BaseModel):
    """Base of every rule-file model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleFileHeader(RuleModel):
    """What every rule file starts with: its id, version and title."""

    id: str
    version: str
    title_vi: str
    title_en: str


def read_yaml_model(path: Path, model: type[M], what: Text = ("tệp quy tắc", "rule file")) -> tuple[M, str]:
    """Read a YAML file into a pydantic model; errors name the file, line and key.

    ``what`` names the file in the messages, ``(vietnamese, english)``. Returns the model
    and the file text (for locating later cross-check errors).
    """
    what_vi, what_en = what
    if not path.exists():
        raise RuleError((f"không tìm thấy {what_vi}: {path}", f"{what_en} not found: {path}"), ("kiểm tra đường dẫn", "check the path"))
    try:
        check_input_file(path, what, MAX_RULE_FILE_BYTES)
    except InputError as error:
        raise RuleError((error.message_vi, error.message_en), error.hint_pair) from None
    try:
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        byte = f"0x{exc.object[exc.start]:02x}"
        raise RuleError(
            (f"{path} dòng {line}: {what_vi} không phải văn bản UTF-8 (byte {byte})", f"{path} line {line}: the {what_en} is not UTF-8 text (byte {byte})"),
            ("lưu lại tệp với mã UTF-8 (trong Notepad: Save as ▸ Encoding UTF-8)", "save it again as UTF-8 (in Notepad: Save as ▸ Encoding UTF-8)"),
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", exc)
        where_vi, where_en = (f" dòng {mark.line + 1}", f" line {mark.line + 1}") if mark else ("", "")
        raise RuleError((f"{path}{where_vi}: không phải YAML hợp lệ ({problem})", f"{path}{where_en}: not valid YAML ({problem})"),
                        ("sửa cú pháp ở dòng đó (thụt lề bằng dấu cách, dấu hai chấm sau mỗi khóa)",
                         "correct the syntax on that line (indent with spaces, a colon after each key)")) from None
    if not isinstance(data, dict):
        raise RuleError((f"{path}: {what_vi} phải là một bảng khóa: giá trị", f"{path}: a {what_en} must be a mapping of keys to values"))
    try:
        return model.model_validate(data), text
    except ValidationError as exc:
        first = exc.errors()[0]
        raise located_error(path, text, first["loc"], _pydantic_text(first), exc.error_count() - 1) from None


def located_error(path: Path, text: str, loc: tuple[Any, ...], message: Text, more: int = 0) -> RuleError:
    """A RuleError pointing at the YAML line of a pydantic-style location; ``message`` is ``(vietnamese, english)``."""
    line = _line_of(text, loc)
    at_vi, at_en = (f" dòng {line}", f" line {line}") if line else ("", "")
    extra_vi, extra_en = (f" (và {more} lỗi khác)", f" (and {more} more)") if more > 0 else ("", "")
    key = _dotted(loc)
    return RuleError((f"{path}{at_vi}: {key}: {message[0]}{extra_vi}", f"{path}{at_en}: {key}: {message[1]}{extra_en}"),
                     ("sửa dòng đó của tệp quy tắc rồi kiểm tra lại bằng `zoning rules`", "correct that line of the rule "
                         "file, then check it with `zoning rules`"))


def _pydantic_text(error: Mapping[str, Any]) -> Text:
    """A pydantic error in both languages: a validator's own two texts, else the Vietnamese of its type."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, RuleValueError):
        return cause.text
    context = {k: str(v).replace(" or ", " hoặc ") for k, v in (error.get("ctx") or {}).items()}
    template = PYDANTIC_VI.get(error["type"])
    try:
        vi = template.format(**context) if template else f"giá trị không hợp lệ ({error['msg']})"
    except KeyError:
        vi = f"giá trị không hợp lệ ({error['msg']})"
    return vi, error["msg"]


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
