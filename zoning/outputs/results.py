"""Check results as files: GeoPackage, GeoJSON, JSON and CSV (documented in docs/check-results.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from zoning.builder.model import atomic_path, write_layers
from zoning.inputs.crs import WGS84, reproject
from zoning.errors import InputError
from zoning.checker import arrays
from zoning.checker.result import GPKG_LAYERS, TABLES, CheckResult


OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv")




def write_results(result: CheckResult, path: str | Path) -> Path:
    """Write check results by suffix: ``.gpkg``, ``.geojson``, ``.json`` or ``.csv`` (atomically)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise InputError(f"--out {path}: unknown output format '{suffix}'", f"use one of: {', '.join(OUTPUT_SUFFIXES)}")
    with atomic_path(path) as tmp:
        if suffix == ".gpkg":
            layers: dict[str, pd.DataFrame] = {"sites": result.sites}
            for name in TABLES:
                layers[GPKG_LAYERS[name]] = _gpkg_safe(result.table(name))
            meta = {k: v for k, v in result.meta.items() if k != "timings_s"}
            layers["check_manifest"] = pd.DataFrame({"key": list(meta), "value": [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in meta.values()]})
            layers["sites"] = _gpkg_safe(result.sites)
            write_layers(tmp, layers)
        elif suffix in (".geojson", ".json"):
            tmp.write_text(_json_document(result, feature_collection=suffix == ".geojson"), encoding="utf-8")
        else:
            _csv(result).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _gpkg_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed bool/None become text-free nullable values GDAL can store."""
    table = table.copy()
    for column in table.columns:
        if column == "geometry":
            continue
        if table[column].dtype == object and table[column].map(lambda v: isinstance(v, (bool, np.bool_)) or v is None).all():
            table[column] = pd.array([None if v is None else bool(v) for v in table[column]], dtype="boolean")
    return table


def _wgs84(result: CheckResult) -> np.ndarray:
    geometry = reproject(result.sites.geometry.to_numpy(), result.sites.crs, WGS84)
    return shapely.set_precision(geometry, 1e-7)


def _json_document(result: CheckResult, feature_collection: bool) -> str:
    meta = {k: v for k, v in result.meta.items() if k != "timings_s"}
    records = result.records()
    geometry = _wgs84(result)
    if feature_collection:
        features = [{"type": "Feature", "id": r["site_id"], "properties": r, "geometry": json.loads(shapely.to_geojson(g))} for r, g in zip(records, geometry)]
        document = {"type": "FeatureCollection", "name": "sites", "metadata": meta, "features": features}
    else:
        for record, g in zip(records, geometry):
            record["geometry"] = json.loads(shapely.to_geojson(g))
        document = {**meta, "geometry_crs": "EPSG:4326", "sites": records}
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _csv(result: CheckResult) -> pd.DataFrame:
    """The site table with a representative point in WGS 84 and the findings as text."""
    table = pd.DataFrame(result.sites.drop(columns="geometry"))
    points = reproject(shapely.point_on_surface(result.sites.geometry.to_numpy()), result.sites.crs, WGS84)
    xy = shapely.get_coordinates(points)
    table.insert(2, "lon", np.round(xy[:, 0], 7))
    table.insert(3, "lat", np.round(xy[:, 1], 7))
    f = result.findings
    text = ("[" + f["severity"] + "] " + f["title_en"] + np.where(f["detail_en"] != "", ": " + f["detail_en"], "")
            + np.where(f["citation_en"] != "", " (" + f["citation_en"] + "; " + f["status"] + ")", ""))
    position = pd.Series(np.arange(len(table)), index=table["site_id"].to_numpy())
    table["findings_en"] = ""
    sites, joined = arrays.join_by(position.reindex(f["site_id"]).to_numpy(), text.to_numpy(object), " | ")
    table.loc[table.index[sites], "findings_en"] = joined
    table["build_id"] = result.meta["build_id"]
    table["ruleset"] = result.meta["ruleset"]
    table["check_rules"] = result.meta["check_rules"]
    table["software"] = result.meta["software"]
    return table

