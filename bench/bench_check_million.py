"""Benchmark: `zoning check` of 1,000,000 points from the command line, as a planner runs it.

Builds the Cao Bằng demo (once, in a temporary folder), writes N random points inside the
province as a lon/lat CSV, then runs ``python -m zoning check points.csv -z build.gpkg -o
results.csv`` in a child process and prints its wall-clock time and peak memory (the
child's largest resident set), against the targets of 60 s and 2 GB. The console prints a
summary (not one row per site) above 30 sites.

Run:  python bench/bench_check_million.py [--points 1000000] [--out results.csv] [--smoke]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zoning.builder import build as build_zoning  # noqa: E402
from zoning.demo import demo_paths  # noqa: E402
from zoning.inputs.crs import WGS84, reproject  # noqa: E402

TARGET_S = 60.0
TARGET_GB = 2.0


def random_points_csv(build, n: int, path: Path, seed: int = 1) -> None:
    """N uniform random points inside the province, as id, lon, lat (WGS 84)."""
    province = shapely.union_all(build.zones.geometry.to_numpy())
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = province.bounds
    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < n:
        x, y = rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)
        inside = shapely.contains_xy(province, x, y)
        kept.append(np.column_stack([x[inside], y[inside]]))
    xy = np.concatenate(kept)[:n]
    lonlat = shapely.get_coordinates(reproject(shapely.points(xy), build.crs, WGS84))
    pd.DataFrame({"id": np.arange(1, n + 1), "lon": lonlat[:, 0].round(7), "lat": lonlat[:, 1].round(7)}).to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--out", default="results.csv", help="name of the results file: its suffix chooses the format")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 2,000 points")
    args = parser.parse_args()
    if args.smoke:
        args.points = 2_000
    with tempfile.TemporaryDirectory(prefix="zoning-bench-") as work:
        folder = Path(work)
        demo = demo_paths()
        build = build_zoning(demo.layers, province_rules=demo.province_rules)
        build_path = build.write(folder / "cao-bang-build.gpkg")
        points = folder / "points.csv"
        random_points_csv(build, args.points, points)
        out = folder / args.out
        command = [sys.executable, "-m", "zoning", "check", str(points), "-z", str(build_path), "-o", str(out)]
        started = time.perf_counter()
        run = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # kB on Linux
        if run.returncode != 0:
            sys.exit(f"zoning check failed ({run.returncode}):\n{run.stderr[-3000:]}")
        size_mb = out.stat().st_size / 1e6
        print(run.stdout.strip().splitlines()[0])
        print(f"{args.points:,} points → {args.out} ({size_mb:,.0f} MB): {seconds:,.1f} s, peak memory {peak_gb:,.2f} GB "
              f"(targets {TARGET_S:.0f} s, {TARGET_GB:.0f} GB: {'met' if seconds < TARGET_S and peak_gb < TARGET_GB else 'NOT met'})")


if __name__ == "__main__":
    main()
