"""One exception family whose messages a planner can act on, in Vietnamese and English.

Every error a user can cause (a wrong file, a bad attribute value, a broken rule file)
is a :class:`ZoningError`: the CLI prints its message and hint, Vietnamese first with
English beneath (English alone with ``--lang en``), and exits with code 2, never a
traceback; the web application answers ``{"error": {"vi": …, "en": …, "hint": {"vi": …, "en": …}}}``.

Each text is a pair written where the error is raised, so the two languages stay side
by side and cannot drift apart::

    raise InputError((f"{path}: không tìm thấy tệp", f"{path}: file not found"),
                     ("kiểm tra đường dẫn", "check the path"))
"""

from __future__ import annotations

from typing import Literal

Text = tuple[str, str]
"""A text in both languages: ``(vietnamese, english)``."""

Lang = Literal["vi", "en"]


def both(vi: str, en: str) -> str:
    """One line with both languages, ``vi / en`` (the text once when both are the same)."""
    return vi if vi == en else f"{vi} / {en}"


class ZoningError(Exception):
    """A problem with the user's input that they can fix.

    Parameters
    ----------
    message
        What is wrong, ``(vietnamese, english)``, naming the file, layer, feature or key
        verbatim. A single string is taken as already in both languages.
    hint
        What to do about it, ``(vietnamese, english)`` (optional).

    Attributes
    ----------
    message_vi, message_en, hint_vi, hint_en
        The texts by language (the hints None when there is no hint).
    message, hint
        Both languages in one line, ``vi / en``.

    Examples
    --------
    >>> error = InputError(("thiếu thuộc tính 'zone'", "missing attribute 'zone'"), ("thêm cột đó", "add that column"))
    >>> error.message
    "thiếu thuộc tính 'zone' / missing attribute 'zone'"
    >>> error.text("en")
    "missing attribute 'zone' → add that column"
    """

    def __init__(self, message: Text | str, hint: Text | str | None = None) -> None:
        self.message_vi, self.message_en = _pair(message)
        self.hint_vi: str | None
        self.hint_en: str | None
        self.hint_vi, self.hint_en = _pair(hint) if hint else (None, None)
        super().__init__(message, hint)

    @property
    def message(self) -> str:
        """The message in both languages, ``vi / en``."""
        return both(self.message_vi, self.message_en)

    @property
    def hint(self) -> str | None:
        """The hint in both languages, ``vi / en`` (None when there is none)."""
        pair = self.hint_pair
        return both(*pair) if pair else None

    @property
    def hint_pair(self) -> Text | None:
        """The hint as ``(vietnamese, english)`` (None when there is none)."""
        return (self.hint_vi, self.hint_en) if self.hint_vi and self.hint_en else None

    def text(self, lang: Lang) -> str:
        """The message, and the hint after an arrow, in one language."""
        message, hint = (self.message_vi, self.hint_vi) if lang == "vi" else (self.message_en, self.hint_en)
        return f"{message} → {hint}" if hint else message

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


def _pair(text: Text | str) -> Text:
    return (text, text) if isinstance(text, str) else (text[0], text[1])


class InputError(ZoningError):
    """An input layer or file cannot be used as it is."""


class RuleError(ZoningError):
    """A rule file is missing, malformed or inconsistent."""


class BuildError(ZoningError):
    """A build file is missing or not a zoning build."""
