"""Raster inputs (a DEM, a land-cover raster), read window by window in the build CRS.

Only the window covering the area of interest is read, warped to the build CRS when
needed, never the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import shapely
from affine import Affine
from rasterio.enums import Resampling
from rasterio.features import shapes
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window, from_bounds

from zoning import terms
from zoning.errors import InputError


@dataclass(frozen=True)
class RasterWindow:
    """A window of a raster input, in the build CRS."""

    array: np.ma.MaskedArray
    transform: Affine
    crs: pyproj.CRS

    @property
    def cell_size(self) -> tuple[float, float]:
        """Width and height of a cell in the raster's units."""
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
        raise InputError((f"không tìm thấy tệp raster: {path}", f"raster not found: {path}"), ("kiểm tra đường dẫn", "check the path"))
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise _unreadable(path, exc) from None
    with src:
        if src.crs is None:
            raise InputError((f"{path}: raster không có hệ tọa độ (CRS)", f"{path} has no CRS"),
                             ("gán hệ tọa độ trong QGIS (Raster ▸ Projections ▸ Assign Projection) rồi chạy lại",
                              "assign one in QGIS (Raster ▸ Projections ▸ Assign Projection) and try again"))
        same = pyproj.CRS(src.crs.to_wkt()) == crs
        dataset = src if same else WarpedVRT(src, crs=crs.to_wkt(), resampling=resampling)
        try:
            res_x, res_y = abs(dataset.transform.a), abs(dataset.transform.e)
            xmin, ymin, xmax, ymax = bounds
            grown = (xmin - margin_cells * res_x, ymin - margin_cells * res_y, xmax + margin_cells * res_x, ymax + margin_cells * res_y)
            window = from_bounds(*grown, transform=dataset.transform).round_offsets().round_lengths()
            window = window.intersection(Window(0, 0, dataset.width, dataset.height))
            cells = window.width * window.height
            if cells > max_cells:
                raise InputError(
                    (
                        f"{path}: vùng cần đọc có {terms.number(cells, 0)} ô, quá {terms.number(max_cells, 0)} ô",
                        f"{path}: the area needs {cells:,} cells, more than {max_cells:,}",
                    ),
                    ("chọn vùng nhỏ hơn (ví dụ --communes) hoặc raster có độ phân giải thô hơn", "give a smaller area (e.g. --communes) or a coarser raster"),
                )
            array = dataset.read(band, window=window, masked=True)
            transform = dataset.window_transform(window)
        except rasterio.errors.WindowError:
            raise InputError(
                (f"{path}: raster không phủ vùng cần xét", f"{path} does not cover the area of interest"),
                ("dùng raster phủ toàn bộ tỉnh", "use a raster that covers the province"),
            ) from None
        finally:
            if dataset is not src:
                dataset.close()
    return RasterWindow(array, transform, crs)


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        (f"{path}: không đọc được thành raster ({exc})", f"{path} cannot be read as a raster ({exc})"),
        ("mở tệp bằng QGIS để kiểm tra; dùng GeoTIFF (.tif)", "open it in QGIS to check it; use a GeoTIFF (.tif)"),
    )


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
        raise _unreadable(path, exc) from None
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
        geometry=list(merged),
        crs=crs,
    )
