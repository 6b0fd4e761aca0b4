"""Reading sites: files, CSV of coordinates, a point or WKT on the command line; swapped
coordinates detected and reported; clear errors for what cannot be used."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from zoning.demo import demo_paths
from zoning.errors import InputError
from zoning.inputs.crs import WGS84, tm3_crs, transformer
from zoning.inputs.sites import apply_defaults, parse_crs, read_sites

from .conftest import CRS, X0, Y0

TYPES = ["sanitary_landfill", "wastewater_treatment", "hydropower", "solid_waste_complex", "hazardous_waste", "landfill_closure", "other"]


def lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS 84 lon/lat of a point of the hand-made province (pinned VN-2000 transformation)."""
    return transformer(CRS, WGS84).transform(X0 + x, Y0 + y)


def test_reads_every_layer_of_a_geopackage():
    sites = read_sites(demo_paths().sites, CRS, types=TYPES)
    frame = sites.frame
    assert len(frame) == 13
    assert sorted(set(frame["source_layer"])) == ["hydropower", "waste_sites"]
    assert frame.crs == CRS
    row = frame.set_index("site_id").loc["wt-02"]
    assert (row["type"], row["capacity"], row["capacity_unit"]) == ("sanitary_landfill", 20.0, "t/day")
    assert bool(row["illustrative"]) and not frame.set_index("site_id").loc["td_1", "illustrative"]
    assert read_sites(demo_paths().sites, CRS, layer="hydropower", types=TYPES).frame["site_id"].tolist() == ["td_6", "td_5", "td_4", "td_2", "td_3", "td_1"]


def test_csv_with_swapped_lat_lon_is_corrected_and_reported(tmp_path):
    points = {"a": (1500, 1500), "b": (4000, 6000), "c": (9000, 9000)}
    rows = []
    for site_id, (x, y) in points.items():
        lon, lat = lonlat(x, y)
        if site_id == "b":  # this row has its columns the wrong way round
            lon, lat = lat, lon
        rows.append(f"{site_id},Điểm {site_id},{lat!r},{lon!r}")
    path = tmp_path / "sites.csv"
    path.write_text("id,name,lat,lon\n" + "\n".join(rows) + "\n", encoding="utf-8")
    sites = read_sites(path, CRS, types=TYPES)
    xy = shapely.get_coordinates(sites.frame.geometry.to_numpy())
    expected = np.array([[X0 + x, Y0 + y] for x, y in points.values()])
    # the swapped row lands where it should (the VN-2000 round trip is exact to about 1 mm)
    assert np.abs(xy - expected).max() < 0.01
    notes = sites.frame.set_index("site_id")["input_note"]
    assert "latitude and longitude were swapped" in notes["b"] and notes["a"] == "" and notes["c"] == ""
    assert any(n.startswith("địa điểm b: vĩ độ và kinh độ bị đổi chỗ") and " / site b: latitude and longitude were swapped" in n for n in sites.notes)


def test_csv_vn2000_xy_with_northing_in_x(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(f"id,x,y\np1,{Y0 + 1500:.2f},{X0 + 2500:.2f}\np2,{X0 + 100:.2f},{Y0 + 200:.2f}\n", encoding="utf-8")
    sites = read_sites(path, CRS, crs="tm3:105.75")
    xy = shapely.get_coordinates(sites.frame.geometry.to_numpy())
    assert xy.tolist() == [[X0 + 2500, Y0 + 1500], [X0 + 100, Y0 + 200]]
    assert "northing in X" in sites.frame["input_note"][0] and sites.frame["input_note"][1] == ""
    # without --crs, x/y are read in the build's own CRS, and the notes say so
    default = read_sites(path, CRS)
    assert shapely.get_coordinates(default.frame.geometry.to_numpy()).tolist() == xy.tolist()
    assert any("x/y read as VN-2000 / TM-3 105-45 (EPSG:9210)" in n for n in default.notes)


def test_csv_errors_name_what_to_fix(tmp_path):
    # a bad row is set aside with its row number, column, value and reason; the good rows are read
    bad = tmp_path / "bad.csv"
    lon, lat = lonlat(1500, 1500)
    bad.write_text(f"id,lon,lat\nk1,{lon},{lat}\nk2,abc,22.7\n", encoding="utf-8")
    sites = read_sites(bad, CRS)
    assert sites.frame["site_id"].tolist() == ["k1"]
    assert [(r.row, r.column, r.value, r.reason_en) for r in sites.rejected] == [(3, "lon", "abc", "not a number")]
    # no row that can be read: refused, every row named, never GeoJSON or .prj advice
    only = tmp_path / "only.csv"
    only.write_text("id,lon,lat\nk2,abc,22.7\nk3,1062512,22.7\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_sites(only, CRS)
    text = str(refused.value)
    assert "row 2, column 'lon' = 'abc': not a number" in text and "row 3, column 'lon' = '1062512'" in text and "106.2512" in text
    assert "GeoJSON" not in text and ".prj" not in text
    none = tmp_path / "none.csv"
    none.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(InputError, match="no coordinate columns"):
        read_sites(none, CRS)
    capacity = tmp_path / "capacity.csv"
    capacity.write_text(f"id,lon,lat,capacity\nq1,{lon},{lat},lots\nq2,{lon},{lat},-3\nq3,{lon},{lat},12\n", encoding="utf-8")
    read = read_sites(capacity, CRS)
    assert read.frame["site_id"].tolist() == ["q3"] and read.frame["capacity"].tolist() == [12.0]
    assert [(r.row, r.column, r.value) for r in read.rejected] == [(2, "capacity", "lots"), (3, "capacity", "-3")]


def test_one_bad_longitude_in_twenty_rows_of_csv_and_xlsx(tmp_path):
    """The officer's 20-site list with one longitude typed 1062512: 19 sites read, row 8 named."""
    rows = ["STT,Tên dự án,Loại hình,Công suất,Đơn vị,Kinh độ,Vĩ độ,Ghi chú"]
    for i in range(1, 21):
        lon, lat = lonlat(100 + 100 * i, 1500)
        rows.append(f"{i},Dự án số {i},Bãi chôn lấp chất thải rắn hợp vệ sinh,{i * 10},tấn/ngày,{'1062512' if i == 7 else lon},{lat},ghi chú {i}")
    csv = tmp_path / "sites.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    xlsx = tmp_path / "sites.xlsx"
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append([float(c) if c.replace(".", "").isdigit() and "." in c else c for c in row.split(",")])
    workbook.save(xlsx)
    for path in (csv, xlsx):
        sites = read_sites(path, CRS, types={"sanitary_landfill": "Bãi chôn lấp chất thải rắn hợp vệ sinh | Sanitary landfill"})
        frame = sites.frame
        assert len(frame) == 19 and "7" not in frame["site_id"].tolist()
        assert frame["name"].tolist()[:2] == ["Dự án số 1", "Dự án số 2"]
        assert set(frame["type"]) == {"sanitary_landfill"} and frame["capacity"].tolist()[:2] == [10.0, 20.0]
        assert frame["capacity_unit"].iloc[0] == "tấn/ngày"
        [row] = sites.rejected
        assert (row.row, row.column, row.value) == (8, "Kinh độ", "1062512")
        assert row.reason_vi.startswith("không phải kinh độ") and "106.2512" in row.reason_vi
        assert any("columns not used: 'Ghi chú'" in n for n in sites.notes)


@pytest.mark.parametrize("header", [
    "ma,ten du an,loai hinh du an,cong suat,don vi,kinh do,vi do",
    "MÃ,TÊN CÔNG TRÌNH,LOẠI HÌNH,CÔNG SUẤT,ĐƠN VỊ,KINH ĐỘ,VĨ ĐỘ",
    "Mã,Tên,Loại hình dự án,Công suất,Đơn vị,Kinh độ (°),Vĩ độ (°)",
])
def test_vietnamese_column_names_with_or_without_diacritics(tmp_path, header):
    lon, lat = lonlat(1500, 1500)
    path = tmp_path / "vn.csv"
    path.write_text(f"{header},Huyện\nA1,Bãi rác Nà Lữ,sanitary landfill,120,tấn/ngày,{lon},{lat},Hòa An\n"
                    f"A1,Trạm xử lý,WASTEWATER_PLANT,500,m3/ngày đêm,{lon},{lat},Hòa An\n", encoding="utf-8")
    sites = read_sites(path, CRS, types={"sanitary_landfill": "Bãi chôn lấp chất thải rắn hợp vệ sinh | Sanitary landfill",
                                          "wastewater_plant": "Nhà máy xử lý nước thải | Wastewater treatment plant"})
    frame = sites.frame
    assert frame["site_id"].tolist() == ["A1", "A1-2"]  # duplicate ids reported and made unique
    assert frame["name"].tolist() == ["Bãi rác Nà Lữ", "Trạm xử lý"]
    assert frame["type"].tolist() == ["sanitary_landfill", "wastewater_plant"]
    assert frame["capacity"].tolist() == [120.0, 500.0] and frame["capacity_unit"].tolist() == ["tấn/ngày", "m3/ngày đêm"]
    assert any("site id 'A1' is given more than once (rows 2, 3)" in n for n in sites.notes)
    assert any("columns not used: 'Huyện'" in n for n in sites.notes)


def test_point_and_wkt_on_the_command_line():
    lon, lat = lonlat(1500, 1500)
    one = read_sites(None, CRS, point=f"{lon},{lat}")
    swapped = read_sites(None, CRS, point=f"{lat} {lon}")
    assert shapely.equals_exact(one.frame.geometry[0], swapped.frame.geometry[0], 1e-6)
    assert "swapped" in swapped.notes[0]
    x, y = shapely.get_coordinates(one.frame.geometry[0])[0]
    assert (x - X0, y - Y0) == pytest.approx((1500, 1500), abs=0.01)
    line = read_sites(None, CRS, wkt=f"LINESTRING ({X0} {Y0}, {X0 + 10} {Y0})", crs="EPSG:9210")
    assert line.frame.geometry[0].length == pytest.approx(10)
    with pytest.raises(InputError, match="exactly one"):
        read_sites(None, CRS)
    with pytest.raises(InputError, match="give two numbers"):
        read_sites(None, CRS, point="106.2")
    with pytest.raises(InputError, match="not valid WKT"):
        read_sites(None, CRS, wkt="POLYGON ((1 2, 3")


def test_empty_and_invalid_sites():
    with pytest.raises(InputError, match="have no geometry"):
        read_sites(None, CRS, wkt="POINT EMPTY")
    bowtie = gpd.GeoDataFrame({"id": ["bow"]}, geometry=[Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])], crs=CRS)
    with pytest.raises(InputError, match="feature bow has an invalid geometry .* cannot be repaired safely"):
        read_sites(bowtie, CRS)
    # a ring that runs back along its own edge: repaired without changing the area, and reported
    spike = Polygon([(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100), (X0, Y0), (X0 + 50, Y0)])
    sites = read_sites(gpd.GeoDataFrame({"id": ["s1"]}, geometry=[spike], crs=CRS), CRS)
    assert sites.frame.geometry[0].is_valid and sites.frame.geometry[0].area == pytest.approx(10_000)
    assert "invalid geometry repaired" in sites.frame["input_note"][0]


def test_types_are_checked_and_defaulted():
    frame = gpd.GeoDataFrame({"id": ["1", "2"], "type": ["Sanitary_Landfill", None]}, geometry=[Point(X0, Y0), Point(X0 + 1, Y0)], crs=CRS)
    sites = read_sites(frame, CRS, default_type="other", types=TYPES)
    assert sites.frame["type"].tolist() == ["sanitary_landfill", "other"]
    with pytest.raises(InputError, match="unknown value\\(s\\) of 'type': landfil"):
        read_sites(frame.assign(type=["landfil", None]), CRS, types=TYPES)
    with pytest.raises(InputError, match="--type 'dump' is not a project type"):
        read_sites(frame, CRS, default_type="dump", types=TYPES)


def test_file_without_crs_takes_the_crs_option(tmp_path):
    path = tmp_path / "sites.shp"
    with pytest.warns(UserWarning, match="'crs' was not provided"):  # a shapefile without its .prj
        gpd.GeoDataFrame({"id": ["l1"]}, geometry=[LineString([(X0, Y0), (X0 + 30, Y0 + 40)])]).to_file(path)
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_sites(path, CRS)
    sites = read_sites(path, CRS, crs="EPSG:9210")
    assert sites.frame.geometry[0].length == pytest.approx(50)
    assert any("no CRS in the file" in n for n in sites.notes)


def test_geojson_with_projected_coordinates(tmp_path):
    # GeoJSON is always read as WGS 84: VN-2000 metres in it are caught, not reprojected
    path = tmp_path / "sites.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "g1"}, '
                    f'"geometry": {{"type": "Point", "coordinates": [{X0 + 10}, {Y0 + 20}]}}}}]}}', encoding="utf-8")
    with pytest.raises(InputError, match="(?s)longitude/latitude .* but they are not.*--crs"):
        read_sites(path, CRS)
    sites = read_sites(path, CRS, crs="tm3:105.75")
    assert shapely.get_coordinates(sites.frame.geometry[0]).tolist() == [[X0 + 10, Y0 + 20]]


def test_duplicate_ids_across_layers_get_the_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    for layer in ("a", "b"):
        gpd.GeoDataFrame({"id": ["1"]}, geometry=[Point(X0, Y0)], crs=CRS).to_file(path, layer=layer)
    assert read_sites(path, CRS).frame["site_id"].tolist() == ["a:1", "b:1"]


def test_parse_crs():
    assert parse_crs("tm3:105.75") == tm3_crs(105.75) == parse_crs("EPSG:9210") == parse_crs("9210")
    with pytest.raises(InputError, match="not a coordinate reference system"):
        parse_crs("EPSG:nope")
    with pytest.raises(InputError, match="not in Việt Nam"):
        parse_crs("tm3:12")


def test_capacity_default_fills_only_what_is_missing():
    frame = gpd.GeoDataFrame({"id": ["1", "2"], "capacity": ["3 000,5".replace(" ", ""), None]}, geometry=[Point(X0, Y0), Point(X0 + 1, Y0)], crs=CRS)
    sites = read_sites(frame, CRS, default_capacity=800)
    assert sites.frame["capacity"].tolist() == [3000.5, 800.0]
    again = apply_defaults(read_sites(frame, CRS), default_type="other", default_capacity=5, types=TYPES)
    assert again.frame["capacity"].tolist() == [3000.5, 5.0] and again.frame["type"].tolist() == ["other", "other"]
    with pytest.raises(InputError, match="capacity -1"):
        read_sites(frame, CRS, default_capacity=-1)


def test_excel_table_of_coordinates(tmp_path):
    lon, lat = lonlat(1500, 1500)
    table = pd.DataFrame({"id": [7, 8], "Tên": ["A", "B"], "name": ["Trạm A", "Trạm B"], "kinh_do": [lon, lat], "vi_do": [lat, lon]})
    path = tmp_path / "sites.xlsx"
    table.to_excel(path, index=False)
    sites = read_sites(path, CRS)
    assert sites.frame["site_id"].tolist() == ["7", "8"] and sites.frame["name"].tolist() == ["Trạm A", "Trạm B"]
    # the second row has latitude and longitude swapped: corrected and reported, as for a CSV
    assert np.allclose(shapely.get_coordinates(sites.frame.geometry.to_numpy()), [[X0 + 1500, Y0 + 1500]] * 2, atol=1e-6)
    assert "swapped" in sites.frame["input_note"][1]
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        read_sites(tmp_path / "broken.xlsx", CRS)


def test_every_folder_of_a_kml(tmp_path):
    (a_lon, a_lat), (b_lon, b_lat) = lonlat(1000, 1000), lonlat(2000, 1000)
    path = tmp_path / "sites.kml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f'<Folder><name>Một</name><Placemark><name>A</name><Point><coordinates>{a_lon},{a_lat},0</coordinates></Point></Placemark></Folder>'
        '<Folder><name>Trống</name></Folder>'
        f'<Folder><name>Hai</name><Placemark><name>B</name><Point><coordinates>{b_lon},{b_lat},0</coordinates></Point></Placemark></Folder>'
        "</Document></kml>", encoding="utf-8")
    sites = read_sites(path, CRS)
    assert sorted(sites.frame["name"]) == ["A", "B"] and sorted(sites.frame["source_layer"]) == ["Hai", "Một"]
    coordinates = shapely.get_coordinates(sites.frame.sort_values("name").geometry.to_numpy())
    assert np.allclose(coordinates, [[X0 + 1000, Y0 + 1000], [X0 + 2000, Y0 + 1000]], atol=1e-6)
