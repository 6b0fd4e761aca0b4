"""Benchmark the zone raster: the Cao Bằng demo at 10 m and 5 m.

Each run is a fresh process, so its peak resident memory (``ru_maxrss``) is its own.
The baseline is the straightforward way: one ``rasterio.features.rasterize`` call over
the whole grid held in memory, then one write. Target: the province at 10 m in under
30 s and under 2 GB.

    python bench/bench_raster.py [--build cao-bang-build.gpkg] [--resolutions 10 5] [--skip-baseline] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, build, res, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
started = time.perf_counter()
if mode == "blocks":
    from zoning.outputs.raster import write_raster
    r = write_raster(build, out, res)
    cells, area = sum(r.cells.values()), r.raster_ha
    grid = (r.grid.width, r.grid.height)
    diff = {z: r.raster_ha[z] - r.vector_ha[z] for z in r.raster_ha}
    bound = r.bound_ha
else:
    import numpy as np, rasterio
    from rasterio.features import rasterize
    from zoning.builder.model import read_build
    from zoning.outputs.raster import ZONE_CODES, aligned_grid
    b = read_build(build)
    g = aligned_grid(tuple(b.zones.total_bounds), res)
    codes = b.zones["zone"].map(ZONE_CODES).tolist()
    array = rasterize(zip(b.zones.geometry, codes), out_shape=(g.height, g.width), transform=g.transform, fill=0, dtype="uint8")
    with rasterio.open(out, "w", driver="GTiff", width=g.width, height=g.height, count=1, dtype="uint8", crs=b.crs.to_wkt(),
                       transform=g.transform, nodata=0, tiled=True, blockxsize=512, blockysize=512, compress="deflate") as dst:
        dst.write(array, 1)
    counts = np.bincount(array.ravel(), minlength=4)
    cells, grid = int(counts[1:].sum()), (g.width, g.height)
    area, diff, bound = {}, {}, {}
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "cells": cells, "grid": grid, "diff_ha": diff, "bound_ha": bound, "size_mb": Path(out).stat().st_size / 1e6}))
"""


def run(mode: str, build: Path, resolution: float, folder: Path) -> dict:
    out = folder / f"{mode}-{resolution:g}m.tif"
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(build), str(resolution), str(out)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, help="a build GeoPackage (default: the demo, built first)")
    parser.add_argument("--resolutions", type=float, nargs="+", default=[10.0, 5.0])
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 100 m cells")
    args = parser.parse_args()
    if args.smoke:
        args.resolutions = [100.0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build = args.build
        if build is None:
            from zoning.builder import build as build_zoning
            from zoning.demo import demo_paths

            build = folder / "cao-bang-build.gpkg"
            started = time.perf_counter()
            build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(build)
            print(f"demo build: {time.perf_counter() - started:.1f} s")
        for res in args.resolutions:
            ours = run("blocks", build, res, folder)
            w, h = ours["grid"]
            print(f"\n{res:g} m: grid {w:,} × {h:,} = {w * h / 1e6:,.1f} M cells, province {ours['cells'] / 1e6:,.1f} M cells")
            print(f"  blocks  : {ours['seconds']:6.1f} s  peak {ours['peak_mb']:7,.0f} MB  file {ours['size_mb']:.1f} MB (with overviews)")
            for zone, diff in ours["diff_ha"].items():
                print(f"    {zone:17s} raster − vector {diff:+9.2f} ha   (bound ±{ours['bound_ha'][zone]:,.0f} ha)")
            if not args.skip_baseline:
                base = run("baseline", build, res, folder)
                print(f"  baseline: {base['seconds']:6.1f} s  peak {base['peak_mb']:7,.0f} MB  (one rasterize over the whole grid in memory)")
                print(f"  ratio   : time {base['seconds'] / ours['seconds']:.2f}× , memory {base['peak_mb'] / ours['peak_mb']:.2f}× (baseline / blocks)")
                assert base["cells"] == ours["cells"], "the baseline and the blocks disagree on the province's cells"
            if res == 10:
                ok = ours["seconds"] < 30 and ours["peak_mb"] < 2048
                print(f"  target (10 m < 30 s, < 2 GB): {'met' if ok else 'NOT met'}")
    print(f"\nbench process peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
