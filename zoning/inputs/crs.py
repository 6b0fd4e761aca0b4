"""VN-2000 / TM-3 coordinate systems by province, and pinned reprojection.

Provincial maps use the transverse Mercator 3° zone on the VN-2000 datum with the
province's central meridian, scale factor 0.9999 and false easting 500,000 m (Circular
973/2001/TT-TCĐC). EPSG defines many of these (5896–5899, 9205–9218); the others are
built here.

VN-2000 → WGS 84 has two EPSG transformations whose rotation conventions differ by about
half a metre on the ground. Every reprojection here uses EPSG:6960 ("VN-2000 to WGS 84
(2)", the seven parameters of Circular 973/2001) so results never depend on which
operation PROJ happens to rank first.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.crs import GeographicCRS, ProjectedCRS
from pyproj.crs.coordinate_operation import TransverseMercatorConversion
from pyproj.database import query_crs_info
from pyproj.exceptions import ProjError
from pyproj.transformer import TransformerGroup

from zoning.errors import InputError

WGS84 = CRS.from_epsg(4326)
PINNED_OPERATION = "VN-2000 to WGS 84 (2)"  # EPSG:6960, Circular 973/2001 parameters
TM3_SCALE = 0.9999
TM3_FALSE_EASTING = 500_000.0
TM3_HALF_WIDTH = 1.5  # degrees each side of the central meridian


def tm3_name(central_meridian: float) -> str:
    """EPSG-style name, e.g. ``VN-2000 / TM-3 105-45`` for 105°45'."""
    degrees = int(central_meridian)
    minutes = round((central_meridian - degrees) * 60)
    return f"VN-2000 / TM-3 {degrees}-{minutes:02d}"


@lru_cache(maxsize=64)
def tm3_crs(central_meridian: float) -> CRS:
    """The VN-2000 / TM-3 CRS of a central meridian (EPSG code where EPSG has one).

    EPSG names most of them "VN-2000 / TM-3 105-45" but some "… zone 482" (105°00',
    Hà Nội), so they are matched by their parameters.
    """
    for info in query_crs_info(auth_name="EPSG"):
        if info.name.startswith("VN-2000 / TM-3") and _is_tm3(CRS.from_epsg(int(info.code)), central_meridian):
            return CRS.from_epsg(int(info.code))
    name = tm3_name(central_meridian)
    conversion = TransverseMercatorConversion(
        latitude_natural_origin=0,
        longitude_natural_origin=central_meridian,
        false_easting=TM3_FALSE_EASTING,
        false_northing=0,
        scale_factor_natural_origin=TM3_SCALE,
    )
    return ProjectedCRS(conversion=conversion, name=name, geodetic_crs=GeographicCRS.from_epsg(4756))


def _is_tm3(crs: CRS, central_meridian: float) -> bool:
    operation = crs.coordinate_operation
    params = {p.name: p.value for p in operation.params} if operation is not None else {}
    return (
        abs(float(params.get("Longitude of natural origin", -1)) - central_meridian) < 1e-9
        and params.get("Scale factor at natural origin") == TM3_SCALE
        and params.get("False easting") == TM3_FALSE_EASTING
        and params.get("False northing") == 0
    )


def describe(crs: CRS, lang: str = "en") -> str:
    """Short human label: name and EPSG code where there is one (``lang`` says when there is none)."""
    code = crs.to_epsg()
    return f"{crs.name} (EPSG:{code})" if code else f"{crs.name} ({'không có mã EPSG' if lang == 'vi' else 'no EPSG code'})"


@lru_cache(maxsize=64)
def transformer(source: CRS, target: CRS) -> Transformer:
    """A lon/lat-ordered transformer pinned to EPSG:6960 where the datum changes."""
    group = TransformerGroup(source, target, always_xy=True)
    candidates = group.transformers
    if not candidates:
        raise InputError((f"không có phép chuyển đổi tọa độ từ {source.name} sang {target.name}", "no coordinate operation from "
            f"{source.name} to {target.name}"),
                         ("kiểm tra hệ tọa độ (CRS) của lớp dữ liệu", "check the layer's coordinate reference system"))
    for candidate in candidates:
        if PINNED_OPERATION in candidate.description:
            return candidate
    return candidates[0]


def lonlat_bounds(bounds: tuple[float, float, float, float], crs: CRS) -> tuple[float, float, float, float]:
    """Bounds (xmin, ymin, xmax, ymax) in ``crs`` as WGS 84 longitude/latitude bounds."""
    if crs == WGS84:
        return tuple(float(b) for b in bounds)  # type: ignore[return-value]
    return tuple(float(b) for b in transformer(crs, WGS84).transform_bounds(*bounds, densify_pts=21))  # type: ignore[return-value]


def tm3_zone(central_meridian: float) -> tuple[float, float]:
    """The longitudes (west, east) of the 3° zone of a central meridian."""
    return central_meridian - TM3_HALF_WIDTH, central_meridian + TM3_HALF_WIDTH


def reproject(geometries: np.ndarray, source: CRS, target: CRS) -> np.ndarray:
    """Reproject an array of shapely geometries (vectorised, pinned transformation)."""
    if source == target:
        return geometries
    t = transformer(source, target)

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = t.transform(coords[:, 0], coords[:, 1], errcheck=True)
        return np.column_stack([x, y])

    try:
        return shapely.transform(geometries, _apply)
    except ProjError as exc:
        raise InputError(
            (f"không chuyển được tọa độ từ {source.name} sang {target.name} ({exc})", "coordinates cannot be transformed "
                f"from {source.name} to {target.name} ({exc})"),
            ("kiểm tra hệ tọa độ (CRS) khai báo của lớp có đúng là hệ của các tọa độ trong đó không", "check that the layer's CRS is "
                "the one its coordinates are in"),
        ) from None


def made_valid(geometries):
    """Geometries made valid where the change of CRS left a ring touching itself (nanometres from a province's own).

    A multi-part geometry has only its invalid parts repaired when that is enough (a zone of a
    province has thousands of parts: repairing it whole took 18 s, its few invalid parts 1 s).
    """
    invalid = np.flatnonzero(~shapely.is_valid(geometries))
    if not len(invalid):
        return geometries
    geometries = geometries.copy()
    for i in invalid:
        parts = shapely.get_parts(geometries[i])
        broken = ~shapely.is_valid(parts)
        if len(parts) > 1 and broken.sum() < len(parts):
            parts = parts.copy()
            parts[broken] = shapely.make_valid(parts[broken], method="structure", keep_collapsed=False)
            mended = shapely.get_parts(parts)
            mended = shapely.multipolygons(mended[shapely.get_type_id(mended) == shapely.GeometryType.POLYGON])
            if shapely.is_valid(mended):
                geometries[i] = mended
                continue
        geometries[i] = shapely.make_valid(geometries[i], method="structure", keep_collapsed=False)
    return geometries
