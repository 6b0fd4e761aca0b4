"""The national map: every province's zones on one offline page, a province's detail loaded on zoom or pick."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from zoning.inputs.crs import reproject
from zoning.national.webmap import DETAIL_FOLDER, DISPLAY_CRS, PAGE, PARTLY, WEB_MERCATOR, overview_grid
from zoning.outputs.raster import ZONE_CODES

from .test_maps import browser  # noqa: F401  (the real headless Chromium of the map tests)

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def national(national_run) -> Path:
    """The session's national build of Cao Bằng and Lạng Sơn (tests/conftest.py); tests copy before changing it."""
    return national_run.out


def page_config(out: Path) -> dict:
    text = (out / PAGE).read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="national-config">(.*?)</script>', text, re.S).group(1))


def detail(out: Path, slug: str) -> dict:
    text = (out / DETAIL_FOLDER / f"{slug}.js").read_text(encoding="utf-8")
    prefix = f'zoningNational.detail("{slug}",'
    assert text.startswith(prefix) and text.rstrip().endswith(");")
    return json.loads(text[len(prefix):text.rstrip().rindex(")")])


def unpacked(packed: dict) -> list[tuple[dict, shapely.Geometry]]:
    """The page's packed polygons read back: per ring the first point, then steps, in 1e-5 degrees."""
    features = []
    for properties, parts in zip(packed["properties"], packed["polygons"]):
        polygons = []
        for rings in parts:
            coords = [np.cumsum(np.array(steps, dtype=float).reshape(-1, 2), axis=0) / 1e5 for steps in rings]
            polygons.append(shapely.Polygon(coords[0], coords[1:]))
        features.append((properties, shapely.MultiPolygon(polygons)))
    return features


def overviews(out: Path) -> dict:
    """Each province's overview image on the page: its classes and grid."""
    return {o["slug"]: overview_grid(base64.b64decode(o["image"].split(",", 1)[1])) for o in page_config(out)["overviews"]}


def pixel_centres(grid) -> tuple[np.ndarray, np.ndarray]:
    """The Web Mercator coordinates of a grid's pixel centres, one array per axis (rows × columns)."""
    west, _, _, north = grid.bounds
    size = grid.resolution
    cols, rows = np.meshgrid(np.arange(grid.width), np.arange(grid.height))
    return west + (cols + 0.5) * size, north - (rows + 0.5) * size


def build_zones(out: Path, slug: str, crs=WEB_MERCATOR) -> dict[str, shapely.Geometry]:
    zones = pyogrio.read_dataframe(out / "provinces" / f"{slug}.gpkg", layer="zones")
    return dict(zip(zones["zone"], reproject(zones.geometry.to_numpy(), zones.crs, crs)))


def test_the_page_holds_every_zone_with_its_provinces_own_area(national):
    config = page_config(national)
    assert [p["slug"] for p in config["provinces"]] == ["cao-bang", "lang-son"]
    assert [p["name"] for p in config["provinces"]] == ["Tỉnh Cao Bằng", "Tỉnh Lạng Sơn"]
    shown = {(p["slug"], p["zone"]): p["area_ha"] for p in config["zones"]}
    for slug in ("cao-bang", "lang-son"):
        zones = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="zones", read_geometry=False)
        for zone, area in zip(zones["zone"], zones["area_ha"]):
            assert shown[(slug, zone)] == pytest.approx(area, abs=0.005)
    assert len(shown) == 6


def test_the_overview_images_draw_each_province_on_one_grid(national):
    """Measured against the builds: the land drawn has the province's area, no pixel belongs to both provinces,
    a pixel whose centre a strict zone holds is strict, and no strict pixel is further than a pixel from it."""
    images = overviews(national)
    taken: set[tuple[int, int]] = set()
    for slug, (classes, grid) in images.items():
        zones = build_zones(national, slug)
        size = grid.resolution
        x, y = pixel_centres(grid)
        land = classes != 0
        # a Web Mercator pixel covers size² · cos²(latitude) of ground; its latitude from its centre
        latitude = np.degrees(2 * np.arctan(np.exp(y / 6378137.0)) - np.pi / 2)
        drawn = float((size**2 * np.cos(np.radians(latitude)) ** 2)[land].sum())
        province = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="zones", read_geometry=False)["area_ha"].sum() * 1e4
        assert drawn == pytest.approx(province, rel=0.01)
        # the grid is the world's at that zoom: its edges are whole pixels from the origin, so the provinces' pixels line up
        assert grid.bounds[0] / size == pytest.approx(round(grid.bounds[0] / size), abs=1e-6)
        cells = {(round(grid.bounds[3] / size) - r, round(grid.bounds[0] / size) + c) for r, c in zip(*np.nonzero(land))}
        assert not cells & taken
        taken |= cells
        strict = np.isin(classes, [ZONE_CODES["strict"], PARTLY[ZONE_CODES["strict"]]])  # full or pale
        inside = shapely.contains_xy(zones["strict"], x, y)
        assert inside.sum() > 100 and strict[inside & land].all()
        assert shapely.distance(zones["strict"], shapely.points(x[strict], y[strict])).max() <= size * math.sqrt(2) / 2 + 1e-6
        # the full-colour pixels (half the pixel or more in the zone) stand for the zone's area; the pale ones only show it is there
        full = classes == ZONE_CODES["strict"]
        ground = size**2 * np.cos(np.radians(latitude)) ** 2
        strict_m2 = shapely.area(build_zones(national, slug, crs=pyogrio.read_info(national / "provinces" / f"{slug}.gpkg", layer="zones")["crs"])["strict"])
        assert float(ground[full].sum()) == pytest.approx(strict_m2, rel=0.05)
        assert float(ground[strict].sum()) > strict_m2


def test_a_corridor_narrower_than_a_pixel_still_shows_in_the_overview(monkeypatch):
    """A strict corridor 20 m wide across a province of 30 km: drawn pale along its whole length, one pixel wide or two."""
    import geopandas as gpd

    from zoning.national.mosaic import NATIONAL_CRS
    from zoning.national.webmap import OVERVIEW_PIXEL_M, overview_classes, overview_png

    land = shapely.box(500_000, 2_400_000, 530_000, 2_430_000)
    river = shapely.box(500_000, 2_414_990, 530_000, 2_415_010)
    metric = gpd.GeoSeries([river, land.difference(river)], crs=DISPLAY_CRS)
    zones = gpd.GeoDataFrame({"zone": ["strict", "other"]}, geometry=metric.to_crs(NATIONAL_CRS))
    classes, grid = overview_classes(zones)
    pale = classes == PARTLY[ZONE_CODES["strict"]]
    length = metric.to_crs(WEB_MERCATOR).iloc[0].bounds
    assert len(np.nonzero(pale.any(axis=0))[0]) >= (length[2] - length[0]) / OVERVIEW_PIXEL_M - 1  # every column the river crosses
    assert pale.sum(axis=0).max() <= 2  # 20 m wide: one pixel a column, two where it runs along a pixel edge
    assert not (classes == ZONE_CODES["strict"]).any()  # 20 m of a pixel of 285 m: pale, never full
    assert not np.isin(classes, [ZONE_CODES["emission_limited"], PARTLY[ZONE_CODES["emission_limited"]]]).any()
    back, _ = overview_grid(overview_png(zones))
    assert np.array_equal(back, classes)
    from zoning.national import webmap

    monkeypatch.setattr(webmap, "OVERVIEW_BLOCK_SUB_PIXELS", 1)  # one row of pixels at a time: the same image
    assert np.array_equal(overview_classes(zones)[0], classes)


def test_a_province_with_no_zone_drawn_has_a_transparent_overview():
    import geopandas as gpd

    from zoning.national.mosaic import NATIONAL_CRS
    from zoning.national.webmap import overview_layer, overview_png

    zones = gpd.GeoDataFrame({"zone": ["strict", "other"]}, geometry=[shapely.Polygon(), shapely.MultiPolygon()], crs=NATIONAL_CRS)
    classes, _ = overview_grid(overview_png(zones))
    assert classes.shape == (1, 1) and classes[0, 0] == 0
    assert overview_layer("x", overview_png(zones))["bounds"][0][0] == pytest.approx(0.0, abs=1)


def test_a_damaged_overview_image_is_not_read(tmp_path):
    from zoning.national.webmap import overview_path, read_overview

    build = tmp_path / "lang-son.gpkg"
    assert read_overview(build) is None
    overview_path(build).write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    assert read_overview(build) is None
    from PIL import Image

    Image.new("P", (4, 4)).save(overview_path(build))  # an image without its grid
    assert read_overview(build) is None


def test_each_province_detail_holds_its_units_and_communes(national):
    for slug in ("cao-bang", "lang-son"):
        data = detail(national, slug)
        units = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="units", read_geometry=False)
        communes = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="communes", read_geometry=False)
        shown_units, shown_communes = unpacked(data["units"]), unpacked(data["communes"])
        assert len(shown_units) == len(units) and len(shown_communes) == len(communes)
        assert [p["area_ha"] for p, _ in shown_units] == pytest.approx(list(units["area_ha"]), abs=0.005)
        assert [p["citation"] for p, _ in shown_units] == list(units["citation_vi"])
        # the communes as drawn: within 20 m simplification (and 1 m rounding) of the build's, measured in the build's CRS
        crs = pyogrio.read_info(national / "provinces" / f"{slug}.gpkg", layer="communes")["crs"]
        drawn = shapely.make_valid(reproject(np.array([g for _, g in shown_communes]), "EPSG:4326", crs))
        exact = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="communes").geometry.to_numpy()
        # coverage simplification (Visvalingam–Whyatt, by area) drops narrow spikes longer than 20 m: 92 m here at most
        assert shapely.hausdorff_distance(drawn, exact).max() < 150
        assert (shapely.area(shapely.symmetric_difference(drawn, exact)) / shapely.area(exact)).max() < 0.005  # 0.15 % at most here
    size = sum(p.stat().st_size for p in [national / PAGE, *(national / DETAIL_FOLDER).iterdir()])
    assert size < 50e6


def open_page(browser, path: Path):  # noqa: F811
    page = browser.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.zoningNational !== undefined")
    return page, errors, requests


def test_the_map_opens_offline_and_loads_a_province_when_picked(national, browser):  # noqa: F811
    page, errors, requests = open_page(browser, national / PAGE)
    page.evaluate("() => { zoningNational.map.setZoom(6); }")  # a country's view: detail only at zoom 9 and more
    page.wait_for_function("zoningNational.map.getZoom() === 6")
    page.wait_for_function("zoningNational.shown().length === 0")
    # the zone under a point, read from the image: a strict pixel whose four neighbours are strict, and a point in China
    classes, grid = overviews(national)["cao-bang"]
    strict = classes == ZONE_CODES["strict"]
    core = strict[1:-1, 1:-1] & strict[:-2, 1:-1] & strict[2:, 1:-1] & strict[1:-1, :-2] & strict[1:-1, 2:]
    row, col = (int(v[0]) + 1 for v in np.nonzero(core))
    x, y = pixel_centres(grid)
    lon, lat = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True).transform(x[row, col], y[row, col])
    assert page.evaluate("([lat, lon]) => zoningNational.zoneAt(lat, lon)", [lat, lon]) == {"slug": "cao-bang", "zone": "strict"}
    assert page.evaluate("() => zoningNational.zoneAt(23.3, 105.0)") is None
    page.evaluate("([lat, lon]) => zoningNational.map.setView([lat, lon], 8, { animate: false })", [lat, lon])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Vùng bảo vệ nghiêm ngặt" in popup.inner_text() and "Tỉnh Cao Bằng" in popup.inner_text()
    page.evaluate("() => zoningNational.map.closePopup()")
    page.select_option("#national-pick", "lang-son")
    page.wait_for_function("zoningNational.shown().includes('lang-son')")
    status = page.inner_text("#national-status")
    assert "Tỉnh Lạng Sơn" in status
    page.select_option("#national-pick", "cao-bang")
    page.wait_for_function("zoningNational.shown().includes('cao-bang')")
    bounds = next(p["bounds"] for p in page_config(national)["provinces"] if p["slug"] == "cao-bang")
    page.wait_for_function("b => zoningNational.map.getBounds().contains(L.latLng((b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2))"
                           " && zoningNational.map.getBounds().pad(0.05).contains(L.latLngBounds(b))", arg=bounds)
    page.wait_for_timeout(400)
    artefacts = Path(__file__).parent / "artefacts"
    artefacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artefacts / "national-map-cao-bang.png"))
    assert errors == [] and requests == []
    page.close()


def test_a_missing_detail_file_is_said_on_the_map(national, browser, tmp_path):  # noqa: F811
    shutil.copy(national / PAGE, tmp_path / PAGE)  # the page without its folder
    page, errors, _ = open_page(browser, tmp_path / PAGE)
    page.select_option("#national-pick", "cao-bang")
    page.wait_for_selector("#national-status.error")
    assert "Không tải được chi tiết của Tỉnh Cao Bằng" in page.inner_text("#national-status")
    assert errors == []
    page.close()


def test_a_rerun_keeps_no_detail_of_a_province_no_longer_built(national, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(national, out)
    (out / DETAIL_FOLDER / "ha-noi.js").write_text("stale", encoding="utf-8")
    from zoning.national import mosaic, webmap

    built = {slug: (out / "provinces" / f"{slug}.gpkg", code) for slug, code in (("cao-bang", "04"), ("lang-son", "20"))}
    webmap.write_national_map(out, mosaic.mosaic(built))
    assert sorted(p.name for p in (out / DETAIL_FOLDER).iterdir()) == ["cao-bang.js", "lang-son.js"]


def test_each_worker_draws_its_province_as_the_assembly_would(national, tmp_path):
    """The detail and overview image a worker made beside its build are what the assembly makes from the mosaic;
    a share that is missing or damaged is made again by the assembly."""
    from zoning.national import mosaic, webmap

    out = tmp_path / "out"
    shutil.copytree(national, out)
    built = {slug: (out / "provinces" / f"{slug}.gpkg", code) for slug, code in (("cao-bang", "04"), ("lang-son", "20"))}
    national_frames = mosaic.mosaic(built)
    drawn = 0.0
    for slug, (path, _) in built.items():
        kept = webmap.read_overview(path)
        assert kept is not None
        made = webmap.overview_png(national_frames["zones"][national_frames["zones"]["province"] == slug])
        (kept_classes, kept_grid), (made_classes, made_grid) = overview_grid(kept), overview_grid(made)
        assert kept_grid == made_grid and np.array_equal(kept_classes, made_classes)
        drawn += float((kept_classes == ZONE_CODES["strict"]).sum())
    assert drawn > 100  # pixels: the fixture's reserves and rivers are drawn
    workers = {slug: detail(out, slug) for slug in built}
    page = page_config(out)
    webmap.overview_path(built["lang-son"][0]).write_bytes(b"not wkb")  # damaged
    webmap.overview_path(built["cao-bang"][0]).unlink()
    assert webmap.read_overview(built["lang-son"][0]) is None and webmap.read_overview(built["cao-bang"][0]) is None
    for slug in built:
        webmap.detail_path(out, slug).unlink()
    webmap.write_national_map(out, national_frames)
    assert {slug: detail(out, slug) for slug in built} == workers
    assert page_config(out)["overviews"] == page["overviews"]


def test_packing_keeps_every_ring_and_nothing_from_no_polygon():
    from zoning.national.webmap import packed

    square = shapely.Polygon([(105, 21), (105.01, 21), (105.01, 21.01), (105, 21.01)], [[(105.002, 21.002), (105.004, 21.002), (105.004, 21.004)]])
    parts = np.array([shapely.MultiPolygon([square, shapely.box(105.02, 21, 105.03, 21.01)]), shapely.MultiPolygon(),
                      shapely.GeometryCollection([shapely.Point(105, 21)])], dtype=object)
    found = packed(parts, [{"i": 0}, {"i": 1}, {"i": 2}])
    assert found["properties"] == [{"i": 0}, {"i": 1}, {"i": 2}]
    assert [len(p) for p in found["polygons"]] == [2, 0, 0] and [len(rings) for rings in found["polygons"][0]] == [2, 1]
    back = unpacked({"properties": found["properties"][:1], "polygons": found["polygons"][:1]})[0][1]
    wgs = reproject(parts[:1], "EPSG:4756", "EPSG:4326")[0]  # the page is in WGS 84
    assert abs(back.area - wgs.area) < 1e-9 and back.symmetric_difference(wgs).area < 1e-6  # coordinates rounded to 1e-5°
    assert packed(np.array([shapely.MultiPolygon()], dtype=object), [{}]) == {"properties": [{}], "polygons": [[]]}
    assert packed(np.array([], dtype=object), []) == {"properties": [], "polygons": []}
