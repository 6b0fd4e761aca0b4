"""The decision annexes, read back from the files written.

Expected values come from the build's GeoPackage read here with pyogrio and from
independent geometry (shapely intersections, a geodesic on WGS 84), or by hand for the
10 km × 10 km province of conftest.py — never from the annex code itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import numpy as np
import openpyxl
import pyogrio
import pytest
import shapely
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from pyproj import CRS, Geod
from typer.testing import CliRunner

from zoning import terms
from zoning.cli import app
from zoning.errors import ZoningError
from zoning.inputs.crs import WGS84, reproject
from zoning.outputs.annex import write_annex

from .conftest import X0, Y0

ARTEFACTS = Path(__file__).parent / "artefacts"
DECISION = "số 12/QĐ-UBND ngày 15/3/2027"
HEADER = "(Kèm theo Quyết định số 12/QĐ-UBND ngày 15/3/2027 của Ủy ban nhân dân tỉnh Cao Bằng)"
PHIA_OAC = "Phia Oắc – Phia Đén"
LIBREOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(LIBREOFFICE is None or shutil.which("pdftoppm") is None,
                                       reason="LibreOffice and poppler-utils are not installed")


# --------------------------------------------------------------------------- reading


def vn(text: str) -> float:
    """Parse a number printed in the Vietnamese convention (1.654,44)."""
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}", text), text
    return float(text.replace(".", "").replace(",", "."))


def read_tables(path: Path) -> dict[str, list[list[str]]]:
    """Every table of a .docx keyed by its caption ("Bảng n. …" and the lines up to the table), as rows of cell texts."""
    document = docx.Document(str(path))
    tables, caption = {}, None
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text
            if text.startswith("Bảng "):
                caption = text
            elif caption is not None:
                caption += "\n" + text
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            tables[caption] = [[_Cell(tc, table).text for tc in tr.tc_lst] for tr in child.tr_lst]
            caption = None
    return tables


def table_with(tables: dict, words: str) -> list[list[str]]:
    (rows,) = [rows for caption, rows in tables.items() if words in caption]
    return rows


def coordinate_tables(tables: dict) -> dict[str, dict]:
    """unit_id → {caption, rings: [[(point, X, Y), …], …], outer: [bool], tolerance: [metres or None]} per unit."""
    result = {}
    for caption, rows in tables.items():
        match = re.search(r"\(mã (\w+)\)", caption)
        if not match or "Tọa độ" not in caption:
            continue
        rings: list[list] = []
        outer: list[bool] = []
        tolerance: list[float | None] = []
        for row in rows[1:]:
            if len(row) == 1:
                rings.append([])
                outer.append("đường bao ngoài" in row[0])
                step = re.search(r"dung sai ([\d.,]+) m", row[0])
                tolerance.append(float(step.group(1).replace(".", "").replace(",", ".")) if step else None)
                continue
            for start in (0, 3):
                if row[start]:
                    rings[-1].append((int(row[start]), vn(row[start + 1]), vn(row[start + 2])))
        result[match.group(1)] = {"caption": caption, "rings": rings, "outer": outer, "tolerance": tolerance}
    return result


def layer(path: Path, name: str):
    return pyogrio.read_dataframe(path, layer=name)


# -------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_annex(demo_build_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("annex") / "cao-bang-annex.docx"
    result = write_annex(demo_build_path, out, xlsx=True, decision=DECISION)
    return result, read_tables(out)


@pytest.fixture(scope="module")
def small_annex(small_build_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("small-annex") / "annex.docx"
    result = write_annex(small_build_path, out, xlsx=True, province_name="Tỉnh Thử")
    return result, read_tables(out)


# ---------------------------------------------------------------- Annex I and II


@pytest.mark.parametrize("zone, words", [("strict", "vùng bảo vệ nghiêm ngặt"), ("emission_limited", "vùng hạn chế phát thải")])
def test_zone_table_lists_every_unit_and_totals_the_zone(demo_annex, demo_build_path, zone, words):
    _, tables = demo_annex
    rows = table_with(tables, f"Danh mục các khu vực thuộc {words}")
    units = layer(demo_build_path, "units")
    units = units[units["zone"] == zone]
    proposed, units = units[units["status"] == "proposed"], units[units["status"] != "proposed"]
    zone_ha = float(layer(demo_build_path, "zones").set_index("zone").loc[zone, "area_ha"])
    criteria = layer(demo_build_path, "criteria").set_index("id")
    lineage = layer(demo_build_path, "lineage")
    also = lineage[(lineage["prevails"] == 0) & (lineage["status"] != "proposed")].groupby("unit_id")["criterion"].agg(set)

    assert rows[0] == ["STT", "Tên khu vực", "Vị trí (xã, phường)", "Diện tích (ha)", "Tiêu chí và căn cứ", "Ghi chú"]
    end = next(i for i, r in enumerate(rows) if r[1] == "Tổng cộng")
    unit_rows = [r for r in rows[1:end] if r[0].isdigit()]
    assert len(unit_rows) == len(units)
    assert [int(r[0]) for r in unit_rows] == list(range(1, len(units) + 1))
    listed = {re.search(r"\(mã (\w+)\)$", r[1]).group(1): r for r in unit_rows}
    assert set(listed) == set(units["unit_id"])
    for unit in units.itertuples():
        row = listed[unit.unit_id]
        assert row[1] == f"{unit.name} (mã {unit.unit_id})"  # Vietnamese text intact
        assert vn(row[3]) == round(unit.area_ha, 2)
        # every criterion in force the land meets is cited, its own first
        cited = row[4].split(";\n")
        assert cited[0].removesuffix(" (chưa xác nhận)") == unit.citation_vi
        assert {c.removesuffix(" (chưa xác nhận)") for c in cited} == {unit.citation_vi} | {
            criteria.loc[c, "citation_vi"] for c in also.get(unit.unit_id, set())
        }
        assert ("chưa được xác nhận" in row[5]) == (unit.status == "unconfirmed")
        assert ("Giả định" in row[5]) == bool(unit.assumption)
    # proposed designations: after the total, not in it
    after = {re.search(r"\(mã (\w+)\)$", r[1]).group(1): r for r in rows[end + 1 :] if r[0].isdigit()}
    assert set(after) == set(proposed["unit_id"])
    assert all("chưa có ranh giới pháp lý" in r[5] for r in after.values())
    (total,) = [r for r in rows if r[1] == "Tổng cộng"]
    assert vn(total[3]) == round(zone_ha, 2)
    assert sum(vn(r[3]) for r in unit_rows) == pytest.approx(zone_ha, abs=0.005 * len(unit_rows) + 1e-6)
    # one subtotal row per criterion, equal to its units' area
    groups = [r for r in rows[1:] if re.fullmatch(r"[IVX]+", r[0])]
    expected = units.groupby("criterion")["area_ha"].sum()
    assert len(groups) == len(expected)
    by_title = {criteria.loc[c, "title_vi"]: round(a, 2) for c, a in expected.items()}
    assert {g[1]: vn(g[3]) for g in groups} == by_title


def test_vietnamese_text_and_header(demo_annex):
    result, tables = demo_annex
    document = docx.Document(str(result.docx))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "PHỤ LỤC I\n" in text and "PHỤ LỤC II\n" in text and "PHỤ LỤC III\n" in text and "PHỤ LỤC IV\n" in text
    assert "VÙNG BẢO VỆ NGHIÊM NGẶT TRÊN ĐỊA BÀN TỈNH CAO BẰNG" in text
    assert text.count(HEADER) == 4  # under each of the four annex titles
    strict = table_with(tables, "vùng bảo vệ nghiêm ngặt")
    assert any(f"Vùng lõi Vườn quốc gia {PHIA_OAC}" in r[1] for r in strict)
    # honesty notices from the manifest
    assert "DỮ LIỆU MINH HỌA – KHÔNG DÙNG ĐỂ RA QUYẾT ĐỊNH" in text
    assert "TIÊU CHÍ CHƯA ĐƯỢC XÁC NHẬN" in text and "Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng" in text
    assert "1.654,44" in text  # the number convention, stated


def test_location_names_the_2025_communes_the_unit_lies_in(demo_annex, demo_build_path):
    _, tables = demo_annex
    rows = table_with(tables, "vùng bảo vệ nghiêm ngặt") + table_with(tables, "vùng hạn chế phát thải")
    listed = {re.search(r"\(mã (\w+)\)$", r[1]).group(1): set(r[2].split(", ")) for r in rows if r[0].isdigit()}
    units = layer(demo_build_path, "units").set_index("unit_id")
    communes = layer(demo_build_path, "communes")
    park = units.index[units["name"] == f"Vùng lõi Vườn quốc gia {PHIA_OAC}"][0]
    for unit_id in (park, "S0017", "E0007", "E0019"):
        overlap = shapely.area(shapely.intersection(units.loc[unit_id, "geometry"], communes.geometry.to_numpy()))
        surely_in = set(communes["full_name"][overlap >= 100])  # m²
        touching = set(communes["full_name"][overlap > 0])
        assert surely_in <= listed[unit_id] <= touching, unit_id
        assert all(name.startswith(("Xã ", "Phường ")) for name in listed[unit_id])
    assert listed[park] >= {"Xã Nguyên Bình", "Xã Tĩnh Túc"}


# ------------------------------------------------------------------- Annex III


def test_summary_per_commune_adds_up_to_the_province(demo_annex, demo_build_path):
    _, tables = demo_annex
    rows = table_with(tables, "Diện tích các vùng theo xã, phường")
    communes = layer(demo_build_path, "communes")
    zones = layer(demo_build_path, "zones").set_index("zone")
    body = rows[1:]
    commune_rows = [r for r in body if r[0].isdigit()]
    assert [r[1] for r in commune_rows] == list(communes["full_name"])
    (outside,) = [r for r in body if r[1].startswith("Ngoài ranh giới xã")]
    (province,) = [r for r in body if r[1] == "Toàn tỉnh"]
    zone_ha = [float(zones.loc[z, "area_ha"]) for z in ("strict", "emission_limited", "other")]
    assert [vn(province[i]) for i in (2, 4, 6)] == [round(a, 2) for a in zone_ha]
    assert vn(province[8]) == pytest.approx(sum(zone_ha), abs=0.006)
    manifest = dict(zip(*layer(demo_build_path, "manifest")[["key", "value"]].to_numpy().T))
    assert vn(province[8]) == pytest.approx(float(re.search(r'"province_ha": ([\d.]+)', manifest["qa"]).group(1)), abs=0.01)
    for column in (2, 4, 6, 8):  # the rows add up to the province, within rounding
        assert sum(vn(r[column]) for r in commune_rows + [outside]) == pytest.approx(vn(province[column]), abs=0.005 * 58)
    for row in commune_rows + [outside, province]:
        total = vn(row[8])
        assert vn(row[2]) + vn(row[4]) + vn(row[6]) == pytest.approx(total, abs=0.016)
        for area, share in ((2, 3), (4, 5), (6, 7)):
            assert vn(row[share]) == pytest.approx(100 * vn(row[area]) / total, abs=0.006)
    # independent geometry: zone ∩ commune for two communes
    for name in ("Phường Thục Phán", "Xã Nguyên Bình"):
        (row,) = [r for r in commune_rows if r[1] == name]
        commune = communes.set_index("full_name").loc[name, "geometry"]
        for zone, column in (("strict", 2), ("emission_limited", 4)):
            expected = shapely.area(shapely.intersection(zones.loc[zone, "geometry"], commune)) / 10_000
            assert vn(row[column]) == pytest.approx(expected, abs=0.011), (name, zone)


def test_small_province_by_hand(small_annex):
    _, tables = small_annex
    summary = {r[1]: r for r in table_with(tables, "theo xã, phường")}
    # south-west commune: town 100 ha + half the river bed 10 ha; corridor 2 × 5 km × 15 m = 15 ha
    assert [vn(summary["Tây Nam"][i]) for i in (2, 4, 6, 8)] == [110.00, 15.00, 2375.00, 2500.00]
    # north-east commune: core 400 ha, buffer ring 1,200 ha
    assert [vn(summary["Đông Bắc"][i]) for i in (2, 4, 6, 8)] == [400.00, 1200.00, 900.00, 2500.00]
    assert [vn(summary["Đông Bắc"][i]) for i in (3, 5, 7)] == [16.00, 48.00, 36.00]
    assert vn(summary["Toàn tỉnh"][8]) == 10_000.00
    assert not any(name.startswith("Ngoài ranh giới") for name in summary)  # the communes tile the province
    relic_ha = 0.5 * 32 * 100**2 * np.sin(2 * np.pi / 32) / 10_000
    strict = table_with(tables, "vùng bảo vệ nghiêm ngặt")
    assert vn(strict[-1][3]) == round(100 + 20 + 400 + relic_ha, 2)
    coordinates = coordinate_tables(tables)
    # the 2 km reserve core: its four corners (X = northing, Y = easting)
    (core,) = [c for c in coordinates.values() if "Vùng lõi Khu bảo tồn D" in c["caption"]]
    assert len(core["rings"]) == 1
    corners = {(x, y) for _, x, y in core["rings"][0]}
    assert corners == {(Y0 + a, X0 + b) for a in (6000, 8000) for b in (6000, 8000)}
    # the buffer ring: an outer square and one hole, the core
    (ring,) = [c for c in coordinates.values() if "Vùng đệm Khu bảo tồn D" in c["caption"]]
    assert [len(r) for r in ring["rings"]] == [4, 4]
    assert {(x, y) for _, x, y in ring["rings"][1]} == corners
    assert [p for r in ring["rings"] for p, _, _ in r] == list(range(1, 9))


# ------------------------------------------------------------------- Annex IV


def test_coordinates_lie_on_the_unit_boundaries(demo_annex, demo_build_path):
    """Every listed vertex, taken to WGS 84, is within 1 cm (geodesic) of the unit's boundary."""
    _, tables = demo_annex
    coordinates = coordinate_tables(tables)
    units = layer(demo_build_path, "units").set_index("unit_id")
    tm3 = CRS(units.crs)
    assert set(coordinates) == set(units.index[units["status"] != "proposed"])  # proposed designations have no boundary to list
    geod = Geod(ellps="WGS84")
    for unit_id, table in coordinates.items():
        assert "VN-2000 / TM-3 105-45 (EPSG:9210)" in table["caption"]
        xy = np.array([(y, x) for ring in table["rings"] for _, x, y in ring])  # easting, northing
        points = reproject(shapely.points(xy), tm3, WGS84)
        boundary = reproject(np.array([units.loc[unit_id, "geometry"].boundary]), tm3, WGS84)[0]
        nearest = shapely.get_coordinates(shapely.shortest_line(boundary, points)).reshape(-1, 2, 2)
        _, _, metres = geod.inv(nearest[:, 0, 0], nearest[:, 0, 1], nearest[:, 1, 0], nearest[:, 1, 1])
        assert metres.max() <= 0.01, (unit_id, metres.max())


def test_coordinate_tables_are_complete_or_stated_simplifications(demo_annex, demo_build_path):
    _, tables = demo_annex
    units = layer(demo_build_path, "units").set_index("unit_id")
    simplified = 0
    for unit_id, table in coordinate_tables(tables).items():
        geometry = units.loc[unit_id, "geometry"]
        rings = shapely.get_rings(shapely.get_parts(geometry))
        assert len(table["rings"]) == len(rings)  # every outer ring and hole, per part, in order
        numbers = [p for ring in table["rings"] for p, _, _ in ring]
        assert numbers == list(range(1, len(numbers) + 1))
        listed = [shapely.linearrings([(y, x) for _, x, y in ring]) for ring in table["rings"]]
        for original, kept, step in zip(rings, listed, table["tolerance"]):
            if step is None:  # listed whole: the same vertices, to the centimetre
                assert shapely.get_num_coordinates(kept) == shapely.get_num_coordinates(original)
                assert shapely.hausdorff_distance(original, kept) <= 0.01
            else:  # Douglas–Peucker: within the stated tolerance, and within the limit
                simplified += 1
                assert shapely.get_num_coordinates(original) - 1 > 200 >= shapely.get_num_coordinates(kept) - 1
                assert shapely.hausdorff_distance(original, kept) <= step + 0.01, unit_id
        if not any(table["tolerance"]):  # the polygon rebuilt from the table has the unit's area
            area = sum(shapely.area(shapely.polygons(r)) * (1 if o else -1) for r, o in zip(listed, table["outer"]))
            assert area / 10_000 == pytest.approx(units.loc[unit_id, "area_ha"], abs=0.05)
    assert simplified >= 1  # the demo's large rings (the geopark) are simplified


# ------------------------------------------------------------------ the files


def test_page_setup_fonts_and_page_numbers(demo_annex):
    result, _ = demo_annex
    document = docx.Document(str(result.docx))
    first, last = document.sections[0], document.sections[-1]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (297, 210)  # A4 landscape: annexes I–III
    assert (round(last.page_width.mm), round(last.page_height.mm)) == (210, 297)  # A4 portrait: coordinates
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(f".//{qn('w:rFonts')}")
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == "Times New Roman"
    assert defaults.find(f".//{qn('w:sz')}").get(qn("w:val")) == "26"  # 13 pt
    header = first.header._element.xml
    assert " PAGE " in header and 'fldCharType="begin"' in header
    assert first.different_first_page_header_footer  # no number on the first page
    assert result.docx.stat().st_size < 2_000_000


def test_xlsx_tables_agree_with_the_docx(demo_annex):
    result, tables = demo_annex
    workbook = openpyxl.load_workbook(result.xlsx, read_only=True)
    for sheet, words in (("Phụ lục I", "vùng bảo vệ nghiêm ngặt"), ("Phụ lục II", "vùng hạn chế phát thải"), ("Phụ lục III", "theo xã, phường")):
        docx_rows = table_with(tables, words)
        sheet_rows = [list(r) for r in workbook[sheet].iter_rows(min_row=2, values_only=True)][: len(docx_rows)]
        assert len(sheet_rows) == len(docx_rows)
        for docx_row, sheet_row in zip(docx_rows, sheet_rows):
            for text, value in zip(docx_row, sheet_row):
                if isinstance(value, (int, float)):
                    assert vn(text) == value
                else:
                    assert text == (value or ""), sheet
    points = {(r[2], r[6], r[7], r[8]) for r in workbook["Phụ lục IV – Tọa độ"].iter_rows(min_row=3, values_only=True)}
    from_docx = {(u, p, x, y) for u, t in coordinate_tables(tables).items() for ring in t["rings"] for p, x, y in ring}
    assert points == from_docx


@needs_libreoffice
def test_pdf_through_libreoffice_renders_vietnamese(demo_annex, tmp_path):
    from zoning.outputs.office import convert_to_pdf, pdf_page_count

    result, _ = demo_annex
    pdf = convert_to_pdf(result.docx, tmp_path / "annex.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert f"Vùng lõi Vườn quốc gia {PHIA_OAC}" in flat
    assert "PHỤ LỤC I" in flat and HEADER in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    families = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts}
    assert families <= {"LiberationSerif", "TimesNewRomanPSMT", "TimesNewRoman"}, families  # no fallback font: every glyph found
    assert all(" yes " in line for line in fonts)  # embedded
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert pdf_page_count(pdf) == int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    # pictures of the first page and of the map page, kept for a person to look at
    ARTEFACTS.mkdir(exist_ok=True)
    map_page = 1 + next(i for i, page in enumerate(text.split("\f")) if "Hình 1." in page)
    for page, name in ((1, "annex-page-1"), (map_page, "annex-map")):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(ARTEFACTS / name)], check=True)
    from PIL import Image

    image = np.asarray(Image.open(ARTEFACTS / "annex-map.png").convert("RGB")).astype(int)

    def painted(zone: str) -> int:
        """Pixels within a small distance of the zone's colour in terms.yaml (the map's colours too)."""
        rgb = np.array([int(terms.colour("zones", zone)[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(image - rgb).max(axis=-1) < 30).sum())

    assert painted("strict") > 500 and painted("emission_limited") > 2_000  # 6 % of the province since the proposed geopark landscape is apart


def test_missing_libreoffice_is_a_clear_error(demo_annex, tmp_path, monkeypatch):
    from zoning.outputs.office import convert_to_pdf

    result, _ = demo_annex
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run there
    with pytest.raises(ZoningError, match="LibreOffice") as error:
        convert_to_pdf(result.docx, tmp_path / "annex.pdf")
    assert "apt-get install libreoffice" in error.value.hint
    assert not (tmp_path / "annex.pdf").exists()


def test_bad_input_leaves_existing_files_untouched(tmp_path, demo_build_path):
    existing = tmp_path / "annex.docx"
    existing.write_bytes(b"an earlier annex")
    not_a_build = tmp_path / "notes.gpkg"
    not_a_build.write_text("not a GeoPackage")
    with pytest.raises(ZoningError, match="cannot be read as a GeoPackage"):
        write_annex(not_a_build, existing)
    assert existing.read_bytes() == b"an earlier annex"
    with pytest.raises(ZoningError, match=r"must be a \.docx"):
        write_annex(demo_build_path, tmp_path / "annex.pdf")
    with pytest.raises(ZoningError, match="max-vertices"):
        write_annex(demo_build_path, existing, max_vertices=2)
    assert existing.read_bytes() == b"an earlier annex"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annex.docx", "notes.gpkg"]  # no temporary file left


def test_cli_annex(small_build_path, tmp_path):
    runner = CliRunner()
    out = tmp_path / "annex.docx"
    result = runner.invoke(
        app, ["annex", str(small_build_path), "--out", str(out), "--xlsx", "--decision", "7/QĐ-UBND ngày 1/2/2027", "--province-name", "Thử"]
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".xlsx").exists()
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "(Kèm theo Quyết định số 7/QĐ-UBND ngày 1/2/2027 của Ủy ban nhân dân tỉnh Thử)" in text
    missing = runner.invoke(app, ["annex", str(tmp_path / "none.gpkg")])
    assert missing.exit_code == 2 and "build file not found" in missing.output


def test_demo_writes_the_annex_and_says_when_there_is_no_pdf(demo_build_path, tmp_path, monkeypatch):
    from zoning.builder.model import read_build
    from zoning.demo import DemoResults, _demo_annex  # the annex step of run_demo

    monkeypatch.setenv("PATH", str(tmp_path))  # as on a machine without LibreOffice
    results = DemoResults(read_build(demo_build_path))
    _demo_annex(results, tmp_path / "demo", lambda _: None)
    assert results.outputs["annex"].exists() and results.outputs["annex tables"].exists()
    assert "annex PDF" not in results.outputs
    assert any("LibreOffice is not installed" in note for note in results.notes)
    tables = read_tables(results.outputs["annex"])
    assert any(PHIA_OAC in r[1] for r in table_with(tables, "vùng bảo vệ nghiêm ngặt"))
