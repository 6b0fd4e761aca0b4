"""Zones as a raster, and raster inputs read window by window.

:func:`write_zone_raster` writes the zones of a build as a single-band GeoTIFF: 1 strict,
2 emission-limited, 3 other, 0 (nodata) outside the province; in the build CRS, on a grid
whose origin is a whole multiple of the resolution, DEFLATE-compressed and tiled, with
the class names and the build id in its tags and a colour table for GIS software.

The grid is rasterised block by block (each block only sees the zone parts that touch
it, clipped to it), so memory stays at one block whatever the size of the province.

A cell takes the class of the zone that holds its centre (GDAL's default rule). Error
bound: a point of a misclassified cell is within half a cell diagonal (r = res/√2) of a
zone boundary, so the land that changes class lies in the r-neighbourhood of the
boundaries, whose area is at most 2·r·L + π·r² per ring (L the boundary length). Hence,
per class,

    |raster area − vector area| ≤ √2 · res · L + n_rings · π · res² / 2.

Signed errors cancel along a boundary, so the real difference is far smaller (typically
well under L · res / 10); the bound above is the one that always holds.

Raster inputs (a DEM, a land-cover raster) are read through :func:`read_window`: only the
window covering the area of interest is read, warped to the build CRS when needed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import shapely
import yaml
from affine import Affine
from rasterio.enums import Resampling
from rasterio.features import rasterize, shapes
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window, from_bounds

from zoning.data import path as resource
from zoning.builder.model import atomic_path, read_build
from zoning.errors import InputError
from zoning.law.criteria import ZONE_NAMES, ZONE_ORDER

ZONE_CODES: dict[str, int] = {zone: i + 1 for i, zone in enumerate(ZONE_ORDER)}  # strict 1, emission_limited 2, other 3
NODATA = 0
TILE = 512  # GeoTIFF tile size (pixels)
BLOCK = 4096  # rasterisation block (pixels per side): 16 MB of uint8
MAX_CELLS = 20_000_000_000  # a grid larger than this is a mistaken resolution, not a province
GDAL_CACHE_MB = 128  # GDAL's tile cache while writing (its default is 5 % of the RAM)


@dataclass(frozen=True)
class Grid:
    """A north-up grid: origin at a whole multiple of the resolution."""

    transform: Affine
    width: int
    height: int

    @property
    def resolution(self) -> float:
        return self.transform.a

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        t = self.transform
        return (t.c, t.f - self.height * self.resolution, t.c + self.width * self.resolution, t.f)

    def windows(self, block: int = BLOCK) -> Iterator[Window]:
        """Windows of at most ``block`` × ``block`` pixels covering the grid, row by row."""
        for row in range(0, self.height, block):
            for col in range(0, self.width, block):
                yield Window(col, row, min(block, self.width - col), min(block, self.height - row))


@dataclass
class ZoneRaster:
    """What :func:`write_zone_raster` wrote."""

    path: Path
    grid: Grid
    crs: pyproj.CRS
    build_id: str
    cells: dict[str, int]  # cells per zone
    raster_ha: dict[str, float]
    vector_ha: dict[str, float]
    bound_ha: dict[str, float]  # the rasterisation error bound per zone (see module notes)
    seconds: float
    extra: dict = field(default_factory=dict)


def aligned_grid(bounds: tuple[float, float, float, float], resolution: float) -> Grid:
    """The smallest grid of ``resolution`` covering ``bounds``, its edges on whole multiples of it."""
    if not (resolution > 0 and math.isfinite(resolution)):
        raise InputError(f"resolution {resolution!r} is not a positive number of metres", "e.g. --resolution 10")
    xmin, ymin, xmax, ymax = bounds
    left, bottom = math.floor(xmin / resolution) * resolution, math.floor(ymin / resolution) * resolution
    right, top = math.ceil(xmax / resolution) * resolution, math.ceil(ymax / resolution) * resolution
    width, height = round((right - left) / resolution), round((top - bottom) / resolution)
    return Grid(Affine(resolution, 0.0, left, 0.0, -resolution, top), max(width, 1), max(height, 1))


def zone_colours() -> dict[int, tuple[int, int, int, int]]:
    """The colour table: the zone fills of ``maps/style.yaml``; nodata transparent."""
    style = yaml.safe_load(resource("web", "style.yaml").read_text(encoding="utf-8"))["zones"]
    table = {NODATA: (0, 0, 0, 0)}
    for zone, code in ZONE_CODES.items():
        fill = style[zone]["fill"].lstrip("#")
        table[code] = (int(fill[0:2], 16), int(fill[2:4], 16), int(fill[4:6], 16), 255)
    return table


def error_bound_ha(geometry: shapely.Geometry | np.ndarray, resolution: float) -> np.ndarray:
    """The rasterisation error bound in ha: √2·res·L + n_rings·π·res²/2 (see module notes)."""
    geometry = np.asarray(geometry, dtype=object)
    length = shapely.length(geometry)
    parts = [shapely.get_parts(g) for g in geometry]
    rings = np.array([int(np.sum(shapely.get_num_interior_rings(p)) + len(p)) for p in parts])
    return (math.sqrt(2) * resolution * length + rings * math.pi * resolution**2 / 2) / 10_000


def rasterize_blocks(
    geometries: np.ndarray, values: np.ndarray, grid: Grid, block: int = BLOCK, fill: int = NODATA
) -> Iterator[tuple[Window, np.ndarray]]:
    """Yield ``(window, uint8 array)`` for each block of the grid (cell-centre rule).

    Geometries are split into parts and indexed once; each block rasterises only the parts
    that touch it, clipped to the block, so neither memory nor time grows with the parts
    far from a block.
    """
    parts, index = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    part_values = np.asarray(values)[index]
    tree = shapely.STRtree(parts)
    res = grid.resolution
    for window in grid.windows(block):
        transform = grid.transform @ Affine.translation(window.col_off, window.row_off)
        left, top = transform.c, transform.f
        rect = (left - res, top - (window.height + 1) * res, left + (window.width + 1) * res, top + res)
        hits = tree.query(shapely.box(*rect))
        shape = (int(window.height), int(window.width))
        if len(hits) == 0:
            yield window, np.full(shape, fill, dtype=np.uint8)
            continue
        clipped = shapely.clip_by_rect(parts[hits], *rect)
        keep = ~shapely.is_empty(clipped)
        array = rasterize(
            zip(clipped[keep], part_values[hits][keep].tolist()), out_shape=shape, transform=transform, fill=fill, dtype="uint8"
        ) if keep.any() else np.full(shape, fill, dtype=np.uint8)
        yield window, array


def write_zone_raster(
    build_path: str | Path,
    out: str | Path,
    resolution: float = 10.0,
    *,
    block: int = BLOCK,
    overviews: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ZoneRaster:
    """Write the zones of a build as a GeoTIFF (see the module notes); atomically.

    Parameters
    ----------
    build_path
        The build GeoPackage.
    out
        The GeoTIFF to write (replaced atomically if it exists).
    resolution
        Cell size in metres of the build CRS.
    block
        Pixels per side of a rasterisation block (memory ≈ block² bytes).
    overviews
        Add internal overviews (nearest cell: classes stay classes) so the file draws fast when zoomed out.
    """
    step = progress or (lambda _: None)
    started = time.perf_counter()
    step("reading the zones")
    build = read_build(build_path)
    zones = build.zones
    unknown = sorted(set(zones["zone"]) - set(ZONE_CODES))
    if unknown:
        raise InputError(f"{build_path}: unknown zone value(s) {', '.join(unknown)} in layer 'zones'")
    grid = aligned_grid(tuple(zones.total_bounds), float(resolution))
    if grid.width * grid.height > MAX_CELLS:
        raise InputError(
            f"a {resolution:g} m grid of this province has {grid.width * grid.height:,} cells, more than {MAX_CELLS:,}",
            "choose a coarser --resolution (10 m gives about 1.4 × 10⁸ cells for a province of 7,000 km²)",
        )
    codes = zones["zone"].map(ZONE_CODES).to_numpy()
    counts = np.zeros(256, dtype=np.int64)
    profile = {
        "driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1, "dtype": "uint8",
        "crs": build.crs.to_wkt(), "transform": grid.transform, "nodata": NODATA, "tiled": True,
        "blockxsize": TILE, "blockysize": TILE, "compress": "deflate", "zlevel": 6, "bigtiff": "if_safer",
    }
    out = Path(out)
    step("rasterising")
    with atomic_path(out) as tmp, rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        with rasterio.open(tmp, "w", **profile) as dst:
            for window, array in rasterize_blocks(zones.geometry.to_numpy(), codes, grid, block):
                dst.write(array, 1, window=window)
                counts += np.bincount(array.ravel(), minlength=256)
            dst.write_colormap(1, zone_colours())
            dst.update_tags(**raster_tags(build, resolution))
            dst.update_tags(1, **{f"CLASS_{code}": zone for zone, code in ZONE_CODES.items()}, CLASS_0="nodata (outside the province)")
            dst.set_band_description(1, "zone: 1 strict, 2 emission_limited, 3 other")
            if overviews:
                step("overviews")
                factors = [f for f in (2, 4, 8, 16, 32, 64) if max(grid.width, grid.height) / f >= 256]
                if factors:
                    dst.build_overviews(factors, Resampling.nearest)
    cell_ha = resolution**2 / 10_000
    vector = dict(zip(zones["zone"], zones.geometry.area / 10_000))
    bounds = dict(zip(zones["zone"], error_bound_ha(zones.geometry.to_numpy(), resolution)))
    return ZoneRaster(
        path=out, grid=grid, crs=build.crs, build_id=build.build_id,
        cells={z: int(counts[c]) for z, c in ZONE_CODES.items()},
        raster_ha={z: float(counts[c] * cell_ha) for z, c in ZONE_CODES.items()},
        vector_ha={z: float(vector.get(z, 0.0)) for z in ZONE_CODES},
        bound_ha={z: float(bounds.get(z, 0.0)) for z in ZONE_CODES},
        seconds=time.perf_counter() - started,
    )


def raster_tags(build, resolution: float) -> dict[str, str]:
    """Dataset tags: what the file is, the classes (vi/en), the build id and the rule."""
    tags = {
        "TITLE": "Environmental zones (Decree 08/2022/ND-CP Art. 22) / Phân vùng môi trường",
        "ZONING_BUILD_ID": build.build_id,
        "ZONING_RULESET": str(build.manifest.get("ruleset", "")),
        "ZONING_PACKAGE": str(build.manifest.get("package", "")),
        "RESOLUTION_M": f"{resolution:g}",
        "CELL_RULE": "a cell takes the zone holding its centre",
        "NODATA": f"{NODATA} = outside the province",
    }
    for zone, code in ZONE_CODES.items():
        vi, en = ZONE_NAMES[zone]
        tags[f"CLASS_{code}"] = f"{zone} | {en} | {vi}"
    notice = build.manifest.get("illustrative_notice")
    if notice:
        tags["ILLUSTRATIVE_NOTICE"] = notice
    return tags


# ------------------------------------------------------------------------------ raster inputs


@dataclass(frozen=True)
class RasterWindow:
    """A window of a raster input, in the build CRS."""

    array: np.ma.MaskedArray
    transform: Affine
    crs: pyproj.CRS

    @property
    def cell_size(self) -> tuple[float, float]:
        return abs(self.transform.a), abs(self.transform.e)


def read_window(
    path: str | Path,
    bounds: tuple[float, float, float, float],
    crs: pyproj.CRS,
    *,
    band: int = 1,
    resampling: Resampling = Resampling.bilinear,
    margin_cells: int = 2,
    max_cells: int = 50_000_000,
) -> RasterWindow:
    """Read the part of a raster covering ``bounds`` (in ``crs``), in ``crs``.

    A raster in another CRS is warped on the fly (``WarpedVRT``); only the window of the
    bounds (plus a margin of cells) is read, never the whole file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"raster not found: {path}", "check the path")
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{path} cannot be read as a raster ({exc})") from None
    with src:
        if src.crs is None:
            raise InputError(f"{path} has no CRS", "assign one in QGIS (Raster ▸ Projections ▸ Assign Projection) and try again")
        same = pyproj.CRS(src.crs.to_wkt()) == crs
        dataset = src if same else WarpedVRT(src, crs=crs.to_wkt(), resampling=resampling)
        try:
            res_x, res_y = abs(dataset.transform.a), abs(dataset.transform.e)
            xmin, ymin, xmax, ymax = bounds
            grown = (xmin - margin_cells * res_x, ymin - margin_cells * res_y, xmax + margin_cells * res_x, ymax + margin_cells * res_y)
            window = from_bounds(*grown, transform=dataset.transform).round_offsets().round_lengths()
            window = window.intersection(Window(0, 0, dataset.width, dataset.height))
            if window.width * window.height > max_cells:
                raise InputError(f"{path}: the area needs {window.width * window.height:,} cells, more than {max_cells:,}", "give a smaller area (e.g. --communes) or a coarser raster")
            array = dataset.read(band, window=window, masked=True)
            transform = dataset.window_transform(window)
        except rasterio.errors.WindowError:
            raise InputError(f"{path} does not cover the area of interest", "use a raster that covers the province") from None
        finally:
            if dataset is not src:
                dataset.close()
    return RasterWindow(array, transform, crs)


def slope_degrees(dem: RasterWindow) -> np.ma.MaskedArray:
    """Slope in degrees from a DEM window in a metric CRS (central differences)."""
    dx, dy = dem.cell_size
    z = np.ma.filled(dem.array.astype("float64"), np.nan)
    gy, gx = np.gradient(z, dy, dx)
    slope = np.degrees(np.arctan(np.hypot(gx, gy)))
    return np.ma.masked_invalid(slope)


def polygons_of_mask(mask: np.ndarray, transform: Affine) -> np.ndarray:
    """The cells where ``mask`` is true, as polygons (``rasterio.features.shapes``)."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return np.array([], dtype=object)
    geoms = [shapely.geometry.shape(g) for g, _ in shapes(mask.astype("uint8"), mask=mask, transform=transform, connectivity=4)]
    return np.asarray(geoms, dtype=object)


def layer_from_raster(
    path: str | Path,
    values: list[int],
    bounds: tuple[float, float, float, float],
    crs: pyproj.CRS,
    *,
    name: str = "",
    block: int = 2048,
) -> gpd.GeoDataFrame:
    """Polygons of the cells of a class raster (e.g. land cover) whose value is in ``values``.

    The raster is read in windows of ``block`` cells (warped to ``crs`` when needed), only
    over ``bounds``; the polygons of neighbouring windows are merged. The result can feed
    a layer kind (e.g. natural forest declared as an "other sensitive area").
    """
    path = Path(path)
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{path} cannot be read as a raster ({exc})") from None
    pieces: list[np.ndarray] = []
    with src:
        same = src.crs is not None and pyproj.CRS(src.crs.to_wkt()) == crs
        dataset = src if same else WarpedVRT(src, crs=crs.to_wkt(), resampling=Resampling.nearest)
        try:
            full = from_bounds(*bounds, transform=dataset.transform).round_offsets().round_lengths()
            full = full.intersection(Window(0, 0, dataset.width, dataset.height))
            for row in range(int(full.row_off), int(full.row_off + full.height), block):
                for col in range(int(full.col_off), int(full.col_off + full.width), block):
                    window = Window(col, row, min(block, full.col_off + full.width - col), min(block, full.row_off + full.height - row))
                    data = dataset.read(1, window=window, masked=True)
                    mask = np.isin(np.ma.filled(data, -1 if data.dtype.kind == "i" else 0), values) & ~np.ma.getmaskarray(data)
                    pieces.append(polygons_of_mask(mask, dataset.window_transform(window)))
        finally:
            if dataset is not src:
                dataset.close()
    geoms = np.concatenate(pieces) if pieces else np.array([], dtype=object)
    merged = shapely.get_parts(shapely.coverage_union_all(geoms)) if len(geoms) else geoms
    return gpd.GeoDataFrame(
        {"source_id": [f"{path.stem}:{i + 1}" for i in range(len(merged))], "name": name or path.stem, "raster_values": ",".join(map(str, values))},
        geometry=list(merged), crs=crs,
    )


def read_zone_raster_tags(path: str | Path) -> dict[str, str]:
    """The dataset tags of a zone GeoTIFF (for checks and reports)."""
    with rasterio.open(path) as src:
        return dict(src.tags())


__all__ = [
    "ZONE_CODES", "NODATA", "Grid", "ZoneRaster", "RasterWindow", "aligned_grid", "error_bound_ha", "rasterize_blocks",
    "write_zone_raster", "read_window", "slope_degrees", "polygons_of_mask", "layer_from_raster", "zone_colours",
]
