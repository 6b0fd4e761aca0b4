"""The location sketch of the annex: neighbouring provinces found by geometry and named,
the national border where no neighbour is, a round scale stated beside the bar, commune
names off the strict zone. The demo sketch is written to ``tests/artefacts/``."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import shapely
from matplotlib import rc_context
from PIL import Image

from zoning.builder.model import read_build
from zoning.inputs.reference import surrounding_provinces
from zoning.outputs.figure import FONTS, MapFrame, commune_label_points, round_scale, zone_map_png
from zoning.outputs.neighbours import NEAR_M, surroundings

from .conftest import CRS

ARTEFACTS = Path(__file__).parent / "artefacts"
SHIPPED = surrounding_provinces().to_crs(CRS).set_index("name")


@pytest.fixture(scope="module")
def demo(demo_build_path):
    return read_build(demo_build_path)


def province_of(build):
    return shapely.union_all(build.zones.geometry.to_numpy())


def test_neighbours_of_the_demo_province_and_its_national_border(demo):
    around = surroundings(province_of(demo), demo.crs)
    assert sorted(around.neighbours["name"]) == ["Lạng Sơn", "Thái Nguyên", "Tuyên Quang"]
    assert around.across_border == "Trung Quốc"
    # independently, by sampling: points every 100 m along the outer ring of Cao Bằng's communes that lie
    # farther than NEAR_M from every neighbour (the upstream neighbours are drawn apart from the communes)
    ring = shapely.union_all(shapely.get_exterior_ring(shapely.get_parts(SHIPPED.loc["Cao Bằng"].geometry)))
    ring = max(shapely.get_parts(ring), key=lambda line: line.length)
    samples = shapely.line_interpolate_point(ring, np.arange(0, ring.length, 100.0))
    neighbours = shapely.union_all(SHIPPED.loc[["Tuyên Quang", "Thái Nguyên", "Lạng Sơn"]].geometry.to_numpy())
    sampled = 100.0 * (shapely.distance(samples, neighbours) > NEAR_M).sum()
    reference = surroundings(SHIPPED.loc["Cao Bằng"].geometry, CRS)  # the province as the union of its communes
    assert reference.national_border.length == pytest.approx(sampled, rel=0.01)  # 330.9 km against 330.8 km
    # the demo's province layer is the upstream polygon, simplified there: a shorter border
    assert 0.8 * sampled < around.national_border.length < sampled
    (line,) = shapely.get_parts(around.national_border)  # one stretch, from Tuyên Quang to Lạng Sơn
    ends = [shapely.get_point(line, 0), shapely.get_point(line, -1)]
    distances = [SHIPPED.loc[["Tuyên Quang", "Lạng Sơn"]].distance(end) for end in ends]
    assert sorted(d.idxmin() for d in distances) == ["Lạng Sơn", "Tuyên Quang"]
    assert all(NEAR_M * 0.99 <= d.min() <= 2 * NEAR_M for d in distances)  # it stops where a neighbour begins


def test_a_province_whose_neighbours_are_not_all_shipped_has_no_national_border():
    lang_son = SHIPPED.loc["Lạng Sơn"].geometry
    around = surroundings(lang_son, CRS)
    touching = sorted(n for n, g in SHIPPED.geometry.items() if n != "Lạng Sơn" and g.distance(lang_son) < 1.0)
    assert sorted(around.neighbours["name"]) == touching == ["Cao Bằng", "Thái Nguyên"]
    assert around.national_border.is_empty and around.across_border == ""


def test_a_province_that_is_not_a_shipped_one(small_build_path):
    small = read_build(small_build_path)  # the 10 km square: 97 % in Cao Bằng, 3 % across the border in Thái Nguyên
    around = surroundings(province_of(small), small.crs)
    assert list(around.neighbours["name"]) == ["Thái Nguyên"]  # Cao Bằng holds its land: neither itself nor a neighbour
    assert around.national_border.is_empty and around.across_border == ""
    png = zone_map_png(small)
    assert Image.open(io.BytesIO(png)).size[0] == int(25 / 2.54 * 200)


@pytest.mark.parametrize(
    "needed,expected", [(1_000_000, 1_000_000), (990_000, 1_000_000), (1_040_000, 1_250_000), (131_000, 150_000), (7_600, 10_000), (49_999, 50_000)]
)
def test_round_scales(needed, expected):
    assert round_scale(needed) == expected


def test_demo_sketch_scale_and_labels(demo):
    province = province_of(demo)
    frame = MapFrame(shapely.bounds(province), 25.0, 15.0)
    assert frame.denominator == 1_000_000
    assert (frame.x1 - frame.x0) == pytest.approx(frame.map_width_cm / 100 * frame.denominator)  # metres on the ground per paper
    assert (frame.y1 - frame.y0) == pytest.approx(frame.map_height_cm / 100 * frame.denominator)
    x0, y0, x1, y1 = shapely.bounds(province)
    assert frame.x0 < x0 and frame.x1 > x1 and frame.y0 < y0 and frame.y1 > y1
    png = zone_map_png(demo, illustrative=True)
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "annex-location-sketch.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (int(25 / 2.54 * 200), int(frame.height_cm / 2.54 * 200))  # printed 25 cm wide, the scale holds

    zones = demo.zones.set_index("zone")
    communes = demo.communes.geometry.to_numpy()
    point_m = frame.denominator * 2.54 / 72 / 100
    with rc_context({"font.family": "serif", "font.serif": FONTS}):
        spots = commune_label_points(communes, demo.communes["name"].tolist(), zones, point_m * 72 / 200, point_m)
    assert shapely.contains(communes, spots).all()
    strict = zones.geometry["strict"]
    off_strict = shapely.area(shapely.difference(communes, strict)) > 0
    assert off_strict.all()  # no demo commune is wholly strict …
    assert not shapely.intersects(strict, spots).any()  # … so no name is anchored on the strict zone
    limited = zones.geometry["emission_limited"]
    assert np.mean(~shapely.intersects(shapely.union(strict, limited), spots)) > 0.9  # and nearly all off both


def test_crowded_commune_names_are_left_out_largest_first():
    from zoning.outputs.figure import uncrowded

    # three wards labelled at nearly one spot and a commune far away: at 1:750,000 a point is 265 m
    points = np.array([shapely.Point(0, 0), shapely.Point(300, 100), shapely.Point(-200, -50), shapely.Point(20_000, 0)], dtype=object)
    shown = uncrowded(points, ["Ba Đình", "Ngọc Hà", "Hoàn Kiếm", "Ba Vì"], np.array([9.0, 5.0, 12.0, 400.0]), 750_000 * 2.54 / 72 / 100)
    assert shown.tolist() == [False, False, True, True]  # Hoàn Kiếm, the largest of the three, keeps its name
