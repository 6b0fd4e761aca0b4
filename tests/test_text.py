"""Text at the front door: format characters (Unicode Cf) removed, invisible characters shown in messages."""

from __future__ import annotations

import sys
import unicodedata

import pandas as pd

from zoning.inputs.text import FORMAT_CHARACTERS, clean_column, clean_text, invisible_codes, normalised_values, visible
from zoning.law.criteria import Criterion


def test_every_format_character_is_removed():
    every = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert all(FORMAT_CHARACTERS.fullmatch(c) for c in every)
    assert not [c for c in "Cao Bằng – Hà Nội ‘ơ’ “ư” đ Đ ₫ № ½" if FORMAT_CHARACTERS.fullmatch(c)]  # Vietnamese text is left alone


def test_format_characters_in_values():
    assert clean_text("core\u200b") == "core"
    assert clean_text("\ufeffKhu bảo\u200d tồn") == "Khu bảo tồn"
    assert clean_text("\u202eThị xã A") == "Thị xã A"
    assert clean_text(unicodedata.normalize("NFD", "Bằng\u00ad")) == "Bằng"
    column, mask = clean_column(pd.Series(["a", "b\u200b", None, 3], dtype=object))
    assert column.tolist()[:2] == ["a", "b"] and mask.tolist() == [False, True, False, False]
    assert invisible_codes(["b\u200b", "\u202ec\x0b"]) == ["U+000B", "U+200B", "U+202E"]


def test_invisible_characters_are_shown():
    assert visible("core\u200b") == "core[U+200B]"
    assert visible("co\u00a0re\t") == "co[U+00A0]re[U+0009]"
    assert visible("Cao Bằng") == "Cao Bằng"


def test_rule_filters_compare_the_text_the_front_door_leaves():
    criterion = Criterion(id="x", zone="strict", layer="nature_reserves", title_vi="t", title_en="t", citation_vi="c", citation_en="c",
                          status="unconfirmed", where={"name": [unicodedata.normalize("NFD", "Khu bảo tồn\u200b D")]})
    assert criterion.where["name"] == ["Khu bảo tồn D"]
    assert normalised_values([unicodedata.normalize("NFD", "Bằng\u200d"), 3]) == ["Bằng", 3]
