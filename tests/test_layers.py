"""The front door: every input format, and a clear error for every user mistake."""

from __future__ import annotations

import shutil
import zipfile

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from zoning.errors import InputError
from zoning.inputs.crs import tm3_crs
from zoning.inputs.encoding import encode_legacy
from zoning.inputs.layers import read_layers

from .conftest import CRS, X0, Y0, admin_layers, frame, square

URBAN = frame([{"id": "u1", "name": "Thị xã A", "urban_class": "II", "class_2026": "II", "geometry": square(1000, 1000, 1000)}])


def write(frame_: gpd.GeoDataFrame, path, **kwargs):
    with pytest.warns() if path.suffix == ".shp" and any(len(c) > 10 for c in frame_.columns) else _nothing():
        frame_.to_file(path, **kwargs)
    return path


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson"])
def test_folder_of_files_named_by_kind(tmp_path, suffix):
    folder = tmp_path / "in"
    folder.mkdir()
    for kind, layer in {**admin_layers(), "urban_areas": URBAN}.items():
        write(layer, folder / f"{kind}{suffix}")
    (folder / "notes.txt").write_text("not a layer")
    layers = read_layers(folder, CRS)
    assert set(layers.layers) == {"province", "communes", "urban_areas"}
    assert layers["urban_areas"]["urban_class"].tolist() == ["II"]
    assert layers["urban_areas"].geometry.area.sum() == pytest.approx(1_000_000, rel=1e-9)
    assert all(len(s.sha256) == 64 for s in layers.sources)


def test_zipped_shapefile(tmp_path):
    shp = write(URBAN, tmp_path / "urban_areas.shp")
    archive = tmp_path / "in" / "urban_areas.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("urban_areas.*"):
            zf.write(part, part.name)
    layers = read_layers(archive.parent, CRS)
    assert layers["urban_areas"]["name"].tolist() == ["Thị xã A"]
    assert shp.exists()


def test_geopackage_layers_named_by_kind_and_unknown_layers_noted(tmp_path):
    path = tmp_path / "input.gpkg"
    write(URBAN, path, layer="urban_areas")
    write(URBAN, path, layer="roads")
    layers = read_layers(path, CRS)
    assert list(layers.layers) == ["urban_areas"]
    assert any("roads" in note for note in layers.notes)


def test_reprojection_from_wgs84_uses_the_pinned_transformation(tmp_path):
    # a point given in WGS 84 lands where EPSG:6960 (Circular 973 parameters) puts it
    wgs = gpd.GeoDataFrame({"name": ["Giếng"]}, geometry=[Point(106.25, 22.66)], crs=4326)
    layers = read_layers({"water_intakes": wgs}, CRS)
    from pyproj import Transformer

    pipeline = Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=push +v_3 "
        "+step +proj=cart +ellps=WGS84 +step +inv +proj=helmert +x=-191.90441429 +y=-39.30318279 "
        "+z=-111.45032835 +rx=-0.00928836 +ry=0.01975479 +rz=-0.00427372 +s=0.252906278 "
        "+convention=coordinate_frame +step +inv +proj=cart +ellps=WGS84 +step +proj=pop +v_3 "
        "+step +proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84"
    )
    x, y = pipeline.transform(106.25, 22.66)
    point = layers["water_intakes"].geometry.iloc[0]
    assert point.x == pytest.approx(x, abs=1e-3) and point.y == pytest.approx(y, abs=1e-3)


def test_input_is_never_modified(tmp_path):
    path = write(URBAN, tmp_path / "urban_areas.gpkg")
    before = path.read_bytes()
    read_layers(path, CRS)
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- errors


def error_of(source, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        read_layers(source, CRS, **kwargs)
    return str(caught.value)


def test_missing_file():
    assert "input not found" in error_of("/no/such/input.gpkg")


def test_missing_crs(tmp_path):
    shp = write(URBAN, tmp_path / "urban_areas.shp")
    shp.with_suffix(".prj").unlink()
    message = error_of(shp)
    assert "no coordinate reference system" in message and "urban_areas.shp" in message


def test_unknown_attribute_value_names_feature_and_allowed_values():
    bad = URBAN.assign(urban_class="VI")
    message = error_of({"urban_areas": bad})
    assert "unknown value(s) of 'urban_class': VI" in message
    assert "u1" in message and "special, I, II, III, IV, V" in message


def test_attribute_values_are_matched_case_insensitively():
    layers = read_layers({"urban_areas": URBAN.assign(urban_class="ii")}, CRS)
    assert layers["urban_areas"]["urban_class"].tolist() == ["II"]


def test_missing_required_attribute():
    message = error_of({"urban_areas": URBAN.drop(columns="urban_class")})
    assert "missing attribute(s) urban_class" in message


def test_wrong_geometry_type():
    lines = frame([{"id": "r9", "name": "X", "urban_class": "II", "class_2026": "II", "geometry": LineString([(X0, Y0), (X0 + 10, Y0)])}])
    message = error_of({"urban_areas": lines})
    assert "r9" in message and "LineString" in message and "polygon" in message


def test_empty_layer(tmp_path):
    message = error_of({"urban_areas": URBAN.iloc[0:0]})
    assert "the layer is empty" in message


def test_empty_geometry():
    message = error_of({"urban_areas": URBAN.assign(geometry=[Polygon()])})
    assert "u1" in message and "no geometry" in message


def test_not_a_number():
    rivers = frame([{"name": "S", "water_body": "river", "width_m": "rộng", "geometry": LineString([(X0, Y0), (X0 + 100, Y0)])}])
    assert "'width_m' is not a number" in error_of({"water_supply_sources": rivers})


def test_safe_repair_is_reported():
    # a ring that touches itself at one vertex ("bow" with a spike back): repair keeps the area
    ring = [(X0, Y0), (X0 + 100, Y0), (X0 + 100, Y0 + 100), (X0, Y0 + 100), (X0, Y0), (X0 + 50, Y0 + 50), (X0, Y0)]
    layer = frame([{"id": "u7", "name": "T", "urban_class": "IV", "class_2026": "III", "geometry": Polygon(ring)}])
    assert not layer.geometry.iloc[0].is_valid
    layers = read_layers({"urban_areas": layer}, CRS)
    assert layers["urban_areas"].geometry.is_valid.all()
    assert layers["urban_areas"].geometry.area.iloc[0] == pytest.approx(10_000, rel=1e-9)
    assert [r.feature_id for r in layers.repairs] == ["u7"]


def test_unsafe_repair_is_an_error():
    bowtie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    message = error_of({"urban_areas": frame([{"id": "b1", "name": "T", "urban_class": "IV", "class_2026": "III", "geometry": bowtie}])})
    assert "b1" in message and "cannot be repaired safely" in message


@pytest.mark.parametrize("encoding,name", [("TCVN3", "Thị xã Cao Bằng"), ("VNI", "Thị xã Hoà An")])
def test_legacy_encoded_shapefile_is_detected_and_converted(tmp_path, encoding, name):
    names = [name, "Thị trấn Nước Hai", "Khu Đông Khê"]
    legacy = [encode_legacy(n, encoding) for n in names]
    layer = frame([{"name": n, "urban_class": "III", "class_2026": "III", "geometry": square(i * 200, 0, 100)} for i, n in enumerate(legacy)])
    shp = write(layer, tmp_path / "urban_areas.shp", encoding="ISO-8859-1")
    shp.with_suffix(".cpg").unlink(missing_ok=True)  # old files have no .cpg
    message = error_of(shp)
    assert f"looks {encoding}-encoded" in message and f"--legacy-encoding {encoding.lower()}" in message
    layers = read_layers(shp, CRS, legacy_encoding=encoding)
    assert layers["urban_areas"]["name"].tolist() == names


def test_tm3_crs_uses_epsg_where_it_can_and_builds_it_elsewhere():
    assert tm3_crs(105.75).to_epsg() == 9210 and tm3_crs(107.25).to_epsg() == 9215
    # Hà Nội's 105°00' is in EPSG under another name: "VN-2000 / TM-3 zone 482"
    assert tm3_crs(105.0).to_epsg() == 5897
    built = tm3_crs(104.25)  # no EPSG code for 104°15'
    assert built.to_epsg() is None and built.name == "VN-2000 / TM-3 104-15"
    params = {p.name: p.value for p in built.coordinate_operation.params}
    assert params["Longitude of natural origin"] == 104.25
    assert params["Scale factor at natural origin"] == 0.9999
    assert params["False easting"] == 500_000
    assert built.geodetic_crs.to_epsg() == 4756  # the VN-2000 datum, so the pinned transformation applies


def test_pinned_transformation_differs_from_the_other_by_half_a_metre():
    # the two EPSG VN-2000 → WGS 84 transformations differ by ~0.5 m: we must be on EPSG:6960
    from pyproj.transformer import TransformerGroup

    from zoning.inputs.crs import transformer

    group = {t.description: t for t in TransformerGroup(4326, CRS, always_xy=True).transformers}
    other = next(t for d, t in group.items() if "VN-2000 to WGS 84 (1)" in d)
    ours = transformer(tm3_crs(105.75).geodetic_crs.__class__.from_epsg(4326), CRS)
    x1, y1 = ours.transform(106.25, 22.66)
    x2, y2 = other.transform(106.25, 22.66)
    gap = ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
    assert 0.1 < gap < 2.0
    assert "VN-2000 to WGS 84 (2)" in ours.description


def test_copy_of_demo_is_untouched(tmp_path):
    from zoning.resources import path as resource

    source = resource("layers", "demo", "cao-bang.gpkg")
    copy = tmp_path / "demo.gpkg"
    shutil.copy(source, copy)
    layers = read_layers(copy, CRS)
    assert len(layers["communes"]) == 56
    assert copy.read_bytes() == source.read_bytes()
    assert shapely.is_valid(layers["province"].geometry.to_numpy()).all()


def test_projected_coordinates_in_a_wgs84_file(tmp_path):
    # GeoJSON is always read as WGS 84: VN-2000 metres in it must be caught, not crash
    path = write(URBAN.set_crs(4326, allow_override=True), tmp_path / "urban_areas.geojson")
    message = error_of(path)
    assert "are not" in message and "longitude/latitude" in message
