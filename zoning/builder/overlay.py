"""Vectorised overlay helpers: partition by precedence, dissolve by tiles, clip, areas by pairs.

Overlays run in full floating precision (GEOS OverlayNG): a carved piece's new edges lie
on its neighbour's edges to within nanometres, so areas add up exactly. Snapping to a
grid would move every new vertex by up to half a cell and leave slivers along every
shared edge. Floating-point dust (parts under 1 cm²) is dropped.

GEOS releases Python's global lock, so long vectorised calls are split across threads,
one per CPU core.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely
from shapely import STRtree

from zoning.settings import settings

DUST_M2 = 1e-4  # polygon parts smaller than 1 cm² are floating-point dust
MIN_PIECE_M2 = 1.0  # overlaps smaller than this are rounding noise, not lineage
PAIR_QUERY_CHUNK = 2_048  # geometries whose candidate pairs are found and tested at a time
AREA_CHUNK = 8_192  # intersections made, measured and dropped at a time
HIGH_DEGREE = 16  # above this many earlier neighbours, subtract their union at once
SEAM_M = 1e-7  # vertices this close to the line through their neighbours are dropped at tile seams
SEAM_TOLERANCE_M = 1e-6  # a polygon whose bounds come this close to a seam is taken to reach it


def thread_map(func: Callable, items: Iterable) -> list:
    """``[func(item) for item in items]``, run on one thread per CPU core."""
    items = list(items)
    if settings.workers == 1 or len(items) < 2:
        return [func(item) for item in items]
    with ThreadPoolExecutor(settings.workers) as pool:
        return list(pool.map(func, items))


def threaded(func: Callable, *args, **kwargs) -> np.ndarray:
    """A vectorised shapely function over arrays, split into chunks run in parallel.

    Array arguments are sliced together; any other argument is passed whole.
    """
    count = next(len(a) for a in args if isinstance(a, np.ndarray) and a.ndim)
    if settings.workers == 1 or count < settings.threaded_min:
        return func(*args, **kwargs)
    edges = np.linspace(0, count, settings.workers * settings.chunks_per_worker + 1).astype(int)

    def chunk(bounds: tuple[int, int]) -> np.ndarray:
        part = slice(*bounds)
        return func(*(a[part] if isinstance(a, np.ndarray) and a.ndim and len(a) == count else a for a in args), **kwargs)

    return np.concatenate(thread_map(chunk, zip(edges[:-1], edges[1:])))


def overlapping_pairs(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j), ``j < i``, of geometries whose interiors meet, ordered by ``i``.

    The tree is queried ``PAIR_QUERY_CHUNK`` geometries at a time: long features' bounding
    boxes overlap by the thousand, and the candidate pairs of a whole dense province did not
    fit in memory (13.5 GB at 123,500 features, before the predicates had run).
    """
    tree = STRtree(geometries)
    found_left, found_right = [], []
    for start in range(0, len(geometries), PAIR_QUERY_CHUNK):
        rows = np.arange(start, min(start + PAIR_QUERY_CHUNK, len(geometries)))
        left, right = tree.query(geometries[rows])  # bounding boxes only: the predicates run threaded below
        left = rows[left]
        keep = right < left
        left, right = left[keep], right[keep]
        meets = threaded(shapely.intersects, geometries[left], geometries[right])
        left, right = left[meets], right[meets]
        meets = ~threaded(shapely.touches, geometries[left], geometries[right])
        found_left.append(left[meets])
        found_right.append(right[meets])
    if not found_left:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(found_left), np.concatenate(found_right)


def carve(geometries: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Make geometries disjoint: each keeps only what no earlier geometry covers.

    The input order is the precedence order. Returns the carved geometries (some may be
    empty) and the overlapping pairs ``(later, earlier, shared)``: ``shared`` is the area
    of ``later``'s land that lies in ``earlier``'s carved piece.

    Each geometry with few earlier neighbours has them subtracted one per round, in
    index order, all geometries of a round in one vectorised call; what a round removes
    is then exactly the shared area. The rare geometry with many earlier neighbours has
    their union subtracted at once, and its shared areas are computed afterwards.
    """
    later, earlier = overlapping_pairs(geometries)
    out = geometries.copy()
    shared = np.zeros(len(later))
    if len(later) == 0:
        return out, (later, earlier, shared)
    order = np.lexsort((earlier, later))
    later, earlier = later[order], earlier[order]
    starts = np.flatnonzero(np.r_[True, later[1:] != later[:-1]])
    counts = np.diff(np.r_[starts, len(later)])
    rank = np.arange(len(later)) - np.repeat(starts, counts)
    few = np.repeat(counts, counts) <= HIGH_DEGREE
    for k in range(int(rank[few].max(initial=-1)) + 1):
        pick = few & (rank == k)
        targets = later[pick]
        before = shapely.area(out[targets])
        out[targets] = threaded(shapely.difference, out[targets], geometries[earlier[pick]])
        shared[pick] = before - shapely.area(out[targets])
    many = counts > HIGH_DEGREE

    def carved(start_count: tuple[int, int]) -> shapely.Geometry:
        """A target less the union of its earlier neighbours, each cut to the target's bounding box first:
        long neighbours reach far beyond it (a province of the national bench at 5,000 features: 16.0 → 11.4 CPU-s).
        """
        start, count = start_count
        target = geometries[later[start]]  # untouched by the rounds above
        near = shapely.intersection(geometries[earlier[start : start + count]], shapely.box(*shapely.bounds(target)))
        return shapely.difference(target, shapely.union_all(near))

    out[later[starts[many]]] = thread_map(carved, zip(starts[many].tolist(), counts[many].tolist()))
    if not few.all():
        shared[~few] = pairwise_areas(out[earlier[~few]], geometries[later[~few]])
    return out, (later, earlier, shared)


def pairwise_areas(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The area of each pairwise intersection, ``AREA_CHUNK`` pairs at a time: the intersections
    are not kept (all of a dense province's at once took its worker from 4.4 to 13.3 GB).
    """
    areas = np.empty(len(a))
    for start in range(0, len(a), AREA_CHUNK):
        part = slice(start, start + AREA_CHUNK)
        areas[part] = shapely.area(threaded(shapely.intersection, a[part], b[part]))
    return areas


def tile_grid(bounds: tuple[float, float, float, float], size: float) -> np.ndarray:
    """Square tiles of ``size`` covering ``bounds``, row by row from the lower left."""
    x0, y0, x1, y1 = bounds
    columns, rows = max(1, int(np.ceil((x1 - x0) / size))), max(1, int(np.ceil((y1 - y0) / size)))
    grid_i, grid_j = np.meshgrid(np.arange(columns), np.arange(rows))
    i, j = grid_i.ravel(), grid_j.ravel()
    return shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)


def split_by_tiles(geometries: np.ndarray, tiles: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each tile, the indices of the geometries it meets and their pieces in it."""
    tile, index = STRtree(geometries).query(tiles, predicate="intersects")
    order = np.argsort(tile, kind="stable")
    tile, index = tile[order], index[order]
    pieces = geometries[index]
    cut = ~threaded(shapely.contains_properly, tiles[tile], pieces)
    pieces[cut] = polygonal(threaded(shapely.intersection, pieces[cut], tiles[tile[cut]]))
    bounds = np.searchsorted(tile, np.arange(len(tiles) + 1))
    return [(index[a:b], pieces[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def join_tiles(pieces: np.ndarray, tiles: np.ndarray) -> shapely.MultiPolygon:
    """Union of the per-tile pieces of one area, as if it had never been cut.

    Only polygons at a seam between tiles are joined, and only their outer rings: holes
    never reach a seam, so they are set aside and put back into the joined polygon that
    holds them. A joined boundary keeps a collinear vertex where it crossed a seam;
    simplifying by a tenth of a micrometre removes it, only where the result stays one valid
    polygon of the same area (moving no boundary by more than that distance): where an edge
    runs within that distance of another, dropping a vertex can make them cross, and the
    repair pinches the polygon in two (whose rings the holes could not be put back among) or
    drops the part beyond the crossing.
    """
    parts = shapely.get_parts(pieces[~shapely.is_empty(pieces)])
    at_seam = _at_seam(parts, tiles)
    joined = _joined_at_seams(parts[at_seam]) if at_seam.any() else parts[:0]
    return polygonal(np.array([shapely.MultiPolygon(list(parts[~at_seam]) + list(joined))]))[0]


def _joined_at_seams(parts: np.ndarray) -> np.ndarray:
    """Union of polygons cut at tile seams, holes set aside and put back (see join_tiles)."""
    rings, owner = shapely.get_rings(parts, return_index=True)
    outer = np.r_[True, owner[1:] != owner[:-1]]
    exact = shapely.get_parts(shapely.disjoint_subset_union_all(shapely.polygons(rings[outer])))
    cleaned = shapely.simplify(exact, SEAM_M, preserve_topology=False)
    one = shapely.get_type_id(cleaned) == shapely.GeometryType.POLYGON  # not pinched in two
    same = np.abs(shapely.area(cleaned) - shapely.area(exact)) <= shapely.length(exact) * SEAM_M  # no lobe dropped
    keep = one & same & shapely.is_valid(cleaned) & ~shapely.is_empty(cleaned)
    joined = exact.copy()
    joined[keep] = cleaned[keep]
    holes = rings[~outer]
    if not len(holes):
        return joined
    inside = shapely.point_on_surface(shapely.polygons(holes))
    host = np.full(len(holes), -1)
    polygon, hole = STRtree(inside).query(joined, predicate="contains")  # each polygon prepared once
    host[hole] = polygon
    if (host < 0).any():  # a point on a boundary, to floating precision
        host[host < 0] = STRtree(joined).query_nearest(inside[host < 0], all_matches=False)[1]
    out = _with_holes(joined, holes, host)
    check = np.flatnonzero(keep & np.isin(np.arange(len(joined)), host))
    crossed = check[~shapely.is_valid(out[check])]  # a simplified shell now running along a hole that touched it
    if len(crossed):
        joined[crossed] = exact[crossed]
        out = _with_holes(joined, holes, host)
    return out


def _with_holes(shells: np.ndarray, holes: np.ndarray, host: np.ndarray) -> np.ndarray:
    """Polygons with their rings and the holes given them (``host``: the polygon of each hole)."""
    rings, index = shapely.get_rings(shells, return_index=True)
    rings, index = np.r_[rings, holes], np.r_[index, host]
    order = np.argsort(index, kind="stable")  # each polygon's shell stays first
    return shapely.polygons(rings[order], indices=index[order])


def _at_seam(polygons: np.ndarray, tiles: np.ndarray) -> np.ndarray:
    """Which polygons reach a seam between tiles (their bounds lie on an inner tile edge)."""
    edges = shapely.bounds(tiles)
    xs, ys = np.unique(edges[:, [0, 2]]), np.unique(edges[:, [1, 3]])
    xs, ys = xs[1:-1], ys[1:-1]
    x0, y0, x1, y1 = shapely.bounds(polygons).T

    def on(values: np.ndarray, lines: np.ndarray) -> np.ndarray:
        return np.isclose(values[:, None], lines[None, :], rtol=0, atol=SEAM_TOLERANCE_M).any(axis=1)

    return on(x0, xs) | on(x1, xs) | on(y0, ys) | on(y1, ys)


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
    area = pairwise_areas(geometries[left], areas_of[right])
    share = area > 0
    pairs_left = np.r_[inside, left[share]]
    pairs_right = np.r_[inside_area, right[share]]
    return pairs_left, pairs_right, np.r_[shapely.area(geometries[inside]), area[share]]


def clip(geometries: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """Clip geometries to ``area``; those wholly inside are kept as they are."""
    shapely.prepare(area)
    inside = shapely.contains_properly(area, geometries)  # one thread: a prepared geometry is not shareable
    out = geometries.copy()
    cross = ~inside
    if cross.any():
        out[cross] = threaded(shapely.intersection, geometries[cross], area)
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
