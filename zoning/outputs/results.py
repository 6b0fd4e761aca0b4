"""Check results as files: GeoPackage, GeoJSON, JSON, CSV and Excel (documented in docs/check-results.md)."""

from __future__ import annotations

import warnings

import json
from pathlib import Path

import numpy as np
import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from zoning.files import atomic_path, write_layers
from zoning.inputs.crs import WGS84, reproject
from zoning.errors import InputError
from zoning.checker import arrays
from zoning.checker.result import GPKG_LAYERS, TABLES, VERDICT_ORDER, CheckResult
from zoning.inputs.layers import read_vector


OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv", ".xlsx")




def check_output_path(path: str | Path) -> Path:
    """The path of a results file, checked: its suffix must name a format this module writes."""
    path = Path(path)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(f"--out {path}: unknown output format '{path.suffix}'", f"use one of: {', '.join(OUTPUT_SUFFIXES)}")
    return path


def write_results(result: CheckResult, path: str | Path) -> Path:
    """Write check results by suffix: ``.gpkg``, ``.geojson``, ``.json``, ``.csv`` or ``.xlsx`` (atomically).

    The Excel workbook has the CSV's site table as its first sheet, then one sheet per
    long table (named as the GeoPackage layers) and the check's manifest.

    The format is documented in ``docs/check-results.md``.

    Parameters
    ----------
    result
        A check result (:func:`zoning.check`).
    path
        The file to write; its suffix chooses the format.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.check(zoning.demo_paths().sites, "build.gpkg")  # doctest: +SKIP
    >>> zoning.write_results(result, "results.gpkg")  # doctest: +SKIP
    PosixPath('results.gpkg')
    """
    path = check_output_path(path)
    suffix = path.suffix.lower()
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
        elif suffix == ".xlsx":
            _xlsx(result, tmp)
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


def _xlsx(result: CheckResult, path: Path) -> None:
    """The site table of the CSV and every long table, one sheet each."""
    meta = {k: v for k, v in result.meta.items() if k != "timings_s"}
    sheets = {"sites": _csv(result)}
    sheets.update({GPKG_LAYERS[name]: result.table(name) for name in TABLES})
    sheets["check_manifest"] = pd.DataFrame({"key": list(meta), "value": [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in meta.values()]})
    with pd.ExcelWriter(path, engine="openpyxl") as workbook:
        for name, table in sheets.items():
            table.to_excel(workbook, sheet_name=name, index=False)
            workbook.sheets[name].freeze_panes = "A2"


def read_results(sites: CheckResult | gpd.GeoDataFrame | str | Path, findings: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Site-check results as a GeoDataFrame with one list of findings per site.

    Reads what :func:`write_results` writes: a GeoPackage whose
    spatial layer ``sites`` has one row per site and whose table ``findings`` has one row
    per finding (``site_id``, ``severity``, ``status``, ``title_*``, ``detail_*``,
    ``citation_*``), or a GeoJSON whose features carry their findings as a list. Only
    ``verdict`` is required; ``site_id``, ``name``, findings and the other columns are
    used when present.

    Parameters
    ----------
    sites
        A check result, a GeoPackage or GeoJSON path, or a GeoDataFrame.
    findings
        A long table of findings keyed by ``site_id`` (e.g. ``CheckResult.findings``); it
        replaces whatever the sites carry.

    Raises
    ------
    InputError
        If the results have no CRS or no ``verdict`` column.

    Examples
    --------
    >>> import zoning
    >>> sites = zoning.read_results("sites-check.gpkg")  # doctest: +SKIP
    >>> sites[["site_id", "verdict"]]  # doctest: +SKIP
    """
    if isinstance(sites, CheckResult):
        sites, findings = sites.sites, findings if findings is not None else sites.findings
    if isinstance(sites, gpd.GeoDataFrame):
        frame, where = sites, "sites"
    else:
        path = Path(sites)
        where = str(path)
        layer, table = _result_layers(path)
        with warnings.catch_warnings():  # GDAL guessing whether a findings column is JSON
            warnings.simplefilter("ignore", UserWarning)
            frame = read_vector(path, layer)
        findings = findings if findings is not None else table
    if frame.crs is None:
        raise InputError(f"{where}: the sites have no coordinate reference system", "write the results with a CRS (e.g. EPSG:4326 or the build's)")
    frame = frame.rename(columns={c: c.lower() for c in frame.columns if isinstance(c, str) and c != frame.geometry.name})
    if "verdict" not in frame:
        raise InputError(
            f"{where}: no 'verdict' column — is this the output of `zoning check`?",
            f"site layers need a 'verdict' ({', '.join(VERDICT_ORDER)}); columns found: {', '.join(map(str, frame.columns))}",
        )
    if findings is not None and "site_id" in findings and "site_id" in frame:
        grouped = {key: group.to_dict("records") for key, group in findings.groupby(findings["site_id"].astype(str), sort=False)}
        frame = frame.assign(findings=[grouped.get(str(s), []) for s in frame["site_id"]])
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def _result_layers(path: Path) -> tuple[str | None, pd.DataFrame | None]:
    """The spatial layer of sites and the findings table of a results GeoPackage."""
    if path.suffix.lower() != ".gpkg" or not path.exists():
        return None, None
    try:
        listed = pyogrio.list_layers(path)
    except Exception:  # noqa: BLE001 - read_vector reports the unreadable file
        return None, None
    spatial = [str(name) for name, kind in listed if kind]
    names = [str(name) for name, _ in listed]
    layer = next((n for n in ("sites", "results") if n in spatial), spatial[0] if spatial else None)
    findings = pyogrio.read_dataframe(path, layer="findings", read_geometry=False) if "findings" in names else None
    return layer, findings
