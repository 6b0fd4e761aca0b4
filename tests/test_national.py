"""The national zoning on real adjacent provinces, Cao Bằng (shipped reference communes) and Lạng Sơn
(synthetic communes cut from its shipped outline), with a reserve on their border and a river across it.
"""

from __future__ import annotations

import json
import logging
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from tests.national_fixtures import WGS84, lang_son_frames, outlines, reserve_and_river
from zoning.cli import LANG, app
from zoning.inputs.crs import tm3_crs
from zoning.inputs.national_folder import manifest_path
from zoning.inputs.reference import find_province
from zoning.law.criteria import load_rules
from zoning.national import build_national, consistency
from zoning.national.inputs import halo_metres, read_national

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client2():
    """A LocalCluster of 2 worker processes, shared by the tests of this module."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def root(national_root):
    return national_root


@pytest.fixture(scope="module")
def one_worker(national_run):
    """The run on an embedded LocalCluster of one worker (shared with the other tests of the national folder)."""
    return national_run


@pytest.fixture(scope="module")
def two_workers(root, tmp_path_factory, client2):
    return build_national(root, tmp_path_factory.mktemp("two") / "out", client=client2)


def _land() -> shapely.Geometry:
    cao_bang, lang_son = outlines()
    return shapely.union(cao_bang, lang_son)


def _area_m2(geometry: shapely.Geometry, crs) -> float:
    return float(gpd.GeoSeries([geometry], crs=WGS84).to_crs(crs).area.iloc[0])


def test_both_provinces_built_and_coverage_clean(one_worker):
    assert [o.slug for o in one_worker.outcomes] == ["cao-bang", "lang-son"]
    assert not one_worker.failed and one_worker.built == ["cao-bang", "lang-son"]
    found = one_worker.consistency
    assert found.clean
    assert found.gap_m2 <= 1.0 and found.overlap_m2 <= 1.0
    # the national land is the union of both provinces' communes: its geodesic area against an independent TM-3 measure
    lang_son_crs = tm3_crs(find_province("lang-son").central_meridian)
    assert found.land_m2 == pytest.approx(_area_m2(_land(), lang_son_crs), rel=2e-3)
    pair = found.pairs.iloc[0]
    assert (pair["province_a"], pair["province_b"]) == ("cao-bang", "lang-son") and pair["border_km"] > 10


def test_reserve_and_river_counted_once(one_worker):
    reserve, river = reserve_and_river()
    crossing = one_worker.consistency.crossing
    kbt = crossing[crossing["source_id"] == "kbt-1"]
    assert set(kbt["province"]) == {"cao-bang", "lang-son"} and (kbt["area_ha"] > 100).all()
    crs = tm3_crs(find_province("lang-son").central_meridian)
    expected_ha = _area_m2(shapely.intersection(reserve.geometry.iloc[0], _land()), crs) / 1e4
    assert kbt["area_ha"].sum() == pytest.approx(expected_ha, rel=2e-3)  # once, not once per province
    # the river, given by Lạng Sơn only, is zoned on the Cao Bằng side too (its halo), 20 m wide on both
    song = crossing[(crossing["source_id"] == "song-1") & (crossing["zone"] == "strict")]
    assert set(song["province"]) == {"cao-bang", "lang-son"}
    channel = gpd.GeoSeries(river.geometry, crs=WGS84).to_crs(crs).buffer(10).iloc[0]
    land = gpd.GeoSeries([_land()], crs=WGS84).to_crs(crs).iloc[0]
    assert song["area_ha"].sum() == pytest.approx(shapely.intersection(channel, land).area / 1e4, rel=5e-3)
    # national strict zone = the provinces' strict zones: each province's own TM-3 figure, added once
    zones = pyogrio.read_dataframe(one_worker.out / "vietnam.gpkg", layer="zones", read_geometry=False)
    strict = zones[zones["zone"] == "strict"].set_index("province")["area_ha"]
    assert strict.sum() == pytest.approx(kbt["area_ha"].sum() + song["area_ha"].sum(), rel=1e-9)
    assert one_worker.consistency.differences.empty


def test_outputs_written(one_worker):
    out = one_worker.out
    for name in ("vietnam.gpkg", "summary.xlsx", "consistency.xlsx", "consistency.html", "provinces/cao-bang.gpkg", "provinces/lang-son.gpkg"):
        assert (out / name).is_file(), name
    layers = {name for name, _ in pyogrio.list_layers(out / "vietnam.gpkg")}
    assert {"zones", "units", "lineage", "communes", "provinces", "manifest"} <= layers
    zones = gpd.read_file(out / "vietnam.gpkg", layer="zones")
    assert zones.crs.to_epsg() == 4756 and len(zones) == 6
    manifest = pyogrio.read_dataframe(out / "vietnam.gpkg", layer="manifest", read_geometry=False)
    assert json.loads(manifest.set_index("key").loc["crs", "value"]) == "EPSG:4756"
    from openpyxl import load_workbook
    book = load_workbook(out / "summary.xlsx")
    assert book.sheetnames[:3] == ["Tinh - Provinces", "Vung - Regions", "Ca nuoc - Nation"]
    nation = book["Ca nuoc - Nation"]
    assert nation.cell(3, 5).value == pytest.approx(zones["area_ha"].sum())
    assert book["Vung - Regions"]._charts
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        assert any("pip install pyarrow" in note for note in one_worker.notes)
        pytest.skip("GeoParquet copy: install pyarrow (pip install -e \".[parquet]\") to test it")
    else:
        parts = sorted(p.parent.name for p in (out / "parquet" / "units").glob("*/part-0.parquet"))
        assert parts == ["province=cao-bang", "province=lang-son"]
        units = gpd.read_parquet(out / "parquet" / "units" / "province=lang-son" / "part-0.parquet")
        assert set(units["source_id"]) >= {"kbt-1", "song-1"}


def _tables(result) -> dict[str, pd.DataFrame]:
    path = result.out / "vietnam.gpkg"
    tables = {}
    for name in ("zones", "units", "lineage"):
        frame = pyogrio.read_dataframe(path, layer=name)
        table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        if "geometry" in frame:
            table["wkb"] = shapely.to_wkb(frame.geometry.values, hex=True)
        tables[name] = table
    return tables


def test_two_workers_give_the_same_results_as_one(one_worker, two_workers):
    assert not two_workers.failed
    workers = {o.summary["worker"] for o in two_workers.outcomes}
    assert len(workers) == 2  # both workers built a province
    one, two = _tables(one_worker), _tables(two_workers)
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)
    assert one_worker.consistency.as_dict() == two_workers.consistency.as_dict()


def test_an_embedded_cluster_of_two_shares_the_cores_and_gives_the_same_results(one_worker, root, tmp_path):
    from zoning.settings import settings

    embedded = build_national(root, tmp_path / "out", workers=2)
    assert not embedded.failed
    # each worker's build runs half the machine's threads (a build alone uses them all): no more threads than cores
    assert {o.summary["threads"] for o in embedded.outcomes} == {max(1, settings.workers // 2)}
    assert {o.summary["threads"] for o in one_worker.outcomes} == {settings.workers}
    assert all(0 < o.summary["worker_peak_mb"] < 4000 for o in embedded.outcomes)
    one, two = _tables(one_worker), _tables(embedded)
    for name in one:
        pd.testing.assert_frame_equal(one[name], two[name], obj=name)


def test_failed_province_reported_and_resumed(root, tmp_path, client2):
    broken = tmp_path / "root"
    shutil.copytree(root, broken)
    communes = lang_son_frames()["communes"].drop(columns="name")  # a required attribute missing: Lạng Sơn's build raises
    communes.to_file(broken / "lang-son" / "communes.geojson")
    out = tmp_path / "out"
    first = build_national(broken, out, client=client2)
    assert [o.slug for o in first.failed] == ["lang-son"]
    assert "name" in first.failed[0].error and first.failed[0].error_vi
    assert first.built == ["cao-bang"]
    cao_bang = out / "provinces" / "cao-bang.gpkg"
    stamp = (cao_bang.stat().st_mtime_ns, manifest_path(cao_bang).stat().st_mtime_ns)
    zones = pyogrio.read_dataframe(out / "vietnam.gpkg", layer="zones", read_geometry=False)
    assert set(zones["province"]) == {"cao-bang"}  # the failed province is left out, the others finish
    # fixed: only Lạng Sơn is built, Cao Bằng is kept as it was
    lang_son_frames()["communes"].to_file(broken / "lang-son" / "communes.geojson")
    second = build_national(broken, out, client=client2)
    assert second.reused == ["cao-bang"] and second.built == ["lang-son"] and not second.failed
    assert (cao_bang.stat().st_mtime_ns, manifest_path(cao_bang).stat().st_mtime_ns) == stamp
    assert second.consistency.clean
    # a run killed while writing Lạng Sơn (its manifest not yet written, its file cut short): Lạng Sơn again, Cao Bằng kept
    lang_son = out / "provinces" / "lang-son.gpkg"
    manifest_path(lang_son).unlink()
    lang_son.write_bytes(lang_son.read_bytes()[:4096])
    third = build_national(broken, out, client=client2)
    assert third.reused == ["cao-bang"] and third.built == ["lang-son"]
    assert (cao_bang.stat().st_mtime_ns, manifest_path(cao_bang).stat().st_mtime_ns) == stamp
    # nothing changed: nothing rebuilt, no cluster needed; the command line says so
    try:
        result = CliRunner().invoke(app, ["--lang", "en", "national", "build", "--layers", str(broken), "--out", str(out)])
    finally:
        LANG["console"] = "vi"
    assert result.exit_code == 0, result.output
    assert "kept 2" in result.output and "gaps 0.000" in result.output
    # a run of one province keeps the other's current build in the national outputs...
    fourth = build_national(broken, out, provinces="lang-son", client=client2)
    assert sorted(fourth.reused) == ["cao-bang", "lang-son"] and not fourth.built
    assert set(pyogrio.read_dataframe(out / "vietnam.gpkg", layer="zones", read_geometry=False)["province"]) == {"cao-bang", "lang-son"}
    # ...and leaves out, saying so, one whose layers changed since it was built (a reserve far from Lạng Sơn: its build stays current)
    reserves = gpd.read_file(broken / "cao-bang" / "nature_reserves.geojson")
    far = reserves.assign(id="kbt-2", geometry=[shapely.box(105.60, 22.85, 105.62, 22.87)])
    pd.concat([reserves, far]).to_file(broken / "cao-bang" / "nature_reserves.geojson")
    fifth = build_national(broken, out, provinces="lang-son", client=client2)
    assert fifth.reused == ["lang-son"] and not fifth.built
    assert set(pyogrio.read_dataframe(out / "vietnam.gpkg", layer="zones", read_geometry=False)["province"]) == {"lang-son"}
    assert any(note.startswith("cao-bang:") and "--provinces cao-bang" in note for note in fifth.notes), fifth.notes


def test_halo_reaches_features_near_the_border(root):
    inputs = read_national(root)
    assert inputs.form == "provinces" and set(inputs.features) == {"nature_reserves", "water_supply_sources"}
    rules = load_rules()
    assert halo_metres(rules, inputs.features) == 100.0  # a relic drawn as a point: a 100 m circle (the largest default)
    wide = {"nature_reserves": inputs.features["nature_reserves"].assign(buffer_m=800.0)}
    assert halo_metres(rules, wide) == 800.0  # a buffer width read from the data
    cao_bang, lang_son = outlines()
    # a stream 50 m inside Lạng Sơn from the border reaches Cao Bằng's inputs; one 5 km inside does not
    crs = tm3_crs(find_province("lang-son").central_meridian)
    border = gpd.GeoSeries([shapely.intersection(shapely.buffer(cao_bang.boundary, 1e-7), lang_son)], crs=WGS84).to_crs(crs).iloc[0]
    inside = gpd.GeoSeries([lang_son], crs=WGS84).to_crs(crs).iloc[0]
    point = shapely.get_coordinates(border)[len(shapely.get_coordinates(border)) // 2]
    # lines at 50 m and 5 km from the border (the outline of the border's buffer), in Lạng Sơn, near the border's middle
    near, far = (shapely.intersection(shapely.intersection(shapely.buffer(border, d).boundary, inside), shapely.Point(point).buffer(d + 500))
                 for d in (50, 5000))
    assert not near.is_empty and not far.is_empty
    streams = gpd.GeoDataFrame({"id": ["near", "far"], "name": ["a", "b"], "water_body": ["stream", "stream"]},
                               geometry=[near, far], crs=crs).to_crs(WGS84)
    inputs.features["water_supply_sources"] = streams
    inputs.lonlat["water_supply_sources"] = streams
    inputs.trees.clear()
    selected = inputs.province_layers(find_province("cao-bang"), 100.0)
    assert list(selected["water_supply_sources"]["id"]) == ["near"]


def test_overlap_of_shipped_outlines_is_found():
    """The shipped outline of Lạng Sơn (made without its communes) overlaps Cao Bằng's communes: the check measures it."""
    from zoning.inputs.reference import reference_layer

    cao_bang, _ = outlines()
    provinces = reference_layer("provinces")
    raw = provinces.loc[provinces["code"] == "20", "geometry"].iloc[0]
    zones = gpd.GeoDataFrame({"province": ["cao-bang", "lang-son"], "zone": ["other", "other"], "area_ha": [0.0, 0.0]},
                             geometry=[cao_bang, raw], crs="EPSG:4756")
    empty_units = gpd.GeoDataFrame({"province": [], "source_layer": [], "source_id": [], "name": [], "zone": [], "area_ha": []},
                                   geometry=[], crs="EPSG:4756")
    lineage = pd.DataFrame(columns=["province", "source_layer", "source_id", "zone", "criterion"])
    found = consistency.check({"zones": zones, "communes": zones, "units": empty_units, "lineage": lineage}, {}, {})
    crs = tm3_crs(find_province("lang-son").central_meridian)
    expected = _area_m2(shapely.intersection(cao_bang, raw), crs)
    assert expected > 1e6 and found.overlap_m2 == pytest.approx(expected, rel=2e-3)
    assert not found.clean and found.gap_m2 == 0.0
    assert np.isclose(found.pairs["overlap_m2"].sum(), found.overlap_m2)


def test_command_line_errors_are_bilingual(tmp_path):
    result = CliRunner().invoke(app, ["national", "build", "--layers", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "không tìm thấy dữ liệu đầu vào" in result.output and "input not found" in result.output


def test_a_feature_zoned_on_one_side_only_is_a_difference_with_its_cause(one_worker):
    """Lạng Sơn's lineage of the river taken away: the river, zoned by Cao Bằng up to the border, is listed with the cause."""
    from zoning.national import mosaic

    builds = {o.slug: one_worker.out / "provinces" / f"{o.slug}.gpkg" for o in one_worker.outcomes}
    national = mosaic.mosaic({slug: (path, find_province(slug).code) for slug, path in builds.items()})
    summaries = {o.slug: o.summary for o in one_worker.outcomes}
    lineage = national["lineage"]
    national["lineage"] = lineage[~((lineage["province"] == "lang-son") & (lineage["source_id"] == "song-1"))]
    found = consistency.check(national, builds, summaries)
    rows = found.differences[found.differences["source_id"] == "song-1"]
    assert list(rows["province_a"]) == ["cao-bang"] and list(rows["province_b"]) == ["lang-son"]
    assert rows["zones_a"].iloc[0] == "emission_limited,strict" and rows["zones_b"].iloc[0] == ""
    assert "select this feature under no criterion" in rows["cause_en"].iloc[0] and "không chọn" in rows["cause_vi"].iloc[0]
    # two versions of one rule file are flagged
    other = {**summaries["lang-son"], "rule_files": [{**summaries["lang-son"]["rule_files"][0], "version": "2026.1", "sha256": "0" * 64}]}
    flagged = consistency.check(national, builds, {**summaries, "lang-son": other})
    assert flagged.rule_versions_differ
    assert set(flagged.rules.loc[flagged.rules["differs"], "province"]) == {"cao-bang", "lang-son"}


def test_national_geopackage_split_by_province(tmp_path):
    """A national GeoPackage: features once for the country, communes split by province_code."""
    reserve, river = reserve_and_river()
    given = lang_son_frames()
    path = tmp_path / "vietnam.gpkg"
    reserve.to_file(path, layer="nature_reserves", driver="GPKG")
    river.drop(columns="id").to_file(path, layer="water_supply_sources", driver="GPKG")
    given["communes"].assign(province_code="20").to_file(path, layer="communes", driver="GPKG")
    inputs = read_national(path)
    assert inputs.form == "national" and list(inputs.boundaries) == ["lang-son"]
    assert [p.slug for p in inputs.available()] == ["cao-bang", "lang-son"]
    assert list(inputs.features["water_supply_sources"]["id"]) == ["water_supply_sources-1"]  # an id for the country
    layers = inputs.province_layers(find_province("cao-bang"), 100.0)
    assert set(layers) == {"nature_reserves", "water_supply_sources"}  # both reach Cao Bằng; its boundaries from the reference


def test_a_halo_feature_that_misses_the_province_is_said_to_be_in_the_halo_not_in_a_wrong_crs():
    from zoning.builder.polygons import NO_WIDTH, OUTSIDE
    from zoning.national.runner import halo_reasons

    skipped = pd.DataFrame({"criterion": ["a", "b"], "source_layer": ["nature_reserves"] * 2, "source_id": ["k1", "k2"],
                            "reason": [OUTSIDE[0], NO_WIDTH[0]], "reason_vi": [OUTSIDE[1], NO_WIDTH[1]]})
    said = halo_reasons(skipped, 1500.0)
    assert said["reason_vi"].tolist() == ["nằm trong vùng đệm 1.500 m đọc quanh tỉnh để thống nhất ranh giới; không chạm tới tỉnh", NO_WIDTH[1]]
    assert "CRS" not in said["reason"][0] and said["reason"][1] == NO_WIDTH[0]
    assert skipped["reason"][0] == OUTSIDE[0]  # the build's own table is not changed in place


def test_a_zone_missing_from_a_province_is_a_gap_of_its_area(one_worker):
    """The coverage takes each province's communes as its extent: land its zones leave uncovered is a gap."""
    from zoning.national import mosaic

    builds = {o.slug: one_worker.out / "provinces" / f"{o.slug}.gpkg" for o in one_worker.outcomes}
    national = mosaic.mosaic({slug: (path, find_province(slug).code) for slug, path in builds.items()})
    zones = national["zones"]
    dropped = zones[(zones["province"] == "cao-bang") & (zones["zone"] == "strict")]
    national["zones"] = zones.drop(dropped.index)
    found = consistency.check(national, builds, {o.slug: o.summary for o in one_worker.outcomes})
    measured = gpd.GeoSeries(dropped.geometry.to_numpy(), crs=mosaic.NATIONAL_CRS).to_crs(tm3_crs(find_province("cao-bang").central_meridian)).area.sum()
    assert measured > 1e5 and found.gap_m2 == pytest.approx(measured, rel=1e-6)
    assert not found.clean and found.overlap_m2 <= 1.0


def test_a_worker_that_dies_under_a_province_is_said_in_words_a_planner_can_act_on():
    """A real worker process killed under its task (as the kernel does when memory runs out): the province's error says so."""
    import os

    import dask
    from distributed import Client, LocalCluster, wait

    from zoning.national.runner import _failure

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        future = client.submit(os._exit, 1, pure=False)
        wait([future])
        outcome = _failure("lam-dong", future.exception(), future.traceback())
    assert "out of memory" in outcome.error and "--provinces lam-dong --workers 1" in outcome.error
    assert "hết bộ nhớ" in outcome.error_vi and "KilledWorker" not in outcome.error
