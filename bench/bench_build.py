"""Benchmark the build: the Cao Bằng demo, and a synthetic province of 100,000 features.

Prints wall times and the ratio against a straightforward geopandas baseline (per-layer
buffer, dissolve, overlay difference) computing only the three zones from the same input.

    python bench/bench_build.py [--features 100000] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning._resources import resource
from zoning.build import build_zones
from zoning.crs import tm3_crs
from zoning.demo import DEMO_LAYERS, DEMO_RULES
from zoning.layers import read_layers
from zoning.pipeline import run_build
from zoning.rules import load_rules

CRS = tm3_crs(105.75)
WIDTH_KM, HEIGHT_KM = 100, 70  # about the size of Cao Bằng (6,700 km²)
X0, Y0 = 450_000.0, 2_480_000.0


def synthetic_layers(n: int, seed: int = 8) -> dict[str, gpd.GeoDataFrame]:
    """Province, 56 communes, and n features: 40 % urban polygons, 40 % river segments, 20 % relic points."""
    rng = np.random.default_rng(seed)
    width, height = WIDTH_KM * 1000, HEIGHT_KM * 1000
    province = shapely.box(X0, Y0, X0 + width, Y0 + height)
    cols, rows = 8, 7
    cells = [shapely.box(X0 + i * width / cols, Y0 + j * height / rows, X0 + (i + 1) * width / cols, Y0 + (j + 1) * height / rows)
             for j in range(rows) for i in range(cols)]
    n_urban, n_river = int(n * 0.4), int(n * 0.4)
    n_relic = n - n_urban - n_river

    def points(k):
        return X0 + rng.uniform(0, width, k), Y0 + rng.uniform(0, height, k)

    ux, uy = points(n_urban)
    size = rng.uniform(50, 300, n_urban)
    urban = shapely.box(ux, uy, ux + size, uy + size * rng.uniform(0.5, 1.5, n_urban))
    classes = rng.choice(["II", "III", "IV", "V"], n_urban)
    rx, ry = points(n_river)
    length, angle = rng.uniform(200, 1000, n_river), rng.uniform(0, np.pi, n_river)
    rivers = shapely.linestrings(np.stack([np.c_[rx, ry], np.c_[rx + length * np.cos(angle), ry + length * np.sin(angle)]], axis=1))
    px, py = points(n_relic)
    frame = lambda d, g: gpd.GeoDataFrame(d, geometry=g, crs=CRS)  # noqa: E731
    return {
        "province": frame({"code": ["99"], "name": ["Tỉnh tổng hợp"]}, [province]),
        "communes": frame({"code": [f"{i:05d}" for i in range(len(cells))], "name": [f"Xã {i}" for i in range(len(cells))]}, cells),
        "urban_areas": frame({"name": [f"Đô thị {i}" for i in range(n_urban)], "urban_class": classes}, urban),
        "water_supply_sources": frame(
            {"name": [f"Suối {i}" for i in range(n_river)], "water_body": "stream",
             "width_m": rng.uniform(5, 30, n_river).round(1), "corridor_m": rng.choice([15.0, 20.0, np.nan], n_river)},
            rivers,
        ),
        "relic_zones": frame({"name": [f"Di tích {i}" for i in range(n_relic)], "protection_zone": "I"}, shapely.points(px, py)),
    }


def baseline_zones(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """The straightforward way: buffer each layer, dissolve per zone, overlay differences."""
    urban, rivers, relics = layers["urban_areas"], layers["water_supply_sources"], layers["relic_zones"]
    width = rivers["width_m"].fillna(20.0)
    strict_parts = pd.concat([
        urban[urban["urban_class"].isin(["II", "III"])][["geometry"]],
        gpd.GeoDataFrame(geometry=rivers.buffer(width / 2), crs=CRS),
        gpd.GeoDataFrame(geometry=relics.buffer(100), crs=CRS),
    ])
    limited_parts = pd.concat([
        urban[urban["urban_class"].isin(["IV", "V"])][["geometry"]],
        gpd.GeoDataFrame(geometry=rivers.buffer(width / 2 + rivers["corridor_m"].fillna(15.0)), crs=CRS),
    ])
    province = layers["province"][["geometry"]]
    strict = gpd.overlay(strict_parts.dissolve(), province, how="intersection")
    limited = gpd.overlay(gpd.overlay(limited_parts.dissolve(), strict, how="difference"), province, how="intersection")
    other = gpd.overlay(gpd.overlay(province, strict, how="difference"), limited, how="difference")
    return {"strict": strict.area.sum() / 1e4, "emission_limited": limited.area.sum() / 1e4, "other": other.area.sum() / 1e4}


def timed(label: str, func, *args):
    start = time.perf_counter()
    result = func(*args)
    elapsed = time.perf_counter() - start
    print(f"  {label:<42} {elapsed:8.2f} s")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    print("Cao Bằng demo (read + build + write GeoPackage):")
    with tempfile.TemporaryDirectory() as tmp:
        run_build(resource(*DEMO_LAYERS), Path(tmp) / "warm.gpkg", province_rules=resource(*DEMO_RULES))  # warm imports/caches
        timed("demo build", run_build, resource(*DEMO_LAYERS), Path(tmp) / "demo.gpkg", None, resource(*DEMO_RULES))

    print(f"Synthetic province, {args.features:,} features:")
    layers = synthetic_layers(args.features)
    rules = load_rules()
    checked, t_read = timed("read + check layers", read_layers, layers, CRS)
    result, t_build = timed("build (units, zones, lineage, communes, QA)", build_zones, checked, rules)
    print(f"    steps: {result.timings}")
    areas = dict(zip(result.zones["zone"], result.zones["area_ha"]))
    print(f"    zones ha: {', '.join(f'{k} {v:,.1f}' for k, v in areas.items())}; units {len(result.units):,}; QA passed {result.qa['passed']}")
    if args.skip_baseline:
        return
    base, t_base = timed("baseline (geopandas buffer/dissolve/overlay)", baseline_zones, layers)
    print(f"    baseline zones ha: {', '.join(f'{k} {v:,.1f}' for k, v in base.items())}")
    diff = max(abs(areas[k] - base[k]) for k in base)
    print(f"    largest zone-area difference vs baseline: {diff:.3f} ha")
    print(f"  ratio baseline / build: {t_base / t_build:.1f}× (build alone); {t_base / (t_build + t_read):.1f}× (read + build)")


if __name__ == "__main__":
    main()
