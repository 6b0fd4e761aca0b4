"""The build's engine against straightforward computations on a dense synthetic province.

Rivers chained from short segments (buffers overlapping one another), towns of blocks and
relic circles scattered over the province of conftest.py, a few thousand features. Each
table of the build is computed again the plain way, from the criterion polygons: the zones
as one union per zone, each unit as its polygon minus the union of every earlier one, the
lineage as the area each later polygon shares with a unit, the commune summary as the
zones cut by the communes. Every row must agree within 0.01 ha.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from zoning.builder.engine import build_zones
from zoning.builder.polygons import criterion_polygons
from zoning.builder.units import plan_conflicts
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.terms import M2_PER_HA

from .conftest import CRS, SIDE, X0, Y0, admin_layers

TOLERANCE_HA = 0.01
SEGMENTS = 40  # per river
STEP_M = 150.0


def dense_layers(rivers: int = 24, towns: int = 4, relics: int = 600, seed: int = 21) -> dict[str, gpd.GeoDataFrame]:
    """Rivers of ``SEGMENTS`` segments (random walks), towns of 10 × 10 blocks, relic points."""
    rng = np.random.default_rng(seed)
    start = np.c_[X0 + rng.uniform(0, SIDE, rivers), Y0 + rng.uniform(0, SIDE, rivers)]
    heading = rng.uniform(0, 2 * np.pi, rivers)[:, None] + np.cumsum(rng.normal(0, 0.3, (rivers, SEGMENTS)), axis=1)
    steps = STEP_M * np.stack([np.cos(heading), np.sin(heading)], axis=-1)
    vertices = start[:, None, :] + np.concatenate([np.zeros((rivers, 1, 2)), np.cumsum(steps, axis=1)], axis=1)
    segments = shapely.linestrings(np.stack([vertices[:, :-1], vertices[:, 1:]], axis=2).reshape(-1, 2, 2))
    river_of = np.repeat(np.arange(rivers), SEGMENTS)
    origin = np.c_[X0 + rng.uniform(0, SIDE - 1000, towns), Y0 + rng.uniform(0, SIDE - 1000, towns)]
    i, j = np.meshgrid(np.arange(10), np.arange(10))
    corner = (origin[:, None, :] + 100.0 * np.stack([i.ravel(), j.ravel()], axis=-1)[None]).reshape(-1, 2)
    town_class = rng.choice(["II", "IV"], towns)[np.repeat(np.arange(towns), 100)]
    points = shapely.points(X0 + rng.uniform(0, SIDE, relics), Y0 + rng.uniform(0, SIDE, relics))
    frame = lambda data, geometry: gpd.GeoDataFrame(data, geometry=geometry, crs=CRS)  # noqa: E731
    return {
        **admin_layers(),
        "urban_areas": frame({"name": [f"Khối {k}" for k in range(len(corner))], "urban_class": town_class, "class_2026": "III"},
                             shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + 80, corner[:, 1] + 80)),
        "water_supply_sources": frame({"name": [f"Sông {r} đoạn {k}" for k, r in enumerate(river_of)], "water_body": "river",
                                       "width_m": rng.uniform(10, 60, rivers)[river_of].round(1),
                                       "corridor_m": rng.choice([15.0, 30.0, np.nan], rivers)[river_of]}, segments),
        "relic_zones": frame({"name": [f"Di tích {k}" for k in range(relics)], "protection_zone": "I"}, points),
    }


@pytest.fixture(scope="module")
def dense():
    layers = read_layers(dense_layers(), CRS)
    rules = load_rules()
    result = build_zones(layers, rules)
    province = shapely.union_all(layers["province"].geometry.to_numpy())
    candidates, _ = criterion_polygons(layers, rules, province)
    _, held = plan_conflicts(candidates, rules)
    return result, candidates[~held].reset_index(drop=True), province


def naive_units(geometries: np.ndarray) -> np.ndarray:
    """Each polygon minus the union of every earlier one that meets it, one at a time."""
    tree = shapely.STRtree(geometries)
    out = []
    for k, geometry in enumerate(geometries):
        earlier = tree.query(geometry)
        out.append(shapely.difference(geometry, shapely.union_all(geometries[earlier[earlier < k]])))
    return np.array(out, dtype=object)


def test_zones_equal_one_union_per_zone(dense):
    result, candidates, province = dense
    zone = candidates["zone"].to_numpy()
    strict = shapely.union_all(candidates.geometry.to_numpy()[zone == "strict"])
    limited = shapely.difference(shapely.union_all(candidates.geometry.to_numpy()[zone == "emission_limited"]), strict)
    other = shapely.difference(province, shapely.union(strict, limited))
    built = result.zones.set_index("zone").geometry
    assert len(candidates) > 2_000 and result.qa["passed"]
    for name, naive in (("strict", strict), ("emission_limited", limited), ("other", other)):
        assert built[name].area / M2_PER_HA == pytest.approx(naive.area / M2_PER_HA, abs=TOLERANCE_HA)
        assert shapely.symmetric_difference(built[name], naive).area / M2_PER_HA < TOLERANCE_HA


def test_units_and_lineage_equal_a_plain_carve(dense):
    result, candidates, _ = dense
    geometries = candidates.geometry.to_numpy()
    carved = naive_units(geometries)
    units = result.units
    key = pd.MultiIndex.from_frame(candidates[["source_layer", "source_id", "criterion"]])
    owner = key.get_indexer(pd.MultiIndex.from_frame(units[["source_layer", "source_id", "criterion"]]))
    assert (owner >= 0).all()
    assert np.abs(units["area_ha"].to_numpy() - shapely.area(carved[owner]) / M2_PER_HA).max() < TOLERANCE_HA
    empty = np.setdiff1d(np.arange(len(geometries)), owner)
    assert (shapely.area(carved[empty]) / M2_PER_HA < TOLERANCE_HA).all()
    # the lineage: every later polygon sharing at least 1 m² with a unit, and that area
    tree = shapely.STRtree(geometries)
    later, unit = tree.query(carved[owner], predicate="intersects")[::-1]
    keep = later > owner[unit]
    later, unit = later[keep], unit[keep]
    shared = shapely.area(shapely.intersection(geometries[later], carved[owner][unit]))
    real = shared >= 1.0
    naive = pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[unit[real]], "criterion": candidates["criterion"].to_numpy()[later[real]],
                          "source_id": candidates["source_id"].to_numpy()[later[real]], "naive": shared[real] / M2_PER_HA})
    others = result.lineage[~result.lineage["prevails"]]
    joined = naive.merge(others, on=["unit_id", "criterion", "source_id"], how="outer")
    assert len(naive) > 500
    difference = (joined["naive"].fillna(0) - joined["overlap_ha"].fillna(0)).abs()
    assert difference.max() < TOLERANCE_HA


def test_commune_summary_equals_the_zones_cut_by_communes(dense):
    result, _, _ = dense
    communes = result.communes.geometry.to_numpy()
    summary = result.commune_summary.set_index("commune_code")
    for zone in ("strict", "emission_limited", "other"):
        geometry = result.zones.set_index("zone").geometry[zone]
        naive = shapely.area(shapely.intersection(communes, geometry)) / M2_PER_HA
        assert np.abs(summary.loc[result.communes["code"], f"{zone}_ha"].to_numpy() - naive).max() < TOLERANCE_HA
