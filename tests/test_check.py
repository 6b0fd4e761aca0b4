"""The site check on the hand-made province (layout in conftest.py / test_build.py) and on
the Cao Bằng demo. Expected values are computed by hand or with independent geometry.

Hand-made province, 10 km × 10 km, coordinates from its south-west corner (X0, Y0):
town A (class II) = [1000, 2000]² strict; river at y = 3000, bed 20 m (strict), corridor
15 m each side (emission-limited); reserve core [6000, 8000]² strict, buffer ring to
[5000, 9000]² emission-limited; relic (100 m circle) at (2000, 8000); communes are the
four 5 km quadrants 00001 (SW), 00002 (SE), 00003 (NW), 00004 (NE).
"""

from __future__ import annotations

import filecmp
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from shapely.geometry import LineString, Point, box

from zoning.builder import build as build_zoning
from zoning.builder.model import as_build, read_build
from zoning.checker import check as check_api
from zoning.checker import check_parts
from zoning.checker.engine import check_sites
from zoning.checker.index import index_build, subdivide
from zoning.checker.result import (
    COMMUNE_COLUMNS,
    FINDING_COLUMNS,
    SAFETY_COLUMNS,
    SENSITIVE_COLUMNS,
    SITE_RESULT_COLUMNS,
    TABLES,
    UNIT_COLUMNS,
    ZONE_COLUMNS,
)
from zoning.demo import demo_paths
from zoning.errors import InputError, RuleError
from zoning.inputs.crs import reproject
from zoning.inputs.layers import read_vector
from zoning.inputs.sites import read_sites
from zoning.law.project_types import load_check_rules
from zoning.law.safety import load_user_distances
from zoning.outputs.report import site_report, write_reports
from zoning.outputs.results import write_csv_parts, write_results
from zoning.resources import path as resource

from .conftest import CRS, X0, Y0, admin_layers, frame, sensitive_layers, square

RULES = load_check_rules()
WGS84_CRS = "EPSG:4326"
TYPES = list(RULES.types)


def run_check(sites, build, *, out=(), report_dir=None, user_distances=None, default_type=None):
    """Check, then write results and reports, as ``zoning check --out … --report …`` does."""
    build = as_build(build)
    result = check_api(sites, build, distances=user_distances, type=default_type)
    for path in [out] if isinstance(out, Path) else out:
        write_results(result, path)
    if report_dir is not None:
        write_reports(result, report_dir, build=build)
    return result



def at(x: float, y: float) -> Point:
    return Point(X0 + x, Y0 + y)


def sites_of(*geometries, **columns) -> gpd.GeoDataFrame:
    ids = columns.pop("id", [f"s{i + 1}" for i in range(len(geometries))])
    return gpd.GeoDataFrame({"id": ids, **columns}, geometry=list(geometries), crs=CRS)


def check(build, sites: gpd.GeoDataFrame, *, tolerance=None, default_type=None, **options):
    index = index_build(build, RULES, tolerance)
    read = read_sites(sites, index.build.crs, default_type=default_type, types=TYPES)
    return check_sites(read, index, RULES, **options)


def row(result, site_id="s1"):
    return result.sites.set_index("site_id").loc[site_id]


def findings(result, site_id="s1"):
    table = result.findings[result.findings["site_id"] == site_id]
    return dict(zip(table["finding"], table["severity"]))


@pytest.fixture(scope="module")
def small(small_build_path):
    return read_build(small_build_path)


@pytest.fixture(scope="module")
def facility_build(tmp_path_factory):
    """The hand-made province plus a village [3000, 3200] × [500, 700] and an intake at (8500, 3000)."""
    layers = {
        **admin_layers(),
        **sensitive_layers(),
        "residential_areas": frame([
            {"id": "r1", "name": "Xóm Một", "population": 300, "geometry": square(3000, 500, 200)},
            {"id": "r2", "name": "Xóm Hai", "population": 120, "geometry": at(3100, 1500)},
        ]),
        "water_intakes": frame([{"id": "w1", "name": "Trạm cấp nước C", "capacity_m3d": 1000.0, "geometry": at(8500, 3000)}]),
    }
    path = tmp_path_factory.mktemp("facility") / "facility-build.gpkg"
    build_zoning(layers, central_meridian=105.75).write(path)
    return read_build(path)


# ---------------------------------------------------------------------------- where it is


def test_point_inside_a_unit(small):
    result = check(small, sites_of(at(1500, 1500)), default_type="other")
    site = row(result)
    assert site["zones_touched"] == "strict" and site["strict_pct"] == 100 and site["other_pct"] == 0
    assert site["commune_codes"] == "00001"
    units = result.units.set_index("name")
    town = units.loc["Nội thành, nội thị Thị xã A"]
    assert town["inside"] and town["distance_m"] == 0 and not town["borderline"]
    assert town["citation_vi"] == "điểm a khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP" and town["status"] == "confirmed"
    # the river bed is 1,490 m away (y = 2,990): outside the 1,000 m search distance
    assert "Nguồn nước mặt cấp nước sinh hoạt: Sông C" not in units.index
    found = findings(result)
    assert found["in_strict"] == "info"
    # no confirmed prohibition in a strict zone: a finding for review, never a conflict
    assert found["strict_zone_no_confirmed_prohibition"] == "review"
    assert site["verdict"] == "needs_review" and site["conflicts"] == 0
    element = result.sensitive[result.sensitive["element"] == "lep28_residential"]
    assert element["source_id"].tolist() == ["u1"] and element["relation"].tolist() == ["inside"]


def test_point_on_a_boundary(small):
    result = check(small, sites_of(at(2000, 1500)), default_type="other")
    site = row(result)
    assert site["zones_touched"] == "strict,other"
    assert np.isnan(site["strict_pct"]) and np.isnan(site["other_pct"])  # no share on a boundary
    assert site["borderline"] and site["verdict"] == "needs_review"
    town = result.units.set_index("name").loc["Nội thành, nội thị Thị xã A"]
    assert town["inside"] and town["distance_m"] == 0 and town["borderline"]
    assert "borderline" in findings(result)
    # on the boundary of the communes 00001 and 00002 (x = 5000): both
    assert row(check(small, sites_of(at(5000, 600)), default_type="other"))["commune_codes"] == "00001,00002"


def test_point_near_units_gets_distances_and_no_conflict(small):
    result = check(small, sites_of(at(2600, 1500), at(9500, 500)), default_type="other")
    near = row(result, "s1")
    assert near["zones_touched"] == "other" and near["units_inside"] == ""
    town = result.units[(result.units["site_id"] == "s1") & (result.units["name"] == "Nội thành, nội thị Thị xã A")].iloc[0]
    assert town["distance_m"] == pytest.approx(600.0) and not town["inside"]
    far = row(result, "s2")
    assert far["units_near"] == "" and far["verdict"] == "no_conflict_found"
    assert set(findings(result, "s2")) == {"pollution_risk_unknown"}


def test_borderline_within_the_positional_tolerance(small):
    # 20 m east of town A: within ±25 m, so the result is borderline; with ±10 m it is not
    site = sites_of(at(2020, 1500))
    assert row(check(small, site, default_type="other"))["borderline"]
    clear = check(small, site, default_type="other", tolerance=10)
    assert not row(clear)["borderline"] and row(clear)["verdict"] == "no_conflict_found"
    assert clear.units.set_index("name").loc["Nội thành, nội thị Thị xã A", "distance_m"] == pytest.approx(20.0)


def test_polygon_straddling_two_zones(small):
    straddle = box(X0 + 1800, Y0 + 1200, X0 + 2200, Y0 + 1600)  # half in town A
    river = box(X0 + 4000, Y0 + 2900, X0 + 4200, Y0 + 3100)  # across bed and corridors
    result = check(small, sites_of(straddle, river), default_type="other")
    a, b = row(result, "s1"), row(result, "s2")
    assert (a["area_ha"], a["strict_ha"], a["other_ha"]) == (16.0, 8.0, 8.0)  # 200 m × 400 m each side
    assert (a["strict_pct"], a["other_pct"]) == (50.0, 50.0)
    # bed 200 × 20 m = 0.4 ha, corridors 2 × 200 × 15 m = 0.6 ha, the rest 3 ha
    assert b["strict_ha"] == pytest.approx(0.4, abs=1e-4)
    assert b["emission_limited_ha"] == pytest.approx(0.6, abs=1e-4)
    assert b["other_ha"] == pytest.approx(3.0, abs=1e-4)
    assert (b["strict_pct"], b["emission_limited_pct"], b["other_pct"]) == pytest.approx((10, 15, 75), abs=0.01)
    # independent geometry: the zones of the build intersected directly, without the index
    zones = small.zones.set_index("zone").geometry
    for zone in ("strict", "emission_limited", "other"):
        expected = shapely.intersection(river, zones[zone]).area / 10_000
        assert b[f"{zone}_ha"] == pytest.approx(expected, abs=1e-4)
    table = result.zones[result.zones["site_id"] == "s2"].set_index("zone")
    assert table["overlap_ha"].sum() == pytest.approx(4.0, abs=1e-4)


def test_line_crossing_the_river(small):
    line = LineString([(X0 + 500, Y0 + 2500), (X0 + 500, Y0 + 3500)])
    site = row(check(small, sites_of(line), default_type="other"))
    assert site["geometry_type"] == "line" and site["length_m"] == 1000.0
    assert (site["strict_pct"], site["emission_limited_pct"], site["other_pct"]) == pytest.approx((2.0, 3.0, 95.0), abs=0.01)
    units = check(small, sites_of(line), default_type="other").units.set_index("criterion")
    assert units.loc["nd08-22-2-b", "overlap_m"] == pytest.approx(20.0, abs=0.02)
    assert units.loc["nd08-22-3-3", "overlap_m"] == pytest.approx(30.0, abs=0.02)


def test_sites_outside_the_province(small):
    outside, inside = at(-1000, 5000), at(9500, 500)
    result = check(small, sites_of(outside, inside), default_type="other")
    assert row(result, "s1")["verdict"] == "outside_province" and row(result, "s1")["outside_pct"] == 100
    assert set(findings(result, "s1")) == {"outside_province"}
    assert row(result, "s2")["verdict"] == "no_conflict_found"
    half = box(X0 - 100, Y0 + 4000, X0 + 100, Y0 + 4200)
    site = row(check(small, sites_of(half), default_type="other"))
    assert (site["other_ha"], site["outside_ha"], site["outside_pct"]) == pytest.approx((2.0, 2.0, 50.0))
    assert site["verdict"] == "needs_review"
    # a site outside, alone, gets an answer too, with where it lies
    alone = check(small, sites_of(outside))
    assert alone.sites["verdict"].tolist() == ["outside_province"] and alone.meta["verdicts"]["outside_province"] == 1
    [where] = alone.findings[["finding", "detail_vi", "detail_en"]].to_dict("records")
    # the hand-made province lies inside Cao Bằng of the reference boundaries: the province is named
    assert where["finding"] == "outside_province" and "nằm trong Tỉnh Cao Bằng" in where["detail_vi"] and "lies in Cao Bang Province" in where["detail_en"]
    paris = check(small, gpd.GeoDataFrame({"id": ["paris"]}, geometry=[Point(2.35, 48.85)], crs="EPSG:4326"))
    assert paris.sites["verdict"].tolist() == ["outside_province"]
    assert "lat 48.85000, lon 2.35000" in paris.findings["detail_en"].iloc[0] and "Province" not in paris.findings["detail_en"].iloc[0]


def test_a_site_on_the_border_to_rounding_is_on_it_not_outside(small):
    """0.05 mm past the province's edge (what rounding leaves between two builds) is on its border; 2 mm past is outside."""
    rounding, apart = at(-0.00005, 5000), at(-0.002, 5000)
    result = check(small, sites_of(rounding, apart), default_type="other")
    assert row(result, "s1")["verdict"] == "needs_review" and "borderline" in findings(result, "s1")
    assert "outside_province" not in findings(result, "s1")
    zones = result.zones[result.zones["site_id"] == "s1"]
    assert list(zones["zone"]) == ["other"] and zones["borderline"].all() and zones["overlap_ha"].sum() == 0
    assert row(result, "s2")["verdict"] == "outside_province"


def test_every_finding_carries_citation_and_status(small):
    geometries = [at(1500, 1500), at(500, 3000), at(7000, 7000), at(2000, 8000), box(X0 + 1800, Y0 + 1200, X0 + 2200, Y0 + 1600)]
    result = check(small, sites_of(*geometries, type=["textile_dyeing", "hydropower", "sanitary_landfill", None, "wastewater_treatment"]))
    table = result.findings
    assert set(table["status"]) <= {"confirmed", "unconfirmed", "user"}
    legal = table[~table["finding"].isin(["type_not_given", "borderline", "no_data", "outside_province", "capacity_unit_mismatch"])
                  & ~table["finding"].str.startswith("no_data")]
    assert (legal["citation_vi"] != "").all() and (legal["citation_en"] != "").all()
    # nothing unconfirmed decides a conflict
    assert not ((table["severity"] == "conflict") & (table["status"] == "unconfirmed")).any()
    textile = findings(result, "s1")
    assert textile["pollution_risk_type"] == "info" and textile["pollution_risk_in_strict_zone"] == "review"
    assert findings(result, "s4")["type_not_given"] == "review"


# ------------------------------------------------------------------------ safety distance

WASTEWATER = {"type": ["wastewater_treatment"], "capacity": [300.0], "capacity_unit": ["m3/day"]}
INTAKE = {"wastewater_treatment:water_intake": 500.0}  # the intake distance is not confirmed: given here


def test_safety_distance_exactly_kept(facility_build):
    # Table 2.22, 200–5,000 m³/day: 100 m; the village starts at x = 3000
    result = check(facility_build, sites_of(at(2900, 600), **WASTEWATER), tolerance=0, user_distances=INTAKE)
    site = row(result)
    assert site["safety_distance_residential_m"] == 100 and site["safety_status_residential"] == "confirmed"
    assert site["nearest_residential_m"] == 100.0 and site["nearest_residential"] == "Xóm Một"
    assert site["safety_holds_residential"] is True and site["residential_inside_count"] == 0
    assert site["verdict"] == "no_conflict_found"
    # the intake at (8500, 3000): √(5600² + 2400²) m away, 500 m given by the user
    assert site["nearest_intake_m"] == pytest.approx(math.hypot(5600, 2400), abs=0.01)
    assert site["safety_status_intake"] == "user"


def test_safety_distance_just_inside_is_a_conflict(facility_build):
    result = check(facility_build, sites_of(at(2900.5, 600), **WASTEWATER), tolerance=0, user_distances=INTAKE)
    site = row(result)
    assert site["safety_holds_residential"] is False and site["residential_inside_count"] == 1
    assert site["verdict"] == "conflict"
    finding = result.findings.set_index("finding").loc["safety_distance_not_kept_residential"]
    assert finding["severity"] == "conflict" and finding["status"] == "confirmed"
    assert finding["citation_en"] == "QCVN 01:2021/BXD, Table 2.22"


def test_area_inside_the_safety_distance(facility_build):
    # 50 m from the village: the circle of 100 m cuts a segment of height 50 m
    result = check(facility_build, sites_of(at(2950, 600), **WASTEWATER), tolerance=0, user_distances=INTAKE)
    r, h = 100.0, 50.0
    segment = r**2 * math.acos((r - h) / r) - (r - h) * math.sqrt(2 * r * h - h**2)
    assert row(result)["residential_inside_ha"] == pytest.approx(segment / 10_000, rel=2e-3)


def test_safety_distance_just_outside_and_tolerance(facility_build):
    outside = sites_of(at(2899.5, 600), **WASTEWATER)
    assert row(check(facility_build, outside, tolerance=0, user_distances=INTAKE))["verdict"] == "no_conflict_found"
    # within ±25 m of the distance: kept, but borderline → review
    site = row(check(facility_build, outside, user_distances=INTAKE))
    assert site["safety_holds_residential"] is True and site["borderline"] and site["verdict"] == "needs_review"


def test_upstream_multiplies_the_distance(facility_build):
    result = check(facility_build, sites_of(at(2900, 600), **WASTEWATER, upstream=["yes"]), tolerance=0, user_distances=INTAKE)
    site = row(result)
    assert site["safety_distance_residential_m"] == 150 and site["verdict"] == "conflict"
    # 100 m (Table 2.22, 200–5,000 m³/day) × 1.5; the village 100 m away; numbers as each language writes them
    finding = result.findings.set_index("finding").loc["safety_distance_not_kept_residential"]
    assert "trong phạm vi 150,0 m (gần nhất 100,0 m: Xóm Một)" in finding["detail_vi"]
    assert "100,0 m × 1,5 = 150,0 m (trạm xử lý nước thải buộc phải đặt ở đầu nguồn nước" in finding["detail_vi"]
    assert "within 150.0 m (nearest 100.0 m: Xóm Một)" in finding["detail_en"] and "100 m × 1.5" in finding["detail_en"]


def test_unconfirmed_distance_needs_review_then_user_value(facility_build):
    landfill = sites_of(at(2900, 600), type=["sanitary_landfill"])
    site = row(check(facility_build, landfill, tolerance=0))
    assert np.isnan(site["safety_distance_residential_m"]) and site["safety_status_residential"] == "unconfirmed"
    assert site["verdict"] == "needs_review"
    assert "sanitary_landfill:residential" in site["missing_values"] and "sanitary_landfill:water_intake" in site["missing_values"]
    given = check(facility_build, landfill, tolerance=0, user_distances={"sanitary_landfill": 500})
    site = row(given)
    assert site["safety_distance_residential_m"] == 500 and site["safety_status_residential"] == "user"
    # the village (100 m) and Xóm Hai (√(200² + 900²) ≈ 922 m: outside) → one inside
    assert site["residential_inside_count"] == 1 and site["verdict"] == "conflict"


BTNMT, BXD = "qcvn-01-2025-btnmt", "qcvn-01-2021-bxd-solid-waste"
VILLAGE = box(X0 + 3000, Y0 + 500, X0 + 3200, Y0 + 700)  # Xóm Một, as in facility_build


def _province_distances(tmp_path, *rows: str) -> dict:
    path = tmp_path / "province-distances.yaml"
    path.write_text("id: province\nversion: '1'\ndistances:\n" + "".join(f"  - {r}\n" for r in rows), encoding="utf-8")
    return load_user_distances(path, RULES.facilities)


def test_landfill_the_larger_of_two_sources_governs(tmp_path, facility_build):
    values = _province_distances(tmp_path, f"{{facility: sanitary_landfill, source: {BTNMT}, distance_m: 500}}",
                                 f"{{facility: sanitary_landfill, source: {BXD}, distance_m: 1000}}")
    site_point = at(3900, 600)
    assert site_point.distance(VILLAGE) == pytest.approx(700)  # between the 500 m and the 1,000 m
    result = check(facility_build, sites_of(site_point, type=["sanitary_landfill"]), tolerance=0, user_distances=values)
    site = row(result)
    assert site["nearest_residential_m"] == pytest.approx(site_point.distance(VILLAGE), abs=0.01)
    assert site["safety_distance_residential_m"] == 1000 and site["safety_status_residential"] == "user"
    assert site["safety_holds_residential"] is False and site["verdict"] == "conflict"
    # Xóm Hai at (3100, 1500): √(800² + 900²) ≈ 1,204 m, outside even the larger distance; town A (x ≤ 2,000) farther
    assert site["residential_inside_count"] == 1
    # water intakes have only the BTNMT source: its 500 m
    assert site["safety_distance_intake_m"] == 500
    found = result.findings.set_index("finding").loc["safety_distance_not_kept_residential"]
    assert found["severity"] == "conflict"
    assert "QCVN 01:2025/BTNMT" in found["citation_vi"] and "QCVN 01:2021/BXD (cơ sở xử lý chất thải rắn;" in found["citation_vi"]
    assert "áp dụng giá trị lớn nhất trong các nguồn, 1.000,0 m theo QCVN 01:2021/BXD" in found["detail_vi"] and "500,0 m" in found["detail_vi"]
    assert "the largest value of the sources applies, 1000 m under QCVN 01:2021/BXD" in found["detail_en"]
    table = result.safety.set_index("receptor").loc["residential"]
    assert "QCVN 01:2025/BTNMT" in table["citation_en"] and "QCVN 01:2021/BXD (solid-waste" in table["citation_en"]
    # with 1,000 m under the BTNMT source instead, the BTNMT value governs and the site still conflicts
    swapped = _province_distances(tmp_path, f"{{facility: sanitary_landfill, source: {BTNMT}, distance_m: 1000}}",
                                  f"{{facility: sanitary_landfill, source: {BXD}, distance_m: 500}}")
    found = check(facility_build, sites_of(site_point, type=["sanitary_landfill"]), tolerance=0, user_distances=swapped).findings
    detail = found.set_index("finding").loc["safety_distance_not_kept_residential", "detail_en"]
    assert "1000 m under QCVN 01:2025/BTNMT" in detail


def test_landfill_one_source_without_value_needs_review(tmp_path, facility_build):
    values = _province_distances(tmp_path, f"{{facility: sanitary_landfill, source: {BTNMT}, distance_m: 500}}")
    result = check(facility_build, sites_of(at(3900, 600), type=["sanitary_landfill"]), tolerance=0, user_distances=values)
    site = row(result)
    assert np.isnan(site["safety_distance_residential_m"]) and site["verdict"] == "needs_review"
    assert "QCVN 01:2021/BXD (solid-waste" in site["missing_values"] and "QCVN 01:2025/BTNMT" not in site["missing_values"]
    assert findings(result)["safety_distance_unknown_residential"] == "review"
    assert "safety_distance_not_kept_residential" not in findings(result)


def test_landfill_one_value_answers_both_sources(facility_build):
    site_point = at(3600, 600)
    assert site_point.distance(VILLAGE) == pytest.approx(400)
    result = check(facility_build, sites_of(site_point, type=["sanitary_landfill"]), tolerance=0, user_distances={"sanitary_landfill": 300})
    site = row(result)
    assert site["safety_distance_residential_m"] == 300 and site["safety_holds_residential"] is True
    assert site["residential_inside_count"] == 0 and site["verdict"] == "no_conflict_found"
    kept = result.findings.set_index("finding").loc["safety_distance_kept_residential"]
    assert "thay cho: QCVN 01:2025/BTNMT; QCVN 01:2021/BXD" in kept["detail_vi"]  # the sources by name (their citations are in the citation column)


def test_no_data_is_not_no_conflict(tmp_path, small):
    # a facility checked against a build without residential areas or intakes
    site = row(check(small, sites_of(at(9500, 500), **WASTEWATER), tolerance=0, user_distances=INTAKE))
    assert site["no_data_layers"] == "residential_areas, water_intakes"
    assert site["verdict"] == "no_data"
    # a build without relic zones: nothing found is still not "no conflict"
    layers = {**admin_layers(), **{k: v for k, v in sensitive_layers().items() if k != "relic_zones"}}
    path = tmp_path / "no-relics.gpkg"
    build_zoning(layers, central_meridian=105.75).write(path)
    result = check(read_build(path), sites_of(at(9500, 500)), default_type="other")
    assert row(result)["verdict"] == "no_data" and row(result)["no_data_layers"] == "relic_zones"
    assert findings(result)["no_data"] == "no_data"


# ---------------------------------------------------------------------------- the rules


def test_unconfirmed_rule_never_gives_a_conflict(tmp_path, small):
    data = yaml.safe_load(resource("rules", "project-types.yaml").read_text(encoding="utf-8"))
    rule = next(r for r in data["site_rules"] if r["id"] == "strict_zone_no_confirmed_prohibition")
    rule["effect"] = "conflict"  # a province declares a prohibition, still unconfirmed
    path = tmp_path / "project-types.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rules = load_check_rules(path)
    read = read_sites(sites_of(at(1500, 1500)), CRS, default_type="other", types=list(rules.types))
    result = check_sites(read, index_build(small, rules), rules)
    assert row(result)["verdict"] == "needs_review"
    rule["status"] = "confirmed"  # once confirmed, it decides
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rules = load_check_rules(path)
    assert row(check_sites(read, index_build(small, rules), rules))["verdict"] == "conflict"


def test_bad_project_type_file(tmp_path):
    data = yaml.safe_load(resource("rules", "project-types.yaml").read_text(encoding="utf-8"))
    data["project_types"][0]["capacity"] = 5
    path = tmp_path / "project-types.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RuleError, match=r"project-types.yaml line \d+: project_types\[0\]\.capacity"):
        load_check_rules(path)
    data["project_types"][0].pop("capacity")
    data["project_types"][0]["facility"] = "landfil"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(RuleError, match="unknown facility type 'landfil'"):
        load_check_rules(path)


def test_appendix_ii_capacity_classes(small):
    # textile dyeing (row 5): large ≥ 50,000,000 m²/year, small < 5,000,000
    capacities = [60_000_000.0, 10_000_000.0, 1_000_000.0, None]
    points = [at(9500, 500 + 100 * i) for i in range(4)]
    result = check(small, sites_of(*points, type=["textile_dyeing"] * 4, capacity=capacities, capacity_unit=["m2/year"] * 4))
    assert result.sites["capacity_class"].tolist() == ["large", "medium", "small", "unknown"]
    assert findings(result, "s1")["group_i_possible"] == "review"
    assert "group_i_possible" not in findings(result, "s2")  # medium, no sensitive element here
    assert findings(result, "s4")["capacity_needed"] == "review"
    # the site report names the class in both languages, not by its key
    assert "60.000.000,00 m2/year — quy mô lớn / large class" in site_report(result, "s1")
    assert "— quy mô trung bình / medium class" in site_report(result, "s2")


# ------------------------------------------------------------------------------- outputs


def test_outputs_have_the_documented_schema(tmp_path, small):
    result = check(small, sites_of(at(1500, 1500), box(X0 + 4000, Y0 + 2900, X0 + 4200, Y0 + 3100)), default_type="other")
    assert list(result.sites.columns) == SITE_RESULT_COLUMNS + ["geometry"]
    assert not set(SITE_RESULT_COLUMNS) & set(TABLES)  # nested lists never hide a site column
    record = result.site("s2")
    assert record["zones_touched"] == "strict,emission_limited,other" and [z["zone"] for z in record["zones"]] == ["strict", "emission_limited", "other"]
    assert record["findings_count"] == len(record["findings"])
    for name, columns in (("zones", ZONE_COLUMNS), ("units", UNIT_COLUMNS), ("communes", COMMUNE_COLUMNS), ("findings", FINDING_COLUMNS),
                          ("sensitive", SENSITIVE_COLUMNS), ("safety", SAFETY_COLUMNS)):
        assert list(result.table(name).columns) == columns, name
    text = (Path(__file__).resolve().parents[1] / "docs" / "check-results.md").read_text(encoding="utf-8")
    for column in set(SITE_RESULT_COLUMNS + ZONE_COLUMNS + UNIT_COLUMNS + COMMUNE_COLUMNS + FINDING_COLUMNS + SENSITIVE_COLUMNS + SAFETY_COLUMNS):
        assert f"`{column}`" in text, f"{column} is not documented in docs/check-results.md"
    for suffix in (".gpkg", ".geojson", ".json", ".csv"):
        write_results(result, tmp_path / f"r{suffix}")
    gpkg = read_vector(tmp_path / "r.gpkg", layer="sites")
    assert gpkg["verdict"].tolist() == ["needs_review", "needs_review"] and gpkg.crs == CRS
    assert read_vector(tmp_path / "r.gpkg", layer="findings")["site_id"].iloc[0] == "s1"
    geojson = read_vector(tmp_path / "r.geojson")
    assert geojson.crs.to_epsg() == 4326 and geojson["site_id"].tolist() == ["s1", "s2"]
    with pytest.raises(InputError, match="not a format this command writes"):
        write_results(result, tmp_path / "r.txt")


def test_same_input_same_output(tmp_path, facility_build):
    sites = sites_of(at(2950, 600), at(1500, 1500), box(X0 + 4000, Y0 + 2900, X0 + 4200, Y0 + 3100),
                     type=["sanitary_landfill", "textile_dyeing", None], capacity=[20.0, 1e7, None])
    outputs = {}
    for run in ("a", "b"):
        folder = tmp_path / run
        out = [folder / f"r{s}" for s in (".gpkg", ".geojson", ".json", ".csv")]
        run_check(sites, facility_build, out=out, report_dir=folder / "reports", user_distances={"sanitary_landfill": 300})
        outputs[run] = folder
    files = sorted(p.relative_to(outputs["a"]) for p in outputs["a"].rglob("*") if p.is_file())
    assert len(files) == 4 + 4  # four result files, three reports and the index
    for name in files:
        assert filecmp.cmp(outputs["a"] / name, outputs["b"] / name, shallow=False), name


def test_report_carries_verdict_citations_and_provenance(tmp_path, small):
    result = run_check(sites_of(at(1500, 1500)), small, report_dir=tmp_path, default_type="textile_dyeing")
    html = (tmp_path / "s1.html").read_text(encoding="utf-8")
    for text in (result.meta["build_id"], small.manifest["ruleset"], result.meta["check_rules"], result.meta["software"],
                 "Cần xem xét / Needs review", "điểm a khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP", 'id="site-map"',
                 "chưa xác nhận"):
        assert text in html, text
    assert "Illustrative data" not in html  # the hand-made province is not illustrative
    assert '<a href="s1.html">' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_one_site_report_is_the_page_of_write_reports_without_the_index_link(tmp_path, small):
    result = run_check(sites_of(at(1500, 1500), at(8500, 8500)), small, report_dir=tmp_path, default_type="other")
    page = site_report(result, "s2", build=small)
    assert page == (tmp_path / "s2.html").read_text(encoding="utf-8").replace('<p class="small"><a href="index.html">← '
        'Danh sách địa điểm / All sites</a></p>', "")
    assert "index.html" not in page and "zoning-site-map" in page
    assert "zoning-site-map" not in site_report(result, "s2")  # no build, no map
    with pytest.raises(KeyError):
        site_report(result, "s9")


def test_sites_read_once_are_checked_with_the_defaults_of_the_check(small):
    read = read_sites(sites_of(at(1500, 1500), at(8500, 8500), type=[None, "hydropower"]), small.crs, types=TYPES)
    result = check_api(read, small, type="wastewater_treatment", capacity=300)
    assert result.sites["type"].tolist() == ["wastewater_treatment", "hydropower"]
    assert result.sites["capacity"].tolist()[0] == 300
    assert read.frame["type"].tolist()[0] is None  # the sites read are left as they were
    direct = check_api(sites_of(at(1500, 1500), at(8500, 8500), type=[None, "hydropower"]), small, type="wastewater_treatment", capacity=300)
    assert result.sites.drop(columns="geometry").equals(direct.sites.drop(columns="geometry"))
    with pytest.raises(InputError, match="another CRS"):
        check_api(read_sites(sites_of(at(1500, 1500)), WGS84_CRS), small)


def test_results_as_an_excel_workbook(tmp_path, small):
    import openpyxl

    from zoning import terms
    from zoning.outputs.results import SHEET_NAMES

    sites = sites_of(at(1500, 1500), at(8500, 8500), name=["Trạm <A>", "=B"])
    result = run_check(sites, small, out=[tmp_path / "r.xlsx", tmp_path / "r.csv"], default_type="other")
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert workbook.sheetnames == list(SHEET_NAMES.values())
    sheet = workbook[SHEET_NAMES["sites"]]
    header = [cell.value for cell in sheet[2]]  # row 1 is the title
    column = {name: header.index(f"{terms.label('columns', name, 'vi')} / {terms.label('columns', name, 'en')}") for name in ("name", "verdict")}
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[column["name"]] for r in rows] == ["Trạm <A>", "=B"]  # a formula-like name stays its text
    assert sheet.cell(row=4, column=column["name"] + 1).data_type == "s"  # …as a text cell, not a formula
    assert [r[column["verdict"]] for r in rows] == result.sites["verdict"].tolist()
    assert sum(1 for _ in workbook[SHEET_NAMES["findings"]].iter_rows(min_row=3)) == len(result.findings)


def test_subdivide_keeps_areas():
    ring = shapely.Point(0, 0).buffer(1000, quad_segs=256).difference(shapely.Point(0, 0).buffer(400, quad_segs=128))
    pieces, owner = subdivide(np.array([ring, box(0, 0, 1, 1)], dtype=object), 32)
    assert shapely.get_num_coordinates(pieces).max() <= 32 + 8
    assert np.bincount(owner, weights=shapely.area(pieces)) == pytest.approx([ring.area, 1.0], rel=1e-9)


# ---------------------------------------------------------------------------------- demo


@pytest.mark.slow
def test_demo_sites_end_to_end(demo_build_path, tmp_path):
    result = run_check(demo_paths().sites, demo_build_path, out=tmp_path / "demo.gpkg", report_dir=tmp_path / "reports")
    sites = result.sites.set_index("site_id")
    assert len(sites) == 13 and sites["illustrative"].all()
    # Bảo Lâm 1 (real coordinates) lies near the Gâm, a domestic-supply river: a finding to review
    bao_lam = result.findings[(result.findings["site_id"] == "td_1") & (result.findings["finding"] == "near_domestic_supply_water")]
    assert len(bao_lam) == 1 and "Sông Gâm" in bao_lam["detail_en"].iloc[0]
    assert sites.loc["td_1", "verdict"] == "needs_review" and sites.loc["td_1", "commune_names"] == "Lý Bôn"
    gam = result.units[(result.units["site_id"] == "td_1") & (result.units["criterion"] == "nd08-22-2-b")].iloc[0]
    # independently: the raw Gâm line, reprojected, minus half its 80 m width
    rivers = read_vector(demo_paths().layers, layer="water_supply_sources").set_index("id")
    plants = read_vector(demo_paths().sites, layer="hydropower").set_index("id")
    line = reproject(np.array([rivers.loc["ws-02", "geometry"]]), rivers.crs, CRS)[0]
    plant = reproject(np.array([plants.loc["td_1", "geometry"]]), plants.crs, CRS)[0]
    assert gam["distance_m"] == pytest.approx(plant.distance(line) - 40, abs=0.5)
    # the solid-waste distances are unconfirmed: every new waste facility needs review, naming the value
    waste = sites[sites["source_layer"] == "waste_sites"]
    assert (waste["verdict"] == "needs_review").all()
    new = waste.drop(index="wt-07")
    assert new["missing_values"].str.contains(":residential").all()
    # the Hạ Lang landfill to close is checked as a closure, not as a new landfill: no safety distance of one
    closing = sites.loc["wt-07"]
    assert (closing["type"], closing["facility"], closing["missing_values"]) == ("landfill_closure", "", "")
    assert not len(result.safety[result.safety["site_id"] == "wt-07"])
    assert (tmp_path / "reports" / "td_1.html").exists()
    assert "Illustrative data" in (tmp_path / "reports" / "td_1.html").read_text(encoding="utf-8")


def test_check_in_parts_writes_the_same_csv(tmp_path, facility_build):
    """Checked in parts of two sites, the CSV is byte for byte that of the whole check and the summary counts every site."""
    sites = sites_of(at(2950, 600), at(1500, 1500), box(X0 + 4000, Y0 + 2900, X0 + 4200, Y0 + 3100), at(-1000, 5000), at(9500, 500),
                     type=["sanitary_landfill", "textile_dyeing", None, None, "other"], capacity=[20.0, 1e7, None, None, None])
    whole = check_api(sites, facility_build, distances={"sanitary_landfill": 300})
    write_results(whole, tmp_path / "whole.csv")
    count, parts = check_parts(sites, facility_build, part_sites=2, distances={"sanitary_landfill": 300})
    summary = write_csv_parts(parts, [tmp_path / "parts.csv", tmp_path / "again.csv"])
    assert count == 5
    assert filecmp.cmp(tmp_path / "whole.csv", tmp_path / "parts.csv", shallow=False)
    assert filecmp.cmp(tmp_path / "whole.csv", tmp_path / "again.csv", shallow=False)
    assert summary.meta["verdicts"] == whole.meta["verdicts"] and summary.meta["sites"] == 5
    assert summary.sites[["site_id", "verdict"]].values.tolist() == whole.sites[["site_id", "verdict"]].values.tolist()
    assert summary.meta["verdicts"]["outside_province"] == 1  # s4, checked in a part with a site inside


def test_check_in_parts_all_outside_is_answered(tmp_path, small):
    count, parts = check_parts(sites_of(at(-1000, 5000), at(-2000, 5000), at(-3000, 5000)), small, part_sites=2)
    summary = write_csv_parts(parts, [tmp_path / "r.csv"])
    assert count == 3 and summary.meta["verdicts"]["outside_province"] == 3
    assert pd.read_csv(tmp_path / "r.csv")["verdict"].tolist() == ["outside_province"] * 3


# ----------------------------------------------------------------- the command line, officer's tables


def _lonlat(x: float, y: float) -> tuple[float, float]:
    point = reproject(np.array([at(x, y)]), CRS, "EPSG:4326")[0]
    return point.x, point.y


def test_zoning_check_of_a_table_with_vietnamese_columns_a_bad_row_and_a_site_outside(tmp_path, small_build_path):
    from typer.testing import CliRunner

    from zoning.cli import app as cli

    lines = ["STT,Tên công trình,Loại hình dự án,Công suất,Đơn vị,Kinh độ,Vĩ độ,Xã"]
    for i in range(1, 36):
        lon, lat = _lonlat(100 + 200 * (i % 40), 9500 if i % 2 else 500)
        if i == 7:
            lon = 1062512  # a longitude typed without its decimal point
        if i == 12:
            lon, lat = _lonlat(-1000, 5000)  # outside the hand-made province
        lines.append(f"{i},Công trình {i},Bãi chôn lấp chất thải rắn hợp vệ sinh,50,tấn/ngày,{lon},{lat},Xã {i}")
    lines.append("36,Công trình 36,Bãi chôn lấp chất thải rắn hợp vệ sinh,nhiều,tấn/ngày,106.1,22.6,Xã 36")  # capacity not a number
    table = tmp_path / "danh sach.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ket-qua.csv"
    run = CliRunner().invoke(cli, ["check", str(table), "-z", str(small_build_path), "-o", str(out)], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    output = " ".join(run.output.split())  # the console wraps long lines
    assert "34 địa điểm / site(s)" in output and "Lỗi dữ liệu / Data error: 2 dòng không đọc được / row(s) not read" in output
    assert "Ngoài phạm vi tỉnh / Outside the province: 1" in output
    assert "dòng 8, cột 'Kinh độ' = '1062512': không phải kinh độ" in output and "row 37, column 'Công suất' = 'nhiều'" in output
    assert "columns not used: 'Xã'" in output and "GeoJSON" not in output and ".prj" not in output
    results = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    sites = results[results["verdict"] != "data_error"]
    assert len(sites) == 34 and set(sites["type"]) == {"sanitary_landfill"} and sites["name"].iloc[0] == "Công trình 1"
    assert sites.set_index("site_id").loc["12", "verdict"] == "outside_province"
    assert results.loc[results["verdict"] == "data_error", "site_id"].tolist() == ["dòng 8 / row 8", "dòng 37 / row 37"]


def test_zoning_check_refuses_a_table_with_no_readable_row_naming_each(tmp_path, small_build_path):
    from typer.testing import CliRunner

    from zoning.cli import app as cli

    table = tmp_path / "bad.xlsx"
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in (["Ma", "Ten", "Kinh do", "Vi do"], ["A", "Một", "abc", 22.6], ["B", "Hai", 1062512, 22.7]):
        workbook.active.append(row)
    workbook.save(table)
    run = CliRunner().invoke(cli, ["check", str(table), "-z", str(small_build_path)], env={"COLUMNS": "200"})
    assert run.exit_code == 2
    output = " ".join(run.output.split())
    assert "dòng 2, cột 'Kinh do' = 'abc': không phải là số" in output and "row 3, column 'Kinh do' = '1062512'" in output
    assert "GeoJSON" not in output and ".prj" not in output


def test_zoning_check_of_one_point_outside_the_province(small_build_path):
    from typer.testing import CliRunner

    from zoning.cli import app as cli

    lon, lat = _lonlat(-1000, 5000)
    run = CliRunner().invoke(cli, ["check", "--point", f"{lon},{lat}", "-z", str(small_build_path)], env={"COLUMNS": "240"})
    assert run.exit_code == 0, run.output
    output = " ".join(run.output.split())
    assert "Ngoài phạm vi tỉnh / Outside the province: 1" in output and "Tỉnh Cao Bằng" in output


def test_zoning_check_of_a_word_marker_table_saved_as_text(tmp_path, small_build_path):
    """A marker table copied from Word (STT ⇥ Số hiệu ⇥ X ⇥ Y, Vietnamese numbers, X the northing) saved as .txt: one site per marker."""
    from typer.testing import CliRunner

    from zoning.cli import app as cli

    corners = [(1000, 1000), (1400, 1000), (1400, 1400), (1000, 1400)]
    vn = lambda v: f"{v:_.2f}".replace(".", ",").replace("_", ".")  # noqa: E731 - 2.506.123,45
    lines = ["STT\tSố hiệu\tX (m)\tY (m)"] + [f"{i}\tM{i}\t{vn(Y0 + y)}\t{vn(X0 + x)}" for i, (x, y) in enumerate(corners, 1)]
    table = tmp_path / "bang-moc.txt"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.csv"
    run = CliRunner().invoke(cli, ["check", str(table), "-z", str(small_build_path), "--crs", "tm3:105.75", "-o", str(out)], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    output = " ".join(run.output.split())
    assert "4 địa điểm / site(s)" in output and "columns not used: 'STT'" in output
    results = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert results["site_id"].tolist() == ["M1", "M2", "M3", "M4"] and set(results["verdict"]) != {"data_error"}
    read = read_sites(table, CRS, crs="tm3:105.75")
    xy = shapely.get_coordinates(read.frame.geometry.to_numpy())
    assert np.allclose(xy, [[X0 + x, Y0 + y] for x, y in corners], atol=0.01)  # X read as the northing
