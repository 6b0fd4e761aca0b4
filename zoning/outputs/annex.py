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
:func:`annex_data` computes every table (no file); :func:`write_annex` writes them to a
Word document (:mod:`zoning.outputs.docx`), on request to a workbook
(:mod:`zoning.outputs.xlsx`) and to PDF through LibreOffice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.model import Build, as_build
from zoning.builder.units import in_force, other_criteria
from zoning.errors import ZoningError
from zoning.files import atomic_path, check_output
from zoning.inputs.catalogue import load_catalogue
from zoning.inputs.crs import describe
from zoning.inputs.text import clean_option
from zoning.outputs.docx import write_docx
from zoning.outputs.xlsx import Sheet, write_workbook

ANNEX_NUMBERS = {"strict": "I", "emission_limited": "II"}  # zone → its annex, in the order of the annexes
ANNEX_ZONES = tuple(ANNEX_NUMBERS)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")
MAX_VERTICES = 200  # per ring, in the coordinate tables
SIMPLIFY_STEPS_M = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
DECISION_BLANK = "số …/QĐ-UBND ngày … tháng … năm …"
NOTE_UNCONFIRMED = "Tiêu chí chưa được xác nhận (không phải quy định pháp luật đã đối chiếu)."
NOTE_PROPOSED = "Đề xuất, chưa có ranh giới pháp lý: không thuộc vùng, không tính vào Tổng cộng."
NOTE_ILLUSTRATIVE = "Dữ liệu minh họa."
PROPOSED_GROUP = "Khu vực đề xuất, chưa có ranh giới pháp lý (không tính vào Tổng cộng)"
STATUS_MARKS = {"unconfirmed": " (chưa xác nhận)", "proposed": " (đề xuất)"}  # after a citation in a unit row


# ---------------------------------------------------------------------------- tables


@dataclass
class AnnexTable:
    """One table of the annexes: cells are text, numbers (printed with two decimals) or None.

    ``kinds`` names each row: ``unit``, ``group`` (criterion subtotal), ``commune``,
    ``outside`` (land outside the commune polygons), ``total``, ``proposed_group`` and
    ``proposed`` (proposed designations, after the total and not in it). ``annex`` is the
    number of the annex the table is in (``I``, ``II``, ``III``).
    """

    caption: str
    columns: list[str]
    widths_mm: list[float]
    rows: list[list[str | float | None]]
    kinds: list[str]
    annex: str
    notes: list[str] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        """``Phụ lục <annex>``: the name of its sheet in the workbook."""
        return f"Phụ lục {self.annex}"


@dataclass
class AnnexData:
    """Everything the annexes show, computed once from a build."""

    province: str
    decision: str
    zone_tables: dict[str, AnnexTable]
    zone_area_ha: dict[str, float]
    summary: AnnexTable
    units: pd.DataFrame  # the units in force of the annexes in table order, with stt, location and annex
    proposed: pd.DataFrame  # the proposed units (no legal boundary yet), listed apart and given no coordinates
    coordinates: pd.DataFrame  # unit_id, part, ring (0 = outer), point, northing, easting (m, 2 decimals)
    simplification: pd.DataFrame  # unit_id, vertices, points, tolerance_m
    crs_text: str
    crs_short: str
    notices: list[str]
    conventions: list[str]
    coordinate_conventions: list[str]  # of the coordinate tables (Phụ lục IV)
    illustrative: bool
    build_id: str
    max_vertices: int

    @property
    def territory(self) -> str:
        """``tỉnh X`` (or ``thành phố X`` for a centrally governed city)."""
        if self.province.lower().startswith("thành phố "):
            return f"thành phố {self.province[len('thành phố '):]}"
        return f"tỉnh {self.province}"

    @property
    def committee(self) -> str:
        """``Ủy ban nhân dân tỉnh X`` (or ``thành phố X``): who issues the decision."""
        return f"Ủy ban nhân dân {self.territory}"


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
    units["proposed"] = ~in_force(units)
    units = units.sort_values(["proposed", "zone_order", "order", "unit_id"], kind="stable").reset_index(drop=True)
    units["stt"] = units.groupby("zone").cumcount() + 1
    units["annex"] = units["zone"].map(ANNEX_NUMBERS)
    units["location"] = [
        ", ".join(commune_names.get(code, code) for code in str(codes).split(",") if code) for codes in units["commune_codes"]
    ]
    units["illustrative"] = units["illustrative"].astype(bool)
    units["citations"], units["overlaps"] = _all_criteria(units, other_criteria(build.lineage), criteria)
    proposed, units = units[units["proposed"]].reset_index(drop=True), units[~units["proposed"]].reset_index(drop=True)

    zone_tables = {zone: _zone_table(zone, units[units["zone"] == zone], proposed[proposed["zone"] == zone], criteria, zone_area.get(zone, 0.0))
                   for zone in ANNEX_ZONES}
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
        proposed=proposed,
        coordinates=coordinates,
        simplification=simplification,
        crs_text=crs_text,
        crs_short=crs_short,
        notices=_notices(build, criteria),
        conventions=_conventions(build, crs_text, max_vertices),
        coordinate_conventions=_coordinate_conventions(simplification, crs_text, max_vertices, build.build_id),
        illustrative=illustrative,
        build_id=build.build_id,
        max_vertices=max_vertices,
    )


def _all_criteria(units: pd.DataFrame, others: pd.DataFrame, criteria: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Per unit, every criterion in force its land meets (its own first, then the others of
    the lineage, each citation once, marked when unconfirmed), and its overlaps with other
    features, proposed designations included: ``Trong đó … ha trùng với …``.
    """
    by_unit = dict(tuple(others.groupby("unit_id", sort=False)))
    citations, overlaps = [], []
    for unit in units.itertuples():
        cited = {unit.citation_vi: STATUS_MARKS.get(unit.status, "")}
        lines = []
        for other in by_unit.get(unit.unit_id, others.iloc[:0]).itertuples():
            known = other.criterion in criteria.index
            citation = criteria.loc[other.criterion, "citation_vi"] if known else other.criterion
            if other.status != "proposed":
                cited.setdefault(citation, STATUS_MARKS.get(other.status, ""))
            if (other.source_layer, str(other.source_id)) == (unit.source_layer, str(unit.source_id)):
                continue  # the same feature under another criterion: cited, not an overlap
            zone = f"; {terms.zone_name(other.zone).lower()}" if other.zone != unit.zone else ""
            lines.append(f"Trong đó {terms.quantity(other.overlap_ha, 'area_ha')} trùng với {other.name} "
                f"({citation}{STATUS_MARKS.get(other.status, '')}{zone}).")
        citations.append(";\n".join(f"{c}{mark}" for c, mark in cited.items()))
        overlaps.append("\n".join(lines))
    return citations, overlaps


def _zone_table(zone: str, units: pd.DataFrame, proposed: pd.DataFrame, criteria: pd.DataFrame, zone_area_ha: float) -> AnnexTable:
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
                         unit.citations, _unit_notes(unit)])
            kinds.append("unit")
    total = round(zone_area_ha, 2)
    rows.append(["", "Tổng cộng", "", total, "", ""])
    kinds.append("total")
    if len(proposed):
        rows.append(["", PROPOSED_GROUP, "", round(float(proposed["area_ha"].sum()), 2), "", NOTE_PROPOSED])
        kinds.append("proposed_group")
        for unit in proposed.itertuples():
            rows.append([str(unit.stt), f"{unit.name} (mã {unit.unit_id})", unit.location, round(float(unit.area_ha), 2),
                         unit.citations, _unit_notes(unit)])
            kinds.append("proposed")
        notes.append(f"{PROPOSED_GROUP}: khu vực mà Kế hoạch, quy hoạch đề nghị xác lập nhưng chưa có ranh giới pháp lý; chỉ gồm phần "
                     "diện tích chưa thuộc vùng nào đã có hiệu lực, được liệt kê riêng và không tính vào diện tích vùng.")
    unit_sum = round(sum(r[3] for r, k in zip(rows, kinds) if k == "unit"), 2)
    group_sum = round(sum(r[3] for r, k in zip(rows, kinds) if k == "group"), 2)
    notes.append(f"Tổng cộng là diện tích {terms.zone_name(zone).lower()} trong kết quả phân vùng, làm tròn đến 0,01 ha.")
    if unit_sum != total or group_sum != total:
        notes.append(
            f"Do làm tròn từng dòng, tổng các dòng là {terms.number(unit_sum)} ha (các dòng cộng theo tiêu chí: "
            f"{terms.number(group_sum)} ha), chênh {terms.number(abs(unit_sum - total))} ha so với tổng cộng."
        )
    caption = f"Danh mục các khu vực thuộc {terms.zone_name(zone).lower()}"
    columns = ["STT", "Tên khu vực", "Vị trí (xã, phường)", "Diện tích (ha)", "Tiêu chí và căn cứ", "Ghi chú"]
    return AnnexTable(caption, columns, [12, 62, 55, 25, 50, 48], rows, kinds, ANNEX_NUMBERS[zone], notes)


def _unit_notes(unit) -> str:
    notes = []
    if unit.status == "proposed":
        notes.append(NOTE_PROPOSED)
    elif unit.status != "confirmed":
        notes.append(NOTE_UNCONFIRMED)
    if unit.overlaps:
        notes.append(unit.overlaps)
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
    return AnnexTable("Diện tích các vùng theo xã, phường", columns, [12, 52, 29, 19, 29, 19, 29, 19, 30], rows, kinds, "III", notes)


def _notices(build: Build, criteria: pd.DataFrame) -> list[str]:
    """Honesty notices: illustrative data, unconfirmed criteria and assumptions (from the
    manifest), then the urban classes applied, plan conflicts and proposed designations.
    """
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
    return notices + build.notices("vi")


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


def _coordinate_conventions(simplification: pd.DataFrame, crs_text: str, max_vertices: int, build_id: str) -> list[str]:
    """How to read the coordinate tables, and which units were simplified for them."""
    simplified = simplification[simplification["tolerance_m"] > 0]
    lines = [
        f"Tọa độ theo {crs_text}, là hệ tọa độ của kết quả phân vùng; đơn vị mét, làm tròn đến 0,01 m.",
        "X là tọa độ theo hướng Bắc (northing), Y là tọa độ theo hướng Đông (easting), theo quy ước của bản đồ địa chính.",
        "Mỗi khu vực gồm một hoặc nhiều phần (đa giác) rời nhau; mỗi phần có một đường bao ngoài và có thể có các đường bao "
        "trong (phần diện tích nằm bên trong nhưng không thuộc khu vực). Điểm được đánh số liên tục trong từng khu vực theo thứ tự "
        "trên đường bao; mỗi đường bao khép kín từ điểm cuối về điểm đầu của nó.",
    ]
    if len(simplified):
        lines.append(
            f"Tại {len(simplified)} khu vực, đường bao có trên {max_vertices} điểm được giản lược cho bảng tọa độ (thuật toán "
            f"Douglas–Peucker, dung sai nhỏ nhất trong các mức {'; '.join(terms.number(v, 1).removesuffix(',0') for v in SIMPLIFY_STEPS_M[:10])}… m "
            f"để còn không quá {max_vertices} điểm, ghi ở dòng đầu của đường bao); các điểm "
            "giữ lại là điểm thật của ranh giới và ranh giới thật cách đường bao giản lược không quá dung sai. Ranh giới đầy đủ có trong tệp kết quả "
            f"phân vùng (mã {build_id}, lớp units). Không dùng bảng đã giản lược để tính lại diện tích."
        )
    return lines


# ------------------------------------------------------------------------- workbook


def annex_sheets(data: AnnexData) -> list[Sheet]:
    """The annexes as workbook sheets: the tables of Phụ lục I–III, the coordinates, the notes."""
    sheets = [
        Sheet(table.sheet, table.rows, title=f"Bảng {number}. {table.caption} ({table.sheet}, {data.territory})", header=table.columns,
              bold_rows=[kind in ("group", "total", "proposed_group") for kind in table.kinds], wrap=True, notes=table.notes,
              widths=[max(8, width_mm / 2) for width_mm in table.widths_mm], freeze="A3")
        for number, table in enumerate([*data.zone_tables.values(), data.summary], start=1)
    ]
    points = data.coordinates.merge(data.units[["unit_id", "annex", "stt", "name"]], on="unit_id")
    columns = ["annex", "stt", "unit_id", "name", "part", "ring", "point", "northing", "easting", "tolerance_m", "ring_vertices"]
    rows = [[row.annex, int(row.stt), row.unit_id, row.name, int(row.part), int(row.ring), int(row.point),
             float(row.northing), float(row.easting), float(row.tolerance_m), int(row.ring_vertices)]
            for row in points[columns].itertuples(index=False)]
    header = ["Phụ lục", "STT", "Mã khu vực", "Tên khu vực", "Phần", "Đường bao (0 = ngoài, k = trong thứ k)", "Điểm",
              "X (m) – hướng Bắc", "Y (m) – hướng Đông", "Dung sai giản lược đường bao (m, 0 = không giản lược)",
              "Số điểm của đường bao đầy đủ"]
    sheets.append(Sheet("Phụ lục IV – Tọa độ", rows, title=f"Tọa độ các điểm ranh giới, {data.crs_text}. X hướng Bắc, Y hướng Đông, đơn vị mét.",
                        header=header, number_columns=(7, 8), widths=(8, 6, 10, 50, 6, 14, 7, 16, 14, 14, 12), freeze="A3"))
    notes = [f"(Kèm theo Quyết định {data.decision} của {data.committee})", ""] + data.notices + [""] + data.conventions
    sheets.append(Sheet("Ghi chú", [[line] for line in notes], number_columns=(), widths=(160,)))
    return sheets


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
    sources = build.sources()
    for path in (out, out.with_suffix(".xlsx") if xlsx else None, out.with_suffix(".pdf") if pdf else None):
        if path is not None:
            check_output(path, sources)
    lap("read")
    step("tables and coordinates")
    cleaned: list[str] = []  # options typed or pasted with control characters
    decision, province_name = clean_option(decision, "--decision", cleaned), clean_option(province_name, "--province-name", cleaned)
    data = annex_data(build, decision, province_name, max_vertices)
    lap("tables")
    png = None
    if map_figure:
        step("map")
        from zoning.outputs.figure import zone_map_png

        png = zone_map_png(build, illustrative=data.illustrative)
        lap("map")
    step("Word document")
    with atomic_path(out, sources) as tmp:
        write_docx(data, tmp, png)
    lap("docx")
    result = AnnexResult(docx=out, notices=[*cleaned, *data.notices], timings_s=timings)
    if xlsx:
        step("workbook")
        result.xlsx = out.with_suffix(".xlsx")
        with atomic_path(result.xlsx, sources) as tmp:
            write_workbook(tmp, annex_sheets(data))
        lap("xlsx")
    if pdf:
        step("PDF (LibreOffice)")
        _write_pdf(result)
        lap("pdf")
    return result


def _write_pdf(result: AnnexResult) -> None:
    """Convert the .docx to PDF beside it; on failure, name the files already written."""
    from zoning.outputs.office import convert_to_pdf, pdf_page_count

    try:
        result.pdf = convert_to_pdf(result.docx, result.docx.with_suffix(".pdf"))
    except ZoningError as error:
        written = ", ".join(str(p) for p in (result.docx, result.xlsx) if p)
        raise ZoningError(error.message, f"{error.hint}; already written: {written}" if error.hint else f"already written: {written}") from None
    result.pages = pdf_page_count(result.pdf)
