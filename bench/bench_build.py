"""Benchmark the build on a synthetic province, against a straightforward geopandas baseline.

Three measurements, each in a fresh child process (so that its peak resident memory is
its own), in interleaved rounds (the machine may be shared):

- ``build``: the full build, ``zoning.build`` (read and check the layers, criteria, units,
  zones, lineage, communes, QA), with the time of each of its steps;
- ``zones``: the zones alone, what the baseline computes (criterion polygons, then the
  three zones);
- ``baseline``: per-layer buffer, dissolve and overlay difference in geopandas.

CPU-seconds are those of every thread of the child (user + system). The zone areas of the
three are compared. ``--json`` writes every figure.

    python bench/bench_build.py [--features 100000] [--rounds 1] [--json out.json]
                                [--density fixed|constant] [--skip-baseline] [--demo] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.inputs.crs import tm3_crs

MERIDIAN = 105.75
CRS = tm3_crs(MERIDIAN)
WIDTH_KM, HEIGHT_KM = 100, 70  # about the size of Cao Bằng (6,700 km²)
X0, Y0 = 450_000.0, 2_480_000.0
SMOKE_FEATURES = 2_000
KINDS = ("build", "zones", "baseline")


def synthetic_layers(n: int, seed: int = 8, scale: float = 1.0) -> dict[str, gpd.GeoDataFrame]:
    """Province, 56 communes and ``n`` features shaped like real data.

    ``scale`` stretches the province and the number of communes in both directions
    (rivers and towns keep their size): ``scale = sqrt(n / 100,000)`` keeps the density
    of 100,000 features on 100 × 70 km.

    40 % river segments chained into rivers of 200 segments (≈ 50 km random walks),
    40 % urban blocks laid out in towns of 20 × 20 blocks (80 m blocks, 20 m streets),
    20 % relic points scattered over the province. Towns of class II and III keep that
    class from 2026; class IV and V towns become class III.
    """
    crs = CRS
    rng = np.random.default_rng(seed)
    width, height = WIDTH_KM * 1000 * scale, HEIGHT_KM * 1000 * scale
    province = shapely.box(X0, Y0, X0 + width, Y0 + height)
    cols, rows = max(1, round(8 * scale)), max(1, round(7 * scale))
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
    class_2026 = np.where(np.isin(town_class, ["II", "III"]), town_class, "III")

    relics = shapely.points(X0 + rng.uniform(0, width, n_relic), Y0 + rng.uniform(0, height, n_relic))
    frame = lambda d, g: gpd.GeoDataFrame(d, geometry=g, crs=crs)  # noqa: E731
    return {
        "province": frame({"code": ["99"], "name": ["Tỉnh tổng hợp"]}, [province]),
        "communes": frame({"code": [f"{k:05d}" for k in range(len(cells))], "name": [f"Xã {k}" for k in range(len(cells))]}, cells),
        "urban_areas": frame({"name": [f"Khối phố {k}" for k in range(n_urban)], "urban_class": town_class, "class_2026": class_2026}, blocks),
        "water_supply_sources": frame(
            {"name": [f"Sông {r} đoạn {k}" for k, r in enumerate(river_of)], "water_body": "river",
             "width_m": river_width, "corridor_m": corridor},
            shapely.linestrings(segments),
        ),
        "relic_zones": frame({"name": [f"Di tích {k}" for k in range(n_relic)], "protection_zone": "I"}, relics),
    }


def baseline_zones(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """The straightforward way: buffer each layer, dissolve per zone, overlay differences.

    It follows the national rules on this input: class II–III towns, river beds (width,
    else 20 m) and relic zone I (100 m) strict; class IV–V towns and the river corridors
    (the recorded width, else 15 m, or 20 m where the river crosses a town) emission-limited.
    """
    crs = layers["province"].crs
    urban, rivers, relics = layers["urban_areas"], layers["water_supply_sources"], layers["relic_zones"]
    quad = {"quad_segs": 8}  # as the build: circles as 32-gons
    beds = rivers.buffer(rivers["width_m"].fillna(20.0) / 2, **quad)
    corridors = beds.buffer(rivers["corridor_m"].fillna(15.0), **quad)
    assumed = gpd.GeoDataFrame(geometry=beds[rivers["corridor_m"].isna().to_numpy()], crs=crs)
    reach = gpd.overlay(assumed, urban[["geometry"]], how="intersection", keep_geom_type=True)
    within = reach.geometry.buffer(20.0, **quad)
    strict_parts = pd.concat([
        urban[urban["urban_class"].isin(["II", "III"])][["geometry"]],
        gpd.GeoDataFrame(geometry=beds, crs=crs),
        gpd.GeoDataFrame(geometry=relics.buffer(100, **quad), crs=crs),
    ])
    limited_parts = pd.concat([
        urban[urban["urban_class"].isin(["IV", "V"])][["geometry"]],
        gpd.GeoDataFrame(geometry=corridors, crs=crs),
        gpd.GeoDataFrame(geometry=within, crs=crs),
    ])
    province = layers["province"][["geometry"]]
    strict = gpd.overlay(strict_parts.dissolve(), province, how="intersection")
    limited = gpd.overlay(gpd.overlay(limited_parts.dissolve(), strict, how="difference"), province, how="intersection")
    other = gpd.overlay(gpd.overlay(province, strict, how="difference"), limited, how="difference")
    return {"strict": strict.area.sum() / 1e4, "emission_limited": limited.area.sum() / 1e4, "other": other.area.sum() / 1e4}


def zones_only(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """Only what the baseline computes: read the layers, the criterion polygons, the three zones."""
    from zoning.builder.dissolve import dissolve_zones
    from zoning.builder.polygons import criterion_polygons
    from zoning.inputs.layers import read_layers
    from zoning.law.criteria import load_rules

    checked = read_layers(layers, CRS)
    province = shapely.union_all(checked["province"].geometry.values)
    candidates, _ = criterion_polygons(checked, load_rules(), province)
    zones, _ = dissolve_zones(candidates.geometry.to_numpy(), candidates["zone"].to_numpy(), province, checked.crs)
    return dict(zip(zones["zone"], zones["area_ha"]))


def cpu_seconds() -> float:
    """CPU time of this process, all threads, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def resident_mb() -> float:
    """The resident memory of this process now, in MB (Linux), or 0 where unknown."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return 0.0


def timed(label: str, func, *args):
    """Run ``func(*args)`` and print its wall and CPU time; returns the result and both times."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = func(*args)
    elapsed, used = time.perf_counter() - start, cpu_seconds() - cpu
    print(f"  {label:<42} {elapsed:8.2f} s  ({used:.1f} CPU-s)", flush=True)
    return result, elapsed, used


def scale_of(features: int, density: str) -> float:
    """The province's stretch: 1 for a fixed area, or the density of 100,000 features on it."""
    return 1.0 if density == "fixed" else float(np.sqrt(features / 100_000))


def child(kind: str, features: int, density: str = "fixed") -> dict:
    """One measurement in this process: the synthetic layers are made first, not timed."""
    from zoning.builder import build as build_zoning

    layers = synthetic_layers(features, scale=scale_of(features, density))
    start, cpu = time.perf_counter(), cpu_seconds()
    out: dict = {}
    if kind == "build":
        memory: dict[str, float] = {}
        result = build_zoning(layers, central_meridian=MERIDIAN, progress=lambda step: memory.setdefault(step, resident_mb()))
        out["steps_s"] = result.manifest["timings_s"]
        out["rss_mb_at_step_start"] = memory
        out["zones_ha"] = dict(zip(result.zones["zone"], result.zones["area_ha"].astype(float)))
        out["units"], out["lineage_rows"], out["qa_passed"] = len(result.units), len(result.lineage), bool(result.qa["passed"])
    elif kind == "zones":
        out["zones_ha"] = zones_only(layers)
    else:
        out["zones_ha"] = baseline_zones(layers)
    out["wall_s"], out["cpu_s"] = time.perf_counter() - start, cpu_seconds() - cpu
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(kind: str, features: int, density: str = "fixed") -> dict:
    """Run :func:`child` in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, "--child", kind, "--features", str(features), "--density", density]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"{kind} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def summary(rounds: list[dict]) -> dict:
    """Median of each figure over the rounds, per measurement."""
    out = {}
    for kind in rounds[0]:
        runs = [r[kind] for r in rounds]
        out[kind] = {k: float(np.median([r[k] for r in runs])) for k in ("wall_s", "cpu_s", "peak_rss_mb")}
    return out


def demo_build() -> None:
    """The Cao Bằng demo, read + build + write, after a warm-up run."""
    import tempfile

    from zoning.builder import build as build_zoning
    from zoning.demo import demo_paths

    demo = demo_paths()
    with tempfile.TemporaryDirectory() as tmp:
        build_zoning(demo.layers, province_rules=demo.province_rules).write(Path(tmp) / "warm.gpkg")
        timed("demo build (read + build + write)", lambda: build_zoning(demo.layers, province_rules=demo.province_rules).write(Path(tmp) / "demo.gpkg"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds of the measurements; medians are printed")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--demo", action="store_true", help="also time the Cao Bằng demo build")
    parser.add_argument("--density", choices=["fixed", "constant"], default="fixed",
                        help="fixed: every count on 100 × 70 km (denser with more features); constant: the province grows with the count")
    parser.add_argument("--smoke", action="store_true", help=f"a quick run: {SMOKE_FEATURES:,} features, one round")
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.features, args.density)))
        return
    if args.smoke:
        args.features, args.rounds = SMOKE_FEATURES, 1
    if args.demo:
        demo_build()
    kinds = [k for k in KINDS if not (args.skip_baseline and k == "baseline")]
    scale = scale_of(args.features, args.density)
    print(f"Synthetic province, {args.features:,} features on {WIDTH_KM * scale:.0f} × {HEIGHT_KM * scale:.0f} km, {args.rounds} round(s):", flush=True)
    rounds = []
    for number in range(args.rounds):
        rounds.append({})
        for kind in kinds:
            figures = measure(kind, args.features, args.density)
            rounds[-1][kind] = figures
            print(f"  round {number + 1} {kind:<9} {figures['wall_s']:8.2f} s wall {figures['cpu_s']:8.1f} CPU-s "
                  f"{figures['peak_rss_mb']:8.0f} MB peak", flush=True)
    medians = summary(rounds)
    last = rounds[-1]
    build = last["build"]
    print(f"  build steps (s): {build['steps_s']}")
    print(f"  resident MB as each step starts: {', '.join(f'{k} {v:,.0f}' for k, v in build['rss_mb_at_step_start'].items())}")
    print(f"  units {build['units']:,}, lineage rows {build['lineage_rows']:,}, QA passed {build['qa_passed']}")
    for kind in kinds:
        print(f"  {kind:<9} zones ha: " + ", ".join(f"{z} {ha:,.2f}" for z, ha in last[kind]["zones_ha"].items()))
    differences = {kind: max(abs(last[kind]["zones_ha"][z] - build["zones_ha"][z]) for z in build["zones_ha"]) for kind in kinds[1:]}
    for kind, ha in differences.items():
        print(f"  largest zone-area difference, build vs {kind}: {ha:.4f} ha")
    if "baseline" in medians:
        ratio = medians["baseline"]["cpu_s"] / medians["build"]["cpu_s"]
        print(f"  CPU-s baseline / build: {ratio:.2f}×; baseline / zones alone: {medians['baseline']['cpu_s'] / medians['zones']['cpu_s']:.2f}×")
    if args.json:
        figures = {"features": args.features, "density": args.density, "rounds": rounds, "median": medians, "zone_difference_ha": differences}
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
