"""Display geometry: zones, units and communes simplified together for maps, keeping one topology.

The boundaries of the units, of the other zone and of the communes are noded into one
planar partition whose faces are simplified as a coverage and dissolved back, so on
screen the zones still tile the province with no slivers. The full-precision geometry
stays in the build; areas shown come from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from zoning.builder.model import Build
from zoning.builder.units import in_force
from zoning.errors import ZoningError

DEFAULT_TOLERANCE_M = 5.0


SNAP_DISTANCE_M = 1.0  # faces of the display coverage farther than this from any zone are dropped


@dataclass
class DisplayLayers:
    """Zones, units and communes simplified together, in the build's CRS.

    ``units`` and ``communes`` carry the row position in the build's ``units`` and
    ``communes`` layers (``row``); ``zones`` carries ``zone``.
    """

    zones: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    tolerance_m: float


def display_layers(build: Build, tolerance_m: float = DEFAULT_TOLERANCE_M, window: tuple[float, float, float, float] | None = None) -> DisplayLayers:
    """Simplify zones, units and communes for display, keeping one topology.

    The boundaries of the units, of the other zone and of the communes are noded into
    one planar partition (every shared edge exists once); each face is given its unit,
    zone and commune; the faces are simplified as a coverage
    (:func:`shapely.coverage_simplify`) and dissolved back. Zones therefore tile the
    province on screen, units fit their zone (proposed units, the other zone) and
    communes fit both, with no slivers.

    Parameters
    ----------
    build
        The build.
    tolerance_m
        Simplification tolerance in metres (0 keeps every vertex).
    window
        Optional ``(xmin, ymin, xmax, ymax)`` in the build's CRS to clip to first.
    """
    if not tolerance_m >= 0:
        raise ZoningError((f"dung sai hiển thị phải là số mét không âm, không phải {tolerance_m}", "the display tolerance must be "
            f"0 or more metres, not {tolerance_m}"),
                          ("ví dụ --tolerance 5", "e.g. --tolerance 5"))
    units, zones, communes = build.units, build.zones, build.communes
    unit_geoms = units.geometry.to_numpy()
    zone_geoms = zones.geometry.to_numpy()
    commune_geoms = communes.geometry.to_numpy()
    if window is not None:
        unit_geoms, zone_geoms, commune_geoms = (_clip(g, window) for g in (unit_geoms, zone_geoms, commune_geoms))
    other = zone_geoms[(zones["zone"] == "other").to_numpy()]
    linework = shapely.union_all(shapely.boundary(np.concatenate([unit_geoms, other, commune_geoms])))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    faces = faces[shapely.area(faces) > 0]
    points = shapely.point_on_surface(faces)

    unit_of = _locate(points, unit_geoms)
    zone_codes = zones["zone"].to_numpy()
    # proposed designations lie in the other zone: their faces are drawn as that zone
    unit_zone_pos = pd.Index(zone_codes).get_indexer(units["zone"].where(in_force(units), "other").to_numpy())
    zone_of = np.where(unit_of >= 0, unit_zone_pos[unit_of] if len(unit_zone_pos) else -1, _locate(points, zone_geoms))
    lost = zone_of < 0  # slivers between zone polygons: take the nearest zone
    zone_of[lost] = _nearest(points[lost], zone_geoms)
    needs_unit = (unit_of < 0) & (zone_of >= 0) & (zone_codes[np.maximum(zone_of, 0)] != "other")
    unit_of[needs_unit] = _nearest(points[needs_unit], unit_geoms)
    snapped = needs_unit & (unit_of >= 0)
    zone_of[snapped] = unit_zone_pos[unit_of[snapped]]
    keep = zone_of >= 0
    faces, unit_of, zone_of = faces[keep], unit_of[keep], zone_of[keep]
    commune_of = _locate(points[keep], commune_geoms)

    simple = shapely.coverage_simplify(faces, tolerance_m) if tolerance_m > 0 else faces
    crs = build.zones.crs
    zone_frame = _dissolve(simple, zone_of, crs).rename(columns={"key": "row"})
    zone_frame["zone"] = zone_codes[zone_frame["row"].to_numpy()]
    unit_frame = _dissolve(simple[unit_of >= 0], unit_of[unit_of >= 0], crs).rename(columns={"key": "row"})
    present = ~(shapely.is_missing(unit_geoms) | shapely.is_empty(unit_geoms))
    missing = np.setdiff1d(np.flatnonzero(present), unit_frame["row"].to_numpy())
    if len(missing):  # a unit made only of faces taken by a neighbour: draw it on its own
        extra = gpd.GeoDataFrame({"row": missing}, geometry=shapely.simplify(unit_geoms[missing], tolerance_m), crs=crs)
        unit_frame = pd.concat([unit_frame, extra], ignore_index=True).sort_values("row", ignore_index=True)
    commune_frame = _dissolve(simple[commune_of >= 0], commune_of[commune_of >= 0], crs).rename(columns={"key": "row"})
    return DisplayLayers(zone_frame, unit_frame, commune_frame, tolerance_m)


def _clip(geoms: np.ndarray, window: tuple[float, float, float, float]) -> np.ndarray:
    """Geometries clipped to a rectangle; None where nothing is left."""
    clipped = shapely.clip_by_rect(geoms, *window)
    clipped[shapely.is_empty(clipped)] = None
    return clipped


def _locate(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Position of the polygon containing each point (-1 where none does)."""
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) and len(polygons):
        tree = shapely.STRtree(polygons)
        p, q = tree.query(points, predicate="within")
        found[p] = q
    return found


def _nearest(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Position of the nearest polygon within SNAP_DISTANCE_M (-1 where none is)."""
    found = np.full(len(points), -1, dtype=np.int64)
    if len(points) and len(polygons):
        tree = shapely.STRtree(polygons)
        p, q = tree.query_nearest(points, max_distance=SNAP_DISTANCE_M, all_matches=False)
        found[p] = q
    return found


def _dissolve(geoms: np.ndarray, keys: np.ndarray, crs) -> gpd.GeoDataFrame:
    """Union of the faces per key (coverage union; plain union if GEOS refuses)."""
    frame = gpd.GeoDataFrame({"key": keys}, geometry=geoms, crs=crs)
    try:
        out = frame.dissolve("key", method="coverage")
    except GEOSException:
        out = frame.dissolve("key")
    return out.reset_index()
