"""The national mosaic: the provinces' zones, units, lineage and communes in one CRS.

**CRS: VN-2000 geographic (EPSG:4756).** Every province is built in its own VN-2000 / TM-3
CRS, all on the VN-2000 datum: going from any of them to VN-2000 longitude/latitude is the
inverse of a map projection, with no datum shift, so the provinces' shared borders meet in
the mosaic to floating-point precision and nothing is moved by a transformation (going to
WGS 84 would add the EPSG:6960 shift of the order of 100 m and its own error). Areas are
never measured in it: ``area_ha`` of every row is the province's own, measured in its TM-3
build.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from zoning.builder.overlay import thread_map
from zoning.inputs.crs import made_valid
from zoning.inputs.reference import province_by_code, table

NATIONAL_CRS = "EPSG:4756"
LAYERS = ("zones", "units", "communes", "lineage")


def province_frames(path: Path, slug: str, code: str, layers: tuple[str, ...] = LAYERS) -> dict[str, pd.DataFrame]:
    """The layers of one province's build, in the national CRS, with its slug, code and region."""
    known = province_by_code(code)
    region = known.region if known else ""
    frames: dict[str, pd.DataFrame] = {}
    for name in layers:
        frame = pyogrio.read_dataframe(path, layer=name, read_geometry=name != "lineage")
        if isinstance(frame, gpd.GeoDataFrame):
            frame = frame.to_crs(NATIONAL_CRS)
            frame.geometry = made_valid(frame.geometry.to_numpy())
        frame.insert(0, "region", region)
        frame.insert(0, "province_code", code)
        frame.insert(0, "province", slug)
        frames[name] = frame
    return frames


def mosaic(builds: dict[str, tuple[Path, str]]) -> dict[str, pd.DataFrame]:
    """The national layers from the province builds (``slug → (path, code)``), provinces in code order."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in LAYERS}
    ordered = sorted(builds.items(), key=lambda item: item[1][1])
    for frames in thread_map(lambda item: province_frames(item[1][0], item[0], item[1][1]), ordered):  # reading, reprojecting, repairing: in parallel
        for name, frame in frames.items():
            parts[name].append(frame)
    national: dict[str, pd.DataFrame] = {}
    for name, frames in parts.items():
        if not frames:
            continue
        joined = pd.concat(frames, ignore_index=True)
        national[name] = gpd.GeoDataFrame(joined, geometry="geometry", crs=NATIONAL_CRS) if "geometry" in joined else joined
    return national


def province_extents(national: dict[str, pd.DataFrame]) -> dict[str, shapely.Geometry]:
    """Each province's land (national CRS): the union of its communes, which its build
    reconciled to its province polygon and its zones cover. A few hundred polygons, where
    the union of its zones would unite millions of vertices.
    """
    communes = national["communes"]
    return {slug: shapely.union_all(part.geometry.to_numpy()) for slug, part in communes.groupby("province", sort=False)}


def regions() -> dict[str, tuple[str, str]]:
    """Region code → (Vietnamese, English) name, from the province table."""
    return {code: (names["vi"], names["en"]) for code, names in table()["regions"].items()}


def write_parquet(national: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """GeoParquet of the zones and units, one file per province (``<layer>/province=<slug>/part-0.parquet``,
    the Hive layout that pyarrow, DuckDB and Spark read as one table partitioned by province).
    """
    written = []
    for name in ("zones", "units"):
        frame = national.get(name)
        if frame is None:
            continue
        for slug, part in frame.groupby("province", sort=True):
            path = folder / name / f"province={slug}" / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            gpd.GeoDataFrame(part.drop(columns="province"), geometry="geometry", crs=NATIONAL_CRS).to_parquet(path, index=False)
            written.append(path)
    return written
