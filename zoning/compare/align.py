"""Two builds on one footing: the same province, the same grid.

Builds of different provinces, or on different grids (another central meridian, another
projection), are refused. Builds whose CRS differ only in how the datum is tied to
WGS 84 (a bound CRS with its own ``+towgs84``, or the same VN-2000 / TM-3 grid defined
without its EPSG code) lie on the same grid: the old build is reprojected into the new
build's CRS, which leaves the coordinates as they are.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import shapely
from pyproj import CRS

from zoning.builder.model import Build
from zoning.errors import ZoningError
from zoning.inputs.crs import describe, reproject

SAME_PROVINCE_SHARE = 0.5  # two provinces sharing less than half the smaller one's land are different


def aligned(old: Build, new: Build) -> tuple[Build, list[str]]:
    """The old build in the new build's CRS, and notes on what was done.

    Raises
    ------
    ZoningError
        If the builds are of different provinces or on different grids (the message is
        in Vietnamese and English).
    """
    names = province_name(old), province_name(new)
    codes = [(b.manifest.get("province") or {}).get("code") for b in (old, new)]
    if None not in codes and codes[0] != codes[1]:
        raise _different_provinces(*names)
    notes: list[str] = []
    if not old.crs.equals(new.crs):
        if _grid(old.crs) != _grid(new.crs):
            raise ZoningError(
                (f"Hai bản phân vùng dùng hai hệ tọa độ khác nhau ({describe(old.crs, 'vi')} và {describe(new.crs, 'vi')})",
                 f"The two builds are in different coordinate systems ({describe(old.crs)} and {describe(new.crs)})"),
                ("Xây dựng lại một bản trong hệ tọa độ của bản kia (cùng kinh tuyến trục)", "rebuild one of them in the "
                    "other's CRS (the same central meridian)"),
            )
        old = _reprojected(old, new.crs)
        notes.append(
            f"Hệ tọa độ của hai bản chỉ khác nhau ở phép chuyển đổi sang WGS 84; bản cũ được chuyển sang {describe(new.crs)}. / "
            f"The builds' CRS differ only in their transformation to WGS 84; the old build was reprojected to {describe(new.crs)}."
        )
    old_land, new_land = province_land(old), province_land(new)
    shared = shapely.area(shapely.intersection(old_land, new_land))
    if shared < SAME_PROVINCE_SHARE * min(shapely.area(old_land), shapely.area(new_land)):
        raise _different_provinces(*names)
    return old, notes


def province_land(build: Build) -> shapely.Geometry:
    """The province's land: its input layer dissolved, else the three zones."""
    layer = build.input_layer("province")
    geometries = layer.geometry.to_numpy() if layer is not None else build.zones.geometry.to_numpy()
    return shapely.union_all(geometries)


def province_name(build: Build) -> str:
    """The province's name from the rules, else from the province layer, else ''."""
    province = build.manifest.get("province") or {}
    if province.get("name_vi"):
        return str(province["name_vi"])
    layer = build.input_layer("province")
    return str(layer["name"].iloc[0]) if layer is not None and "name" in layer and len(layer) else ""


def _different_provinces(old: str, new: str) -> ZoningError:
    return ZoningError(
        (f"Hai bản phân vùng không thuộc cùng một tỉnh ({old or '?'} và {new or '?'})", "The two builds are of different "
            f"provinces ({old or '?'} and {new or '?'})"),
        ("Chỉ so sánh được hai bản phân vùng của cùng một tỉnh", "only two zonings of the same province can be compared"),
    )


def _grid(crs: CRS) -> tuple:
    """What fixes coordinates on the ground up to the datum's tie to WGS 84."""
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    ellipsoid = base.ellipsoid
    shape = (round(ellipsoid.semi_major_metre, 3), round(ellipsoid.inverse_flattening, 6)) if ellipsoid else None
    if not base.is_projected:
        return ("geographic", shape)
    operation = base.coordinate_operation
    if operation is None:
        return ("projected", base.to_wkt(), shape)
    return (operation.method_name, tuple((p.name, round(float(p.value), 9)) for p in operation.params), shape)


def _reprojected(build: Build, crs: CRS) -> Build:
    """The build with every layer moved to ``crs`` (same grid: see the module notes)."""
    source = build.crs.source_crs if build.crs.is_bound and build.crs.source_crs is not None else build.crs
    target = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs

    def move(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        geometry = reproject(frame.geometry.to_numpy(), source, target)
        return gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=geometry, crs=crs)

    return dataclasses.replace(
        build,
        zones=move(build.zones),
        units=move(build.units),
        communes=move(build.communes),
        inputs={kind: move(build.inputs[kind]) for kind in build.inputs},
    )
