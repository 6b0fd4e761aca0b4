"""The annexes of the provincial decision fixing the location and boundaries of the zones.

ND08 Art. 23(3): the provincial People's Committee decides the location and boundaries of
the strict protection and emission-limited zones. This module writes the annexes of that
decision from a build, so that the tables, the coordinates and the map come from the same
geometry:

- Phụ lục I / II: one row per unit of the strict / emission-limited zone (name, 2025
  communes and wards, area, criterion and citation, notes), subtotals per criterion and a
  total equal to the zone's area in the build;
- Phụ lục III: the area of each zone per commune and for the province, and the map;
- Phụ lục IV: the boundary vertices of every unit in the build's VN-2000 / TM-3 CRS.

Numbers follow the Vietnamese convention: ``.`` groups thousands, ``,`` marks decimals.
The same tables go to an .xlsx on request, and the .docx to PDF through LibreOffice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.builder.model import Build, as_build
from zoning.files import atomic_path
from zoning.inputs.catalogue import load_catalogue
from zoning.inputs.crs import describe
from zoning.errors import ZoningError
from zoning import terms


ANNEX_ZONES = ("strict", "emission_limited")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")
MAX_VERTICES = 200  # per ring, in the coordinate tables
SIMPLIFY_STEPS_M = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
DECISION_BLANK = "số …/QĐ-UBND ngày … tháng … năm …"
FONT = "Times New Roman"  # LibreOffice renders it with the metric-compatible Liberation Serif
FONT_PT = 13
NOTE_UNCONFIRMED = "Tiêu chí chưa được xác nhận (không phải quy định pháp luật đã đối chiếu)."
NOTE_ILLUSTRATIVE = "Dữ liệu minh họa."
ZONE_TITLES = {
    "strict": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG BẢO VỆ NGHIÊM NGẶT",
    "emission_limited": "DANH MỤC, VỊ TRÍ VÀ DIỆN TÍCH CÁC KHU VỰC THUỘC VÙNG HẠN CHẾ PHÁT THẢI",
}
SUMMARY_TITLE = "TỔNG HỢP DIỆN TÍCH CÁC VÙNG THEO XÃ, PHƯỜNG VÀ SƠ ĐỒ VỊ TRÍ CÁC VÙNG"
COORDINATES_TITLE = "TỌA ĐỘ CÁC ĐIỂM RANH GIỚI VÙNG BẢO VỆ NGHIÊM NGẶT VÀ VÙNG HẠN CHẾ PHÁT THẢI"


# ---------------------------------------------------------------------------- tables


@dataclass
class AnnexTable:
    """One table of the annexes: cells are text, numbers (printed with two decimals) or None.

    ``kinds`` names each row: ``unit``, ``group`` (criterion subtotal), ``commune``,
    ``outside`` (land outside the commune polygons) or ``total``.
    """

    caption: str
    columns: list[str]
    widths_mm: list[float]
    rows: list[list[str | float | None]]
    kinds: list[str]
    sheet: str
    notes: list[str] = field(default_factory=list)


@dataclass
class AnnexData:
    """Everything the annexes show, computed once from a build."""

    province: str
    decision: str
    zone_tables: dict[str, AnnexTable]
    zone_area_ha: dict[str, float]
    summary: AnnexTable
    units: pd.DataFrame  # the units of the annexes in table order, with stt, location and annex
    coordinates: pd.DataFrame  # unit_id, part, ring (0 = outer), point, northing, easting (m, 2 decimals)
    simplification: pd.DataFrame  # unit_id, vertices, points, tolerance_m
    crs_text: str
    crs_short: str
    notices: list[str]
    conventions: list[str]
    illustrative: bool
    build_id: str
    max_vertices: int


def boundary_points(units: gpd.GeoDataFrame, max_vertices: int = MAX_VERTICES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The boundary vertices of each unit, ring by ring, simplified where a ring has too many.

    Parameters
    ----------
    units
        Units with ``unit_id`` and (multi)polygon geometry in a projected CRS (metres).
    max_vertices
        A ring with more vertices than this is simplified with the smallest tolerance of
        :data:`SIMPLIFY_STEPS_M` that brings it within the limit (Douglas–Peucker without
        self-intersection: the points kept are vertices of the real boundary, and the
        real boundary stays within the tolerance of the simplified one). Other rings are
        listed whole.

    Returns
    -------
    points, simplification
        ``points``: unit_id, part (1…), ring (0 = outer ring, k = k-th hole), point
        (numbered 1… through the unit), northing, easting (metres, rounded to 0.01 m),
        tolerance_m and ring_vertices (the ring's vertex count before simplification);
        the closing vertex of a ring is not repeated. ``simplification``: per unit, the
        vertices of its boundary, the points listed and the largest tolerance (0 = none).
    """
    if max_vertices < 4:
        raise ZoningError(f"--max-vertices must be at least 4 (got {max_vertices})")
    geometries = units.geometry.to_numpy()
    parts, unit_of_part = shapely.get_parts(geometries, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    vertices = shapely.get_num_coordinates(rings) - 1
    kept = rings.copy()
    tolerance = np.zeros(len(rings))
    pending = vertices > max_vertices
    for step in SIMPLIFY_STEPS_M:
        if not pending.any():
            break
        kept[pending] = shapely.simplify(rings[pending], step, preserve_topology=True)
        tolerance[pending] = step
        pending = shapely.get_num_coordinates(kept) - 1 > max_vertices

    ring_number = pd.Series(part_of_ring).groupby(part_of_ring).cumcount().to_numpy()
    part_number = pd.Series(unit_of_part).groupby(unit_of_part).cumcount().to_numpy() + 1
    coords, ring_of_coord = shapely.get_coordinates(kept, return_index=True)
    closing = np.r_[ring_of_coord[1:] != ring_of_coord[:-1], True]
    coords, ring_of_coord = coords[~closing], ring_of_coord[~closing]
    unit_of_point = unit_of_part[part_of_ring[ring_of_coord]]
    unit_ids = units["unit_id"].to_numpy()
    points = pd.DataFrame({
        "unit_id": unit_ids[unit_of_point],
        "part": part_number[part_of_ring[ring_of_coord]],
        "ring": ring_number[ring_of_coord],
        "point": pd.Series(unit_of_point).groupby(unit_of_point).cumcount().to_numpy() + 1,
        "northing": coords[:, 1].round(2),
        "easting": coords[:, 0].round(2),
        "tolerance_m": tolerance[ring_of_coord],
        "ring_vertices": vertices[ring_of_coord],
    })
    unit_of_ring = unit_of_part[part_of_ring]
    largest = np.zeros(len(units))
    np.maximum.at(largest, unit_of_ring, tolerance)
    simplification = pd.DataFrame({
        "unit_id": unit_ids,
        "vertices": np.bincount(unit_of_ring, weights=vertices, minlength=len(units)).astype(int),
        "points": np.bincount(unit_of_point, minlength=len(units)),
        "tolerance_m": largest,
    })
    return points, simplification


def annex_data(
    build: Build,
    decision: str | None = None,
    province_name: str | None = None,
    max_vertices: int = MAX_VERTICES,
) -> AnnexData:
    """Compute every table of the annexes from a build (no file is written)."""
    province = _province_name(build, province_name)
    criteria = build.criteria.set_index("id") if len(build.criteria) else pd.DataFrame(columns=["title_vi", "citation_vi", "status"])
    order = {cid: i for i, cid in enumerate(criteria.index)}
    communes = build.communes
    full_names = communes["full_name"] if "full_name" in communes else pd.Series("", index=communes.index)
    commune_names = dict(zip(communes["code"].astype(str), full_names.where(full_names.fillna("") != "", communes["name"])))
    zone_area = build.zones.set_index("zone")["area_ha"].astype(float).to_dict()

    units = build.units[build.units["zone"].isin(ANNEX_ZONES)].copy()
    units["order"] = units["criterion"].map(order).fillna(len(order))
    units["zone_order"] = units["zone"].map({z: i for i, z in enumerate(ANNEX_ZONES)})
    units = units.sort_values(["zone_order", "order", "unit_id"], kind="stable").reset_index(drop=True)
    units["stt"] = units.groupby("zone").cumcount() + 1
    units["annex"] = units["zone"].map({"strict": "I", "emission_limited": "II"})
    units["location"] = [
        ", ".join(commune_names.get(code, code) for code in str(codes).split(",") if code) for codes in units["commune_codes"]
    ]
    units["illustrative"] = units["illustrative"].astype(bool)

    zone_tables = {zone: _zone_table(zone, units[units["zone"] == zone], criteria, zone_area.get(zone, 0.0)) for zone in ANNEX_ZONES}
    coordinates, simplification = boundary_points(units, max_vertices)
    manifest = build.manifest
    illustrative = bool(manifest.get("illustrative_layers"))  # then the first notice says so
    crs_text, crs_short = _crs_texts(build)
    return AnnexData(
        province=province,
        decision=_decision_text(decision),
        zone_tables=zone_tables,
        zone_area_ha={z: zone_area.get(z, 0.0) for z in ("strict", "emission_limited", "other")},
        summary=_summary_table(build, commune_names, zone_area),
        units=units,
        coordinates=coordinates,
        simplification=simplification,
        crs_text=crs_text,
        crs_short=crs_short,
        notices=_notices(build, criteria),
        conventions=_conventions(build, crs_text, max_vertices),
        illustrative=illustrative,
        build_id=build.build_id,
        max_vertices=max_vertices,
    )


def _zone_table(zone: str, units: pd.DataFrame, criteria: pd.DataFrame, zone_area_ha: float) -> AnnexTable:
    rows: list[list] = []
    kinds: list[str] = []
    notes: list[str] = []
    for number, (criterion, group) in enumerate(units.groupby("criterion", sort=False)):
        known = criterion in criteria.index
        title = criteria.loc[criterion, "title_vi"] if known else criterion
        citation = criteria.loc[criterion, "citation_vi"] if known else group["citation_vi"].iloc[0]
        status = criteria.loc[criterion, "status"] if known else group["status"].iloc[0]
        rows.append([ROMAN[number] if number < len(ROMAN) else str(number + 1), title, "", round(float(group["area_ha"].sum()), 2),
                     citation, "Tiêu chí chưa được xác nhận" if status != "confirmed" else ""])
        kinds.append("group")
        for unit in group.itertuples():
            rows.append([str(unit.stt), f"{unit.name} (mã {unit.unit_id})", unit.location, round(float(unit.area_ha), 2),
                         unit.citation_vi, _unit_notes(unit)])
            kinds.append("unit")
    total = round(zone_area_ha, 2)
    rows.append(["", "Tổng cộng", "", total, "", ""])
    kinds.append("total")
    unit_sum = round(sum(r[3] for r, k in zip(rows, kinds) if k == "unit"), 2)
    group_sum = round(sum(r[3] for r, k in zip(rows, kinds) if k == "group"), 2)
    notes.append(f"Tổng cộng là diện tích {terms.zone_name(zone).lower()} trong kết quả phân vùng, làm tròn đến 0,01 ha.")
    if unit_sum != total or group_sum != total:
        notes.append(
            f"Do làm tròn từng dòng, tổng các dòng là {terms.number(unit_sum)} ha (các dòng cộng theo tiêu chí: "
            f"{terms.number(group_sum)} ha), chênh {terms.number(abs(unit_sum - total))} ha so với tổng cộng."
        )
    annex = "I" if zone == "strict" else "II"
    caption = f"Danh mục các khu vực thuộc {terms.zone_name(zone).lower()}"
    columns = ["STT", "Tên khu vực", "Vị trí (xã, phường)", "Diện tích (ha)", "Tiêu chí và căn cứ", "Ghi chú"]
    return AnnexTable(caption, columns, [12, 62, 55, 25, 50, 48], rows, kinds, f"Phụ lục {annex}", notes)


def _unit_notes(unit) -> str:
    notes = []
    if unit.status != "confirmed":
        notes.append(NOTE_UNCONFIRMED)
    if unit.assumption:
        notes.append(f"Giả định: {unit.assumption}")
    if unit.illustrative:
        notes.append(NOTE_ILLUSTRATIVE)
    return "\n".join(notes)


def _summary_table(build: Build, commune_names: dict[str, str], zone_area: dict[str, float]) -> AnnexTable:
    summary = build.commune_summary
    zones = ("strict", "emission_limited", "other")
    rows: list[list] = []
    kinds: list[str] = []

    def row(first: str, name: str, areas: list[float], total: float, kind: str) -> None:
        cells: list = [first, name]
        for area in areas:
            cells += [round(area, 2), round(100 * area / total, 2) if total else 0.0]
        rows.append(cells + [round(total, 2)])
        kinds.append(kind)

    number = 0
    for record in summary.itertuples():
        areas = [float(getattr(record, f"{z}_ha")) for z in zones]
        code = str(record.commune_code or "")
        if code:
            number += 1
            row(str(number), commune_names.get(code, record.commune_name), areas, float(record.total_ha), "commune")
        elif float(record.total_ha) > 0.005:
            name = str(record.commune_name).split(" / ")[0]
            row("", name, areas, float(record.total_ha), "outside")
    province_areas = [float(zone_area.get(z, 0.0)) for z in zones]
    row("", "Toàn tỉnh", province_areas, sum(province_areas), "total")
    qa = build.manifest.get("qa") or {}
    coverage = (
        f"ba vùng phủ kín diện tích tỉnh ({terms.number(qa['province_ha'])} ha), không chồng lấn (kiểm tra của kết quả phân vùng: đạt)"
        if qa.get("passed") else "CẢNH BÁO: kiểm tra phủ kín, không chồng lấn của kết quả phân vùng KHÔNG ĐẠT, xem báo cáo kết quả phân vùng"
    )
    notes = [
        "Tỷ lệ (%) là tỷ lệ diện tích của vùng so với diện tích của xã, phường (dòng Toàn tỉnh: so với diện tích tỉnh).",
        f"Dòng Toàn tỉnh là diện tích các vùng trong kết quả phân vùng; {coverage}.",
    ]
    if "outside" in kinds:
        notes.append("Dòng “Ngoài ranh giới xã” là phần diện tích tỉnh nằm ngoài các đa giác xã, phường "
                     "(sai lệch giữa dữ liệu ranh giới tỉnh và ranh giới xã).")
    body = [r for r, k in zip(rows, kinds) if k != "total"]
    for column, label in ((2, "vùng bảo vệ nghiêm ngặt"), (4, "vùng hạn chế phát thải"), (6, "vùng khác"), (8, "tổng diện tích")):
        column_sum = round(sum(r[column] for r in body), 2)
        if column_sum != rows[-1][column]:
            notes.append(f"Do làm tròn từng dòng, cột {label} cộng lại được {terms.number(column_sum)} ha, "
                         f"chênh {terms.number(abs(column_sum - rows[-1][column]))} ha so với dòng Toàn tỉnh.")
    columns = ["STT", "Xã, phường", "Vùng bảo vệ nghiêm ngặt (ha)", "Tỷ lệ (%)", "Vùng hạn chế phát thải (ha)", "Tỷ lệ (%)",
               "Vùng khác (ha)", "Tỷ lệ (%)", "Tổng diện tích (ha)"]
    return AnnexTable("Diện tích các vùng theo xã, phường", columns, [12, 52, 29, 19, 29, 19, 29, 19, 30], rows, kinds,
                      "Phụ lục III", notes)


def _notices(build: Build, criteria: pd.DataFrame) -> list[str]:
    """Honesty notices: illustrative data and unconfirmed criteria (from the manifest)."""
    manifest = build.manifest
    notices = []
    layers = manifest.get("illustrative_layers") or []
    if layers:
        catalogue = load_catalogue()
        labels = [catalogue[k].label_vi if k in catalogue else k for k in layers]
        notices.append(
            "DỮ LIỆU MINH HỌA – KHÔNG DÙNG ĐỂ RA QUYẾT ĐỊNH: các lớp dữ liệu sau là dữ liệu vẽ minh họa, "
            "không phải số liệu điều tra, đo đạc: " + "; ".join(labels) + "."
        )
    unconfirmed = manifest.get("unconfirmed_criteria") or []
    if unconfirmed:
        items = [
            f"{criteria.loc[c, 'title_vi']} ({criteria.loc[c, 'citation_vi']})" if c in criteria.index else c for c in unconfirmed
        ]
        notices.append("TIÊU CHÍ CHƯA ĐƯỢC XÁC NHẬN (không phải quy định pháp luật đã được đối chiếu, cần cơ quan có thẩm quyền "
                       "xác nhận trước khi ban hành): " + "; ".join(items) + ".")
    assumed = int(manifest.get("assumed_units") or 0)
    if assumed:
        notices.append(f"Có {assumed} khu vực dùng giá trị giả định (ví dụ bề rộng, bán kính mặc định) do dữ liệu chưa ghi nhận; "
                       "xem cột Ghi chú.")
    return notices


def _conventions(build: Build, crs_text: str, max_vertices: int) -> list[str]:
    manifest = build.manifest
    return [
        "Số liệu viết theo quy ước Việt Nam: dấu chấm (.) phân cách hàng nghìn, dấu phẩy (,) phân cách phần thập phân "
        "(ví dụ 1.654,44 ha).",
        f"Diện tích tính trên mặt phẳng chiếu của {crs_text}, đơn vị héc-ta (ha), làm tròn đến 0,01 ha. Dòng Tổng cộng "
        "của mỗi vùng là diện tích vùng trong kết quả phân vùng; các khu vực không chồng lấn nhau và cộng lại bằng diện tích vùng.",
        "Vị trí ghi theo đơn vị hành chính cấp xã (xã, phường) sau sắp xếp năm 2025.",
        f"Tọa độ ranh giới (Phụ lục IV) theo {crs_text}; vòng ranh giới có trên {max_vertices} điểm được giản lược, "
        "chỉ dùng cho bảng tọa độ.",
        f"Nguồn: kết quả phân vùng mã {manifest.get('build_id', '')}, bộ tiêu chí {manifest.get('ruleset', '')}, "
        f"phần mềm {manifest.get('package', '')}.",
    ]


def _crs_texts(build: Build) -> tuple[str, str]:
    """Long Vietnamese description of the build CRS and a short label."""
    crs = build.crs
    short = describe(crs)
    params = {p.name: p.value for p in crs.coordinate_operation.params} if crs.coordinate_operation else {}
    meridian = params.get("Longitude of natural origin")
    scale = params.get("Scale factor at natural origin")
    if meridian is None or scale is None:
        return f"hệ tọa độ {short}", short
    degrees = int(meridian)
    minutes = round((meridian - degrees) * 60)
    datum = crs.geodetic_crs.name if crs.geodetic_crs else ""
    return (f"hệ tọa độ {datum}, phép chiếu Transverse Mercator (UTM) múi chiếu 3°, kinh tuyến trục {degrees}°{minutes:02d}′, "
            f"hệ số tỷ lệ k = {terms.number(scale, 4)} – {short}", short)


def _province_name(build: Build, given: str | None) -> str:
    """The province's name without "Tỉnh": given, else the build's, else its province layer's."""
    province = build.manifest.get("province") or {}
    name = (given or "").strip() or province.get("name_vi") or ""
    if not name:
        layer = build.input_layer("province")
        if layer is not None and "name" in layer and len(layer):
            name = str(layer["name"].iloc[0]).strip()
    return (name[5:] if name.lower().startswith("tỉnh ") else name) or "…"


def _decision_text(decision: str | None) -> str:
    if not decision or not decision.strip():
        return DECISION_BLANK
    decision = decision.strip()
    return decision if decision.lower().startswith("số") else f"số {decision}"


def _committee(province: str) -> str:
    """``Ủy ban nhân dân tỉnh X`` (or ``thành phố X`` for a centrally governed city)."""
    if province.lower().startswith("thành phố "):
        return f"Ủy ban nhân dân thành phố {province[len('thành phố '):]}"
    return f"Ủy ban nhân dân tỉnh {province}"


def _territory(province: str) -> str:
    if province.lower().startswith("thành phố "):
        return f"thành phố {province[len('thành phố '):]}"
    return f"tỉnh {province}"


# ------------------------------------------------------------------------------ docx

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TWIPS_PER_MM = 1440 / 25.4
_BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'


def _dxa(mm: float) -> int:
    return int(round(mm * _TWIPS_PER_MM))


def _cell_text(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return terms.number(value)
    return str(value)


def _paragraph_xml(text: str, bold: bool, italic: bool, align: str) -> str:
    run_props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    run = f'<w:r><w:rPr>{run_props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
    return f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>{run}</w:p>'


def _cell_xml(value, width: int, *, bold=False, italic=False, align="left", span=1) -> str:
    text = _cell_text(value)
    paragraphs = "".join(_paragraph_xml(line, bold, italic, align) for line in text.split("\n"))
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="center"/></w:tcPr>{paragraphs}</w:tc>'


def _table_xml(widths_mm: list[float], rows_xml: list[str]) -> str:
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


class _Document:
    """A python-docx document in Vietnamese administrative style (ND 30/2020/NĐ-CP)."""

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

    def paragraph(self, text: str = "", *, bold=False, italic=False, align="justify", size: float | None = None,
                  before: float = 0, after: float = 0, keep_next=False, page_break=False, indent_first: float = 0):
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
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        return paragraph

    def notice(self, text: str) -> None:
        """A "Lưu ý" paragraph: an honesty notice the reader must not miss."""
        paragraph = self.paragraph("Lưu ý: ", bold=True, after=3)
        paragraph.add_run(text).italic = True

    def annex_header(self, number: str, title: str, province: str, decision: str, first: bool) -> None:
        self.paragraph(f"PHỤ LỤC {number}", bold=True, align="center", keep_next=True, page_break=not first)
        self.paragraph(f"{title} TRÊN ĐỊA BÀN {_territory(province).upper()}", bold=True, align="center", keep_next=True)
        self.paragraph(f"(Kèm theo Quyết định {decision} của {_committee(province)})", italic=True, align="center", keep_next=True)
        self.paragraph("________", align="center", after=6, keep_next=True)

    def caption(self, text: str, note: str = "") -> int:
        self.tables += 1
        self.paragraph(f"Bảng {self.tables}. {text}", bold=True, align="center", before=6, keep_next=True)
        if note:
            self.paragraph(note, italic=True, align="center", keep_next=True)
        return self.tables

    def table(self, table: AnnexTable, note: str = "") -> None:
        """A numbered table: caption above, header repeated on each page, notes below."""
        from docx.oxml import parse_xml

        self.caption(table.caption, note)
        self.paragraph("Đơn vị diện tích: ha", italic=True, align="right", keep_next=True)
        widths = [_dxa(w) for w in table.widths_mm]
        rows = [_row_xml([_cell_xml(c, w, bold=True, align="center") for c, w in zip(table.columns, widths)], header=True)]
        for cells, kind in zip(table.rows, table.kinds):
            bold = kind in ("group", "total")
            rows.append(_row_xml([
                _cell_xml(value, width, bold=bold, align="right" if isinstance(value, float) else ("center" if i == 0 else "left"))
                for i, (value, width) in enumerate(zip(cells, widths))
            ]))
        self.doc.element.body._insert_tbl(parse_xml(_table_xml(table.widths_mm, rows)))
        if table.notes:
            self.paragraph("Ghi chú:", italic=True, bold=True, before=3)
            for line in table.notes:
                self.paragraph(f"- {line}", italic=True, indent_first=5)

    def coordinate_table(self, unit, points: pd.DataFrame, simplified: bool, max_vertices: int, crs_short: str) -> None:
        """The boundary vertices of one unit: two points per row, a heading row per ring."""
        from docx.oxml import parse_xml

        note = (
            f" Đường bao có trên {max_vertices} điểm được giản lược cho bảng này (Douglas–Peucker, không tự cắt; dung sai ghi ở "
            "dòng đầu của đường bao); các điểm liệt kê đều là điểm của ranh giới đầy đủ."
            if simplified else ""
        )
        self.caption(
            f"Tọa độ ranh giới khu vực số {unit.stt} Phụ lục {unit.annex} (mã {unit.unit_id}): {unit.name}",
            f"Hệ tọa độ {crs_short}, đơn vị mét; X hướng Bắc, Y hướng Đông.{note}",
        )
        widths_mm = [13, 31, 27, 13, 31, 27]
        widths = [_dxa(w) for w in widths_mm]
        header = ["Điểm", "X (m)", "Y (m)"] * 2
        rows = [_row_xml([_cell_xml(c, w, bold=True, align="center") for c, w in zip(header, widths)], header=True)]
        for (part, ring), ring_points in points.groupby(["part", "ring"], sort=False):
            label = f"Phần {part}: đường bao ngoài" if ring == 0 else f"Phần {part}: đường bao trong thứ {ring} (không thuộc khu vực)"
            label += f" – {terms.number(len(ring_points), 0)} điểm"
            step = float(ring_points["tolerance_m"].iloc[0])
            if step > 0:
                label += (f" (giản lược từ {terms.number(int(ring_points['ring_vertices'].iloc[0]), 0)} điểm, "
                          f"dung sai {terms.number(step, 1).removesuffix(',0')} m)")
            rows.append(_row_xml([_cell_xml(label, sum(widths), italic=True, span=6)]))
            values = ring_points[["point", "northing", "easting"]].to_numpy()
            for start in range(0, len(values), 2):
                cells = []
                for number, northing, easting in values[start:start + 2]:
                    cells += [_cell_xml(str(int(number)), widths[0], align="center"),
                              _cell_xml(terms.number(northing), widths[1], align="right"),
                              _cell_xml(terms.number(easting), widths[2], align="right")]
                cells += [_cell_xml("", w) for w in widths[len(cells):]]
                rows.append(_row_xml(cells))
        self.doc.element.body._insert_tbl(parse_xml(_table_xml(widths_mm, rows)))

    def figure(self, png: bytes, width_mm: float, caption: str) -> None:
        import io

        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        paragraph = self.paragraph(align="center", before=6, keep_next=True)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.figures += 1
        self.paragraph(f"Hình {self.figures}. {caption}", bold=True, align="center", before=3)

    def new_section(self, landscape: bool) -> None:
        from docx.enum.section import WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        self._page(section, landscape)

    def properties(self, title: str, subject: str, keywords: str) -> None:
        core = self.doc.core_properties
        core.title, core.subject, core.keywords, core.author = title, subject, keywords, "zoning"
        core.language = "vi-VN"

    def save(self, path: Path) -> None:
        self.doc.save(str(path))


def write_docx(data: AnnexData, path: Path, map_png: bytes | None) -> None:
    """Assemble the annexes as a Word document at ``path`` (not atomic: pass a temporary path)."""
    doc = _Document()
    doc.page_numbers()
    for index, zone in enumerate(ANNEX_ZONES):
        number = "I" if zone == "strict" else "II"
        doc.annex_header(number, ZONE_TITLES[zone], data.province, data.decision, first=index == 0)
        for notice in data.notices if index == 0 else data.notices[:2]:
            doc.notice(notice)
        doc.table(data.zone_tables[zone])
        if index == 0:
            doc.paragraph("Quy ước chung cho các phụ lục:", italic=True, bold=True, before=6)
            for line in data.conventions:
                doc.paragraph(f"- {line}", italic=True, indent_first=5)
    doc.annex_header("III", SUMMARY_TITLE, data.province, data.decision, first=False)
    doc.table(data.summary)
    if map_png is not None:
        doc.paragraph(page_break=True)
        doc.figure(map_png, 250, f"Sơ đồ vị trí vùng bảo vệ nghiêm ngặt, vùng hạn chế phát thải và vùng khác "
                                 f"{_territory(data.province)} ({data.crs_short})")
        if data.illustrative:
            doc.notice(data.notices[0])
    doc.new_section(landscape=False)
    doc.annex_header("IV", COORDINATES_TITLE, data.province, data.decision, first=True)
    for line in _coordinate_conventions(data):
        doc.paragraph(f"- {line}", italic=True, indent_first=5)
    simplification = data.simplification.set_index("unit_id")
    points_by_unit = dict(tuple(data.coordinates.groupby("unit_id", sort=False)))
    for zone in ANNEX_ZONES:
        doc.paragraph(f"{'A' if zone == 'strict' else 'B'}. {terms.zone_name(zone).upper()} (PHỤ LỤC {'I' if zone == 'strict' else 'II'})",
                      bold=True, before=12, keep_next=True)
        for unit in data.units[data.units["zone"] == zone].itertuples():
            simplified = float(simplification.loc[unit.unit_id, "tolerance_m"]) > 0
            doc.coordinate_table(unit, points_by_unit.get(unit.unit_id, data.coordinates.iloc[:0]), simplified,
                                 data.max_vertices, data.crs_short)
    doc.properties(
        f"Phụ lục Quyết định về vị trí, ranh giới vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải {_territory(data.province)}",
        "Phân vùng môi trường theo Điều 22, 23 Nghị định số 08/2022/NĐ-CP",
        f"build {data.build_id}",
    )
    doc.save(path)


def _coordinate_conventions(data: AnnexData) -> list[str]:
    simplified = data.simplification[data.simplification["tolerance_m"] > 0]
    lines = [
        f"Tọa độ theo {data.crs_text}, là hệ tọa độ của kết quả phân vùng; đơn vị mét, làm tròn đến 0,01 m.",
        "X là tọa độ theo hướng Bắc (northing), Y là tọa độ theo hướng Đông (easting), theo quy ước của bản đồ địa chính.",
        "Mỗi khu vực gồm một hoặc nhiều phần (đa giác) rời nhau; mỗi phần có một đường bao ngoài và có thể có các đường bao "
        "trong (phần diện tích nằm bên trong nhưng không thuộc khu vực). Điểm được đánh số liên tục trong từng khu vực theo thứ tự "
        "trên đường bao; mỗi đường bao khép kín từ điểm cuối về điểm đầu của nó.",
    ]
    if len(simplified):
        lines.append(
            f"Tại {len(simplified)} khu vực, đường bao có trên {data.max_vertices} điểm được giản lược cho bảng tọa độ (thuật toán "
            f"Douglas–Peucker, dung sai nhỏ nhất trong các mức {'; '.join(terms.number(v, 1).removesuffix(',0') for v in SIMPLIFY_STEPS_M[:10])}… m "
            f"để còn không quá {data.max_vertices} điểm, ghi ở dòng đầu của đường bao); các điểm "
            "giữ lại là điểm thật của ranh giới và ranh giới thật cách đường bao giản lược không quá dung sai. Ranh giới đầy đủ có trong tệp kết quả "
            f"phân vùng (mã {data.build_id}, lớp units). Không dùng bảng đã giản lược để tính lại diện tích."
        )
    return lines


# ------------------------------------------------------------------------------ xlsx


def write_xlsx(data: AnnexData, path: Path) -> None:
    """The same tables in a workbook (not atomic: pass a temporary path)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, table in enumerate([data.zone_tables[z] for z in ANNEX_ZONES] + [data.summary], start=1):
        sheet = workbook.create_sheet(table.sheet)
        sheet.append([f"Bảng {number}. {table.caption} ({table.sheet}, {_territory(data.province)})"])
        sheet["A1"].font = bold
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font, cell.alignment = bold, wrap
        for cells, kind in zip(table.rows, table.kinds):
            sheet.append(cells)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
                else:
                    cell.alignment = wrap
                if kind in ("group", "total"):
                    cell.font = bold
        for note in table.notes:
            sheet.append([note])
        for column, width_mm in zip("ABCDEFGHIJ", table.widths_mm):
            sheet.column_dimensions[column].width = max(8, width_mm / 2)
        sheet.freeze_panes = "A3"
    sheet = workbook.create_sheet("Phụ lục IV – Tọa độ")
    points = data.coordinates.merge(data.units[["unit_id", "annex", "stt", "name"]], on="unit_id")
    sheet.append([f"Tọa độ các điểm ranh giới, {data.crs_text}. X hướng Bắc, Y hướng Đông, đơn vị mét."])
    sheet["A1"].font = bold
    columns = ["Phụ lục", "STT", "Mã khu vực", "Tên khu vực", "Phần", "Đường bao (0 = ngoài, k = trong thứ k)", "Điểm",
               "X (m) – hướng Bắc", "Y (m) – hướng Đông", "Dung sai giản lược đường bao (m, 0 = không giản lược)",
               "Số điểm của đường bao đầy đủ"]
    sheet.append(columns)
    for cell in sheet[2]:
        cell.font = bold
    columns = ["annex", "stt", "unit_id", "name", "part", "ring", "point", "northing", "easting", "tolerance_m", "ring_vertices"]
    for row in points[columns].itertuples(index=False):
        sheet.append([row.annex, int(row.stt), row.unit_id, row.name, int(row.part), int(row.ring), int(row.point),
                      float(row.northing), float(row.easting), float(row.tolerance_m), int(row.ring_vertices)])
    for cell in ("H", "I"):
        for item in sheet[cell][2:]:
            item.number_format = "#,##0.00"
    for column, width in zip("ABCDEFGHIJK", (8, 6, 10, 50, 6, 14, 7, 16, 14, 14, 12)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    notes = workbook.create_sheet("Ghi chú")
    for line in [f"(Kèm theo Quyết định {data.decision} của {_committee(data.province)})", ""] + data.notices + [""] + data.conventions:
        notes.append([line])
    notes.column_dimensions["A"].width = 160
    workbook.save(path)


# --------------------------------------------------------------------------- the job


@dataclass
class AnnexResult:
    """The files written and what it took."""

    docx: Path
    xlsx: Path | None = None
    pdf: Path | None = None
    pages: int | None = None
    notices: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)


def write_annex(
    build: str | Path | Build,
    out: str | Path,
    *,
    pdf: bool = False,
    xlsx: bool = False,
    decision: str | None = None,
    province_name: str | None = None,
    max_vertices: int = MAX_VERTICES,
    map_figure: bool = True,
    progress: Callable[[str], None] | None = None,
) -> AnnexResult:
    """Write the annexes of the zoning decision for a build.

    Parameters
    ----------
    build
        A build GeoPackage (or a build already read).
    out
        The Word document to write (``.docx``); the .xlsx and .pdf go beside it.
    pdf, xlsx
        Also write ``<out>.pdf`` (LibreOffice headless) and ``<out>.xlsx``.
    decision
        Number and date of the decision, e.g. ``"số 12/QĐ-UBND ngày 15/3/2027"``; blank to fill in by default.
    province_name
        Province name in the headers; default: the build's province.
    max_vertices
        Largest number of points per ring in the coordinate tables (simplified beyond).
    map_figure
        Embed the map of the zones.
    progress
        Called with the name of each step.

    Returns
    -------
    AnnexResult
    """
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise ZoningError(f"the annex must be a .docx file (got {out.name})", f"use e.g. --out {out.with_suffix('.docx').name}")
    step = progress or (lambda _: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    step("reading the build")
    build = as_build(build)
    lap("read")
    step("tables and coordinates")
    data = annex_data(build, decision, province_name, max_vertices)
    lap("tables")
    png = None
    if map_figure:
        step("map")
        from zoning.outputs.figure import zone_map_png

        png = zone_map_png(build, illustrative=data.illustrative)
        lap("map")
    step("Word document")
    with atomic_path(out) as tmp:
        write_docx(data, tmp, png)
    lap("docx")
    result = AnnexResult(docx=out, notices=data.notices, timings_s=timings)
    if xlsx:
        step("workbook")
        result.xlsx = out.with_suffix(".xlsx")
        with atomic_path(result.xlsx) as tmp:
            write_xlsx(data, tmp)
        lap("xlsx")
    if pdf:
        step("PDF (LibreOffice)")
        from zoning.outputs.office import convert_to_pdf, pdf_page_count

        try:
            result.pdf = convert_to_pdf(out, out.with_suffix(".pdf"))
        except ZoningError as error:
            written = ", ".join(str(p) for p in (result.docx, result.xlsx) if p)
            raise ZoningError(error.message, f"{error.hint}; already written: {written}" if error.hint else f"already written: {written}") from None
        result.pages = pdf_page_count(result.pdf)
        lap("pdf")
    return result
