"""The web application through its HTTP API (ASGI test client) on the Cao Bằng demo build:
every way a site can be given, every upload format, bad inputs, the token, the limits,
zip and KMZ archives that try to escape or explode, and equality with ``zoning.check``.

Expected values come from the build's GeoPackage and shapely/pyproj computed here, or from
``zoning.check`` called directly on the same input (the command line's own path).
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from PIL import Image
from pyproj import Transformer
from shapely.geometry import LineString, Point, box
from typer.testing import CliRunner

import zoning
from zoning import terms
from zoning.builder.model import read_build
from zoning.cli import app as cli
from zoning.demo import demo_paths
from zoning.inputs.crs import WGS84, reproject
from zoning.outputs.office import soffice_executable
from zoning.outputs.results import SHEET_NAMES
from zoning.web import create_app
from zoning.web.app import loopback
from zoning.web.inputs import Limits, RequestError, coordinate_sites, parse_number, saved_upload

from .conftest import running_server
from .test_bilingual import has_vietnamese

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")  # newer Starlette prefers httpx2
TOKEN = "s3cret-token"
SCRIPT_NAME = "<script>alert(1)</script>"


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def build(demo_build_path):
    return read_build(demo_build_path)


@pytest.fixture(scope="module")
def client(build):
    with TestClient(create_app([build], offline=True)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def to_wgs84(build):
    return Transformer.from_crs(build.crs, WGS84, always_xy=True)


@pytest.fixture(scope="module")
def strict_point(build):
    """A point inside the strict unit S0001 (an urban core), in the build CRS."""
    unit = build.units.set_index("unit_id").geometry["S0001"]
    point = shapely.point_on_surface(unit)
    assert unit.contains(point)
    return point


@pytest.fixture(scope="module")
def straddling_square(build, strict_point):
    """An 800 m square across an edge between the strict and the emission-limited zone, and no other."""
    zones = build.zones.set_index("zone").geometry
    shared = shapely.intersection(shapely.boundary(zones["strict"]), shapely.boundary(zones["emission_limited"]))
    for x, y in shapely.get_coordinates(shared):
        square = box(x - 400, y - 400, x + 400, y + 400)
        if set(zone_areas(square, build)) == {"strict", "emission_limited"}:
            return square
    raise AssertionError("no edge between the strict and the emission-limited zone in the demo")


def lon_lat(geometry, build):
    return reproject(np.array([geometry]), build.crs, WGS84)[0]


def zone_areas(geometry, build) -> dict[str, float]:
    """Hectares of each zone inside ``geometry`` (build CRS), computed here with shapely."""
    zones = build.zones.set_index("zone").geometry
    return {zone: shapely.intersection(geometry, g).area / 10_000 for zone, g in zones.items() if shapely.intersection(geometry, g).area > 0}


def post(client, body, **params):
    return client.post("/api/check", json=body, params=params)


def assert_same_check(answer: dict, result: zoning.CheckResult) -> None:
    """An HTTP answer says what ``zoning.check`` says: verdicts, zones met with their areas, units."""
    sites = {s["site_id"]: s for s in answer["sites"]}
    assert sorted(sites) == sorted(result.sites["site_id"])
    for row in result.sites.itertuples():
        site = sites[row.site_id]
        assert site["verdict"] == row.verdict
        assert site["borderline"] == bool(row.borderline)
        assert site["area_ha"] == pytest.approx(row.area_ha, abs=1e-9)
    zones = result.zones
    for site_id, site in sites.items():
        expected = zones[zones["site_id"] == site_id]
        assert [z["zone"] for z in site["zones"]] == expected["zone"].tolist()
        assert [z["overlap_ha"] for z in site["zones"]] == pytest.approx(expected["overlap_ha"].tolist(), abs=1e-9)
        assert [z["share_pct"] for z in site["zones"]] == pytest.approx(expected["share_pct"].tolist(), abs=1e-9)
        units = result.units[result.units["site_id"] == site_id]
        assert [(u["unit_id"], u["inside"]) for u in site["units"]] == list(zip(units["unit_id"], units["inside"].astype(bool)))


def assert_bilingual_error(response, status: int | None = None, *words: str) -> dict:
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["vi"] and error["en"] and error["vi"] != error["en"]
    assert "Traceback" not in response.text
    for word in words:
        assert word in error["en"] or word in error["vi"], (word, error)
    return error


def still_serving(client, strict_point, build) -> None:
    point = lon_lat(strict_point, build)
    response = post(client, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}})
    assert response.status_code == 200 and response.json()["sites"][0]["zones"][0]["zone"] == "strict"


# ------------------------------------------------------------------------- the page


def test_page_is_vietnamese_first_with_an_english_switch(client):
    vi = client.get("/")
    assert vi.status_code == 200 and vi.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in vi.text and "Kiểm tra địa điểm dự án theo phân vùng môi trường" in vi.text
    assert 'href="?lang=en&amp;build=' in vi.text
    en = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Check a project site against the environmental zoning" in en.text
    # every script and style is inlined: nothing is loaded from another server
    for page in (vi.text, en.text):
        assert "<script src" not in page and '<link rel="stylesheet"' not in page
        assert "cdn." not in page and "unpkg" not in page
        assert "leaflet-geoman" in page.lower() or "pm:create" in page


def test_builds_types_criteria_and_map(client, build):
    builds = client.get("/api/builds").json()
    assert len(builds) == 1
    info = builds[0]
    assert info["province_vi"] == "Cao Bằng" and info["ruleset"] == build.manifest["ruleset"] and info["illustrative"] is True
    assert info["zones_ha"]["strict"] == pytest.approx(build.zones.set_index("zone")["area_ha"]["strict"], abs=1e-4)
    types = client.get("/api/types").json()
    by_code = {t["type"]: t for t in types["types"]}
    assert by_code["sanitary_landfill"]["type_name_vi"] == "Bãi chôn lấp chất thải rắn hợp vệ sinh"
    assert by_code["wastewater_treatment"]["capacity_needed"] is True and by_code["wastewater_treatment"]["capacity_unit"] == "m3/day"
    assert by_code["hydropower"]["capacity_needed"] is False
    assert types["receptors"]["residential"]["name_vi"] == "Khu dân cư"
    criteria = client.get(f"/api/builds/{info['id']}/criteria").json()
    assert sum(c["units"] for c in criteria) == len(build.units)
    assert {c["status"] for c in criteria} <= {"confirmed", "unconfirmed"}
    config = client.get(f"/api/builds/{info['id']}/map", params={"lang": "en"}).json()
    assert config["lang"] == "en" and config["counts"]["units"] == len(build.units) and config["counts"]["zones"] == 3
    assert config["basemaps"] == []  # served --offline
    assert_bilingual_error(client.get("/api/builds/nope/map"), 404, "nope")


def test_openapi_docs_are_served_from_vendored_files(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text and "cdn.jsdelivr" not in docs.text
    assert client.get("/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert_bilingual_error(client.get("/vendor/leaflet/leaflet.js"), 404)  # only the documentation's files
    assert_bilingual_error(client.get("/vendor/%2e%2e/%2e%2e/pyproject.toml"), 404)
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/check", "/api/check/upload", "/api/builds", "/api/types", "/api/export/{fmt}", "/api/report/{fmt}"} <= set(paths)


# ------------------------------------------------------------------- sites as JSON


def test_point_click_in_a_strict_unit(client, build, strict_point):
    point = lon_lat(strict_point, build)
    answer = post(client, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "name": "Điểm A"}).json()
    (site,) = answer["sites"]
    assert site["name"] == "Điểm A" and site["geometry_type"] == "point"
    assert [z["zone"] for z in site["zones"]] == ["strict"] and site["zones"][0]["share_pct"] == 100
    inside = [u for u in site["units"] if u["inside"]]
    assert [u["unit_id"] for u in inside] == ["S0001"]
    assert inside[0]["citation_vi"] == "điểm a khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP" and inside[0]["status"] == "confirmed"
    assert any(f["finding"] == "in_strict" for f in site["findings"])
    assert site["illustrative"] is True and "illustrative" in answer["meta"]["illustrative_notice"]
    assert answer["map"]["sites"]["features"][0]["properties"]["verdict"] == site["verdict"]
    expected = zoning.check(gpd.GeoDataFrame({"id": ["1"], "name": ["Điểm A"]}, geometry=[point], crs=WGS84), build)
    assert_same_check(answer, expected)


def test_polygon_in_its_crs_and_in_wgs84(client, build, straddling_square):
    expected = zone_areas(straddling_square, build)
    assert set(expected) == {"strict", "emission_limited"}  # the square really straddles the edge
    body = {"sites": json.loads(shapely.to_geojson(straddling_square)), "crs": "EPSG:9210"}
    answer = post(client, body).json()
    (site,) = answer["sites"]
    assert site["area_ha"] == pytest.approx(64.0, abs=1e-9)
    got = {z["zone"]: z["overlap_ha"] for z in site["zones"]}
    assert got == pytest.approx(expected, abs=0.5e-4)  # the check rounds hectares to 4 decimals
    assert sum(z["share_pct"] for z in site["zones"]) == pytest.approx(100, abs=1e-3)
    frame = gpd.GeoDataFrame({"id": ["1"]}, geometry=[straddling_square], crs=build.crs)
    assert_same_check(answer, zoning.check(frame, build))
    # the same square drawn on the web map (WGS 84): the same areas within a square centimetre
    wgs = lon_lat(straddling_square, build)
    drawn = post(client, {"sites": json.loads(shapely.to_geojson(wgs))}).json()["sites"][0]
    assert {z["zone"]: z["overlap_ha"] for z in drawn["zones"]} == pytest.approx(expected, abs=1.5e-4)


def test_line_overlaps_are_lengths(client, build, straddling_square):
    x0, y0, x1, y1 = straddling_square.bounds
    line = LineString([(x0, y0), (x1, y1)])
    zones = build.zones.set_index("zone").geometry
    expected = {z: shapely.intersection(line, g).length for z, g in zones.items() if shapely.intersection(line, g).length > 0}
    feature = {"type": "Feature", "properties": {"name": "Tuyến ống"}, "geometry": json.loads(shapely.to_geojson(line))}
    site = post(client, {"sites": feature, "crs": "EPSG:9210"}).json()["sites"][0]
    assert site["geometry_type"] == "line" and site["length_m"] == pytest.approx(line.length, abs=0.005)
    assert {z["zone"]: z["overlap_m"] for z in site["zones"]} == pytest.approx(expected, abs=0.01)


def typed(client, text, system, shape="point", **extra):
    return post(client, {"coordinates": {"text": text, "system": system, "shape": shape, **extra}})


def test_the_same_point_typed_three_ways(client, build, strict_point, to_wgs84):
    lon, lat = to_wgs84.transform(strict_point.x, strict_point.y)

    def dms(value: float, positive: str) -> str:
        seconds = round(value * 3600, 3)
        d, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
        return f"{int(d)}°{int(m):02d}′{s:06.3f}″{positive}"

    answers = {
        "clicked": post(client, {"sites": {"type": "Point", "coordinates": [lon, lat]}}).json(),
        "decimal": typed(client, f"{lat:.8f}, {lon:.8f}", "wgs84").json(),
        "decimal comma": typed(client, f"{lat:.8f}; {lon:.8f}".replace(".", ","), "wgs84").json(),
        "dms": typed(client, f"Điểm A {dms(lat, 'B')} {dms(lon, 'Đ')}", "dms").json(),
        "dms english": typed(client, f"{dms(lon, 'E')}, {dms(lat, 'N')}", "dms").json(),
        # VN-2000: X is the northing, Y the easting, written the Vietnamese way
        "vn2000": typed(client, f"A\t{strict_point.y:_.3f}\t{strict_point.x:_.3f}".replace(".", ",").replace("_", "."), "vn2000", meridian=105.75).json(),
    }
    labels = {name: answer["map"]["sites"]["features"][0]["properties"]["label"] for name, answer in answers.items()}
    for name, answer in answers.items():
        site = answer["sites"][0]
        assert [u["unit_id"] for u in site["units"] if u["inside"]] == ["S0001"], name
        assert site["verdict"] == answers["clicked"]["sites"][0]["verdict"], name
        # the label point is the site itself, rounded to 1e-6° (≈ 0.1 m)
        assert labels[name] == pytest.approx([lat, lon], abs=2e-6), name
    assert answers["dms"]["sites"][0]["name"] == "Điểm A"
    vn = answers["vn2000"]["request"]
    assert vn["crs"] == "EPSG:9210" and vn["sites"]["features"][0]["geometry"]["coordinates"] == pytest.approx([strict_point.x, strict_point.y], abs=1e-3)


def test_marker_table_pasted_from_word_makes_a_50_ha_polygon(client, build, strict_point):
    side = math.sqrt(500_000)  # 50 ha
    x, y = strict_point.x + 3000, strict_point.y + 3000
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
    lines = ["Mốc\tX (m)\tY (m)"] + [f"M{i}\t{cy:_.2f}\t{cx:_.2f}".replace(".", ",").replace("_", ".") for i, (cx, cy) in enumerate(corners, 1)]
    lines.append(lines[1].replace("M1", "M1"))  # the table closes the ring by repeating M1
    answer = typed(client, "\n".join(lines), "vn2000", "polygon", meridian=105.75).json()
    (site,) = answer["sites"]
    square = shapely.Polygon([(round(cx, 2), round(cy, 2)) for cx, cy in corners])
    assert site["geometry_type"] == "polygon" and site["area_ha"] == pytest.approx(square.area / 10_000, abs=0.5e-4)
    assert site["area_ha"] == pytest.approx(50.0, abs=0.001)
    assert {z["zone"]: z["overlap_ha"] for z in site["zones"]} == pytest.approx(zone_areas(square, build), abs=0.5e-4)
    assert sum(z["overlap_ha"] for z in site["zones"]) + site["outside_ha"] == pytest.approx(site["area_ha"], abs=3e-4)


@pytest.mark.parametrize("numbered", ["1 ⇥ X ⇥ Y", "STT ⇥ Số hiệu ⇥ X ⇥ Y"])
def test_marker_table_with_numbered_points(client, build, strict_point, numbered):
    side = math.sqrt(500_000)  # 50 ha
    x, y = strict_point.x + 3000, strict_point.y + 3000
    corners = [(x, y), (x + side, y), (x + side, y + side), (x, y + side)]
    vn = lambda v: f"{v:_.2f}".replace(".", ",").replace("_", ".")  # noqa: E731 - 2.506.123,45
    cells = [[str(i)] + ([f"M{i}"] if "Số hiệu" in numbered else []) + [vn(cy), vn(cx)] for i, (cx, cy) in enumerate(corners, 1)]
    header = "STT\tSố hiệu\tX (m)\tY (m)" if "Số hiệu" in numbered else "Điểm\tX\tY"
    text = "\n".join([header] + ["\t".join(c) for c in cells])
    answer = typed(client, text, "vn2000", "polygon", meridian=105.75)
    assert answer.status_code == 200, answer.text
    (site,) = answer.json()["sites"]
    assert site["geometry_type"] == "polygon" and site["area_ha"] == pytest.approx(50.0, abs=0.001)
    points = typed(client, text, "vn2000", "point", meridian=105.75).json()
    assert [s["site_id"] for s in points["sites"]] == (["M1", "M2", "M3", "M4"] if "Số hiệu" in numbered else ["1", "2", "3", "4"])


def test_a_refused_marker_table_shows_what_was_read_line_by_line(client):
    text = "Bảng tọa độ mốc\nM1\t2506123,45\t582345,12\nM2\t2506523,45\t582345,12\t12\t7\n"
    error = assert_bilingual_error(typed(client, text, "vn2000", "polygon", meridian=105.75), 422, "Line 3")
    assert error["vi"].splitlines()[1:] == ["Đã đọc:", "dòng 1: bỏ qua ('Bảng tọa độ mốc')", "dòng 2: M1: X 2506123.45, Y 582345.12"]
    assert error["en"].splitlines()[1:] == ["Read so far:", "line 1: skipped ('Bảng tọa độ mốc')", "line 2: M1: X 2506123.45, Y 582345.12"]
    assert "thousands" not in error["en"]  # no advice about thousands separators where there are none


def test_vietnamese_and_english_number_formats():
    assert parse_number("2.506.123,45") == parse_number("2 506 123,45") == parse_number("2,506,123.45") == parse_number("2506123.45") == 2506123.45
    assert parse_number("22,6656") == 22.6656 and parse_number("Mốc") is None
    frame = coordinate_sites("M1 | 2 506 123,45 | 582 345,67\nM2 | 2 506 123,45 | 582 645,67", "vn2000", "line", Limits(), meridian=105.75)
    assert frame.geometry.iloc[0].length == pytest.approx(300.0)


def test_many_points_answer_a_table_then_one_site_in_full(client, build):
    zones = build.zones.geometry.union_all()
    xmin, ymin, xmax, ymax = zones.bounds
    rng = np.random.default_rng(7)
    points = shapely.points(rng.uniform(xmin, xmax, 900), rng.uniform(ymin, ymax, 900))
    points = points[shapely.contains_xy(zones, *shapely.get_coordinates(points).T)][:300]
    frame = gpd.GeoDataFrame({"id": [f"p{i}" for i in range(len(points))]}, geometry=points, crs=build.crs).to_crs(WGS84)
    answer = post(client, {"sites": json.loads(frame.to_json())}).json()
    assert answer["detail"] is False and len(answer["sites"]) == 300
    assert "findings" not in answer["sites"][0] and "findings" not in answer["map"]["sites"]["features"][0]["properties"]
    expected = zoning.check(frame, build)
    assert [s["verdict"] for s in answer["sites"]] == expected.sites["verdict"].tolist()
    assert answer["verdicts"] == expected.meta["verdicts"]
    # the page asks for one site in full with the canonical request reduced to it
    request = dict(answer["request"], detail=True)
    request["sites"] = {"type": "FeatureCollection", "features": [f for f in request["sites"]["features"] if f["properties"]["id"] == "p17"]}
    (site,) = post(client, request).json()["sites"]
    assert site["site_id"] == "p17" and site["verdict"] == expected.sites.set_index("site_id")["verdict"]["p17"]
    assert len(site["findings"]) == (expected.findings["site_id"] == "p17").sum()


def test_user_safety_distance_draws_its_ring(client, build, strict_point):
    point = lon_lat(strict_point, build)
    body = {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "type": "sanitary_landfill"}
    unknown = post(client, body).json()["sites"][0]
    assert {s["receptor"]: s["distance_required_m"] for s in unknown["safety"]} == {"residential": None, "water_intake": None}
    assert all(s["status"] == "unconfirmed" for s in unknown["safety"])
    given = post(client, dict(body, distances={"sanitary_landfill:residential": 1000})).json()
    rows = {s["receptor"]: s for s in given["sites"][0]["safety"]}
    assert rows["residential"]["distance_required_m"] == 1000 and rows["residential"]["status"] == "user"
    assert rows["residential"]["holds"] == (rows["residential"]["nearest_m"] >= 1000)
    assert rows["water_intake"]["distance_required_m"] is None
    (ring,) = given["map"]["buffers"]["features"]
    assert ring["properties"] == {"site_id": "1", "receptor": "residential", "facility": "sanitary_landfill", "distance_m": 1000.0,
                                  "status": "user", "holds": rows["residential"]["holds"]}
    area = reproject(np.array([shapely.geometry.shape(ring["geometry"])]), WGS84, build.crs)[0].area
    assert area == pytest.approx(math.pi * 1000**2, rel=0.002)  # a 64-gon inscribed in the circle


# -------------------------------------------------------------------------- uploads


def upload(client, name: str, content: bytes, **fields):
    return client.post("/api/check/upload", files={"file": (name, content)}, data=fields)


@pytest.fixture(scope="module")
def upload_sites(build, strict_point, straddling_square):
    """A point in S0001, the straddling square and a line, in WGS 84, with names and types."""
    x0, y0, x1, y1 = straddling_square.bounds
    geometries = [strict_point, straddling_square, LineString([(x0, y1), (x1 + 2000, y0 - 1500)])]
    frame = gpd.GeoDataFrame(
        {"id": ["A", "B", "C"], "name": ["Trạm A", SCRIPT_NAME, "Tuyến C"], "type": ["wastewater_treatment", "sanitary_landfill", "other"]},
        geometry=geometries, crs=build.crs,
    )
    return frame.to_crs(WGS84)


def vector_bytes(frame: gpd.GeoDataFrame, driver: str, suffix: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"sites{suffix}"
    pyogrio.write_dataframe(frame, path, driver=driver)
    return path.read_bytes()


def kml_text(frame: gpd.GeoDataFrame) -> str:
    """A KML as Google Earth writes it: two folders, coordinates with an altitude."""
    def coordinates(geometry) -> str:
        return " ".join(f"{x:.9f},{y:.9f},0" for x, y in shapely.get_coordinates(geometry))

    def placemark(row) -> str:
        g = row.geometry
        if g.geom_type == "Polygon":
            shape = f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{coordinates(g.exterior)}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        else:
            shape = f"<{g.geom_type}><coordinates>{coordinates(g)}</coordinates></{g.geom_type}>"
        name = row.name_.replace("&", "&amp;").replace("<", "&lt;")
        data = f'<Data name="id"><value>{row.id}</value></Data><Data name="type"><value>{row.type}</value></Data>'
        return f"<Placemark><name>{name}</name><ExtendedData>{data}</ExtendedData>{shape}</Placemark>"

    rows = list(frame.rename(columns={"name": "name_"}).itertuples())
    return (
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Sites</name>'
        f"<Folder><name>Điểm</name>{placemark(rows[0])}</Folder><Folder><name>Vùng và tuyến</name>{placemark(rows[1])}{placemark(rows[2])}</Folder>"
        "</Document></kml>"
    )


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload_content(kind: str, frame: gpd.GeoDataFrame, tmp_path: Path) -> tuple[str, bytes]:
    if kind == "geojson":
        return "sites.geojson", vector_bytes(frame, "GeoJSON", ".geojson", tmp_path)
    if kind == "gpkg":
        return "Địa điểm.gpkg", vector_bytes(frame, "GPKG", ".gpkg", tmp_path)
    if kind == "kml":
        return "sites.kml", kml_text(frame).encode("utf-8")
    if kind == "kmz":
        return "sites.kmz", zipped({"doc.kml": kml_text(frame).encode("utf-8"), "files/icon.png": b"\x89PNG"})
    if kind == "shapefile":
        folder = tmp_path / "shp"
        folder.mkdir()
        pyogrio.write_dataframe(frame.iloc[[1]], folder / "khu_dat.shp", encoding="UTF-8")
        return "khu_dat.zip", zipped({p.name: p.read_bytes() for p in folder.iterdir()})
    if kind == "csv":
        points = frame.iloc[[0]]
        table = pd.DataFrame({"id": points["id"], "name": points["name"], "type": points["type"], "lon": points.geometry.x, "lat": points.geometry.y})
        return "sites.csv", table.to_csv(index=False).encode("utf-8")
    if kind == "xlsx":
        table = pd.DataFrame(
            {"id": frame["id"], "name": frame["name"], "type": frame["type"], "wkt": shapely.to_wkt(frame.geometry.to_numpy(), rounding_precision=-1)}
        )
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False)
        return "Danh sách.xlsx", buffer.getvalue()
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["geojson", "kml", "kmz", "shapefile", "gpkg", "csv", "xlsx"])
def test_upload_equals_zoning_check_of_the_same_file(kind, client, build, upload_sites, tmp_path):
    name, content = upload_content(kind, upload_sites, tmp_path)
    response = upload(client, name, content, type="other")
    assert response.status_code == 200, response.text
    answer = response.json()
    (tmp_path / "same").mkdir()
    path = tmp_path / "same" / name
    path.write_bytes(content)
    expected = zoning.check(_kml_of(path) if kind == "kmz" else path, build, type="other")  # what `zoning check FILE --type other` finds
    assert_same_check(answer, expected)
    assert answer["meta"]["sites_origin"] == f"upload: {name}"
    assert len(answer["sites"]) == {"shapefile": 1, "csv": 1}.get(kind, 3)
    names = {s["site_id"]: s["name"] for s in answer["sites"]}
    if kind not in ("shapefile", "csv"):
        assert SCRIPT_NAME in names.values()  # kept as text: escaping is the page's and the report's job
    # the answer's canonical request, posted again, is the same check
    again = post(client, answer["request"]).json()
    assert_same_check(again, expected)


def _kml_of(kmz: Path) -> Path:
    with zipfile.ZipFile(kmz) as archive:
        target = kmz.with_name("doc.kml")
        target.write_bytes(archive.read("doc.kml"))
    return target


def test_zipped_shapefile_in_a_folder(client, build, upload_sites, tmp_path):
    """Windows' "Send to ▸ Compressed folder" on a folder puts the files one level down."""
    _, content = upload_content("shapefile", upload_sites, tmp_path)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        nested = zipped({f"Khu đất dự án/{name}": archive.read(name) for name in archive.namelist()})
    answer = upload(client, "Khu đất dự án.zip", nested).json()
    assert_same_check(answer, zoning.check(upload_sites.iloc[[1]], build))


def test_demo_sites_over_http_equal_the_command_line_check(client, build):
    response = upload(client, "cao-bang-sites.gpkg", demo_paths().sites.read_bytes())
    answer = response.json()
    expected = zoning.check(demo_paths().sites, build)
    assert_same_check(answer, expected)
    assert answer["verdicts"] == expected.meta["verdicts"] and sum(answer["verdicts"].values()) == 13


def test_types_in_the_file_win_over_the_form(client, upload_sites, tmp_path):
    name, content = upload_content("geojson", upload_sites.assign(type=[None, "sanitary_landfill", None]), tmp_path)
    answer = upload(client, name, content, type="hydropower").json()
    types = {s["site_id"]: s["type"] for s in answer["sites"]}
    assert types == {"A": "hydropower", "B": "sanitary_landfill", "C": "hydropower"}
    # the canonical request keeps the file's own types, so a new choice in the form applies again
    assert [f["properties"].get("type") for f in answer["request"]["sites"]["features"]] == [None, "sanitary_landfill", None]
    again = post(client, dict(answer["request"], type="other")).json()
    assert {s["site_id"]: s["type"] for s in again["sites"]} == {"A": "other", "B": "sanitary_landfill", "C": "other"}


def test_capacity_picks_the_class_of_the_safety_table(client, build, strict_point):
    point = lon_lat(strict_point, build)
    body = {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "type": "wastewater_treatment"}
    missing = {s["receptor"]: s for s in post(client, body).json()["sites"][0]["safety"]}
    assert missing["residential"]["distance_required_m"] is None and missing["residential"]["missing"].startswith("capacity")
    assert "thiếu công suất" in missing["residential"]["missing_vi"]  # the officer reads it in Vietnamese first
    rows = {s["receptor"]: s for s in post(client, dict(body, capacity=3000)).json()["sites"][0]["safety"]}
    assert rows["residential"]["capacity_class"] == "200–5,000 m³/day"
    assert rows["residential"]["basis_vi"].startswith("Bảng") and "Table 2.22" in rows["residential"]["basis"]
    expected = zoning.check(Point(point.x, point.y), build, type="wastewater_treatment", capacity=3000)
    assert rows["residential"]["distance_required_m"] == expected.safety.set_index("receptor")["distance_required_m"]["residential"]


# ------------------------------------------------------------------------ exports


def test_exports_and_reports(client, build, upload_sites, tmp_path):
    name, content = upload_content("gpkg", upload_sites, tmp_path)
    answer = upload(client, name, content).json()
    request = answer["request"]
    verdicts = {s["site_id"]: s["verdict"] for s in answer["sites"]}
    gpkg = client.post("/api/export/gpkg", json=request)
    assert gpkg.headers["content-disposition"].endswith('.gpkg"')
    (tmp_path / "r.gpkg").write_bytes(gpkg.content)
    sites = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer="sites")
    assert dict(zip(sites["site_id"], sites["verdict"])) == verdicts
    assert {"findings", "site_zones", "site_safety"} <= {name for name, _ in pyogrio.list_layers(tmp_path / "r.gpkg")}
    table = pd.read_csv(io.BytesIO(client.post("/api/export/csv", json=request).content), dtype=str, encoding="utf-8-sig")
    assert dict(zip(table["site_id"], table["verdict"])) == verdicts
    workbook = openpyxl.load_workbook(io.BytesIO(client.post("/api/export/xlsx", json=request).content), read_only=True)
    assert workbook.sheetnames == list(SHEET_NAMES.values())
    rows = list(workbook[SHEET_NAMES["sites"]].values)[1:]  # the first row is the title
    header = [str(h).split(" / ")[-1] for h in rows[0]]
    assert {r[header.index("Site id")]: r[header.index("Verdict code")] for r in rows[1:]} == verdicts
    report = client.post("/api/report/html", json=request, params={"site": "B"})
    assert report.status_code == 200 and 'filename="zoning-site-B.html"' in report.headers["content-disposition"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.text and SCRIPT_NAME not in report.text.replace("srcdoc", "")
    assert "Danh sách địa điểm" not in report.text  # one page on its own, no link to an index
    assert_bilingual_error(client.post("/api/report/html", json=request, params={"site": "Z"}), 404, "Z")


@pytest.mark.skipif(soffice_executable() is None, reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)")
def test_report_as_pdf_and_word(client, build, strict_point):
    point = lon_lat(strict_point, build)
    request = {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "name": "Điểm kiểm tra"}
    pdf = client.post("/api/report/pdf", json=request)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):  # the first page as printed: the title, whole, and the verdict's colour
        with tempfile.TemporaryDirectory() as work:
            (Path(work) / "r.pdf").write_bytes(pdf.content)
            first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(Path(work) / "r.pdf"), "-"], capture_output=True, text=True).stdout
            assert "Phiếu kiểm tra địa điểm theo phân vùng môi" in first and "Site check against the environmental zoning" in first
            verdict = post(client, request).json()["sites"][0]["verdict"]
            assert f"{terms.label('verdicts', verdict, 'vi')} / {terms.label('verdicts', verdict, 'en')}" in " ".join(first.split())
            subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(Path(work) / "r.pdf"), str(Path(work) / "p")], check=True)
            page = np.asarray(Image.open(next(Path(work).glob("p*.png"))).convert("RGB")).reshape(-1, 3).astype(int)
            colour = {"conflict": (0xc6, 0x28, 0x28), "needs_review": (0xf9, 0xa8, 0x25)}[verdict]
            assert (np.abs(page - colour).sum(axis=1) < 30).sum() > 200  # the badge is filled with the verdict's colour
    docx = client.post("/api/report/docx", json=request)
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        text = archive.read("word/document.xml").decode("utf-8")
    assert "Điểm kiểm tra" in text and "Vùng bảo vệ nghiêm ngặt" in text
    # every table within the margins of an A4 page
    width = int(re.search(r'<w:pgSz w:w="(\d+)"', text).group(1))
    margins = re.search(r'<w:pgMar [^>]*w:left="(\d+)" w:right="(\d+)"', text)
    room = width - int(margins.group(1)) - int(margins.group(2))
    grids = [sum(int(w) for w in re.findall(r'w:w="(\d+)"', grid)) for grid in re.findall(r"<w:tblGrid>(.*?)</w:tblGrid>", text)]
    assert width == 11906 and grids and max(grids) <= room, (grids, room)


# --------------------------------------------------------------------- bad inputs


BAD_JSON = [
    ({}, "sites"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "coordinates": {"text": "22.6, 106.2"}}, "exactly one"),
    ({"sites": {"type": "Circle", "coordinates": [106.2, 22.6]}}, "Circle"),
    ({"sites": {"type": "Point"}}, "coordinates"),
    ({"sites": {"type": "FeatureCollection", "features": []}}, "no features"),
    ({"sites": {"type": "Feature", "geometry": None}}, "Feature 1"),
    ({"sites": {"type": "Polygon", "coordinates": [[[106.2, 22.6], [106.3, 22.6]]]}}, "GeoJSON"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "type": "casino"}, "casino"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "capacity": -5}, "capacity"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "distances": {"spaceport": 100}}, "spaceport"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "distances": {"sanitary_landfill": -1}}, "positive"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "crs": "EPSG:99999999"}, "EPSG:99999999"),
    ({"sites": {"type": "Point", "coordinates": [106.2, 22.6]}, "build": "elsewhere"}, "elsewhere"),
    ({"coordinates": {"text": "hai mươi hai độ"}}, "No coordinate"),
    ({"coordinates": {"text": "22.6, 106.2, 7"}}, "Line 1"),
    ({"coordinates": {"text": "22°75′10″B 106°15′08″Đ", "system": "dms"}}, "below 60"),
    ({"coordinates": {"text": "M1 2506123 582345", "system": "vn2000"}}, "meridian"),
    ({"coordinates": {"text": "M1 2506123 582345", "system": "vn2000", "meridian": 120}}, "120"),
    ({"coordinates": {"text": "22.6, 106.2\n22.7, 106.3", "shape": "polygon"}}, "3 distinct"),
    ({"coordinates": {"text": "22.6, 106.2", "system": "utm"}}, "system"),
    ({"sites": "POINT (106.2 22.6)"}, "sites"),
]


@pytest.mark.parametrize("body,word", BAD_JSON, ids=[word for _, word in BAD_JSON])
def test_bad_json_is_a_bilingual_4xx_and_the_server_goes_on(body, word, client, build, strict_point):
    assert_bilingual_error(post(client, body), None, word)
    still_serving(client, strict_point, build)


def test_engine_errors_in_vietnamese(client):
    # every engine error is written in both languages: the Vietnamese is not the English with a Vietnamese preface
    bowtie = {"type": "Polygon", "coordinates": [[[106.2, 22.6], [106.3, 22.7], [106.3, 22.6], [106.2, 22.7], [106.2, 22.6]]]}
    other = assert_bilingual_error(post(client, {"sites": bowtie}), 422)
    assert has_vietnamese(other["vi"]) and not has_vietnamese(other["en"]) and other["en"] not in other["vi"]


def test_a_site_outside_the_province_is_answered_alone_in_a_batch_and_in_its_report(client, build, strict_point):
    point = lon_lat(strict_point, build)
    alone = post(client, {"coordinates": {"text": "48.85, 2.35"}})
    assert alone.status_code == 200, alone.text
    [site] = alone.json()["sites"]
    assert site["verdict"] == "outside_province" and alone.json()["verdicts"]["outside_province"] == 1
    [finding] = site["findings"]
    assert finding["title_vi"] == "Địa điểm nằm ngoài phạm vi tỉnh của bản phân vùng"
    assert "vĩ độ 48,85000, kinh độ 2,35000" in finding["detail_vi"] and "Tỉnh" not in finding["detail_vi"]  # no province known there
    # in a batch: the site inside gets its verdict, the one outside its answer
    body = f"id,name,lon,lat\nin,Trong tỉnh,{point.x},{point.y}\nout,Hà Nội,105.85,21.03\n".encode()
    batch = upload(client, "two.csv", body)
    assert batch.status_code == 200, batch.text
    verdicts = {s["site_id"]: s["verdict"] for s in batch.json()["sites"]}
    assert verdicts["out"] == "outside_province" and verdicts["in"] == "needs_review"  # in the strict unit S0001, no project type given
    assert batch.json()["verdicts"]["outside_province"] == 1
    report = client.post("/api/report/html", json=batch.json()["request"], params={"site": "out"})
    assert report.status_code == 200 and "Ngoài phạm vi tỉnh" in report.text and "105,85000" in report.text
    assert "21,030000, 105,850000" in report.text  # latitude first, as on the page


def twenty_sites(build, strict_point, bad_lon="1062512") -> list[list[str]]:
    """The officer's list: 20 sites with Vietnamese column names and type names, row 8 (STT 7) with a longitude typed without its point."""
    x, y = strict_point.x, strict_point.y
    rows = [["STT", "Tên dự án", "Loại hình", "Công suất", "Đơn vị", "Kinh độ", "Vĩ độ", "Ghi chú"]]
    for i in range(1, 21):
        p = lon_lat(shapely.Point(x + 150 * i, y), build)
        kind = "Bãi chôn lấp chất thải rắn hợp vệ sinh" if i % 2 else "WASTEWATER TREATMENT PLANT"
        rows.append([str(i), f"Dự án {i}", kind, str(10 * i), "tấn/ngày", bad_lon if i == 7 else f"{p.x:.7f}", f"{p.y:.7f}", "—"])
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_one_bad_row_does_not_refuse_the_file(client, build, strict_point, suffix, tmp_path):
    rows = twenty_sites(build, strict_point)
    if suffix == ".csv":
        content = ("\n".join(",".join(r) for r in rows) + "\n").encode()
    else:
        workbook = openpyxl.Workbook()
        for r in rows:
            workbook.active.append(r)
        workbook.save(tmp_path / "s.xlsx")
        content = (tmp_path / "s.xlsx").read_bytes()
    response = upload(client, "danh-sach" + suffix, content)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert len(answer["sites"]) == 19 and sum(answer["verdicts"].values()) == 19
    [bad] = answer["meta"]["rejected_rows"]
    assert (bad["row"], bad["column"], bad["value"]) == (8, "Kinh độ", "1062512") and "106.2512" in bad["reason_vi"]
    assert "GeoJSON" not in response.text and ".prj" not in response.text
    names = {s["site_id"]: s["name"] for s in answer["sites"]}
    assert names["1"] == "Dự án 1" and "7" not in names
    types = {s["site_id"]: s["type"] for s in answer["sites"]}
    assert types["1"] == "sanitary_landfill" and types["2"] == "wastewater_treatment"
    assert any("columns not used: 'Ghi chú'" in n for n in answer["meta"]["notes"])
    # the exports list the bad row as "Lỗi dữ liệu"
    table = pd.read_csv(io.BytesIO(client.post("/api/export/csv", json=answer["request"]).content), dtype=str, encoding="utf-8-sig")
    error = table[table["verdict"] == "data_error"]
    assert error["site_id"].tolist() == ["dòng 8 / row 8"] and error["verdict_vi"].tolist() == ["Lỗi dữ liệu"]
    assert "Kinh độ" in error["findings_vi"].iloc[0] and len(table) == 20
    workbook = openpyxl.load_workbook(io.BytesIO(client.post("/api/export/xlsx", json=answer["request"]).content), read_only=True)
    cells = [r[0] for r in workbook[SHEET_NAMES["sites"]].values]
    assert cells[-1] == "dòng 8 / row 8"


def test_a_file_with_no_readable_row_is_refused_row_by_row(client):
    content = "Tên,Kinh độ,Vĩ độ\nA,abc,22.6\nB,1062512,22.7\n".encode()
    error = assert_bilingual_error(upload(client, "bad.csv", content), 422)
    assert "dòng 2, cột 'Kinh độ' = 'abc': không phải là số" in error["vi"] and "dòng 3, cột 'Kinh độ' = '1062512'" in error["vi"]
    assert "row 3, column 'Kinh độ' = '1062512'" in error["en"] and "GeoJSON" not in error["en"] + error["vi"] and ".prj" not in error["en"]


def test_duplicate_ids_are_reported(client, build, strict_point):
    p = lon_lat(strict_point, build)
    content = f"Mã,Tên công trình,Kinh độ,Vĩ độ\nM1,Một,{p.x},{p.y}\nM1,Hai,{p.x},{p.y}\n".encode()
    answer = upload(client, "dup.csv", content).json()
    assert [s["site_id"] for s in answer["sites"]] == ["M1", "M1-2"] and [s["name"] for s in answer["sites"]] == ["Một", "Hai"]
    assert any("site id 'M1' is given more than once (rows 2, 3)" in n for n in answer["meta"]["notes"])


def test_the_page_gets_no_command_line_words_rule_ids_or_ascii_units(client, build, strict_point):
    point = lon_lat(strict_point, build)
    answer = post(client, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "type": "sanitary_landfill"}).json()
    engine = zoning.check(Point(point.x, point.y), build, type="sanitary_landfill")
    [site] = answer["sites"]
    assert site["verdict"] == engine.sites["verdict"][0] and len(site["findings"]) == len(engine.findings)
    texts = " ".join(f[k] for f in site["findings"] for k in ("title_vi", "title_en", "detail_vi", "detail_en"))
    assert "--" not in texts and "nd08-" not in texts and "MÉT" not in texts and "m3/day" not in texts
    engine_texts = " ".join(engine.findings["detail_vi"])
    assert "--" not in engine_texts and "nd08-" not in engine_texts  # the engine's Vietnamese findings carry none either
    assert "khoảng cách an toàn" in texts.lower()


def test_malformed_requests(client, build, strict_point):
    assert_bilingual_error(client.post("/api/check", content=b"{not json", headers={"Content-Type": "application/json"}), 422)
    assert_bilingual_error(
        client.post("/api/check", content=b'{"sites": {"type": "Point", "coordinates": [NaN, 22.6]}}', headers={"Content-Type": "application/json"}),
        422,
        "finite",
    )
    assert_bilingual_error(client.post("/api/check", json={"sites": {"type": "Point", "coordinates": [106.2, 22.6]}}, params={"lang": "fr"}), 422, "lang")
    assert_bilingual_error(client.get("/api/check"), 405)
    assert_bilingual_error(client.get("/no/such/page"), 404)
    assert_bilingual_error(client.post("/api/export/shp", json={}), 422)
    still_serving(client, strict_point, build)


def bad_uploads(tmp_path: Path, upload_sites) -> list[tuple[str, bytes, int, str]]:
    good_shp = upload_content("shapefile", upload_sites, tmp_path)[1]
    with zipfile.ZipFile(io.BytesIO(good_shp)) as archive:
        without_dbf = zipped({n: archive.read(n) for n in archive.namelist() if not n.endswith(".dbf")})
    return [
        ("sites.exe", b"MZ", 415, ".exe"),
        ("sites", b"abc", 415, "no suffix"),
        ("empty.geojson", b"", 422, "empty"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', 422, "broken.geojson"),
        ("broken.gpkg", b"this is not sqlite", 422, "GeoPackage"),
        ("fake.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, 422, "fake.gpkg"),
        ("broken.zip", b"PK\x03\x04 not really", 422, "zip"),
        ("nothing.zip", zipped({"readme.txt": b"hello"}), 422, "no shapefile"),
        ("two.zip", zipped({"a.shp": b"x", "b.shp": b"y"}), 422, "2 shapefiles"),
        ("nodbf.zip", without_dbf, 422, ".dbf"),
        ("empty.kmz", zipped({"images/a.png": b"x"}), 422, "no .kml"),
        ("garbage.kml", b"<kml><Document><Placemark>", 422, "garbage.kml"),
        ("nocoords.csv", b"id,name\n1,a\n", 422, "no coordinate columns"),
        ("badnumbers.csv", b"id,lon,lat\n1,abc,22.6\n", 422, "row 2, column 'lon' = 'abc': not a number"),
        ("broken.xlsx", b"PK\x03\x04 nope", 422, "zip"),
        ("notexcel.xlsx", zipped({"hello.txt": b"hi"}), 422, "Excel"),
    ]


def test_bad_uploads_are_bilingual_4xx_and_the_server_goes_on(client, build, strict_point, upload_sites, tmp_path):
    for name, content, status, word in bad_uploads(tmp_path, upload_sites):
        error = assert_bilingual_error(upload(client, name, content), status, word)
        assert "zoning-upload-" not in error["en"]  # the temporary folder is never shown
        still_serving(client, strict_point, build)


def test_truncated_and_random_files_are_bad_uploads_not_server_faults(client, build, strict_point, upload_sites, tmp_path):
    rng = np.random.default_rng(3)
    for kind in ("geojson", "kml", "kmz", "shapefile", "gpkg", "csv", "xlsx"):
        (tmp_path / kind).mkdir()
        name, content = upload_content(kind, upload_sites, tmp_path / kind)
        for cut in (len(content) // 3, len(content) * 2 // 3):
            response = upload(client, name, content[:cut])
            assert response.status_code == 200 or 400 <= response.status_code < 500, (name, cut, response.text)
        noise = rng.integers(0, 256, 4000, dtype=np.uint8).tobytes()
        response = upload(client, name, noise)
        assert 400 <= response.status_code < 500, (name, response.text)
    assert_bilingual_error(upload(client, "sites.csv", b"id,lon,lat\n1,106.2,22.6\n", distances='{"sanitary_landfill": "xa"}'), 422, "distances")
    still_serving(client, strict_point, build)


def test_uploads_leave_no_temporary_files(client, build, strict_point, upload_sites, tmp_path, monkeypatch):
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    for kind in ("kmz", "shapefile", "xlsx", "gpkg"):
        (tmp_path / kind).mkdir()
        name, content = upload_content(kind, upload_sites, tmp_path / kind)
        assert upload(client, name, content).status_code == 200
    for name, content, _, _ in bad_uploads(tmp_path, upload_sites):
        upload(client, name, content)
    big = b"x" * (2 * 1024 * 1024)  # spooled to disk by the server while the request lasts
    assert client.post("/api/export/csv", content=big, headers={"Content-Type": "application/json"}).status_code == 422
    assert list(spool.iterdir()) == []


# -------------------------------------------------------------- archives that attack


def test_zip_members_that_leave_the_folder_are_refused(client, build, strict_point, tmp_path):
    for member in ("../evil.shp", "a/../../evil.shp", "/etc/evil.shp", "C:\\evil.shp", "..\\evil.shp"):
        content = zipped({member: b"x", "evil.dbf": b"x", "evil.shx": b"x"})
        assert_bilingual_error(upload(client, "evil.zip", content), 422, "outside")
        assert_bilingual_error(upload(client, "evil.kmz", zipped({member.replace(".shp", ".kml"): b"<kml/>"})), 422, "outside")
    link = zipfile.ZipInfo("site.shp")
    link.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(link, "/etc/passwd")
    assert_bilingual_error(upload(client, "link.zip", buffer.getvalue()), 422, "link")
    assert not (Path(tempfile.gettempdir()) / "evil.shp").exists() and not Path("/etc/evil.shp").exists()
    still_serving(client, strict_point, build)


def test_decompression_bombs_are_refused_before_inflating(client, build, strict_point):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("bomb.shp", "w", force_zip64=True) as member:
            zeros = bytes(1 << 20)
            for _ in range(260):  # 260 MB of zeros → about 250 kB compressed
                member.write(zeros)
        archive.writestr("bomb.dbf", b"x")
        archive.writestr("bomb.shx", b"x")
    content = buffer.getvalue()
    assert len(content) < 1_000_000
    started = time.perf_counter()
    for name in ("bomb.zip", "bomb.kmz", "bomb.xlsx"):
        assert_bilingual_error(upload(client, name, content), 422, "bomb")
    assert time.perf_counter() - started < 5  # refused on the declared sizes, nothing inflated
    still_serving(client, strict_point, build)


def test_archive_limits_count_the_bytes_really_inflated(tmp_path):
    many = zipped({f"part{i}.shp" if i == 0 else f"f{i}.txt": b"a" * 600 for i in range(5)})
    small = Limits(unzipped_bytes=2000, ratio_floor=10**9)
    with pytest.raises(RequestError) as raised:
        with saved_upload(io.BytesIO(many), "many.zip", small):
            pass
    assert raised.value.status == 422 and "bomb" in raised.value.en
    crowded = zipped({f"f{i}.txt": b"" for i in range(20)})
    with pytest.raises(RequestError, match="too many members"):
        with saved_upload(io.BytesIO(crowded), "crowded.zip", Limits(zip_members=10)):
            pass
    # what a saved upload leaves behind: nothing
    with saved_upload(io.BytesIO(b"id,lon,lat\n1,106.2,22.6\n"), "../../etc/passwd.csv", Limits()) as path:
        assert path.name == "upload.csv" and path.parent.name.startswith("zoning-upload-")
        folder = path.parent
    assert not folder.exists()


# -------------------------------------------------------------------------- limits


def test_upload_size_limit(small_build_path, tmp_path):
    with TestClient(create_app([small_build_path], max_upload_mb=0.05)) as small:
        too_big = b"id,lon,lat\n" + b"1,106.2,22.6\n" * 8000  # 104 kB
        assert_bilingual_error(upload(small, "big.csv", too_big), 413, "0.05 MB")
        assert_bilingual_error(
            small.post("/api/check", content=b" " * 1_200_000, headers={"Content-Type": "application/json"}), 413
        )  # over the limit and the room for form fields
        point = reproject(np.array([Point(500_000 + 1500, 2_500_000 + 1500)]), read_build(small_build_path).crs, WGS84)[0]
        assert post(small, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}}).json()["sites"][0]["zones"][0]["zone"] == "strict"


# --------------------------------------------------------------------------- token


def test_several_builds_are_served_and_chosen(small_build_path, build):
    with TestClient(create_app([build, small_build_path, small_build_path])) as several:
        infos = several.get("/api/builds").json()
        keys = [info["id"] for info in infos]
        assert len(set(keys)) == 3 and keys[2] == keys[1] + "-2"  # the same build twice keeps two keys
        assert [info["province_vi"] for info in infos][0] == "Cao Bằng" and infos[1]["origin"] == str(small_build_path)
        page = several.get("/", params={"build": keys[1]}).text
        chooser = page[page.index('<select id="build-select">') : page.index("</select>", page.index('<select id="build-select">'))]
        assert chooser.count("<option value=") == 3 and f'<option value="{keys[1]}" selected>' in chooser
        point = reproject(np.array([Point(500_000 + 1500, 2_500_000 + 1500)]), read_build(small_build_path).crs, WGS84)[0]
        answer = post(several, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}, "build": keys[2]}).json()
        assert answer["build"] == keys[2] and answer["request"]["build"] == keys[2]
        assert answer["sites"][0]["units"][0]["name"] == "Nội thành, nội thị Thị xã A"  # the core of the hand-made province's class II town
        default = post(several, {"sites": {"type": "Point", "coordinates": [point.x, point.y]}}).json()  # the first build: Cao Bằng
        assert default["build"] == keys[0] and "Thị xã A" not in {u["name"] for u in default["sites"][0]["units"]}


def test_token_is_needed_on_every_request(small_build_path):
    with TestClient(create_app([small_build_path], token=TOKEN)) as guarded:
        for path in ("/", "/api/builds", "/api/types", "/docs", "/openapi.json"):
            assert_bilingual_error(guarded.get(path), 401, "token")
            assert_bilingual_error(guarded.get(path, params={"token": "wrong"}), 401)
        assert_bilingual_error(guarded.post("/api/check", json={}), 401)
        assert guarded.get("/api/builds", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert guarded.get("/api/builds", headers={"X-Zoning-Token": TOKEN}).status_code == 200
        page = guarded.get("/", params={"token": TOKEN})
        assert page.status_code == 200 and f'"token":"{TOKEN}"' in page.text  # the page sends it with its API calls
        assert guarded.get("/openapi.json", params={"token": TOKEN}).json()["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


@pytest.mark.parametrize("token", ["bí-mật-2026", "has space", "tab\there", ""])
def test_a_token_a_browser_cannot_send_is_refused_at_start(token, small_build_path):
    run = CliRunner().invoke(cli, ["serve", str(small_build_path), "--token", token, "--port", "1"])
    assert run.exit_code == 2, run.output
    output = " ".join(run.output.split())
    assert "--token không dùng được" in output and "--token cannot be used" in output and "Traceback" not in output
    assert "ASCII" in output
    with pytest.raises(zoning.errors.ZoningError, match="cannot travel in an HTTP header"):
        create_app([small_build_path], token=token)


def test_docs_examples_work_and_the_documented_error_is_the_real_one(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/check"]["post"]["requestBody"]["content"]["application/json"]
    examples = {name: example["value"] for name, example in body["examples"].items()}
    assert set(examples) == {"point", "typed", "markers"}
    for name, example in examples.items():
        response = post(client, example)
        assert response.status_code == 200, (name, response.text)
        assert response.json()["sites"][0]["verdict"] in {"conflict", "needs_review", "no_data", "no_conflict_found"}, name
    for path in ("/api/export/{fmt}", "/api/report/{fmt}"):
        assert spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]["point"]["value"] == examples["point"]
    # every documented error answer is the Error schema, and the server's answers fit it
    schema = spec["components"]["schemas"]["Error"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"], (path, method)
            assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    for response in (post(client, {"sites": {"type": "Point", "coordinates": [106.25, 22.66]}, "type": "casino"}),  # a request error
                     post(client, {"sites": {"type": "Polygon", "coordinates": [[[106.2, 22.6], [106.3, 22.7], [106.3, 22.6], [106.2, 22.7],
                                                                                 [106.2, 22.6]]]}}),  # an engine error, with a hint
                     client.post("/api/check", json={"unknown": 1})):  # a validation error
        answer = response.json()
        assert 400 <= response.status_code < 500 and set(answer) == set(schema["required"]) == {"error"}
        assert set(schema["properties"]["error"]["required"]) <= set(answer["error"]) <= set(schema["properties"]["error"]["properties"])
        if "hint" in answer["error"]:
            assert set(answer["error"]["hint"]) == {"vi", "en"}


@pytest.mark.slow
def test_zoning_serve_with_workers_runs_several_processes(small_build_path):
    """`zoning serve --workers 2`: two processes answer the same address, each with its own copy of the build."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "zoning", "serve", str(small_build_path), "--port", str(port), "--offline", "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline, seen = time.monotonic() + 240, set()
        while len(seen) < 2:
            assert server.poll() is None, server.stderr.read().decode(errors="replace")
            assert time.monotonic() < deadline, f"two workers did not answer within 240 s (seen {seen})"
            try:
                with httpx.Client(timeout=5) as fresh:  # a new connection each time: the kernel spreads them over the workers
                    seen.add(fresh.get(f"http://127.0.0.1:{port}/api/health").json()["process"])
            except httpx.HTTPError:
                time.sleep(0.5)
        assert server.pid not in seen  # the supervisor only supervises
        answers = {httpx.post(f"http://127.0.0.1:{port}/api/check", json={"coordinates": {"text": "48.85, 2.35"}}, timeout=60).json()["sites"][0]["verdict"]
                   for _ in range(4)}
        assert answers == {"outside_province"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


@pytest.mark.slow
def test_zoning_serve_with_no_build_serves_the_demo():
    """The README's promise: `pip install -e . && zoning serve` opens a working page."""
    import socket
    import subprocess
    import sys

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "zoning", "serve", "--port", str(port), "--offline"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, server.stderr.read().decode(errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "zoning serve did not answer within 180 s"
                time.sleep(0.5)
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert page.status_code == 200 and "Kiểm tra địa điểm dự án theo phân vùng môi trường" in page.text
        (info,) = httpx.get(f"http://127.0.0.1:{port}/api/builds", timeout=30).json()
        assert info["province_vi"] == "Cao Bằng" and info["origin"] == "in memory"
    finally:
        server.terminate()  # the process started above
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert f"http://127.0.0.1:{port}/" in output


def test_serve_refuses_other_hosts_without_a_token():
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "Refusing to listen on 0.0.0.0 without --token" in result.output and "Không mở máy chủ trên địa chỉ 0.0.0.0" in result.output
    assert loopback("127.0.0.1") and loopback("::1") and loopback("[::1]") and loopback("localhost") and loopback("127.0.0.2")
    assert not loopback("0.0.0.0") and not loopback("192.168.1.5") and not loopback("example.org")


# -------------------------------------------------------------- a real server, many clients


def test_a_real_server_answers_concurrent_clients_the_same(build, strict_point, straddling_square):
    import httpx

    with running_server(create_app([build], offline=True)) as base:
        point = lon_lat(strict_point, build)
        bodies = [
            {"sites": {"type": "Point", "coordinates": [point.x, point.y]}},
            {"sites": json.loads(shapely.to_geojson(straddling_square)), "crs": "EPSG:9210"},
            {"sites": {"type": "Point"}},
        ]
        serial = [httpx.post(f"{base}/api/check", json=b, timeout=60) for b in bodies]
        answers: list = []
        errors: list = []

        def client_loop() -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                for _ in range(3):
                    for body, first in zip(bodies, serial):
                        response = http.post("/api/check", json=body)
                        (answers if response.status_code == first.status_code else errors).append((response, first))

        threads = [threading.Thread(target=client_loop) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(answers) == 8 * 3 * 3
        for response, first in answers:
            if response.status_code == 200:
                assert response.json()["sites"] == first.json()["sites"]
