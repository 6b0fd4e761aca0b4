"""Property tests: whatever the sensitive features, the three zones partition the province."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoning.builder.engine import build_zones
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules

from .conftest import CRS, SIDE, X0, Y0, admin_layers

RULES = load_rules()
coordinate = st.floats(min_value=-1000, max_value=SIDE + 1000, allow_nan=False)
size = st.floats(min_value=1, max_value=4000, allow_nan=False)


@st.composite
def rectangles(draw, max_count=12):
    count = draw(st.integers(1, max_count))
    return [shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
            for x, y, w, h in (draw(st.tuples(coordinate, coordinate, size, size)) for _ in range(count))]


@st.composite
def layers(draw):
    urban = draw(rectangles())
    reserves = draw(rectangles(6))
    rivers = [shapely.LineString([(X0 + a, Y0 + b), (X0 + c, Y0 + d)])
              for a, b, c, d in draw(st.lists(st.tuples(coordinate, coordinate, coordinate, coordinate), min_size=1, max_size=6))]
    rivers = [r for r in rivers if r.length > 1]
    relics = [shapely.Point(X0 + x, Y0 + y) for x, y in draw(st.lists(st.tuples(coordinate, coordinate), max_size=6))]
    classes = draw(st.lists(st.sampled_from(["I", "II", "III", "IV", "V"]), min_size=len(urban), max_size=len(urban)))
    parts = draw(st.lists(st.sampled_from(["core", "buffer"]), min_size=len(reserves), max_size=len(reserves)))
    out = {
        **admin_layers(),
        "urban_areas": gpd.GeoDataFrame({"name": [f"U{i}" for i in range(len(urban))], "urban_class": classes,
                                      "class_2026": [{"IV": "III", "V": "III"}.get(c, c) for c in classes]}, geometry=urban, crs=CRS),
        "nature_reserves": gpd.GeoDataFrame({"name": [f"N{i}" for i in range(len(reserves))], "part": parts}, geometry=reserves, crs=CRS),
    }
    if rivers:
        widths = draw(st.lists(st.one_of(st.none(), st.floats(1, 200)), min_size=len(rivers), max_size=len(rivers)))
        out["water_supply_sources"] = gpd.GeoDataFrame(
            {"name": [f"R{i}" for i in range(len(rivers))], "water_body": "river", "width_m": [np.nan if w is None else w for w in widths]},
            geometry=rivers, crs=CRS)
    if relics:
        out["relic_zones"] = gpd.GeoDataFrame({"name": [f"D{i}" for i in range(len(relics))], "protection_zone": "I"}, geometry=relics, crs=CRS)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers())
def test_zones_always_partition_the_province(data):
    result = build_zones(read_layers(data, CRS), RULES)
    province = shapely.box(X0, Y0, X0 + SIDE, Y0 + SIDE)
    zones = result.zones.geometry.to_numpy()
    assert shapely.is_valid(zones).all()
    # pairwise overlaps are nil, computed independently of the build's QA
    for i in range(3):
        for j in range(i + 1, 3):
            assert shapely.area(shapely.intersection(zones[i], zones[j])) < 0.01  # m²
    # together they are the province: no gap, nothing outside
    assert abs(shapely.union_all(zones).area - province.area) < 0.01
    assert shapely.area(shapely.difference(shapely.union_all(zones), province)) < 0.01
    # units are disjoint and add up to their zone
    units = result.units
    for zone, geometry in zip(result.zones["zone"], zones):
        if zone != "other":
            assert abs(units.loc[units["zone"] == zone, "area_ha"].sum() * 1e4 - geometry.area) < 0.01
    assert result.qa["passed"], result.qa
