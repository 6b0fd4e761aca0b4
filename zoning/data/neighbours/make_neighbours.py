"""Make ``provinces.geojson``: Cao Bằng and its neighbouring provinces (2025 borders),
simplified together for location sketches.

Run from the repository root: ``python zoning/data/neighbours/make_neighbours.py [SOURCE]``;
SOURCE is the GeoJSON export of the Vietnamese Provinces Database (see SOURCE.md), by
default ``../shared/data/raw/vietnamese-provinces-database/json/geojson``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

SOURCE = Path("../shared/data/raw/vietnamese-provinces-database/json/geojson")
FILES = ["04_cao_bang", "08_tuyen_quang", "19_thai_nguyen", "20_lang_son"]
TOLERANCE_M = 300.0  # 0.3 mm at 1:1,000,000: invisible on a location sketch
METRIC_CRS = 9210  # VN-2000 / TM-3 105-45, the zone of Cao Bằng
# Cao Bằng is the only province whose every neighbour is in the set: elsewhere the
# boundary not shared with a shipped province is not known to be a national border
COMPLETE = {"04": ("Trung Quốc", "China")}


def main(source: Path) -> None:
    """Read the four provinces from ``source``, simplify them as one coverage and write the shipped GeoJSON."""
    frames = [gpd.read_file(source / name / f"{name}.geojson") for name in FILES]
    provinces = pd.concat(frames, ignore_index=True)
    metric = provinces.to_crs(METRIC_CRS)
    assert shapely.coverage_is_valid(metric.geometry.values)
    simplified = gpd.GeoSeries(shapely.coverage_simplify(metric.geometry.values, TOLERANCE_M), crs=METRIC_CRS).to_crs(4326)
    geometry = shapely.set_precision(simplified.values, 1e-5)  # about a metre: shared vertices stay shared
    features = []
    for row, shape in zip(provinces.itertuples(), geometry):
        foreign = COMPLETE.get(row.code)
        properties = {"code": row.code, "name": row.name, "full_name": row.fullName, "name_en": row.nameEn,
                      "neighbours_complete": foreign is not None, "across_border_vi": foreign[0] if foreign else "",
                      "across_border_en": foreign[1] if foreign else ""}
        features.append({"type": "Feature", "properties": properties, "geometry": json.loads(shapely.to_geojson(shape))})
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    (Path(__file__).parent / "provinces.geojson").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
