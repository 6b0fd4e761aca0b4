"""Vectorised overlay helpers: precision grid, disjoint partition by precedence, clipping.

All geometry work snaps to a 1 cm grid (OverlayNG snap-rounding): results are robust
and the same on every machine.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

GRID = 0.01  # metres
HIGH_DEGREE = 16  # above this many earlier neighbours, subtract their union at once


def overlapping_pairs(geometries: np.ndarray, others: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) whose interiors meet: ``geometries[i]`` and ``others[j]``.

    With ``others`` omitted, pairs within ``geometries`` with ``j < i``.
    """
    tree = STRtree(geometries if others is None else others)
    left, right = tree.query(geometries, predicate="intersects")
    if others is None:
        keep = right < left
        left, right = left[keep], right[keep]
        others = geometries
    meets = ~shapely.touches(geometries[left], others[right])
    return left[meets], right[meets]


def carve(geometries: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Make geometries disjoint: each keeps only what no earlier geometry covers.

    The input order is the precedence order. Returns the carved geometries (some may be
    empty) and the overlapping pairs ``(later, earlier)`` that were subtracted.

    Each geometry with few earlier neighbours has them subtracted one per round, all
    geometries of a round in one vectorised call; the rare geometry with many earlier
    neighbours has their union subtracted at once.
    """
    later, earlier = overlapping_pairs(geometries)
    out = geometries.copy()
    if len(later) == 0:
        return out, (later, earlier)
    order = np.lexsort((earlier, later))
    later, earlier = later[order], earlier[order]
    starts = np.flatnonzero(np.r_[True, later[1:] != later[:-1]])
    counts = np.diff(np.r_[starts, len(later)])
    rank = np.arange(len(later)) - np.repeat(starts, counts)
    degree = np.repeat(counts, counts)
    few = degree <= HIGH_DEGREE
    for k in range(int(rank[few].max(initial=-1)) + 1):
        pick = few & (rank == k)
        targets = later[pick]
        out[targets] = shapely.difference(out[targets], geometries[earlier[pick]], grid_size=GRID)
    for start, count in zip(starts[counts > HIGH_DEGREE], counts[counts > HIGH_DEGREE]):
        target = later[start]
        cover = shapely.union_all(geometries[earlier[start : start + count]], grid_size=GRID)
        out[target] = shapely.difference(out[target], cover, grid_size=GRID)
    return out, (later, earlier)


def clip(geometries: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """Clip geometries to ``area``; those wholly inside are only snapped to the grid."""
    shapely.prepare(area)
    inside = shapely.contains_properly(area, geometries)
    out = shapely.set_precision(geometries, GRID)
    cross = ~inside
    if cross.any():
        out[cross] = shapely.intersection(geometries[cross], area, grid_size=GRID)
    return out


def polygonal(geometries: np.ndarray) -> np.ndarray:
    """Keep only the polygon parts of each geometry (overlays can leave stray lines)."""
    out = geometries.copy()
    mixed = shapely.get_type_id(out) == shapely.GeometryType.GEOMETRYCOLLECTION
    for index in np.flatnonzero(mixed):
        parts = shapely.get_parts(out[index])
        parts = parts[np.isin(shapely.get_type_id(parts), [3, 6])]
        out[index] = shapely.union_all(parts, grid_size=GRID) if len(parts) else shapely.Polygon()
    return out
