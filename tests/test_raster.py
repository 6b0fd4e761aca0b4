"""Zones as a GeoTIFF, raster inputs and slope: expected values computed by hand.

Error bound of the cell-centre rule (zoning.outputs.raster): a misclassified point lies within
half a cell diagonal r = res/√2 of a zone boundary, so per class
|raster − vector| ≤ √2·res·L + n_rings·π·res²/2 (L the boundary length). On the hand-made
province at 5 m every square edge falls on a cell edge, so only the 100 m relic circle
can differ: by at most √2·5·628.3 + π·25/2 m² ≈ 0.45 ha.
"""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import rasterio
import shapely
from affine import Affine

from zoning.builder.model import read_build
from zoning.errors import InputError
from zoning.inputs.rasters import layer_from_raster, read_window, slope_degrees
from zoning.outputs.raster import aligned_grid, rasterize_blocks, write_raster

from .conftest import CRS, X0, Y0
from .test_build import LIMITED_HA, PROVINCE_HA, STRICT_HA

RELIC_PERIMETER = 32 * 2 * 100 * math.sin(math.pi / 32)  # the relic's 32-gon


def read_array(path):
    with rasterio.open(path) as src:
        return src.read(1), src


def write_dem(path, z, transform, crs=CRS, nodata=-9999.0):
    profile = {"driver": "GTiff", "width": z.shape[1], "height": z.shape[0], "count": 1, "dtype": "float32",
               "crs": pyproj.CRS(crs).to_wkt(), "transform": transform, "nodata": nodata}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z.astype("float32"), 1)
    return path


@pytest.fixture(scope="module")
def small_tif(small_build_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("raster") / "small-zones.tif"
    return write_raster(small_build_path, out, resolution=5)


@pytest.fixture(scope="module")
def demo_tif(demo_build_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("raster") / "demo-zones.tif"
    return write_raster(demo_build_path, out, resolution=50)


def test_small_province_class_areas_match_hand_computation(small_tif):
    relic_bound_ha = (math.sqrt(2) * 5 * RELIC_PERIMETER + math.pi * 5**2 / 2) / 10_000
    assert relic_bound_ha == pytest.approx(0.448, abs=1e-3)
    # every square edge (town, river bed and corridor, reserve) falls on a 5 m cell edge: exact
    assert small_tif.raster_ha["emission_limited"] == pytest.approx(LIMITED_HA, abs=1e-9)
    assert abs(small_tif.raster_ha["strict"] - STRICT_HA) <= relic_bound_ha
    assert abs(small_tif.raster_ha["other"] - (PROVINCE_HA - STRICT_HA - LIMITED_HA)) <= relic_bound_ha
    # the grid is the province exactly: 2,000 × 2,000 cells and no nodata
    assert (small_tif.grid.width, small_tif.grid.height) == (2000, 2000)
    assert sum(small_tif.cells.values()) == 2000 * 2000


def test_small_province_array_holds_the_hand_drawn_zones(small_tif):
    array, _ = read_array(small_tif.path)
    row = lambda y: int((Y0 + 10_000 - y) // 5)  # noqa: E731 - row of a northing
    col = lambda x: int((x - X0) // 5)  # noqa: E731
    assert array[row(Y0 + 1500), col(X0 + 1500)] == 1  # class II town
    assert array[row(Y0 + 7000), col(X0 + 7000)] == 1  # reserve core
    assert array[row(Y0 + 5500), col(X0 + 5500)] == 2  # reserve buffer ring
    assert array[row(Y0 + 3000 + 20), col(X0 + 100)] == 2  # river corridor (3,010–3,025)
    assert array[row(Y0 + 3000 + 30), col(X0 + 100)] == 3  # beyond the corridor
    assert array[row(Y0 + 500), col(X0 + 9500)] == 3


def test_demo_class_areas_within_the_bound(demo_tif, demo_build_path):
    build = read_build(demo_build_path)
    for zone, geometry in zip(build.zones["zone"], build.zones.geometry):
        parts = shapely.get_parts(geometry)
        rings = len(parts) + int(shapely.get_num_interior_rings(parts).sum())
        bound_ha = (math.sqrt(2) * 50 * geometry.length + rings * math.pi * 50**2 / 2) / 10_000
        assert demo_tif.bound_ha[zone] == pytest.approx(bound_ha, rel=1e-9)
        assert abs(demo_tif.raster_ha[zone] - geometry.area / 10_000) <= bound_ha
        # signed errors cancel along the boundary: far below the half-cell band L·res/2
        assert abs(demo_tif.raster_ha[zone] - geometry.area / 10_000) <= geometry.length * 50 / 2 / 10_000


def test_grid_is_aligned_and_nodata_outside(demo_tif, demo_build_path):
    build = read_build(demo_build_path)
    array, src = read_array(demo_tif.path)
    t = src.transform
    assert (t.c % 50, t.f % 50, t.a, t.e) == (0, 0, 50, -50)
    xmin, ymin, xmax, ymax = build.zones.total_bounds
    assert t.c <= xmin < t.c + 50 and t.f - 50 < ymax <= t.f
    assert t.c + src.width * 50 - 50 < xmax <= t.c + src.width * 50
    assert src.nodata == 0
    # cell centres outside every zone read 0; a point deep inside each zone reads its code
    rows, cols = np.meshgrid(np.arange(0, src.height, 97), np.arange(0, src.width, 97), indexing="ij")
    xs, ys = rasterio.transform.xy(t, rows.ravel(), cols.ravel())
    province = shapely.union_all(build.zones.geometry.to_numpy())
    inside = shapely.contains_xy(shapely.buffer(province, 50), np.asarray(xs), np.asarray(ys))
    assert (array[rows.ravel()[~inside], cols.ravel()[~inside]] == 0).all()
    assert (~inside).sum() > 100
    for code, zone in enumerate(("strict", "emission_limited", "other"), start=1):
        geometry = build.zones.set_index("zone").geometry[zone]
        core = shapely.get_parts(shapely.buffer(geometry, -200))
        point = max(core, key=lambda g: g.area).representative_point()
        r, c = rasterio.transform.rowcol(t, point.x, point.y)
        assert array[r, c] == code


def test_file_is_tiled_compressed_styled_and_tagged(small_tif, small_build_path):
    build = read_build(small_build_path)
    with rasterio.open(small_tif.path) as src:
        assert src.count == 1 and src.dtypes[0] == "uint8"
        assert src.compression.name.lower() == "deflate"
        assert src.profile["tiled"] and src.block_shapes[0] == (512, 512)
        assert pyproj.CRS(src.crs.to_wkt()).to_epsg() == 9210
        colours = src.colormap(1)
        assert colours[1] == (215, 25, 28, 255) and colours[2] == (253, 141, 60, 255) and colours[0][3] == 0
        tags = src.tags()
        assert tags["ZONING_BUILD_ID"] == build.build_id
        assert tags["CLASS_1"].startswith("strict") and "Vùng bảo vệ nghiêm ngặt" in tags["CLASS_1"]
        assert tags["CLASS_2"].startswith("emission_limited") and tags["CLASS_3"].startswith("other")
        assert src.overviews(1)  # draws fast when zoomed out


def test_blocks_give_the_same_grid_as_one_pass(small_build_path):
    build = read_build(small_build_path)
    grid = aligned_grid(tuple(build.zones.total_bounds), 20)
    codes = build.zones["zone"].map({"strict": 1, "emission_limited": 2, "other": 3}).to_numpy()
    whole = next(rasterize_blocks(build.zones.geometry.to_numpy(), codes, grid, block=10_000))[1]
    tiled = np.zeros_like(whole)
    for window, block in rasterize_blocks(build.zones.geometry.to_numpy(), codes, grid, block=96):
        assert block.shape[0] <= 96 and block.shape[1] <= 96
        tiled[window.toslices()] = block
    assert (tiled == whole).all()


def test_aligned_grid_snaps_outwards():
    grid = aligned_grid((1003.0, 2001.0, 1047.0, 2019.0), 10)
    assert grid.bounds == (1000.0, 2000.0, 1050.0, 2020.0) and (grid.width, grid.height) == (5, 2)
    with pytest.raises(InputError, match="resolution"):
        aligned_grid((0, 0, 1, 1), 0)


# ------------------------------------------------------------------------------ raster inputs


def test_slope_of_a_plane(tmp_path):
    a, b = 0.12, -0.05  # dz/dx, dz/dy → slope atan(0.13) = 7.4069°
    transform = Affine(30, 0, X0, 0, -30, Y0 + 3000)
    rows, cols = np.mgrid[0:100, 0:120]
    x, y = X0 + (cols + 0.5) * 30, Y0 + 3000 - (rows + 0.5) * 30
    dem = write_dem(tmp_path / "plane.tif", 100 + a * (x - X0) + b * (y - Y0), transform)
    window = read_window(dem, (X0 + 300, Y0 + 300, X0 + 1500, Y0 + 1500), CRS)
    slope = slope_degrees(window)
    expected = math.degrees(math.atan(math.hypot(a, b)))
    assert expected == pytest.approx(7.4069, abs=1e-4)
    assert np.allclose(slope, expected, atol=1e-3)
    # only the window was read: 40 × 40 cells plus a margin of 2 on each side
    assert window.array.shape == (44, 44)


def test_read_window_warps_a_raster_in_another_crs(tmp_path):
    # a plane in lon/lat degrees rising 1 m per 0.001° of longitude; in metres the slope is
    # atan(1 / (111,320 · cos φ · 0.001)) at latitude φ
    lon0, lat0 = 105.7, 22.55
    transform = Affine(0.0005, 0, lon0, 0, -0.0005, lat0 + 0.1)
    rows, cols = np.mgrid[0:200, 0:200]
    z = (cols + 0.5) * 0.5  # 0.5 m per 0.0005° of longitude
    dem = write_dem(tmp_path / "lonlat.tif", z, transform, crs="EPSG:4326")
    to_tm3 = pyproj.Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    x, y = to_tm3.transform(lon0 + 0.05, lat0 + 0.05)
    window = read_window(dem, (x - 1000, y - 1000, x + 1000, y + 1000), CRS)
    slope = slope_degrees(window)
    metres_per_degree = 111_320 * math.cos(math.radians(lat0 + 0.05))
    expected = math.degrees(math.atan(1 / (metres_per_degree * 0.001)))
    centre = slope[slope.shape[0] // 2 - 5: slope.shape[0] // 2 + 5, slope.shape[1] // 2 - 5: slope.shape[1] // 2 + 5]
    assert float(np.ma.median(centre)) == pytest.approx(expected, rel=0.02)


def test_read_window_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_window(tmp_path / "missing.tif", (0, 0, 1, 1), CRS)
    (tmp_path / "bad.tif").write_text("not a raster")
    with pytest.raises(InputError, match="cannot be read"):
        read_window(tmp_path / "bad.tif", (0, 0, 1, 1), CRS)


def test_land_cover_raster_feeds_a_layer(tmp_path):
    # a 10 × 10 class raster of 100 m cells: class 2 ("forest") in a 3 × 4 block and one lone cell
    classes = np.ones((10, 10), dtype="uint8")
    classes[2:5, 3:7] = 2
    classes[8, 8] = 2
    transform = Affine(100, 0, X0, 0, -100, Y0 + 1000)
    path = tmp_path / "landcover.tif"
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8", crs=CRS.to_wkt(), transform=transform) as dst:
        dst.write(classes, 1)
    layer = layer_from_raster(path, [2], (X0, Y0, X0 + 1000, Y0 + 1000), CRS, name="Rừng tự nhiên", block=4)
    assert sorted(layer.geometry.area.round(3)) == [10_000.0, 120_000.0]  # 1 cell, 12 cells (merged across blocks)
    assert set(layer["name"]) == {"Rừng tự nhiên"}
    big = layer.geometry[layer.geometry.area.idxmax()]
    assert big.equals(shapely.box(X0 + 300, Y0 + 500, X0 + 700, Y0 + 800))
