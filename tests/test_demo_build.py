"""The Cao Bằng demo build end to end, checked against independent computations."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from zoning.builder import build as build_zoning
from zoning.builder.model import read_build
from zoning.demo import demo_paths
from zoning.inputs.crs import tm3_crs

DEMO = demo_paths().layers


@pytest.fixture(scope="module")
def build(demo_build_path):
    return read_build(demo_build_path)


def test_zones_cover_the_real_province(build):
    province = gpd.read_file(DEMO, layer="province").to_crs(9210)  # independent reprojection
    assert build.zones["area_ha"].sum() == pytest.approx(province.area.sum() / 1e4, rel=1e-6)
    assert build.manifest["qa"]["passed"], build.manifest["qa"]
    assert build.manifest["crs"]["epsg"] == 9210


def test_core_zone_of_the_national_park(build):
    units = build.units.set_index("name")
    park = units.loc["Vùng lõi Vườn quốc gia Phia Oắc – Phia Đén"]
    assert park["zone"] == "strict" and park["criterion"] == "nd08-22-2-c"
    assert park["citation_vi"] == "điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"
    source = gpd.read_file(DEMO, layer="nature_reserves").to_crs(9210)
    core = source[(source["name"] == "Vườn quốc gia Phia Oắc – Phia Đén") & (source["part"] == "core")]
    # nothing stricter lies over the core: the unit is the whole core, clipped to the province
    assert park["area_ha"] == pytest.approx(core.area.sum() / 1e4, rel=1e-4)
    assert bool(park["illustrative"])


def test_every_named_core_zone_of_the_plan_is_a_unit(build):
    names = set(build.units["name"])
    for core in ("Phia Oắc – Phia Đén", "Vượn Cao Vít", "Hồ Thang Hen", "Pác Bó", "Lam Sơn", "Núi Lãng Đôn", "Rừng Trần Hưng Đạo", "Thác Bản Giốc"):
        assert any(core in n and n.startswith("Vùng lõi") for n in names), core


def test_urban_classes_before_and_after_2026(build):
    """The city was class III before 2026 (II in the plan's 2026 classes); the 12 commune
    centres were class V towns (III in 2026). With the pre-2026 classes (the demo's provisional
    choice), ND08 puts the city in the
    strict zone (Art. 22(2)(a)) and the centres in the emission-limited zone (Art. 22(3))."""
    towns = gpd.read_file(DEMO, layer="urban_areas")
    city = towns["name"].str.startswith("Đô thị Cao Bằng")
    assert city.sum() == 4 and (~city).sum() == 12
    assert set(towns.loc[city, "urban_class"]) == {"III"} and set(towns.loc[city, "class_2026"]) == {"II"}
    assert set(towns.loc[~city, "urban_class"]) == {"V"} and set(towns.loc[~city, "class_2026"]) == {"III"}
    own = build.units[build.units["source_layer"] == "urban_areas"]
    centre_ids = set(towns.loc[~city, "id"])
    assert set(own.loc[own["source_id"].isin(centre_ids), "criterion"]) == {"nd08-22-3-4"}
    assert set(own.loc[~own["source_id"].isin(centre_ids), "criterion"]) == {"nd08-22-2-a"}
    assert build.manifest["urban_classes"]["field"] == "urban_class"


def test_plan_conflict_on_class_ii_and_iii_towns_is_unresolved(build):
    """The plan lists class II and III towns under both zones: reported as unresolved with
    both readings and the area at stake, the rule file's chosen (pre-2026) classes applied provisionally."""
    (conflict,) = build.conflicts.to_dict("records")
    assert conflict["status"] == "unresolved"
    assert conflict["criterion_strict"] == "cb-urban-ii-iii-strict, nd08-22-2-a"
    assert conflict["criterion_emission_limited"] == "cb-urban-ii-iii-emission-limited, nd08-22-3-4"
    towns = gpd.read_file(DEMO, layer="urban_areas").to_crs(9210)  # independent reprojection
    city = towns["name"].str.startswith("Đô thị Cao Bằng")
    assert conflict["features"] == towns["class_2026"].isin(["II", "III"]).sum() == 16
    assert conflict["area_ha"] == pytest.approx(towns.area.sum() / 1e4, rel=1e-6)
    assert conflict["provisional_strict_ha"] == pytest.approx(towns[city].area.sum() / 1e4, rel=1e-6)
    assert conflict["provisional_emission_limited_ha"] == pytest.approx(towns[~city].area.sum() / 1e4, rel=1e-6)
    # framed as the urban-class question (ND08 with Resolution 111 against the pre-2026 classes), not as 1.1.a against 1.1.b
    assert "Cách hiểu A" not in conflict["message_vi"] and "điểm a" in conflict["message_vi"] and "điểm b" in conflict["message_vi"]
    assert "loại đô thị" in conflict["message_vi"]


def test_commune_summary_adds_up_to_the_province(build):
    summary = build.commune_summary
    assert len(summary) == 56 and summary["commune_code"].str.fullmatch(r"\d{5}").all()  # every hectare in a commune
    assert summary["total_ha"].sum() == pytest.approx(build.zones["area_ha"].sum(), rel=1e-9)
    for zone in ("strict", "emission_limited", "other"):
        assert summary[f"{zone}_ha"].sum() == pytest.approx(build.zones.set_index("zone").loc[zone, "area_ha"], abs=0.01)
    # a commune's strict area, recomputed by overlay with the strict zone
    communes = build.communes.set_index("code")
    strict = build.zones.geometry.iloc[0]
    expected = shapely.intersection(communes.loc["01273"].geometry, strict).area / 1e4
    assert summary.set_index("commune_code").loc["01273", "strict_ha"] == pytest.approx(expected, abs=0.01)


# zone areas of the demo build before the communes were reconciled (commit 01edd10): the
# reconciliation changes only which commune land is counted in, never the zones
ZONES_BEFORE_HA = {"strict": 21857.848583, "emission_limited": 42494.037925, "other": 605393.558871}


def test_slivers_outside_every_commune_are_given_to_communes(build):
    province = gpd.read_file(DEMO, layer="province").to_crs(9210)  # independent reprojection
    communes = gpd.read_file(DEMO, layer="communes").to_crs(9210)
    gaps = shapely.difference(shapely.union_all(province.geometry.values), shapely.union_all(communes.geometry.values))
    reconciliation = build.qa["communes"]
    assert reconciliation["province_extent"] == "province"
    assert reconciliation["moved_ha"] == pytest.approx(gaps.area / 1e4, abs=0.01)  # the former 4,697.76 ha row
    assert reconciliation["moved_ha"] == pytest.approx(4697.76, abs=0.01)
    assert reconciliation["slivers"] == len(shapely.get_parts(gaps)) == 226
    assert sum(reconciliation["moved_ha_by_commune"].values()) == pytest.approx(reconciliation["moved_ha"], abs=1e-6)
    # the largest receiver: its area is its own land in the province plus what it received
    code, received = next(iter(reconciliation["moved_ha_by_commune"].items()))
    own = shapely.intersection(communes.set_index("code").loc[code].geometry, shapely.union_all(province.geometry.values)).area / 1e4
    assert build.communes.set_index("code").loc[code, "area_ha"] == pytest.approx(own + received, abs=0.05)  # less its overlaps
    assert build.zones.set_index("zone")["area_ha"].to_dict() == pytest.approx(ZONES_BEFORE_HA, abs=0.01)
    tiles = build.communes.geometry.to_numpy()
    assert shapely.area(tiles).sum() == pytest.approx(shapely.union_all(tiles).area, abs=1.0)  # m²: no overlaps
    assert shapely.union_all(tiles).area / 1e4 == pytest.approx(build.qa["province_ha"], abs=0.01)


def test_lineage_keeps_every_criterion_met(build):
    # geopark level 2 land also lies in the geopark's important landscape (listed later)
    lineage = build.lineage
    level2 = lineage[lineage["criterion"] == "cb-geopark-level-2"]["unit_id"]
    also = lineage[lineage["unit_id"].isin(level2) & ~lineage["prevails"]]
    assert "cb-important-landscape" in set(also["criterion"])


def test_illustrative_data_and_unconfirmed_criteria_are_flagged(build):
    manifest = build.manifest
    assert "nature_reserves" in manifest["illustrative_layers"] and "communes" not in manifest["illustrative_layers"]
    assert "illustrative" in manifest["illustrative_notice"]
    assert "cb-geopark-level-1" in manifest["unconfirmed_criteria"]
    assumed = build.units[build.units["assumption"] != ""]
    assert set(assumed["criterion"]) >= {"nd08-22-2-d"}  # relic points drawn as 100 m circles


def test_same_inputs_give_identical_outputs(demo_build_path, tmp_path):
    again = tmp_path / "again.gpkg"
    build_zoning(DEMO, province_rules=demo_paths().province_rules).write(again)
    for layer, _ in pyogrio.list_layers(demo_build_path):
        first = pyogrio.read_dataframe(demo_build_path, layer=layer)
        second = pyogrio.read_dataframe(again, layer=layer)
        if layer == "manifest":
            first, second = (dict(zip(f["key"], f["value"].map(json.loads))) for f in (first, second))
            for manifest in (first, second):
                manifest.pop("timings_s")
                manifest["rule_files"] = [{k: v for k, v in r.items() if k != "path"} for r in manifest["rule_files"]]
            assert first == second
        else:
            pd.testing.assert_frame_equal(pd.DataFrame(first), pd.DataFrame(second), check_exact=True)


def test_zones_read_back_in_the_province_crs(build):
    assert build.crs == tm3_crs(105.75)
    assert shapely.is_valid(build.zones.geometry.to_numpy()).all()
