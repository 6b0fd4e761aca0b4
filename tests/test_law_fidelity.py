"""Law fidelity: which designation land is credited to, every criterion it meets cited,
citations and statuses as the texts say, proposed designations kept apart, water corridors,
ND08 Appendix II exclusions. Expected values by hand on the 10 km × 10 km province of
conftest.py (coordinates from its south-west corner X0, Y0), or read from the demo data.
"""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
import shapely
import yaml
from shapely.geometry import LineString, Point, box

from zoning import terms
from zoning.builder import build as build_zoning
from zoning.checker import check
from zoning.demo import demo_paths
from zoning.errors import InputError
from zoning.law.criteria import load_rules
from zoning.law.project_types import load_check_rules
from zoning.outputs.annex import annex_data
from zoning.resources import path as resource
from zoning.siting import find_sites

from .conftest import CRS, X0, Y0, admin_layers, frame, sensitive_layers, square

DEMO = demo_paths()


def build(layers: dict, province_rules=None):
    return build_zoning({**admin_layers(), **layers}, province_rules=province_rules, central_meridian=105.75)


def unit_area(result, name: str) -> float:
    units = result.units[result.units["name"] == name]
    return float(units["area_ha"].sum())


# ------------------------------------------------- 2. the designation land is credited to


def test_overlapping_reserves_are_credited_by_legal_rank_then_date():
    """A 1986 nature reserve listed first and the 2014 national park that replaced it over
    the same land: the park, higher in rank and newer, is credited with the overlap."""
    reserves = frame([
        {"id": "old", "name": "Khu bảo tồn thiên nhiên X", "part": "core", "category": "nature_reserve", "decision_date": "1986-01-09",
         "geometry": square(0, 0, 4000)},
        {"id": "new", "name": "Vườn quốc gia Y", "part": "core", "category": "national_park", "decision_date": "2014-03-01",
         "geometry": box(X0 + 1000, Y0, X0 + 5000, Y0 + 4000)},
    ])
    result = build({"nature_reserves": reserves})
    # by hand: each core 1,600 ha, overlapping on 3 km × 4 km = 1,200 ha
    assert unit_area(result, "Vùng lõi Vườn quốc gia Y") == pytest.approx(1600, abs=1e-6)
    assert unit_area(result, "Vùng lõi Khu bảo tồn thiên nhiên X") == pytest.approx(400, abs=1e-6)
    lineage = result.lineage.set_index(["unit_id", "source_id"])
    park = result.units.set_index("source_id").loc["new", "unit_id"]
    assert lineage.loc[(park, "old"), "overlap_ha"] == pytest.approx(1200, abs=1e-6)
    # the annex says so where the park is listed, referring to the group that cites the reserves' criterion
    data = annex_data(result)
    notes = data.units.set_index("unit_id").loc[park, "overlaps"]
    assert notes == "Trong đó 1.200,00 ha trùng với Vùng lõi Khu bảo tồn thiên nhiên X (mục I)."
    assert data.zone_tables["strict"].rows[0][:3] == ["I", "", "Khu bảo tồn thiên nhiên (vùng lõi) (điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP)"]


def test_same_rank_newest_decision_then_file_order():
    def credited(rows) -> str:
        result = build({"nature_reserves": frame(rows)})
        units = result.units[result.units["area_ha"] > 1000]
        return units["source_id"].item()

    first = {"id": "a", "name": "A", "part": "core", "category": "nature_reserve", "geometry": square(0, 0, 4000)}
    second = {"id": "b", "name": "B", "part": "core", "category": "nature_reserve", "geometry": box(X0 + 1000, Y0, X0 + 5000, Y0 + 4000)}
    assert credited([first, second]) == "a"  # no dates: file order
    assert credited([{**first, "decision_date": "2001-05-05"}, {**second, "decision_date": "2019-12-30"}]) == "b"  # newer
    assert credited([{**first, "decision_date": "2019-12-30"}, {**second}]) == "a"  # a dated decision before an undated one
    # relics: special national before national
    relics = frame([
        {"id": "n", "name": "Di tích N", "protection_zone": "I", "rank": "national", "geometry": square(0, 0, 1000)},
        {"id": "s", "name": "Di tích S", "protection_zone": "I", "rank": "special_national", "geometry": box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)},
    ])
    result = build({"relic_zones": relics})
    assert unit_area(result, "Khu vực bảo vệ I Di tích S") == pytest.approx(100, abs=1e-6)
    assert unit_area(result, "Khu vực bảo vệ I Di tích N") == pytest.approx(50, abs=1e-6)


# ------------------------------------------------- 3. every criterion a unit meets is cited


@pytest.fixture(scope="module")
def relic_in_reserve():
    """Relic protection zone I (0.5 km × 0.5 km) wholly inside the reserve core of conftest.py."""
    layers = sensitive_layers()
    layers["relic_zones"] = frame([{"id": "d2", "name": "Di tích H", "protection_zone": "I", "rank": "national",
                                    "geometry": square(6500, 6500, 500)}])
    return build(layers)


def test_relic_inside_a_reserve_is_cited_in_the_annex(relic_in_reserve):
    result = relic_in_reserve
    assert "Khu vực bảo vệ I Di tích H" not in set(result.units["name"])  # no land of its own
    data = annex_data(result)
    core = data.units.set_index("name").loc["Vùng lõi Khu bảo tồn D"]
    table = data.zone_tables["strict"]
    (row,) = [r for r in table.rows if r[2] == "Vùng lõi Khu bảo tồn D"]
    heading = next(r for r in reversed(table.rows[:table.rows.index(row)]) if table.kinds[table.rows.index(r)] == "group")
    # its own criterion in its group heading; the relic's and that of town B (class IV), half inside the core,
    # referred to by markers whose notes under the table cite them once
    assert heading[2].endswith("(điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP)")
    notes = dict(note.split(" ", 1) for note in table.notes if note.startswith("["))
    cited = [notes[marker] for marker in row[5].split(";\n")]
    assert cited[0] == ("Khu vực bảo vệ 1 của di tích lịch sử - văn hóa theo quy định của pháp luật về di sản văn hóa "
                         "(điểm d khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP).")
    assert cited[1].endswith("(điểm d khoản 3 Điều 22 Nghị định số 08/2022/NĐ-CP (ký hiệu điểm suy ra từ thứ tự, chưa đối chiếu văn bản)).")
    (relic_marker,) = [m for m, n in notes.items() if "điểm d khoản 2 Điều 22" in n]
    assert (f"Trong đó 25,00 ha trùng với Khu vực bảo vệ I Di tích H {relic_marker}; khu vực này không có dòng riêng vì toàn bộ "
            "diện tích đã được tính cho các khu vực khác.") in core["overlaps"]  # no land of its own
    assert "25,00 ha trùng với Khu vực bảo vệ I Di tích H" in row[6]


def test_site_findings_cite_every_criterion_the_land_meets(relic_in_reserve):
    result = check(None, relic_in_reserve, point=f"{X0 + 6750},{Y0 + 6750}", crs="EPSG:9210", type="other")
    (found,) = result.findings[result.findings["finding"] == "in_strict"].to_dict("records")
    assert found["citation_vi"].startswith("điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP; điểm d khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP; ")
    assert ("cũng đáp ứng: Khu vực bảo vệ 1 của di tích lịch sử - văn hóa theo quy định của pháp luật về di sản văn hóa – "
            "Khu vực bảo vệ I Di tích H") in found["detail_vi"]
    assert "25,00 ha" in found["detail_vi"] and "25.00 ha shared" in found["detail_en"]


def test_site_findings_report_what_the_footprint_itself_meets(relic_in_reserve):
    """In the core of reserve D: relic H covers [6.5, 7] km², town B (class IV) [5, 7] × [6, 7] km."""
    def strict(**where):
        result = check(None, relic_in_reserve, crs="EPSG:9210", type="other", **where)
        (found,) = result.findings[result.findings["finding"] == "in_strict"].to_dict("records")
        return found

    reserve = "điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"
    clear = strict(point=f"{X0 + 7500},{Y0 + 7500}")  # neither the relic nor the town
    assert clear["citation_vi"] == reserve
    assert "cũng đáp ứng" not in clear["detail_vi"] and "Di tích H" not in clear["detail_vi"]
    town = strict(point=f"{X0 + 6200},{Y0 + 6200}")  # in town B, not in the relic
    assert town["citation_vi"].split("; ") == [reserve, "điểm d khoản 3 Điều 22 Nghị định số 08/2022/NĐ-CP (ký hiệu điểm suy ra từ thứ tự, "
                                                        "chưa đối chiếu văn bản)"]
    assert "Di tích H" not in town["detail_vi"] and "Thị trấn B" in town["detail_vi"]
    edge = strict(wkt=f"POLYGON (({X0 + 7900} {Y0 + 7900}, {X0 + 7900} {Y0 + 6900}, {X0 + 6900} {Y0 + 6900}, {X0 + 6900} {Y0 + 7900}, "
                      f"{X0 + 7900} {Y0 + 7900}))")  # 1 km² over 100 m × 100 m of the relic's corner (and of the town's, which holds it)
    assert edge["citation_vi"].split("; ")[:2] == [reserve, "điểm d khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"]
    assert "Di tích H" in edge["detail_vi"] and "Thị trấn B" in edge["detail_vi"]
    beside = strict(wkt=f"POLYGON (({X0 + 6100} {Y0 + 6900}, {X0 + 6400} {Y0 + 6900}, {X0 + 6400} {Y0 + 7900}, {X0 + 6100} {Y0 + 7900}, "
                        f"{X0 + 6100} {Y0 + 6900}))")  # over the town's north edge, west of the relic
    assert "Di tích H" not in beside["detail_vi"] and "Thị trấn B" in beside["detail_vi"]
    assert "điểm d khoản 2" not in beside["citation_vi"]


# --------------------------------------------------------------------- 4. citations


def test_citations_as_the_texts_are_written():
    rules = load_rules(province_rules=DEMO.province_rules)
    national = rules.files[0]
    assert national.title_vi.endswith("Nghị định số 08/2022/NĐ-CP (đã được sửa đổi, bổ sung)") and "05/2025" not in national.title_vi
    texts = [c.citation_vi for c in rules.criteria] + [c.title_vi for c in rules.criteria]
    assert not [t for t in texts if re.search(r"\(mục \d|mục II\.", t)]  # "mục" is a section of a chapter
    plan = {c.id: c.citation_vi for c in rules.criteria if c.id.startswith("cb-")}
    assert plan["cb-geopark-level-1"].startswith("điểm a tiểu mục 1.1 mục 1 Phần II Kế hoạch")
    assert plan["cb-geopark-level-2"].startswith("điểm b tiểu mục 1.1 mục 1 Phần II Kế hoạch")
    relic = rules.criterion("nd08-22-2-d").geometry.point_radius
    assert "Luật Di sản văn hóa số 45/2024/QH15 (hiệu lực từ 01/7/2025)" in relic.basis_vi and "Điều 32" not in relic.basis_vi
    assert rules.selection(rules.criterion("nd08-22-2-d")) == {"protection_zone": ["I"], "heritage_type": ["relic"]}


def test_scenic_spot_is_cited_to_the_plan_not_to_article_22(demo_build_path):
    from zoning.builder.model import read_build

    demo = read_build(demo_build_path)
    spots = gpd.read_file(DEMO.layers, layer="relic_zones")
    spot_ids = set(spots.loc[spots["heritage_type"] == "scenic_spot", "id"])
    assert spot_ids == {"rz-03"}  # Danh thắng Động Ngườm Ngao
    (unit,) = demo.units[demo.units["source_id"].isin(spot_ids)].to_dict("records")
    assert (unit["criterion"], unit["status"]) == ("cb-scenic-spot-zone-i", "unconfirmed")
    assert unit["citation_vi"].startswith("điểm a tiểu mục 1.1 mục 1 Phần II Kế hoạch")
    assert "nd08-22-2-d" not in set(demo.lineage.loc[demo.lineage["source_id"].isin(spot_ids), "criterion"])


def test_cao_vit_reserve_named_correctly_with_the_plan_spelling_kept():
    reserves = gpd.read_file(DEMO.layers, layer="nature_reserves")
    cao_vit = reserves[reserves["name"].str.contains("Cao Vít")]
    assert set(cao_vit["name"]) == {"Khu bảo tồn loài và sinh cảnh Vượn Cao Vít"}
    assert set(cao_vit["note"]) == {"tên trong Kế hoạch (dự thảo tháng 3/2026): Khu bảo tồn loài - sinh cảnh Vườn Cao Vít"}


# ----------------------------------------------------------------------- 5. statuses


def test_a_site_only_in_a_buffer_is_in_the_buffer_and_unconfirmed(small_build_path):
    """Reserve D of conftest.py: core [6, 8] km², buffer ring to [5, 9] km²."""
    result = check(None, small_build_path, wkt=f"POINT ({X0 + 5500} {Y0 + 5500})", crs="EPSG:9210", type="other")
    (row,) = result.sensitive[result.sensitive["element"] == "lep28_nature_wetland"].to_dict("records")
    assert (row["relation"], row["status"]) == ("buffer", "unconfirmed")
    core = check(None, small_build_path, wkt=f"POINT ({X0 + 7000} {Y0 + 7000})", crs="EPSG:9210", type="other")
    (row,) = core.sensitive[core.sensitive["element"] == "lep28_nature_wetland"].to_dict("records")
    assert (row["relation"], row["status"]) == ("inside", "confirmed")


def test_generated_buffers_are_buffers_too():
    reserves = sensitive_layers()["nature_reserves"].iloc[[0]].assign(buffer_m=500.0)  # the core alone, 500 m buffer width
    result = build({"nature_reserves": reserves})
    found = check(None, result, wkt=f"POINT ({X0 + 5750} {Y0 + 7000})", crs="EPSG:9210", type="other")
    (row,) = found.sensitive[found.sensitive["element"] == "lep28_nature_wetland"].to_dict("records")
    assert (row["relation"], row["status"]) == ("buffer", "unconfirmed")
    assert "lep28_forest" not in set(found.sensitive["element"])


def test_interpretations_of_article_28_are_unconfirmed():
    elements = {e.id: e for e in load_check_rules().file.sensitive_elements}
    assert elements["lep28_nature_wetland"].status == "confirmed"  # the wording read
    heritage = [t for t in elements["lep28_heritage"].triggers if t.layer == "other_sensitive"]
    assert [t.status for t in heritage] == ["unconfirmed"]  # a geopark as "di sản"
    other = [t for t in elements["lep28_other"].triggers if "important_landscape" in t.where.get("category", [])]
    assert [t.status for t in other] == ["unconfirmed"] and other[0].where["category"] == ["important_landscape", "high_biodiversity"]


def test_no_unconfirmed_finding_says_thuoc_phu_luc_ii(demo_build_path):
    result = check(DEMO.sites, demo_build_path)
    unconfirmed = result.findings[result.findings["status"] == "unconfirmed"]
    claims = unconfirmed["title_vi"].str.contains(r"(?<!có thể )(?<!có )thuộc (Danh mục|Phụ lục II)", regex=True)
    assert not claims.any(), unconfirmed.loc[claims, "title_vi"].tolist()
    listed = unconfirmed[unconfirmed["finding"] == "pollution_risk_type"]
    assert len(listed) == 6 and listed["title_vi"].str.startswith("Loại hình có thể thuộc Danh mục").all()


# ------------------------------------------------------- 6. proposed designations


@pytest.fixture(scope="module")
def proposed_build():
    """A 2 km × 2 km 'other sensitive' area in the south-east commune, proposed (no legal
    boundary yet); a house and an intake far from it, for the siting."""
    area = frame([{"id": "p1", "name": "Khu vực K", "category": "other", "legal_status": "proposed", "geometry": square(6000, 500, 2000)}])
    return build({**sensitive_layers(), "other_sensitive": area,
                  "residential_areas": frame([{"id": "h", "name": "Xóm L", "geometry": Point(X0 + 500, Y0 + 9500)}]),
                  "water_intakes": frame([{"id": "w", "name": "Trạm M", "geometry": Point(X0 + 9500, Y0 + 9500)}])})


def test_proposed_designation_is_counted_apart(proposed_build, small_build_path):
    from zoning.builder.model import read_build

    result, without = proposed_build, read_build(small_build_path)
    assert result.zones.set_index("zone")["area_ha"].to_dict() == pytest.approx(without.zones.set_index("zone")["area_ha"].to_dict(), abs=1e-6)
    (unit,) = result.units[result.units["source_id"] == "p1"].to_dict("records")
    assert (unit["unit_id"], unit["status"], unit["zone"]) == ("PE0001", "proposed", "emission_limited")
    assert unit["area_ha"] == pytest.approx(400, abs=1e-6)
    assert result.manifest["proposed"] == {"units": 1, "area_ha": pytest.approx(400), "area_ha_by_zone": {"emission_limited": pytest.approx(400)}}
    assert result.qa["passed"]
    assert any("Khu vực đề xuất (chưa có ranh giới pháp lý" in n and "400,00 ha" in n for n in result.notices("vi"))
    data = annex_data(result)
    assert "PE0001" not in {row[1] for table in data.zone_tables.values() for row in table.rows}
    assert data.proposed_table.rows[0][1:5] == ["Khu vực K", TITLE_OTHER_SENSITIVE, 400.0, 400.0]


TITLE_OTHER_SENSITIVE = "Khu vực có yếu tố nhạy cảm về môi trường dễ bị tổn thương trước tác động của ô nhiễm môi trường khác cần được bảo vệ"


def test_demo_proposed_designations_are_out_of_the_zone_tables(demo_build_path, tmp_path):
    """The geopark landscape and the high-biodiversity area, proposed by the plan: in no zone
    table, no zone in their row; listed apart with the area of the feature in the province
    and its part outside the zones in force, both computed here from the layer."""
    import docx

    from zoning.builder.model import read_build
    from zoning.outputs.annex import write_annex

    demo = read_build(demo_build_path)
    features = gpd.read_file(DEMO.layers, layer="other_sensitive").to_crs(demo.crs)
    features = features[features["legal_status"] == "proposed"].set_index("name")
    province = gpd.read_file(DEMO.layers, layer="province").to_crs(demo.crs).union_all()
    zones = demo.zones.set_index("zone").geometry
    inside = features.geometry.intersection(province)
    whole = (inside.area / 10_000).round(2).to_dict()
    apart = (inside.difference(zones["strict"].union(zones["emission_limited"])).area / 10_000).round(2).to_dict()
    assert len(whole) == 2 and whole["Khu vực đa dạng sinh học cao Nguyên Bình (Cao Bằng) – Ba Bể (Thái Nguyên)"] == pytest.approx(20_000.11)

    out = tmp_path / "annex.docx"
    write_annex(demo, out, map_figure=False)
    document = docx.Document(str(out))
    proposed_ids = set(demo.units.loc[demo.units["status"] == "proposed", "unit_id"])
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    (listed,) = [t for t in tables if t[0][:5] == ["STT", "Tên khu vực", "Loại khu vực", "Diện tích (ha)",
                                                   "Trong đó chưa trùng khu vực đã có hiệu lực (ha)"]]
    zone_tables = [t for t in tables if t[0][:2] == ["STT", "Mã khu vực"] and "Vị trí (xã, phường)" in t[0]]
    assert len(zone_tables) == 2
    for table in zone_tables:
        assert not {row[1] for row in table} & proposed_ids
        assert not [row for row in table if row[2] in set(demo.units.loc[demo.units["status"] == "proposed", "name"])]  # nor by name
    def number(text: str) -> float:
        return float(text.replace(".", "").replace(",", "."))
    rows = {name: row for row in listed[1:] if row[0].isdigit() for name in whole if row[1].endswith(name)}  # the unit name of the feature
    assert len(rows) == len(listed) - 2  # one row per feature, and the sum
    assert {name: number(row[3]) for name, row in rows.items()} == pytest.approx(whole, abs=0.006)
    assert {name: number(row[4]) for name, row in rows.items()} == pytest.approx(apart, abs=0.006)
    for name, row in rows.items():
        assert row[2] == ("Khu vực đa dạng sinh học cao" if "đa dạng" in name else "Cảnh quan sinh thái quan trọng")
        assert row[5].startswith("điểm b tiểu mục 1.1 và điểm b tiểu mục 1.2 mục 1 Phần II Kế hoạch")
        assert row[6].startswith("Đề xuất, chưa có ranh giới pháp lý.\nTiêu chí chưa xác nhận.")
        assert not re.search("vùng (bảo vệ nghiêm ngặt|hạn chế phát thải)", " ".join(row))  # no zone label
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Các khu vực đề xuất (chưa tính vào vùng) / Proposed areas (not counted in any zone)" in text


def test_proposed_designation_decides_no_verdict_unless_asked(proposed_build):
    site = gpd.GeoDataFrame({"id": ["s"], "type": ["iron_steel"], "capacity": [1000.0], "capacity_unit": ["t/year"]},
                            geometry=[square(6500, 600, 800)], crs=CRS)  # over 1 km from the river
    args = {"sites": site}
    plain = check(build=proposed_build, **args)
    assert plain.sites["verdict"].item() == "no_conflict_found" and plain.sites["zones_touched"].item() == "other"
    (found,) = plain.findings[plain.findings["finding"] == "in_proposed"].to_dict("records")
    assert (found["severity"], found["status"]) == ("info", "proposed") and "không dùng để kết luận vì chưa có ranh giới pháp lý" in found["detail_vi"]
    included = check(build=proposed_build, include_proposed=True, **args)
    assert included.sites["verdict"].item() == "needs_review"
    assert "pollution_risk_in_emission_limited_zone" in set(included.findings["finding"])


def test_proposed_designation_leaves_out_siting_land_only_when_asked(proposed_build):
    args = dict(communes=["00002"], user_distances={"sanitary_landfill": 10.0}, min_area_ha=1.0)
    plain = find_sites(proposed_build, "sanitary_landfill", **args)
    included = find_sites(proposed_build, "sanitary_landfill", include_proposed=True, **args)
    # south-east commune: the river bed and corridor (y 2,950–3,050) are out either way; the proposed 400 ha only when asked
    assert plain.candidates["area_ha"].sum() - included.candidates["area_ha"].sum() == pytest.approx(400, abs=0.5)
    assert "proposed:emission_limited" in set(included.exclusions["rule"]) and "proposed:emission_limited" not in set(plain.exclusions["rule"])


def test_demo_geopark_landscape_decides_no_verdict(demo_build_path):
    """The plan asks to establish the geopark's landscape: it no longer puts three waste sites
    in the emission-limited zone, unless asked to."""
    plain = check(DEMO.sites, demo_build_path)
    included = check(DEMO.sites, demo_build_path, include_proposed=True)
    rule = "pollution_risk_in_emission_limited_zone"
    assert not (plain.findings["finding"] == rule).any()
    assert set(included.findings.loc[included.findings["finding"] == rule, "site_id"]) == {"wt-01", "wt-03", "wt-05"}
    assert set(plain.findings.loc[plain.findings["finding"] == "in_proposed", "site_id"]) >= {"wt-01", "wt-03", "wt-05"}


# ----------------------------------------------------------------- 7. water corridors


def test_corridor_default_is_wider_through_residential_land():
    river = frame([{"id": "r", "name": "Sông M", "water_body": "river", "width_m": 20.0,
                    "geometry": LineString([(X0 - 500, Y0 + 1500), (X0 + 10_500, Y0 + 1500)])}])
    village = frame([{"id": "v", "name": "Xóm N", "geometry": square(4000, 1000, 1000)}])
    alone = build({"water_supply_sources": river})
    crossing = build({"water_supply_sources": river, "residential_areas": village})
    corridor = "Hành lang bảo vệ nguồn nước Sông M"
    assert unit_area(alone, corridor) == pytest.approx(30, abs=1e-3)  # 10 km × 2 × 15 m
    # + 1 km × 2 × 5 m through the village, + the rounded ends of the 20 m buffer of that reach
    # beyond ±25 m: four half circular segments of radius 20 m at 15 m from the centre
    ends = 4 * 0.5 * (400 * 0.7227342478 - 15 * 175**0.5) / 10_000
    assert unit_area(crossing, corridor) == pytest.approx(30 + 1 + ends, abs=5e-4)
    (note,) = set(crossing.units.loc[crossing.units["name"] == corridor, "assumption"])
    assert note.startswith("chiều rộng hành lang áp dụng mặc định 15 m theo khoản 2 Điều 9 Nghị định số 43/2015/NĐ-CP")  # legal prose
    assert "; đoạn chảy qua đô thị, khu dân cư tập trung áp dụng chiều rộng hành lang mặc định 20 m" in note
    assert "khoản 2 Điều 9 Nghị định số 43/2015/NĐ-CP" in note


# ------------------------------------------------------- 8. ND08 Appendix II exclusions


def test_appendix_ii_rows_carry_their_exclusions():
    types = load_check_rules().types
    assert types["iron_steel"].name_vi.endswith("(trừ cán, kéo, đúc từ phôi nguyên liệu)")
    assert "(trừ khí công nghiệp)" in types["inorganic_chemicals"].name_vi and "(trừ phối trộn, sang chiết, đóng gói)" in types["inorganic_chemicals"].name_vi
    assert "nấu sợi" in types["textile_dyeing"].name_vi and "sử dụng hóa chất độc hại" in types["ore_processing"].name_vi
    assert "khí, dầu DO" in types["thermal_power"].name_vi
    listed = ("iron_steel", "inorganic_chemicals", "textile_dyeing", "ore_processing", "thermal_power")
    codes = {t: [e.code for e in types[t].pollution_risk.excludes] for t in listed}
    assert codes == {
        "iron_steel": ["rolling_from_billets"],
        "inorganic_chemicals": ["industrial_gases", "blending_decanting"],
        "textile_dyeing": ["no_dyeing_washing_boiling"],
        "ore_processing": ["no_toxic_chemicals"],
        "thermal_power": ["gas_or_do_oil"],
    }
    closing = types["landfill_closure"]
    assert closing.facility is None and closing.name_vi.startswith("Đóng cửa, cải tạo, phục hồi môi trường bãi chôn lấp")


def test_an_exclusion_takes_the_project_off_the_list(small_build_path):
    town = f"{X0 + 1500},{Y0 + 1500}"  # in town A, strict
    listed = check(None, small_build_path, point=town, crs="EPSG:9210", type="iron_steel")
    assert listed.sites["pollution_risk"].item() == "listed"
    assert {"pollution_risk_type", "pollution_risk_in_strict_zone"} <= set(listed.findings["finding"])
    excluded = check(None, small_build_path, point=town, crs="EPSG:9210", type="iron_steel", exclusion="rolling_from_billets")
    assert excluded.sites["pollution_risk"].item() == "excluded"
    assert not {"pollution_risk_type", "pollution_risk_in_strict_zone"} & set(excluded.findings["finding"])
    (found,) = excluded.findings[excluded.findings["finding"] == "pollution_risk_excluded"].to_dict("records")
    assert found["status"] == "confirmed" and found["title_vi"].startswith("Dự án thuộc trường hợp loại trừ của Phụ lục II")
    assert found["citation_vi"].endswith(", mục 2 (trừ cán, kéo, đúc từ phôi nguyên liệu)")
    with pytest.raises(InputError, match="exclusions of 'iron_steel': rolling_from_billets"):
        check(None, small_build_path, point=town, crs="EPSG:9210", type="iron_steel", exclusion="industrial_gases")


def test_hang_lang_landfill_to_close_is_a_closure():
    sites = gpd.read_file(DEMO.sites, layer="waste_sites").set_index("id")
    assert sites.loc["wt-07", "type"] == "landfill_closure"
    assert (sites.drop(index="wt-07")["type"] != "landfill_closure").all()


# ---------------------------------------------------------------- 1. (data) urban classes


def test_every_urban_feature_needs_both_classes():
    town = frame([{"name": "Thị trấn F", "urban_class": "IV", "geometry": square(0, 0, 1000)}])
    with pytest.raises(InputError, match="missing attribute\\(s\\) class_2026"):
        build({"urban_areas": town})


def test_rule_sets_state_their_urban_classification():
    for path in (resource("rules", "nd08.yaml"), DEMO.province_rules):
        mapping = yaml.safe_load(path.read_text(encoding="utf-8"))["urban_classes"]
        assert (mapping["field"], mapping["in_force_from"], mapping["status"]) == ("urban_class", "2022-01-10", "unconfirmed")
        assert mapping["alternative"]["field"] == "class_2026"
        assert "01/01/2026" in mapping["classification_vi"] and "111/2025/UBTVQH15" in mapping["provisional_vi"]


# ------------------------------------------------------------------- 11. names and rows


def test_commune_centres_are_named_from_the_data():
    """A xã has no nội thành: a town whose name is the centre of a xã is its 'khu vực nội thị',
    with the thị trấn it was before 1 July 2025 when the layer gives it."""
    towns = frame([
        {"id": "g", "name": "Trung tâm xã G", "former_name": "thị trấn G", "urban_class": "V", "class_2026": "III", "geometry": square(1000, 1000, 1000)},
        {"id": "h", "name": "Trung tâm xã H", "urban_class": "V", "class_2026": "III", "geometry": square(6000, 6000, 500)},
        {"id": "k", "name": "Thị xã K", "former_name": "thị xã K cũ", "urban_class": "III", "class_2026": "III", "geometry": square(1000, 6000, 500)},
    ])
    result = build({"urban_areas": towns})
    names = result.units.set_index("source_id")[["name", "name_en", "area_ha"]]
    assert names.loc["g"].tolist() == ["Khu vực nội thị trung tâm xã G (nguyên thị trấn G)",
                                       "Inner area of trung tâm xã G (formerly thị trấn G)", pytest.approx(100, abs=1e-6)]
    assert names.loc["h", "name"] == "Khu vực nội thị trung tâm xã H"
    assert names.loc["k", "name"] == "Nội thành, nội thị Thị xã K (nguyên thị xã K cũ)"


def test_demo_rows_print_each_overlap_once_qualify_unconfirmed_and_state_the_credit_rule(demo_build_path):
    from zoning.builder.model import read_build

    demo = read_build(demo_build_path)
    data = annex_data(demo)
    towns = gpd.read_file(DEMO.layers, layer="urban_areas").to_crs(demo.crs).set_index("id")
    units = demo.units.set_index("unit_id")
    # names: every commune centre of the layer is a 'khu vực nội thị', none a 'nội thành'
    centres = towns.index[towns["name"].str.startswith("Trung tâm xã")]
    assert len(centres) == 12
    named = units[(units["source_layer"] == "urban_areas") & units["source_id"].isin(centres)]
    assert len(named) == 11  # Trùng Khánh's lies in the buffer of Núi Lãng Đôn: no land of its own
    assert set(named["name"]) == {f"Khu vực nội thị {n[:1].lower()}{n[1:]}" for n in towns.loc[named["source_id"], "name"]}
    rows = {row[1]: row for table in data.zone_tables.values() for row, kind in zip(table.rows, table.kinds) if kind == "unit"}
    assert not [r for r in rows.values() if "Nội thành, nội thị Trung tâm xã" in "".join(map(str, r))]
    # the relic zone II of Đông Khê shares land with the centre of Đông Khê (two criteria): one line
    shared = shapely.area(shapely.intersection(units.loc["E0010", "geometry"], towns.loc["ua-11", "geometry"])) / 10_000
    assert shared == pytest.approx(26.68, abs=0.005)
    lines = [line for line in rows["E0010"][6].split("\n") if "trung tâm xã Đông Khê" in line]
    assert len(lines) == 1 and re.fullmatch(r"Trong đó 26,68 ha trùng với Khu vực nội thị trung tâm xã Đông Khê (\[\d+\] )+\(mục IV\)\.", lines[0])
    for row in rows.values():
        overlap = [line for line in row[6].split("\n") if line.startswith("Trong đó ")]
        assert len(overlap) == len({line.split(" [")[0].split(" (")[0] for line in overlap}), row[1]
    # qualified in its row: its own criterion unconfirmed, or its zone given by the urban class chosen (the 11 centres, class V
    # before 2026 and III after); the city (class III before, II after) is strict either way
    unconfirmed = set(units.index[units["status"] == "unconfirmed"])
    by_reading = set(named.index)
    for unit_id, row in rows.items():
        first = row[6].split("\n")[0]
        assert (first == "(tiêu chí chưa xác nhận)") == (unit_id in unconfirmed), unit_id
        assert first.startswith("(tiêu chí chưa xác nhận: vùng theo cách xếp loại đô thị") == (unit_id in by_reading), unit_id
    assert {"S0022", "E0009"} <= unconfirmed and not {"S0001", "S0009"} & (unconfirmed | by_reading)
    (group,) = [r for r, k in zip(data.zone_tables["emission_limited"].rows, data.zone_tables["emission_limited"].kinds)
                if k == "group" and r[2].startswith("Khu dân cư tập trung là nội thành, nội thị của các đô thị loại IV, loại V")]
    assert group[6].startswith("Vùng của các khu vực đô thị theo cách xếp loại đô thị tạm chọn (chưa xác nhận)")  # said where it is cited too
    # the rule that credits overlapping land, with the order test_overlapping_reserves… checks
    (rule,) = [c for c in data.conventions if c.startswith("Phần diện tích đáp ứng nhiều tiêu chí được tính cho một khu vực duy nhất")]
    assert "khu vực đã có hiệu lực trước khu vực đề xuất; vùng bảo vệ nghiêm ngặt trước vùng hạn chế phát thải" in rule
    assert "rồi khu vực có quyết định mới hơn (khu vực có ngày quyết định trước khu vực không ghi ngày), rồi thứ tự trong dữ liệu" in rule


def test_demo_urban_rows_cite_both_plan_items_and_name_the_town_they_hold(demo_build_path):
    """The plan lists the 16 towns under 1.1.a and 1.1.b: each town's row cites both (the
    one held back by the conflict too); the centre of Trùng Khánh, all of it in the buffer of
    Núi Lãng Đôn, is named in that buffer's row with its area; the zones keep their areas."""
    from zoning.builder.model import read_build

    demo = read_build(demo_build_path)
    assert demo.zones.set_index("zone")["area_ha"].round(2).to_dict() == {"strict": 21857.85, "emission_limited": 42494.04, "other": 605393.56}
    data = annex_data(demo)
    notes = dict(note.split(" ", 1) for table in data.zone_tables.values() for note in table.notes if note.startswith("["))
    (item_a,) = [m for m, n in notes.items() if n.startswith("Khu dân cư tập trung ở đô thị, nội thành, nội thị của đô thị loại II, III")
                 and "(điểm a tiểu mục 1.1 mục 1 Phần II" in n]
    (item_b,) = [m for m, n in notes.items() if n.startswith("Khu dân cư tập trung là nội thành, nội thị của các đô thị loại II, III")
                 and "(điểm b tiểu mục 1.1 mục 1 Phần II" in n]
    towns = gpd.read_file(DEMO.layers, layer="urban_areas").to_crs(demo.crs).set_index("id")
    planned = set(towns.index[towns["class_2026"].isin(["II", "III"])])
    assert len(planned) == 16
    units = demo.units[(demo.units["source_layer"] == "urban_areas") & demo.units["source_id"].isin(planned)]
    assert len(units) == 15
    rows = {row[1]: row for table in data.zone_tables.values() for row, kind in zip(table.rows, table.kinds) if kind == "unit"}
    for unit_id in units["unit_id"]:
        assert {item_a, item_b} <= set(rows[unit_id][5].split(";\n")), unit_id
    # Trùng Khánh: no row of its own, named where its land is, with the area found here
    (absorbed,) = planned - set(units["source_id"])
    assert towns.loc[absorbed, "name"] == "Trung tâm xã Trùng Khánh"
    held = demo.units[shapely.area(shapely.intersection(demo.units.geometry.to_numpy(), towns.loc[absorbed, "geometry"])) > 10_000]
    (holder,) = held.to_dict("records")
    area = shapely.area(shapely.intersection(holder["geometry"], towns.loc[absorbed, "geometry"])) / 10_000
    assert holder["name"] == "Vùng đệm Khu di tích lịch sử văn hóa Núi Lãng Đôn" and area == pytest.approx(256.45, abs=0.005)
    (line,) = [line for line in rows[holder["unit_id"]][6].split("\n") if "Trùng Khánh" in line]
    assert line.startswith(f"Trong đó {terms.quantity(area, 'area_ha')} trùng với Khu vực nội thị trung tâm xã Trùng Khánh {item_a} {item_b} (mục ")
    assert line.endswith("; khu vực này không có dòng riêng vì toàn bộ diện tích đã được tính cho các khu vực khác.")


def test_demo_ranked_relic_forests_also_cite_point_d(demo_build_path):
    """Pác Bó and Rừng Trần Hưng Đạo, relic forests entered as reserves and ranked special
    national relics (relic_rank in the layer), cite point d beside point c on their row and
    in a site's finding; Lam Sơn, whose rank the data does not give, does not; no area moves."""
    from zoning.builder.model import read_build

    demo = read_build(demo_build_path)
    reserves = gpd.read_file(DEMO.layers, layer="nature_reserves").to_crs(demo.crs).set_index("id")
    ranked = set(reserves.index[(reserves["part"] == "core") & reserves["relic_rank"].notna()])
    assert ranked == {"nr-04-core", "nr-07-core"}
    data = annex_data(demo)
    notes = dict(note.split(" ", 1) for note in data.zone_tables["strict"].notes if note.startswith("["))
    (marker,) = [m for m, n in notes.items() if "(rừng di tích đã được xếp hạng di tích) (điểm d khoản 2 Điều 22" in n]
    assert notes[marker].endswith("(chưa xác nhận).")
    rows = {row[2]: row for row in data.zone_tables["strict"].rows}
    for feature in reserves.index[(reserves["part"] == "core") & (reserves["category"] == "relic_forest")]:
        row = rows[f"Vùng lõi {reserves.loc[feature, 'name']}"]
        assert (marker in row[5].split(";\n")) == (feature in ranked), feature
    assert demo.zones.set_index("zone")["area_ha"].round(2).to_dict() == {"strict": 21857.85, "emission_limited": 42494.04, "other": 605393.56}
    inside = reserves.loc["nr-04-core", "geometry"].representative_point()
    found = check(None, demo, point=f"{inside.x},{inside.y}", crs=demo.crs.to_string(), type="other")
    (row,) = found.findings[found.findings["finding"] == "in_strict"].to_dict("records")
    assert row["citation_vi"].split("; ")[:2] == ["điểm c khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP", "điểm d khoản 2 Điều 22 Nghị định số 08/2022/NĐ-CP"]
