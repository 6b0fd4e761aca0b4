"""Make the national reference boundaries ``layers/reference/vietnam-2025.gpkg`` from the
GeoJSON export of the Vietnamese Provinces Database (2025 units; see
``layers/reference/SOURCE.md``).

    python tools/make_reference.py SOURCE [--out PATH] [--complete 04,20] [--tolerance 5]

SOURCE is the export's ``json/geojson`` folder: ``<pp>_<name>/<pp>_<name>.geojson`` (the
province) and ``<pp>_<name>/wards/*.geojson`` (its communes, one file each). What it writes:

- ``communes``: every commune (code, name, full name vi/en, province code), overlaps
  resolved (the land two communes both claim stays with the one of lower code), simplified
  together as one coverage so that neighbours keep one shared edge; flagged ``island``
  (touches no other commune) and ``oversized`` (its polygon is more than twice the area the
  source states, as for the special zones of Hoàng Sa and Trường Sa, drawn with their sea);
- ``provinces``: each province as the union of its communes (``has_communes``); a province
  of the source without communes keeps its own polygon, simplified the same way, for
  location sketches only;
- ``neighbours``: pairs of provinces sharing a boundary, with its length;
- ``outer_boundary``: the part of each province's boundary that no other province of the
  set shares (national border or coast where the set is the whole country);
- ``report``: what was resolved and flagged, and the precision of the boundaries.

``--complete`` names provinces whose every neighbour is in a partial set (the whole set is
complete when all 34 provinces have communes). Run from the repository root.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import yaml

ROOT = Path(__file__).resolve().parents[1]
METRIC = "EPSG:3405"  # VN-2000 / UTM zone 48N: one metric frame for the whole country
TOLERANCE_M = 5.0  # simplification; the measured displacement is written to the report
SHARED_MIN_M = 50.0  # a shared boundary shorter than this is a corner, not a neighbour
OVERSIZED = 2.0
COLUMNS = {"code": "code", "name": "name", "fullName": "full_name", "nameEn": "name_en", "fullNameEn": "full_name_en"}


def read_source(source: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The communes and the province polygons of the export, in the metric frame."""
    communes, provinces = [], []
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        province = gpd.read_file(folder / f"{folder.name}.geojson")
        provinces.append(province)
        for file in sorted((folder / "wards").glob("*.geojson")):
            ward = gpd.read_file(file)
            ward["province_code"] = province["code"].iloc[0]
            communes.append(ward)
    province_frame = pd.concat(provinces, ignore_index=True).rename(columns=COLUMNS)
    if not communes:
        sys.exit(f"no commune files under {source}/*/wards/")
    commune_frame = pd.concat(communes, ignore_index=True).rename(columns=COLUMNS)
    keep = [*COLUMNS.values(), "areaKm2", "geometry"]
    return (gpd.GeoDataFrame(commune_frame[keep + ["province_code"]], crs=4326).to_crs(METRIC),
            gpd.GeoDataFrame(province_frame[keep], crs=4326).to_crs(METRIC))


def resolve_overlaps(communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """Communes made disjoint: land claimed by two stays with the one of lower code."""
    communes = communes.sort_values("code").reset_index(drop=True)
    geoms = shapely.make_valid(communes.geometry.to_numpy())
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = (left < right)
    left, right = left[pairs], right[pairs]
    overlap = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    real = overlap > 0.01
    left, right, overlap = left[real], right[real], overlap[real]
    cross = communes["province_code"].to_numpy()[left] != communes["province_code"].to_numpy()[right]
    for loser in np.unique(right):
        winners = geoms[left[right == loser]]
        geoms[loser] = shapely.difference(geoms[loser], shapely.union_all(winners))
    communes["geometry"] = shapely.make_valid(geoms)
    report = {"overlapping_pairs": int(len(left)), "overlap_km2": round(float(overlap.sum()) / 1e6, 4),
              "pairs_across_provinces": int(cross.sum()), "rule": "land claimed by two communes stays with the one of lower code"}
    return communes, report


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Polygonal parts only (a difference or a validity repair may leave lines or points)."""
    parts = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts[0]) == 3
    out = np.array([shapely.MultiPolygon()] * len(geoms), dtype=object)
    for index in np.unique(parts[1][keep]):
        out[index] = shapely.multipolygons(parts[0][keep & (parts[1] == index)])
    return out


def simplify(geoms: np.ndarray, tolerance: float) -> tuple[np.ndarray, float]:
    """Simplified as one coverage, and the largest distance of a source vertex to the simplified edges (metres).

    The distance is taken to the nearest simplified edge of any unit (an STRtree of the edges:
    linear in the vertices): in a coverage a shared edge is simplified once for both sides.
    """
    simplified = shapely.coverage_simplify(geoms, tolerance)
    rings = shapely.get_rings(shapely.get_parts(simplified))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
    points = shapely.points(shapely.get_coordinates(geoms))
    _, moved = shapely.STRtree(segments).query_nearest(points, return_distance=True, all_matches=False)
    return shapely.make_valid(simplified), float(moved.max()) if len(moved) else 0.0


def shared_boundaries(provinces: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Pairs of provinces with the length they share, and each province's boundary shared with none."""
    geoms = provinces.geometry.to_numpy()
    reach = shapely.buffer(geoms, 1.0)
    left, right = shapely.STRtree(geoms).query(reach, predicate="intersects")
    keep = left != right
    left, right = left[keep], right[keep]
    boundaries = shapely.boundary(geoms)
    lengths = shapely.length(shapely.intersection(boundaries[left], reach[right]))
    real = lengths > SHARED_MIN_M
    codes = provinces["code"].to_numpy()
    pairs = pd.DataFrame({"province_code": codes[left[real]], "neighbour_code": codes[right[real]],
                          "shared_km": np.round(lengths[real] / 1000, 3)}).sort_values(["province_code", "neighbour_code"])
    outer = np.array([shapely.difference(boundaries[i], shapely.union_all(reach[right[real][left[real] == i]]))
                      for i in range(len(geoms))], dtype=object)
    return pairs.reset_index(drop=True), outer


def main(argv: list[str] | None = None) -> None:
    """Read the export, build the reference layers and write them to one GeoPackage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "layers" / "reference" / "vietnam-2025.gpkg")
    parser.add_argument("--complete", default="", help="provinces whose every neighbour is in a partial set (codes, comma-separated)")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_M)
    args = parser.parse_args(argv)
    table = yaml.safe_load((ROOT / "layers" / "provinces.yaml").read_text(encoding="utf-8"))["provinces"]

    communes, provinces = read_source(args.source)
    communes["geometry"] = shapely.make_valid(communes.geometry.to_numpy())
    communes, report = resolve_overlaps(communes)
    communes["geometry"] = polygonal(communes.geometry.to_numpy())
    communes["geometry"], moved = simplify(communes.geometry.to_numpy(), args.tolerance)
    communes["geometry"] = polygonal(communes.geometry.to_numpy())
    geoms = communes.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(shapely.buffer(geoms, 1.0), predicate="intersects")
    touching = np.bincount(left[left != right], minlength=len(geoms))
    communes["island"] = touching == 0
    communes["oversized"] = shapely.area(geoms) / 1e6 > OVERSIZED * communes["areaKm2"].astype(float)
    communes["area_km2"] = np.round(shapely.area(geoms) / 1e6, 4)

    with_communes = set(communes["province_code"])
    unions = communes.dissolve("province_code")  # not "coverage": the repaired simplification is not exactly noded everywhere
    rows = []
    for province in provinces.itertuples():
        rows.append({**{c: getattr(province, c) for c in COLUMNS.values()}, "has_communes": province.code in with_communes,
                     "geometry": unions.geometry[province.code] if province.code in with_communes else province.geometry})
    province_frame = gpd.GeoDataFrame(rows, crs=METRIC)
    alone = ~province_frame["has_communes"].to_numpy()
    moved_alone = 0.0
    if alone.any():
        simplified, moved_alone = simplify(polygonal(province_frame.geometry.to_numpy()[alone]), args.tolerance)
        province_frame.loc[alone, "geometry"] = simplified
    province_frame["area_km2"] = np.round(shapely.area(province_frame.geometry.to_numpy()) / 1e6, 4)
    complete = len(with_communes) == len(table)
    listed = {c.strip() for c in args.complete.split(",") if c.strip()}
    province_frame["neighbours_complete"] = [complete or code in listed for code in province_frame["code"]]
    neighbours, outer = shared_boundaries(province_frame)
    outer_frame = gpd.GeoDataFrame({"province_code": province_frame["code"], "length_km": np.round(shapely.length(outer) / 1000, 3),
                                    "neighbours_complete": province_frame["neighbours_complete"]}, geometry=list(outer), crs=METRIC)

    report.update({"communes": int(len(communes)), "provinces_with_communes": len(with_communes), "provinces": int(len(province_frame)),
                   "complete": complete, "tolerance_m": args.tolerance, "largest_displacement_m": round(max(moved, moved_alone), 2),
                   "islands": sorted(communes.loc[communes["island"], "full_name"]),
                   "oversized": sorted(communes.loc[communes["oversized"], "full_name"])})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".{args.out.stem}.part.gpkg")
    tmp.unlink(missing_ok=True)
    layers = {"communes": communes.drop(columns=["areaKm2"]), "provinces": province_frame, "outer_boundary": outer_frame}
    for name, frame in layers.items():
        frame = frame.to_crs(4326)
        frame["geometry"] = shapely.set_precision(frame.geometry.to_numpy(), 1e-7)
        pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", append=tmp.exists(), SPATIAL_INDEX="YES")
    pyogrio.write_dataframe(neighbours, tmp, layer="neighbours", driver="GPKG", append=True)
    pyogrio.write_dataframe(pd.DataFrame({"key": list(report), "value": [json.dumps(v, ensure_ascii=False) for v in report.values()]}),
                            tmp, layer="report", driver="GPKG", append=True)
    tmp.replace(args.out)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
