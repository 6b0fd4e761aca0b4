"""Synthetic national inputs on real adjacent provinces: Cao Bằng (shipped reference communes) and
Lạng Sơn (communes made here by cutting its shipped outline into a grid), with a nature reserve
on their border and a domestic-supply river across it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from zoning.inputs.reference import reference_layer

WGS84 = "EPSG:4326"
GRID = 2  # Lạng Sơn cut into GRID × GRID communes


def outlines() -> tuple[shapely.Geometry, shapely.Geometry]:
    """Cao Bằng as the union of its reference communes; Lạng Sơn's shipped outline less Cao Bằng (the two overlap in the shipped outlines)."""
    communes = reference_layer("communes")
    cao_bang = shapely.union_all(communes[communes["province_code"] == "04"].geometry.to_numpy())
    provinces = reference_layer("provinces")
    lang_son = provinces.loc[provinces["code"] == "20", "geometry"].iloc[0]
    return cao_bang, shapely.difference(lang_son, cao_bang)


def border_points() -> tuple[shapely.Point, shapely.Point]:
    """Two points of the Cao Bằng – Lạng Sơn border, far apart."""
    cao_bang, lang_son = outlines()
    shared = shapely.intersection(shapely.buffer(cao_bang.boundary, 1e-7), shapely.buffer(lang_son.boundary, 1e-7))
    coords = shapely.get_coordinates(shared)
    order = np.argsort(coords[:, 0])
    west, east = coords[order[len(order) // 4]], coords[order[3 * len(order) // 4]]
    return shapely.Point(west), shapely.Point(east)


def lang_son_frames() -> dict[str, gpd.GeoDataFrame]:
    """Lạng Sơn's province and GRID × GRID synthetic communes (WGS 84)."""
    _, lang_son = outlines()
    xmin, ymin, xmax, ymax = lang_son.bounds
    xs, ys = np.linspace(xmin, xmax, GRID + 1), np.linspace(ymin, ymax, GRID + 1)
    cells = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(GRID) for j in range(GRID)]
    pieces = [shapely.intersection(lang_son, cell) for cell in cells]
    pieces = [p for p in pieces if not p.is_empty and p.area > 0]
    communes = gpd.GeoDataFrame({"code": [f"20{i:03d}" for i in range(len(pieces))], "name": [f"Xã thử {i}" for i in range(len(pieces))]},
                                geometry=pieces, crs=WGS84)
    province = gpd.GeoDataFrame({"code": ["20"], "name": ["Lạng Sơn"]}, geometry=[lang_son], crs=WGS84)
    return {"province": province, "communes": communes}


def reserve_and_river(size_deg: float = 0.02) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A nature reserve (core) centred on the border, and a domestic-supply river (a 20 m line) across it."""
    west, east = border_points()
    reserve = gpd.GeoDataFrame({"id": ["kbt-1"], "name": ["Khu bảo tồn giáp ranh"], "part": ["core"], "category": ["nature_reserve"]},
                               geometry=[shapely.box(west.x - size_deg, west.y - size_deg, west.x + size_deg, west.y + size_deg)], crs=WGS84)
    river = gpd.GeoDataFrame({"id": ["song-1"], "name": ["Sông liên tỉnh"], "water_body": ["river"]},
                             geometry=[shapely.LineString([(east.x - 0.03, east.y + 0.03), (east.x, east.y), (east.x + 0.03, east.y - 0.03)])], crs=WGS84)
    return reserve, river


def province_folders(root: Path) -> Path:
    """ROOT in the one-folder-per-province form: the reserve given by Cao Bằng, the river and the boundaries by Lạng Sơn."""
    reserve, river = reserve_and_river()
    (root / "cao-bang").mkdir(parents=True)
    (root / "lang-son").mkdir(parents=True)
    reserve.to_file(root / "cao-bang" / "nature_reserves.geojson")
    river.to_file(root / "lang-son" / "water_supply_sources.geojson")
    for kind, frame in lang_son_frames().items():
        frame.to_file(root / "lang-son" / f"{kind}.geojson")
    return root


def near_border_home(inside_m: float = 300.0) -> shapely.Point:
    """A home in Cao Bằng about ``inside_m`` from Lạng Sơn, near the middle of their border (WGS 84)."""
    from zoning.inputs.crs import tm3_crs
    from zoning.inputs.reference import find_province

    cao_bang, lang_son = outlines()
    crs = tm3_crs(find_province("lang-son").central_meridian)
    cb, ls = gpd.GeoSeries([cao_bang, lang_son], crs=WGS84).to_crs(crs)
    border = shapely.intersection(shapely.buffer(cb.boundary, 1.0), ls.boundary)
    coords = shapely.get_coordinates(border)
    middle = shapely.Point(coords[len(coords) // 2])
    circle = shapely.get_coordinates(shapely.buffer(middle, inside_m, quad_segs=64).exterior)
    inside = [shapely.Point(c) for c in circle if cb.contains(shapely.Point(c))]
    home = max(inside, key=lambda p: shapely.distance(p, ls))
    return gpd.GeoSeries([home], crs=crs).to_crs(WGS84).iloc[0]


def siting_folders(root: Path) -> Path:
    """:func:`province_folders` with homes and water intakes: one home in each province far from the border, one in Cao Bằng
    near it (:func:`near_border_home`), one intake in each province.
    """
    province_folders(root)
    cao_bang, lang_son = outlines()
    far = [shapely.Point(c) for c in (cao_bang.representative_point().coords[0], lang_son.representative_point().coords[0])]
    homes = gpd.GeoDataFrame({"id": ["nha-cb", "nha-ls", "nha-bien"], "name": ["Xóm Cao", "Xóm Lạng", "Xóm Giáp Ranh"]},
                             geometry=[*far, near_border_home()], crs=WGS84)
    intakes = gpd.GeoDataFrame({"id": ["nuoc-cb", "nuoc-ls"], "name": ["Trạm nước Cao", "Trạm nước Lạng"]},
                               geometry=[shapely.Point(p.x + 0.05, p.y + 0.02) for p in far], crs=WGS84)
    homes.iloc[[0, 2]].to_file(root / "cao-bang" / "residential_areas.geojson")
    homes.iloc[[1]].to_file(root / "lang-son" / "residential_areas.geojson")
    intakes.iloc[[0]].to_file(root / "cao-bang" / "water_intakes.geojson")
    intakes.iloc[[1]].to_file(root / "lang-son" / "water_intakes.geojson")
    return root
