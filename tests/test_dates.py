"""The one date reader of the inputs: what it reads, what it refuses and how it says so."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from zoning.inputs.dates import DateError, ParsedDate, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2001-03-05", ParsedDate(D(2001, 3, 5))),
        ("2001/3/5", ParsedDate(D(2001, 3, 5))),
        ("2001-03-05T00:00:00Z", ParsedDate(D(2001, 3, 5))),
        ("05/03/2001", ParsedDate(D(2001, 3, 5))),  # day first: 5 March, never 3 May
        ("5-3-2001", ParsedDate(D(2001, 3, 5))),
        ("05.03.2001", ParsedDate(D(2001, 3, 5))),
        ("  05/03/2001 ", ParsedDate(D(2001, 3, 5))),
        ("13/12/2001", ParsedDate(D(2001, 12, 13))),
        ("29/02/2000", ParsedDate(D(2000, 2, 29))),
        ("ngày 5 tháng 3 năm 2001", ParsedDate(D(2001, 3, 5))),
        (37000, ParsedDate(D(2001, 4, 19))),  # Excel's day number
        (37000.0, ParsedDate(D(2001, 4, 19))),
        ("37000", ParsedDate(D(2001, 4, 19))),
        (np.int64(36526), ParsedDate(D(2000, 1, 1))),
        (pd.Timestamp("2001-03-05 14:00"), ParsedDate(D(2001, 3, 5))),
        (dt.datetime(2001, 3, 5, 9, 30), ParsedDate(D(2001, 3, 5))),
        (D(2001, 3, 5), ParsedDate(D(2001, 3, 5))),
        (np.datetime64("2001-03-05"), ParsedDate(D(2001, 3, 5))),
        ("2001", ParsedDate(D(2001, 1, 1), approximate=True)),
        (2001, ParsedDate(D(2001, 1, 1), approximate=True)),
        (2001.0, ParsedDate(D(2001, 1, 1), approximate=True)),
        (None, None),
        (math.nan, None),
        (pd.NaT, None),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_read(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("31/02/2001", ("'31/02/2001'", "February 2001 has no day 31", "tháng 2 năm 2001 không có ngày 31")),
        ("29/02/2001", ("February 2001 has no day 29",)),
        ("2001-13-01", ("there is no month 13",)),
        ("03/25/2001", ("never month first", "if you meant 25 March 2001, write 25/03/2001", "ghi 25/03/2001")),
        ("12/QĐ-UBND", ("'12/QĐ-UBND'", "is not a date", "không phải là ngày")),
        ("5/3/01", ("two-digit year",)),
        ("March 5, 2001", ("is not a date",)),
        ("03/2001", ("is not a date",)),
        (123, ("neither a year",)),
        (1e9, ("neither a year",)),
        (math.inf, ("is not a date",)),
        (True, ("is not a date",)),
        ("2001\u200b", ("'2001[U+200B]'",)),  # an invisible character is shown
    ],
)
def test_dates_refused_with_value_and_what_to_write(value, words):
    with pytest.raises(DateError) as error:
        parse_date(value)
    assert isinstance(error.value, ValueError)
    text = f"{error.value.vi} {error.value.en}"
    for word in words:
        assert word in text, text
    assert "05/03/2001" in error.value.hint[0] and "2001-03-05" in error.value.hint[1]
