"""Comparing two zonings: transitions, noise, causes, communes, refusals, files, CLI, map and sites.

Expected areas are worked out by hand on the hand-made province of conftest.py (and
checked against shapely on the raw squares), or taken from the two builds' own zone
areas — never from the diff code.
"""

from __future__ import annotations

import dataclasses
import shutil

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import CRS as ProjCRS
from shapely import affinity
from shapely.geometry import Point
from typer.testing import CliRunner

import zoning
from zoning.builder import build as build_zoning
from zoning.cli import app
from zoning.compare import diff, verdict_changes
from zoning.errors import ZoningError
from zoning.outputs.diff_report import render_diff_report, write_diff_report
from zoning.outputs.map import write_map
from zoning.resources import path as resource
from zoning.terms import ZONE_ORDER

from .conftest import CRS, X0, Y0, admin_layers, frame, sensitive_layers, square
from .test_maps import Page, browser, tm3_to_lon_lat  # noqa: F401 - the browser fixture

HA = 10_000.0
CORE = square(4000, 6000, 2000)  # 400 ha, across the boundary of communes 00003 (west) and 00004 (east) at x = 5,000
MOVE = (60.0, 80.0)  # 100 m to the north-east
# A square moved by (dx, dy) leaves an L-shaped crescent of side² − (side − dx)(side − dy)
CRESCENT_M2 = 2000**2 - (2000 - 60) * (2000 - 80)  # 275,200 m² = 27.52 ha


def reserve_layers(core) -> dict[str, gpd.GeoDataFrame]:
    """The province with one reserve core only."""
    return {**admin_layers(), "nature_reserves": frame([{"id": "n1", "name": "Khu bảo tồn D", "part": "core", "geometry": core}])}


def built(layers, **options):
    return build_zoning(layers, central_meridian=105.75, **options)


@pytest.fixture(scope="module")
def moved():
    """The lone reserve before and after a 100 m move."""
    return built(reserve_layers(CORE)), built(reserve_layers(affinity.translate(CORE, *MOVE)))


@pytest.fixture(scope="module")
def small():
    return built({**admin_layers(), **sensitive_layers()})


def zone_area(build, zone: str) -> float:
    return float(build.zones.set_index("zone").loc[zone, "area_ha"])


def assert_partition(change, old, new):
    """Rows add up to the old build's zones, columns to the new one's (areas from the builds)."""
    matrix = change.matrix()
    for zone in ZONE_ORDER:
        assert matrix.loc[zone].sum() == pytest.approx(zone_area(old, zone), abs=1e-6)
        assert matrix[zone].sum() == pytest.approx(zone_area(new, zone), abs=1e-6)


# ------------------------------------------------------------------------ transitions


def test_moved_reserve_gives_exactly_the_two_crescents(moved):
    old, new = moved
    change = diff(old, new)
    pieces = change.changes.set_index("transition")
    assert sorted(pieces.index) == ["other_to_strict", "strict_to_other"] and len(change.transitions) == 2
    moved_core = affinity.translate(CORE, *MOVE)
    for key, crescent in (("strict_to_other", CORE.difference(moved_core)), ("other_to_strict", moved_core.difference(CORE))):
        assert crescent.area == pytest.approx(CRESCENT_M2, abs=1e-6)
        assert pieces.loc[key, "area_ha"] == pytest.approx(CRESCENT_M2 / HA, abs=1e-8)
        assert shapely.symmetric_difference(pieces.loc[key, "geometry"], crescent).area < 1e-6
    matrix = change.matrix()
    assert matrix.loc["strict", "other"] == pytest.approx(27.52) and matrix.loc["other", "strict"] == pytest.approx(27.52)
    assert matrix.loc["strict", "strict"] == pytest.approx(400 - 27.52) and matrix.loc["other", "other"] == pytest.approx(10_000 - 400 - 27.52)
    assert matrix.loc["emission_limited"].sum() == 0 and matrix["emission_limited"].sum() == 0
    assert change.changed_ha == pytest.approx(55.04) and change.meta["noise_ha"] == 0
    assert_partition(change, old, new)


def test_why_the_crescents_moved(moved):
    change = diff(*moved)
    feature = change.input_changes.set_index("source_id").loc["n1"]
    assert feature["change"] == "changed" and feature["fields"] == "geometry"
    assert feature["shift_m"] == pytest.approx(100.0)  # the Hausdorff distance of a square moved by 100 m
    assert feature["moved_ha"] == pytest.approx(55.04)
    reasons = change.reasons.set_index("piece_id")
    pieces = change.changes.set_index("transition")
    lost, gained = reasons.loc[pieces.loc["strict_to_other", "piece_id"]], reasons.loc[pieces.loc["other_to_strict", "piece_id"]]
    assert (lost["change"], lost["criterion"], lost["source_id"]) == ("removed", "nd08-22-2-c", "n1")
    assert (gained["change"], gained["criterion"], gained["source_id"]) == ("added", "nd08-22-2-c", "n1")
    assert gained["cause_en"] == "boundary moved by up to 100.0 m" and gained["cause_vi"] == "ranh giới dịch tối đa 100,0 m"
    assert gained["text_vi"].startswith("thêm: Vùng lõi Khu bảo tồn D (nd08-22-2-c; nature_reserves/n1)")
    assert pieces.loc["strict_to_other", "held_before"] == "nd08-22-2-c: Vùng lõi Khu bảo tồn D (nature_reserves/n1)"
    assert pieces.loc["strict_to_other", "held_after"] == "" and pieces.loc["strict_to_other", "lineage_before"] == "nd08-22-2-c"
    assert len(change.rule_changes) == 0


def test_moved_crescents_by_commune(moved):
    """The communes meet at x = 5,000: the L-shaped crescents split by hand."""
    communes = diff(*moved).communes.set_index("commune_code")
    # strict → other: the west strip 60 × 2,000 and the south strip 1,940 × 80, cut at x = 5,000
    assert communes.loc["00003", "strict_to_other_ha"] == pytest.approx((60 * 2000 + (5000 - 4060) * 80) / HA)  # 19.52
    assert communes.loc["00004", "strict_to_other_ha"] == pytest.approx((6000 - 5000) * 80 / HA)  # 8.00
    # other → strict: the east strip 60 × 2,000 and the north strip 1,940 × 80
    assert communes.loc["00003", "other_to_strict_ha"] == pytest.approx((5000 - 4060) * 80 / HA)  # 7.52
    assert communes.loc["00004", "other_to_strict_ha"] == pytest.approx((60 * 2000 + (6000 - 5000) * 80) / HA)  # 20.00
    assert communes["moved_ha"].sum() == pytest.approx(2 * CRESCENT_M2 / HA)
    assert set(communes.index) == {"00003", "00004"}


def test_moved_core_among_other_criteria(small):
    """The core moved 100 m east inside its buffer ring, over a class IV town."""
    layers = {**admin_layers(), **sensitive_layers()}
    reserves = layers["nature_reserves"]
    reserves.loc[reserves["id"] == "n1", "geometry"] = affinity.translate(square(6000, 6000, 2000), 100, 0)
    new = built(layers)
    change = diff(small, new)
    matrix = change.matrix()
    # trailing strip x 6,000–6,100, y 6,000–8,000: the town covers y 6,000–7,000 → emission-limited, the rest → other
    assert matrix.loc["strict", "emission_limited"] == pytest.approx(100 * 1000 / HA)
    assert matrix.loc["strict", "other"] == pytest.approx(100 * 1000 / HA)
    # leading strip x 8,000–8,100 lies in the buffer ring → strict
    assert matrix.loc["emission_limited", "strict"] == pytest.approx(100 * 2000 / HA)
    assert_partition(change, small, new)
    reasons = change.reasons.merge(change.changes[["piece_id", "transition"]], on="piece_id").set_index(["transition", "source_id"])
    # the buffer is unchanged: still met, it gives way to the moved core
    buffer = reasons.loc[("emission_limited_to_strict", "n2")]
    assert buffer["change"] == "removed" and buffer["cause_en"] == ""
    assert buffer["text_en"].endswith("still met, but gives way to the stricter zone")
    # the town was met before under the core and now prevails
    town = reasons.loc[("strict_to_emission_limited", "u2")]
    assert town["change"] == "added" and town["text_en"].endswith("already met before, now prevails")
    assert reasons.loc[("strict_to_emission_limited", "n1"), "change"] == "removed"


def test_widened_corridor_gives_the_strip(small):
    layers = {**admin_layers(), **sensitive_layers()}
    layers["water_supply_sources"]["corridor_m"] = 20.0
    new = built(layers)
    change = diff(small, new)
    # 10 m channel + 15 m corridor each side becomes 10 + 20: two 5 m strips along the 10 km of river in the province
    pieces = change.changes
    assert pieces["transition"].tolist() == ["other_to_emission_limited"] * 2
    assert pieces["area_ha"].tolist() == pytest.approx([5 * 10_000 / HA] * 2)
    north = pieces.geometry.to_numpy()[np.argmax(shapely.bounds(pieces.geometry.to_numpy())[:, 1])]
    assert shapely.symmetric_difference(north, shapely.box(X0, Y0 + 3025, X0 + 10_000, Y0 + 3030)).area < 1e-3
    assert change.matrix().loc["other", "emission_limited"] == pytest.approx(10.0)
    assert_partition(change, small, new)
    feature = change.input_changes.set_index("source_id").loc["r1"]
    assert feature["details"] == "corridor_m: 15 → 20" and feature["moved_ha"] == pytest.approx(10.0)
    assert set(change.reasons["text_en"]) == {
        "added: Protection corridor of Sông C (nd08-22-3-3; water_supply_sources/r1) — attributes changed: corridor_m: 15 → 20"
    }
    assert change.communes.set_index("commune_code").loc[["00001", "00002"], "other_to_emission_limited_ha"].tolist() == pytest.approx([5.0, 5.0])


def test_identical_rebuild_has_no_changes(small, small_build_path):
    for again in (built({**admin_layers(), **sensitive_layers()}), small_build_path):  # in memory, and read back from its file
        change = diff(small, again)
        assert len(change.transitions) == 0 and len(change.reasons) == 0
        assert len(change.rule_changes) == 0 and len(change.input_changes) == 0
        assert change.changed_ha == 0 and change.meta["noise_ha"] == 0 and len(change.communes) == 0
        matrix = change.matrix()
        for zone in ZONE_ORDER:
            assert matrix.loc[zone, zone] == pytest.approx(zone_area(small, zone), abs=1e-6)
        assert matrix.to_numpy().sum() - np.trace(matrix.to_numpy()) == 0


def test_slivers_of_re_digitising_are_noise(moved):
    old, _ = moved
    nudged = built(reserve_layers(affinity.translate(CORE, 0.3, 0)))
    change = diff(old, nudged)
    # two strips 0.3 m × 2,000 m = 0.06 ha each: above the area threshold, under the width one
    assert change.changed_ha == 0 and len(change.changes) == 0
    assert change.meta["noise_pieces"] == 2 and change.meta["noise_ha"] == pytest.approx(2 * 0.3 * 2000 / HA)
    assert change.matrix(noise=True).loc["strict", "other"] == pytest.approx(0.06)
    assert change.matrix().loc["strict", "other"] == 0
    assert change.meta["threshold"] == {"min_area_ha": 0.01, "min_width_m": 1.0}
    html = render_diff_report(change)
    assert "0,12 ha" in html and "hẹp hơn 1,0 m" in html and "thinner than 1.0 m" in html
    # a narrower width threshold takes them as real changes
    assert diff(old, nudged, min_width_m=0.2).changed_ha == pytest.approx(0.12)
    # an area threshold above 0.06 ha sets them aside even with no width test
    assert diff(old, nudged, min_area_ha=0.07, min_width_m=0).meta["noise_ha"] == pytest.approx(0.12)


# ---------------------------------------------------------------------------- rules


def rules_copy(tmp_path, old: str, new: str):
    text = resource("rules", "nd08.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "nd08.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_rule_change_with_no_geometric_effect(small, tmp_path):
    """The default corridor width changes, but the river records its own corridor."""
    rules = rules_copy(tmp_path, "default_m: 15\n", "default_m: 30\n")
    change = diff(small, built({**admin_layers(), **sensitive_layers()}, rules=rules))
    assert len(change.transitions) == 0 and change.changed_ha == 0 and len(change.input_changes) == 0
    by_id = change.rule_changes.set_index("id")
    criterion = by_id.loc["nd08-22-3-3"]
    assert criterion["kind"] == "criterion" and criterion["change"] == "changed" and criterion["fields"] == "geometry_spec"
    assert criterion["details"] == "distance.default_m: 15 → 30" and criterion["moved_ha"] == 0
    assert criterion["detail_en"] == "criterion nd08-22-3-3: changed geometry and widths (distance.default_m: 15 → 30)"
    assert by_id.loc["nd08", "kind"] == "rule_file" and by_id.loc["nd08", "fields"] == "sha256"
    assert len(change.rule_changes) == 2


def test_rule_change_that_moves_a_town(small, tmp_path):
    """The urban-class table sends class II towns to the emission-limited zone: the 100 ha town moves."""
    rules = rules_copy(tmp_path, "zone: {special: strict, I: strict, II: strict, III: strict,", "zone: "
        "{special: strict, I: strict, II: emission_limited, III: strict,")
    new = built({**admin_layers(), **sensitive_layers()}, rules=rules)
    change = diff(small, new)
    assert change.matrix().loc["strict", "emission_limited"] == pytest.approx(100.0)
    assert change.changed_ha == pytest.approx(100.0)
    assert_partition(change, small, new)
    by_id = change.rule_changes.set_index("id")
    assert by_id.loc["nd08-22-2-a", "details"] == "selection.urban_class: [special, I, II, III] → [special, I, III]"
    assert by_id.loc["nd08-22-3-4", "details"] == "selection.urban_class: [IV, V] → [II, IV, V]"
    assert by_id.loc["nd08-22-2-a", "moved_ha"] == pytest.approx(100.0) and by_id.loc["nd08-22-3-4", "moved_ha"] == pytest.approx(100.0)
    reasons = change.reasons.set_index("criterion")
    assert reasons.loc["nd08-22-2-a", "change"] == "removed" and reasons.loc["nd08-22-3-4", "change"] == "added"
    assert reasons.loc["nd08-22-2-a", "cause_en"].startswith("criterion nd08-22-2-a: changed feature selection")
    # the command line prints the lists as they are (not taken for markup)
    printed = CliRunner().invoke(app, ["diff", str(small.write(tmp_path / "old.gpkg")), str(new.write(tmp_path / "new.gpkg"))])
    assert printed.exit_code == 0 and "selection.urban_class: [special, I, II, III] → [special, I, III]" in printed.output


# ------------------------------------------------------------------------- refusals


def test_different_provinces_are_refused(small):
    far = {kind: layer.set_geometry(layer.geometry.translate(50_000, 0)) for kind, layer in {**admin_layers(), **sensitive_layers()}.items()}
    with pytest.raises(ZoningError) as error:
        diff(small, built(far))
    assert "không thuộc cùng một tỉnh" in error.value.message and "different provinces" in error.value.message
    assert "cùng một tỉnh" in error.value.hint and "same province" in error.value.hint


def test_different_grids_are_refused(small):
    other_meridian = build_zoning({**admin_layers(), **sensitive_layers()}, central_meridian=106.0)
    with pytest.raises(ZoningError) as error:
        diff(small, other_meridian)
    assert "hệ tọa độ khác nhau" in error.value.message and "different coordinate systems" in error.value.message


def test_same_grid_with_another_transformation_is_reprojected(small):
    bound = ProjCRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
        "+towgs84=-191.904,-39.303,-111.450,-0.00928,0.01975,-0.00427,0.2529 +units=m +no_defs"
    )
    assert not bound.equals(CRS)
    again = built({**admin_layers(), **sensitive_layers()})
    old = dataclasses.replace(
        again, zones=again.zones.set_crs(bound, allow_override=True), units=again.units.set_crs(bound, allow_override=True),
        communes=again.communes.set_crs(bound, allow_override=True),
        inputs={kind: layer.set_crs(bound, allow_override=True) for kind, layer in again.inputs.items()},
    )
    change = diff(old, small)
    assert len(change.transitions) == 0 and len(change.input_changes) == 0
    assert any("transformation to WGS 84" in note for note in change.meta["notes"])


def test_builds_without_criterion_specs_are_compared_and_noted(moved):
    old, new = moved
    older = dataclasses.replace(old, criteria=old.criteria.drop(columns=["selection", "geometry_spec"]))
    change = diff(older, new)
    assert change.changed_ha == pytest.approx(55.04) and len(change.rule_changes) == 0
    assert any("records no criterion selections and widths" in note for note in change.meta["notes"])


def test_province_boundaries_that_differ_compare_the_shared_land(small):
    layers = {**admin_layers(), **sensitive_layers()}
    layers["province"] = layers["province"].set_geometry([square(0, 0, 10_000).union(shapely.box(X0 + 10_000, Y0, X0 + 10_050, Y0 + 10_000))])
    wider = built(layers)
    change = diff(small, wider)
    assert change.meta["land"]["only_new_ha"] == pytest.approx(50 * 10_000 / HA) and change.meta["land"]["only_old_ha"] == 0
    assert change.meta["land"]["province_ha"] == pytest.approx(10_000)
    assert len(change.transitions) == 0 and change.matrix().to_numpy().sum() == pytest.approx(10_000)
    assert any("50,00 ha chỉ có ở bản mới" in note and "50.00 ha only in the new one" in note for note in change.meta["notes"])


def test_negative_threshold_is_a_user_error(moved):
    with pytest.raises(ZoningError, match="must not be negative"):
        diff(*moved, min_area_ha=-1)


# ------------------------------------------------------------------- files and report


def test_diff_file_and_report(moved, tmp_path):
    change = diff(*moved)
    path = change.write(tmp_path / "diff.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"transitions", "transition_table", "reasons", "rule_changes", "input_changes", "commune_changes", "diff_manifest"}
    pieces = pyogrio.read_dataframe(path, layer="transitions")
    assert pieces.crs.to_epsg() == 9210 and sorted(pieces["transition"]) == ["other_to_strict", "strict_to_other"]
    assert pieces.geometry.area.sum() == pytest.approx(2 * CRESCENT_M2, abs=1e-3)
    table = pyogrio.read_dataframe(path, layer="transition_table", read_geometry=False)
    assert len(table) == 9 and table["area_ha"].sum() == pytest.approx(10_000)
    report = write_diff_report(change, tmp_path / "diff.html")
    html = report.read_text(encoding="utf-8")
    assert html.index("So sánh hai bản phân vùng") < html.index("Comparison of two zonings")
    assert "27,52" in html and "9.572,48" in html and "55.04 ha" in html  # Vietnamese numbers in the table, English beside
    assert "ranh giới dịch tối đa 100,0 m" in html and "boundary moved by up to 100.0 m" in html
    assert "Tây Bắc" in html and "Đông Bắc" in html
    assert not list(tmp_path.glob(".*part*"))


def test_cli_diff_writes_and_prints(moved, tmp_path):
    old, new = moved
    old_path, new_path = old.write(tmp_path / "old.gpkg"), new.write(tmp_path / "new.gpkg")
    result = CliRunner().invoke(app, ["diff", str(old_path), str(new_path), "--out", str(tmp_path / "d.gpkg"), "--report", str(tmp_path / "d.html")])
    assert result.exit_code == 0, result.output
    assert "55,04 ha, 2 phần / piece(s)" in result.output and "27,52" in result.output
    assert (tmp_path / "d.gpkg").exists() and (tmp_path / "d.html").exists()
    mapped = CliRunner().invoke(app, ["map", str(new_path), "--against", str(old_path), "--offline", "--out", str(tmp_path / "m.html")])
    assert mapped.exit_code == 0, mapped.output
    assert "changed pieces 2" in mapped.output
    far = {kind: layer.set_geometry(layer.geometry.translate(50_000, 0)) for kind, layer in admin_layers().items()}
    built(far).write(tmp_path / "far.gpkg")
    refused = CliRunner().invoke(app, ["diff", str(old_path), str(tmp_path / "far.gpkg")])
    assert refused.exit_code == 2 and "different provinces" in refused.output and "Traceback" not in refused.output


def test_public_api():
    assert zoning.diff is diff and "diff" in zoning.__all__ and "ZoningDiff" in zoning.__all__ and "write_diff_report" in zoning.__all__


# ---------------------------------------------------------------------------- sites


def test_sites_whose_verdict_changes(moved, tmp_path):
    old, new = moved
    sites = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["Điểm A", "Điểm B", "Điểm C"]},
        geometry=[Point(X0 + 6030, Y0 + 7000), Point(X0 + 5000, Y0 + 7000), Point(X0 + 1000, Y0 + 1000)], crs=CRS,
    )  # a: in the land the reserve moved onto; b: in the core both times; c: far from it
    before, after = zoning.check(sites, old, type="other"), zoning.check(sites, new, type="other")
    flagged = verdict_changes(after, before)
    table = flagged.sites.set_index("site_id")
    assert table["verdict_changed"].to_dict() == {"a": True, "b": False, "c": False}
    assert table.loc["a", "verdict_before"] == before.sites.set_index("site_id").loc["a", "verdict"] != table.loc["a", "verdict"]
    finding = flagged.findings[flagged.findings["finding"] == "verdict_changed"]
    assert finding["site_id"].tolist() == ["a"] and finding["severity"].tolist() == ["info"]
    assert table.loc["a", "findings_count"] == after.sites.set_index("site_id").loc["a", "findings_count"] + 1
    # the command line: the same flag in the results file
    sites_file = tmp_path / "sites.gpkg"
    sites.to_file(sites_file)
    old_path, new_path = old.write(tmp_path / "old.gpkg"), new.write(tmp_path / "new.gpkg")
    out = tmp_path / "results.gpkg"
    result = CliRunner().invoke(app, ["check", str(sites_file), "--zoning", str(new_path), "--against", str(old_path), "--type", "other", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Kết luận thay đổi so với / Verdicts changed against" in result.output
    written = pyogrio.read_dataframe(out, layer="sites", read_geometry=False).set_index("site_id")
    assert written["verdict_changed"].astype(bool).to_dict() == {"a": True, "b": False, "c": False}


# ------------------------------------------------------------------------------ map


def test_map_shows_the_transitions_and_why(browser, moved, tmp_path):  # noqa: F811 - the fixture
    old, new = moved
    out = write_map(new, tmp_path / "against.html", offline=True, against=old).path
    page = Page(browser, out)
    try:
        assert page.count("path.zoning-transition") == 2
        assert page.count("path.zoning-transition-strict_to_other") == 1 and page.count("path.zoning-transition-other_to_strict") == 1
        legend = page.page.locator(".zoning-legend").inner_text()
        assert "Thay đổi so với bản phân vùng trước" in legend and "Vùng khác → Vùng bảo vệ nghiêm ngặt" in legend
        assert "27,52 ha" in legend and "0,01 ha" in legend
        # a click in the east strip the reserve moved onto opens the popup with the why
        x, y = page.pixel(*tm3_to_lon_lat(X0 + 6030, Y0 + 7000))
        page.page.mouse.click(x, y)
        popup = page.page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "Vùng khác → Vùng bảo vệ nghiêm ngặt" in text and "27,52 ha" in text
        assert "thêm: Vùng lõi Khu bảo tồn D (nd08-22-2-c; nature_reserves/n1) — ranh giới dịch tối đa 100,0 m" in text
        page.page.locator("input[data-transition=other_to_strict]").uncheck()
        assert page.count("path.zoning-transition-other_to_strict") == 0
        page.screenshot("map-against.png")
        assert page.errors == [] and page.console_errors == [] and page.requests == []
    finally:
        page.close()
    # without --against, no transitions
    plain = write_map(new, tmp_path / "plain.html", offline=True)
    assert plain.counts["transitions"] == 0 and "zoning-transition" not in plain.path.read_text(encoding="utf-8").split("ZoningMap.init")[-1]


# ----------------------------------------------------------------------------- demo


def test_demo_urban_class_correction(demo_build_path, tmp_path):
    """Issue 13's correction: Cao Bằng city class III, the 12 commune centres class V (pre-2026 classes)."""
    from zoning.demo import demo_paths

    demo = demo_paths()
    layers = {name: pyogrio.read_dataframe(demo.layers, layer=name) for name, _ in pyogrio.list_layers(demo.layers)}
    assert layers["urban_areas"]["urban_class"].tolist() == ["III"] * 4 + ["V"] * 12  # the corrected demo
    layers["urban_areas"]["urban_class"] = layers["urban_areas"]["class_2026"]  # before: the plan's 2026 classes (II, III) read as pre-2026
    before = build_zoning(layers, province_rules=demo.province_rules)
    shutil.copy(demo_build_path, tmp_path / "after.gpkg")
    after = zoning.read_build(tmp_path / "after.gpkg")
    change = diff(before, after)
    moved_out_of_strict = zone_area(before, "strict") - zone_area(after, "strict")
    assert moved_out_of_strict > 3000
    matrix = change.matrix()
    assert matrix.loc["strict", "emission_limited"] == pytest.approx(moved_out_of_strict, abs=1e-4)
    assert matrix.to_numpy().sum() - np.trace(matrix.to_numpy()) == pytest.approx(moved_out_of_strict, abs=1e-4)
    assert_partition(change, before, after)
    inputs = change.input_changes.set_index("source_id")
    assert set(inputs.index) == {f"ua-{k:02d}" for k in range(1, 17)}
    assert inputs["details"].to_dict() == {f"ua-{k:02d}": "urban_class: II → III" if k < 5 else "urban_class: III → V" for k in range(1, 17)}
    assert set(inputs["fields"]) == {"urban_class"}
    assert inputs.loc[[f"ua-{k:02d}" for k in range(1, 5)], "moved_ha"].tolist() == [0.0] * 4  # the city stays strict: III like II
    assert (inputs.loc[[f"ua-{k:02d}" for k in range(5, 17)], "moved_ha"] > 0).all()
    assert set(change.reasons.loc[change.reasons["change"] == "removed", "criterion"]) == {"nd08-22-2-a"}
    assert len(change.rule_changes) == 0 and change.meta["noise_ha"] == 0


def test_cutting_large_polygons_changes_no_piece(small, monkeypatch):
    """Every polygon taken as large (cut by the quadtree, subtracted round by round) gives the same pieces."""
    import sys

    layers = {**admin_layers(), **sensitive_layers()}
    reserves = layers["nature_reserves"]
    reserves.loc[reserves["id"] == "n1", "geometry"] = affinity.translate(square(6000, 6000, 2000), 100, 0)
    layers["water_supply_sources"]["corridor_m"] = 20.0
    new = built(layers)
    whole = diff(small, new).changes
    monkeypatch.setattr(sys.modules["zoning.compare.transitions"], "LARGE_COORDINATES", 8)
    cut = diff(small, new).changes
    assert len(cut) == len(whole) == 5
    assert cut["transition"].tolist() == whole["transition"].tolist()
    assert cut["area_ha"].to_numpy() == pytest.approx(whole["area_ha"].to_numpy(), abs=1e-9)
    assert shapely.area(shapely.symmetric_difference(cut.geometry.to_numpy(), whole.geometry.to_numpy())).max() < 1e-6


def test_table_matches_whole_zone_overlays(small, monkeypatch):
    """Several changes at once; each cell equals the area of (old zone ∩ new zone) overlaid whole."""
    import sys

    layers = {**admin_layers(), **sensitive_layers()}
    reserves = layers["nature_reserves"]
    reserves.loc[reserves["id"] == "n1", "geometry"] = affinity.rotate(square(6000, 6000, 2000), 10)
    layers["water_supply_sources"]["corridor_m"] = 10.0
    layers["urban_areas"].loc[0, "urban_class"] = "IV"
    layers["relic_zones"] = layers["relic_zones"].set_geometry(layers["relic_zones"].geometry.translate(1000, -1000))
    new = built(layers)
    zone = {(side, z): g for side, build in (("old", small), ("new", new)) for z, g in zip(build.zones["zone"], build.zones.geometry)}
    for large in (10_000, 8):  # as they come, and every polygon cut by the quadtree
        monkeypatch.setattr(sys.modules["zoning.compare.transitions"], "LARGE_COORDINATES", large)
        change = diff(small, new, min_area_ha=0, min_width_m=0)
        matrix = change.matrix()
        for a in ZONE_ORDER:
            for b in ZONE_ORDER:
                expected = shapely.intersection(zone["old", a], zone["new", b], grid_size=1e-6).area / HA
                assert matrix.loc[a, b] == pytest.approx(expected, abs=1e-6), (large, a, b)
        off_diagonal = matrix.to_numpy()[~np.eye(3, dtype=bool)]
        assert (off_diagonal > 1).sum() == 5 and change.changed_ha > 100
