"""The digital dataset of the zoning decision: the full-precision boundaries of its units.

The printed annex lists the boundaries simplified to the accuracy of the map scale the
decision adopts; the dataset carries them whole, as a GeoPackage (one polygon per unit)
and a workbook of every vertex. The annex prints the SHA-256 of both files, which binds
the printed and the digital versions together: a file whose checksum differs is not the
one the decision adopted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.files import atomic_path
from zoning.outputs.xlsx import Sheet, write_workbook

LAYER = "khu_vuc"  # the units' layer in the GeoPackage
FIELDS = {  # unit column → field of the dataset (names without diacritics, as GIS software expects)
    "annex": "phu_luc", "stt": "stt", "unit_id": "ma_khu_vuc", "name": "ten_khu_vuc", "zone_vi": "vung",
    "area_ha": "dien_tich_ha", "citation_vi": "can_cu",
}
VERTEX_HEADER = ["Phụ lục", "STT", "Mã khu vực", "Tên khu vực", "Phần", "Đường bao (0 = ngoài, k = trong thứ k)", "Điểm",
                 "X (m) – hướng Bắc", "Y (m) – hướng Đông"]


@dataclass(frozen=True)
class DigitalDataset:
    """The dataset's two files and their SHA-256 (hexadecimal)."""

    gpkg: Path
    xlsx: Path
    gpkg_sha256: str
    xlsx_sha256: str


def dataset_paths(out: Path) -> tuple[Path, Path]:
    """``<annex>-du-lieu-so.gpkg`` and ``<annex>-du-lieu-so.xlsx`` beside the annex ``out``."""
    stem = out.with_name(f"{out.stem}-du-lieu-so")
    return stem.with_suffix(".gpkg"), stem.with_suffix(".xlsx")


def all_vertices(units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every vertex of every unit, unrounded: unit_id, part, ring (0 = outer), point (1… through the unit), northing, easting.

    The closing vertex of a ring is not repeated.
    """
    parts, unit_of_part = shapely.get_parts(units.geometry.to_numpy(), return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    closing = np.r_[ring_of_coord[1:] != ring_of_coord[:-1], True] if len(ring_of_coord) else np.zeros(0, bool)
    coords, ring_of_coord = coords[~closing], ring_of_coord[~closing]
    unit_of_point = unit_of_part[part_of_ring[ring_of_coord]]
    part_number = pd.Series(unit_of_part).groupby(unit_of_part).cumcount().to_numpy() + 1
    ring_number = pd.Series(part_of_ring).groupby(part_of_ring).cumcount().to_numpy()
    return pd.DataFrame({
        "unit_id": units["unit_id"].to_numpy()[unit_of_point],
        "part": part_number[part_of_ring[ring_of_coord]],
        "ring": ring_number[ring_of_coord],
        "point": pd.Series(unit_of_point).groupby(unit_of_point).cumcount().to_numpy() + 1,
        "northing": coords[:, 1],
        "easting": coords[:, 0],
    })


def write_dataset(units: gpd.GeoDataFrame, out: Path, title: str, sources=()) -> DigitalDataset:
    """Write the dataset of the units (with annex, stt, unit_id, name, zone_vi, area_ha, citation_vi) beside the annex ``out``.

    Parameters
    ----------
    units
        The units in force of the decision, in table order, in the build's CRS.
    out
        The annex document; the dataset goes beside it (:func:`dataset_paths`).
    title
        The title line of the vertex workbook.
    sources
        The build's inputs, which no output may replace.
    """
    gpkg, xlsx = dataset_paths(out)
    table = gpd.GeoDataFrame(units[list(FIELDS)].rename(columns=FIELDS), geometry=units.geometry.to_numpy(), crs=units.crs)
    table["stt"] = table["stt"].astype(int)
    with atomic_path(gpkg, sources) as tmp:
        table.to_file(tmp, layer=LAYER, driver="GPKG")
    vertices = all_vertices(units).merge(units[["unit_id", "annex", "stt", "name"]], on="unit_id", sort=False)
    rows = vertices[["annex", "stt", "unit_id", "name", "part", "ring", "point", "northing", "easting"]].to_numpy(object).tolist()
    with atomic_path(xlsx, sources) as tmp:
        write_workbook(tmp, [Sheet("Tọa độ", rows, title=title, header=VERTEX_HEADER, number_columns=(),
                                   widths=(8, 6, 12, 50, 6, 14, 8, 18, 16), freeze="A3")])
    return DigitalDataset(gpkg, xlsx, sha256(gpkg), sha256(xlsx))


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hexadecimal."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
