"""Geometry after a change of CRS: made valid where reprojection left a ring touching itself."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zoning.inputs.crs import made_valid


def test_made_valid_repairs_only_the_broken_parts_of_a_multipolygon():
    # a bow-tie part (its ring crosses itself) among valid squares: the squares are kept as they are
    squares = [shapely.box(10 * i, 0, 10 * i + 5, 5) for i in range(1, 5)]
    bow_tie = shapely.Polygon([(0, 0), (4, 4), (4, 0), (0, 4)])
    whole = shapely.MultiPolygon([bow_tie, *squares])
    mended = made_valid(np.array([whole, shapely.box(0, 0, 1, 1)]))
    assert shapely.is_valid(mended).all()
    assert mended[0].area == pytest.approx(4 * 25 + 8)  # two triangles of 4 m² each
    assert shapely.equals(mended[0], shapely.make_valid(whole))
    assert all(shapely.equals_exact(square, part) for square, part in zip(squares, shapely.get_parts(mended[0])[-4:]))
