"""The annexes of the provincial decision fixing the location and boundaries of the zones.

ND08 Art. 23(3): the provincial People's Committee decides the location and boundaries of
the strict protection and emission-limited zones. This module writes the annexes of that
decision from a build, so that the tables, the coordinates and the map come from the same
geometry:

- Phụ lục I / II: one row per unit of the strict / emission-limited zone (code, name, 2025
  communes and wards, area, the other criteria it meets, notes) under the heading of its
  criterion (title and citation, once, and the subtotal), and a total equal to the zone's
  area in the build;
- Phụ lục III: the area of each zone per commune and for the province, and the map;
- Phụ lục IV: the boundary points of every unit in the build's VN-2000 / TM-3 CRS, by the
  coordinate policy of the map scale (:class:`CoordinatePolicy`); the full boundaries go
  out as the decision's digital dataset (:mod:`zoning.outputs.dataset`), whose SHA-256 the
  annex prints.

An annex of a build that uses illustrative data, unconfirmed criteria, proposed
designations or unresolved plan conflicts, or that leaves land outside every commune, is a
draft (:func:`draft_reasons`): "DỰ THẢO" on every page, the reasons on the first; a final
annex (``final=True``) is refused while any holds.

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
from zoning.builder.communes import require_every_hectare_in_a_commune
from zoning.builder.model import Build, as_build
from zoning.builder.units import in_force, other_criteria
from zoning.builder.urban import zone_by_reading
from zoning.errors import ZoningError
from zoning.files import atomic_path, check_output
from zoning.inputs.catalogue import load_catalogue
from zoning.inputs.reference import format_meridian
from zoning.inputs.text import clean_option
from zoning.outputs.annex_described import described_units
from zoning.outputs.annex_model import (
    ANNEX_NUMBERS,
    ANNEX_ZONES,
    COVERAGE_BISECTIONS,
    CREDIT_RULE,
    DECISION_BLANK,
    DEFAULT_SCALE,
    AnnexData,
    AnnexTable,
    CoordinatePolicy,
    crs_label_vi,
    metres,
)
from zoning.outputs.annex_proposed import proposed_table
from zoning.outputs.annex_workbook import annex_sheets
from zoning.outputs.annex_zones import all_criteria, group_headings, zone_table
from zoning.outputs.dataset import DigitalDataset, dataset_paths, write_dataset
from zoning.outputs.docx import write_docx
from zoning.outputs.xlsx import Sheet, write_workbook


def simplify_coverage(geometries: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The units simplified together so that neighbours keep their shared edges, each within ``tolerance_m``.

    :func:`shapely.coverage_simplify` removes vertices (Visvalingam–Whyatt) edge by edge,
    so a boundary two units share is simplified once and stays shared, and the result has
    no new crossings. Its parameter does not bound the distance to the real boundary, so
    the largest parameter whose result stays within ``tolerance_m`` of every unit
    (Hausdorff distance, exact here since the points kept are vertices of the boundary) is
    searched by bisection.

    Returns
    -------
    simplified, deviation_m
        The simplified geometries and, per unit, the largest distance between its real and
        simplified boundary.
    """

    def attempt(parameter: float) -> tuple[np.ndarray, np.ndarray]:
        simplified = shapely.coverage_simplify(geometries, parameter) if parameter > 0 else geometries
        return simplified, shapely.hausdorff_distance(geometries, simplified)

    best = attempt(0.0)
    if not len(geometries):  # a province with no unit: nothing to simplify
        return best
    low, high = 0.0, tolerance_m
    candidate = attempt(high)
    if candidate[1].max() <= tolerance_m:
        return candidate
    for _ in range(COVERAGE_BISECTIONS):
        middle = (low + high) / 2
        candidate = attempt(middle)
        if candidate[1].max() <= tolerance_m:
            best, low = candidate, middle
        else:
            high = middle
    return best


def boundary_points(units: gpd.GeoDataFrame, policy: CoordinatePolicy, described: set[str] | frozenset[str] = frozenset()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The boundary vertices each unit lists in the annex, under a coordinate policy.

    Parameters
    ----------
    units
        Units with ``unit_id``, ``area_ha`` and (multi)polygon geometry in a projected CRS (metres).
    policy
        The scale, hence the tolerance (the same for every unit) and the printed precision.

    Returns
    -------
    points, simplification
        ``points``: unit_id, part (1…), ring (0 = outer ring, k = k-th hole), point
        (numbered 1… through the unit), northing, easting (metres, to the policy's
        decimals) of the listed units; the closing vertex of a ring is not repeated.
        ``simplification``: per unit, the vertices of its real boundary, the points kept,
        the tolerance, the largest deviation of the printed points from the real boundary
        (at most the simplification's plus the rounding's) and whether its coordinates are listed.
    """
    from zoning.outputs.dataset import all_vertices

    simplified, deviation = simplify_coverage(units.geometry.to_numpy(), policy.tolerance_m - policy.rounding_m)
    kept = gpd.GeoDataFrame({"unit_id": units["unit_id"].to_numpy()}, geometry=simplified, crs=units.crs)
    points = all_vertices(kept)
    points[["northing", "easting"]] = points[["northing", "easting"]].round(policy.decimals)
    listed = np.ones(len(units), bool) if policy.list_under_ha is None else units["area_ha"].to_numpy(float) < policy.list_under_ha
    listed &= ~units["unit_id"].isin(described).to_numpy()  # described by their rule (see annex_described)
    counts = points.groupby("unit_id", sort=False).size()
    simplification = pd.DataFrame(
        {
            "unit_id": units["unit_id"].to_numpy(),
            "vertices": all_vertices(units).groupby("unit_id", sort=False).size().reindex(units["unit_id"]).to_numpy(),
            "points": counts.reindex(units["unit_id"]).fillna(0).astype(int).to_numpy(),
            "tolerance_m": policy.tolerance_m,
            "deviation_m": deviation + policy.rounding_m,
            "listed": listed,
        }
    )
    return points[points["unit_id"].isin(simplification["unit_id"][listed])].reset_index(drop=True), simplification


def annex_data(
    build: Build,
    decision: str | None = None,
    province_name: str | None = None,
    policy: CoordinatePolicy | None = None,
    describe_by_rule: bool = True,
) -> AnnexData:
    """Compute every table of the annexes from a build (no file is written).

    ``describe_by_rule``: units defined by a distance from a line or a point are described
    by their rule in Phụ lục IV, without coordinates (see :mod:`zoning.outputs.annex_described`).

    ``policy``: the coordinate policy; default: the map scale of the build's province
    rules (``map_scale``), else 1:50.000, every unit listed.
    """
    policy = policy or CoordinatePolicy(default_scale(build))
    province = province_title(build, province_name)
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
    units["location"] = [", ".join(commune_names.get(code, code) for code in str(codes).split(",") if code) for codes in units["commune_codes"]]
    units["illustrative"] = units["illustrative"].astype(bool)
    units["by_reading"] = zone_by_reading(units, build.input_layer("urban_areas"), build.manifest.get("urban_classes") or {})
    headings = group_headings(units[~units["proposed"]])
    units["citations"], units["overlaps"], cited = all_criteria(units, other_criteria(build.lineage), criteria, headings)
    proposed, units = units[units["proposed"]].reset_index(drop=True), units[~units["proposed"]].reset_index(drop=True)
    proposed["stt"] = np.arange(1, len(proposed) + 1)  # numbered in their own list, in no zone's

    zone_tables = {
        zone: zone_table(zone, units[units["zone"] == zone], criteria, zone_area.get(zone, 0.0), cited)
        for zone in ANNEX_ZONES
    }
    described = described_units(units, criteria, _point_sources(build)) if describe_by_rule else described_units(units.iloc[:0], criteria)
    coordinates, simplification = boundary_points(units, policy, set(described["unit_id"]))
    manifest = build.manifest
    illustrative = bool(manifest.get("illustrative_layers"))  # then the first notice says so
    crs_text, crs_short = _crs_texts(build)
    summary = _summary_table(build, commune_names, zone_area)
    reasons = draft_reasons(build, criteria)
    return AnnexData(
        province=province,
        decision=_decision_text(decision),
        zone_tables=zone_tables,
        zone_area_ha={z: zone_area.get(z, 0.0) for z in ("strict", "emission_limited", "other")},
        summary=summary,
        units=units,
        proposed=proposed,
        proposed_table=proposed_table(proposed, build.lineage, criteria),
        coordinates=coordinates,
        simplification=simplification,
        described=described,
        crs_text=crs_text,
        crs_short=crs_short,
        notices=_notices(build, criteria),
        conventions=_conventions(crs_text, policy),
        illustrative=illustrative,
        build_id=build.build_id,
        policy=policy,
        technical_note=_technical_note(build),
        draft_reasons=reasons,
        draft_covered=(bool(manifest.get("illustrative_layers")) + bool(manifest.get("unconfirmed_criteria"))) if reasons else 0,
    )


def _point_sources(build: Build) -> set[tuple[str, str]] | None:
    """(layer, id) of the input features that are points, for the layers of point-radius criteria; None when unknown."""
    found: set[tuple[str, str]] = set()
    try:
        for layer in set(build.units["source_layer"]):
            if layer not in build.inputs:
                continue
            frame = build.inputs[layer]
            ids = frame["id"].astype(str) if "id" in frame else pd.Series(frame.index.astype(str), index=frame.index)
            points = frame.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
            found |= {(layer, i) for i in ids[points]}
    except Exception:  # noqa: BLE001 (an old build without its inputs: fall back to the assumption text)
        return None
    return found


def draft_reasons(build: Build, criteria: pd.DataFrame | None = None) -> list[str]:
    """Why an annex of this build can only be a draft (Vietnamese); empty when it may be issued.

    A build is not issuable while it uses illustrative data, unconfirmed criteria,
    proposed designations or unresolved plan conflicts. (Land outside every commune is
    refused outright: see :func:`zoning.builder.communes.require_every_hectare_in_a_commune`.)
    """
    if criteria is None:
        criteria = build.criteria.set_index("id") if len(build.criteria) else pd.DataFrame(columns=["title_vi", "citation_vi"])
    manifest = build.manifest
    reasons = []
    labels = _illustrative_labels(manifest)
    if labels:
        reasons.append("Dữ liệu minh họa, không phải số liệu điều tra, đo đạc: " + "; ".join(labels) + ".")
    unconfirmed = manifest.get("unconfirmed_criteria") or []
    if unconfirmed:
        items = [f"{criteria.loc[c, 'title_vi']} ({criteria.loc[c, 'citation_vi']})" if c in criteria.index else c for c in unconfirmed]
        reasons.append("Tiêu chí chưa xác nhận (chưa đối chiếu văn bản hoặc nguồn là dự thảo): " + "; ".join(items) + ".")
    assumed = assumed_geometries(build.units)
    if assumed:
        reasons.append("Hình học giả định, không phải ranh giới trong hồ sơ của khu vực: "
                       + "; ".join(f"{text} ({count} khu vực)" for text, count in assumed.items()) + ".")
    draft = manifest.get("draft_source") or {}
    if draft.get("units"):
        reasons.append(f"{draft['units']} khu vực ({terms.quantity(draft['area_ha'], 'area_ha')}) chỉ dựa trên văn bản dự thảo: "
                       "Quyết định không thể dẫn chiếu dự thảo.")
    proposed = manifest.get("proposed") or {}
    if proposed.get("units"):
        reasons.append(f"{proposed['units']} khu vực đề xuất chưa có ranh giới pháp lý ({terms.quantity(proposed['area_ha'], 'area_ha')}).")
    province = manifest.get("province") or {}
    table_meridian, applied = province.get("table_meridian"), province.get("central_meridian")
    if province.get("meridian_source") == "user" and table_meridian is not None and applied is not None and applied != table_meridian:
        reasons.append(f"Kinh tuyến trục {format_meridian(applied)} (--central-meridian) khác kinh tuyến trục {format_meridian(table_meridian)} "
                       f"của {province.get('full_name_vi') or province.get('name_vi')} trong bảng tỉnh: tọa độ ranh giới không theo hệ tọa độ "
                       "của tỉnh.")
    conflicts = build.conflicts
    if conflicts is not None and len(conflicts) and "status" in conflicts:
        unresolved = conflicts[conflicts["status"] == "unresolved"]
        for conflict in unresolved.itertuples():
            reasons.append(
                f"Mâu thuẫn chưa giải quyết giữa các văn bản: {conflict.features} đối tượng "
                f"({terms.quantity(conflict.area_ha, 'area_ha')}) được xếp vào cả hai vùng."
            )
    return reasons


def assumed_geometries(units: pd.DataFrame) -> dict[str, int]:
    """Each assumed geometry (a default circle, channel or corridor width) of the units in
    force, in short (its clause up to "do" or "theo"), with the number of units using it.
    """
    if "assumption" not in units or not len(units):
        return {}
    counts: dict[str, int] = {}
    for text in units.loc[in_force(units), "assumption"].fillna(""):
        for clause in dict.fromkeys(_clauses(str(text))):
            counts[clause] = counts.get(clause, 0) + 1
    return counts


def _clauses(text: str) -> list[str]:
    """The clauses of an assumption text (split at "; " outside parentheses), each cut before its reason."""
    clauses, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith("; ", i):
            clauses.append(text[start:i])
            start = i + 2
    clauses.append(text[start:])
    short = []
    for clause in (c.strip() for c in clauses if "mặc định" in c):  # the assumed values, not their legal explanation
        cut = min((clause.find(word) for word in (" do ", " theo ", " (") if clause.find(word) > 0), default=len(clause))
        short.append(clause[:cut])
    return short


def _illustrative_labels(manifest: dict) -> list[str]:
    """The Vietnamese names of the layers a build marks as illustrative."""
    catalogue = load_catalogue()
    return [catalogue[k].label_vi if k in catalogue else k for k in manifest.get("illustrative_layers") or []]


def refuse_draft(reasons: list[str]) -> None:
    """Raise the error of ``--final`` on a build that can only give a draft, listing why."""
    listed = "\n".join(f"  – {reason}" for reason in reasons)
    raise ZoningError(
        (
            f"không thể lập phụ lục chính thức (--final) vì kết quả phân vùng còn là dự thảo, do:\n{listed}",
            f"cannot write a final annex (--final): the build is still a draft, because (in Vietnamese, as the annex states it):\n{listed}",
        ),
        (
            "xử lý từng lý do nêu trên rồi lập lại kết quả phân vùng, hoặc bỏ --final để lập bản dự thảo",
            "resolve each reason above and rebuild, or drop --final to write a draft",
        ),
    )


def _summary_table(build: Build, commune_names: dict[str, str], zone_area: dict[str, float]) -> AnnexTable:
    summary = build.commune_summary
    require_every_hectare_in_a_commune(summary)
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
    whole = f"Toàn {build.province_word[0]}"
    row("", whole, province_areas, sum(province_areas), "total")
    qa = build.manifest.get("qa") or {}
    coverage = (
        f"ba vùng phủ kín diện tích {build.province_word[0]} ({terms.number(qa['province_ha'])} ha), không chồng lấn (kiểm tra của kết quả phân vùng: đạt)"
        if qa.get("passed")
        else "CẢNH BÁO: kiểm tra phủ kín, không chồng lấn của kết quả phân vùng KHÔNG ĐẠT, xem báo cáo kết quả phân vùng"
    )
    notes = [
        f"Tỷ lệ (%) là tỷ lệ diện tích của vùng so với diện tích của xã, phường (dòng {whole}: so với diện tích {build.province_word[0]}).",
        f"Dòng {whole} là diện tích các vùng trong kết quả phân vùng; {coverage}.",
    ]
    if "outside" in kinds:
        notes.append(
            f"Dòng “Ngoài ranh giới xã” là phần diện tích {build.province_word[0]} nằm ngoài các đa giác xã, phường (sai lệch giữa dữ liệu ranh giới "
            f"{build.province_word[0]} và ranh giới xã)."
        )
    body = [r for r, k in zip(rows, kinds) if k != "total"]
    for column, label in ((2, "vùng bảo vệ nghiêm ngặt"), (4, "vùng hạn chế phát thải"), (6, "vùng khác"), (8, "tổng diện tích")):
        column_sum = round(sum(r[column] for r in body), 2)
        if column_sum != rows[-1][column]:
            notes.append(
                f"Do làm tròn từng dòng, cột {label} cộng lại được {terms.number(column_sum)} ha, "
                f"chênh {terms.number(abs(column_sum - rows[-1][column]))} ha so với dòng {whole}."
            )
    columns = [
        "STT",
        "Xã, phường",
        "Vùng bảo vệ nghiêm ngặt (ha)",
        "Tỷ lệ (%)",
        "Vùng hạn chế phát thải (ha)",
        "Tỷ lệ (%)",
        "Vùng khác (ha)",
        "Tỷ lệ (%)",
        "Tổng diện tích (ha)",
    ]
    return AnnexTable("Diện tích các vùng theo xã, phường", columns, [12, 52, 29, 19, 29, 19, 29, 19, 30], rows, kinds, "III", notes)


def _notices(build: Build, criteria: pd.DataFrame) -> list[str]:
    """Honesty notices: illustrative data, unconfirmed criteria and assumptions (from the
    manifest), then the urban classes applied, plan conflicts and proposed designations.
    """
    manifest = build.manifest
    notices = []
    labels = _illustrative_labels(manifest)
    if labels:
        notices.append(
            "DỮ LIỆU MINH HỌA – KHÔNG DÙNG ĐỂ RA QUYẾT ĐỊNH: các lớp dữ liệu sau là dữ liệu vẽ minh họa, "
            "không phải số liệu điều tra, đo đạc: " + "; ".join(labels) + "."
        )
    unconfirmed = manifest.get("unconfirmed_criteria") or []
    if unconfirmed:
        items = [f"{criteria.loc[c, 'title_vi']} ({criteria.loc[c, 'citation_vi']})" if c in criteria.index else c for c in unconfirmed]
        notices.append(
            "TIÊU CHÍ CHƯA XÁC NHẬN (chưa đối chiếu văn bản hoặc nguồn là dự thảo; không phải quy định pháp luật đã được "
            "đối chiếu): " + "; ".join(items) + "."
        )
    assumed = int(manifest.get("assumed_units") or 0)
    if assumed:
        notices.append(f"Có {assumed} khu vực dùng giá trị giả định (ví dụ bề rộng, bán kính mặc định) do dữ liệu chưa ghi nhận; xem cột Ghi chú.")
    return notices + _law_notices(build)


def _law_notices(build: Build) -> list[str]:
    """The build's notices of the law it applies, the urban classes named without the input's field name."""
    urban = build.manifest.get("urban_classes") or {}
    notices = build.notices("vi")
    if urban.get("text_vi") and urban.get("in_force_from"):
        year, month, day = urban["in_force_from"].split("-")
        legal = terms.message(
            "urban_classes", "legal_vi", classification=urban["classification_vi"], citation=urban["citation_vi"], date=f"{day}/{month}/{year}"
        )
        notices = [legal if notice == urban["text_vi"] else notice for notice in notices]
    return notices


def default_scale(build: Build) -> int:
    """The scale of the map the decision adopts: the province rules' ``map_scale``, else :data:`DEFAULT_SCALE`."""
    return int((build.manifest.get("province") or {}).get("map_scale") or DEFAULT_SCALE)


def _conventions(crs_text: str, policy: CoordinatePolicy) -> list[str]:
    return [
        "Số liệu viết theo quy ước Việt Nam: dấu chấm (.) phân cách hàng nghìn, dấu phẩy (,) phân cách phần thập phân (ví dụ 1.654,44 ha).",
        f"Diện tích tính trên mặt phẳng chiếu của {crs_text}, đơn vị héc-ta (ha), làm tròn đến 0,01 ha. Dòng Tổng cộng "
        "của mỗi vùng là diện tích vùng trong kết quả phân vùng; các khu vực không chồng lấn nhau và cộng lại bằng diện tích vùng.",
        "Vị trí ghi theo đơn vị hành chính cấp xã (xã, phường) sau sắp xếp năm 2025.",
        CREDIT_RULE,
        f"Tọa độ ranh giới (Phụ lục IV) theo {crs_text}, thể hiện theo bản đồ tỷ lệ 1:{terms.number(policy.scale, 0)} "
        f"với dung sai {metres(policy.tolerance_m)}; ranh giới đầy đủ là bộ dữ liệu số kèm theo Quyết định.",
    ]


def _technical_note(build: Build) -> list[str]:
    """Where the annex comes from, in words the reader uses: the build's code (the software
    and its methods are named in the build manifest and the digital dataset, not here).
    """
    return [
        f"Kết quả phân vùng mã {build.manifest.get('build_id', '')}; ranh giới đầy đủ và nguồn gốc dữ liệu ghi trong bộ dữ liệu số kèm theo.",
        "Bảng tọa độ: lược bớt điểm ranh giới đồng thời cho mọi khu vực (các khu vực liền kề giữ chung một đường ranh giới), "
        "bảo đảm độ lệch lớn nhất so với ranh giới đầy đủ, cộng sai số làm tròn, không vượt quá dung sai.",
    ]


def _crs_texts(build: Build) -> tuple[str, str]:
    """Long Vietnamese description of the build CRS and a short label."""
    crs = build.crs
    short = crs_label_vi(crs)
    params: dict[str, float] = {p.name: float(p.value) for p in crs.coordinate_operation.params} if crs.coordinate_operation else {}
    meridian = params.get("Longitude of natural origin")
    scale = params.get("Scale factor at natural origin")
    if meridian is None or scale is None:
        return f"hệ tọa độ {short}", short
    degrees = int(meridian)
    minutes = round((meridian - degrees) * 60)
    datum = crs.geodetic_crs.name if crs.geodetic_crs else ""
    return (  # in the words of Circular 973/2001/TT-TCĐC: no English projection name, no registry code
        f"hệ tọa độ quốc gia {datum}, lưới chiếu UTM, múi chiếu 3°, kinh tuyến trục {degrees}°{minutes:02d}′, "
        f"hệ số tỷ lệ k = {terms.number(scale, 4)}",
        short,
    )


def province_title(build: Build, given: str | None) -> str:
    """The province's name without "Tỉnh" ("Thành phố Hà Nội" for a city): given, else the build's."""
    name = (given or "").strip()
    name = name[5:] if name.lower().startswith("tỉnh ") else name
    if name and build.province_word[0] == "thành phố" and not name.lower().startswith("thành phố "):
        name = f"Thành phố {name}"
    return name or build.province_title or "…"


def _decision_text(decision: str | None) -> str:
    if not decision or not decision.strip():
        return DECISION_BLANK
    decision = decision.strip()
    if decision.lower().startswith("quyết định"):  # "Quyết định số 125/QĐ-UBND …": the heading says "Quyết định" already
        decision = decision[len("quyết định") :].strip()
    return decision if decision.lower().startswith("số") else f"số {decision}"


# --------------------------------------------------------------------------- the job


@dataclass
class AnnexResult:
    """The files written and what it took."""

    docx: Path
    xlsx: Path | None = None
    pdf: Path | None = None
    pages: int | None = None
    dataset: DigitalDataset | None = None
    simplification: pd.DataFrame | None = None  # per unit: vertices, points, tolerance, deviation, listed
    draft_reasons: list[str] = field(default_factory=list)  # empty: a final annex
    notices: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)


class Laps:
    """Seconds between calls, by name: ``lap("tables")`` records the time since the last lap."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        """Record the seconds since the last lap under ``name``."""
        now = time.perf_counter()
        self.timings[name] = round(now - self._clock, 3)
        self._clock = now


def write_annex(
    build: str | Path | Build,
    out: str | Path,
    *,
    pdf: bool = False,
    xlsx: bool = False,
    decision: str | None = None,
    province_name: str | None = None,
    policy: CoordinatePolicy | None = None,
    map_figure: bool = True,
    final: bool = False,
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
    policy
        The coordinate policy (map scale, units listed); default: the map scale of the
        build's province rules, else 1:50.000, every unit listed. The full-precision
        boundaries are written beside ``out`` as the digital dataset
        (:func:`zoning.outputs.dataset.dataset_paths`), whose SHA-256 the annex prints.
    map_figure
        Embed the map of the zones.
    final
        Write the annex to be issued: refused (:class:`ZoningError` listing the reasons)
        while the build can only give a draft (:func:`draft_reasons`). Otherwise, a draft
        annex is marked "DỰ THẢO" on every page with its reasons on the first page.
    progress
        Called with the name of each step.

    Returns
    -------
    AnnexResult
    """
    out = annex_path(out)
    step = progress or (lambda _: None)
    lap = Laps()
    timings = lap.timings

    step("reading the build")
    build = as_build(build)
    if final:
        reasons = draft_reasons(build)
        if reasons:
            refuse_draft(reasons)
    sources = build.sources()
    for path in (out, *dataset_paths(out), out.with_suffix(".xlsx") if xlsx else None, out.with_suffix(".pdf") if pdf else None):
        if path is not None:
            check_output(path, sources)
    lap("read")
    step("tables and coordinates")
    cleaned: list[str] = []  # options typed or pasted with control characters
    decision, province_name = clean_option(decision, "--decision", cleaned), clean_option(province_name, "--province-name", cleaned)
    data = annex_data(build, decision, province_name, policy)
    lap("tables")
    step("digital dataset")
    write_annex_dataset(data, out, sources)
    lap("dataset")
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
    result = AnnexResult(
        docx=out,
        dataset=data.dataset,
        simplification=data.simplification,
        draft_reasons=data.draft_reasons,
        notices=[*cleaned, *data.notices],
        timings_s=timings,
    )
    return write_beside(result, lambda: annex_sheets(data), sources, xlsx=xlsx, pdf=pdf, step=step, lap=lap)


def write_beside(result: AnnexResult, sheets: Callable[[], list[Sheet]], sources, *, xlsx: bool, pdf: bool,
                 step: Callable[[str], None], lap: Laps) -> AnnexResult:
    """The workbook of the same tables and the PDF beside an annex's Word file, as asked."""
    if xlsx:
        step("workbook")
        result.xlsx = result.docx.with_suffix(".xlsx")
        with atomic_path(result.xlsx, sources) as tmp:
            result.notices += [f"{result.xlsx.name}, {cut}" for cut in write_workbook(tmp, sheets())]  # texts cut to Excel's cell limit
        lap("xlsx")
    if pdf:
        step("PDF (LibreOffice)")
        write_pdf(result)
        lap("pdf")
    return result


def write_annex_dataset(data: AnnexData, out: Path, sources=()) -> DigitalDataset:
    """Write the digital dataset of the units of ``data`` beside the annex ``out`` and keep it in ``data.dataset``."""
    data.dataset = write_dataset(data.units.assign(zone_vi=data.units["zone"].map(terms.zone_name)), out,
                                 f"Tọa độ đầy đủ các điểm ranh giới, {data.crs_text}. X hướng Bắc, Y hướng Đông, đơn vị mét.", sources)
    return data.dataset


def annex_path(out: str | Path) -> Path:
    """``out`` as a path, refused unless it names a Word document (.docx)."""
    out = Path(out)
    if out.suffix.lower() != ".docx":
        raise ZoningError((f"phụ lục phải là tệp .docx (đã cho {out.name})", f"the annex must be a .docx file (got {out.name})"),
                          (f"ví dụ dùng --out {out.with_suffix('.docx').name}", f"use e.g. --out {out.with_suffix('.docx').name}"))
    return out


def write_pdf(result: AnnexResult) -> None:
    """Convert the .docx to PDF beside it; on failure, name the files already written."""
    from zoning.outputs.office import convert_to_pdf, pdf_page_count

    try:
        result.pdf = convert_to_pdf(result.docx, result.docx.with_suffix(".pdf"))
    except ZoningError as error:
        written = ", ".join(str(p) for p in (result.docx, result.xlsx) if p)
        hint = (f"{error.hint_vi}; " if error.hint_vi else "", f"{error.hint_en}; " if error.hint_en else "")
        raise ZoningError((error.message_vi, error.message_en), (f"{hint[0]}đã ghi: {written}", f"{hint[1]}already written: {written}")) from None
    result.pages = pdf_page_count(result.pdf)
