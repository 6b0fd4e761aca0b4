"""Benchmark: `zoning check` on random sites against the Cao Bằng demo build.

Checks 100,000 random points and 10,000 random polygons (0.5–25 ha rectangles at random
angles) inside the province, and prints sites per second against two straightforward
baselines:

- a per-site loop (what one writes first): for each site, geopandas distance/intersection
  against every unit, zone and commune — timed on a sample and extrapolated;
- vectorised geopandas joins (``sjoin`` / ``sjoin_nearest`` / ``overlay``) that compute
  only part of the check (zone membership, nearest unit, zone areas) — a lower bound.

Two site mixes: ``untyped`` (a location check: zones, units within 1 km, communes,
sensitive elements, rules) and ``typed`` (random project types from the catalogue, so
about half the sites are waste/wastewater facilities with safety distances to residential
areas and intakes). Times are the best of ``--repeat`` runs (the machine may be shared).

Run:  python bench/bench_check.py [--points 100000] [--polygons 10000] [--smoke]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zoning.builder import build as build_zoning  # noqa: E402
from zoning.builder.model import read_build  # noqa: E402
from zoning.checker.engine import check_sites
from zoning.checker.index import index_build
from zoning.demo import demo_paths  # noqa: E402
from zoning.inputs.sites import read_sites  # noqa: E402
from zoning.law.project_types import load_check_rules  # noqa: E402

TARGET_POINTS = 50_000  # points per second
TARGET_POLYGONS = 2_000  # polygons per second
SEARCH_M = 1_000.0


def best(function, repeat: int):
    """(least wall-clock seconds, least CPU seconds of this process, last result) over ``repeat`` runs."""
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(wall), min(cpu), result


def random_points(province, n: int, rng) -> np.ndarray:
    xmin, ymin, xmax, ymax = province.bounds
    out = []
    while sum(map(len, out)) < n:
        x, y = rng.uniform(xmin, xmax, 2 * n), rng.uniform(ymin, ymax, 2 * n)
        keep = shapely.contains_xy(province, x, y)
        out.append(shapely.points(x[keep], y[keep]))
    return np.concatenate(out)[:n]


def random_polygons(province, n: int, rng) -> np.ndarray:
    centres = shapely.get_coordinates(random_points(province, n, rng))
    area = rng.uniform(5_000, 250_000, n)  # 0.5–25 ha
    ratio = rng.uniform(0.3, 1.0, n)
    width, height = np.sqrt(area * ratio), np.sqrt(area / ratio)
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) / 2
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    x = corners[:, 0] * width[:, None]
    y = corners[:, 1] * height[:, None]
    xs, ys = centres[:, :1] + x * cos - y * sin, centres[:, 1:] + x * sin + y * cos
    return shapely.polygons(np.stack([xs, ys], axis=-1))


def frame(geometries, types, rng, crs) -> gpd.GeoDataFrame:
    n = len(geometries)
    columns = {"id": np.arange(1, n + 1).astype(str)}
    if types is not None:
        columns["type"] = rng.choice(np.array(types + [None] * 4, dtype=object), n)
        columns["capacity"] = np.round(rng.uniform(10, 100_000, n), 1)
    return gpd.GeoDataFrame(columns, geometry=geometries, crs=crs)


def per_site_loop(build, sites: gpd.GeoDataFrame) -> None:
    """The straightforward way: one site at a time against every unit, zone and commune."""
    units, zones, communes = build.units, build.zones, build.communes
    residential = build.input_layer("residential_areas")
    for geometry, kind in zip(sites.geometry, sites.get("type", [None] * len(sites))):
        zones.intersection(geometry).area  # noqa: B018 - zone overlaps
        distance = units.distance(geometry)
        units[distance <= SEARCH_M]  # noqa: B018 - units near
        communes[communes.intersects(geometry)]  # noqa: B018
        if kind is not None:
            residential.distance(geometry).min()  # noqa: B018 - nearest village


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--polygons", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="sites timed with the per-site loop baseline")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", type=Path, help="an existing demo build (made when omitted)")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 1,000 points, 100 polygons, 20 sites in the loop, once")
    args = parser.parse_args()
    if args.smoke:
        args.points, args.polygons, args.sample, args.repeat = 1_000, 100, 20, 1
    rng = np.random.default_rng(20220110)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.build
        if path is None:
            path = Path(tmp) / "cao-bang-build.gpkg"
            started = time.perf_counter()
            build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(path)
            print(f"demo build: {time.perf_counter() - started:.1f} s")
        build = read_build(path)
        rules = load_check_rules()
        types = list(rules.types)
        province = shapely.union_all(build.zones.geometry.to_numpy())
        shapely.prepare(province)
        index_s, _, index = best(lambda: index_build(build, rules), args.repeat)
        print(f"index the build (once per build): {index_s:.2f} s — {len(index.unit_pieces)} unit pieces, "
              f"{len(index.commune_pieces)} commune pieces; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")

        sets = {"points": random_points(province, args.points, rng), "polygons": random_polygons(province, args.polygons, rng)}
        rows = []
        for label, geometries in sets.items():
            for mix in ("untyped", "typed"):
                sites_frame = frame(geometries, types if mix == "typed" else None, rng, build.crs)
                read_s, _, sites = best(lambda: read_sites(sites_frame, build.crs, types=types), 1)  # noqa: B023 (called here)
                check_s, check_cpu, result = best(lambda: check_sites(sites, index, rules), args.repeat)  # noqa: B023 (called here)
                n = len(geometries)
                sample = sites_frame.iloc[: args.sample]
                _, loop_cpu, _ = best(lambda: per_site_loop(build, sample), 1)  # noqa: B023 (called here)
                loop_rate = len(sample) / loop_cpu
                rows.append((label, mix, n, check_s, n / check_s, n / check_cpu, loop_rate))
                print(f"{label:8} {mix:8} {n:>7,} sites: check {check_s:5.2f} s wall = {n / check_s:>7,.0f} sites/s; "
                      f"{check_cpu:5.2f} s CPU = {n / check_cpu:>7,.0f} sites/s (reading {read_s:.2f} s) | "
                      f"per-site loop {loop_rate:>5,.0f} sites/s (CPU) → ×{n / check_cpu / loop_rate:,.0f}")
                steps = result.meta["timings_s"]["steps_s"]
                print("         steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))
                verdicts = ", ".join(f"{k} {v:,}" for k, v in result.meta["verdicts"].items() if v)
                print(f"         verdicts: {verdicts}; findings {len(result.findings):,}, unit rows {len(result.units):,}")

        # vectorised geopandas joins: part of the work only (lower bound for a baseline)
        points = gpd.GeoDataFrame(geometry=sets["points"], crs=build.crs)
        polygons = gpd.GeoDataFrame(geometry=sets["polygons"], crs=build.crs)
        zones, units = build.zones[["zone", "geometry"]], build.units[["unit_id", "geometry"]]
        _, sjoin_s, _ = best(lambda: (gpd.sjoin(points, zones, predicate="intersects"),
                                      gpd.sjoin_nearest(points, units, max_distance=SEARCH_M)), 1)
        _, overlay_s, _ = best(lambda: gpd.overlay(polygons, zones, how="intersection", keep_geom_type=True), 1)
        print(f"\ngeopandas sjoin + sjoin_nearest (zone and nearest unit only): {len(points) / sjoin_s:,.0f} points/s (CPU)")
        print(f"geopandas overlay with the zones (zone areas only):          {len(polygons) / overlay_s:,.0f} polygons/s (CPU)")

        print(f"\nsummary (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU time is what an idle machine would give)")
        for label, mix, _n, _, wall_rate, cpu_rate, loop_rate in rows:
            target = TARGET_POINTS if label == "points" else TARGET_POLYGONS
            mark = "meets" if cpu_rate >= target else "below"
            print(f"  {label:8} {mix:8} {wall_rate:>7,.0f} sites/s wall, {cpu_rate:>7,.0f} sites/s CPU  "
                  f"({mark} the target of {target:,}/s; ×{cpu_rate / loop_rate:,.0f} the per-site loop)")


if __name__ == "__main__":
    main()
