"""The site report as printed: a point's report in at most three A4 pages (printed by
Chromium from the HTML, and made by LibreOffice as PDF and Word through the web
application), the title and the verdict on the first page with the verdict's colour, the
static sketch of the site and the zones around it, and Word tables within the margins.
Page images go to ``tests/artefacts/``."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import docx
import numpy as np
import pytest
import shapely
from docx.oxml.ns import qn
from fastapi.testclient import TestClient
from PIL import Image
from playwright.sync_api import sync_playwright
from shapely.geometry import Point, Polygon

import zoning
from zoning import terms
from zoning.builder.model import read_build
from zoning.inputs.crs import WGS84, reproject
from zoning.outputs.office import soffice_executable
from zoning.outputs.report import REPORT_VERDICT_COLOURS, site_report
from zoning.outputs.site_sketch import MAP_PX
from zoning.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).parent / "artefacts"
TITLE = "Phiếu kiểm tra địa điểm theo phân vùng môi trường"
SVG = "{http://www.w3.org/2000/svg}"
POPPLER = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm") and shutil.which("pdfinfo")),
                             reason="reading the PDF needs poppler: install the Debian package `poppler-utils`")


@pytest.fixture(scope="module")
def build(demo_build_path):
    return read_build(demo_build_path)


@pytest.fixture(scope="module", params=["S0001", "E0011"])
def point(request, build):
    """A point in an urban strict unit, and one on a water-source corridor with more findings and units around it."""
    return shapely.point_on_surface(build.units.set_index("unit_id").geometry[request.param])


def landfill_check(build, point):
    return zoning.check(point, build, type="sanitary_landfill", crs=build.crs)


def sketch_svg(page: str) -> ElementTree.Element:
    found = re.search(r'<img class="site-sketch"[^>]*src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert found, "no sketch in the report"
    return ElementTree.fromstring(base64.b64decode(found.group(1)))


def svg_rings(d: str) -> list[np.ndarray]:
    return [np.array(re.findall(r"(-?[\d.]+) (-?[\d.]+)", ring), dtype=float) for ring in d.split("M")[1:]]


def pdf_pages(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout).group(1))


def first_page(path: Path, artefact: str) -> tuple[str, np.ndarray]:
    """The text of page 1 and its pixels at 60 dpi (the PNG is kept as an artefact)."""
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    stem = path.with_suffix("")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", str(path), str(stem)], check=True)
    ARTEFACTS.mkdir(exist_ok=True)
    shutil.copy(stem.with_suffix(".png"), ARTEFACTS / artefact)
    return " ".join(text.split()), np.asarray(Image.open(stem.with_suffix(".png")).convert("RGB")).astype(int)


def badge_share(path: Path, pixels: np.ndarray, verdict: str) -> float:
    """The share of the verdict's colour behind its English label on page 1 (0 when printed without it)."""
    words = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    first = terms.label("verdicts", verdict, "en").split()[0]
    box = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">{first}</word>', words)
    x0, y0, x1, y1 = (round(float(v) * 60 / 72) for v in box.groups())  # points → pixels at 60 dpi
    colour = np.array([int(REPORT_VERDICT_COLOURS[verdict][0][i:i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(pixels[y0:y1 + 1, x0:x1 + 1] - colour).sum(axis=2) < 40).mean())


# ------------------------------------------------------------------------------ sketch


def test_the_sketch_shows_the_site_in_its_zone_with_scale_north_and_legend(build, point):
    result = landfill_check(build, point)
    page = site_report(result, "site", build=build, interactive=False)
    svg = sketch_svg(page)
    site = svg.find(f"{SVG}circle[@class='site']")
    centre = (float(site.get("cx")), float(site.get("cy")))
    assert centre == pytest.approx((MAP_PX / 2, MAP_PX / 2), abs=0.1)  # the window is centred on the point
    # the zone the check found is drawn under the site: its clipped polygon holds the site's pixel
    zone = result.zones["zone"].iloc[0]
    drawn = [Polygon(ring) for path in svg.iter(f"{SVG}path") if f"zone-{zone}" in path.get("class", "").split()
             for ring in svg_rings(path.get("d")) if len(ring) >= 3]
    assert drawn and any(p.buffer(0).contains(Point(centre)) for p in drawn)
    # the scale bar's two halves are as long as their label says (3 000 m of land across the map)
    half = float(svg.find(f"{SVG}rect[@class='scale-bar']").get("width"))
    label = next(t.text for t in svg.iter(f"{SVG}text") if t.text and t.text.endswith(" m"))
    assert 2 * half == pytest.approx(float(label.split()[0]) * MAP_PX / 3000, abs=0.2)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "B / N" in texts and svg.find(f"{SVG}path[@class='north-arrow']") is not None
    for z in ("strict", "emission_limited", "other"):
        assert terms.zone_name(z, "vi") in texts and terms.zone_name(z, "en") in texts
    # on screen the interactive map as well, printed only the sketch
    screen = site_report(result, "site", build=build)
    assert "zoning-site-map" in screen and 'class="map-slot screen-only"' in screen and "site-sketch" in screen


def test_a_points_report_names_the_type_and_keeps_what_defends_the_verdict(build, point):
    result = landfill_check(build, point)
    page = site_report(result, "site", build=build, interactive=False)
    assert "Bãi chôn lấp chất thải rắn hợp vệ sinh" in page and "sanitary_landfill" not in page  # no internal code
    assert "Phụ lục: " not in page  # no annex for a point
    for unit in result.units.itertuples():  # every unit around: its id, citation, status and distance
        assert unit.unit_id in page and unit.citation_vi in page
        assert (terms.number(unit.distance_m, 1) if not unit.inside else "0 (bên trong / inside)") in page
    statuses = {terms.label("statuses_short", s) for s in result.units["status"]}
    assert all(s in page for s in statuses)
    assert f"{len(result.meta['law_notices_vi'])} ghi chú pháp lý về cả tỉnh" in page


def test_an_areas_report_keeps_the_long_texts_in_its_annex(build, point):
    square = point.buffer(300, cap_style="square")
    result = zoning.check(square, build, type="sanitary_landfill", crs=build.crs)
    page = site_report(result, "site", build=build, interactive=False)
    assert "Phụ lục: ghi chú pháp lý của bộ tiêu chí" in page
    assert all(notice.replace('"', "&#34;") in page for notice in result.meta["law_notices_vi"])
    long = [f for f in result.records()[0]["findings"] if len(f["detail_vi"]) > 120]
    assert long and all(f["detail_en"].replace("'", "&#39;").replace('"', "&#34;") in page for f in long)


# ------------------------------------------------------------------------------ printed


@POPPLER
@pytest.mark.skipif(not CHROMIUM.exists(), reason="printing the HTML needs Chromium: install the Debian package `chromium`")
def test_chromium_prints_a_points_report_on_at_most_three_pages_with_its_verdict_colour(build, point, tmp_path):
    result = landfill_check(build, point)
    html = tmp_path / "report.html"
    html.write_text(site_report(result, "site", build=build), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    with sync_playwright() as playwright:  # printed as an officer prints: background graphics off, A4
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(html.as_uri())
        page.pdf(path=str(pdf), format="A4", print_background=False, prefer_css_page_size=True)
        browser.close()
    assert pdf_pages(pdf) <= 3
    verdict = result.sites["verdict"].iloc[0]
    text, pixels = first_page(pdf, f"report-print-chromium-{result.units['unit_id'].iloc[0]}.png")
    assert text.startswith(f"{TITLE} Site check against the environmental zoning")  # no blank first page, the title whole
    assert f"{terms.label('verdicts', verdict)} / {terms.label('verdicts', verdict, 'en')}" in text
    assert badge_share(pdf, pixels, verdict) > 0.4  # the badge keeps its colour in print
    sketch_blue = (np.abs(pixels.reshape(-1, 3) - (0x15, 0x65, 0xc0)).sum(axis=1) < 40).sum()
    assert sketch_blue > 10  # the site's dot on the printed sketch


@POPPLER
@pytest.mark.skipif(soffice_executable() is None, reason="PDF and Word reports need LibreOffice: install `libreoffice-writer-nogui`")
def test_the_web_applications_pdf_and_word_reports_of_a_point(build, point, tmp_path):
    lon, lat = reproject(np.array([point]), build.crs, WGS84)[0].coords[0]
    request = {"sites": {"type": "Point", "coordinates": [lon, lat]}, "name": "Điểm kiểm tra", "type": "sanitary_landfill"}
    with TestClient(create_app([build], offline=True)) as client:
        answer = client.post("/api/check", json=request).json()["sites"][0]
        pdf, word = (client.post(f"/api/report/{fmt}", json=request) for fmt in ("pdf", "docx"))
    assert pdf.status_code == 200 and word.status_code == 200
    verdict, zone = answer["verdict"], answer["zones"][0]["zone"]
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    assert pdf_pages(tmp_path / "r.pdf") <= 3
    text, pixels = first_page(tmp_path / "r.pdf", f"report-print-office-{round(lon, 3)}.png")
    assert text.startswith(f"{TITLE} Site check against the environmental zoning")
    assert f"{terms.label('verdicts', verdict)} / {terms.label('verdicts', verdict, 'en')}" in text
    assert badge_share(tmp_path / "r.pdf", pixels, verdict) > 0.4
    assert terms.zone_name(zone, "vi") in text and terms.zone_name(zone, "en") in text  # the zones table, beside the sketch
    # Word: the sketch as a picture, every table within the text width (nested ones within their cell)
    (tmp_path / "r.docx").write_bytes(word.content)
    document = docx.Document(str(tmp_path / "r.docx"))
    assert any(str(part.partname).startswith("/word/media/") for part in document.part.package.parts)
    section = document.sections[0]
    room = section.page_width - section.left_margin - section.right_margin
    checked = 0

    def within(tables, width: int) -> None:
        nonlocal checked
        for table in tables:
            columns = [int(c.get(qn("w:w"))) * 635 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]  # twips → EMU
            assert sum(columns) <= width + 635, (sum(columns), width)
            checked += 1
            for row in table.rows:
                for cell in row.cells:
                    cell_width = cell.width if cell.width is not None else sum(columns)
                    within(cell.tables, cell_width)

    within(document.tables, room)
    assert checked >= 6  # layout, verdict, notice, facts, zones, findings, units, …
