"""Siting on a hand-made province whose candidate areas are computed by hand.

Province 10 km × 10 km (four 25 km² communes, conftest.py), a nature reserve whose
2 km × 2 km core (strict, 400 ha) sits in a 4 km × 4 km square (core + ring: 1,600 ha, the
ring emission-limited), one residential point at (2 km, 2 km) and one water intake at
(8 km, 2 km). Distances given by the user: 1,000 m to residential areas, 500 m to water.

A safety buffer is a 64-gon (16 segments a quarter) with circumradius R = D · pad,
pad = 1 / (0.99 · cos(π/64)), so its apothem is D / 0.99 and its area (64/2)·R²·sin(2π/64).
"""

from __future__ import annotations

import math

import numpy as np
import pyogrio
import pyproj
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.geometry import Point
from typer.testing import CliRunner

from zoning.builder import build as build_zoning
from zoning.cli import app
from zoning.errors import InputError, ZoningError
from zoning.outputs.candidates import write_candidates
from zoning.siting import find_sites

from .conftest import CRS, X0, Y0, admin_layers, frame, sensitive_layers, square

PAD = 1 / (0.99 * math.cos(math.pi / 64))
D_RES, D_WATER = 1000.0, 500.0
USER = {"sanitary_landfill:residential": D_RES, "sanitary_landfill:water_intake": D_WATER}


def ngon_ha(distance: float) -> float:
    radius = distance * PAD
    return 32 * radius**2 * math.sin(2 * math.pi / 64) / 10_000


A_RES, A_WATER = ngon_ha(D_RES), ngon_ha(D_WATER)
RES_XY, WATER_XY = (X0 + 2000, Y0 + 2000), (X0 + 8000, Y0 + 2000)


def disc(xy, distance):
    return Point(*xy).buffer(distance * PAD, quad_segs=16)


@pytest.fixture(scope="module")
def build_path(tmp_path_factory):
    reserves = sensitive_layers()["nature_reserves"]
    layers = {
        **admin_layers(),
        "nature_reserves": reserves,
        "residential_areas": frame([{"id": "h1", "name": "Xóm F", "geometry": Point(*RES_XY)}]),
        "water_intakes": frame([{"id": "w1", "name": "Trạm cấp nước G", "geometry": Point(*WATER_XY)}]),
    }
    path = tmp_path_factory.mktemp("siting") / "siting-build.gpkg"
    build_zoning(layers, central_meridian=105.75).write(path)
    return path


def test_hand_computed_candidate(build_path, tmp_path):
    assert A_RES == pytest.approx(320.8, abs=0.05) and A_WATER == pytest.approx(80.2, abs=0.05)  # ≈ π·(D/0.99)²
    out = tmp_path / "candidates.gpkg"
    result = find_sites(build_path, "sanitary_landfill", min_area_ha=5, user_distances=USER)
    write_candidates(result, out)
    expected = square(0, 0, 10_000).difference(square(5000, 5000, 4000)).difference(disc(RES_XY, D_RES)).difference(disc(WATER_XY, D_WATER))
    assert len(result.candidates) == 1
    row = result.candidates.iloc[0]
    assert row["area_ha"] == pytest.approx(10_000 - 1_600 - A_RES - A_WATER, abs=1e-3)
    assert shapely.symmetric_difference(row.geometry, expected).area < 1.0  # m²
    # distances: the apothem of each 64-gon, D / 0.99
    assert row["dist_residential_m"] == pytest.approx(D_RES / 0.99, abs=0.1)
    assert row["dist_water_m"] == pytest.approx(D_WATER / 0.99, abs=0.1)
    assert row["nearest_residential"] == "Xóm F" and row["nearest_water"] == "Trạm cấp nước G"
    # communes by share: NW 2,500 ha, SE 2,500 − A_WATER, SW 2,500 − A_RES, NE 2,500 − 1,600
    assert row["commune_codes"] == "00003,00002,00001,00004"
    # score: area term full (0.5) + 0.25 · 0.0101 twice
    assert row["score"] == pytest.approx(0.5 + 0.25 * (1 / 0.99 - 1) * 2, abs=1e-4)
    assert row["rank"] == 1 and row["candidate_id"] == "C001"
    reasons = result.exclusions.set_index("reason_en")["area_ha"]
    assert reasons["strict protection zone (assumed policy, not law)"] == pytest.approx(400, abs=1e-6)
    assert reasons["emission-limited zone (assumed policy, not law)"] == pytest.approx(1200, abs=1e-6)
    assert reasons["within 1000 m of residential area (distance given by user)"] == pytest.approx(A_RES, abs=1e-4)
    assert reasons["within 500 m of domestic water intake or supply source (distance given by user)"] == pytest.approx(A_WATER, abs=1e-4)
    assert set(result.exclusions["status"]) == {"unconfirmed", "user"}
    # the file: four layers, candidates as read back
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"candidates", "exclusions", "study_area", "siting_info"}
    back = pyogrio.read_dataframe(out, layer="candidates")
    assert back["area_ha"].iloc[0] == pytest.approx(row["area_ha"]) and pyproj.CRS(back.crs).to_epsg() == 9210
    info = pyogrio.read_dataframe(out, layer="siting_info").set_index("key")["value"]
    assert "score =" in info["score_formula"] and "unconfirmed" in info["zone_policy"]
    assert any("not a value confirmed in law" in n for n in result.notes)


def test_communes_zones_and_min_area(build_path):
    sw = find_sites(build_path, "sanitary_landfill", communes=["00001"], user_distances=USER)
    assert len(sw.candidates) == 1 and sw.candidates["commune_codes"].iloc[0] == "00001"
    assert sw.candidates["area_ha"].iloc[0] == pytest.approx(2500 - A_RES, abs=1e-3)
    # the zone policy replaced: the ring is searched, only the core is left out
    both = find_sites(build_path, "sanitary_landfill", zones=["emission_limited", "other"], user_distances=USER)
    assert both.candidates["area_ha"].sum() == pytest.approx(10_000 - 400 - A_RES - A_WATER, abs=1e-3)
    # NE commune outside the reserve square: an L of 900 ha
    assert len(find_sites(build_path, "sanitary_landfill", communes=["00004"], min_area_ha=901, user_distances=USER).candidates) == 0
    ne = find_sites(build_path, "sanitary_landfill", communes=["00004"], min_area_ha=899, user_distances=USER)
    assert ne.candidates["area_ha"].tolist() == [pytest.approx(900, abs=1e-3)]


def test_unconfirmed_distance_without_user_value_stops(build_path):
    with pytest.raises(ZoningError) as error:
        find_sites(build_path, "sanitary_landfill")
    assert "sanitary_landfill:residential" in error.value.message and "sanitary_landfill:water_intake" in error.value.message
    assert "--distance sanitary_landfill" in error.value.hint
    # one value given, the other still missing: named alone
    with pytest.raises(ZoningError) as error:
        find_sites(build_path, "sanitary_landfill", user_distances={"sanitary_landfill:residential": 1000})
    assert "water_intake" in error.value.message and "sanitary_landfill:residential —" not in error.value.message


BTNMT, BXD = "qcvn-01-2025-btnmt", "qcvn-01-2021-bxd-solid-waste"


@pytest.mark.parametrize(("btnmt", "bxd"), [(600.0, 1000.0), (1200.0, 1000.0)])
def test_distance_band_is_the_governing_of_two_sources(build_path, btnmt, bxd):
    values = {f"sanitary_landfill:residential@{BTNMT}": btnmt, f"sanitary_landfill:residential@{BXD}": bxd, "sanitary_landfill:water_intake": D_WATER}
    result = find_sites(build_path, "sanitary_landfill", min_area_ha=5, user_distances=values)
    governing = max(btnmt, bxd)
    reasons = result.exclusions.set_index("reason_en")["area_ha"]
    assert reasons[f"within {governing:g} m of residential area (distance given by user)"] == pytest.approx(ngon_ha(governing), abs=1e-4)
    assert result.candidates["area_ha"].sum() == pytest.approx(10_000 - 1_600 - ngon_ha(governing) - A_WATER, abs=1e-3)
    assert result.candidates["dist_residential_m"].min() == pytest.approx(governing / 0.99, abs=0.1)


def test_distance_of_one_source_missing_stops(build_path):
    with pytest.raises(ZoningError) as error:
        find_sites(build_path, "sanitary_landfill", user_distances={f"sanitary_landfill@{BTNMT}": 1000})
    assert "QCVN 01:2021/BXD (solid-waste" in error.value.message and "sanitary_landfill:water_intake" not in error.value.message


def test_bad_requests_are_named(build_path, small_build_path):
    with pytest.raises(InputError, match="99999"):
        find_sites(build_path, "sanitary_landfill", communes=["99999"], user_distances=USER)
    with pytest.raises(InputError, match="--dem"):
        find_sites(build_path, "sanitary_landfill", max_slope=15, user_distances=USER)
    with pytest.raises(InputError, match="unknown facility"):
        find_sites(build_path, "landfill_of_doom", user_distances=USER)
    with pytest.raises(InputError, match="residential_areas"):  # the hand-made build of test_build has none
        find_sites(small_build_path, "sanitary_landfill", user_distances=USER)


def dem(path, height_of):
    """A 50 m DEM over the province and 500 m around it; z = height_of(x - X0) at cell centres."""
    cells = (10_000 + 1_000) // 50
    transform = Affine(50, 0, X0 - 500, 0, -50, Y0 + 10_500)
    cols = np.arange(cells)
    x = X0 - 500 + (cols + 0.5) * 50 - X0
    z = np.tile(height_of(x), (cells, 1))
    with rasterio.open(path, "w", driver="GTiff", width=cells, height=cells, count=1, dtype="float64", crs=CRS.to_wkt(), transform=transform) as dst:
        dst.write(z, 1)
    return path


def test_slope_plane_gives_the_mean_slope(build_path, tmp_path):
    path = dem(tmp_path / "plane.tif", lambda x: 0.2 * x)  # atan(0.2) = 11.3099°
    result = find_sites(build_path, "sanitary_landfill", dem=path, max_slope=15, user_distances=USER)
    assert result.candidates["mean_slope_deg"].iloc[0] == pytest.approx(math.degrees(math.atan(0.2)), abs=0.01)
    assert not result.exclusions["reason_en"].str.startswith("slope").any()  # nothing steeper than 15°
    steep = find_sites(build_path, "sanitary_landfill", dem=path, max_slope=10, user_distances=USER)
    assert len(steep.candidates) == 0  # every cell is 11.3° > 10°


def test_slope_fold_excludes_the_east_half(build_path, tmp_path):
    # flat west of x = 5 km, 0.5 (26.57°) east of it. Central differences over 100 m: the
    # cell centred at 4,975 m sees 12.5 m (7.1°, kept), the one at 5,025 m 37.5 m (20.6°, out):
    # the land left out starts exactly at the 5 km cell edge.
    path = dem(tmp_path / "fold.tif", lambda x: np.where(x < 5000, 0.0, 0.5 * (x - 5000)))
    result = find_sites(build_path, "sanitary_landfill", dem=path, max_slope=15, user_distances=USER)
    steep = result.exclusions.set_index("reason_en").loc["slope > 15°"]
    assert steep["area_ha"] == pytest.approx(5000, abs=1e-6)
    assert shapely.symmetric_difference(steep.geometry, shapely.box(X0 + 5000, Y0, X0 + 10_000, Y0 + 10_000)).area < 1e-6
    assert len(result.candidates) == 1
    assert result.candidates["area_ha"].iloc[0] == pytest.approx(5000 - A_RES, abs=1e-3)


def test_cli_siting_and_raster(build_path, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["siting", str(build_path), "--facility", "sanitary_landfill", "--out", str(tmp_path / "c.gpkg")])
    assert missing.exit_code == 2 and "--distance" in missing.output and not (tmp_path / "c.gpkg").exists()
    done = runner.invoke(app, [
        "siting", str(build_path), "--facility", "sanitary_landfill", "--communes", "00001",
        "--distance", "sanitary_landfill=1000", "--out", str(tmp_path / "c.gpkg"),
    ])
    assert done.exit_code == 0, done.output
    said = " ".join(done.output.split())  # the console's notes and statuses, Vietnamese with English beside
    assert "do người dùng nhập / given by the user" in said  # the status of the land left out
    assert ("Khoảng cách an toàn đến khu dân cư: 1.000,0 m do người dùng nhập, không phải giá trị đã được pháp luật xác nhận "
            "(giá trị do người dùng nhập (dòng lệnh: sanitary_landfill = 1.000,0 m)" in said)
    assert "/ Safety distance to residential area: 1000 m given by the user, not a value confirmed in law" in said
    back = pyogrio.read_dataframe(tmp_path / "c.gpkg", layer="candidates")
    assert back["area_ha"].iloc[0] == pytest.approx(2500 - A_RES, abs=1e-3)
    raster = runner.invoke(app, ["raster", str(build_path), "--resolution", "20", "--out", str(tmp_path / "z.tif")])
    assert raster.exit_code == 0, raster.output
    with rasterio.open(tmp_path / "z.tif") as src:
        counts = np.bincount(src.read(1).ravel(), minlength=4)
    # 20 m cells: core 400 ha = 10,000 cells, ring 1,200 ha = 30,000 cells, exactly
    assert counts[1] == 10_000 and counts[2] == 30_000 and counts[3] == 250_000 - 40_000


def test_demo_landfill_candidates_keep_every_rule(demo_build_path):
    """Cao Bằng demo, Hạ Lang, Minh Khai and Yên Thổ, 1,000 m (a user value): checked against the raw layers."""
    from zoning.builder.model import read_build

    build = read_build(demo_build_path)
    codes = ["01558", "01795", "01318"]
    result = find_sites(build, "sanitary_landfill", min_area_ha=5, communes=codes, user_distances={"sanitary_landfill": 1000})
    cands = result.candidates.geometry.to_numpy()
    assert len(cands) > 0 and (result.candidates["area_ha"] >= 5).all()
    assert np.allclose(shapely.area(cands) / 10_000, result.candidates["area_ha"], atol=1e-3)
    study = shapely.union_all(build.communes[build.communes["code"].isin(codes)].geometry.to_numpy())
    assert shapely.area(shapely.difference(shapely.union_all(cands), study)) < 1.0
    not_other = shapely.union_all(build.zones[build.zones["zone"] != "other"].geometry.to_numpy())
    assert shapely.area(shapely.intersection(shapely.union_all(cands), not_other)) < 1.0
    for kinds in (["residential_areas", "urban_areas"], ["water_intakes", "water_supply_sources"]):
        receptors = np.concatenate([build.input_layer(k).geometry.to_numpy() for k in kinds])
        nearest = shapely.distance(cands[:, None], receptors[None, :]).min(axis=1)
        assert (nearest >= 1000).all()
    assert set(result.candidates["commune_codes"].str.split(",").explode()) <= set(codes)
    assert list(result.candidates["rank"]) == list(range(1, len(cands) + 1))
    assert result.candidates["score"].is_monotonic_decreasing
