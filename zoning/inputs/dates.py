"""The one reader of dates from the inputs (``decision_date`` and any other date attribute).

Accepted, and nothing else:

- ISO ``2001-03-05`` (also ``2001/03/05``, with or without a time after it);
- Vietnamese day-first ``05/03/2001``, ``5-3-2001``, ``05.03.2001`` = 5 March 2001, and
  ``ngày 5 tháng 3 năm 2001``. Month-first is never read: ``03/25/2001`` is refused, not
  turned into 25 March;
- an Excel serial day number (``37000`` as a number or as text, 1927–2173) and the date
  and datetime values spreadsheet and GIS readers give;
- a year alone (``2001``), read as 1 January of that year and flagged **approximate**:
  whoever orders by it must say so.

Anything else (an impossible ``31/02/2001``, a decision number typed in the date column,
a two-digit year) raises :class:`DateError`, a ``ValueError`` with the value shown and what
to write, in Vietnamese and English.

Examples
--------
>>> parse_date("05/03/2001")
ParsedDate(date=datetime.date(2001, 3, 5), approximate=False)
>>> parse_date(37000).date.isoformat(), parse_date("2001").approximate
('2001-04-19', True)
>>> parse_date("")  # empty: no date
>>> parse_date("31/02/2001")
Traceback (most recent call last):
...
zoning.inputs.dates.DateError: '31/02/2001': ngày không có thật (tháng 2 năm 2001 không có ngày 31) / '31/02/2001': no such day (February 2001 has no day 31)
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zoning.inputs.text import visible

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
SERIALS = (10_000, 100_000)  # day numbers read as Excel dates: 17 May 1927 to 2173
YEARS = (1800, 2200)  # a number in this range is a year, not a day number
WHAT_TO_WRITE = ("ghi ngày dạng ngày/tháng/năm (05/03/2001) hoặc năm-tháng-ngày (2001-03-05); chỉ biết năm thì ghi năm (2001); "
                 "số quyết định ghi vào cột khác",
                 "write the date day/month/year (05/03/2001) or year-month-day (2001-03-05); a year alone (2001) if only the year is "
                 "known; put a decision number in another column")
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][0-9:.]*(?:Z|[+-]\d{2}:?\d{2})?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: 0?0:00(?::00)?)?")
_WORDS = re.compile(r"(?i)ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})")
_YEAR = re.compile(r"\d{4}")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


@dataclass(frozen=True)
class ParsedDate:
    """A date read from an input; ``approximate`` when only the year was given (1 January taken)."""

    date: dt.date
    approximate: bool = False


class DateError(ValueError):
    """A value that is not a date this reader accepts.

    Attributes
    ----------
    vi, en
        What is wrong with the value, in Vietnamese and in English (the value shown with
        invisible characters as ``U+200B``).
    hint
        What to write instead, ``(vietnamese, english)``.
    """

    def __init__(self, value: object, vi: str, en: str) -> None:
        shown = visible(str(value))
        self.vi, self.en, self.hint = f"'{shown}': {vi}", f"'{shown}': {en}", WHAT_TO_WRITE
        super().__init__(f"{self.vi} / {self.en}")


def parse_date(value: object) -> ParsedDate | None:
    """Read one date, or None for an empty value (None, NaN, NaT, blank text).

    Raises
    ------
    DateError
        When the value is not a date written in one of the accepted ways.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else ParsedDate(stamp.date())
    if isinstance(value, dt.date):
        return ParsedDate(value)
    if isinstance(value, (bool, np.bool_)):
        raise DateError(value, "không phải là ngày", "is not a date")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(float(value), value)
    text = " ".join(str(value).split())
    if not text:
        return None
    return _text(text, value)


def _number(number: float, value: object) -> ParsedDate:
    if not math.isfinite(float(number)):
        raise DateError(value, "không phải là ngày", "is not a date")
    if float(number).is_integer() and YEARS[0] <= number <= YEARS[1]:
        return ParsedDate(dt.date(int(number), 1, 1), approximate=True)
    if SERIALS[0] <= number < SERIALS[1]:
        return ParsedDate(EXCEL_EPOCH + dt.timedelta(days=int(number)))
    raise DateError(value, f"số này không phải là năm ({YEARS[0]}–{YEARS[1]}) hay số ngày kiểu Excel ({SERIALS[0]}–{SERIALS[1] - 1})",
                    f"this number is neither a year ({YEARS[0]}–{YEARS[1]}) nor an Excel day number ({SERIALS[0]}–{SERIALS[1] - 1})")


def _text(text: str, value: object) -> ParsedDate:
    if _YEAR.fullmatch(text):
        return _number(int(text), value)
    if _SERIAL.fullmatch(text):
        return _number(float(text), value)
    match = _ISO.fullmatch(text)
    if match:
        return _day(int(match[1]), int(match[2]), int(match[3]), value)
    match = _DAY_FIRST.fullmatch(text) or _WORDS.fullmatch(text)
    if match:
        day, month, year = (int(match[1]), int(match[3]), int(match[4])) if match.re is _DAY_FIRST else map(int, match.groups())
        if month > 12 and day <= 12:
            raise DateError(value, f"tháng {month} không có; ngày được đọc theo thứ tự ngày/tháng/năm (nếu là ngày {month} tháng {day} thì "
                                   f"ghi {month:02d}/{day:02d}/{year})",
                            f"there is no month {month}; dates are read day/month/year, never month first (if you meant "
                            f"{month} {dt.date(year, day, 1):%B} {year}, write {month:02d}/{day:02d}/{year})")
        return _day(year, month, day, value)
    raise DateError(value, "không phải là ngày (số quyết định, năm hai chữ số hay chữ đều không đọc được thành ngày)",
                    "is not a date (a decision number, a two-digit year or words cannot be read as one)")


def _day(year: int, month: int, day: int, value: object) -> ParsedDate:
    try:
        return ParsedDate(dt.date(year, month, day))
    except ValueError:
        if 1 <= month <= 12:
            raise DateError(value, f"ngày không có thật (tháng {month} năm {year} không có ngày {day})",
                            f"no such day ({dt.date(year, month, 1):%B} {year} has no day {day})") from None
        raise DateError(value, f"tháng {month} không có", f"there is no month {month}") from None
