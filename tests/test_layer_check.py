"""`zoning layers check`: every problem of every layer in one run, as a workbook and a web page."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from shapely.geometry import LineString
from typer.testing import CliRunner

from zoning.cli import app
from zoning.errors import InputError
from zoning.inputs.layercheck import check_layers
from zoning.inputs.layers import read_layers

from .conftest import CRS, X0, Y0, admin_layers, frame, square

runner = CliRunner()


@pytest.fixture
def broken(tmp_path):
    """A folder whose urban areas, nature reserves and relic zones each have problems (7 rows in all)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for kind, layer in admin_layers().items():
        layer.to_file(folder / f"{kind}.gpkg")
    frame([
        {"id": "u1", "name": "Thị xã A", "urban_class": "VI", "class_2026": "II", "geometry": square(1000, 1000, 500)},
        {"id": "u2", "name": "Thị trấn B", "urban_class": "VII", "class_2026": "III", "geometry": square(3000, 1000, 500)},
        {"id": "u3", "name": "Thị trấn C", "urban_class": "IV", "class_2026": None, "geometry": square(5000, 1000, 500)},
        {"id": "u4", "name": "Thị trấn D", "urban_class": "V", "class_2026": "III", "geometry": square(7000, 1000, 500)},
    ]).to_file(folder / "urban_areas.gpkg")
    frame([  # no `part` column at all, and a category no one knows
        {"id": "n1", "name": "Khu bảo tồn D", "category": "national_park", "DIEN_TICH": 400, "geometry": square(6000, 6000, 2000)},
        {"id": "n2", "name": "Khu bảo tồn E", "category": "park", "DIEN_TICH": 100, "geometry": square(1000, 6000, 1000)},
    ]).to_file(folder / "nature_reserves.gpkg")
    frame([
        {"id": "d1", "name": "Di tích E", "protection_zone": "I", "buffer_m": None, "geometry": LineString([(X0 + 10, Y0 + 10), (X0 + 90, Y0 + 90)])},
        {"id": "d2", "name": "Di tích F", "protection_zone": "I", "buffer_m": -5.0, "geometry": square(2000, 8000, 100)},
    ]).to_file(folder / "relic_zones.gpkg")
    return folder


def problem_rows(path):
    sheet = load_workbook(path)["Vấn đề - Problems"]
    header = [c.value for c in sheet[2]]
    return header, [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=3) if any(c.value for c in row)]


def test_problems_in_three_layers_reported_in_one_run(broken, tmp_path):
    report = tmp_path / "report" / "check.xlsx"
    result = runner.invoke(app, ["layers", "check", str(broken), "--out", str(report)])
    assert result.exit_code == 2, result.output  # a build would refuse these layers
    header, rows = problem_rows(report)
    assert header[:4] == ["Lớp / Layer", "Mã đối tượng / Feature id", "Trường / Field", "Giá trị / Value"]
    assert len(rows) == 7
    got = [(r["Lớp / Layer"], r["Mã đối tượng / Feature id"], r["Trường / Field"], r["Giá trị / Value"]) for r in rows]
    assert got == [  # the files in name order
        ("nature_reserves", None, "part", None),
        ("nature_reserves", "n2", "category", "park"),
        ("relic_zones", "d1", "geometry", "LineString"),
        ("relic_zones", "d2", "buffer_m", "-5.0"),
        ("urban_areas", "u1", "urban_class", "VI"),
        ("urban_areas", "u2", "urban_class", "VII"),
        ("urban_areas", "u3", "class_2026", None),
    ]
    assert "missing attribute(s) part" in rows[0]["Problem"] and "mapping file" in rows[0]["What to do"]
    assert rows[4]["Vấn đề"].endswith("(các đối tượng u1, u2)") and "allowed values: special, I, II, III, IV, V" in rows[4]["What to do"]
    # what a build notes is in the report too: the column not used
    notes = [c.value for c in load_workbook(report)["Ghi chú - Notes"]["A"]]
    assert any("column(s) not used: DIEN_TICH" in str(n) for n in notes)
    page = report.with_suffix(".html").read_text(encoding="utf-8")
    assert page.index("Vấn đề") < page.index("Problems") and "7 vấn đề" in page and "Thị xã A" not in page
    assert page.count("<tr><td>") == 7 + 2  # the problems, then the layers read without problems (province, communes)
    # a build stops at the first
    with pytest.raises(InputError) as caught:
        read_layers(broken, CRS)
    assert "missing attribute(s) part" in str(caught.value) and "urban_class" not in str(caught.value)


def test_clean_layers_pass_with_the_province_crs(tmp_path):
    import zoning

    report = tmp_path / "ok.xlsx"
    result = runner.invoke(app, ["layers", "check", str(zoning.demo_paths().layers), "--province", "Cao Bằng", "-o", str(report),
                                 "--html", str(tmp_path / "ok.html")])
    assert result.exit_code == 0, result.output
    assert problem_rows(report)[1] == []
    assert "EPSG:9210" in (tmp_path / "ok.html").read_text(encoding="utf-8")


def test_check_goes_on_past_a_broken_file_and_a_mapping_mistake(tmp_path):
    for kind, layer in admin_layers().items():
        layer.to_file(tmp_path / f"{kind}.gpkg")
    (tmp_path / "wetlands.shp").write_bytes(b"not a shapefile")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("province: province.gpkg\ncommunes: communes.gpkg\nwetlands: wetlands.shp\n"
                       "urban_areas:\n  source: communes.gpkg\n  fields: {urban_class: LOAI}\n", encoding="utf-8")
    check = check_layers(mapping)
    assert check.refused and [p.layer for p in check.problems] == ["wetlands", "urban_areas"]
    assert "cannot be read as a vector layer" in check.problems[0].message[1]
    assert "has no column 'LOAI'" in check.problems[1].message[1]
    assert sorted(check.layers.layers) == ["communes", "province"]


def test_a_missing_province_layer_is_a_problem_unless_a_province_is_given(tmp_path):
    frame([{"name": "Đầm A", "geometry": square(0, 0, 100)}]).to_file(tmp_path / "wetlands.gpkg")
    alone = check_layers(tmp_path)
    assert [p.layer for p in alone.problems] == ["province, communes"]
    with_province = check_layers(tmp_path, province="cao-bang")
    assert not with_province.refused and with_province.crs.to_epsg() == 9210
    assert any(n.startswith("province, communes: ") and "a build will use the 2025 reference boundaries of Cao Bang Province" in n
               for n in with_province.notes)


def test_layers_without_a_subcommand_still_list_the_kinds():
    for args in (["layers"], ["layers", "list"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "water_supply_sources" in result.output


def test_report_cannot_replace_an_input(broken):
    result = runner.invoke(app, ["layers", "check", str(broken), "--out", str(broken / "urban_areas.xlsx")])
    assert result.exit_code == 2 and "urban_areas.xlsx" in result.output
    assert not (broken / "urban_areas.xlsx").exists()


def test_dates_that_cannot_be_read_are_problems_of_their_features(tmp_path):
    for kind, layer in admin_layers().items():
        layer.to_file(tmp_path / f"{kind}.gpkg")
    frame([
        {"id": "n1", "name": "A", "part": "core", "decision_date": "05/03/2001", "geometry": square(0, 0, 100)},
        {"id": "n2", "name": "B", "part": "core", "decision_date": "31/02/2001", "geometry": square(200, 0, 100)},
        {"id": "n3", "name": "C", "part": "kernel", "decision_date": "hôm qua", "geometry": square(400, 0, 100)},
    ]).to_file(tmp_path / "nature_reserves.gpkg")
    rows = check_layers(tmp_path).rows()
    assert [(r["feature"], r["field"], r["value"]) for r in rows] == [("n3", "part", "kernel"), ("n2", "decision_date", "31/02/2001"),
                                                                      ("n3", "decision_date", "hôm qua")]


def test_a_meridian_whose_zone_misses_the_province_is_a_problem_as_in_a_build(tmp_path):
    """The demo province spans about 105.3–106.8°E: 108.75's zone (107.25–110.25°E) misses it, its own 105.75's holds it."""
    import zoning
    from zoning.inputs.crs import tm3_zone

    layers = zoning.demo_paths().layers
    west, _, east, _ = read_layers(layers, None).extents["province"]
    low, high = tm3_zone(108.75)
    assert east < high and west < low  # independently: the province is not inside the far zone
    far = check_layers(layers, province="Cao Bằng", central_meridian=108.75)
    meridian_rows = [row for row in far.rows() if row["layer"] == "province" and "múi 3°" in row["problem_vi"]]
    assert far.refused and len(meridian_rows) == 1
    assert "108.75" in meridian_rows[0]["problem_vi"] and "105.75" in meridian_rows[0]["hint_vi"]  # names the province's own meridian
    with pytest.raises(InputError, match="múi 3°"):  # the build refuses the same layers and meridian
        zoning.build(layers, province="Cao Bằng", central_meridian=108.75)
    assert not check_layers(layers, province="Cao Bằng", central_meridian=105.75).refused
