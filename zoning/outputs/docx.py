"""Word documents in the Vietnamese administrative style, and the decision annexes in it.

:class:`OfficialDocument` lays out a document as Decree 30/2020/NĐ-CP asks of an
administrative text (Times New Roman 13 pt, A4 with 20/20/30/15 mm margins, page numbers
centred in the top margin from the second page, appendix headings, numbered tables and
figures). Tables are written as WordprocessingML in one piece, not cell by cell through
python-docx, so the thousands of rows of a coordinate table take a fraction of the time.

:func:`write_docx` assembles the annexes of the zoning decision from
:class:`zoning.outputs.annex.AnnexData`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pandas as pd

from zoning import terms
from zoning.inputs.text import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from zoning.outputs.annex import AnnexData, AnnexTable

FONT = "Times New Roman"  # LibreOffice renders it with the metric-compatible Liberation Serif
FONT_PT = 13
ZONE_TITLES = {
    "strict": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG BẢO VỆ NGHIÊM NGẶT",
    "emission_limited": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG HẠN CHẾ PHÁT THẢI",
}
SUMMARY_TITLE = "TỔNG HỢP DIỆN TÍCH CÁC VÙNG THEO XÃ, PHƯỜNG VÀ SƠ ĐỒ VỊ TRÍ CÁC VÙNG"
COORDINATES_TITLE = "TỌA ĐỘ CÁC ĐIỂM RANH GIỚI VÙNG BẢO VỆ NGHIÊM NGẶT VÀ VÙNG HẠN CHẾ PHÁT THẢI"
AREA_UNIT_LINE = "Đơn vị diện tích: ha"
COORDINATE_WIDTHS_MM = [13, 31, 27, 13, 31, 27]  # point, X, Y, twice per row

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TWIPS_PER_MM = 1440 / 25.4
_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'


# -------------------------------------------------------------------- WordprocessingML


def _dxa(mm: float) -> int:
    return int(round(mm * _TWIPS_PER_MM))


def _cell_text(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return terms.number(value)
    return _xml_text(str(value))


def _xml_text(text: str) -> str:
    """Text without the characters XML forbids (NUL, vertical tab, …): Word could not open it."""
    return CONTROL_CHARACTERS.sub("", text)


def _paragraph_xml(text: str, bold: bool, italic: bool, align: str) -> str:
    run_props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    run = f'<w:r><w:rPr>{run_props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{run}</w:p>'


def _cell_xml(value, width: int, *, bold=False, italic=False, align="left", span=1) -> str:
    text = _cell_text(value)
    paragraphs = "".join(_paragraph_xml(line, bold, italic, align) for line in text.split("\n"))
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="center"/></w:tcPr>{paragraphs}</w:tc>'


def _table_xml(widths_mm: Sequence[float], rows_xml: list[str]) -> str:
    widths = [_dxa(w) for w in widths_mm]
    borders = "".join(_BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows_xml)}</w:tbl>'
    )


def _row_xml(cells: list[str], header: bool = False) -> str:
    properties = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
    return f"<w:tr><w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"


def _header_row(columns: Sequence[str], widths: list[int]) -> str:
    """A header row, repeated at the top of each page the table runs on."""
    return _row_xml([_cell_xml(c, w, bold=True, align="center") for c, w in zip(columns, widths)], header=True)


# ------------------------------------------------------------------------ the document


class OfficialDocument:
    """A python-docx document in Vietnamese administrative style (ND 30/2020/NĐ-CP).

    The first section is A4 landscape; tables and figures are numbered in order.
    """

    def __init__(self) -> None:
        import docx
        from docx.oxml.ns import qn

        self.qn = qn
        self.doc = docx.Document()
        self.tables = 0
        self.figures = 0
        self._style()
        self._page(self.doc.sections[0], landscape=True)

    def _style(self) -> None:
        from docx.oxml import parse_xml

        styles = self.doc.styles.element
        defaults = styles.find(self.qn("w:docDefaults"))
        if defaults is not None:
            styles.remove(defaults)
        styles.insert(0, parse_xml(
            f'<w:docDefaults {_W}><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" '
            f'w:cs="{FONT}"/><w:sz w:val="{2 * FONT_PT}"/><w:szCs w:val="{2 * FONT_PT}"/><w:lang w:val="vi-VN" '
            'w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>'
        ))
        for name in ("Normal", "Caption", "Header", "Footer"):
            try:
                style = self.doc.styles[name]
            except KeyError:
                continue
            style.font.name = FONT
            style.font.size = None
            fonts = style.element.rPr.rFonts
            for attribute in ("w:eastAsia", "w:cs"):
                fonts.set(self.qn(attribute), FONT)

    def _page(self, section, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = section.footer_distance = Mm(10)

    def page_numbers(self) -> None:
        """Page numbers centred in the top margin, none on the first page (ND 30/2020, Appendix I)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import parse_xml

        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = (
            f'<w:r {_W}><w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r {_W}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
            f'<w:r {_W}><w:fldChar w:fldCharType="separate"/></w:r>',
            f'<w:r {_W}><w:t>2</w:t></w:r>',
            f'<w:r {_W}><w:fldChar w:fldCharType="end"/></w:r>',
        )
        for run in field:
            paragraph._p.append(parse_xml(run))

    def paragraph(self, text: str = "", *, bold=False, italic=False, align="justify", before: float = 0, after: float = 0,
                  keep_next=False, page_break=False, indent_first: float = 0):
        """Add a paragraph of one run (spacing in points, first-line indent in mm); returns it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        paragraph = self.doc.add_paragraph()
        paragraph.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                               "right": WD_ALIGN_PARAGRAPH.RIGHT, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
        fmt = paragraph.paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.keep_with_next = keep_next
        fmt.page_break_before = page_break
        if indent_first:
            fmt.first_line_indent = Mm(indent_first)
        if text:
            run = paragraph.add_run(_xml_text(text))
            run.bold, run.italic = bold, italic
        return paragraph

    def notice(self, text: str) -> None:
        """A "Lưu ý" paragraph: an honesty notice the reader must not miss."""
        paragraph = self.paragraph("Lưu ý: ", bold=True, after=3)
        paragraph.add_run(_xml_text(text)).italic = True

    def appendix_header(self, number: str, title: str, attached_to: str, first: bool) -> None:
        """The heading of an appendix: ``PHỤ LỤC <number>``, its title, the text it is attached to, a rule.

        Every appendix but the first starts on a new page.
        """
        self.paragraph(f"PHỤ LỤC {number}", bold=True, align="center", keep_next=True, page_break=not first)
        self.paragraph(title, bold=True, align="center", keep_next=True)
        self.paragraph(f"({attached_to})", italic=True, align="center", keep_next=True)
        self.paragraph("________", align="center", after=6, keep_next=True)

    def bullets(self, lines: Sequence[str]) -> None:
        """Lines in italics, each as ``- line`` with an indented first line."""
        for line in lines:
            self.paragraph(f"- {line}", italic=True, indent_first=5)

    def caption(self, text: str, note: str = "") -> int:
        """``Bảng n. text`` above a table (and a note in italics); returns n."""
        self.tables += 1
        self.paragraph(f"Bảng {self.tables}. {text}", bold=True, align="center", before=6, keep_next=True)
        if note:
            self.paragraph(note, italic=True, align="center", keep_next=True)
        return self.tables

    def table(self, caption: str, columns: Sequence[str], widths_mm: Sequence[float], rows: Sequence[Sequence],
              bold_rows: Sequence[bool], *, unit_line: str = "", notes: Sequence[str] = ()) -> None:
        """A numbered table: caption (and unit) above, header repeated on each page, notes below.

        Numbers are printed in the Vietnamese format and aligned right; the first column is centred.
        """
        self.caption(caption)
        if unit_line:
            self.paragraph(unit_line, italic=True, align="right", keep_next=True)
        widths = [_dxa(w) for w in widths_mm]
        xml = [_header_row(columns, widths)]
        for cells, bold in zip(rows, bold_rows):
            xml.append(_row_xml([
                _cell_xml(value, width, bold=bold, align="right" if isinstance(value, float) else ("center" if i == 0 else "left"))
                for i, (value, width) in enumerate(zip(cells, widths))
            ]))
        self.insert_table(widths_mm, xml)
        if notes:
            self.paragraph("Ghi chú:", italic=True, bold=True, before=3)
            self.bullets(notes)

    def insert_table(self, widths_mm: Sequence[float], rows_xml: list[str]) -> None:
        """Append a bordered, centred, fixed-layout table made of rows of WordprocessingML."""
        from docx.oxml import parse_xml

        self.doc.element.body._insert_tbl(parse_xml(_table_xml(widths_mm, rows_xml)))

    def figure(self, png: bytes, width_mm: float, caption: str) -> None:
        """A centred picture and ``Hình n. caption`` below it."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        paragraph = self.paragraph(align="center", before=6, keep_next=True)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.figures += 1
        self.paragraph(f"Hình {self.figures}. {caption}", bold=True, align="center", before=3)

    def new_section(self, landscape: bool) -> None:
        """Start a new section on a new page, A4 landscape or portrait."""
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        self._page(section, landscape)

    def properties(self, title: str, subject: str, keywords: str) -> None:
        """Set the document's title, subject and keywords (language Vietnamese)."""
        core = self.doc.core_properties
        core.title, core.subject, core.keywords, core.author = _xml_text(title), _xml_text(subject), _xml_text(keywords), "zoning"
        core.language = "vi-VN"

    def save(self, path: str | Path) -> None:
        """Save the document to ``path``."""
        self.doc.save(str(path))


# ----------------------------------------------------------------- the decision annexes


def write_docx(data: AnnexData, path: Path, map_png: bytes | None) -> None:
    """Assemble the annexes as a Word document at ``path`` (not atomic: pass a temporary path)."""
    doc = OfficialDocument()
    doc.page_numbers()
    for index, (zone, table) in enumerate(data.zone_tables.items()):
        _annex_header(doc, data, table.annex, ZONE_TITLES[zone], first=index == 0)
        for notice in data.notices if index == 0 else data.notices[:2]:
            doc.notice(notice)
        _annex_table(doc, table)
        if index == 0:
            doc.paragraph("Quy ước chung cho các phụ lục:", italic=True, bold=True, before=6)
            doc.bullets(data.conventions)
    _annex_header(doc, data, data.summary.annex, SUMMARY_TITLE, first=False)
    _annex_table(doc, data.summary)
    if map_png is not None:
        doc.paragraph(page_break=True)
        doc.figure(map_png, 250, f"Sơ đồ vị trí vùng bảo vệ nghiêm ngặt, vùng hạn chế phát thải và vùng khác "
                                 f"{data.territory} ({data.crs_short})")
        if data.illustrative:
            doc.notice(data.notices[0])
    doc.new_section(landscape=False)
    _annex_header(doc, data, "IV", COORDINATES_TITLE, first=True)
    doc.bullets(data.coordinate_conventions)
    simplified = data.simplification.set_index("unit_id")["tolerance_m"] > 0
    points_by_unit = dict(tuple(data.coordinates.groupby("unit_id", sort=False)))
    for index, (zone, table) in enumerate(data.zone_tables.items()):
        doc.paragraph(f"{chr(ord('A') + index)}. {terms.zone_name(zone).upper()} (PHỤ LỤC {table.annex})", bold=True, before=12, keep_next=True)
        for unit in data.units[data.units["zone"] == zone].itertuples():
            coordinate_table(doc, unit, points_by_unit.get(unit.unit_id, data.coordinates.iloc[:0]), bool(simplified[unit.unit_id]),
                             data.max_vertices, data.crs_short)
    doc.properties(
        f"Phụ lục Quyết định về vị trí, ranh giới vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải {data.territory}",
        "Phân vùng môi trường theo Điều 22, 23 Nghị định số 08/2022/NĐ-CP",
        f"build {data.build_id}",
    )
    doc.save(path)


def _annex_header(doc: OfficialDocument, data: AnnexData, number: str, title: str, first: bool) -> None:
    doc.appendix_header(number, f"{title} TRÊN ĐỊA BÀN {data.territory.upper()}", f"Kèm theo Quyết định {data.decision} của {data.committee}", first)


def _annex_table(doc: OfficialDocument, table: AnnexTable) -> None:
    """A table of areas: criterion subtotals and totals in bold."""
    bold = [kind in ("group", "total", "proposed_group") for kind in table.kinds]
    doc.table(table.caption, table.columns, table.widths_mm, table.rows, bold, unit_line=AREA_UNIT_LINE, notes=table.notes)


def coordinate_table(doc: OfficialDocument, unit, points: pd.DataFrame, simplified: bool, max_vertices: int, crs_short: str) -> None:
    """The boundary vertices of one unit (a row of ``AnnexData.units``): two points per row, a heading row per ring."""
    note = (
        f" Đường bao có trên {max_vertices} điểm được giản lược cho bảng này (Douglas–Peucker, không tự cắt; dung sai ghi ở "
        "dòng đầu của đường bao); các điểm liệt kê đều là điểm của ranh giới đầy đủ."
        if simplified else ""
    )
    doc.caption(
        f"Tọa độ ranh giới khu vực số {unit.stt} Phụ lục {unit.annex} (mã {unit.unit_id}): {unit.name}",
        f"Hệ tọa độ {crs_short}, đơn vị mét; X hướng Bắc, Y hướng Đông.{note}",
    )
    widths = [_dxa(w) for w in COORDINATE_WIDTHS_MM]
    rows = [_header_row(["Điểm", "X (m)", "Y (m)"] * 2, widths)]
    for (part, ring), ring_points in points.groupby(["part", "ring"], sort=False):
        rows.append(_row_xml([_cell_xml(_ring_label(part, ring, ring_points), sum(widths), italic=True, span=6)]))
        values = ring_points[["point", "northing", "easting"]].to_numpy()
        for start in range(0, len(values), 2):
            cells = []
            for number, northing, easting in values[start:start + 2]:
                cells += [_cell_xml(str(int(number)), widths[0], align="center"),
                          _cell_xml(terms.number(northing), widths[1], align="right"),
                          _cell_xml(terms.number(easting), widths[2], align="right")]
            cells += [_cell_xml("", w) for w in widths[len(cells):]]
            rows.append(_row_xml(cells))
    doc.insert_table(COORDINATE_WIDTHS_MM, rows)


def _ring_label(part: int, ring: int, ring_points: pd.DataFrame) -> str:
    """``Phần p: đường bao ngoài – n điểm`` (or the k-th inner ring), with its simplification."""
    label = f"Phần {part}: đường bao ngoài" if ring == 0 else f"Phần {part}: đường bao trong thứ {ring} (không thuộc khu vực)"
    label += f" – {terms.number(len(ring_points), 0)} điểm"
    step = float(ring_points["tolerance_m"].iloc[0])
    if step > 0:
        label += (f" (giản lược từ {terms.number(int(ring_points['ring_vertices'].iloc[0]), 0)} điểm, "
                  f"dung sai {terms.number(step, 1).removesuffix(',0')} m)")
    return label
