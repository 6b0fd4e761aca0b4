"""Words and numbers of every output (terms.yaml) and the texts of the findings (messages.yaml)."""

from __future__ import annotations

import string

import pytest

from zoning import terms


def test_numbers_in_each_language():
    assert terms.number(1234567.891) == "1.234.567,89" and terms.number(1234567.891, lang="en") == "1,234,567.89"
    assert terms.numbers([0.04, 999.96, float("nan")], 1, "vi") == ["0,0", "1.000,0", ""]
    assert terms.quantity(12.5, "share_pct") == "12,50 %" and terms.quantity(1500, "distance_m", "en") == "1,500.0 m"
    assert terms.number(None) == "" and terms.number(float("nan")) == ""


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


@pytest.mark.parametrize("code", sorted(terms.messages()))
def test_every_message_has_both_languages_with_the_same_placeholders(code):
    entry = terms.messages()[code]
    stems = {key.rsplit("_", 1)[0] for key in entry}
    for stem in stems:
        if stem == "note":  # the notes of the rule files are in English only
            continue
        vi, en = entry[f"{stem}_vi"], entry[f"{stem}_en"]
        # the English texts may add the (English) note of a rule, and the English of a missing safety distance keeps its
        # facility:receptor key, which the results' missing_values column carries for programs (the Vietnamese names no code)
        extra = {"note", "facility", "receptor"} if code == "safety_distance" else {"note"}
        assert placeholders(vi) <= placeholders(en) and placeholders(en) - placeholders(vi) <= extra, (code, stem)


def test_message_fills_placeholders():
    assert terms.message("no_data", "detail_vi", layers="relic_zones") == "thiếu: relic_zones"
    assert terms.message_pair("capacity_needed", "detail", unit="t/day") == ("nhập 'capacity' theo t/day", "give 'capacity' in t/day")
    assert terms.message_pair("partly_outside_province", "detail", share=("40,70 %", "40.70 %"))[1].startswith("40.70 % of the site")
    with pytest.raises(KeyError, match="no 'title_vi' for 'no_such_code'"):
        terms.template("no_such_code", "title_vi")
