"""Profile the build's steps on the synthetic province of :mod:`bench_build`, one thread.

Each step of :func:`zoning.builder.engine.build_zones` is run on its own under cProfile,
with one worker thread (so that every GEOS call is seen), and the functions with the most
time of their own are printed per step, with the step's CPU-seconds.

    python bench/profile_build.py [--features 100000] [--top 8] [--smoke]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats

import shapely
from bench_build import CRS, SMOKE_FEATURES, cpu_seconds, synthetic_layers

from zoning.builder.communes import by_commune, province_communes
from zoning.builder.dissolve import dissolve_zones
from zoning.builder.overlay import carve, polygonal
from zoning.builder.polygons import criterion_polygons
from zoning.builder.qa import coverage_qa
from zoning.builder.units import carved_units, plan_conflicts, unit_lineage
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.settings import settings


def profiled(label: str, top: int, func, *args):
    """Run ``func(*args)`` under cProfile; print its CPU-seconds and its heaviest functions."""
    profile = cProfile.Profile()
    cpu = cpu_seconds()
    result = profile.runcall(func, *args)
    used = cpu_seconds() - cpu
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(top)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    print(f"\n### {label}: {used:.2f} CPU-s\n")
    print("```")
    print("\n".join(lines[start:]))
    print("```", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help=f"a quick run: {SMOKE_FEATURES:,} features")
    args = parser.parse_args()
    if args.smoke:
        args.features = SMOKE_FEATURES
    settings.workers = 1
    print(f"## {args.features:,} features, one thread")
    layers = synthetic_layers(args.features)
    rules = load_rules()
    checked = profiled("read and check the layers", args.top, read_layers, layers, CRS)
    province = shapely.union_all(checked["province"].geometry.values)
    candidates, _ = profiled("criterion polygons", args.top, criterion_polygons, checked, rules, province)
    _, held = plan_conflicts(candidates, rules)
    candidates = candidates[~held].reset_index(drop=True)
    zoned = ~candidates["proposed"].to_numpy(bool)
    zones, protected_m2 = profiled("zones (dissolve)", args.top, dissolve_zones, candidates.geometry.to_numpy()[zoned],
                                   candidates["zone"].to_numpy()[zoned], province, checked.crs)
    carved, pairs = profiled("units (carve)", args.top, carve, candidates.geometry.to_numpy())
    candidates["unit_geometry"] = polygonal(carved)
    units = carved_units(candidates)
    print(f"\n{len(candidates):,} criterion polygons, {len(pairs[0]):,} overlapping pairs, {len(units):,} units")
    lineage = profiled("lineage", args.top, unit_lineage, candidates, *pairs, units)
    communes, _ = profiled("communes (reconcile)", args.top, province_communes, checked["communes"], province)
    units["commune_codes"], summary = profiled("communes (by commune)", args.top, by_commune, units, zones, communes)
    profiled("qa", args.top, coverage_qa, zones, protected_m2, units, province, summary)
    print(f"\nlineage rows {len(lineage):,}")


if __name__ == "__main__":
    main()
