"""Vectorised overlay helpers: partition by precedence, merge, clip, areas by pairs.

Overlays run in full floating precision (GEOS OverlayNG): a carved piece's new edges lie
on its neighbour's edges to within nanometres, so areas add up exactly. Snapping to a
grid would move every new vertex by up to half a cell and leave slivers along every
shared edge. Floating-point dust (parts under 1 cm²) is dropped.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import STRtree

DUST_M2 = 1e-4  # polygon parts smaller than 1 cm² are floating-point dust
TOUCH = 0.001  # metres: polygons closer than this are merged as touching
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
        out[targets] = shapely.difference(out[targets], geometries[earlier[pick]])
    for start, count in zip(starts[counts > HIGH_DEGREE], counts[counts > HIGH_DEGREE]):
        target = later[start]
        cover = shapely.union_all(geometries[earlier[start : start + count]])
        out[target] = shapely.difference(out[target], cover)
    return out, (later, earlier)


def components(count: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``count`` nodes linked by edges (left, right)."""
    labels = np.arange(count)
    while True:
        low = np.minimum(labels[left], labels[right])
        before = labels.copy()
        np.minimum.at(labels, left, low)
        np.minimum.at(labels, right, low)
        labels = labels[labels]  # pointer jumping
        if np.array_equal(labels, before):
            return labels


def merge(geometries: np.ndarray) -> shapely.MultiPolygon:
    """Union of polygons that mostly do not meet: only groups that touch are unioned.

    Cascaded union of every polygon costs far more when most are apart, as zone units
    are; the groups are found with one STRtree query.
    """
    geometries = geometries[~shapely.is_empty(geometries)]
    if len(geometries) == 0:
        return shapely.MultiPolygon()
    # "dwithin" and not "intersects": snapped edges that nearly coincide must merge too
    left, right = STRtree(geometries).query(geometries, predicate="dwithin", distance=TOUCH)
    keep = left < right
    labels = components(len(geometries), left[keep], right[keep])
    order = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1]])
    counts = np.diff(np.r_[starts, len(order)])
    pieces = [geometries[order[starts[counts == 1]]]]
    for start, count in zip(starts[counts > 1], counts[counts > 1]):
        pieces.append(np.array([shapely.union_all(geometries[order[start : start + count]])]))
    merged = shapely.MultiPolygon(list(shapely.get_parts(polygonal(np.concatenate(pieces)))))
    return merged if merged.is_valid else polygonal(np.array([shapely.union_all(geometries)]))[0]


def intersection_areas(geometries: np.ndarray, areas_of: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i, j) where ``geometries[i]`` and ``areas_of[j]`` share area, and that area.

    Geometries lying wholly inside one of ``areas_of`` (most of them) skip the overlay.
    """
    tree = STRtree(geometries)
    inside_area, inside = tree.query(areas_of, predicate="contains_properly")
    left, right = tree.query(areas_of, predicate="intersects")[::-1]
    whole = np.zeros(len(geometries), dtype=bool)
    whole[inside] = True
    cut = ~whole[left]
    left, right = left[cut], right[cut]
    area = shapely.area(shapely.intersection(geometries[left], areas_of[right]))
    share = area > 0
    pairs_left = np.r_[inside, left[share]]
    pairs_right = np.r_[inside_area, right[share]]
    return pairs_left, pairs_right, np.r_[shapely.area(geometries[inside]), area[share]]


def clip(geometries: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """Clip geometries to ``area``; those wholly inside are only snapped to the grid."""
    shapely.prepare(area)
    inside = shapely.contains_properly(area, geometries)
    out = geometries.copy()
    cross = ~inside
    if cross.any():
        out[cross] = shapely.intersection(geometries[cross], area)
    return out


def polygonal(geometries: np.ndarray) -> np.ndarray:
    """Each geometry as a MultiPolygon of its polygon parts, without dust.

    Overlays can leave stray lines and points, and floating-point slivers of a few
    square nanometres; neither is land.
    """
    parts, index = shapely.get_parts(geometries, return_index=True)
    nested = shapely.get_type_id(parts) >= shapely.GeometryType.MULTIPOINT
    if nested.any():  # members of geometry collections may be multi-part themselves
        sub, sub_index = shapely.get_parts(parts[nested], return_index=True)
        parts, index = np.r_[parts[~nested], sub], np.r_[index[~nested], index[nested][sub_index]]
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & (shapely.area(parts) >= DUST_M2)
    out = np.array([shapely.MultiPolygon()] * len(geometries), dtype=object)
    if keep.any():
        order = np.argsort(index[keep], kind="stable")
        shapely.multipolygons(parts[keep][order], indices=index[keep][order], out=out)
    return out
