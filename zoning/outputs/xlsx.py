"""Excel workbooks: every spreadsheet the package writes goes through :func:`write_workbook`.

A workbook is a list of :class:`Sheet`: a bold title line, a bold header, the rows (some
in bold), notes below; numbers with thousands grouped and two decimals (Excel shows them
in the reader's own convention); the title and header kept in view when scrolling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

NUMBER_FORMAT = "#,##0.00"


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


def write_workbook(path: str | Path, sheets: Sequence[Sheet]) -> None:
    """Write the sheets as one workbook (not atomic: pass a temporary path, see :func:`zoning.files.atomic_path`)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        _fill(workbook.create_sheet(spec.name), spec)
    workbook.save(path)


def _fill(sheet, spec: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    if spec.title is not None:
        sheet.append([spec.title])
        sheet.cell(sheet.max_row, 1).font = bold
    if spec.header is not None:
        sheet.append(list(spec.header))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            if spec.wrap:
                cell.alignment = wrap
    first = sheet.max_row + 1
    by_cell = spec.wrap or spec.number_columns is None or any(spec.bold_rows)
    numbered = set(spec.number_columns or ())
    for index, cells in enumerate(spec.rows):
        sheet.append(list(cells))
        if not by_cell:
            continue
        in_bold = bool(spec.bold_rows) and spec.bold_rows[index]
        for column, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(cell.value, float) if spec.number_columns is None else column in numbered:
                cell.number_format = NUMBER_FORMAT
            elif spec.wrap:
                cell.alignment = wrap
            if in_bold:
                cell.font = bold
    if not by_cell and spec.rows:
        for column in spec.number_columns:
            for (cell,) in sheet.iter_rows(min_row=first, max_row=sheet.max_row, min_col=column + 1, max_col=column + 1):
                cell.number_format = NUMBER_FORMAT
    for line in spec.notes:
        sheet.append([line])
    for column, width in enumerate(spec.widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    if spec.freeze is not None:
        sheet.freeze_panes = spec.freeze
