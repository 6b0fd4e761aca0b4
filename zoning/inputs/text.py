r"""Text from outside, made safe once at the front door: composed Unicode (NFC), no control and no format characters.

Vietnamese text comes composed (NFC: "ằ" one code point) or decomposed (NFD: "a" + two
combining marks) depending on the program that typed it; both look the same and must
compare equal, so every text is composed. Control characters (NUL, and the vertical tab
``\x0b`` that text pasted from Excel or Word often carries) are invisible, break the XML
of Word and Excel files and are removed; a vertical tab or form feed becomes a space.
Format characters (Unicode category Cf: the zero-width space U+200B and joiner U+200D,
the right-to-left override U+202E that shows text reversed, the byte-order mark U+FEFF,
the soft hyphen U+00AD) are invisible too and make equal-looking names differ: removed.
:func:`visible` shows any invisible character in a message as ``[U+200B]``.

Examples
--------
>>> clean_text("Khu\x0bA\x00"), clean_text("core\u200b")
('Khu A', 'core')
>>> visible("core\u200b")
'core[U+200B]'
>>> import unicodedata
>>> nfc(unicodedata.normalize("NFD", "Vùng đệm")) == "Vùng đệm"
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

# Characters XML 1.0 does not allow (and DEL): removed; vertical tab and form feed become a space.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
LINE_LIKE = re.compile("[\x0b\x0c]")
# Unicode category Cf (format characters), as of Unicode 15
FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]"
)
REMOVED = re.compile(f"{CONTROL_CHARACTERS.pattern}|{FORMAT_CHARACTERS.pattern}")
# shown as [U+XXXX] in messages: what is removed, and the spaces that look like a space but are not one
INVISIBLE = re.compile(f"{REMOVED.pattern}|[\t\n\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def nfc(value: object) -> object:
    """A text in composed Unicode (NFC); anything else as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) and not value.isascii() else value


def nfc_values(values: Iterable[object]) -> list[object]:
    """The values in composed Unicode (for attribute filters of the rules)."""
    return [nfc(v) for v in values]


def clean_text(value: object) -> object:
    """A text composed (NFC) and without control or format characters; anything else as it is."""
    if not isinstance(value, str):
        return value
    return nfc(REMOVED.sub("", LINE_LIKE.sub(" ", value)))


def normalised_values(values: Iterable[object]) -> list[object]:
    """Values as the front door leaves them (:func:`clean_text`): what rule filters compare with the data."""
    return [clean_text(v) for v in values]


def has_control(value: object) -> bool:
    """Whether a text holds control or format characters (see :data:`REMOVED`)."""
    return isinstance(value, str) and REMOVED.search(value) is not None


def visible(text: str) -> str:
    """The text with every invisible character shown as ``[U+XXXX]`` (for messages)."""
    return INVISIBLE.sub(lambda m: f"[U+{ord(m[0]):04X}]", text)


def invisible_codes(values: Iterable[object]) -> list[str]:
    """The distinct characters :func:`clean_text` removes from ``values``, as ``U+XXXX``, sorted."""
    found = {c for v in values if isinstance(v, str) for c in REMOVED.findall(v)}
    return [f"U+{ord(c):04X}" for c in sorted(found)]


def has_format_codes(codes: list[str]) -> bool:
    """Whether some of ``codes`` (from :func:`invisible_codes`) are format characters, not control characters."""
    return any(FORMAT_CHARACTERS.fullmatch(chr(int(code[2:], 16))) for code in codes)


def clean_column(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A text column cleaned (:func:`clean_text`), and which of its values held control or format characters."""
    values = column.to_numpy(object)
    texts = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
    controlled = np.zeros(len(values), bool)
    joined = "\n".join(values[texts])  # one pass in C for the usual case: plain ASCII, nothing to do
    if joined.isascii() and CONTROL_CHARACTERS.search(joined) is None:
        return column, controlled
    controlled[texts] = [REMOVED.search(v) is not None for v in values[texts]]
    cleaned = values.copy()
    cleaned[texts] = [clean_text(v) for v in values[texts]]
    return pd.Series(cleaned, index=column.index, name=column.name, dtype=object), controlled


def clean_option(value: str | None, option: str, notes: list[str]) -> str | None:
    """A text option (e.g. ``--decision``) cleaned; a note says so when control characters were removed."""
    if value is None:
        return None
    if has_control(value):
        codes = invisible_codes([value])
        listed = ", ".join(codes)
        if has_format_codes(codes):
            notes.append(f"{option}: đã bỏ ký tự vô hình ({listed}) / invisible characters removed ({listed})")
        else:
            notes.append(f"{option}: đã bỏ ký tự điều khiển ({listed}) / control characters removed ({listed})")
    return clean_text(value)  # type: ignore[return-value]
