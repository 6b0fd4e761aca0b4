"""Every message a planner can see is Vietnamese first with English beside.

A static scan of the source: each error raised in ``zoning/`` (``InputError``,
``RuleError``, ``BuildError``, ``ZoningError``, a rule file's ``located_error``, a
validator's ``RuleValueError`` and the web's ``RequestError``) gives its message and hint
as ``(vietnamese, english)``, the Vietnamese with Vietnamese letters and the English
without Vietnamese words; then errors made at run time, the error type itself, and the
command line printing one. The battery of ``test_hostile.py`` checks the messages of
~100 bad inputs as they are printed; ``test_web.py`` the web's JSON errors.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zoning import cli
from zoning.errors import InputError, RuleError, ZoningError, both

SOURCE = Path(__file__).resolve().parent.parent / "zoning"
ERRORS = {"InputError", "RuleError", "BuildError", "ZoningError"}
VIETNAMESE = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE)
LETTERS = re.compile(r"[^\W\d_]{2,}")


def has_vietnamese(text: str) -> bool:
    """Whether a text has a letter only Vietnamese writes (every sentence of ours has one)."""
    return bool(VIETNAMESE.search(text))


def vietnamese_words(text: str) -> list[str]:
    """The words of a text written in Vietnamese, leaving out names (capitalised: Cao Bằng, Việt Nam, TT-TCĐC)."""
    return [w for w in re.findall(r"[^\W\d_][\w-]*", text) if not w[0].isupper() and has_vietnamese(w)]


# ------------------------------------------------------------------------ the static scan


def _texts(node: ast.AST) -> list[str]:
    """The literal text of an expression: its string constants and the fixed parts of its f-strings."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _problem(node: ast.AST | None, assigned: dict[str, list[ast.AST]]) -> str | None:
    """Why a message or hint argument is not ``(vietnamese, english)``; None when it is (or is computed)."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if isinstance(node, ast.IfExp):
        return _problem(node.body, assigned) or _problem(node.orelse, assigned)
    if isinstance(node, ast.BoolOp):  # ``error.hint_en and (error.hint_vi, error.hint_en)``
        return next(filter(None, (_problem(v, assigned) for v in node.values)), None)
    if isinstance(node, ast.Name):
        return next(filter(None, (_problem(v, assigned) for v in assigned.get(node.id, []))), None)
    if isinstance(node, (ast.Constant, ast.JoinedStr)) or (isinstance(node, ast.BinOp) and _texts(node)):
        return "one string, not (vietnamese, english)"
    if isinstance(node, ast.Tuple):
        if len(node.elts) != 2:
            return f"a tuple of {len(node.elts)}, not (vietnamese, english)"
        vi, en = ("".join(_texts(e)) for e in node.elts)
        if LETTERS.search(vi) and not has_vietnamese(vi):
            return f"no Vietnamese in {vi[:60]!r}"
        if LETTERS.search(vi) and vi == en:
            return "the same text twice"
        if vietnamese_words(en):
            return f"Vietnamese words {vietnamese_words(en)} in the English text {en[:60]!r}"
    return None  # computed (an attribute, a call): checked where it is made


def _assignments(scope: ast.AST) -> dict[str, list[ast.AST]]:
    out: dict[str, list[ast.AST]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) and len(target.elts) == len(node.value.elts):
                    for name, value in zip(target.elts, node.value.elts):
                        if isinstance(name, ast.Name):
                            out.setdefault(name.id, []).append(value)
    return out


def _message_arguments(call: ast.Call) -> list[tuple[str, ast.AST | None]]:
    """The arguments of a call that are texts for the user, by what they are."""
    name = call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else ""
    keywords = {k.arg: k.value for k in call.keywords}
    if name in ERRORS:
        args = [*call.args, None, None]
        return [("message", keywords.get("message", args[0])), ("hint", keywords.get("hint", args[1]))]
    if name == "located_error":
        return [("message", keywords.get("message", call.args[3] if len(call.args) > 3 else None))]
    if name == "RuleValueError":
        return [("message", ast.Tuple(elts=call.args[:2]))]
    if name == "RequestError" and len(call.args) >= 3:  # the web's (status, vietnamese, english)
        return [("message", ast.Tuple(elts=call.args[1:3]))]
    return []


def error_sites() -> list[tuple[str, int, str, str | None]]:
    """Every error raised in ``zoning/`` with what is wrong with its texts: (file, line, argument, problem)."""
    sites = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scope_of: dict[int, ast.AST] = {}  # each call → its innermost function (ast.walk goes outer to inner)
        for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]:
            scope_of.update({id(n): scope for n in ast.walk(scope) if isinstance(n, ast.Call)})
        assigned = {id(scope): _assignments(scope) for scope in set(scope_of.values())}
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            for what, node in _message_arguments(call):
                sites.append((path.relative_to(SOURCE).as_posix(), call.lineno, what, _problem(node, assigned[id(scope_of[id(call)])])))
    return sorted(set(sites))


def test_every_error_raised_in_the_code_is_vietnamese_and_english():
    sites = error_sites()
    assert len({(f, line) for f, line, _, _ in sites}) >= 150  # the scan sees the raise sites
    wrong = [f"{f}:{line} {what}: {problem}" for f, line, what, problem in sites if problem]
    assert not wrong, "\n".join(wrong)


def test_the_scan_sees_a_one_language_message(tmp_path):
    """The scan's own judgement on the forms a raise site takes."""
    tree = ast.parse(
        'raise InputError("file not found", "check the path")\n'
        'raise InputError(("không tìm thấy tệp", "không tìm thấy tệp"))\n'
        'raise InputError(("file not found", "file not found: use another"))\n'
        'raise InputError(("không tìm thấy tệp", "tệp not found"))\n'
        'raise InputError((f"{path}: không tìm thấy tệp", f"{path}: file not found in Việt Nam"), ("kiểm tra", "check"))\n'
    )
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    problems = [[_problem(node, {}) for _, node in _message_arguments(call)] for call in sorted(calls, key=lambda c: c.lineno)]
    assert problems == [
        ["one string, not (vietnamese, english)", "one string, not (vietnamese, english)"],
        ["the same text twice", None],
        ["no Vietnamese in 'file not found'", None],
        ["Vietnamese words ['tệp'] in the English text 'tệp not found'", None],
        [None, None],  # names (capitalised) are the same in both languages
    ]


# ------------------------------------------------------------------ errors as they are raised


def _raised(action) -> ZoningError:
    with pytest.raises(ZoningError) as caught:
        action()
    return caught.value


def test_errors_made_at_run_time_are_in_each_language(tmp_path):
    """Messages partly computed (a pydantic error, an errno, a file's own name) keep each language to itself."""
    from zoning.files import check_input_file, environment_error
    from zoning.inputs.sites import parse_crs
    from zoning.law.rulefile import RuleFileHeader, read_yaml_model

    missing = tmp_path / "missing-title.yaml"
    missing.write_text("id: x\nversion: '1'\ntitle_vi: Quy tắc\n", encoding="utf-8")
    unknown = tmp_path / "unknown-key.yaml"
    unknown.write_text("id: x\nversion: '1'\ntitle_vi: a\ntitle_en: b\ncolour: red\n", encoding="utf-8")
    errors = {
        "crs": _raised(lambda: parse_crs("not a crs")),
        "meridian": _raised(lambda: parse_crs("tm3:120")),
        "missing key": _raised(lambda: read_yaml_model(missing, RuleFileHeader)),
        "unknown key": _raised(lambda: read_yaml_model(unknown, RuleFileHeader)),
        "folder": _raised(lambda: check_input_file(tmp_path, ("tệp địa điểm", "sites file"))),
        "errno": environment_error(PermissionError(13, "Permission denied", str(tmp_path / "out.gpkg"))),
    }
    for what, error in errors.items():
        assert has_vietnamese(error.message_vi) and not vietnamese_words(error.message_en), (what, error.message_vi, error.message_en)
        assert error.hint_vi is None or (has_vietnamese(error.hint_vi) and not vietnamese_words(error.hint_en)), (what, error.hint)
    assert errors["missing key"].message_vi == f"{missing}: title_en: thiếu khóa bắt buộc"  # a missing key has no line
    assert errors["missing key"].message_en == f"{missing}: title_en: Field required"
    assert errors["unknown key"].message_en.startswith(f"{unknown} line 5: colour: ")
    assert errors["errno"].message_vi == f"{tmp_path / 'out.gpkg'}: không có quyền truy cập (mã lỗi 13: Permission denied)"


def test_one_error_in_each_language_and_both():
    error = InputError(("thiếu thuộc tính 'zone'", "missing attribute 'zone'"), ("thêm cột 'zone'", "add the column 'zone'"))
    assert (error.message_vi, error.message_en, error.hint_vi, error.hint_en) == ("thiếu thuộc tính 'zone'", "missing attribute 'zone'",
                                                                                  "thêm cột 'zone'", "add the column 'zone'")
    assert error.message == "thiếu thuộc tính 'zone' / missing attribute 'zone'"
    assert error.text("vi") == "thiếu thuộc tính 'zone' → thêm cột 'zone'" and error.text("en") == "missing attribute 'zone' → add the column 'zone'"
    assert str(error) == "thiếu thuộc tính 'zone' / missing attribute 'zone'\n  → thêm cột 'zone' / add the column 'zone'"
    plain = RuleError("rules.yaml: id")  # a text that is the same in both languages (a name, a path)
    assert (plain.message_vi, plain.message_en, plain.hint, plain.text("en")) == ("rules.yaml: id", "rules.yaml: id", None, "rules.yaml: id")
    assert both("tệp", "file") == "tệp / file" and both("EPSG:9210", "EPSG:9210") == "EPSG:9210"


def test_the_command_line_says_vietnamese_then_english_or_english_alone(tmp_path):
    missing = tmp_path / "no-build.gpkg"
    args = ["check", "--point", "106.2,22.6", "-z", str(missing)]
    try:
        both_languages = CliRunner().invoke(cli.app, args)
        english = CliRunner().invoke(cli.app, ["--lang", "en", *args])
    finally:
        cli.LANG["console"] = "vi"
    assert both_languages.exit_code == english.exit_code == 2
    lines = [line.strip() for line in both_languages.stderr.splitlines() if line.strip()]  # older rich starts with a blank line
    assert lines == [
        f"Lỗi / Error: không tìm thấy tệp phân vùng: {missing}",
        f"build file not found: {missing}",
        "→ Cách sửa / What to do: tạo tệp bằng `zoning build` hoặc `zoning demo`",
        "make one with `zoning build` or `zoning demo`",
    ]
    assert [line.strip() for line in english.stderr.splitlines() if line.strip()] == [
        f"Error: build file not found: {missing}",
        "→ What to do: make one with `zoning build` or `zoning demo`",
    ]
