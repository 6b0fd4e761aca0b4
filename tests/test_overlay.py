"""The overlay helpers the build rests on: carving by precedence, dissolving by tiles."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zoning.builder import overlay
from zoning.builder.overlay import HIGH_DEGREE, carve, join_tiles, overlapping_pairs, split_by_tiles, threaded, tile_grid
from zoning.settings import settings


def test_carve_keeps_first_come_land_and_reports_shared_areas():
    # A 0..10 square, B shifted by 5 in x, C shifted by 5 in y: B ∩ A = 50 m²;
    # C ∩ A = 50 m², of which 25 m² (5..10 × 5..10) also lies in B but A took it first,
    # so C shares 25 m² with B's carved piece (5..10 × 5..10 minus A = nothing) → 0 m²,
    # and 25 m² more (10..15 × 5..10) with B's own piece.
    a, b, c = shapely.box(0, 0, 10, 10), shapely.box(5, 0, 15, 10), shapely.box(5, 5, 15, 15)
    carved, (later, earlier, shared) = carve(np.array([a, b, c]))
    assert shapely.area(carved).tolist() == pytest.approx([100, 50, 50])
    pairs = {(int(a), int(e)): s for a, e, s in zip(later, earlier, shared)}
    assert pairs == pytest.approx({(1, 0): 50, (2, 0): 25, (2, 1): 25})


def test_carve_with_many_earlier_neighbours_reports_each_shared_area():
    count = HIGH_DEGREE + 4  # beyond the round-by-round path
    small = [shapely.box(i * 10, 0, i * 10 + 4, 4) for i in range(count)]
    cover = shapely.box(-1, -1, count * 10, 5)
    carved, (later, earlier, shared) = carve(np.array(small + [cover]))
    assert shapely.area(carved[-1]) == pytest.approx((count * 10 + 1) * 6 - count * 16)
    assert (later == count).all() and sorted(earlier) == list(range(count))
    assert shared == pytest.approx(np.full(count, 16.0))


def test_threaded_matches_one_thread(monkeypatch):
    rng = np.random.default_rng(3)
    points = shapely.points(rng.uniform(0, 1000, (3 * settings.threaded_min, 2)))
    circles, squares = shapely.buffer(points, 30), shapely.buffer(points, 20, cap_style="square")
    together = threaded(shapely.difference, circles, squares[::-1])
    monkeypatch.setattr(settings, "workers", 1)
    alone = threaded(shapely.difference, circles, squares[::-1])
    assert shapely.equals_exact(together, alone, tolerance=0).all()


@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_overlapping_pairs_found_a_chunk_at_a_time_are_every_pair_whose_interiors_meet(monkeypatch, chunk):
    """Against a brute force over all pairs: boxes that overlap, touch along an edge or corner, or lie apart."""
    rng = np.random.default_rng(8)
    x, y = rng.integers(0, 40, 200), rng.integers(0, 40, 200)
    size = rng.integers(1, 6, 200)
    boxes = shapely.box(x, y, x + size, y + size)  # integer corners: many touch exactly
    monkeypatch.setattr(overlay, "PAIR_QUERY_CHUNK", chunk)
    left, right = overlapping_pairs(boxes)
    expected = {(i, j) for i in range(len(boxes)) for j in range(i) if shapely.intersection(boxes[i], boxes[j]).area > 0}
    assert set(zip(left.tolist(), right.tolist())) == expected and len(left) == len(expected)
    assert (np.diff(left) >= 0).all()
    touching = sum(1 for i in range(len(boxes)) for j in range(i) if shapely.touches(boxes[i], boxes[j]))
    assert len(expected) > 100 and touching > 10  # the case is not trivial
    empty = overlapping_pairs(np.array([], dtype=object))
    assert len(empty[0]) == 0 and len(empty[1]) == 0


def test_tiles_cut_and_join_back_to_the_same_polygon():
    # A ring-shaped lake with an island, crossing the seams of four 100 m tiles,
    # and a small pond inside one tile.
    lake = shapely.Polygon(shapely.Point(100, 100).buffer(80).exterior, [shapely.Point(100, 100).buffer(40).exterior])
    island = shapely.Point(100, 100).buffer(10)
    pond = shapely.box(5, 180, 15, 195)
    area = shapely.MultiPolygon([lake, island, pond])
    tiles = tile_grid((0, 0, 200, 200), 100)
    assert len(tiles) == 4
    pieces = split_by_tiles(np.array([area]), tiles)
    assert sum(len(p) for _, p in pieces) == 4  # every tile holds a piece
    joined = join_tiles(np.array([p for _, tile_pieces in pieces for p in tile_pieces]), tiles)
    assert joined.is_valid
    assert shapely.get_num_geometries(joined) == 3
    assert shapely.area(shapely.symmetric_difference(joined, area)) < 1e-6
    # the seams leave no vertex behind: as many as the original rings had
    assert shapely.get_num_coordinates(joined) == shapely.get_num_coordinates(area)


def pinched_pieces(x0: float = 0.0, y0: float = 0.0) -> tuple[shapely.Polygon, shapely.Polygon]:
    """A field cut by the seam y = y0 + 100, whose piece above has a vertex 10 nm inside
    one of its own edges (two lobes joined by a neck 10 nm wide). That edge goes on below
    the seam, 40 nm off straight: joining the pieces and dropping the seam vertex would
    put the vertex across the edge and pinch the field in two.
    """
    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x, y0 + y

    above = shapely.Polygon([at(60, 100), at(57, 100), at(56, 110), at(50 - 1e-8, 130), at(30, 100), at(10, 100), at(40, 160)])
    below = shapely.Polygon([at(57, 100), at(57, 70), at(70 - 6e-8, 70), at(60, 100)])
    return above, below


@pytest.mark.parametrize("order", [[0, 1, 2, 3], [2, 3, 0, 1], [1, 0, 3, 2], [3, 2, 1, 0]])
def test_join_tiles_keeps_a_field_pinched_at_a_seam_and_the_holes_of_others(order):
    # the pinched field crossing y = 100, and a lake with a hole crossing x = 100
    above, below = pinched_pieces()
    lake_left = shapely.Polygon(shapely.box(80, 10, 100, 40).exterior, [shapely.box(85, 20, 90, 25).exterior])
    lake_right = shapely.box(100, 10, 130, 40)
    pieces = np.array([below, lake_left, above, lake_right])[order]
    assert all(shapely.is_valid(pieces))
    field = shapely.union(above, below)
    assert shapely.simplify(field, 1e-7, preserve_topology=False).geom_type == "MultiPolygon"  # the trap is armed
    joined = join_tiles(pieces, tile_grid((0, 0, 200, 200), 100))
    field_m2 = 50 * 60 / 2 - 425 + (3 + 13) / 2 * 30  # a triangle less the notch (57,100)-(56,110)-(50,130)-(30,100), a trapezoid below
    lake_m2 = 50 * 30 - 5 * 5
    assert joined.is_valid
    assert shapely.get_num_geometries(joined) == 2
    assert field.area == pytest.approx(field_m2, abs=1e-5)
    assert joined.area == pytest.approx(field.area + lake_m2, abs=1e-6)
    assert shapely.area(shapely.symmetric_difference(joined, shapely.union_all(pieces))) < 1e-6


def test_join_tiles_keeps_a_field_whose_simplification_would_drop_a_lobe():
    # A field under the edge B–C, with a near-duplicate vertex at B and a notch from below
    # whose flat top runs along B–C 0.1 nm under it: dropping the duplicate makes the edge
    # cross the notch's top, and the repair drops the lobe beyond the crossing.
    x, y = 500_000.0, 2_500_000.0
    b, c = np.array([x + 708.0, y + 868.0]), np.array([x + 1289.0, y + 439.0])
    normal = np.array([c[1] - b[1], b[0] - c[0]]) / np.hypot(*(c - b))
    notch_top = [b + 0.222 * (c - b) + 1e-10 * normal, b + 0.143 * (c - b)]
    field = shapely.Polygon([(x, y), b, b + [1e-9, 0], c, (x + 763.0, y + 303.0), *notch_top])
    assert field.is_valid
    simplified = shapely.simplify(field, 1e-7, preserve_topology=False)
    assert field.area - simplified.area > 50_000  # the trap is armed: 5.8 ha gone
    ring = shapely.get_coordinates(field.exterior) - (x, y)
    shoelace_m2 = abs(np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1])) / 2
    assert shoelace_m2 == pytest.approx(176_291.49, abs=0.01)
    for bounds, size in (((x - 100, y - 100, x + 1500, y + 1500), 800.0), ((x - 100, y - 100, x + 1400, y + 1400), 500.0)):
        tiles = tile_grid(bounds, size)
        pieces = np.array([p for _, tile_pieces in split_by_tiles(np.array([field]), tiles) for p in tile_pieces])
        assert len(pieces) > 1
        joined = join_tiles(pieces, tiles)
        assert joined.is_valid
        assert joined.area == pytest.approx(shoelace_m2, abs=1e-4)
        assert shapely.area(shapely.symmetric_difference(joined, field)) < 1e-6


@pytest.mark.parametrize("bulge_m", [2e-8, 5e-8, 8e-8])
def test_join_tiles_keeps_a_hole_touching_the_shell_valid(bulge_m):
    # A triangle A-T-B holding the hole T-H1-H2, which touches the shell at its tip T and
    # lies along its sides A-T and T-B, which bulge out by tens of nanometres: simplifying
    # the shell straightens them onto the hole's edges.
    t, h1, h2 = np.array([50.0, 20.0]), np.array([30.0, 60.0]), np.array([70.0, 60.0])
    a, b = t + 2 * (h1 - t), t + 2 * (h2 - t)

    def bulge(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        d = (q - p) / np.hypot(*(q - p))
        return (p + q) / 2 - bulge_m * np.array([-d[1], d[0]])

    field = shapely.Polygon([a, bulge(a, t), t, bulge(t, b), b], [[t, h1, h2]])
    assert field.is_valid
    tiles = tile_grid((0, 0, 160, 160), 80)  # seams x = 80 and y = 80 cut the field, not the hole
    pieces = np.array([p for _, tile_pieces in split_by_tiles(np.array([field]), tiles) for p in tile_pieces])
    assert len(pieces) == 4
    joined = join_tiles(pieces, tiles)
    assert joined.is_valid, shapely.is_valid_reason(joined)
    assert joined.area == pytest.approx(80 * 80 / 2 - 40 * 40 / 2, abs=1e-5)  # the triangle less the hole
    assert shapely.area(shapely.symmetric_difference(joined, field)) < 1e-6


def test_pairwise_areas_a_chunk_at_a_time_are_the_areas_of_the_intersections(monkeypatch):
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 10, (2, 50))
    a, b = shapely.buffer(shapely.points(x, y), 2.0), shapely.box(x + 1, y - 1, x + 4, y + 1)
    monkeypatch.setattr(overlay, "AREA_CHUNK", 7)
    found = overlay.pairwise_areas(a, b)
    assert found == pytest.approx([a[i].intersection(b[i]).area for i in range(50)], rel=1e-12)
    assert (found > 0).all() and len(overlay.pairwise_areas(a[:0], b[:0])) == 0
