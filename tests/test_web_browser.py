"""The web application in a real browser: Debian's Chromium driven by Playwright (no browser
download), against a uvicorn server started here on a free loopback port, serving the Cao
Bằng demo build offline. Every request that would leave 127.0.0.1 is blocked and recorded.

A planner's path through the page: click a point inside a known strict unit and read the
verdict; draw a polygon; type coordinates and paste a marker table; upload a CSV of sites
and read, sort and open the results table; download the results; switch language; reopen
a check from its link. Screenshots go to ``tests/artefacts/``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

import zoning
from zoning import terms
from zoning.builder.model import read_build
from zoning.inputs.crs import WGS84, reproject
from zoning.web import create_app

from .conftest import running_server

CHROMIUM = Path("/usr/bin/chromium")
ARTEFACTS = Path(__file__).parent / "artefacts"
HOSTILE = "<img src=x onerror=\"window.pwned=1\">"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests need Chromium at /usr/bin/chromium: install the Debian package `chromium` (apt-get install chromium)",
)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def build(demo_build_path):
    return read_build(demo_build_path)


@pytest.fixture(scope="module")
def server(build):
    with running_server(create_app([build], offline=True)) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run"], viewport={"width": 1400, "height": 900},
            locale="vi-VN", accept_downloads=True,
        )
        yield context
        context.close()


class AppPage:
    """The application opened in the browser, requests off the server blocked and recorded."""

    def __init__(self, context, url: str, viewport: dict | None = None):
        self.page = context.new_page()
        if viewport:  # before the page loads: the page lays itself out for the screen it starts on
            self.page.set_viewport_size(viewport)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.server = url.split("/", 3)[:3]

        def route(request_route):
            url_ = request_route.request.url
            if url_.startswith(("data:", "blob:")) or url_.split("/", 3)[:3] == self.server:
                request_route.continue_()
            else:
                self.outside.append(url_)
                request_route.abort()

        self.page.route("**/*", route)
        self.page.goto(url)
        self.page.wait_for_selector("body[data-app-ready=true]", timeout=60_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        p = self.js("ll => zoningApp.map.latLngToContainerPoint([ll[1], ll[0]])", [lon, lat])
        box = self.page.locator("#map").bounding_box()
        return box["x"] + p["x"], box["y"] + p["y"]

    def show(self, lon: float, lat: float, zoom: float) -> None:
        self.js("a => { zoningApp.map.setView([a[1], a[0]], a[2], {animate: false}); }", [lon, lat, zoom])  # returns nothing: a Leaflet map does not serialise
        self.page.wait_for_timeout(200)

    def checks(self) -> int:
        return int(self.page.get_attribute("body", "data-app-checks") or 0)

    def wait_for_check(self, before: int) -> None:
        self.page.wait_for_function(f"Number(document.body.getAttribute('data-app-checks') || 0) > {before}", timeout=60_000)

    def upload(self, path: Path) -> None:
        """Check a file of sites through the page's file tab, and wait for the answer."""
        self.page.click("button[data-tab=file]")
        self.page.set_input_files("#file-form input[type=file]", str(path))
        before = self.checks()
        self.page.click("#file-form button[type=submit]")
        self.wait_for_check(before)

    def verdict(self) -> str:
        return self.page.locator("#result .app-site .app-verdict .zoning-verdict").first.inner_text()

    def screenshot(self, name: str, full_panel: bool = False) -> Path:
        self.page.wait_for_timeout(400)
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / name
        if full_panel:  # the whole panel, as a planner scrolls through it
            height = self.js("() => document.getElementById('panel').scrollHeight")
            self.page.set_viewport_size({"width": 1400, "height": max(900, min(height + 20, 6000))})
        self.page.screenshot(path=str(path))
        self.page.set_viewport_size({"width": 1400, "height": 900})
        return path

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        self.page.close()


@pytest.fixture(scope="module")
def strict_point(build):
    unit = build.units.set_index("unit_id").geometry["S0001"]
    point = shapely.point_on_surface(unit)
    return reproject(np.array([point]), build.crs, WGS84)[0]


def label(group: str, key: str, lang: str = "vi") -> str:
    return terms.label(group, key, lang)


# -------------------------------------------------------------------------- the tests


def test_click_a_point_in_a_strict_unit_and_read_the_verdict(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    assert app.page.locator("h1").inner_text() == "Kiểm tra địa điểm dự án theo phân vùng môi trường"
    assert "dữ liệu minh họa" in app.page.locator("#build-notice").inner_text()
    app.screenshot("web-01-start-vi.png")
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))
    app.wait_for_check(before)
    expected = zoning.check(Point(strict_point.x, strict_point.y), build)
    assert app.verdict() == label("verdicts", expected.sites["verdict"][0])
    clicked = app.js("() => zoningApp.answer.request.sites.features[0].geometry.coordinates")
    assert clicked == pytest.approx([strict_point.x, strict_point.y], abs=3e-4)  # within a pixel (about 35 m at zoom 12)
    assert app.page.locator(".app-site h3").inner_text() == f"Điểm đã chọn ({terms.number(clicked[1], 6)}, {terms.number(clicked[0], 6)})"
    zones = app.page.locator(".app-zones tbody").inner_text()
    assert "Vùng bảo vệ nghiêm ngặt" in zones and "100,00 %" in zones
    units = app.page.locator(".app-units tbody").inner_text()
    assert "(S0001)" in units and "điểm a khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP" in units and "trong đơn vị" in units
    assert "không dùng để ra quyết định" in app.page.locator(".app-illustrative").inner_text()
    assert app.page.locator(".app-sensitive tbody tr").count() == len(expected.sensitive)
    assert app.js("() => zoningApp.answer.sites[0].units.filter(u => u.inside)[0].unit_id") == "S0001"
    assert app.page.locator("path.zoning-site-point").count() == 1  # the site on the map
    app.screenshot("web-02-point-strict-vi.png")
    app.screenshot("web-02-point-strict-vi-panel.png", full_panel=True)
    app.close()


def test_choose_a_type_and_give_a_missing_safety_distance(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.page.fill("#type-search", "bai chon lap")  # without diacritics
    app.page.locator("#type-list li").first.dispatch_event("mousedown")
    assert "Bãi chôn lấp chất thải rắn hợp vệ sinh" in app.page.locator("#type-chosen").inner_text()
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))
    app.wait_for_check(before)
    safety = app.page.locator(".app-safety tbody").inner_text()
    assert "chưa có giá trị đã xác nhận" in safety and "QCVN 01:2025/BTNMT" in safety
    form = app.page.locator("form.app-distance").first
    form.locator("input").fill("1000")
    before = app.checks()
    form.locator("button").click()
    app.wait_for_check(before)
    rows = app.js("() => zoningApp.answer.sites[0].safety.map(s => [s.receptor, s.distance_required_m, s.status])")
    assert ["residential", 1000, "user"] in rows
    assert app.page.locator("path.app-buffer").count() == 1  # the 1000 m ring on the map
    expected = zoning.check(Point(strict_point.x, strict_point.y), build, type="sanitary_landfill", distances={"sanitary_landfill:residential": 1000})
    assert app.verdict() == label("verdicts", expected.sites["verdict"][0])
    app.screenshot("web-03-safety-distance-vi.png")
    app.screenshot("web-03-safety-distance-vi-panel.png", full_panel=True)
    app.close()


def test_draw_a_polygon(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.show(strict_point.x, strict_point.y, 13)
    app.page.click("button[data-tab=draw]")
    app.page.click("#draw-polygon")
    cx, cy = app.pixel(strict_point.x, strict_point.y)
    corners = [(cx - 60, cy - 60), (cx + 140, cy - 60), (cx + 140, cy + 90), (cx - 60, cy + 90)]
    before = app.checks()
    for x, y in corners:
        app.page.mouse.click(x, y)
        app.page.wait_for_timeout(150)
    app.page.mouse.click(*corners[0])  # back on the first vertex closes the area
    app.wait_for_check(before)
    request = app.js("() => zoningApp.answer.request")
    drawn = shapely.geometry.shape(request["sites"]["features"][0]["geometry"])
    area = reproject(np.array([drawn]), WGS84, build.crs)[0].area / 10_000
    site = app.js("() => zoningApp.answer.sites[0]")
    assert site["geometry_type"] == "polygon" and site["area_ha"] == pytest.approx(area, abs=1e-4)
    assert terms.number(site["area_ha"], 2) + " ha" in app.page.locator(".app-facts").inner_text()
    assert "Vùng bảo vệ nghiêm ngặt" in app.page.locator(".app-zones").inner_text()
    assert sum(z["overlap_ha"] for z in site["zones"]) + site["outside_ha"] == pytest.approx(area, abs=5e-4)
    assert app.page.locator(".app-site h3").inner_text() == "Vùng đã vẽ"  # a drawn site without a name
    app.screenshot("web-04-drawn-polygon-vi.png")
    app.close()


def test_typed_coordinates_and_a_marker_table(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.page.click("button[data-tab=coordinates]")
    app.page.select_option("#coordinates-system", "dms")
    lat, lon = strict_point.y, strict_point.x
    dms = lambda v, h: f"{int(v)}°{int(v * 60 % 60):02d}′{v * 3600 % 60:06.3f}″{h}"  # noqa: E731
    app.page.fill("#coordinates-form textarea", f"{dms(lat, 'B')} {dms(lon, 'Đ')}")
    before = app.checks()
    app.page.click("#coordinates-form button[type=submit]")
    app.wait_for_check(before)
    assert app.js("() => zoningApp.answer.sites[0].units.filter(u => u.inside).map(u => u.unit_id)") == ["S0001"]
    # a boundary-marker table pasted from Word: VN-2000 X (north), Y (east), Vietnamese numbers
    x, y = reproject(np.array([Point(lon, lat)]), WGS84, build.crs)[0].coords[0]
    side = math.sqrt(500_000)
    corners = [(x + 3000, y + 3000), (x + 3000 + side, y + 3000), (x + 3000 + side, y + 3000 + side), (x + 3000, y + 3000 + side)]
    table = "Mốc\tX (m)\tY (m)\n" + "\n".join(f"M{i}\t{cy:_.2f}\t{cx:_.2f}".replace(".", ",").replace("_", ".") for i, (cx, cy) in enumerate(corners, 1))
    app.page.click("button[data-tab=markers]")
    app.page.fill("#markers-form textarea", table)
    app.page.fill("#markers-form input[name=name]", "Khu đất dự án 50 ha")
    before = app.checks()
    app.page.click("#markers-form button[type=submit]")
    app.wait_for_check(before)
    assert app.page.locator(".app-site h3").inner_text() == "Khu đất dự án 50 ha"
    assert "vùng, 50,00 ha" in app.page.locator(".app-facts").inner_text()
    app.screenshot("web-05-marker-table-vi.png")
    app.close()


def test_upload_a_csv_and_read_the_table(browser, server, build, tmp_path):
    zones = build.zones.geometry.union_all()
    rng = np.random.default_rng(11)
    xmin, ymin, xmax, ymax = zones.bounds
    points = shapely.points(rng.uniform(xmin, xmax, 200), rng.uniform(ymin, ymax, 200))
    points = points[shapely.contains_xy(zones, *shapely.get_coordinates(points).T)][:24]
    wgs = reproject(points, build.crs, WGS84)
    table = pd.DataFrame({"id": [f"D{i:02d}" for i in range(len(wgs))], "name": [f"Điểm {i}" for i in range(len(wgs))],
                          "lon": shapely.get_x(wgs), "lat": shapely.get_y(wgs)})
    table.loc[3, "name"] = HOSTILE
    path = tmp_path / "Danh sách điểm.csv"
    table.to_csv(path, index=False)
    expected = zoning.check(path, build, type="other")
    app = AppPage(browser, server + "/")
    app.page.fill("#type-search", "du an khac")
    app.page.locator("#type-list li").first.dispatch_event("mousedown")
    app.upload(path)
    rows = app.page.locator(".app-sites tbody tr")
    assert rows.count() == len(table)
    counts = {chip.get_attribute("data-verdict"): int(chip.get_attribute("data-count")) for chip in app.page.locator(".app-count").all()}
    assert counts == {v: n for v, n in expected.meta["verdicts"].items() if n}
    shown = {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())}
    assert shown == {r.site_id: label("verdicts", r.verdict) for r in expected.sites.itertuples()}
    assert HOSTILE in app.page.locator(".app-sites").inner_text() and app.js("() => window.pwned === undefined")
    # sort by verdict: the most serious first
    app.page.click(".app-sites th[data-key=verdict]")
    order = ["outside_province", "conflict", "needs_review", "no_data", "no_conflict_found"]
    first = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    ranks = [order.index(next(v for v in order if label("verdicts", v) == text)) for text in first]
    assert ranks == sorted(ranks)
    # a row opens its site and zooms the map to it
    target = rows.nth(5)
    site_id = target.locator("td").first.inner_text()
    target.click()
    app.page.wait_for_selector(f".app-detail .app-site[data-site-id='{site_id}'] .app-zones", timeout=60_000)
    center = app.js("() => zoningApp.map.getCenter()")
    site = expected.sites.set_index("site_id").geometry[site_id]
    lon, lat = reproject(np.array([site]), build.crs, WGS84)[0].coords[0]
    assert center["lng"] == pytest.approx(lon, abs=1e-3) and center["lat"] == pytest.approx(lat, abs=1e-3)
    # the results download as CSV
    with app.page.expect_download() as download:
        app.page.click(".app-results-csv")
    saved = pd.read_csv(download.value.path(), dtype=str)
    assert dict(zip(saved["site_id"], saved["verdict"])) == dict(zip(expected.sites["site_id"], expected.sites["verdict"]))
    app.screenshot("web-06-csv-table-vi.png")
    app.screenshot("web-06-csv-table-vi-panel.png", full_panel=True)
    app.close()


def test_switch_language_and_reopen_a_check_from_its_link(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))
    app.wait_for_check(before)
    verdict = app.js("() => zoningApp.answer.sites[0].verdict")
    app.page.click(".app-copy-link")
    link = app.page.locator(".app-link-text").input_value()
    assert "#check=" in link and "lang=vi" in link
    app.page.click("#lang-switch")
    app.page.wait_for_selector("body[data-app-ready=true]")
    app.wait_for_check(0)
    assert app.page.locator("html").get_attribute("lang") == "en"
    assert app.page.locator("h1").inner_text() == "Check a project site against the environmental zoning"
    assert app.verdict() == label("verdicts", verdict, "en")
    assert "Strict protection zone" in app.page.locator(".app-zones").inner_text()
    assert "Decree 08/2022/ND-CP, Art. 22(2)(a)" in app.page.locator(".app-units").inner_text()
    assert app.page.locator(".zoning-legend").inner_text().startswith("▾ Legend") or "Legend" in app.page.locator(".zoning-legend").inner_text()
    app.screenshot("web-07-point-strict-en.png")
    app.screenshot("web-07-point-strict-en-panel.png", full_panel=True)
    app.close()
    reopened = AppPage(browser, link)
    reopened.wait_for_check(0)
    assert reopened.verdict() == label("verdicts", verdict)
    assert reopened.js("() => zoningApp.answer.sites[0].units.filter(u => u.inside)[0].unit_id") == "S0001"
    reopened.close()


def test_errors_are_shown_near_the_button_pressed_and_the_old_result_cleared(browser, server, strict_point):
    app = AppPage(browser, server + "/")
    app.page.click("button[data-tab=coordinates]")
    app.page.fill("#coordinates-form textarea", f"{strict_point.y:.6f}, {strict_point.x:.6f}")
    before = app.checks()
    app.page.click("#coordinates-form button[type=submit]")
    app.wait_for_check(before)
    assert app.page.locator("#result .app-site").count() == 1
    app.page.fill("#coordinates-form textarea", "Bảng tọa độ\n22.6, 106.2, 7")
    app.page.click("#coordinates-form button[type=submit]")
    app.page.wait_for_selector("body[data-app-error]")
    message = app.page.locator("#error").inner_text()
    assert message.startswith("Lỗi: Dòng 2 ('22.6, 106.2, 7'): cần đúng hai số (vĩ độ, kinh độ)")
    assert "Đã đọc:\ndòng 1: bỏ qua ('Bảng tọa độ')" in message  # what was read, line by line
    # the message sits right under the form whose button was pressed; the earlier answer is gone
    assert app.js("() => document.getElementById('coordinates-form').nextElementSibling.id") == "error"
    assert app.page.locator("#result .app-site").count() == 0 and app.js("() => zoningApp.answer") is None
    app.screenshot("web-08-error-vi.png")
    app.errors = [e for e in app.errors if "status of 422" not in e]  # the browser logs the 422 the page shows
    app.close()


def test_the_reason_under_the_verdict(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.page.fill("#type-search", "bai chon lap")
    app.page.locator("#type-list li").first.dispatch_event("mousedown")
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))
    app.wait_for_check(before)
    expected = zoning.check(Point(strict_point.x, strict_point.y), build, type="sanitary_landfill")
    verdict = expected.sites["verdict"][0]
    assert app.verdict() == label("verdicts", verdict)
    severity = {"conflict": "conflict", "needs_review": "review"}[verdict]
    decisive = expected.findings[expected.findings["severity"] == severity].iloc[0]
    reason = app.page.locator(".app-site .app-reason").inner_text()
    assert reason.startswith(decisive["title_vi"]) and decisive["citation_vi"] in reason
    assert "Nghị định" in reason and "nd08-" not in reason and "--" not in reason  # the law, no rule ids or command-line words
    app.screenshot("web-09-reason-vi.png")
    app.close()


def test_a_point_outside_the_province_gets_an_answer(browser, server):
    app = AppPage(browser, server + "/")
    app.page.click("button[data-tab=coordinates]")
    app.page.fill("#coordinates-form textarea", "21.03, 105.85")
    before = app.checks()
    app.page.click("#coordinates-form button[type=submit]")
    app.wait_for_check(before)
    assert app.verdict() == "Ngoài phạm vi tỉnh"
    assert app.page.locator(".app-site h3").inner_text() == "Điểm đã chọn (21,030000, 105,850000)"  # the placeholder filled, latitude first
    reason = app.page.locator(".app-site .app-reason").inner_text()
    assert reason.startswith("Địa điểm nằm ngoài phạm vi tỉnh của bản phân vùng") and "vĩ độ 21,03000, kinh độ 105,85000" in reason
    app.screenshot("web-10-outside-vi.png")
    app.close()


def test_a_numbered_marker_table_from_word(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    x, y = reproject(np.array([Point(strict_point.x, strict_point.y)]), WGS84, build.crs)[0].coords[0]
    side = math.sqrt(500_000)
    corners = [(x + 3000, y + 3000), (x + 3000 + side, y + 3000), (x + 3000 + side, y + 3000 + side), (x + 3000, y + 3000 + side)]
    table = "STT\tSố hiệu\tX (m)\tY (m)\n" + "\n".join(
        f"{i}\tM{i}\t{cy:_.2f}\t{cx:_.2f}".replace(".", ",").replace("_", ".") for i, (cx, cy) in enumerate(corners, 1))
    app.page.click("button[data-tab=markers]")
    app.page.fill("#markers-form textarea", table)
    before = app.checks()
    app.page.click("#markers-form button[type=submit]")
    app.wait_for_check(before)
    assert "vùng, 50,00 ha" in app.page.locator(".app-facts").inner_text()
    app.screenshot("web-11-numbered-markers-vi.png")
    app.close()


def test_upload_a_list_with_vietnamese_columns_and_one_bad_row(browser, server, build, strict_point, tmp_path):
    x, y = reproject(np.array([Point(strict_point.x, strict_point.y)]), WGS84, build.crs)[0].coords[0]
    rows = ["STT,Tên dự án,Loại hình,Công suất,Đơn vị,Kinh độ,Vĩ độ,Ghi chú"]
    for i in range(1, 21):
        p = reproject(np.array([Point(x + 400 * i, y - 300 * i)]), build.crs, WGS84)[0]
        rows.append(f"{i},Dự án {i},Bãi chôn lấp chất thải rắn hợp vệ sinh,{10 * i},tấn/ngày,{'1062512' if i == 7 else f'{p.x:.7f}'},{p.y:.7f},—")
    path = tmp_path / "Danh sách dự án.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    expected = zoning.check(path, build)
    assert len(expected.sites) == 19
    app = AppPage(browser, server + "/")
    app.upload(path)
    rows_shown = app.page.locator(".app-sites tbody tr")
    assert rows_shown.count() == 20
    error = app.page.locator(".app-sites tbody tr.app-data-error")
    assert error.count() == 1 and error.get_attribute("data-row") == "8"
    text = error.inner_text()
    assert "dòng 8" in text and "cột Kinh độ = 1062512" in text and "Lỗi dữ liệu" in text and "106.2512" in text
    counts = {chip.get_attribute("data-verdict"): int(chip.get_attribute("data-count")) for chip in app.page.locator(".app-count").all()}
    assert counts == {**{v: n for v, n in expected.meta["verdicts"].items() if n}, "data_error": 1}
    assert rows_shown.first.get_attribute("class") == "app-data-error"  # what to fix comes first
    sites = app.page.locator(".app-sites tbody tr:not(.app-data-error)")
    names = [sites.nth(i).locator("td").nth(1).inner_text() for i in range(3)]
    assert names == ["Dự án 1", "Dự án 2", "Dự án 3"]  # "Tên dự án" read, not row numbers
    assert "1 dòng của tệp không đọc được" in app.page.locator(".app-data-errors").inner_text()
    assert app.js("() => zoningApp.answer.sites.every(s => s.type === 'sanitary_landfill')")
    app.screenshot("web-12-bad-row-vi.png")
    app.screenshot("web-12-bad-row-vi-panel.png", full_panel=True)
    app.close()


def test_a_phone_folds_the_panels_and_a_tap_checks_the_point(browser, server, build, strict_point):
    app = AppPage(browser, server + "/", viewport={"width": 390, "height": 844})
    panels = app.page.locator("#map .zoning-layers, #map .zoning-legend")
    assert panels.count() == 2 and all("zoning-collapsed" in (panels.nth(i).get_attribute("class") or "") for i in range(2))
    for i in range(2):  # folded to their title: a small part of the map
        box = panels.nth(i).bounding_box()
        assert box["height"] < 60 and box["width"] < 0.8 * 390
    map_box = app.page.locator("#map").bounding_box()
    assert map_box["y"] == 0 and map_box["height"] >= 0.45 * 844  # the map on top
    app.page.wait_for_timeout(300)
    ARTEFACTS.mkdir(exist_ok=True)
    app.page.screenshot(path=str(ARTEFACTS / "web-13-phone-start-vi.png"))
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))  # a tap on the map checks the point
    app.wait_for_check(before)
    expected = zoning.check(Point(strict_point.x, strict_point.y), build)
    assert app.verdict() == label("verdicts", expected.sites["verdict"][0])
    # the answer is in the panel below the map, scrolled into view; the map keeps the top half of the screen
    map_box, verdict_box = app.page.locator("#map").bounding_box(), app.page.locator("#result .app-verdict").bounding_box()
    assert map_box["y"] == 0 and map_box["height"] >= 0.45 * 844 and map_box["height"] <= verdict_box["y"] < 844
    app.page.wait_for_timeout(400)
    app.page.screenshot(path=str(ARTEFACTS / "web-13-phone-vi.png"))
    app.close()


@pytest.fixture(scope="module")
def national_server(national_run):
    """The application over the national folder of Cao Bằng and Lạng Sơn (tests/national_fixtures.py)."""
    with running_server(create_app([national_run.out], offline=True)) as base:
        yield base


def test_pick_a_province_in_the_selector_and_check_a_point(browser, national_server, national_run):
    from tests.national_fixtures import border_points, outlines

    app = AppPage(browser, national_server + "/")
    assert app.page.locator("#build-select").input_value() == "toan-quoc"  # the whole country by default
    assert app.page.locator("#build-select option").all_inner_texts()[0].startswith("Toàn quốc")
    with app.page.expect_navigation():
        app.page.select_option("#build-select", "lang-son")
    app.page.wait_for_selector("body[data-app-ready=true]", timeout=60_000)
    _, lang_son = outlines()
    _, east = border_points()
    point = shapely.Point(east.x + 0.02, east.y - 0.02)  # in Lạng Sơn, near the river that crosses the border
    assert lang_son.contains(point)
    app.show(point.x, point.y, 13)
    before = app.checks()
    app.page.mouse.click(*app.pixel(point.x, point.y))
    app.wait_for_check(before)
    clicked = app.js("() => zoningApp.answer.request.sites.features[0].geometry.coordinates")
    expected = zoning.check(Point(*clicked), national_run.out / "provinces" / "lang-son.gpkg")
    assert app.js("() => zoningApp.answer.build") == "lang-son"
    assert app.verdict() == label("verdicts", expected.sites["verdict"][0])
    assert app.page.locator(".app-site .app-province").inner_text() == "Tỉnh: Lạng Sơn"
    app.screenshot("web-14-national-province-vi.png")
    app.close()


def test_a_failed_download_is_told_beside_its_button_in_both_languages(browser, server, build, strict_point):
    app = AppPage(browser, server + "/")
    app.page.fill("#type-search", "bai chon lap")
    app.page.locator("#type-list li").first.dispatch_event("mousedown")
    # the project type by its name, never its code
    assert app.page.locator("#type-chosen").inner_text() == "Bãi chôn lấp chất thải rắn hợp vệ sinh"
    app.show(strict_point.x, strict_point.y, 12)
    before = app.checks()
    app.page.mouse.click(*app.pixel(strict_point.x, strict_point.y))
    app.wait_for_check(before)
    facts = app.page.locator(".app-site .app-facts").inner_text()
    assert "Bãi chôn lấp chất thải rắn hợp vệ sinh" in facts and "sanitary_landfill" not in app.page.locator("#panel").inner_text()
    verdict = app.verdict()
    # the server refuses: the check's zoning is no longer served (a real 404 of the real server)
    app.js("() => { zoningApp.answer.request.build = 'da-go-bo'; }")
    app.page.click(".app-report-html")
    message = app.page.locator(".app-download-error")
    message.wait_for(timeout=30_000)
    text = message.inner_text()
    assert text.startswith("Không tải được tệp: Không có bản phân vùng 'da-go-bo' trên máy chủ này")
    assert " / The file could not be downloaded: No zoning 'da-go-bo' is served here" in text
    assert message.get_attribute("data-status") == "404" and message.get_attribute("role") == "alert"
    # right under the row of the button pressed, which is usable again; the check shown stays
    assert app.js("() => document.querySelector('.app-download-error').previousElementSibling.contains(document.querySelector('.app-report-html'))")
    assert app.page.locator(".app-report-html").is_enabled() and app.page.locator(".app-report-html").inner_text() != app.js("() => zoningApp.T.preparing")
    assert app.verdict() == verdict and app.page.get_attribute("body", "data-app-error") is None
    app.screenshot("web-10-download-failed-vi.png")
    # the network fails: the connection drops before the server answers
    app.js("build => { zoningApp.answer.request.build = build; }", app.js("() => zoningApp.cfg.build"))
    app.page.route("**/api/export/csv", lambda route: route.abort("connectionreset"))
    app.page.click(".app-results-csv")
    app.page.wait_for_selector(".app-download-error[data-status=network]", timeout=30_000)
    assert app.page.locator(".app-download-error").count() == 1  # the earlier message replaced, not piled up
    text = app.page.locator(".app-download-error").inner_text()
    assert text == ("Không tải được tệp: không kết nối được tới máy chủ; hãy kiểm tra mạng rồi bấm lại / "
                    "The file could not be downloaded: the server could not be reached; check the connection and press again")
    app.page.unroute("**/api/export/csv")
    # pressed again once the server answers: the file comes and the message goes
    with app.page.expect_download() as download:
        app.page.click(".app-results-csv")
    assert pd.read_csv(download.value.path(), dtype=str)["verdict"].tolist() == [app.js("() => zoningApp.answer.sites[0].verdict")]
    assert app.page.locator(".app-download-error").count() == 0
    app.errors = [e for e in app.errors if "status of 404" not in e and "ERR_CONNECTION_RESET" not in e]  # the browser logs what the page shows
    app.close()
