"""Every province out of the box: the province table, the reference boundaries, `--province`,
a thành phố named as one, x/y sites in the build's CRS, and a province's workspace."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

import zoning
from zoning.cli import app
from zoning.errors import InputError
from zoning.inputs.crs import tm3_crs
from zoning.inputs.reference import find_province, provinces, reference_layer, reference_path, surrounding_provinces
from zoning.outputs.annex import annex_data, draft_reasons
from zoning.outputs.neighbours import surroundings

HA_NOI = tm3_crs(105.0)
HX, HY = 580_000.0, 2_320_000.0  # a 10 km square in Hà Nội, VN-2000 / TM-3 105°00'


def test_the_table_holds_the_34_provinces_of_2025():
    table = provinces()
    assert len(table) == 34 and len({p.code for p in table}) == 34 and len({p.slug for p in table}) == 34
    assert {p.name for p in table if p.kind == "thanh_pho"} == {"Cần Thơ", "Hà Nội", "Hải Phòng", "Hồ Chí Minh", "Huế", "Đà Nẵng"}
    # the three meridians EPSG names by province (zoning-law.md §7)
    assert [tm3_crs(find_province(n).central_meridian).to_epsg() for n in ("cao-bang", "lang-son", "ha-noi")] == [9210, 9215, 5897]
    # a merged province keeps the meridian of the former province whose name it keeps, and says what its parts used
    phu_tho = find_province("Phú Thọ")
    assert phu_tho.central_meridian == 104.75 and "Hòa Bình 106°00'" in phu_tho.meridian_note[0]


@pytest.mark.parametrize("text", ["lang-son", "Lạng Sơn", "Tỉnh Lạng Sơn", "lang son", "LANG SON", "20", "Lang Son"])
def test_a_province_by_slug_name_or_code(text):
    assert find_province(text).code == "20"


def test_a_city_by_its_full_name():
    assert find_province("Thành phố Hồ Chí Minh").slug == find_province("TP Hồ Chí Minh").slug == "ho-chi-minh"


def test_a_province_merged_in_2025_names_the_one_it_joined():
    with pytest.raises(InputError) as error:
        find_province("Hà Giang")
    assert "merged into Tuyen Quang Province on 1 July 2025" in error.value.message_en and error.value.hint_pair[1] == "use --province tuyen-quang"


def test_an_unknown_province_lists_the_slugs():
    with pytest.raises(InputError) as error:
        find_province("Hà Tây")
    assert "no such province" in error.value.message_en and "lang-son" in error.value.hint_pair[1]


def reference_province_ha(code: str) -> float:
    """The area of a province as the union of its reference communes, computed here in its own TM-3 CRS."""
    communes = reference_layer("communes")
    communes = communes[communes["province_code"] == code].to_crs(tm3_crs(find_province(code).central_meridian))
    return shapely.union_all(communes.geometry.to_numpy()).area / 10_000


@pytest.mark.parametrize("province", provinces(), ids=[p.slug for p in provinces()])
def test_a_province_with_no_sensitive_layer_is_one_other_zone(province):
    communes = reference_layer("communes")
    if not (communes["province_code"] == province.code).any():
        pytest.skip(f"the reference boundaries in use ({reference_path().name}) hold no communes of {province.name}: the shipped set holds "
                    "Cao Bằng's; set ZONING_REFERENCE to a national file made by tools/make_reference.py")
    built = zoning.build(province=province.slug)
    assert built.crs == tm3_crs(province.central_meridian)
    assert not [n for n in built.manifest["notes"] if "column(s) not used" in n]  # the reference's own columns are all read
    zones = built.zones.set_index("zone")["area_ha"]
    expected = reference_province_ha(province.code)
    assert zones["strict"] == zones["emission_limited"] == 0
    assert zones["other"] == pytest.approx(expected, rel=1e-6)
    assert built.commune_summary["total_ha"].sum() == pytest.approx(expected, rel=1e-4)
    assert built.province_word == (("thành phố", "city") if province.kind == "thanh_pho" else ("tỉnh", "province"))
    data = annex_data(built)
    assert data.committee == f"Ủy ban nhân dân {'thành phố' if province.kind == 'thanh_pho' else 'tỉnh'} {province.name}"
    around = surroundings(shapely.union_all(built.zones.geometry.to_numpy()), built.crs)
    table_neighbours = reference_layer("neighbours")
    expected_neighbours = set(table_neighbours.loc[table_neighbours["province_code"] == province.code, "neighbour_code"])
    shipped = surrounding_provinces().set_index("code")
    assert {shipped.loc[c, "name"] for c in expected_neighbours} <= set(around.neighbours["name"])


def test_a_province_built_from_sensitive_layers_alone_covers_its_communes(tmp_path):
    # a reserve drawn in Cao Bằng's own CRS, 1 km² core: the province and communes come from the reference
    crs = tm3_crs(105.75)
    core = box(575_000, 2_505_000, 576_000, 2_506_000)  # in the commune of Hòa An, near the city
    reserves = gpd.GeoDataFrame({"id": ["k1"], "name": ["Khu bảo tồn thử"], "part": ["core"]}, geometry=[core], crs=crs)
    layers = tmp_path / "layers.gpkg"
    pyogrio.write_dataframe(reserves, layers, layer="nature_reserves")
    out = tmp_path / "b.gpkg"
    result = CliRunner().invoke(app, ["build", "--layers", str(layers), "--province", "Cao Bằng", "-o", str(out)])
    assert result.exit_code == 0, result.output
    built = zoning.read_build(out)
    zones = built.zones.set_index("zone")["area_ha"]
    assert zones["strict"] == pytest.approx(100.0, abs=1e-6)
    assert zones.sum() == pytest.approx(reference_province_ha("04"), rel=1e-6)
    assert built.manifest["province"]["meridian_source"] == "table" and built.crs.to_epsg() == 9210
    assert any(s["origin"].startswith("vietnam-2025.gpkg") for s in built.manifest["inputs"])


def ha_noi_layers() -> dict[str, gpd.GeoDataFrame]:
    """A small Hà Nội of its own: a 10 km square in two wards, drawn in EPSG:5897."""
    def square(x, y, w, h):
        return box(HX + x, HY + y, HX + x + w, HY + y + h)

    return {
        "province": gpd.GeoDataFrame({"code": ["01"], "name": ["Hà Nội"]}, geometry=[square(0, 0, 10_000, 10_000)], crs=HA_NOI),
        "communes": gpd.GeoDataFrame({"code": ["00001", "00004"], "name": ["Ba Đình", "Ngọc Hà"], "full_name": ["Phường Ba Đình", "Phường Ngọc Hà"]},
                                     geometry=[square(0, 0, 5_000, 10_000), square(5_000, 0, 5_000, 10_000)], crs=HA_NOI),
        "nature_reserves": gpd.GeoDataFrame({"id": ["k1"], "name": ["Khu bảo tồn thử"], "part": ["core"]},
                                            geometry=[square(1_000, 1_000, 1_000, 1_000)], crs=HA_NOI),
    }


def test_a_city_is_named_as_one_in_its_annex(tmp_path):
    built = zoning.build(ha_noi_layers(), province="ha-noi")
    assert built.crs.to_epsg() == 5897
    data = annex_data(built)
    assert data.committee == "Ủy ban nhân dân thành phố Hà Nội"
    out = tmp_path / "annex.docx"
    zoning.write_annex(built, out)
    import docx

    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    for section in docx.Document(str(out)).sections:
        text += "\n".join(p.text for p in section.header.paragraphs)
    cells = "\n".join(c.text for t in docx.Document(str(out)).tables for r in t.rows for c in r.cells)
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in text.upper() and "TỈNH HÀ NỘI" not in text.upper()
    assert "Toàn thành phố" in cells and "Toàn tỉnh" not in cells


def test_a_meridian_other_than_the_tables_is_a_warning_and_keeps_the_annex_a_draft(tmp_path):
    built = zoning.build(ha_noi_layers(), province="ha-noi", central_meridian=105.5)
    assert any("--central-meridian 105°30' differs from the province table's 105°00'" in n for n in built.manifest["notes"])
    reasons = draft_reasons(built)
    assert any("105°30'" in r and "105°00'" in r for r in reasons)
    with pytest.raises(zoning.ZoningError):
        zoning.write_annex(built, tmp_path / "a.docx", final=True)


def test_a_wrong_meridian_is_refused_naming_the_provinces_own():
    layers = ha_noi_layers()
    with pytest.raises(InputError) as error:
        zoning.build(layers, province="ha-noi", central_meridian=108.0)
    assert "Hanoi City's is 105 (105°00')" in error.value.hint_pair[1]


def test_xy_sites_are_read_in_the_builds_crs(tmp_path):
    built = zoning.build(ha_noi_layers(), province="ha-noi")
    sites = tmp_path / "sites.csv"
    sites.write_text(f"id,x,y\ninside,{HY + 1500:.1f},{HX + 1500:.1f}\nplain,{HY + 8000:.1f},{HX + 8000:.1f}\n", encoding="utf-8")
    result = zoning.check(sites, built)
    verdicts = result.sites.set_index("site_id")["zones_touched"].astype(str)
    assert "strict" in verdicts["inside"] and verdicts["plain"] == "other"
    assert result.sites["outside_pct"].fillna(0).max() == 0


def test_a_workspace_opens_in_qgis_and_builds(tmp_path):
    folder = tmp_path / "ws"
    result = CliRunner().invoke(app, ["init", "Cao Bằng", str(folder)])
    assert result.exit_code == 0, result.output
    gpkg = folder / "cao-bang-layers.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"province", "communes", "nature_reserves", "relic_zones", "urban_areas", "layer_styles"} <= layers
    assert len(pyogrio.read_dataframe(gpkg, layer="communes")) == 56
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles", read_geometry=False).set_index("f_table_name")
    qml = styles.loc["nature_reserves", "styleQML"]
    assert 'type="ValueMap"' in qml and 'value="national_park"' in qml
    assert (folder / "HUONG-DAN.md").read_text(encoding="utf-8").startswith("# Phân vùng môi trường Tỉnh Cao Bằng")
    # draw one reserve in QGIS's stead, then build the workspace as it is
    reserve = gpd.GeoDataFrame({"name": ["Khu thử"], "part": ["core"]}, geometry=[box(575_000, 2_505_000, 576_000, 2_506_000)], crs=tm3_crs(105.75))
    pyogrio.write_dataframe(reserve, gpkg, layer="nature_reserves", append=True)
    again = CliRunner().invoke(app, ["init", "Cao Bằng", str(folder)])
    assert again.exit_code == 2 and "not empty" in again.output
    built = zoning.build(gpkg, province="cao-bang")
    assert built.zones.set_index("zone")["area_ha"]["strict"] == pytest.approx(100.0, abs=1e-6)
    assert np.isclose(built.zones["area_ha"].sum(), reference_province_ha("04"), rtol=1e-6)


def test_a_citys_map_speaks_of_the_city():
    from zoning.outputs.map import map_config

    built = zoning.build(ha_noi_layers(), province="ha-noi")
    texts = map_config(built, lang="vi")["texts"]
    assert texts["fit"] == "Xem toàn thành phố" and "tỉnh" not in texts["other_zone_note"]
    assert map_config(built, lang="en")["texts"]["fit"] == "Show the whole city"


SHARED_EXPORT = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw" / "vietnamese-provinces-database" / "json" / "geojson"


def test_the_shipped_reference_is_what_the_tool_makes_of_its_source(tmp_path):
    if not SHARED_EXPORT.is_dir():
        pytest.skip(f"the upstream export is not beside the checkout ({SHARED_EXPORT})")
    import subprocess
    import sys

    out = tmp_path / "ref.gpkg"
    tool = Path(__file__).resolve().parents[1] / "tools" / "make_reference.py"
    made = subprocess.run([sys.executable, str(tool), str(SHARED_EXPORT), "--out", str(out), "--complete", "04", "--tolerance", "3"],
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    for layer in ("communes", "provinces"):
        shipped = pyogrio.read_dataframe(reference_path(), layer=layer).sort_values("code").reset_index(drop=True)
        again = pyogrio.read_dataframe(out, layer=layer).sort_values("code").reset_index(drop=True)
        assert list(again["code"]) == list(shipped["code"])
        # GEOS versions may keep a vertex more or less, or a gap of a few hundred m² between communes open or shut:
        # the same land within a millionth of its area, the same outlines within the tool's 3 m tolerance
        metric = [frame.to_crs(tm3_crs(105.75)).geometry.to_numpy() for frame in (again, shipped)]
        assert (shapely.area(shapely.symmetric_difference(*metric)) <= 1e-6 * shapely.area(metric[1])).all()
        outlines = [shapely.union_all(shapely.get_exterior_ring(shapely.get_parts(g))) for g in metric[0]], \
            [shapely.union_all(shapely.get_exterior_ring(shapely.get_parts(g))) for g in metric[1]]
        assert shapely.hausdorff_distance(np.array(outlines[0], dtype=object), np.array(outlines[1], dtype=object)).max() <= 3.0
    # each province with communes is their union, and no two communes overlap
    communes = pyogrio.read_dataframe(out, layer="communes").to_crs(tm3_crs(105.75))
    left, right = shapely.STRtree(communes.geometry.to_numpy()).query(communes.geometry.to_numpy(), predicate="overlaps")
    overlap = shapely.area(shapely.intersection(communes.geometry.to_numpy()[left], communes.geometry.to_numpy()[right]))
    assert overlap.sum() / 2 < 5.0  # m² over 6,700 km² (each pair found twice): rounding to 1e-7° after the simplification
