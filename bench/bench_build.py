"""Benchmark the build: the Cao Bằng demo, and a synthetic province of 100,000 features.

Prints wall times and the ratio against a straightforward geopandas baseline (per-layer
buffer, dissolve, overlay difference) computing only the three zones from the same input.

    python bench/bench_build.py [--features 100000] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.builder import build as build_zoning
from zoning.builder.dissolve import dissolve_zones
from zoning.builder.engine import build_zones
from zoning.builder.polygons import criterion_polygons
from zoning.demo import demo_paths
from zoning.inputs.crs import tm3_crs
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.settings import settings

CRS = tm3_crs(105.75)
WIDTH_KM, HEIGHT_KM = 100, 70  # about the size of Cao Bằng (6,700 km²)
X0, Y0 = 450_000.0, 2_480_000.0


def synthetic_layers(n: int, seed: int = 8) -> dict[str, gpd.GeoDataFrame]:
    """Province, 56 communes and ``n`` features shaped like real data.

    40 % river segments chained into rivers of 200 segments (≈ 50 km random walks),
    40 % urban blocks laid out in towns of 20 × 20 blocks (80 m blocks, 20 m streets),
    20 % relic points scattered over the province.
    """
    rng = np.random.default_rng(seed)
    width, height = WIDTH_KM * 1000, HEIGHT_KM * 1000
    province = shapely.box(X0, Y0, X0 + width, Y0 + height)
    cols, rows = 8, 7
    cells = [shapely.box(X0 + i * width / cols, Y0 + j * height / rows, X0 + (i + 1) * width / cols, Y0 + (j + 1) * height / rows)
             for j in range(rows) for i in range(cols)]
    n_river = int(n * 0.4) // 200 * 200
    n_urban = int(n * 0.4) // 400 * 400
    n_relic = n - n_river - n_urban

    rivers_count = n_river // 200
    start = np.c_[X0 + rng.uniform(0, width, rivers_count), Y0 + rng.uniform(0, height, rivers_count)]
    heading = rng.uniform(0, 2 * np.pi, rivers_count)[:, None] + np.cumsum(rng.normal(0, 0.25, (rivers_count, 200)), axis=1)
    steps = 250 * np.stack([np.cos(heading), np.sin(heading)], axis=-1)
    vertices = start[:, None, :] + np.concatenate([np.zeros((rivers_count, 1, 2)), np.cumsum(steps, axis=1)], axis=1)
    segments = np.stack([vertices[:, :-1], vertices[:, 1:]], axis=2).reshape(-1, 2, 2)
    river_of = np.repeat(np.arange(rivers_count), 200)
    river_width = rng.uniform(10, 60, rivers_count)[river_of].round(1)
    corridor = rng.choice([15.0, 20.0, 30.0, np.nan], rivers_count)[river_of]

    towns = n_urban // 400
    origin = np.c_[X0 + rng.uniform(0, width - 2000, towns), Y0 + rng.uniform(0, height - 2000, towns)]
    i, j = np.meshgrid(np.arange(20), np.arange(20))
    corner = origin[:, None, :] + 100.0 * np.stack([i.ravel(), j.ravel()], axis=-1)[None, :, :]
    corner = corner.reshape(-1, 2)
    blocks = shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + 80, corner[:, 1] + 80)
    town_class = rng.choice(["II", "III", "IV", "V"], towns)[np.repeat(np.arange(towns), 400)]

    relics = shapely.points(X0 + rng.uniform(0, width, n_relic), Y0 + rng.uniform(0, height, n_relic))
    frame = lambda d, g: gpd.GeoDataFrame(d, geometry=g, crs=CRS)  # noqa: E731
    return {
        "province": frame({"code": ["99"], "name": ["Tỉnh tổng hợp"]}, [province]),
        "communes": frame({"code": [f"{k:05d}" for k in range(len(cells))], "name": [f"Xã {k}" for k in range(len(cells))]}, cells),
        "urban_areas": frame({"name": [f"Khối phố {k}" for k in range(n_urban)], "urban_class": town_class}, blocks),
        "water_supply_sources": frame(
            {"name": [f"Sông {r} đoạn {k}" for k, r in enumerate(river_of)], "water_body": "river",
             "width_m": river_width, "corridor_m": corridor},
            shapely.linestrings(segments),
        ),
        "relic_zones": frame({"name": [f"Di tích {k}" for k in range(n_relic)], "protection_zone": "I"}, relics),
    }


def baseline_zones(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """The straightforward way: buffer each layer, dissolve per zone, overlay differences."""
    urban, rivers, relics = layers["urban_areas"], layers["water_supply_sources"], layers["relic_zones"]
    width = rivers["width_m"].fillna(20.0)
    quad = {"quad_segs": 8}  # as the build: circles as 32-gons
    strict_parts = pd.concat([
        urban[urban["urban_class"].isin(["II", "III"])][["geometry"]],
        gpd.GeoDataFrame(geometry=rivers.buffer(width / 2, **quad), crs=CRS),
        gpd.GeoDataFrame(geometry=relics.buffer(100, **quad), crs=CRS),
    ])
    limited_parts = pd.concat([
        urban[urban["urban_class"].isin(["IV", "V"])][["geometry"]],
        gpd.GeoDataFrame(geometry=rivers.buffer(width / 2 + rivers["corridor_m"].fillna(15.0), **quad), crs=CRS),
    ])
    province = layers["province"][["geometry"]]
    strict = gpd.overlay(strict_parts.dissolve(), province, how="intersection")
    limited = gpd.overlay(gpd.overlay(limited_parts.dissolve(), strict, how="difference"), province, how="intersection")
    other = gpd.overlay(gpd.overlay(province, strict, how="difference"), limited, how="difference")
    return {"strict": strict.area.sum() / 1e4, "emission_limited": limited.area.sum() / 1e4, "other": other.area.sum() / 1e4}


def zones_only(layers, rules):
    """Only what the baseline computes: the criterion polygons, then the three zones."""
    province = shapely.union_all(layers["province"].geometry.values)
    candidates, _ = criterion_polygons(layers, rules, province)
    return dissolve_zones(candidates.geometry.to_numpy(), candidates["zone"].to_numpy(), province, layers.crs)


def cpu_seconds() -> float:
    """CPU time of this process, all threads, user and system."""
    user, system = os.times()[:2]
    return user + system


def timed(label: str, func, *args):
    """Run ``func(*args)`` and print its wall and CPU time; returns the result and both times."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = func(*args)
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"  {label:<42} {elapsed:8.2f} s  ({used:.1f} CPU-s)")
    return result, elapsed, used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    print("Cao Bằng demo (read + build + write GeoPackage):")
    with tempfile.TemporaryDirectory() as tmp:
        build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(Path(tmp) / "warm.gpkg")  # warm imports/caches
        timed("demo build", lambda: build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(Path(tmp) / "demo.gpkg"))

    print(f"Synthetic province, {args.features:,} features:")
    layers = synthetic_layers(args.features)
    rules = load_rules()
    checked, t_read, _ = timed("read + check layers", read_layers, layers, CRS)
    result, t_build, build_cpu = timed("build (units, zones, lineage, communes, QA)", build_zones, checked, rules)
    print(f"    {build_cpu:.1f} CPU-s on {settings.workers} cores: {build_cpu / settings.workers:.1f} s even with every core busy throughout")
    print(f"    steps: {result.manifest['timings_s']}")
    areas = dict(zip(result.zones["zone"], result.zones["area_ha"]))
    print(f"    zones ha: {', '.join(f'{k} {v:,.1f}' for k, v in areas.items())}; units {len(result.units):,}; QA passed {result.qa['passed']}")
    _, t_zones, _ = timed("zones alone (as the baseline: no units, lineage, QA)", zones_only, checked, rules)
    if args.skip_baseline:
        return
    base, t_base, _ = timed("baseline (geopandas buffer/dissolve/overlay)", baseline_zones, layers)
    print(f"    baseline zones ha: {', '.join(f'{k} {v:,.1f}' for k, v in base.items())}")
    diff = max(abs(areas[k] - base[k]) for k in base)
    print(f"    largest zone-area difference vs baseline: {diff:.3f} ha")
    print(f"  ratio baseline / build: {t_base / t_build:.1f}× (build alone); {t_base / (t_build + t_read):.1f}× (read + build); "
          f"{t_base / t_zones:.1f}× (zones alone); at most {t_base * settings.workers / build_cpu:.1f}× with every core busy throughout")


if __name__ == "__main__":
    main()
