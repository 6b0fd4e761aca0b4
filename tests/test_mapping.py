"""Bring your own data: a mapping file, field names of real data recognised, `designation` renamed."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

import zoning
from zoning.errors import InputError
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules

from .conftest import CRS, X0, Y0, admin_layers, frame, square

WDPA = gpd.GeoDataFrame(
    {
        "WDPAID": [10723.0, 555.0, 999.0],
        "WDPA_PID": ["10723", "555", "999"],
        "NAME": ["Phia Oắc – Phia Đén", "Khu bảo tồn Trùng Khánh", "Khu đề xuất"],
        "DESIG": ["Vườn quốc gia", "Khu bảo tồn thiên nhiên", "Khu bảo tồn thiên nhiên"],
        "DESIG_ENG": ["National Park", "Nature Reserve", "Nature Reserve"],
        "IUCN_CAT": ["II", "Ia", "Not Reported"],
        "STATUS": ["Designated", "Designated", "Proposed"],
        "STATUS_YR": [2002, 1986, 0],
    },
    geometry=[square(6000, 6000, 2000), square(1000, 6000, 1000), square(3000, 3000, 1000)],
    crs=CRS,
).to_crs(4326)  # WDPA is published in WGS 84

MAPPING = """\
# the province's own data, mapped
province: admin.gpkg:province
communes: {source: admin.gpkg:communes}
nature_reserves:
  source: wdpa.gpkg:polygons          # file[:layer]
  id: WDPAID
  fields: {name: NAME, category: DESIG, decision_date: STATUS_YR}
  values:
    category: {"Vườn quốc gia": national_park, "Khu bảo tồn thiên nhiên": nature_reserve}
  where: {STATUS: [Designated]}
  set: {part: core}
relic_zones:
  source: di_tich/di_tich.shp
  fields: {heritage_type: LOAI}
  values:
    heritage_type: {"Di tích lịch sử - văn hóa": relic, "Danh lam thắng cảnh": scenic_spot}
    rank: {"Quốc gia đặc biệt": special_national, "Quốc gia": national, "Cấp tỉnh": provincial}
"""


@pytest.fixture
def own_data(tmp_path):
    """A WDPA-shaped GeoPackage, a shapefile with Vietnamese field names, admin layers and the mapping file."""
    for kind, layer in admin_layers().items():
        layer.to_file(tmp_path / "admin.gpkg", layer=kind)
    WDPA.to_file(tmp_path / "wdpa.gpkg", layer="polygons")
    (tmp_path / "di_tich").mkdir()
    relics = frame([
        {"MA_DT": 41, "TEN": "Khu di tích Pác Bó", "LOAI": "Di tích lịch sử - văn hóa", "CAP": "Quốc gia đặc biệt", "KVBV": "I",
         "GHI_CHU": "x", "geometry": square(2000, 2000, 500)},
        {"MA_DT": 42, "TEN": "Thác Bản Giốc", "LOAI": "Danh lam thắng cảnh", "CAP": "Quốc gia đặc biệt", "KVBV": "I",
         "GHI_CHU": "y", "geometry": square(8000, 1000, 500)},
    ])
    relics.to_file(tmp_path / "di_tich" / "di_tich.shp", encoding="UTF-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return mapping


def test_wdpa_geopackage_and_vietnamese_shapefile_built_through_a_mapping_file(own_data):
    build = zoning.build(layers=str(own_data), central_meridian=105.75)
    units = build.units.set_index("source_id")
    # WDPA: the proposed area left out by `where`, ids from WDPAID, DESIG translated, the part set for all
    reserves = units[units["source_layer"] == "nature_reserves"]
    assert sorted(reserves.index) == ["10723", "555"]
    assert reserves.loc["10723", "criterion"] == "nd08-22-2-c" and reserves.loc["10723", "zone"] == "strict"
    assert reserves.loc["10723", "name"] == "Vùng lõi Phia Oắc – Phia Đén"
    assert reserves.loc["10723", "area_ha"] == pytest.approx(400, rel=1e-4)  # 2 km × 2 km, through WGS 84
    assert reserves.loc["555", "area_ha"] == pytest.approx(100, rel=1e-4)
    layer = build.inputs["nature_reserves"].set_index("source_id")
    assert layer.loc["10723", "category"] == "national_park" and layer.loc["555", "category"] == "nature_reserve"
    assert set(layer["part"]) == {"core"}
    # the shapefile: TEN → name, KVBV → protection_zone, CAP → rank (values translated), MA_DT the id
    relics = build.inputs["relic_zones"].set_index("source_id")
    assert relics.loc["41", "name"] == "Khu di tích Pác Bó" and relics.loc["41", "rank"] == "special_national"
    assert relics.loc["41", "heritage_type"] == "relic" and relics.loc["42", "heritage_type"] == "scenic_spot"
    relic_units = units[units["source_layer"] == "relic_zones"]
    assert list(relic_units.index) == ["41"]  # a scenic spot is no relic protection zone I
    assert relic_units.loc["41", "area_ha"] == pytest.approx(25, rel=1e-9) and relic_units.loc["41", "zone"] == "strict"
    notes = "\n".join(build.manifest["notes"])
    assert "recognised column(s) TEN → name, KVBV → protection_zone, CAP → rank, MA_DT → id" in notes
    assert "column(s) not used: WDPA_PID, DESIG_ENG, IUCN_CAT (" in notes  # STATUS selected the features: used
    assert "column(s) not used: GHI_CHU" in notes


def test_mapping_file_through_read_layers_and_the_command_line(own_data, tmp_path):
    from typer.testing import CliRunner

    from zoning.cli import app

    layers = read_layers(own_data, CRS)
    assert len(layers["nature_reserves"]) == 2 and layers["nature_reserves"]["decision_date"].tolist() == ["2002", "1986"]
    out = tmp_path / "out" / "build.gpkg"
    out.parent.mkdir()
    result = CliRunner().invoke(app, ["build", "--layers", str(own_data), "--central-meridian", "105.75", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "DESIG_ENG" in result.output
    before = (tmp_path / "wdpa.gpkg").read_bytes()
    refused = CliRunner().invoke(app, ["build", "--layers", str(own_data), "--central-meridian", "105.75", "--out", str(tmp_path / "wdpa.gpkg")])
    # an output never replaces data a mapping file names
    assert refused.exit_code == 2 and "wdpa.gpkg" in refused.output and "input" in refused.output, refused.output
    assert (tmp_path / "wdpa.gpkg").read_bytes() == before


def test_common_field_names_recognised_without_a_mapping(tmp_path):
    communes = admin_layers()["communes"].rename(columns={"code": "Mã", "name": "Tên"})
    communes["fullName"] = "Xã " + communes["Tên"]
    communes["nameEn"] = ["Tay Nam", "Dong Nam", "Tay Bac", "Dong Bac"]
    communes["provinceCode"] = "99"
    reserves = gpd.GeoDataFrame({"ARCID": [7, 8], "ten": ["A", "B"], "PHAN_KHU": ["core", "buffer"]},
                                geometry=[square(0, 0, 100), square(200, 0, 100)], crs=CRS)
    layers = read_layers({"communes": communes, "nature_reserves": reserves}, CRS)
    assert layers["communes"]["full_name"].tolist()[0] == "Xã Tây Nam" and layers["communes"]["name_en"].tolist()[0] == "Tay Nam"
    assert layers["communes"]["code"].tolist()[0] == "00001"
    assert layers["nature_reserves"]["source_id"].tolist() == ["7", "8"]
    notes = "\n".join(layers.notes)
    assert "recognised column(s) Mã → code, Tên → name, fullName → full_name, nameEn → name_en" not in notes  # own names: no alias
    assert "recognised column(s) ten → name, PHAN_KHU → part, ARCID → id" in notes
    assert "column(s) not used: provinceCode" in notes


def test_legal_status_under_its_old_name_is_read_with_a_notice():
    rows = [{"id": "p1", "name": "K", "category": "other", "designation": "proposed", "geometry": square(0, 0, 100)}]
    layers = read_layers({"other_sensitive": frame(rows)}, CRS)
    assert layers["other_sensitive"]["legal_status"].tolist() == ["proposed"]
    assert any("column 'designation' read as 'legal_status'" in n for n in layers.notes)
    # what protected-area data calls a designation (the kind of area) is not a legal status: named as unused
    kinds = [{"id": "p1", "name": "K", "category": "other", "DESIGNATION": "National Park", "geometry": square(0, 0, 100)}]
    layers = read_layers({"other_sensitive": frame(kinds)}, CRS)
    assert layers["other_sensitive"]["legal_status"].tolist() == ["in_force"]
    assert any("column(s) not used: DESIGNATION" in n for n in layers.notes)


def test_rule_filtering_on_the_old_name_is_read_with_a_notice(tmp_path):
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("""\
id: thu
version: "1"
extends: nd08
title_vi: Thử
title_en: Test
source: thử
criteria:
  - id: thu-proposed
    zone: strict
    layer: other_sensitive
    where: {category: [other], designation: [proposed]}
    title_vi: Khu đề xuất
    title_en: Proposed area
    citation_vi: thử
    citation_en: test
    status: unconfirmed
    designation: proposed
""", encoding="utf-8")
    rules = load_rules(province_rules=overlay)
    criterion = rules.criterion("thu-proposed")
    assert criterion.legal_status == "proposed" and criterion.where == {"category": ["other"], "legal_status": ["proposed"]}
    assert len(rules.notes) == 1 and "designation, where.designation read as legal_status" in rules.notes[0]


# ------------------------------------------------------------------------ broken files


@pytest.mark.parametrize(("text", "expected"), [
    ("nature_reserve:\n  source: wdpa.gpkg\n", ["line 1, nature_reserve", "unknown layer kind 'nature_reserve'", "nature_reserves"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n  feilds: {name: NAME}\n", ["line 3, nature_reserves.feilds", "unknown key 'feilds'", "fields"]),
    ("nature_reserves:\n  id: WDPAID\n", ["line 1, nature_reserves", "'source' is missing", "source: wdpa.gpkg:polygons"]),
    ("nature_reserves:\n  source: nowhere.gpkg\n", ["line 2, nature_reserves.source", "nowhere.gpkg not found"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n  fields: {title: NAME}\n", ["line 3, nature_reserves.fields.title", "no attribute 'title'", "name, part"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n  set: {part: core zone}\n",
     ["line 3, nature_reserves.set.part", "'core zone' is not an allowed value", "core, buffer"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n  fields: NAME\n", ["line 3, nature_reserves.fields", "must be a table", "fields: {name: TEN"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n   fields: {}\n", ["line 3", "not valid YAML", "indentation"]),
    ("- wdpa.gpkg\n", ["line 1", "a mapping file is a table"]),
    ("nature_reserves: wdpa.gpkg\nwetlands: wdpa.gpkg\nnature_reserves: wdpa.gpkg\n", ["line 3, nature_reserves", "written twice (first on line 1)"]),
    ("nature_reserves:\n  source: wdpa.gpkg\n  fields: {name: NAME, name: DESIG}\n", ["line 3, nature_reserves.fields.name", "written twice"]),
])
def test_broken_mapping_file_names_line_key_and_what_to_write(tmp_path, text, expected):
    WDPA.to_file(tmp_path / "wdpa.gpkg", layer="polygons")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_layers(mapping, CRS)
    message = str(caught.value)
    assert str(mapping) in message and "dòng" in message  # Vietnamese first
    for part in expected:
        assert part in message


def test_mapping_names_a_column_the_data_lacks(tmp_path):
    WDPA.to_file(tmp_path / "wdpa.gpkg", layer="polygons")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("nature_reserves:\n  source: wdpa.gpkg\n  fields: {name: TEN}\n  set: {part: core}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_layers(mapping, CRS)
    assert "line 1, nature_reserves.fields.name" in str(caught.value) and "has no column 'TEN'" in str(caught.value)
    assert "WDPAID" in str(caught.value)


def test_point_in_a_mapping_file_keeps_its_id(tmp_path):
    intakes = gpd.GeoDataFrame({"OBJECTID": [3], "TEN_CT": ["Giếng A"]}, geometry=[Point(X0 + 10, Y0 + 10)], crs=CRS)
    intakes.to_file(tmp_path / "g.geojson")
    mapping = tmp_path / "map.yml"
    mapping.write_text("water_intakes:\n  source: g.geojson\n  fields: {name: TEN_CT}\n", encoding="utf-8")
    layers = read_layers(mapping, CRS)
    assert layers["water_intakes"]["source_id"].tolist() == ["3"] and layers["water_intakes"]["name"].tolist() == ["Giếng A"]


def test_where_that_keeps_nothing_names_the_values_found(tmp_path):
    WDPA.to_file(tmp_path / "wdpa.gpkg", layer="polygons")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("nature_reserves:\n  source: wdpa.gpkg\n  where: {STATUS: [Designate]}\n  set: {part: core}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_layers(mapping, CRS)
    assert "nature_reserves.where.STATUS: no feature" in str(caught.value) and "values found: Designated, Proposed" in str(caught.value)


def test_another_mapping_of_the_same_data_is_another_input(own_data):
    first = {s.kind: s.sha256 for s in read_layers(own_data, CRS).sources}
    own_data.write_text(MAPPING.replace('"Quốc gia đặc biệt": special_national', '"Quốc gia đặc biệt": national'), encoding="utf-8")
    second = {s.kind: s.sha256 for s in read_layers(own_data, CRS).sources}
    assert first["relic_zones"] != second["relic_zones"] and first["nature_reserves"] == second["nature_reserves"]


def test_a_build_made_before_the_rename_reads_under_the_new_name(small_build_path, tmp_path):
    import shutil
    import sqlite3

    old = tmp_path / "old-build.gpkg"
    shutil.copy(small_build_path, old)
    with sqlite3.connect(old) as db:  # as a build made before the rename wrote them
        db.execute("ALTER TABLE criteria RENAME COLUMN legal_status TO designation")
        db.execute("ALTER TABLE input_nature_reserves RENAME COLUMN legal_status TO designation")
    build = zoning.read_build(old)
    assert "legal_status" in build.criteria and "designation" not in build.criteria
    assert build.inputs["nature_reserves"]["legal_status"].tolist() == ["in_force", "in_force"]


def test_the_workspace_mapping_template_uncommented_is_a_mapping_file(tmp_path):
    from zoning.inputs.catalogue import load_catalogue
    from zoning.inputs.mapping import load_mapping
    from zoning.inputs.reference import find_province
    from zoning.outputs.workspace import mapping_template

    (tmp_path / "du-lieu").mkdir()
    for kind in load_catalogue().kinds:
        (tmp_path / "du-lieu" / f"{kind}.shp").write_bytes(b"")
    text = "\n".join(line[2:] if line.startswith("# ") and not line.startswith("# Tệp") and not line.startswith("# Bỏ")
                     and not line.startswith("# Uncomment") and not line.startswith("# Dùng") else line
                     for line in mapping_template(find_province("lang-son")).splitlines())
    mapping = tmp_path / "map.yaml"
    mapping.write_text(text, encoding="utf-8")
    entries = {e.kind: e for e in load_mapping(mapping, load_catalogue())}
    assert entries["nature_reserves"].values["part"] == {"giá trị trong dữ liệu": "core"}
    assert entries["nature_reserves"].fields == {"name": "TEN_COT", "part": "TEN_COT"}
