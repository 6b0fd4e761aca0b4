"""Benchmark the comparison of two zonings: the Cao Bằng demo and a synthetic province of
100,000 features, each against a variant with 20 % of its features changed.

The builds are made first (their times are printed for scale); the time that counts is
``zoning.diff`` alone, in memory and from the two build files.

    python bench/bench_diff.py [--features 100000] [--share 0.2] [--skip-synthetic] [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from bench_build import CRS, synthetic_layers, timed

from zoning.builder import build as build_zoning
from zoning.compare import diff
from zoning.demo import demo_paths
from zoning.settings import settings

ADMIN = ("province", "communes")
SYNTHETIC_MERIDIAN = 105.75  # the central meridian of bench_build.CRS, also the demo's
ATTRIBUTES = ("urban_class", "width_m", "corridor_m", "protection_zone", "category", "part", "population", "capacity_m3d")


def variant(layers: dict[str, gpd.GeoDataFrame], share: float = 0.2, seed: int = 16) -> dict[str, gpd.GeoDataFrame]:
    """The layers with ``share`` of the features of each sensitive layer changed.

    Of the features picked, half are moved 5–100 m in a random direction, a quarter get
    one attribute changed (a class, a zone or a category rotated to another value of the
    layer, a width × 1.5) and a quarter are deleted; as many new features are added
    (copies of others moved 300 m). Features keep their ``id``.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for kind, layer in layers.items():
        layer = layer.copy()
        if kind in ADMIN:
            out[kind] = layer
            continue
        n = len(layer)
        picked = rng.permutation(n)[: max(1, round(share * n))]
        move, change, delete = np.array_split(picked, [len(picked) // 2, len(picked) * 3 // 4])
        geometry = layer.geometry.to_numpy().copy()
        if len(move):
            angle, distance = rng.uniform(0, 2 * np.pi, len(move)), rng.uniform(5, 100, len(move))
            geometry[move] = _moved(geometry[move], distance * np.cos(angle), distance * np.sin(angle))
        layer = layer.set_geometry(geometry, crs=layer.crs)
        attribute = next((a for a in ATTRIBUTES if a in layer), None)
        if attribute is not None and len(change):
            values = layer[attribute]
            if values.dtype.kind in "fi":
                layer[attribute] = values.astype(float)
                layer.loc[layer.index[change], attribute] = values.iloc[change].fillna(20.0).to_numpy() * 1.5
            else:
                kinds = sorted(values.dropna().astype(str).unique())
                rotated = {v: kinds[(i + 1) % len(kinds)] for i, v in enumerate(kinds)}
                layer.loc[layer.index[change], attribute] = values.iloc[change].astype(str).map(rotated).to_numpy()
        added = layer.iloc[delete].copy()
        added["id"] = added["id"].astype(str) + "-new"
        added = added.set_geometry(_moved(added.geometry.to_numpy(), 300.0, 0.0), crs=layer.crs)
        layer = layer.drop(index=layer.index[delete])
        out[kind] = gpd.GeoDataFrame(pd.concat([layer, added], ignore_index=True), geometry=layer.geometry.name, crs=layer.crs)
    return out


def _moved(geometries: np.ndarray, dx, dy) -> np.ndarray:
    """Each geometry translated by its own (dx, dy)."""
    parts_index = np.repeat(np.arange(len(geometries)), shapely.get_num_coordinates(geometries))
    shift = np.c_[np.broadcast_to(dx, len(geometries)), np.broadcast_to(dy, len(geometries))][parts_index]
    coordinates = shapely.get_coordinates(geometries) + shift
    return shapely.set_coordinates(geometries.copy(), coordinates)


def with_ids(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The layers with an ``id`` on every feature (so a deleted feature does not renumber the others)."""
    return {kind: layer if "id" in layer else layer.assign(id=[f"{kind}-{k}" for k in range(len(layer))]) for kind, layer in layers.items()}


def compare(label: str, before, after, tmp: Path) -> None:
    before_path, after_path = before.write(tmp / f"{label}-before.gpkg"), after.write(tmp / f"{label}-after.gpkg")
    change, _, _ = timed(f"{label}: diff in memory", diff, before, after)
    timed(f"{label}: diff from the two build files", diff, before_path, after_path)
    print(f"    steps: {change.meta['timings_s']}")
    print(f"    changed {change.changed_ha:,.1f} ha in {change.meta['changed_pieces']:,} pieces; noise {change.meta['noise_ha']:,.3f} ha "
          f"in {change.meta['noise_pieces']:,}; input changes {len(change.input_changes):,}; reasons {len(change.reasons):,}")
    print("    transitions ha (old → new):")
    print(change.matrix().round(2).to_string().replace("\n", "\n      "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--share", type=float, default=0.2)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a quick run: a synthetic province of 2,000 features")
    args = parser.parse_args()
    if args.smoke:
        args.features = 2_000
    print(f"{settings.workers} worker thread(s)")
    with tempfile.TemporaryDirectory() as tmp:
        demo = demo_paths()
        # in metres, so the moves are in metres: the demo ships in WGS 84
        layers = {name: pyogrio.read_dataframe(demo.layers, layer=name).to_crs(CRS) for name, _ in pyogrio.list_layers(demo.layers)}
        before, _, _ = timed("demo build", lambda: build_zoning(layers, province_rules=demo.province_rules))
        changed = variant(layers, args.share)
        after, _, _ = timed(f"demo variant build ({args.share:.0%} of features changed)", lambda: build_zoning(changed, province_rules=demo.province_rules))
        compare("demo", before, after, Path(tmp))
        if args.skip_synthetic:
            return
        layers = with_ids(synthetic_layers(args.features))
        before, _, _ = timed(f"synthetic build ({args.features:,} features)", lambda: build_zoning(layers, central_meridian=SYNTHETIC_MERIDIAN))
        changed = variant(layers, args.share)
        after, _, _ = timed("synthetic variant build", lambda: build_zoning(changed, central_meridian=SYNTHETIC_MERIDIAN))
        compare("synthetic", before, after, Path(tmp))


if __name__ == "__main__":
    main()
