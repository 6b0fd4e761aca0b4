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

import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pandas as pd

from zoning import terms
from zoning.inputs.text import CONTROL_CHARACTERS
from zoning.outputs.annex_model import DRAFT_MARK, DRAFT_TITLE

if TYPE_CHECKING:
    from zoning.outputs.annex_model import AnnexData, AnnexTable

AUTHOR = "Ủy ban nhân dân tỉnh"  # the core properties' author: the body whose draft this is
FONT = "Times New Roman"  # LibreOffice renders it with the metric-compatible Liberation Serif
FONT_PT = 13
ZONE_TITLES = {
    "strict": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG BẢO VỆ NGHIÊM NGẶT",
    "emission_limited": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG HẠN CHẾ PHÁT THẢI",
}
SUMMARY_TITLE = "TỔNG HỢP DIỆN TÍCH CÁC VÙNG THEO XÃ, PHƯỜNG VÀ SƠ ĐỒ VỊ TRÍ CÁC VÙNG"
COORDINATES_TITLE = "TỌA ĐỘ CÁC ĐIỂM RANH GIỚI VÙNG BẢO VỆ NGHIÊM NGẶT VÀ VÙNG HẠN CHẾ PHÁT THẢI"
AREA_UNIT_LINE = "Đơn vị diện tích: ha"
COORDINATE_WIDTHS_MM = [11, 22, 22] * 3  # point, X, Y, three points per row (165 mm: the text width in portrait)
COORDINATE_PT = 11

RULE_INDENT_MM = 60  # a rule of about 45 mm in portrait, centred
# The order ECMA-376 (CT_SectPr, CT_PPrBase) requires of the children of w:sectPr and w:pPr: Word may refuse a file that breaks it.
SECTPR_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
                "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
                "docGrid", "printerSettings", "sectPrChange")
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers", "pBdr",
             "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
             "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TWIPS_PER_MM = 1440 / 25.4
_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_VML = 'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"'
WATERMARK_XML = (  # the text watermark as Word writes it (LibreOffice reads it as a watermark too)
    f'<w:r {_W} {_VML}><w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{spid}" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:420pt;height:120pt;rotation:315;z-index:-251654144;'
    'mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;'
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#d9d9d9" stroked="f">'
    '<v:fill opacity=".5"/><v:textpath style="font-family:&quot;Times New Roman&quot;;font-size:1pt" string="{text}"/>'
    '</v:shape></w:pict></w:r>'
)


# -------------------------------------------------------------------- WordprocessingML


def _local(element) -> str:
    return str(element.tag).rsplit("}", 1)[-1]


def _order_children(parent, order: Sequence[str]) -> None:
    """Put the children of ``parent`` in the schema's ``order`` (stable among equals; unknown ones last)."""
    rank = {name: i for i, name in enumerate(order)}
    children = sorted(parent, key=lambda child: rank.get(_local(child), len(order)))
    for child in children:
        parent.append(child)  # lxml moves an element appended again


def set_page_numbering(sect_pr, pg_num_type=None) -> None:
    """Give a section's properties one ``w:pgNumType`` (or none), in its place before ``w:cols`` and ``w:docGrid``.

    A section added by python-docx copies the previous one's properties, ``w:pgNumType``
    included: appending another would give two, after ``w:docGrid``.
    """
    for old in [child for child in sect_pr if _local(child) == "pgNumType"]:
        sect_pr.remove(old)
    if pg_num_type is not None:
        sect_pr.append(pg_num_type)
    _order_children(sect_pr, SECTPR_ORDER)


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


def _paragraph_xml(text: str, bold: bool, italic: bool, align: str, keep_next: bool = False, size_pt: float | None = None) -> str:
    run_props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + (f'<w:sz w:val="{round(2 * size_pt)}"/>' if size_pt else "")
    run = f'<w:r><w:rPr>{run_props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr>{"<w:keepNext/>" if keep_next else ""}<w:jc w:val="{align}"/></w:pPr>{run}</w:p>'


def _cell_xml(value, width: int, *, bold=False, italic=False, align="left", span=1, keep_next=False, size_pt=None, top=False) -> str:
    text = _cell_text(value)
    paragraphs = "".join(_paragraph_xml(line, bold, italic, align, keep_next, size_pt) for line in text.split("\n"))
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="{"top" if top else "center"}"/></w:tcPr>{paragraphs}</w:tc>'


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


def _row_xml(cells: list[str], header: bool = False, split: bool = False) -> str:
    """A table row, kept on one page unless ``split`` (a row of long notes may be taller than a page)."""
    properties = ("" if split else "<w:cantSplit/>") + ("<w:tblHeader/>" if header else "")
    return f"<w:tr><w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"


def _header_row(columns: Sequence[str], widths: list[int], size_pt: float | None = None) -> str:
    """A header row, repeated at the top of each page the table runs on."""
    return _row_xml([_cell_xml(c, w, bold=True, align="center", size_pt=size_pt) for c, w in zip(columns, widths)], header=True)


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

    def page_numbers(self, draft: str = "") -> None:
        """Page numbers centred in the top margin, none on the first page (ND 30/2020, Appendix I).

        With ``draft`` (e.g. ``"DỰ THẢO"``), every page, the first included, carries it in
        bold at the top right and as a light watermark across the page. Sections started
        by :meth:`new_section` share these headers.
        """
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import parse_xml

        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        if draft:
            for number, header in enumerate((section.first_page_header, section.header), start=1):
                mark = header.paragraphs[0]
                mark.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                mark.add_run(draft).bold = True
                mark._p.append(parse_xml(WATERMARK_XML.format(number=number, spid=2048 + number, text=escape(draft, {'"': "&quot;"}))))
            paragraph = section.header.add_paragraph()
        else:
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

    def appendix_header(self, number: str, title: str, attached_to: str) -> None:
        """The heading of an appendix: ``PHỤ LỤC <number>``, its title, the text it is attached to, a rule.

        Each appendix is a section of its own (:meth:`new_section`), on a new page.
        """
        self.paragraph(f"PHỤ LỤC {number}", bold=True, align="center", keep_next=True)
        self.paragraph(title, bold=True, align="center", keep_next=True)
        self.paragraph(f"({attached_to})", italic=True, align="center", keep_next=True)
        self.rule()

    def rule(self) -> None:
        """A short horizontal rule drawn under a heading (a bottom border, not typed characters)."""
        from docx.oxml import parse_xml

        paragraph = self.paragraph(align="center", after=6, keep_next=True)
        indent = _dxa(RULE_INDENT_MM)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:pBdr {_W}><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'))
        paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:ind {_W} w:left="{indent}" w:right="{indent}"/>'))
        _order_children(paragraph._p.get_or_add_pPr(), PPR_ORDER)

    def bullets(self, lines: Sequence[str]) -> None:
        """Lines in italics, each as ``- line`` with an indented first line, kept on one page."""
        for number, line in enumerate(lines, start=1):
            self.paragraph(f"- {line}", italic=True, indent_first=5, keep_next=number < len(lines))

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
        for number, (cells, bold) in enumerate(zip(rows, bold_rows), start=1):
            keep = bool(notes) and number > len(rows) - 2  # the notes never start a page alone
            xml.append(_row_xml([
                _cell_xml(value, width, bold=bold, align="right" if isinstance(value, float) else ("center" if i == 0 else "left"),
                          keep_next=keep, top=True)
                for i, (value, width) in enumerate(zip(cells, widths))
            ], split=True))
        self.insert_table(widths_mm, xml)
        if notes:
            self.paragraph("Ghi chú:", italic=True, bold=True, before=3, keep_next=True)
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

    def new_section(self, landscape: bool, restart_numbering: bool = False) -> None:
        """Start a new section on a new page, A4 landscape or portrait.

        With ``restart_numbering``, its pages are numbered from 1 and its first page has
        no number, as each appendix of a text (ND 30/2020, Appendix I).
        """
        from docx.enum.section import WD_SECTION
        from docx.oxml import parse_xml

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = restart_numbering
        self._page(section, landscape)
        set_page_numbering(section._sectPr, parse_xml(f'<w:pgNumType {_W} w:start="1"/>') if restart_numbering else None)

    def box(self, title: str, lines: Sequence[str]) -> None:
        """A framed paragraph group: a bold title and ``- line`` items, the width of the text."""
        paragraphs = [_paragraph_xml(title, True, False, "left")] + [_paragraph_xml(f"- {line}", False, False, "both") for line in lines]
        borders = "".join(_BORDER.format(side).replace('w:sz="4"', 'w:sz="12"') for side in ("top", "left", "bottom", "right"))
        cell = (f'<w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/><w:tcBorders>{borders}</w:tcBorders>'
                f'<w:tcMar><w:top w:w="57" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/></w:tcMar></w:tcPr>{"".join(paragraphs)}</w:tc>')
        from docx.oxml import parse_xml

        self.doc.element.body._insert_tbl(parse_xml(
            f'<w:tbl {_W}><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="{_dxa(200)}"/></w:tblGrid><w:tr>{cell}</w:tr></w:tbl>'
        ))
        self.paragraph(after=3)

    def properties(self, title: str, subject: str, keywords: str) -> None:
        """Set the document's title, subject and keywords (language Vietnamese)."""
        core = self.doc.core_properties
        core.title, core.subject, core.keywords = _xml_text(title), _xml_text(subject), _xml_text(keywords)
        # the issuing body's staff author the decision, not a program; the template's 2013 dates are replaced by the day written
        core.author = core.last_modified_by = AUTHOR
        core.comments = ""
        core.created = core.modified = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0, tzinfo=None)
        core.revision = 1
        core.language = "vi-VN"

    def save(self, path: str | Path) -> None:
        """Save the document to ``path``."""
        self.doc.save(str(path))


# ----------------------------------------------------------------- the decision annexes


def annex_document(draft_reasons: Sequence[str]) -> OfficialDocument:
    """A new annex document with its page numbers; with ``draft_reasons`` (see
    :func:`zoning.outputs.annex.draft_reasons`) a draft: "DỰ THẢO" in the header and as a
    watermark on every page, the reasons in a box at the top of the first page.
    """
    doc = OfficialDocument()
    doc.page_numbers(DRAFT_MARK if draft_reasons else "")
    if draft_reasons:
        doc.box(DRAFT_TITLE, draft_reasons)
    return doc


def write_docx(data: AnnexData, path: Path, map_png: bytes | None) -> None:
    """Assemble the annexes as a Word document at ``path`` (not atomic: pass a temporary path).

    Each annex is a section of its own whose pages are numbered from 1 (ND 30/2020);
    a draft carries "DỰ THẢO" on every page and the reasons in a box on the first page.
    """
    doc = annex_document(data.draft_reasons)
    for index, (zone, table) in enumerate(data.zone_tables.items()):
        if index:
            doc.new_section(landscape=True, restart_numbering=True)
        _annex_header(doc, data, table.annex, ZONE_TITLES[zone])
        notices = data.notices[data.draft_covered:]  # the draft box has said the others
        for notice in notices if index == 0 else notices[:2]:
            doc.notice(notice)
        _annex_table(doc, table)
        if index == 0:
            doc.paragraph("Quy ước chung cho các phụ lục:", italic=True, bold=True, before=6, keep_next=True)
            doc.bullets(data.conventions)
            if data.proposed_table is not None:  # in no zone: listed apart, after the conventions
                _annex_table(doc, data.proposed_table)
    doc.new_section(landscape=True, restart_numbering=True)
    _annex_header(doc, data, data.summary.annex, SUMMARY_TITLE)
    _annex_table(doc, data.summary)
    if map_png is not None:
        doc.paragraph(page_break=True)
        doc.figure(map_png, 250, f"Sơ đồ vị trí vùng bảo vệ nghiêm ngặt, vùng hạn chế phát thải và vùng khác "
                                 f"{data.territory} ({data.crs_short})")
        if data.illustrative and not data.draft:
            doc.notice(data.notices[0])
    doc.new_section(landscape=False, restart_numbering=True)
    _annex_header(doc, data, "IV", COORDINATES_TITLE)
    doc.bullets(data.coordinate_conventions)
    per_unit = data.simplification.set_index("unit_id")
    points_by_unit = dict(tuple(data.coordinates.groupby("unit_id", sort=False)))
    for index, (zone, table) in enumerate(data.zone_tables.items()):
        doc.paragraph(f"{chr(ord('A') + index)}. {terms.zone_name(zone).upper()} (PHỤ LỤC {table.annex})", bold=True, before=12, keep_next=True)
        rules = data.described.set_index("unit_id")["rule"] if len(data.described) else pd.Series(dtype=object)
        of_zone = data.units[data.units["zone"] == zone]
        for unit in of_zone.itertuples():
            if per_unit.loc[unit.unit_id, "listed"]:
                coordinate_table(doc, unit, points_by_unit[unit.unit_id], per_unit.loc[unit.unit_id], data)
        by_rule = of_zone[of_zone["unit_id"].isin(rules.index)]
        if len(by_rule):
            rows = [[str(u.stt), u.unit_id, u.name, f"{rules[u.unit_id]}. Qua: {u.location}."] for u in by_rule.itertuples()]
            doc.table("Các khu vực xác định theo khoảng cách (ranh giới theo bộ dữ liệu số, không lập bảng tọa độ)",
                      ["STT", "Mã khu vực", "Tên khu vực", "Quy tắc xác định ranh giới và phạm vi"], [12, 20, 45, 88], rows, [False] * len(rows))
    doc.paragraph("Ghi chú kỹ thuật:", italic=True, bold=True, before=12, keep_next=True)
    doc.bullets(data.technical_note)
    doc.properties(
        f"Phụ lục Quyết định về vị trí, ranh giới vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải {data.territory}",
        "Phân vùng môi trường theo Điều 22, 23 Nghị định số 08/2022/NĐ-CP",
        f"build {data.build_id}",
    )
    doc.save(path)


def _annex_header(doc: OfficialDocument, data: AnnexData, number: str, title: str) -> None:
    doc.appendix_header(number, f"{title} TRÊN ĐỊA BÀN {data.territory.upper()}", f"Kèm theo Quyết định {data.decision} của {data.committee}")


def _annex_table(doc: OfficialDocument, table: AnnexTable) -> None:
    """A table of areas: criterion subtotals and totals in bold."""
    bold = [kind in ("group", "total") for kind in table.kinds]
    doc.table(table.caption, table.columns, table.widths_mm, table.rows, bold, unit_line=AREA_UNIT_LINE, notes=table.notes)


def coordinate_table(doc: OfficialDocument, unit, points: pd.DataFrame, simplification: pd.Series, data: AnnexData,
                     reference: str | None = None) -> None:
    """The boundary points of one unit (a row of ``AnnexData.units``): three points per row, a heading row per ring.

    ``simplification``: the unit's row of ``AnnexData.simplification`` (points, vertices, tolerance).
    ``reference``: how the caption names the unit; default ``khu vực số <stt> Phụ lục <annex>``.
    """
    reference = reference or f"khu vực số {unit.stt} Phụ lục {unit.annex}"
    doc.caption(
        f"Tọa độ ranh giới {reference} (mã {unit.unit_id}): {unit.name}",
        f"Hệ tọa độ {data.crs_short}, đơn vị mét; X hướng Bắc, Y hướng Đông. {terms.number(int(simplification['points']), 0)} điểm "
        f"(ranh giới đầy đủ: {terms.number(int(simplification['vertices']), 0)} điểm), dung sai "
        f"{terms.number(float(simplification['tolerance_m']), 2).rstrip('0').rstrip(',')} m theo bản đồ tỷ lệ {data.scale_text}.",
    )
    widths = [_dxa(w) for w in COORDINATE_WIDTHS_MM]
    per_row = len(widths) // 3
    decimals = data.policy.decimals
    rows = [_header_row(["Điểm", "X (m)", "Y (m)"] * per_row, widths, COORDINATE_PT)]
    for key, ring_points in points.groupby(["part", "ring"], sort=False):
        part, ring = (int(k) for k in key)  # a key of two columns is a tuple of numbers
        rows.append(_row_xml([_cell_xml(_ring_label(part, ring, len(ring_points)), sum(widths), italic=True, span=len(widths),
                                        size_pt=COORDINATE_PT)]))
        numbers = ring_points["point"].to_numpy()
        northings = terms.numbers(ring_points["northing"].to_numpy(), decimals)
        eastings = terms.numbers(ring_points["easting"].to_numpy(), decimals)
        for start in range(0, len(numbers), per_row):
            cells = []
            for number, northing, easting in zip(numbers[start:start + per_row], northings[start:start + per_row], eastings[start:start + per_row]):
                cells += [_cell_xml(str(int(number)), widths[0], align="center", size_pt=COORDINATE_PT),
                          _cell_xml(northing, widths[1], align="right", size_pt=COORDINATE_PT),
                          _cell_xml(easting, widths[2], align="right", size_pt=COORDINATE_PT)]
            cells += [_cell_xml("", w, size_pt=COORDINATE_PT) for w in widths[len(cells):]]
            rows.append(_row_xml(cells))
    doc.insert_table(COORDINATE_WIDTHS_MM, rows)


def _ring_label(part: int, ring: int, points: int) -> str:
    """``Phần p: đường bao ngoài – n điểm`` (or the k-th inner ring)."""
    label = f"Phần {part}: đường bao ngoài" if ring == 0 else f"Phần {part}: đường bao trong thứ {ring} (không thuộc khu vực)"
    return f"{label} – {terms.number(points, 0)} điểm"
