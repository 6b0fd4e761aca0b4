"""The zones as a raster (GeoTIFF).

:func:`write_raster` writes the zones of a build as a single-band GeoTIFF: 1 strict,
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
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyproj
import rasterio
import shapely
from affine import Affine
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.windows import Window

from zoning import terms
from zoning.builder.model import BuildLike, as_build
from zoning.errors import InputError
from zoning.files import atomic_path, check_output
from zoning.terms import ZONE_ORDER

ZONE_CODES: dict[str, int] = {zone: i + 1 for i, zone in enumerate(ZONE_ORDER)}  # strict 1, emission_limited 2, other 3
NODATA = 0
TILE = 512  # GeoTIFF tile size (pixels)
BLOCK = 4096  # rasterisation block (pixels per side): 16 MB of uint8
MAX_CELLS = 20_000_000_000  # a grid larger than this is a mistaken resolution, not a province
GDAL_CACHE_MB = 128  # GDAL's tile cache while writing (its default is 5 % of the RAM)
RASTER_SUFFIXES = (".tif", ".tiff")  # GeoTIFF


@dataclass(frozen=True)
class Grid:
    """A north-up grid: origin at a whole multiple of the resolution."""

    transform: Affine
    width: int
    height: int

    @property
    def resolution(self) -> float:
        """Cell size in metres."""
        return self.transform.a

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The grid's extent: (xmin, ymin, xmax, ymax)."""
        t = self.transform
        return (t.c, t.f - self.height * self.resolution, t.c + self.width * self.resolution, t.f)

    def windows(self, block: int = BLOCK) -> Iterator[Window]:
        """Windows of at most ``block`` × ``block`` pixels covering the grid, row by row."""
        for row in range(0, self.height, block):
            for col in range(0, self.width, block):
                yield Window(col, row, min(block, self.width - col), min(block, self.height - row))


@dataclass
class ZoneRaster:
    """What :func:`write_raster` wrote."""

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
        raise InputError((f"độ phân giải {resolution!r} không phải một số mét dương", f"resolution {resolution!r} is not a positive number of metres"),
                         ("ví dụ --resolution 10", "e.g. --resolution 10"))
    xmin, ymin, xmax, ymax = bounds
    left, bottom = math.floor(xmin / resolution) * resolution, math.floor(ymin / resolution) * resolution
    right, top = math.ceil(xmax / resolution) * resolution, math.ceil(ymax / resolution) * resolution
    width, height = round((right - left) / resolution), round((top - bottom) / resolution)
    return Grid(Affine(resolution, 0.0, left, 0.0, -resolution, top), max(width, 1), max(height, 1))


def zone_colours() -> dict[int, tuple[int, int, int, int]]:
    """The colour table: the zone colours of ``terms.yaml``; nodata transparent."""
    table = {NODATA: (0, 0, 0, 0)}
    for zone, code in ZONE_CODES.items():
        fill = terms.colour("zones", zone).lstrip("#")
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


def write_raster(
    build: BuildLike,
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
    build
        A build, or the path of a build file.
    out
        The GeoTIFF to write (replaced atomically if it exists).
    resolution
        Cell size in metres of the build CRS.
    block
        Pixels per side of a rasterisation block (memory ≈ block² bytes).
    overviews
        Add internal overviews (nearest cell: classes stay classes) so the file draws fast when zoomed out.
    progress
        Called with the name of each step.

    Returns
    -------
    ZoneRaster
        The file, its grid, and the area of each zone in the raster and in the build.

    Examples
    --------
    >>> import zoning
    >>> raster = zoning.write_raster("build.gpkg", "zones.tif", resolution=10)  # doctest: +SKIP
    >>> raster.raster_ha["strict"]  # doctest: +SKIP
    """
    if not (isinstance(resolution, (int, float)) and math.isfinite(resolution) and resolution > 0):
        raise InputError((f"--resolution {resolution}: độ phân giải phải là một số mét dương", f"--resolution {resolution}: the "
            "resolution must be a positive number of metres"),
                         ("ví dụ --resolution 10", "e.g. --resolution 10"))
    step = progress or (lambda _: None)
    started = time.perf_counter()
    step("reading the zones")
    build = as_build(build)
    zones = build.zones
    unknown = sorted(set(zones["zone"]) - set(ZONE_CODES))
    if unknown:
        raise InputError((f"{build.name}: giá trị vùng không hợp lệ {', '.join(unknown)} trong lớp 'zones'", f"{build.name}: unknown zone "
            f"value(s) {', '.join(unknown)} in layer 'zones'"),
                         (f"các giá trị được phép: {', '.join(ZONE_CODES)}; tạo lại tệp phân vùng bằng `zoning build`",
                          f"allowed values: {', '.join(ZONE_CODES)}; make the build again with `zoning build`"))
    grid = aligned_grid(tuple(zones.total_bounds), float(resolution))
    if grid.width * grid.height > MAX_CELLS:
        cells = grid.width * grid.height
        raise InputError(
            (f"lưới {resolution:g} m".replace(".", ",") + f" của tỉnh này có {terms.number(cells, 0)} ô, quá {terms.number(MAX_CELLS, 0)} ô",
             f"a {resolution:g} m grid of this province has {cells:,} cells, more than {MAX_CELLS:,}"),
            ("chọn --resolution thô hơn (10 m cho khoảng 1,4 × 10⁸ ô với một tỉnh 7.000 km²)",
             "choose a coarser --resolution (10 m gives about 1.4 × 10⁸ cells for a province of 7,000 km²)"),
        )
    codes = zones["zone"].map(ZONE_CODES).to_numpy()
    counts = np.zeros(256, dtype=np.int64)
    profile = {
        "driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1, "dtype": "uint8",
        "crs": build.crs.to_wkt(), "transform": grid.transform, "nodata": NODATA, "tiled": True,
        "blockxsize": TILE, "blockysize": TILE, "compress": "deflate", "zlevel": 6, "bigtiff": "if_safer",
    }
    out = check_output(out, build.sources(), suffixes=RASTER_SUFFIXES)
    step("rasterising")
    with atomic_path(out, build.sources()) as tmp, rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
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
        vi, en = terms.pair("zones", zone)
        tags[f"CLASS_{code}"] = f"{zone} | {en} | {vi}"
    notice = build.manifest.get("illustrative_notice")
    if notice:
        tags["ILLUSTRATIVE_NOTICE"] = notice
    return tags
