"""The GeoJSON of the maps: geometries in WGS 84 rounded to about 0.1 m, and the overlay
layers drawn over the zones — checked sites, the pieces that moved between two builds, and
candidate land of the siting — with their popups' texts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.errors import GEOSException

from zoning import terms
from zoning.builder.model import Build
from zoning.compare.model import ZoningDiff
from zoning.compare.transitions import TRANSITIONS, transition_key
from zoning.errors import InputError
from zoning.inputs.crs import WGS84, reproject
from zoning.outputs.candidates import SitingLayers
from zoning.outputs.results import read_results
from zoning.terms import Lang

COORDINATE_DECIMALS = 6  # 1e-6° ≈ 0.1 m on the ground


def to_wgs84(geoms: np.ndarray, crs, decimals: int = COORDINATE_DECIMALS) -> np.ndarray:
    """Geometries in WGS 84 (pinned transformation), rounded to ``decimals``."""
    if not len(geoms):
        return np.asarray(geoms)
    wgs = reproject(np.asarray(geoms), CRS(crs), WGS84)
    return shapely.transform(wgs, lambda c: np.round(c, decimals))


def lat_lon_box(geoms: np.ndarray, crs) -> list[list[float]]:
    """[[south, west], [north, east]] of geometries, in WGS 84."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(to_wgs84(geoms, crs))
    return [[float(ymin), float(xmin)], [float(ymax), float(xmax)]]


def geojson_geometries(geoms: np.ndarray, crs, decimals: int = COORDINATE_DECIMALS) -> list[dict]:
    """WGS 84 GeoJSON geometries rounded to ``decimals`` (vectorised)."""
    if not len(geoms):
        return []
    return json.loads("[" + ",".join(shapely.to_geojson(to_wgs84(geoms, crs, decimals))) + "]")  # one parse, not one per feature


def label_points(geoms: np.ndarray, crs) -> list[list[float]]:
    """[lat, lon] of a point inside each geometry (for labels and popups)."""
    if not len(geoms):
        return []
    points = reproject(shapely.point_on_surface(np.asarray(geoms)), CRS(crs), WGS84)
    xy = np.round(shapely.get_coordinates(points), COORDINATE_DECIMALS)
    return [[float(y), float(x)] for x, y in xy]


def feature_collection(geometries: list[dict], properties: list[dict]) -> dict:
    """A GeoJSON FeatureCollection of geometries and their properties, in order."""
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": p, "geometry": g} for g, p in zip(geometries, properties)]}


def commune_names(build: Build) -> dict[str, str]:
    """Commune code → full name ("Phường Thục Phán"), or the short name where there is none."""
    communes = build.communes
    names = communes["full_name"] if "full_name" in communes else communes["name"]
    return dict(zip(communes["code"].astype(str), names.fillna(communes["name"]).astype(str)))


# --------------------------------------------------------------------- transitions


def transition_config(build: Build, change: ZoningDiff, style: dict, texts: dict, lang: Lang, tolerance_m: float) -> dict:
    """The land that changed zone since an earlier build: pieces by transition, why each moved, legend and note."""
    pieces = change.changes.reset_index(drop=True)
    geoms = simplified_for_display(pieces.geometry.to_numpy(), tolerance_m, coverage=True)
    shown = ~shapely.is_empty(geoms)
    pieces, geoms = pieces[shown].reset_index(drop=True), geoms[shown]
    why = change.reasons.groupby("piece_id", sort=False)[f"text_{lang}"].agg(list).to_dict()
    names = commune_names(build)
    props = [
        {
            "id": pid,
            "key": key,
            "area_ha": _number(area, 4),
            "before": plain_text(before),
            "after": plain_text(after),
            "why": why.get(pid, []),
            "communes": [names.get(c, c) for c in plain_text(codes).split(",") if c],
            "label": label,
        }
        for pid, key, area, before, after, codes, label in zip(
            pieces["piece_id"],
            pieces["transition"],
            pieces["area_ha"],
            pieces["held_before"],
            pieces["held_after"],
            pieces["commune_codes"],
            label_points(pieces.geometry.to_numpy(), pieces.crs),
        )
    ]
    colours = style["transitions"]["colours"]
    table = change.table.set_index(["old_zone", "new_zone"])
    legend = [
        {
            "key": transition_key(a, b),
            "label": f"{terms.zone_name(a, lang)} → {terms.zone_name(b, lang)}",
            "colour": colours[transition_key(a, b)],
            "area_ha": round(float(table.loc[(a, b), "area_ha"]), 4),
            "count": int(table.loc[(a, b), "pieces"]),
        }
        for a, b in TRANSITIONS
        if table.loc[(a, b), "pieces"] > 0
    ]
    meta = change.meta
    note = texts["transitions_note"].format(
        build=meta["old"]["build_id"],
        changed=terms.quantity(meta["changed_ha"], "area_ha", lang),
        area=terms.number(meta["threshold"]["min_area_ha"], 2, lang),
        width=terms.number(meta["threshold"]["min_width_m"], 1, lang),
        noise=terms.quantity(meta["noise_ha"], "area_ha", lang),
    )
    return {"features": feature_collection(geojson_geometries(geoms, pieces.crs), props), "legend": legend, "notes": [note, *meta["notes"]]}


# ---------------------------------------------------------------------- candidates


def simplified_for_display(geoms: np.ndarray, tolerance_m: float, coverage: bool) -> np.ndarray:
    """Display geometry: disjoint polygons simplified as a coverage, others one by one."""
    if tolerance_m <= 0 or not len(geoms):
        return geoms
    if coverage:
        try:
            return shapely.coverage_simplify(geoms, tolerance_m)
        except GEOSException:
            pass
    return shapely.simplify(geoms, tolerance_m, preserve_topology=True)


def _number(value, digits: int) -> float | None:
    """A rounded float, or None (JSON null) for a missing value."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number, digits)


def candidate_config(siting: SitingLayers, style: dict, texts: dict, lang: Lang, tolerance_m: float) -> dict:
    """The candidate areas, the land left out by reason, and the notes on their basis."""
    frame = siting.candidates
    n = len(frame)
    blank = pd.Series([""] * n, index=frame.index)
    missing = pd.Series([None] * n, index=frame.index, dtype=object)
    geoms = simplified_for_display(frame.geometry.to_numpy(), tolerance_m, coverage=True)
    communes = column_or(frame, "commune_names", column_or(frame, "commune_codes", blank)).map(plain_text)
    props = [
        {
            "id": plain_text(cid),
            "rank": int(rank),
            "score": _number(score, 4),
            "area_ha": _number(area, 4),
            "communes": com,
            "dist_residential_m": _number(dr, 1),
            "nearest_residential": plain_text(nr),
            "safety_residential_m": _number(sr, 1),
            "dist_water_m": _number(dw, 1),
            "nearest_water": plain_text(nw),
            "safety_water_m": _number(sw, 1),
            "label": label,
        }
        for cid, rank, score, area, com, dr, nr, sr, dw, nw, sw, label in zip(
            column_or(frame, "candidate_id", frame["rank"].map(lambda r: f"C{int(r):03d}")),
            frame["rank"],
            column_or(frame, "score", missing),
            frame["area_ha"],
            communes,
            column_or(frame, "dist_residential_m", missing),
            column_or(frame, "nearest_residential", blank),
            column_or(frame, "safety_residential_m", missing),
            column_or(frame, "dist_water_m", missing),
            column_or(frame, "nearest_water", blank),
            column_or(frame, "safety_water_m", missing),
            label_points(frame.geometry.to_numpy(), frame.crs),
        )
    ]
    features = feature_collection(geojson_geometries(geoms, frame.crs), props)
    exclusions = {"type": "FeatureCollection", "features": []}
    excluded = siting.exclusions
    if excluded is not None and len(excluded) and excluded.crs is not None:
        excluded = excluded[~excluded.geometry.is_empty & excluded.geometry.notna()].reset_index(drop=True)
        palette = style["candidates"]["exclusion_colours"]
        reason = column_or(excluded, f"reason_{lang}", column_or(excluded, "reason_en", pd.Series([""] * len(excluded)))).map(plain_text)
        props = [
            {"reason": r, "status": plain_text(st), "area_ha": _number(a, 4), "colour": palette[i % len(palette)]}
            for i, (r, st, a) in enumerate(
                zip(
                    reason,
                    column_or(excluded, "status", pd.Series([""] * len(excluded))),
                    excluded["area_ha"] if "area_ha" in excluded else shapely.area(excluded.geometry.to_numpy()) / 10_000,
                )
            )
        ]
        shown = simplified_for_display(excluded.geometry.to_numpy(), tolerance_m, coverage=False)
        exclusions = feature_collection(geojson_geometries(shown, excluded.crs), props)
    return {
        "features": features,
        "exclusions": exclusions,
        "facility": plain_text(siting.info.get(f"facility_name_{lang}")),
        "notes": _siting_notes(siting.info, texts, lang),
    }


def _siting_notes(info: dict, texts: dict, lang: Lang) -> list[str]:
    """Legend notes on the siting's basis: a desk screening; unconfirmed policies and distances."""
    notes = [texts["candidates_note"]]
    policy = info.get("zone_policy") or {}
    if isinstance(policy, Mapping) and policy.get("status") not in (None, "confirmed"):
        notes.append(texts["candidates_zone_note"].format(policy=plain_text(policy.get(f"title_{lang}"))))
    distances = info.get("safety_distances") or {}
    if isinstance(distances, Mapping):
        for key, sd in distances.items():
            if isinstance(sd, Mapping) and sd.get("status") != "confirmed":
                notes.append(
                    texts["candidates_distance_note"].format(
                        receptor=texts.get(f"candidate_{key}", key),
                        distance=f"{float(sd.get('distance_m', 0)):g}",
                        basis=plain_text(sd.get(f"citation_{lang}")),
                    )
                )
    return notes


# --------------------------------------------------------------------------- sites


def site_frame(site, crs, findings: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """The sites as a GeoDataFrame in ``crs`` (a result, a frame or a file), with their findings."""
    if isinstance(site, gpd.GeoDataFrame):
        frame = site if site.crs is not None else site.set_crs(crs)
    elif isinstance(site, pd.Series):
        frame = gpd.GeoDataFrame([site.to_dict()], geometry="geometry", crs=crs)
    elif isinstance(site, shapely.Geometry):
        frame = gpd.GeoDataFrame({"verdict": [""]}, geometry=[site], crs=crs)
    else:
        raise InputError(
            (f"không vẽ được địa điểm cho dưới dạng {type(site).__name__}", f"cannot map a site given as {type(site).__name__}"),
            ("cho một dòng của kết quả kiểm tra hoặc một hình học shapely", "pass a row of the check results or a shapely geometry"),
        )
    if "verdict" not in frame:
        frame = frame.assign(verdict="")
    return read_results(frame, findings)


def site_features(sites: gpd.GeoDataFrame, texts: dict, zone_names: dict[str, str], lang: Lang) -> dict:
    """The checked sites as GeoJSON, coloured by verdict, with their popups' texts."""
    sites = sites.reset_index(drop=True)
    n = len(sites)
    blank = pd.Series([""] * n, index=sites.index)
    ids = column_or(sites, "site_id", pd.Series(np.arange(1, n + 1), index=sites.index)).map(plain_text)
    names = column_or(sites, f"name_{lang}", blank).map(plain_text).where(lambda v: v != "", column_or(sites, "name", blank).map(plain_text))
    findings = column_or(sites, f"findings_{lang}", column_or(sites, "findings", pd.Series([None] * n, index=sites.index)))
    illustrative = column_or(sites, "illustrative", pd.Series([False] * n, index=sites.index)).fillna(False).astype(bool)
    kind = column_or(sites, f"type_name_{lang}", blank).map(plain_text).where(lambda v: v != "", column_or(sites, "type", blank).map(plain_text))
    communes = column_or(sites, "commune_names", column_or(sites, "communes", blank)).map(lambda v: ", ".join(_listed(v, "commune_name")))
    zones = column_or(sites, "zones", blank).map(lambda v: ", ".join(zone_names.get(z, z) for z in _listed(v, "zone")))
    details = [
        [[texts[key], value] for key, value in (("site_type", k), ("site_communes", c), ("site_zones", z)) if value] for k, c, z in zip(kind, communes, zones)
    ]
    labels = label_points(sites.geometry.to_numpy(), sites.crs)
    props = [
        {"site_id": i, "name": nm, "verdict": plain_text(v), "findings": _findings(f, texts, lang), "details": d, "illustrative": bool(x), "label": lb}
        for i, nm, v, f, d, x, lb in zip(ids, names, sites["verdict"], findings, details, illustrative, labels)
    ]
    return feature_collection(geojson_geometries(sites.geometry.to_numpy(), sites.crs), props)


def _listed(value, key: str) -> list[str]:
    """Names from "a,b" text, or from a list of records (JSON or not) by ``key``."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [plain_text(v.get(key)) if isinstance(v, Mapping) else plain_text(v) for v in value]
    else:
        items = [part.strip() for part in plain_text(value).split(",")]
    return list(dict.fromkeys(i for i in items if i))


def column_or(frame: pd.DataFrame, name: str, default: pd.Series) -> pd.Series:
    """A column of ``frame``, or ``default`` where it has none."""
    return frame[name] if name in frame else default


_FINDING_TEXT = ("title", "message", "text", "finding", "description", "summary")
_FINDING_DETAIL = ("detail",)
_FINDING_CITATION = ("citation", "basis")


def _findings(value, texts: dict, lang: Lang) -> list[dict]:
    """Findings of a site as ``[{text, citation, status, severity}]``.

    From a list of records (the check's findings table or GeoJSON), JSON text, or plain
    text (one finding per line or per `` | ``). A number (a count of findings) is none.
    """
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return []
        try:
            value = json.loads(stripped)
        except ValueError:
            return [_finding(line.strip()) for line in re.split(r"\n|\s\|\s", stripped) if line.strip()]
    if value is None or isinstance(value, (bool, int, float, np.number)):
        return []
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, (list, tuple, np.ndarray)):
        return [_finding(plain_text(value))]
    out = []
    for item in value:
        if not isinstance(item, Mapping):
            out.append(_finding(plain_text(item)))
            continue
        title, detail = _first(item, _FINDING_TEXT, lang), _first(item, _FINDING_DETAIL, lang)
        text = ": ".join(t for t in (title, detail) if t) or json.dumps(item, ensure_ascii=False, default=str)
        severity = plain_text(item.get("severity"))
        out.append(_finding(text, _first(item, _FINDING_CITATION, lang), plain_text(item.get("status")), texts.get(f"severity_{severity}", severity)))
    return out


def _finding(text: str, citation: str = "", status: str = "", severity: str = "") -> dict:
    return {"text": text, "citation": citation, "status": status, "severity": severity}


def _first(item: Mapping, keys: tuple[str, ...], lang: Lang) -> str:
    for key in keys:
        for candidate in (f"{key}_{lang}", key):
            if plain_text(item.get(candidate)):
                return plain_text(item.get(candidate))
    return ""


def plain_text(value) -> str:
    """A clean string ('' for None/NaN)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()
