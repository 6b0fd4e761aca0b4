r"""Text from outside, made safe once at the front door: composed Unicode (NFC) and no control characters.

Vietnamese text comes composed (NFC: "ằ" one code point) or decomposed (NFD: "a" + two
combining marks) depending on the program that typed it; both look the same and must
compare equal, so every text is composed. Control characters (NUL, and the vertical tab
``\x0b`` that text pasted from Excel or Word often carries) are invisible, break the XML
of Word and Excel files and are removed; a vertical tab or form feed becomes a space.

Examples
--------
>>> clean_text("Khu\x0bA\x00")
'Khu A'
>>> import unicodedata
>>> nfc(unicodedata.normalize("NFD", "Cao Bằng")) == "Cao Bằng"
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


def nfc(value: object) -> object:
    """A text in composed Unicode (NFC); anything else as it is."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) and not value.isascii() else value


def nfc_values(values: Iterable[object]) -> list[object]:
    """The values in composed Unicode (for attribute filters of the rules)."""
    return [nfc(v) for v in values]


def clean_text(value: object) -> object:
    """A text composed (NFC) and without control characters; anything else as it is."""
    if not isinstance(value, str):
        return value
    return nfc(CONTROL_CHARACTERS.sub("", LINE_LIKE.sub(" ", value)))


def has_control(value: object) -> bool:
    """Whether a text holds control characters (see :data:`CONTROL_CHARACTERS`)."""
    return isinstance(value, str) and CONTROL_CHARACTERS.search(value) is not None


def clean_column(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A text column cleaned (:func:`clean_text`), and which of its values held control characters."""
    values = column.to_numpy(object)
    texts = np.fromiter((isinstance(v, str) for v in values), bool, len(values))
    controlled = np.zeros(len(values), bool)
    joined = "\n".join(values[texts])  # one pass in C for the usual case: plain ASCII, nothing to do
    if joined.isascii() and CONTROL_CHARACTERS.search(joined) is None:
        return column, controlled
    controlled[texts] = [CONTROL_CHARACTERS.search(v) is not None for v in values[texts]]
    cleaned = values.copy()
    cleaned[texts] = [clean_text(v) for v in values[texts]]
    return pd.Series(cleaned, index=column.index, name=column.name, dtype=object), controlled


def clean_option(value: str | None, option: str, notes: list[str]) -> str | None:
    """A text option (e.g. ``--decision``) cleaned; a note says so when control characters were removed."""
    if value is None:
        return None
    if has_control(value):
        notes.append(f"{option}: đã bỏ ký tự điều khiển / control characters removed")
    return clean_text(value)  # type: ignore[return-value]
