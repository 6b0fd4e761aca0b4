"""The build on a hand-made province: every expected area is computed by hand.

Province 10 km × 10 km = 10,000 ha; see conftest.py for the layers.
"""

from __future__ import annotations

import math

import pytest
import shapely

from zoning.builder.engine import build_zones
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.resources import path as resource

from .conftest import CRS

RELIC_HA = 0.5 * 32 * 100**2 * math.sin(2 * math.pi / 32) / 10_000  # 100 m circle as a 32-gon
STRICT_HA = 100 + 20 + 400 + RELIC_HA  # town II + river bed 10 km × 20 m + core + relic
LIMITED_HA = 1200 + 30  # buffer ring 16 − 4 km² + river corridor 10 km × (50 − 20) m
PROVINCE_HA = 10_000


def run(layers, province_rules=None):
    ruleset = load_rules(province_rules=province_rules)
    return build_zones(read_layers(layers, CRS), ruleset)


@pytest.fixture
def result(admin, sensitive):
    return run({**admin, **sensitive})


def zone_area(build, zone):
    return float(build.zones.set_index("zone").loc[zone, "area_ha"])


def test_zone_areas_match_hand_computation(result):
    assert zone_area(result, "strict") == pytest.approx(STRICT_HA, abs=1e-3)
    assert zone_area(result, "emission_limited") == pytest.approx(LIMITED_HA, abs=1e-3)
    assert zone_area(result, "other") == pytest.approx(PROVINCE_HA - STRICT_HA - LIMITED_HA, abs=1e-3)


def test_zones_partition_the_province(result):
    geometry = result.zones.geometry.to_numpy()
    for i in range(3):
        for j in range(i + 1, 3):
            assert shapely.area(shapely.intersection(geometry[i], geometry[j])) < 1.0  # m²
    union = shapely.union_all(geometry)
    assert union.area / 10_000 == pytest.approx(PROVINCE_HA, rel=1e-6)
    assert result.qa["passed"], result.qa


def test_units_are_named_per_feature_and_criterion(result):
    units = result.units.set_index("name")
    core = units.loc["Vùng lõi Khu bảo tồn D"]
    assert core["zone"] == "strict"
    assert core["criterion"] == "nd08-22-2-c"
    assert core["citation_vi"] == "điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"
    assert core["area_ha"] == pytest.approx(400, abs=1e-6)
    assert units.loc["Nội thành, nội thị Thị xã A", "commune_codes"] == "00001"
    river = units.loc["Nguồn nước mặt cấp nước sinh hoạt: Sông C"]
    assert river["commune_codes"] == "00001,00002"
    assert river["area_ha"] == pytest.approx(20, abs=1e-3)


def test_precedence_and_lineage(result):
    # The class IV town is half in the core (strict) and half in the buffer ring (also
    # emission-limited, listed first): it keeps no unit of its own, but the lineage says
    # that 100 ha of the core and 100 ha of the ring also meet criterion 22(3) item 4.
    assert "Nội thành, nội thị Thị trấn B" not in set(result.units["name"])
    town = result.lineage[result.lineage["criterion"] == "nd08-22-3-4"]
    assert sorted(town["overlap_ha"].round(3)) == [100.0, 100.0]
    winners = result.units.set_index("unit_id").loc[town["unit_id"], "criterion"]
    assert set(winners) == {"nd08-22-2-c", "nd08-22-3-1-reserve-buffer"}


def test_assumed_default_width_is_flagged(result):
    relic = result.units.set_index("criterion").loc["nd08-22-2-d"]
    # vertices snap to the 1 cm grid: at most 0.5 cm × 628 m of perimeter ≈ 3 m²
    assert relic["area_ha"] == pytest.approx(RELIC_HA, abs=3e-4)
    assert "buffer_m not recorded: 100 m assumed" in relic["assumption_en"]
    assert relic["assumption"].startswith("khu vực bảo vệ I áp dụng vòng tròn bán kính mặc định 100 m")  # legal prose, no field name
    river = result.units.set_index("criterion").loc["nd08-22-2-b"]
    assert river["assumption"] == ""  # the width came from the data


def test_commune_summary_adds_up(result):
    summary = result.commune_summary.set_index("commune_code")
    assert summary.loc["00001", "strict_ha"] == pytest.approx(100 + 10, abs=1e-3)
    assert summary.loc["00001", "emission_limited_ha"] == pytest.approx(15, abs=1e-3)
    assert summary.loc["00004", "strict_ha"] == pytest.approx(400, abs=1e-3)
    assert summary.loc["00004", "emission_limited_ha"] == pytest.approx(1200, abs=1e-3)
    assert summary["total_ha"].sum() == pytest.approx(PROVINCE_HA, rel=1e-6)
    assert "" not in summary.index  # the communes tile the province: no row outside every commune


def test_plan_conflict_is_unresolved_with_both_readings_and_the_area_at_stake(admin, sensitive):
    """The Cao Bằng plan lists class II and III towns (2026 classes) under both zones: town A
    (II / II) and town B (IV before 2026, III after) are in conflict. Nothing settles it
    silently: both readings and the area at stake are reported, and until it is resolved
    the rule file's chosen classes (pre-2026) decide (A strict, B emission-limited)."""
    result = run({**admin, **sensitive}, resource("rules", "provinces", "cao-bang.yaml"))
    (row,) = result.conflicts.to_dict("records")
    assert row["status"] == "unresolved"
    assert row["features"] == 2
    assert row["criterion_strict"] == "cb-urban-ii-iii-strict, nd08-22-2-a"
    assert row["criterion_emission_limited"] == "cb-urban-ii-iii-emission-limited, nd08-22-3-4"
    assert "điểm a tiểu mục 1.1 mục 1 Phần II" in row["reading_a_vi"] and "điểm b tiểu mục 1.1 mục 1 Phần II" in row["reading_b_vi"]
    # town A 1 km × 1 km, town B 2 km × 1 km
    assert row["area_ha"] == pytest.approx(300, abs=1e-6)
    assert row["provisional_strict_ha"] == pytest.approx(100, abs=1e-6)
    assert row["provisional_emission_limited_ha"] == pytest.approx(200, abs=1e-6)
    # the towns' zone is the urban-class question: the plan's double listing is stated, not framed as 1.1.a against 1.1.b
    assert "1.1(a)" in row["message_en"] and "prevails" not in row["message_en"]
    assert "loại đô thị" in row["message_vi"] and "300,00 ha" in row["message_vi"] and "Cách hiểu A" not in row["message_vi"]
    # the national reading decides: town B's 100 ha outside the reserve core stay emission-limited
    assert zone_area(result, "strict") == pytest.approx(STRICT_HA, abs=1e-3)
    assert zone_area(result, "emission_limited") == pytest.approx(LIMITED_HA, abs=1e-3)
    # every output carries the conflict and says the reading is provisional
    notices = result.notices("vi")
    assert row["message_vi"] in notices and any(n.startswith("MÂU THUẪN CHƯA GIẢI QUYẾT VỀ LOẠI ĐÔ THỊ") for n in notices)
    assert result.manifest["urban_classes"]["field"] == "urban_class"
    assert result.manifest["urban_classes"]["in_force_from"] == "2022-01-10"


def test_width_criterion_applies_only_where_recorded(admin, sensitive):
    # the buffer-width criterion on cores only applies where buffer_m is recorded
    result = run({**admin, **sensitive})
    assert "nd08-22-3-1-reserve-buffer-width" not in set(result.units["criterion"])
    reserves = sensitive["nature_reserves"].iloc[[0]].copy()  # the core alone, no ring
    reserves["buffer_m"] = 500.0
    result = run({**admin, **sensitive, "nature_reserves": reserves})
    ring = result.units.set_index("criterion").loc["nd08-22-3-1-reserve-buffer-width"]
    # 2 km square grown by 500 m with round corners, minus the core (32-gon corners)
    corners = 0.5 * 32 * 500**2 * math.sin(2 * math.pi / 32)
    expected_ha = (4 * 2000 * 500 + corners) / 10_000
    # corner vertices snap to the 1 cm grid: at most 0.5 cm × 3.1 km of arc ≈ 16 m²
    assert ring["area_ha"] == pytest.approx(expected_ha, abs=2e-3)
    assert ring["assumption"] == ""


def test_urban_readings_count_overlapping_towns_once_and_only_within_the_province(admin):
    # two 100 ha towns overlapping by 25 ha, and a 100 ha town half outside the province: 175 + 50 ha
    from .conftest import X0, Y0, frame

    towns = frame([
        {"id": f"u{k}", "name": f"Thị xã {k}", "urban_class": "II", "class_2026": "II", "geometry": shapely.box(*box)}
        for k, box in enumerate([(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000), (X0 + 1500, Y0 + 1500, X0 + 2500, Y0 + 2500),
                                 (X0 - 500, Y0 + 5000, X0 + 500, Y0 + 6000)])
    ])
    readings = run({**admin, "urban_areas": towns}).manifest["urban_classes"]["readings"]
    assert len(readings) == 2
    for reading in readings:
        assert reading["strict_towns"] == 3 and reading["strict_ha"] == pytest.approx(225.0, abs=1e-6)
