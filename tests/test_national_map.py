"""The national map: every province's zones on one offline page, a province's detail loaded on zoom or pick."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from zoning.inputs.crs import reproject
from zoning.national.webmap import DETAIL_FOLDER, DISPLAY_CRS, PAGE

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


def test_the_page_holds_every_zone_with_its_provinces_own_area(national):
    config = page_config(national)
    assert [p["slug"] for p in config["provinces"]] == ["cao-bang", "lang-son"]
    assert [p["name"] for p in config["provinces"]] == ["Tỉnh Cao Bằng", "Tỉnh Lạng Sơn"]
    shown = {(p["province"], p["zone"]): p["area_ha"] for p, _ in unpacked(config["zones"])}
    for slug, name in (("cao-bang", "Cao Bằng"), ("lang-son", "Lạng Sơn")):
        zones = pyogrio.read_dataframe(national / "provinces" / f"{slug}.gpkg", layer="zones", read_geometry=False)
        for zone, area in zip(zones["zone"], zones["area_ha"]):
            assert shown[(name, zone)] == pytest.approx(area, abs=0.005)
    assert len(shown) == 6


def test_the_simplified_zones_still_tile_the_country(national):
    """Simplified as one coverage: the zones of both provinces overlap nowhere, shared borders included."""
    geoms = np.array([g for _, g in unpacked(page_config(national)["zones"])])
    metric = shapely.make_valid(reproject(geoms, "EPSG:4326", DISPLAY_CRS))  # rounding to 1 m may pinch a ring
    total, union = shapely.area(metric).sum(), shapely.union_all(metric).area
    # m² of overlap over about 15,000 km²: none once the coverage is cleaned (shapely 2.2); older shapely simplifies
    # each side of a border on its own (a few hectares of display overlap, 0.0003 % here)
    assert total - union < (100.0 if hasattr(shapely, "coverage_clean") else 1e-5 * total)  # 100 m²: vertices rounded to 1 m
    communes = pyogrio.read_dataframe(national / "vietnam.gpkg", layer="communes")
    land = shapely.union_all(reproject(communes.geometry.to_numpy(), communes.crs, DISPLAY_CRS)).area
    assert union == pytest.approx(land, rel=2e-3)  # what 150 m of simplification moves, both ways


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
    """The detail and snapped zones a worker made beside its build are what the assembly makes from the mosaic;
    a share that is missing or damaged is made again by the assembly."""
    from zoning.national import mosaic, webmap

    out = tmp_path / "out"
    shutil.copytree(national, out)
    built = {slug: (out / "provinces" / f"{slug}.gpkg", code) for slug, code in (("cao-bang", "04"), ("lang-son", "20"))}
    national_frames = mosaic.mosaic(built)
    drawn = 0.0
    for slug, (path, _) in built.items():
        kept = webmap.read_overview(path)
        assert kept is not None and set(kept) == {"strict", "emission_limited"}
        made = webmap.snapped_zones(national_frames["zones"][national_frames["zones"]["province"] == slug])
        for zone in kept:
            assert shapely.equals(kept[zone], made[zone])
            drawn += shapely.area(kept[zone])
    assert drawn > 1e6  # m²: the fixture's reserves and rivers are drawn
    workers = {slug: detail(out, slug) for slug in built}
    page = page_config(out)
    webmap.overview_path(built["lang-son"][0]).write_bytes(b"not wkb")  # damaged
    webmap.overview_path(built["cao-bang"][0]).unlink()
    assert webmap.read_overview(built["lang-son"][0]) is None and webmap.read_overview(built["cao-bang"][0]) is None
    for slug in built:
        webmap.detail_path(out, slug).unlink()
    webmap.write_national_map(out, national_frames)
    assert {slug: detail(out, slug) for slug in built} == workers
    assert page_config(out)["zones"] == page["zones"]


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
