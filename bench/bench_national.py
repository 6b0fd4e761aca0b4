"""Benchmark the national zoning on Dask: the same synthetic national layer set built with a
LocalCluster of 1 worker and of 2, in one run.

The layer set lies on the real 2025 boundaries in use (the shipped reference: Cao Bằng, with
Lạng Sơn given synthetic communes cut from its shipped outline; every province with
``ZONING_REFERENCE`` pointing to a national reference file): per province, features in
proportion to its area — nature reserves (squares of 0.3–3 km) and domestic-supply rivers
(random walks of 2–20 km) — placed over the whole land, so that many cross a border.

Prints, for 1 and 2 workers: wall time, CPU-seconds (the tasks'), peak memory per worker, the
speed-up (wall with 1 / wall with 2), and checks that the national tables are identical.

    python bench/bench_national.py --smoke            # seconds: 2 provinces × 40 features
    python bench/bench_national.py --features 5000    # 5,000 features per average province
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.national_fixtures import lang_son_frames  # noqa: E402
from zoning.inputs.reference import reference_layer  # noqa: E402
from zoning.national import build_national  # noqa: E402

WGS84 = "EPSG:4326"
DEG = 1 / 105_000  # about a metre in degrees at Vietnam's latitudes


def national_layers(per_province: int, seed: int = 20) -> dict[str, gpd.GeoDataFrame]:
    """Features on the provinces of the reference in use (Lạng Sơn given communes when the reference has none)."""
    rng = np.random.default_rng(seed)
    communes = reference_layer("communes")
    codes = sorted(communes["province_code"].astype(str).unique())
    layers: dict[str, gpd.GeoDataFrame] = {}
    outlines = {code: shapely.union_all(communes.loc[communes["province_code"] == code, "geometry"].to_numpy()) for code in codes}
    if "20" not in outlines:
        given = lang_son_frames()
        outlines["20"] = given["province"].geometry.iloc[0]
        layers["province"] = given["province"]
        layers["communes"] = given["communes"].assign(province_code="20")
    mean_area = np.mean([g.area for g in outlines.values()])
    reserves, rivers = [], []
    for code, outline in sorted(outlines.items()):
        n = max(2, round(per_province * outline.area / mean_area))
        points = _points_in(outline, n, rng)
        half = rng.uniform(150, 1500, len(points)) * DEG
        for i, (x, y) in enumerate(points[: n // 3]):
            reserves.append({"id": f"kbt-{code}-{i}", "name": f"Khu bảo tồn {code}-{i}", "part": "core", "category": "nature_reserve",
                             "geometry": shapely.box(x - half[i], y - half[i], x + half[i], y + half[i])})
        for i, (x, y) in enumerate(points[n // 3:]):
            steps = rng.integers(4, 40)
            walk = np.cumsum(rng.normal(0, 500 * DEG, (steps, 2)), axis=0) + (x, y)
            rivers.append({"id": f"song-{code}-{i}", "name": f"Sông {code}-{i}", "water_body": "river", "geometry": shapely.LineString(walk)})
    layers["nature_reserves"] = gpd.GeoDataFrame(reserves, crs=WGS84)
    layers["water_supply_sources"] = gpd.GeoDataFrame(rivers, crs=WGS84)
    return layers


def _points_in(outline: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = outline.bounds
    shapely.prepare(outline)
    found = np.empty((0, 2))
    while len(found) < n:
        candidates = np.column_stack([rng.uniform(xmin, xmax, 4 * n), rng.uniform(ymin, ymax, 4 * n)])
        found = np.vstack([found, candidates[shapely.contains_xy(outline, candidates[:, 0], candidates[:, 1])]])
    return found[:n]


def tables(out: Path) -> dict[str, pd.DataFrame]:
    """The national tables (geometry as WKB), to compare two runs."""
    found = {}
    for name in ("zones", "units", "lineage"):
        frame = pyogrio.read_dataframe(out / "vietnam.gpkg", layer=name)
        table = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
        if "geometry" in frame:
            table["wkb"] = shapely.to_wkb(frame.geometry.values, hex=True)
        found[name] = table
    return found


def run(source: Path, out: Path, workers: int) -> dict:
    start = time.perf_counter()
    result = build_national(source, out, workers=workers)
    wall = time.perf_counter() - start
    for outcome in result.failed:
        print(f"  {workers} worker(s): {outcome.slug} failed: {outcome.error}")
    peaks: dict[str, float] = {}
    for outcome in result.outcomes:
        if outcome.error:
            continue
        worker = outcome.summary["worker"]
        peaks[worker] = max(peaks.get(worker, 0.0), outcome.summary["worker_peak_mb"])
    return {"wall": wall, "cpu": sum(o.summary["cpu_s"] for o in result.outcomes if not o.error), "peaks": peaks, "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=int, default=5000, help="features of an average province")
    parser.add_argument("--smoke", action="store_true", help="a few features, for CI: seconds")
    args = parser.parse_args()
    per_province = 40 if args.smoke else args.features
    folder = Path(tempfile.mkdtemp(prefix="bench-national-"))
    try:
        layers = national_layers(per_province)
        source = folder / "vietnam-layers.gpkg"
        for kind, frame in layers.items():
            frame.to_file(source, layer=kind, driver="GPKG")
        features = sum(len(layers[k]) for k in ("nature_reserves", "water_supply_sources"))
        print(f"{features:,} features ({per_province:,} per average province)")
        runs = {n: run(source, folder / f"out-{n}", n) for n in (1, 2)}
        provinces = len(runs[1]["result"].outcomes)
        failed = [sorted(o.slug for o in runs[n]["result"].failed) for n in (1, 2)]
        assert failed[0] == failed[1], failed
        for n, measured in runs.items():
            peaks = ", ".join(f"{mb:,.0f} MB" for mb in sorted(measured["peaks"].values()))
            print(f"{n} worker(s), {provinces} provinces: wall {measured['wall']:.1f} s, CPU {measured['cpu']:.1f} s, peak memory per worker {peaks}")
        print(f"speed-up 2 workers / 1: {runs[1]['wall'] / runs[2]['wall']:.2f}×")
        one, two = tables(folder / "out-1"), tables(folder / "out-2")
        for name in one:
            pd.testing.assert_frame_equal(one[name], two[name], obj=name)
        found = runs[2]["result"].consistency
        print(f"identical tables for 1 and 2 workers: zones {len(one['zones'])}, units {len(one['units'])}, lineage {len(one['lineage'])} rows; "
              f"coverage gaps {found.gap_m2:.3f} m², overlaps {found.overlap_m2:.3f} m², features across borders "
              f"{found.as_dict()['crossing_features']}, differences {len(found.differences)}, provinces failed {len(failed[0])}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
