"""Site checks and the web application over a national output folder: the national build of Cao
Bằng and Lạng Sơn (tests/national_fixtures.py), shared with tests/test_national.py.
"""

from __future__ import annotations

import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import zoning
from tests.national_fixtures import WGS84, border_points, outlines
from zoning.cli import LANG, app
from zoning.inputs.crs import tm3_crs
from zoning.inputs.layers import file_digest
from zoning.inputs.reference import find_province
from zoning.web import create_app

pytest.importorskip("distributed")

OUTSIDE = "Ngoài phạm vi các tỉnh đã lập / Outside the provinces built"


@pytest.fixture(scope="module")
def national(national_run):
    assert not national_run.failed
    return national_run.out


def _area_ha(geometry: shapely.Geometry, slug: str) -> float:
    """Area of a WGS 84 geometry in the province's own VN-2000 / TM-3 CRS, in ha."""
    crs = tm3_crs(find_province(slug).central_meridian)
    return float(gpd.GeoSeries([geometry], crs=WGS84).to_crs(crs).area.iloc[0]) / 1e4


def _inside_cao_bang() -> shapely.Geometry:
    """A 1 km × 1 km-ish square far (more than 10 km) from Cao Bằng's boundary."""
    cao_bang, _ = outlines()
    core = shapely.buffer(cao_bang, -0.1)
    centre = shapely.point_on_surface(core)
    assert cao_bang.boundary.distance(centre) > 0.1
    return shapely.box(centre.x - 0.005, centre.y - 0.005, centre.x + 0.005, centre.y + 0.005)


def _across_border() -> shapely.Geometry:
    """A square across the Cao Bằng – Lạng Sơn border, where the river crosses it."""
    _, east = border_points()
    return shapely.box(east.x - 0.01, east.y - 0.01, east.x + 0.01, east.y + 0.01)


def test_a_site_inside_one_province_gets_that_province_verdict(national):
    site = _inside_cao_bang()
    result = zoning.check(site, national, type="sanitary_landfill")
    direct = zoning.check(site, national / "provinces" / "cao-bang.gpkg", type="sanitary_landfill")
    row, alone = result.sites.iloc[0], direct.sites.iloc[0]
    assert len(result.sites) == 1
    assert (row["site_id"], row["province"], row["province_name"], row["site_provinces"]) == ("site", "cao-bang", "Cao Bằng", "Cao Bằng")
    assert row["verdict"] == alone["verdict"] == row["verdict_combined"]
    for column in ("zones_touched", "commune_codes", "units_inside", "conflicts", "reviews"):
        assert row[column] == alone[column], column
    for column in ("area_ha", "strict_ha", "emission_limited_ha", "other_ha", "outside_ha"):
        assert row[column] == pytest.approx(alone[column], rel=1e-9, abs=1e-9), column
    assert row["area_ha"] == pytest.approx(_area_ha(site, "cao-bang"), rel=1e-4) and row["outside_ha"] == 0
    mine = result.findings[["finding", "title_en", "detail_en"]].sort_values(["finding", "title_en"]).reset_index(drop=True)
    theirs = direct.findings[["finding", "title_en", "detail_en"]].sort_values(["finding", "title_en"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs)
    assert set(result.findings["province"]) == {"cao-bang"}


def test_a_polygon_across_the_border_is_checked_in_both_provinces(national):
    site = _across_border()
    cao_bang, lang_son = outlines()
    result = zoning.check(site, national)
    sites = result.sites.set_index("province")
    assert list(result.sites["province"]) == ["cao-bang", "lang-son"]
    assert list(result.sites["site_id"]) == ["site@cao-bang", "site@lang-son"]
    assert set(result.sites["input_site_id"]) == {"site"} and set(result.sites["site_provinces"]) == {"Cao Bằng, Lạng Sơn"}
    for slug, land in (("cao-bang", cao_bang), ("lang-son", lang_son)):
        row = sites.loc[slug]
        inside = row["strict_ha"] + row["emission_limited_ha"] + row["other_ha"]  # the site's land in this province, by zone
        expected = _area_ha(shapely.intersection(site, land), slug)
        assert expected > 50
        assert inside == pytest.approx(expected, rel=2e-3), slug
        assert row["area_ha"] - row["outside_ha"] == pytest.approx(expected, rel=2e-3), slug
        assert row["strict_ha"] > 0  # the river is zoned on both sides
    both = _area_ha(shapely.intersection(site, shapely.union(cao_bang, lang_son)), "cao-bang")
    assert (sites["area_ha"] - sites["outside_ha"]).sum() == pytest.approx(both, rel=5e-3)  # split between the provinces, not doubled
    rank = ["conflict", "needs_review", "no_data", "no_conflict_found", "outside_province"]
    assert set(result.sites["verdict_combined"]) == {min(result.sites["verdict"], key=rank.index)}
    # each row's finding that part of the site lies outside its province names the other province and its row
    parts = result.findings[result.findings["finding"] == "partly_outside_province"].set_index("province")
    assert "Lạng Sơn" in parts.loc["cao-bang", "detail_vi"] and "site@lang-son" in parts.loc["cao-bang", "detail_en"]
    assert "Cao Bằng" in parts.loc["lang-son", "detail_vi"] and "site@cao-bang" in parts.loc["lang-son", "detail_en"]
    assert set(result.zones["site_id"]) == {"site@cao-bang", "site@lang-son"}
    assert result.zones.groupby("province")["overlap_ha"].sum().to_dict() == pytest.approx(
        {slug: _area_ha(shapely.intersection(site, land), slug) for slug, land in (("cao-bang", cao_bang), ("lang-son", lang_son))}, rel=2e-3)


def test_a_point_in_no_province_built_gets_the_outside_answer(national):
    result = zoning.check(None, national, point="105.0,21.0")
    row = result.sites.iloc[0]
    assert (row["province"], row["province_name"], row["verdict"]) == ("", OUTSIDE, "outside_province")
    found = result.findings[result.findings["finding"] == "outside_province"]
    assert list(found["title_vi"]) == ["Ngoài phạm vi các tỉnh đã lập"] and list(found["title_en"]) == ["Outside the provinces built"]


def test_command_line_outputs_carry_the_province(national, tmp_path):
    inside, across = _inside_cao_bang(), _across_border()
    sites = gpd.GeoDataFrame({"id": ["A", "B", "C"], "name": ["Trong tỉnh", "Vắt ranh giới", "Ngoài"]},
                             geometry=[inside, across, shapely.Point(105.0, 21.0)], crs=WGS84)
    path = tmp_path / "sites.gpkg"
    sites.to_file(path)
    digest = file_digest(path)
    outputs = [tmp_path / f"out.{s}" for s in ("csv", "xlsx", "gpkg", "json")]
    args = ["check", str(path), "--zoning", str(national), *[a for o in outputs for a in ("-o", str(o))], "--report", str(tmp_path / "reports")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "3 địa điểm / site(s)" in said and "4 dòng (địa điểm × tỉnh) / rows (site × province)" in said
    assert file_digest(path) == digest
    table = pd.read_csv(outputs[0], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table["site_id"]) == ["A", "B@cao-bang", "B@lang-son", "C"]
    assert list(table["province_name"]) == ["Cao Bằng", "Cao Bằng", "Lạng Sơn", OUTSIDE]
    assert list(table.columns[:2]) == ["site_id", "province_name"]
    sheet = openpyxl.load_workbook(outputs[1])["Địa điểm - Sites"]
    header = [c.value for c in sheet[2]]
    assert "Tỉnh / Province" in header and "Kết luận chung (nghiêm trọng nhất) / Combined verdict (the most serious)" in header
    assert [sheet.cell(r, header.index("Tỉnh / Province") + 1).value for r in range(3, 7)] == list(table["province_name"])
    findings = pyogrio.read_dataframe(outputs[2], layer="findings", read_geometry=False)
    assert set(findings["province"]) == {"cao-bang", "lang-son", ""}
    document = json.loads(outputs[3].read_text(encoding="utf-8"))
    assert [s["province"] for s in document["sites"]] == ["cao-bang", "cao-bang", "lang-son", ""]
    assert [p["province"] for p in document["national"]["provinces"]] == ["cao-bang", "lang-son"]
    reports = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert reports == ["A.html", "B_cao-bang.html", "B_lang-son.html", "C.html", "index.html"]
    page = (tmp_path / "reports" / "B_lang-son.html").read_text(encoding="utf-8")
    assert "Tỉnh / Province: <strong>Lạng Sơn</strong>" in page and "<iframe" in page
    assert "<iframe" not in (tmp_path / "reports" / "C.html").read_text(encoding="utf-8")  # in no province built: no province's map


def test_against_is_refused_over_a_national_folder(national, tmp_path):
    try:
        result = CliRunner().invoke(app, ["check", "--point", "106.5,22.7", "--zoning", str(national), "--against", str(national),
                                          "-o", str(tmp_path / "r.csv")])
    finally:
        LANG["console"] = "vi"
    assert result.exit_code != 0 and "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "không dùng với thư mục cả nước" in said and "does not apply to a national folder" in said
    assert not (tmp_path / "r.csv").exists()


def test_web_application_over_the_national_folder(national):
    client = TestClient(create_app([national]))
    builds = client.get("/api/builds").json()
    assert [(b["id"], b["province_vi"]) for b in builds] == [("toan-quoc", "Toàn quốc"), ("cao-bang", "Cao Bằng"), ("lang-son", "Lạng Sơn")]
    page = client.get("/")
    assert '<option value="toan-quoc" selected>' in page.text
    across = json.loads(shapely.to_geojson(_across_border()))
    whole = client.post("/api/check", json={"sites": across}).json()
    assert whole["build"] == "toan-quoc" and whole["province"] == {"id": "toan-quoc", "vi": "Toàn quốc", "en": "Whole country"}
    assert [(s["site_id"], s["province_name"]) for s in whole["sites"]] == [("1@cao-bang", "Cao Bằng"), ("1@lang-son", "Lạng Sơn")]
    direct = zoning.check(_across_border(), national)
    assert [s["verdict"] for s in whole["sites"]] == list(direct.sites["verdict"])
    assert len(whole["request"]["sites"]["features"]) == 1  # posted again, the same single site
    for slug, name in (("cao-bang", "Cao Bằng"), ("lang-son", "Lạng Sơn")):
        answer = client.post("/api/check", json={"sites": across, "build": slug}).json()
        assert answer["build"] == slug and answer["province"]["vi"] == name
        alone = zoning.check(_across_border(), national / "provinces" / f"{slug}.gpkg")
        assert answer["sites"][0]["area_ha"] - answer["sites"][0]["outside_ha"] == pytest.approx(
            float(alone.sites["area_ha"].iloc[0] - alone.sites["outside_ha"].iloc[0]), rel=1e-6)
        assert answer["sites"][0]["verdict"] == alone.sites["verdict"].iloc[0]
    outside = client.post("/api/check", json={"sites": {"type": "Point", "coordinates": [105.0, 21.0]}}).json()
    assert outside["sites"][0]["province_name"] == OUTSIDE and outside["sites"][0]["verdict"] == "outside_province"
    report = client.post("/api/report/html?site=1@lang-son", json={"sites": across})
    assert report.status_code == 200 and "Tỉnh / Province: <strong>Lạng Sơn</strong>" in report.text
    assert report.text.count('class="site-sketch"') == 1  # the printed sketch, drawn from Lạng Sơn's own build
    nation_map = client.get("/api/builds/toan-quoc/map").json()
    provinces = [client.get(f"/api/builds/{slug}/map").json() for slug in ("cao-bang", "lang-son")]
    assert len(nation_map["zones"]["features"]) == sum(len(m["zones"]["features"]) for m in provinces)
    assert len(nation_map["units"]["features"]) == sum(len(m["units"]["features"]) for m in provinces)
    # the communes (most of each province's map) are left to each province's own view, and the map says so
    assert nation_map["communes"]["features"] == [] and all(m["communes"]["features"] for m in provinces)
    assert any("ranh giới xã, phường hiện khi chọn một tỉnh" in n for n in nation_map["build"]["notices"])
    assert len(json.dumps(nation_map)) < 0.5 * sum(len(json.dumps(m)) for m in provinces)


def test_projected_coordinates_need_their_crs_over_a_national_folder(national, tmp_path):
    centre = shapely.centroid(_inside_cao_bang())
    meridian = find_province("cao-bang").central_meridian
    xy = gpd.GeoSeries([centre], crs=WGS84).to_crs(tm3_crs(meridian)).iloc[0]
    table = tmp_path / "xy.csv"
    table.write_text(f"id,x,y\nP1,{xy.x:.2f},{xy.y:.2f}\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["check", str(table), "--zoning", str(national)])
    said = " ".join(refused.output.split())
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "tọa độ x/y (VN-2000) cần --crs" in said and "x/y (VN-2000) coordinates need --crs" in said
    result = zoning.check(table, national, crs=f"tm3:{meridian}")
    direct = zoning.check(table, national / "provinces" / "cao-bang.gpkg", crs=f"tm3:{meridian}")
    assert list(result.sites["province"]) == ["cao-bang"]
    assert result.sites["verdict"].iloc[0] == direct.sites["verdict"].iloc[0] and result.sites["zones_touched"].iloc[0] == direct.sites["zones_touched"].iloc[0]
    where = gpd.GeoSeries([result.sites.geometry.iloc[0]], crs=result.sites.crs).to_crs(WGS84).iloc[0]
    assert where.distance(centre) < 1e-6  # the same place, whichever way it was read


def test_an_empty_table_over_a_national_folder_is_refused_without_the_coordinates_hint(national, tmp_path):
    table = tmp_path / "trong.csv"
    table.write_text("id,x,y\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["check", str(table), "--zoning", str(national)])
    said = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "Traceback" not in refused.output
    assert "--crs" not in said  # the x/y hint is for coordinates read without their CRS, not for a table with no rows

