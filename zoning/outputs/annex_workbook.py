"""The annexes as a workbook: the tables of Phụ lục I–III, the boundary points of Phụ lục IV
and the notes, each sheet of a draft marked "DỰ THẢO".
"""

from __future__ import annotations

from zoning.outputs.annex_model import DRAFT_MARK, AnnexData, metres
from zoning.outputs.xlsx import Sheet, marked

__all__ = ["annex_sheets", "coordinate_sheet", "draft_lines"]


def draft_lines(reasons: list[str]) -> list[str]:
    """The draft mark and its reasons as lines of a workbook's notes (none for a final annex)."""
    return [DRAFT_MARK, *(f"- {reason}" for reason in reasons), ""] if reasons else []


def annex_sheets(data: AnnexData) -> list[Sheet]:
    """The annexes as workbook sheets: the tables of Phụ lục I–III, the coordinates, the notes."""
    sheets = [
        Sheet(
            table.sheet,
            table.rows,
            title=f"Bảng {number}. {table.caption} ({table.sheet}, {data.territory})",
            header=table.columns,
            bold_rows=[kind in ("group", "total") for kind in table.kinds],
            wrap=True,
            notes=table.notes,
            widths=[max(8, width_mm / 2) for width_mm in table.widths_mm],
            freeze="A3",
        )
        for number, table in enumerate([*data.zone_tables.values(), data.summary], start=1)
    ]
    if data.proposed_table is not None:
        table = data.proposed_table
        sheets.append(Sheet("Khu vực đề xuất", table.rows, title=table.caption, header=table.columns, bold_rows=[k == "total" for k in table.kinds],
                            wrap=True, notes=table.notes, widths=[max(8, width_mm / 2) for width_mm in table.widths_mm], freeze="A3"))
    sheets.append(coordinate_sheet(data))
    notes = (
        draft_lines(data.draft_reasons)
        + [f"(Kèm theo Quyết định {data.decision} của {data.committee})", ""]
        + data.notices
        + [""]
        + data.conventions
        + [""]
        + data.coordinate_conventions
    )
    sheets.append(Sheet("Ghi chú", [[line] for line in notes], number_columns=(), widths=(160,)))
    return marked(sheets, DRAFT_MARK if data.draft_reasons else "")


def coordinate_sheet(data: AnnexData) -> Sheet:
    """The listed boundary points of ``data``'s units as the workbook's ``Phụ lục IV – Tọa độ`` sheet."""
    points = data.coordinates.merge(data.units[["unit_id", "annex", "stt", "name"]], on="unit_id")
    columns = ["annex", "stt", "unit_id", "name", "part", "ring", "point", "northing", "easting"]
    rows = [
        [row.annex, int(row.stt), row.unit_id, row.name, int(row.part), int(row.ring), int(row.point), float(row.northing), float(row.easting)]
        for row in points[columns].itertuples(index=False)
    ]
    header = [
        "Phụ lục",
        "STT",
        "Mã khu vực",
        "Tên khu vực",
        "Phần",
        "Đường bao (0 = ngoài, k = trong thứ k)",
        "Điểm",
        "X (m) – hướng Bắc",
        "Y (m) – hướng Đông",
    ]
    return Sheet(
        "Phụ lục IV – Tọa độ",
        rows,
        header=header,
        number_columns=(),
        widths=(8, 6, 10, 50, 6, 14, 7, 16, 14),
        freeze="A3",
        title=f"Tọa độ các điểm ranh giới theo bản đồ tỷ lệ {data.scale_text}, dung sai {metres(data.policy.tolerance_m)}, "
        f"{data.crs_text}. X hướng Bắc, Y hướng Đông, đơn vị mét.",
    )
