"""Regional siting on the national fixture (Cao Bằng + Lạng Sơn, tests/national_fixtures.py) with homes and water intakes:
one study area across the border, areas split by province, exclusion buffers crossing the border.
"""

from __future__ import annotations

import hashlib
import math

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
import shapely.ops
from typer.testing import CliRunner

from tests.national_fixtures import siting_folders
from zoning.cli import LANG, app
from zoning.national import build_national
from zoning.siting import find_sites
from zoning.siting.region import find_regional_sites, province_summary

pytest.importorskip("distributed")

D = 1000.0  # the safety distance given, m
PAD = 1 / (0.99 * math.cos(math.pi / 64))  # a buffer's circumradius over its distance (zoning.siting.search.BUFFER_PAD)
OPTIONS = {"user_distances": {"sanitary_landfill": D}, "zones": ["other"], "min_area_ha": 5.0}


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The national output folder of the fixture (one embedded worker)."""
    root = siting_folders(tmp_path_factory.mktemp("regional") / "root")
    result = build_national(root, root.parent / "out", workers=1)
    assert not result.failed
    return result.out


@pytest.fixture(scope="module")
def regional(national, tmp_path_factory):
    """The command line run for both provinces (a name and a code): the GeoPackage and the workbook."""
    out = tmp_path_factory.mktemp("regional-out") / "vung.gpkg"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(national.rglob("*")) if p.is_file()}
    done = CliRunner().invoke(app, ["siting", str(national), "--facility", "sanitary_landfill", "--provinces", "Cao Bằng,20",
                                    "--distance", f"sanitary_landfill={D:g}", "--zones", "other", "--out", str(out)])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())
    assert "Tỉnh / Province" in said and "Cả vùng / Region" in said and "Lambert" in said  # the province column, the region, the CRS
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(national.rglob("*")) if p.is_file()} == before  # inputs untouched
    return out


def _province_land(national, slug: str) -> tuple[shapely.Geometry, object]:
    """A province's land (the union of its zones) as its own build has it, and the build's CRS."""
    zones = gpd.read_file(national / "provinces" / f"{slug}.gpkg", layer="zones")
    return shapely.union_all(zones.geometry.to_numpy()), zones.crs


def test_candidates_are_split_by_province(national, regional):
    candidates = gpd.read_file(regional, layer="candidates")
    split = gpd.read_file(regional, layer="province_split")
    assert {name for name, _ in pyogrio.list_layers(regional)} == {"candidates", "exclusions", "study_area", "siting_info", "province_split"}
    assert len(candidates) >= 1 and (candidates["provinces"].str.split(",").str.len() == 2).any()  # a candidate across the border
    assert set(split["province"]) == {"cao-bang", "lang-son"}
    for _, candidate in candidates.iterrows():
        mine = split[split["candidate_id"] == candidate["candidate_id"]].set_index("province")["area_ha"]
        assert mine.sum() == pytest.approx(candidate["area_ha"], abs=0.01)
        for slug in ("cao-bang", "lang-son"):
            land, crs = _province_land(national, slug)
            piece = shapely.intersection(gpd.GeoSeries([candidate.geometry], crs=candidates.crs).to_crs(crs).iloc[0], land)
            expected = piece.area / 10_000  # ±0.01 ha, or 1 in 10⁷ of a piece the size of a province (vertices moved by a round trip)
            assert mine.get(slug, 0.0) == pytest.approx(expected, abs=0.01, rel=1e-7), (candidate["candidate_id"], slug)
        # the search CRS is equal-area: the candidate's area there is its area on the ellipsoid
        lonlat = gpd.GeoSeries([shapely.segmentize(candidate.geometry, 500)], crs=candidates.crs).to_crs("EPSG:4756").iloc[0]
        geodesic_ha = abs(pyproj_geod().geometry_area_perimeter(lonlat)[0]) / 10_000
        assert candidate["area_equal_area_ha"] == pytest.approx(geodesic_ha, rel=1e-6)
    # the workbook: one ranked table with a province column (Vietnamese first), the provinces, the regional summary
    from openpyxl import load_workbook

    book = load_workbook(regional.with_suffix(".xlsx"))
    assert book.sheetnames == ["Ung vien - Candidates", "Theo tinh - By province", "Tong hop vung - Region"]
    table = book["Ung vien - Candidates"]
    assert table.cell(2, 3).value == "Tỉnh / Province" and table.cell(3, 1).value == 1
    summary = [[c.value for c in row] for row in book["Tong hop vung - Region"].iter_rows(min_row=3, max_row=5)]
    assert [row[0] for row in summary] == ["Cao Bằng", "Lạng Sơn", "Cả vùng / Region"]
    assert summary[2][3] == pytest.approx(candidates["area_ha"].sum(), abs=0.01)
    assert summary[0][3] + summary[1][3] == pytest.approx(summary[2][3], abs=0.01)


def pyproj_geod():
    from pyproj import Geod

    return Geod(ellps="WGS84")  # the VN-2000 ellipsoid


def test_a_home_in_one_province_leaves_out_land_in_the_other(national, regional):
    """The home in Cao Bằng about 300 m from the border: its 1,000 m band reaches about 700 m into Lạng Sơn."""
    lang_son, crs = _province_land(national, "lang-son")
    homes = gpd.read_file(national / "provinces" / "cao-bang.gpkg", layer="input_residential_areas").to_crs(crs)
    home = shapely.Point(shapely.get_coordinates(homes.loc[homes["source_id"] == "nha-bien", "geometry"].iloc[0])[0])
    inside = shapely.distance(home, lang_son)
    assert 150 < inside < 400  # the home is in Cao Bằng, within the distance of Lạng Sơn
    assert "nha-bien" not in set(gpd.read_file(national / "provinces" / "lang-son.gpkg", layer="input_residential_areas")["source_id"])
    excluded = gpd.read_file(regional, layer="exclusions").set_index("rule").loc[["distance:residential"]].to_crs(crs).geometry.iloc[0]
    strip = shapely.intersection(excluded, shapely.intersection(lang_son, home.buffer(2 * D)))
    # its area lies between those of the disc of radius D and of the drawn 64-gon (radius D · PAD), within Lạng Sơn
    lens = [shapely.intersection(lang_son, home.buffer(r, quad_segs=256)).area for r in (D, D * PAD)]
    assert lens[0] > 50 * 10_000 and lens[0] - 1 <= strip.area <= lens[1] + 1
    # along the line from the home through the nearest point of Lạng Sơn: left out up to D, candidate land beyond D · PAD
    nearest = shapely.ops.nearest_points(home, lang_son)[1]
    u = np.array([nearest.x - home.x, nearest.y - home.y]) / inside
    before, after = (shapely.Point(home.x + u[0] * r, home.y + u[1] * r) for r in (D - 1, D * PAD + 1))
    assert lang_son.contains(before) and lang_son.contains(after)
    assert excluded.contains(before) and not excluded.contains(after)
    reach = shapely.get_coordinates(strip)
    assert D <= np.hypot(reach[:, 0] - home.x, reach[:, 1] - home.y).max() <= D * PAD + 0.5  # no farther than the band
    # no candidate land in Lạng Sơn within the distance of the home
    candidates = gpd.read_file(regional, layer="candidates").to_crs(crs)
    land = shapely.union_all(candidates.geometry.to_numpy())
    assert shapely.distance(home, shapely.intersection(land, lang_son)) >= D and land.contains(after)
    # searched alone, Lạng Sơn does not know the home: that land is a candidate there
    alone = find_sites(national / "provinces" / "lang-son.gpkg", "sanitary_landfill", **OPTIONS)
    near = shapely.intersection(shapely.union_all(alone.candidates.geometry.to_numpy()), home.buffer(D))
    assert near.area == pytest.approx(shapely.intersection(lang_son, home.buffer(D, quad_segs=64)).area, rel=0.01)


def test_one_province_through_the_regional_path_is_the_single_path(national):
    regional = find_regional_sites(national, ["lang-son"], "sanitary_landfill", **OPTIONS)
    single = find_sites(national / "provinces" / "lang-son.gpkg", "sanitary_landfill", **OPTIONS)
    assert len(single.candidates) >= 1
    assert list(regional.candidates["candidate_id"]) == list(single.candidates["candidate_id"])
    assert list(regional.candidates["provinces"]) == ["lang-son"] * len(single.candidates)
    assert np.allclose(regional.candidates["area_ha"], single.candidates["area_ha"], rtol=1e-6, atol=0.01)
    assert np.allclose(regional.candidates["score"], single.candidates["score"], atol=2e-4)
    ours = regional.candidates.to_crs(single.candidates.crs).geometry.to_numpy()
    theirs = single.candidates.geometry.to_numpy()
    # the boundaries agree to 0.25 m: buffers of 1,000 m drawn in the equal-area CRS or in TM-3 (scale 0.9999 to 1.0001)
    assert (shapely.area(shapely.symmetric_difference(ours, theirs)) <= 0.25 * shapely.length(theirs)).all()


def test_unknown_or_unbuilt_province_is_refused(national, tmp_path):
    out = tmp_path / "c.gpkg"
    for asked, said in (("cao-bang,thai-nguyen", "chưa có bản phân vùng của thai-nguyen (Thái Nguyên)"),
                        ("cao-bang,atlantis", "--provinces atlantis: không có tỉnh, thành phố này")):
        result = CliRunner().invoke(app, ["siting", str(national), "--facility", "sanitary_landfill", "--provinces", asked,
                                          "--distance", "sanitary_landfill=1000", "--out", str(out)])
        text = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert said in text and "cao-bang (Cao Bằng), lang-son (Lạng Sơn)" in text and "Traceback" not in text
        assert not out.exists() and not out.with_suffix(".xlsx").exists()
    try:
        english = CliRunner().invoke(app, ["--lang", "en", "siting", str(national), "--facility", "sanitary_landfill",
                                           "--provinces", "thai-nguyen", "--distance", "sanitary_landfill=1000", "--out", str(out)])
    finally:
        LANG["console"] = "vi"
    assert english.exit_code == 2 and "not built in" in english.output


def test_no_candidate_is_an_empty_table(national):
    """A minimum area larger than both provinces: no candidate, every province with none, the land left out still listed."""
    none = find_regional_sites(national, ["cao-bang", "lang-son"], "sanitary_landfill", **{**OPTIONS, "min_area_ha": 5e6})
    assert none.candidates.empty and none.split is not None and none.split.empty
    summary = province_summary(none)
    assert list(summary["candidates"]) == [0, 0, 0] and list(summary["area_ha"]) == [0.0, 0.0, 0.0]
    assert {"zone:strict", "distance:residential", "distance:water"} <= set(none.exclusions["rule"])
