"""Interactive maps: display geometry, escaping, offline files, and the real page in
headless Chromium (network blocked), read back as a person would see it.

Expected values come from the input geometry (hand-made province of conftest.py, whose
squares survive simplification unchanged), from pyproj and shapely computed here, or
from the build's GeoPackage read directly with pyogrio — never from the map code.
"""

from __future__ import annotations

import json
import math
import re
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box
from typer.testing import CliRunner

from zoning.builder import build as build_zoning
from zoning.builder.model import read_build
from zoning.cli import app
from zoning.demo import DemoResults, _demo_map
from zoning.errors import InputError, ZoningError
from zoning.inputs.crs import WGS84, reproject, tm3_crs, transformer
from zoning.outputs.display import display_layers
from zoning.outputs.map import render_html, site_map_html, write_map, zoning_map
from zoning.outputs.results import read_results

from .conftest import X0, Y0, admin_layers, sensitive_layers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ARTEFACTS = Path(__file__).parent / "artefacts"
SCRIPT_NAME = "<script>alert(1)</script>"
BREAKOUT = '</script><img src=x onerror="window.pwned=1">'
CITATION_22_2_A = "điểm a khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"
ZONES_VI = ("Vùng bảo vệ nghiêm ngặt", "Vùng hạn chế phát thải", "Vùng khác")
ZONES_EN = ("Strict protection zone", "Emission-limited zone", "Other zone")
MAX_MAP_BYTES = 5_000_000
# The only http(s) strings allowed in an offline file: the SVG namespace (an identifier,
# never fetched) and addresses in licence banners and comments of the vendored code.
ALLOWED_URLS = {"http://www.w3.org/2000/svg", "https://leafletjs.com", "https://github.com/brunob/leaflet.fullscreen"}
TO_WGS84 = Transformer.from_crs(tm3_crs(105.75), "EPSG:4326", always_xy=True)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def script_build(tmp_path_factory) -> Path:
    """The hand-made province with hostile names: a unit named <script>, a commune that tries to close the script."""
    layers = {**admin_layers(), **sensitive_layers()}
    urban = layers["urban_areas"]
    urban.loc[urban["id"] == "u1", "name"] = SCRIPT_NAME
    communes = layers["communes"]
    communes.loc[communes["code"] == "00003", "name"] = "Tây Bắc " + BREAKOUT
    path = tmp_path_factory.mktemp("maps") / "script-build.gpkg"
    build_zoning(layers, central_meridian=105.75).write(path)
    return path


@pytest.fixture(scope="module")
def sites_file(tmp_path_factory) -> Path:
    """Check results in the shape `zoning check` writes: one row per site, findings as JSON."""
    findings = [{"message_vi": "Nằm trong vùng bảo vệ nghiêm ngặt", "message_en": "Inside the strict protection zone",
                 "citation_vi": CITATION_22_2_A, "citation_en": "Decree 08/2022/ND-CP, Art. 22(2)(a)", "status": "confirmed"}]
    rows = [
        {"site_id": "W1", "name": "Bãi rác <b>A</b>", "verdict": "conflict", "findings": json.dumps(findings, ensure_ascii=False),
         "geometry": Point(X0 + 1500, Y0 + 1500)},
        {"site_id": "W2", "name": "Điểm B", "verdict": "needs_review", "findings": "Cần số liệu khoảng cách an toàn",
         "geometry": Point(X0 + 8500, Y0 + 1500)},
        {"site_id": "W3", "name": "Điểm C", "verdict": "no_conflict_found", "findings": "[]",
         "geometry": box(X0 + 8000, Y0 + 8000, X0 + 8400, Y0 + 8300)},
    ]
    path = tmp_path_factory.mktemp("sites") / "results.geojson"
    gpd.GeoDataFrame(rows, geometry="geometry", crs=tm3_crs(105.75)).to_crs(4326).to_file(path, driver="GeoJSON")
    return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Real headless Chromium (Debian's), fresh profile, driven through Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed ({CHROMIUM}): the map tests in a browser need the Debian package "
                    "'chromium' (apt-get install chromium; .ci/run installs it)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 860}, locale="vi-VN",
        )
        yield context
        context.close()


class Page:
    """A map opened in the browser with every http(s) request blocked and recorded."""

    def __init__(self, context, path: Path):
        self.page = context.new_page()
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(request_route):
            url = request_route.request.url
            if url.startswith("file:") or url.startswith("data:"):
                request_route.continue_()
            else:
                self.requests.append(url)
                request_route.abort()

        self.page.route("**/*", route)
        started = time.perf_counter()
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.zoning && window.zoning.ready === true", timeout=30_000)
        self.render_s = time.perf_counter() - started

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def count(self, selector: str) -> int:
        return self.js("s => document.querySelectorAll(s).length", selector)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        p = self.js("ll => zoning.map.latLngToContainerPoint([ll[1], ll[0]])", [lon, lat])
        box = self.page.locator(".folium-map").bounding_box()
        return box["x"] + p["x"], box["y"] + p["y"]

    def lon_lat(self, x: float, y: float) -> tuple[float, float]:
        box = self.page.locator(".folium-map").bounding_box()
        ll = self.js("p => zoning.map.containerPointToLatLng(p)", [x - box["x"], y - box["y"]])
        return ll["lng"], ll["lat"]

    def screenshot(self, name: str) -> Path:
        self.page.wait_for_timeout(400)  # let popups and zooms finish fading in
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / name
        self.page.screenshot(path=str(path))
        return path

    def close(self):
        self.page.close()


def tm3_to_lon_lat(x: float, y: float) -> tuple[float, float]:
    return TO_WGS84.transform(x, y)


def gpkg_count(path: Path, layer: str, where: str | None = None) -> int:
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=True, where=where)
    return int((~frame.geometry.is_empty).sum())


# --------------------------------------------------------------- display geometry


@pytest.mark.parametrize("which", ["small", "demo"])
def test_display_geometry_is_one_coverage(which, small_build_path, demo_build_path):
    build = read_build(small_build_path if which == "small" else demo_build_path)
    tolerance = 5.0
    layers = display_layers(build, tolerance)
    zones = layers.zones.set_index("zone").geometry
    assert sorted(zones.index) == ["emission_limited", "other", "strict"]
    # zones and communes tile without overlaps (a valid coverage: shared edges match vertex for vertex)
    assert shapely.coverage_is_valid(zones.to_numpy())
    assert shapely.coverage_is_valid(layers.communes.geometry.to_numpy())
    # no slivers: the display zones leave no hole that the province itself does not have
    province = build.input_layer("province").geometry.to_numpy()
    province_holes = shapely.get_num_interior_rings(shapely.get_parts(shapely.union_all(province))).sum()
    union = shapely.union_all(zones.to_numpy())
    assert shapely.get_num_interior_rings(shapely.get_parts(union)).sum() == province_holes
    # each display zone stays within the simplification bound of the exact zone
    exact = build.zones.set_index("zone")
    for zone, geom in zones.items():
        vertices = shapely.get_num_coordinates(exact.loc[zone, "geometry"])
        assert abs(geom.area - exact.loc[zone, "geometry"].area) <= vertices * tolerance**2
    # units in force sit inside their zone and tile it exactly on screen; proposed units
    # (no legal boundary yet) lie in the other zone
    units = build.units.reset_index(drop=True)
    rows = layers.units["row"].to_numpy()
    shown = layers.units.assign(zone=units["zone"].where(units["status"] != "proposed", "other").to_numpy()[rows],
                                proposed=(units["status"] == "proposed").to_numpy()[rows])
    assert len(shown) == len(units)
    for zone in ("strict", "emission_limited"):
        parts = shown.loc[shown["zone"] == zone].geometry.to_numpy()
        outside = shapely.area(shapely.difference(parts, zones[zone]))
        assert outside.max() < 0.01  # m²
        assert shapely.area(parts).sum() == pytest.approx(zones[zone].area, rel=1e-9)
    proposed = shown.loc[shown["proposed"]].geometry.to_numpy()
    assert len(proposed) == (which == "demo") * 2
    if len(proposed):
        assert shapely.area(shapely.difference(proposed, zones["other"])).max() < 0.01  # m²


def test_squares_survive_simplification_exactly(small_build_path):
    """The town 'Thị xã A' is a 1 km square: no vertex of it can be dropped."""
    build = read_build(small_build_path)
    layers = display_layers(build, 5.0)
    row = int(np.flatnonzero(build.units["name"].str.contains("Thị xã A"))[0])
    shown = layers.units.set_index("row").geometry[row]
    square = box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000)
    assert shapely.hausdorff_distance(shown, square) < 1e-6
    assert shown.area == pytest.approx(1_000_000, abs=1e-3)


def test_zero_tolerance_keeps_the_exact_geometry(demo_build_path):
    build = read_build(demo_build_path)
    layers = display_layers(build, 0.0)
    exact = build.zones.set_index("zone").geometry
    for zone, geom in layers.zones.set_index("zone").geometry.items():
        assert shapely.area(shapely.symmetric_difference(geom, exact[zone])) < 1.0  # m², noise of the noding


# ------------------------------------------------------------------- HTML, no browser


def test_map_is_a_folium_map_without_cdn(small_build_path):
    import folium

    m = zoning_map(small_build_path)
    assert isinstance(m, folium.Map)
    page = m.get_root().render()
    for cdn in ("cdn.jsdelivr", "cdnjs", "unpkg", "bootstrapcdn", "code.jquery"):
        assert cdn not in page
    assert "<script src" not in page and "<link" not in page


def test_unknown_language_is_a_clear_error(small_build_path):
    with pytest.raises(ZoningError, match="unknown map language 'fr'"):
        zoning_map(small_build_path, lang="fr")


def test_data_text_is_escaped_in_the_file(script_build, tmp_path):
    out = write_map(script_build, tmp_path / "map.html", offline=True).path
    page = out.read_text(encoding="utf-8")
    assert SCRIPT_NAME not in page and BREAKOUT not in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page


def assert_no_http_resource(page: str) -> None:
    """No script, style, image or import from a server, and no other http(s) address."""
    resource = re.compile(r"""(?:\b(?:src|srcset|poster|data|xlink:href)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)(?:https?:)?//""", re.I)
    assert not resource.findall(page)
    assert not re.search(r"<link\b", page, re.I)
    # what remains are identifiers and links in comments or in code the offline page does not use
    assert set(re.findall(r"https?://[^\s\"'()<>`]+", page)) <= ALLOWED_URLS


def test_offline_file_has_no_http_resource(script_build, sites_file, tmp_path):
    page = write_map(script_build, tmp_path / "map.html", sites_file, offline=True).path.read_text(encoding="utf-8")
    assert_no_http_resource(page)
    assert "tile.openstreetmap.org" not in page


def test_sites_need_a_verdict(tmp_path, small_build_path):
    path = tmp_path / "no-verdict.geojson"
    gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[Point(106.0, 22.6)], crs=4326).to_file(path, driver="GeoJSON")
    with pytest.raises(InputError, match="no 'verdict' column"):
        zoning_map(small_build_path, path)
    result = CliRunner().invoke(app, ["map", str(small_build_path), "--sites", str(path), "--out", str(tmp_path / "m.html")])
    assert result.exit_code == 2 and "verdict" in result.output
    assert not (tmp_path / "m.html").exists()


def test_vendored_versions_are_pinned_and_documented():
    import yaml

    from zoning.outputs.webassets import web_assets
    from zoning.resources import path as resource

    manifest = yaml.safe_load(resource("maps", "vendor", "assets.yaml").read_text(encoding="utf-8"))
    readme = resource("maps", "vendor", "README.md").read_text(encoding="utf-8")
    assert web_assets().versions == {p["name"]: str(p["version"]) for p in manifest["packages"] if "map" in p.get("pages", ["map"])}
    for package in manifest["packages"]:
        assert f"| {package['name']} | {package['version']} |" in readme
        assert (resource("maps", "vendor") / package["licence_file"]).is_file()


# ------------------------------------------------------------------- in the browser


def test_offline_map_in_chromium(browser, script_build, tmp_path):
    out = tmp_path / "small-offline.html"
    CliRunner().invoke(app, ["map", str(script_build), "--offline", "--out", str(out)], catch_exceptions=False)
    page = Page(browser, out)
    try:
        units = pyogrio.read_dataframe(script_build, layer="units")
        assert page.count("path.zoning-zone") == gpkg_count(script_build, "zones") == 3
        assert page.count("path.zoning-unit") == len(units)
        assert page.count("path.zoning-commune") == 4
        legend = page.page.locator(".zoning-legend")
        assert legend.is_visible()
        for name in ZONES_VI:
            assert name in legend.inner_text()
        # a click on the town square opens the unit's popup with its citation
        x, y = page.pixel(*tm3_to_lon_lat(X0 + 1500, Y0 + 1500))
        page.page.mouse.click(x, y)
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert CITATION_22_2_A in text
        assert SCRIPT_NAME in text  # shown as text ...
        assert page.js("() => document.querySelector('.leaflet-popup-content script') === null")  # ... not run
        labels = page.js("() => Array.from(document.querySelectorAll('.zoning-commune-label')).map(e => e.textContent)")
        assert any(BREAKOUT in label for label in labels)
        assert page.js("() => window.pwned === undefined")
        page.screenshot("map-small-offline.png")
        assert page.errors == [] and page.console_errors == [] and page.dialogs == []
        assert page.requests == []
    finally:
        page.close()


def test_layer_tree_toggles_zones_units_and_criteria(browser, small_build_path, tmp_path):
    out = write_map(small_build_path, tmp_path / "m.html", offline=True).path
    units = pyogrio.read_dataframe(small_build_path, layer="units", read_geometry=False)
    page = Page(browser, out)
    try:
        strict_units = int((units["zone"] == "strict").sum())
        assert page.count("path.zoning-unit-strict") == strict_units
        page.page.locator("label.zoning-toggle-zone input[data-zone=strict]").uncheck()
        assert page.count("path.zoning-zone-strict") == 0
        page.page.locator("label.zoning-toggle-units input[data-zone=strict]").uncheck()
        assert page.count("path.zoning-unit-strict") == 0
        assert page.count("path.zoning-unit-emission_limited") == int((units["zone"] == "emission_limited").sum())
        criterion = units.loc[units["zone"] == "strict", "criterion"].iloc[0]
        page.page.locator(f"input[data-criterion='{criterion}']").check()
        assert page.count("path.zoning-unit-strict") == int((units["criterion"] == criterion).sum())
        assert page.js("() => document.querySelector('label.zoning-toggle-units input[data-zone=strict]').indeterminate")
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_cursor_coordinates_match_pyproj_within_a_centimetre(browser, demo_build_path, tmp_path):
    build = read_build(demo_build_path)
    out = write_map(build, tmp_path / "demo.html", offline=True).path
    page = Page(browser, out)
    try:
        xmin, ymin, xmax, ymax = build.zones.total_bounds
        xs, ys = np.meshgrid(np.linspace(xmin, xmax, 7), np.linspace(ymin, ymax, 7))
        lon, lat = transformer(build.crs, WGS84).transform(xs.ravel(), ys.ravel())
        got = np.array(page.js("pts => pts.map(p => zoning.toProjected(p[0], p[1]))", np.column_stack([lon, lat]).tolist()))
        assert np.abs(got[:, 0] - xs.ravel()).max() < 0.01
        assert np.abs(got[:, 1] - ys.ravel()).max() < 0.01
        # the cursor read-out shows the same numbers
        size = page.page.locator(".folium-map").bounding_box()
        cx, cy = size["x"] + size["width"] / 2, size["y"] + size["height"] / 2
        page.page.mouse.move(cx, cy)
        mlon, mlat = page.lon_lat(cx, cy)
        east, north = transformer(WGS84, build.crs).transform(mlon, mlat)
        shown = page.page.locator(".zoning-coords-grid").inner_text()
        assert f"{north:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") in shown
        assert f"{east:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") in shown
        assert f"{mlat:.6f}".replace(".", ",") in page.page.locator(".zoning-coords-wgs84").inner_text()
    finally:
        page.close()


def test_measuring_a_distance_and_an_area_on_the_grid(browser, small_build_path, tmp_path):
    out = write_map(small_build_path, tmp_path / "m.html", offline=True, lang="en").path
    page = Page(browser, out)
    to_grid = transformer(WGS84, tm3_crs(105.75))
    try:
        corners = [(420, 300), (760, 300), (760, 560), (420, 560)]
        page.page.locator("a.zoning-measure-distance").click()
        for x, y in corners[:2]:
            page.page.mouse.click(x, y)
        page.page.keyboard.press("Enter")
        result = page.page.locator(".zoning-measure-result")
        (e0, n0), (e1, n1) = (to_grid.transform(*page.lon_lat(x, y)) for x, y in corners[:2])
        assert float(result.get_attribute("data-value")) == pytest.approx(np.hypot(e1 - e0, n1 - n0), abs=0.01)
        assert "Distance:" in result.inner_text() and "m" in result.inner_text()

        page.page.locator("a.zoning-measure-area").click()
        for x, y in corners:
            page.page.mouse.click(x, y)
        page.page.keyboard.press("Enter")
        ring = [to_grid.transform(*page.lon_lat(x, y)) for x, y in corners]
        assert result.get_attribute("data-kind") == "area"
        assert float(result.get_attribute("data-value")) == pytest.approx(shapely.Polygon(ring).area, rel=1e-9)
        assert " ha " in result.inner_text()
        page.screenshot("map-measure-area.png")
        # measuring clicks do not open popups
        assert page.count(".leaflet-popup") == 0
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_search_ignores_diacritics(browser, small_build_path, tmp_path):
    out = write_map(small_build_path, tmp_path / "m.html", offline=True).path
    page = Page(browser, out)
    try:
        page.page.locator(".zoning-search input").fill("dong bac")
        item = page.page.locator(".zoning-search li").first
        assert item.inner_text().startswith("Đông Bắc")
        item.click()
        # the view now holds the north-east commune (5–10 km east and north of the corner)
        lon0, lat0 = tm3_to_lon_lat(X0 + 5000, Y0 + 5000)
        lon1, lat1 = tm3_to_lon_lat(X0 + 10_000, Y0 + 10_000)
        assert page.js("b => zoning.map.getBounds().contains([[b[1], b[0]], [b[3], b[2]]])", [lon0, lat0, lon1, lat1])
        page.page.locator(".zoning-search input").fill("khu bao ton d")
        listed = page.page.locator(".zoning-search ul").inner_text()
        assert "Vùng lõi Khu bảo tồn D" in listed and "Vùng đệm Khu bảo tồn D" in listed
        page.page.locator(".zoning-search input").fill("loi khu bao ton d")
        page.page.keyboard.press("Enter")
        assert "Vùng lõi Khu bảo tồn D" in page.page.locator(".leaflet-popup-content").inner_text()
    finally:
        page.close()


def test_sites_are_coloured_by_verdict_with_findings(browser, small_build_path, sites_file, tmp_path):
    out = write_map(small_build_path, tmp_path / "m.html", sites_file, offline=True).path
    page = Page(browser, out)
    try:
        assert page.count("path.zoning-site-point") == 2
        assert page.count("path.zoning-site-area") == 1
        assert page.count("path.zoning-site-marker") == 1  # the area's stand-in when zoomed out
        colours = page.js("() => Array.from(document.querySelectorAll('path.zoning-site-point')).map(p => p.getAttribute('fill'))")
        assert len(set(colours)) == 2
        x, y = page.pixel(*tm3_to_lon_lat(X0 + 1500, Y0 + 1500))
        page.page.mouse.click(x, y)
        text = page.page.locator(".leaflet-popup-content").inner_text()
        assert "Bãi rác <b>A</b>" in text and "Xung đột" in text
        assert "Nằm trong vùng bảo vệ nghiêm ngặt" in text and CITATION_22_2_A in text
        assert page.js("() => document.querySelector('.leaflet-popup-content h3 b') === null")  # the name is text
        page.screenshot("map-small-sites.png")
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_sites_with_only_a_verdict_still_map(browser, small_build_path, tmp_path):
    path = tmp_path / "bare.geojson"
    lon, lat = tm3_to_lon_lat(X0 + 3000, Y0 + 6000)
    gpd.GeoDataFrame({"VERDICT": ["odd-value"]}, geometry=[Point(lon, lat)], crs=4326).to_file(path, driver="GeoJSON")
    page = Page(browser, write_map(small_build_path, tmp_path / "m.html", path, offline=True, lang="en").path)
    try:
        assert page.count("path.zoning-site-point") == 1
        x, y = page.pixel(lon, lat)
        page.page.mouse.click(x, y)
        text = page.page.locator(".leaflet-popup-content").inner_text()
        assert "odd-value" in text and "No findings recorded." in text
        assert page.errors == [] and page.console_errors == []
    finally:
        page.close()


def test_site_map_fragment_embeds_in_a_report(browser, small_build_path, sites_file, tmp_path):
    results = read_results(sites_file)
    fragment = site_map_html(small_build_path, results.iloc[[0]], lang="vi")
    assert fragment.startswith("<iframe") and "srcdoc=" in fragment and SCRIPT_NAME not in fragment
    report = tmp_path / "report.html"
    report.write_text(f"<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><body><h1>Báo cáo W1</h1>{fragment}</body></html>", encoding="utf-8")
    page = Page.__new__(Page)
    page.page = browser.new_page()
    page.errors, page.requests = [], []
    page.page.on("pageerror", lambda e: page.errors.append(str(e)))
    local = ("file:", "data:", "about:")
    page.page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else (page.requests.append(r.request.url), r.abort()))
    try:
        page.page.goto(report.as_uri())
        frame = page.page.frame_locator("iframe.zoning-site-map")
        frame.locator("[data-zoning-ready=true]").wait_for(timeout=30_000)
        assert frame.locator("path.zoning-site-point").count() == 1
        assert frame.locator("path.zoning-unit").count() >= 1
        page.page.wait_for_timeout(400)
        ARTEFACTS.mkdir(exist_ok=True)
        page.page.screenshot(path=str(ARTEFACTS / "site-report.png"))
        assert page.errors == [] and page.requests == []
    finally:
        page.page.close()


def test_demo_map_online_degrades_without_tiles(browser, demo_build_path, tmp_path):
    build = read_build(demo_build_path)
    results = DemoResults(build)
    started = time.perf_counter()
    _demo_map(results, tmp_path, lambda _: None)
    made_s = time.perf_counter() - started
    out = results.outputs["map"]
    size = out.stat().st_size
    assert size < MAX_MAP_BYTES
    page = Page(browser, out)
    try:
        assert page.count("path.zoning-zone") == 3
        assert page.count("path.zoning-unit") == gpkg_count(demo_build_path, "units")
        assert page.count("path.zoning-commune") == gpkg_count(demo_build_path, "communes")
        page.page.locator(".zoning-tiles-failed").wait_for()
        hosts = {re.sub(r"^https?://([^/]+)/.*$", r"\1", url) for url in page.requests}
        assert hosts == {"tile.openstreetmap.org"}  # tiles only: no CDN, nothing else
        assert page.errors == []
        assert all("Failed to load resource" in e for e in page.console_errors)  # the blocked tiles
        page.screenshot("map-demo-online-no-tiles.png")
        print(f"\ndemo map (online): {size / 1e6:.2f} MB, made in {made_s:.2f} s, drawn in Chromium in {page.render_s:.2f} s")
    finally:
        page.close()


def test_demo_map_offline_in_english(browser, demo_build_path, tmp_path):
    out = tmp_path / "demo-offline-en.html"
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["map", str(demo_build_path), "--offline", "--lang", "en", "--out", str(out)])
    made_s = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    size = out.stat().st_size
    assert size < MAX_MAP_BYTES
    assert_no_http_resource(out.read_text(encoding="utf-8"))
    page = Page(browser, out)
    try:
        legend = page.page.locator(".zoning-legend").inner_text()
        for name in ZONES_EN:
            assert name in legend
        assert page.count("path.zoning-unit") == gpkg_count(demo_build_path, "units")
        assert page.requests == [] and page.errors == [] and page.console_errors == []
        # a real unit found by name without diacritics, its popup in English with its citation
        page.page.locator(".zoning-search input").fill("core phia oac")
        page.page.keyboard.press("Enter")
        popup = page.page.locator(".leaflet-popup-content")
        assert "Phia Oắc – Phia Đén" in popup.inner_text()
        assert "Decree 08/2022/ND-CP, Art. 22(2)(c)" in popup.inner_text()
        page.screenshot("map-demo-offline-en.png")
        print(f"\ndemo map (offline, en): {size / 1e6:.2f} MB, made in {made_s:.2f} s, drawn in Chromium in {page.render_s:.2f} s")
    finally:
        page.close()


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_real_check_results_on_the_map(suffix, browser, small_build_path, tmp_path):
    """`zoning check` output (GeoPackage: sites layer + findings table; GeoJSON: findings
    listed in each feature) read back on the map."""
    lon, lat = tm3_to_lon_lat(X0 + 1500, Y0 + 1500)  # inside the class II town: strict zone
    table, results = tmp_path / "results.gpkg", tmp_path / f"results{suffix}"
    run = CliRunner().invoke(
        app, ["check", "--point", f"{lon},{lat}", "--type", "glass", "--zoning", str(small_build_path), "--out", str(table), "--out", str(results)]
    )
    assert run.exit_code == 0, run.output
    findings = pyogrio.read_dataframe(table, layer="findings", read_geometry=False)
    verdict = pyogrio.read_dataframe(table, layer="sites", read_geometry=False)["verdict"].iloc[0]
    page = Page(browser, write_map(small_build_path, tmp_path / "m.html", results, offline=True).path)
    try:
        assert page.count("path.zoning-site-point") == 1
        assert page.count(f"input[data-verdict='{verdict}']") == 1
        x, y = page.pixel(lon, lat)
        page.page.mouse.click(x, y)
        text = page.page.locator(".leaflet-popup-content").inner_text()
        assert len(findings) > 0
        for title, citation in zip(findings["title_vi"], findings["citation_vi"]):
            assert title in text and citation in text
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_fit_and_full_screen_buttons(browser, small_build_path, tmp_path):
    page = Page(browser, write_map(small_build_path, tmp_path / "m.html", offline=True).path)
    try:
        province = [*tm3_to_lon_lat(X0, Y0), *tm3_to_lon_lat(X0 + 10_000, Y0 + 10_000)]
        contains = "b => zoning.map.getBounds().contains([[b[1], b[0]], [b[3], b[2]]])"
        assert page.js(contains, province)
        page.js("() => { zoning.map.setView(zoning.map.getCenter(), 17, {animate: false}); }")
        assert not page.js(contains, province)
        page.page.locator("a.zoning-fit").click()
        page.page.wait_for_function(contains, arg=province)  # the view flies back to the province
        page.page.locator("a.leaflet-fullscreen-icon").click()
        page.page.wait_for_function("() => zoning.map._isFullscreen === true")
        page.page.locator("a.leaflet-fullscreen-icon").click()
        page.page.wait_for_function("() => zoning.map._isFullscreen === false")
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_province_with_no_sensitive_land(browser, tmp_path):
    """A build whose whole province is 'other': one zone drawn, no units, still a working page."""
    build = tmp_path / "no-units.gpkg"
    build_zoning(admin_layers(), central_meridian=105.75).write(build)
    page = Page(browser, write_map(build, tmp_path / "m.html", offline=True).path)
    try:
        assert page.count("path.zoning-zone") == 1 and page.count("path.zoning-unit") == 0
        assert "Vùng bảo vệ nghiêm ngặt" in page.page.locator(".zoning-legend").inner_text()
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


# ------------------------------------------------------------------------ candidates


@pytest.fixture(scope="module")
def candidates_file(demo_build_path, tmp_path_factory) -> Path:
    """The demo's landfill candidates, with a hostile name on the first one's nearest houses."""
    from zoning.demo import SITING_COMMUNES, SITING_DISTANCE_M
    from zoning.outputs.candidates import write_candidates
    from zoning.siting import find_sites

    folder = tmp_path_factory.mktemp("candidates")
    source = folder / "siting.gpkg"
    found = find_sites(
        demo_build_path, "sanitary_landfill", min_area_ha=5, communes=list(SITING_COMMUNES), user_distances={"sanitary_landfill": SITING_DISTANCE_M}
    )
    write_candidates(found, source)
    out = folder / "candidates.gpkg"
    candidates = pyogrio.read_dataframe(source, layer="candidates")
    candidates.loc[candidates["rank"] == 1, "nearest_residential"] = BREAKOUT
    pyogrio.write_dataframe(candidates, out, layer="candidates")
    pyogrio.write_dataframe(pyogrio.read_dataframe(source, layer="exclusions"), out, layer="exclusions", append=True)
    info = pyogrio.read_dataframe(source, layer="siting_info", read_geometry=False)
    pyogrio.write_dataframe(info, out, layer="siting_info", append=True)
    return out


def vi_number(value: float, digits: int) -> str:
    """A number as vi-VN writes it: 2.291,18."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def test_candidate_areas_on_the_map(browser, demo_build_path, candidates_file, tmp_path):
    expected = pyogrio.read_dataframe(candidates_file, layer="candidates")
    reasons = pyogrio.read_dataframe(candidates_file, layer="exclusions", read_geometry=False)
    assert len(expected) >= 2
    out = tmp_path / "candidates.html"
    result = CliRunner().invoke(app, ["map", str(demo_build_path), "--candidates", str(candidates_file), "--offline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size < MAX_MAP_BYTES
    assert BREAKOUT not in out.read_text(encoding="utf-8")
    page = Page(browser, out)
    try:
        assert page.count("path.zoning-candidate") == len(expected)
        assert page.count("path.zoning-exclusion") == 0  # the land left out is off at first
        legend = page.js("() => document.querySelector('.zoning-legend').textContent")  # notes folded away count too
        assert "Khu vực ứng viên" in legend and "không phải phê duyệt địa điểm" in legend
        assert "1000 m" in legend and "không phải giá trị đã được xác nhận" in legend  # the user's distance is not law
        toggles = page.page.locator("label.zoning-toggle-exclusion input")
        assert toggles.count() == len(reasons)
        toggles.nth(0).check()
        assert page.count("path.zoning-exclusion") == 1
        page.page.locator("label.zoning-toggle-exclusion input").nth(0).uncheck()
        # the first-ranked candidate: zoom to it and click a point inside it
        first = expected[expected["rank"] == 1].iloc[0]
        inside = shapely.point_on_surface(first.geometry)
        lon, lat = Transformer.from_crs(expected.crs, "EPSG:4326", always_xy=True).transform(inside.x, inside.y)
        page.js("ll => { zoning.map.setView([ll[1], ll[0]], 14, {animate: false}); }", [lon, lat])
        x, y = page.pixel(lon, lat)
        page.page.mouse.click(x, y)
        popup = page.page.locator(".leaflet-popup-content")
        text = popup.inner_text()
        assert page.js("() => document.querySelector('.leaflet-popup-content .zoning-popup-candidate') !== null")
        assert popup.locator(".zoning-candidate-rank td").inner_text() == "1"
        assert popup.locator(".zoning-candidate-area td").inner_text() == vi_number(first["area_ha"], 2) + " ha"
        assert vi_number(first["dist_residential_m"], 0) + " m" in popup.locator(".zoning-candidate-residential td").inner_text()
        assert vi_number(first["dist_water_m"], 0) + " m" in popup.locator(".zoning-candidate-water td").inner_text()
        assert first["commune_names"] in text and BREAKOUT in text  # hostile text shown as text
        assert page.js("() => window.pwned === undefined && document.querySelector('.leaflet-popup-content img') === null")
        page.screenshot("map-demo-candidates.png")
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()


def test_candidates_file_must_be_a_siting_output(small_build_path, sites_file, tmp_path):
    with pytest.raises(InputError, match="no 'candidates' layer"):
        zoning_map(small_build_path, candidates=small_build_path)


def test_web_application_assets_add_the_drawing_plugin_only_to_its_page():
    from zoning.outputs.webassets import vendored_file, web_assets

    app_page, map_page = web_assets("app"), web_assets("map")
    assert "@geoman-io/leaflet-geoman-free" in app_page.versions and "@geoman-io/leaflet-geoman-free" not in map_page.versions
    assert "ZoningApp" in app_page.head_html and "ZoningApp" not in map_page.head_html
    assert "ZoningMap" in app_page.head_html and "swagger" not in app_page.head_html.lower()
    content, media_type = vendored_file("swagger-ui/swagger-ui.css")
    assert media_type == "text/css" and len(content) > 100_000
    assert vendored_file("leaflet/leaflet.js") is None and vendored_file("../assets.yaml") is None
    with pytest.raises(ValueError, match="unknown page"):
        web_assets("admin")


def test_map_config_is_what_the_map_page_draws(small_build_path):
    from zoning.outputs.map import map_config

    config = map_config(small_build_path, "en", offline=True)
    page = render_html(zoning_map(small_build_path, lang="en", offline=True))
    embedded = json.loads(re.search(r"ZoningMap\.init\([^,]+, (\{.*\})\);", page).group(1))
    assert embedded == json.loads(json.dumps(config))
    assert config["counts"] == {
        "zones": 3,
        "units": gpkg_count(small_build_path, "units"),
        "communes": 4,
        "sites": 0,
        "candidates": 0,
        "exclusions": 0,
        "transitions": 0,
    }


def test_sites_config_draws_safety_distance_rings(small_build_path):
    import zoning
    from zoning.outputs.map import sites_config

    site = gpd.GeoDataFrame({"id": ["w1"], "name": ["Bãi <rác>"]}, geometry=[Point(X0 + 8500, Y0 + 1500)], crs=tm3_crs(105.75))
    result = zoning.check(site, small_build_path, type="sanitary_landfill", distances={"sanitary_landfill:residential": 500})
    config = sites_config(result, small_build_path, "vi")
    (feature,) = config["sites"]["features"]
    assert feature["properties"]["name"] == "Bãi <rác>" and feature["properties"]["verdict"] == result.sites["verdict"][0]
    assert feature["properties"]["findings"]  # the popup lists them
    (ring,) = config["buffers"]["features"]
    assert ring["properties"]["receptor"] == "residential" and ring["properties"]["distance_m"] == 500 and ring["properties"]["status"] == "user"
    back = reproject(np.array([shapely.geometry.shape(ring["geometry"])]), WGS84, tm3_crs(105.75))[0]
    assert back.area == pytest.approx(math.pi * 500**2, rel=0.002) and back.centroid.distance(Point(X0 + 8500, Y0 + 1500)) < 0.2
    summary = sites_config(result, small_build_path, "vi", findings=False)
    assert "findings" not in summary["sites"]["features"][0]["properties"]
