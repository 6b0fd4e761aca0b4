"""Candidate areas for a new waste-treatment facility (``zoning siting``).

Land is a candidate when it lies

1. in the study area: the province, or the chosen communes (2025 codes of the build);
2. in a zone where the facility's group is searched for (``rules/siting.yaml``; leaving
   out the strict and emission-limited zones is an unconfirmed, configurable assumption:
   no general prohibition was found in the law read);
3. farther than the facility's safety distance (``rules/safety-distances.yaml``, or a value
   given by the user) from residential areas, and from domestic water intakes and supply
   sources; the buffers hold the whole band of the distance (drawn 1.1 % wider, see
   ``BUFFER_PAD``, so that chords and GEOS's input simplification never cut it short);
4. optionally, where the slope computed from a DEM (in the build CRS) is at most
   ``max_slope`` degrees; land without elevation data is left out;

and forms a polygon of at least ``min_area_ha``. Every piece of land left out is written
to an ``exclusions`` layer with its reason, so a planner sees why land is out.

Score (0–1, higher is better; weights in ``rules/siting.yaml``)::

    score = w_area · min(area_ha / (area_target · min_area_ha), 1)
          + w_res  · min((d_res − D_res) / D_res, 1)
          + w_water · min((d_water − D_water) / D_water, 1)

with d the distance from the candidate's boundary to the nearest receptor and D the
safety distance (a margin below 0 counts as 0; no receptor counts as a full margin).
Candidates are ranked by score, then by area.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.builder.model import Build, as_build
from zoning.errors import InputError, ZoningError
from zoning.law.siting import SitingReceptor, load_siting_rules
from zoning.outputs.candidates import write_candidates
from zoning.inputs.rasters import RasterWindow, polygons_of_mask, read_window, slope_degrees

from zoning.law.safety import FacilityCatalogue, SafetyDistance, UserDistance, load_facilities, safety_distance
from zoning import terms
from zoning.terms import ZONE_ORDER

QUAD_SEGS = 16  # segments per quarter circle of a safety buffer
# A buffer drawn at distance D · BUFFER_PAD holds the whole band of width D: arcs are drawn
# as chords (at least D · cos(π / 4·QUAD_SEGS) from the source) and GEOS simplifies the
# source line by up to 1 % of the distance before offsetting it.
BUFFER_PAD = 1.0 / (0.99 * math.cos(math.pi / (4 * QUAD_SEGS)))
MIN_PIECE_M2 = 1.0  # overlaps below this are numerical noise
SLIVER_M = 0.01  # candidate parts narrower than 2 × this (overlay spurs) are removed














@dataclass
class SitingResult:
    """Candidates, exclusions and the basis of a siting run."""

    facility: str
    candidates: gpd.GeoDataFrame
    exclusions: gpd.GeoDataFrame
    study_area: gpd.GeoDataFrame
    info: dict
    path: Path | None = None
    notes: list[str] = field(default_factory=list)

    def write(self, path: str | Path) -> Path:
        """Write the result to one GeoPackage (see :mod:`zoning.outputs.candidates`), atomically."""
        self.path = write_candidates(path, self.candidates, self.exclusions, self.study_area, self.info)
        return self.path


def find_sites(
    build: str | Path | Build,
    facility: str,
    *,
    min_area_ha: float = 5.0,
    communes: list[str] | None = None,
    dem: str | Path | None = None,
    max_slope: float | None = None,
    user_distances: dict[str, float | UserDistance] | None = None,
    capacity: float | None = None,
    upstream: bool = False,
    zones: list[str] | None = None,
    out: str | Path | None = None,
    catalogue: FacilityCatalogue | None = None,
    progress: Callable[[str], None] | None = None,
) -> SitingResult:
    """Find candidate areas for a facility type (see the module notes).

    Parameters
    ----------
    build
        A build GeoPackage (or a read build).
    facility
        Facility type code of ``rules/safety-distances.yaml`` (e.g. ``sanitary_landfill``).
    min_area_ha
        Smallest candidate polygon, in hectares.
    communes
        2025 commune codes of the build; the whole province when None.
    dem, max_slope
        A DEM raster (any CRS, read only over the study area) and the largest slope in
        degrees. A DEM without ``max_slope`` only gives the mean slope of each candidate.
    user_distances
        Safety distances given by the user (``facility[:receptor]`` → metres), as parsed
        by :func:`zoning.safety.parse_distance_option`.
    capacity, upstream
        Passed to :func:`zoning.safety.safety_distance`.
    zones
        Zones to search, replacing the policy of ``rules/siting.yaml``.
    out
        A GeoPackage to write (``candidates``, ``exclusions``, ``study_area``, ``siting_info``).

    Raises
    ------
    ZoningError
        A safety distance is unknown (unconfirmed and not given), a commune code or a
        required layer is missing, or ``max_slope`` is given without a DEM.
    """
    step = progress or (lambda _: None)
    if not min_area_ha > 0:
        raise InputError(f"--min-area {min_area_ha}: the minimum area must be a positive number of hectares")
    if max_slope is not None and dem is None:
        raise InputError("--max-slope needs a DEM", "give the elevation raster with --dem dem.tif")
    if max_slope is not None and not 0 < max_slope < 90:
        raise InputError(f"--max-slope {max_slope}: give a slope in degrees between 0 and 90")
    rules = load_siting_rules()
    catalogue = catalogue or load_facilities()
    spec = catalogue[facility]
    distances = _distances(facility, rules, catalogue, capacity, upstream, user_distances)
    policy = rules.zone_policies.get(spec.group)
    if zones is not None:
        unknown = set(zones) - set(ZONE_ORDER)
        if unknown:
            raise InputError(f"--zones: unknown zone(s) {', '.join(sorted(unknown))}", f"use {', '.join(ZONE_ORDER)}")
        policy_note = ("user", f"zones given by the user: {', '.join(zones)}", f"vùng do người dùng chọn: {', '.join(zones)}", "", "")
    elif policy is None:
        raise InputError(f"no zone policy for facility group '{spec.group}' in rules/siting.yaml", "give the zones with --zones other,emission_limited")
    else:
        zones = list(policy.allowed_zones)
        policy_note = (policy.status, policy.title_en, policy.title_vi, policy.citation_en, policy.citation_vi)

    step("reading the build")
    build = as_build(build)
    crs = build.crs
    area, chosen = _study_area(build, communes)
    pieces: list[tuple[np.ndarray, str, str, str, str, str]] = []  # geoms, reason_en, reason_vi, rule, status, basis

    step("zones")
    zone_geoms = dict(zip(build.zones["zone"], build.zones.geometry))
    for zone in ZONE_ORDER:
        if zone in zones or zone not in zone_geoms:
            continue
        vi, en = terms.pair("zones", zone)
        basis = f"{policy_note[1]} ({policy_note[3]})" if policy_note[3] else policy_note[1]
        why_en, why_vi = {"user": ("zones chosen by the user", "vùng do người dùng chọn"), "confirmed": ("rule", "quy định")}.get(
            policy_note[0], ("assumed policy, not law", "giả định, không phải quy định pháp luật")
        )
        pieces.append((np.array([zone_geoms[zone]]), f"{en.lower()} ({why_en})", f"{vi.lower()} ({why_vi})", f"zone:{zone}", policy_note[0], basis))

    step("safety distances")
    receptor_geoms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for key, receptor in rules.receptors.items():
        geoms, names = _receptor_layers(build, receptor)
        receptor_geoms[key] = (geoms, names)
        sd = distances[key]
        near = geoms[shapely.STRtree(geoms).query(area, predicate="dwithin", distance=sd.distance_m * BUFFER_PAD)] if len(geoms) else geoms
        if len(near):
            buffers = shapely.buffer(near, sd.distance_m * BUFFER_PAD, quad_segs=QUAD_SEGS)
            origin = "distance given by user" if sd.status == "user" else f"{sd.citation_en}, {sd.status}"
            origin_vi = "khoảng cách do người dùng nhập" if sd.status == "user" else f"{sd.citation_vi}, {'đã xác nhận' if sd.status == 'confirmed' else 'chưa xác nhận'}"
            status = "unconfirmed" if receptor.assumption and sd.status != "user" else sd.status
            pieces.append((
                buffers, f"within {sd.distance_m:g} m of {receptor.name_en} ({origin})",
                f"cách {receptor.name_vi.lower()} dưới {sd.distance_m:g} m ({origin_vi})", f"distance:{key}", status,
                sd.basis + (f"; {receptor.note_en}" if receptor.note_en else ""),
            ))

    slope = dem_window = None
    if dem is not None:
        step("slope")
        dem_window = read_window(dem, area.bounds, crs)
        slope = slope_degrees(dem_window)
        known = ~np.ma.getmaskarray(slope)
        covered = shapely.union_all(polygons_of_mask(known, dem_window.transform))
        unknown_land = shapely.difference(area, covered)
        if shapely.area(unknown_land) > MIN_PIECE_M2:
            pieces.append((np.array([unknown_land]), "no elevation data (slope unknown)", "không có số liệu độ cao (chưa biết độ dốc)", "slope:nodata", "data", f"DEM {Path(dem).name}"))
        if max_slope is not None:
            steep = polygons_of_mask(known & (np.ma.filled(slope, 0) > max_slope), dem_window.transform)
            if len(steep):
                pieces.append((steep, f"slope > {max_slope:g}°", f"độ dốc > {max_slope:g}°", "slope", "user", f"slope limit given by the user; slope from DEM {Path(dem).name}"))

    step("candidates")
    exclusions = _exclusions(pieces, area, crs)
    free = _free_land(area, [geoms for geoms, *_ in pieces])
    parts = free[shapely.area(free) >= min_area_ha * 10_000]
    candidates = _describe(parts, build, chosen, receptor_geoms, distances, exclusions, slope, dem_window, rules, min_area_ha, crs)
    info = _info(build, facility, spec, distances, rules, zones, policy_note, communes, chosen, dem, max_slope, min_area_ha, candidates)
    study = gpd.GeoDataFrame(
        {"communes": [",".join(chosen["code"]) if communes else "province"], "area_ha": [shapely.area(area) / 10_000]}, geometry=[area], crs=crs
    )
    result = SitingResult(facility, candidates, exclusions, study, info, notes=list(info["notes"]))
    if out is not None:
        step("writing")
        result.write(out)
    return result


# ------------------------------------------------------------------------------ steps


def _distances(facility, rules, catalogue, capacity, upstream, user_distances) -> dict[str, SafetyDistance]:
    """The safety distance per siting receptor; stop naming every unknown one."""
    out, missing = {}, []
    for key, receptor in rules.receptors.items():
        sd = safety_distance(facility, receptor.distance_receptor, capacity, upstream=upstream, user_distances=user_distances, catalogue=catalogue)
        if sd.distance_m is None:
            missing.append((receptor.distance_receptor, sd))
        out[key] = sd
    if missing:
        names = "; ".join(f"{facility}:{r} — {sd.missing or sd.basis}" for r, sd in missing)
        examples = " ".join(f"--distance {facility}:{r}=<metres>" for r, _ in missing)
        raise ZoningError(
            f"unknown safety distance(s): {names}. The rules carry no confirmed value, so candidate areas cannot be found.",
            f"give the value(s) you take responsibility for: {examples} (or --distance {facility}=<metres> for both, or a province file with --distances)",
        )
    return out


def _study_area(build: Build, communes: list[str] | None) -> tuple[shapely.Geometry, pd.DataFrame]:
    """The province (union of the zones), or the chosen communes."""
    table = build.communes
    if not communes:
        return shapely.union_all(build.zones.geometry.to_numpy()), table
    codes = [c.strip() for c in communes if c.strip()]
    unknown = [c for c in codes if c not in set(table["code"])]
    if unknown:
        sample = ", ".join(f"{c} {n}" for c, n in zip(table["code"][:5], table["name"][:5]))
        raise InputError(f"commune code(s) not in the build: {', '.join(unknown)}", f"use the 2025 codes of the build's 'communes' layer (e.g. {sample}, …)")
    chosen = table[table["code"].isin(codes)]
    return shapely.union_all(chosen.geometry.to_numpy()), chosen


def _receptor_layers(build: Build, receptor: SitingReceptor) -> tuple[np.ndarray, np.ndarray]:
    """Geometries and names of every layer of a receptor; the required layer must exist."""
    geoms, names = [], []
    for kind in receptor.layers:
        layer = build.input_layer(kind)
        if layer is None:
            if kind == receptor.required_layer:
                raise InputError(
                    f"the build has no '{kind}' layer: without it, land near {receptor.name_en}s cannot be told apart from land far from them",
                    f"add the layer to the build (zoning build … {kind}=FILE) and run the build again",
                )
            continue
        geoms.append(layer.geometry.to_numpy())
        names.append(layer["name"].astype(str).to_numpy() if "name" in layer else np.full(len(layer), kind, dtype=object))
    if not geoms:
        return np.array([], dtype=object), np.array([], dtype=object)
    geoms, names = np.concatenate(geoms), np.concatenate(names)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    return geoms[keep], names[keep]


def _free_land(area: shapely.Geometry, excluded: list[np.ndarray]) -> np.ndarray:
    """The polygons of ``area`` outside every excluded geometry, without hairline slivers.

    The exclusions are subtracted as they are (only clipped to a rectangle well beyond the
    area), so no boundary is computed twice; an opening of ``SLIVER_M`` then removes the
    zero-width spurs that overlays leave where two boundaries nearly coincide.
    """
    xmin, ymin, xmax, ymax = shapely.bounds(area)
    pad = 1_000.0 + max(xmax - xmin, ymax - ymin) * 0.01
    rect = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
    clipped = [shapely.clip_by_rect(shapely.union_all(g), *rect) for g in excluded]
    free = shapely.difference(area, shapely.union_all(clipped)) if clipped else area
    free = shapely.buffer(shapely.buffer(free, -SLIVER_M, join_style="mitre"), SLIVER_M, join_style="mitre")
    parts = shapely.get_parts(shapely.make_valid(free))
    return parts[shapely.get_type_id(parts) == 3]  # polygons only


def _exclusions(pieces, area, crs) -> gpd.GeoDataFrame:
    """One row per reason: the land of the study area it leaves out."""
    rows = []
    for geoms, reason_en, reason_vi, rule, status, basis in pieces:
        land = shapely.intersection(shapely.union_all(geoms), area)
        land = shapely.make_valid(land)
        polys = shapely.get_parts(land)
        polys = polys[(shapely.get_type_id(polys) == 3) & (shapely.area(polys) > MIN_PIECE_M2)]
        if len(polys):
            geom = shapely.multipolygons(polys)
            rows.append({"reason_en": reason_en, "reason_vi": reason_vi, "rule": rule, "status": status, "basis": basis,
                         "area_ha": shapely.area(geom) / 10_000, "geometry": geom})
    columns = ["reason_en", "reason_vi", "rule", "status", "basis", "area_ha", "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=crs)


def _describe(parts, build, chosen, receptor_geoms, distances, exclusions, slope, dem_window: RasterWindow | None, rules, min_area_ha, crs) -> gpd.GeoDataFrame:
    """Area, communes, distances, slope, nearby reasons, score and rank of each candidate."""
    n = len(parts)
    frame = pd.DataFrame({"area_ha": shapely.area(parts) / 10_000})
    # communes: every commune the candidate overlaps, largest share first
    communes = chosen if len(chosen) else build.communes
    cgeoms = communes.geometry.to_numpy()
    left, right = shapely.STRtree(cgeoms).query(parts, predicate="intersects")
    overlap = shapely.area(shapely.intersection(parts[left], cgeoms[right]))
    pairs = pd.DataFrame({"i": left, "code": communes["code"].to_numpy()[right], "name": communes["name"].to_numpy()[right], "overlap": overlap})
    pairs = pairs[pairs["overlap"] > MIN_PIECE_M2].sort_values(["i", "overlap"], ascending=[True, False])
    grouped = pairs.groupby("i")
    frame["commune_codes"] = grouped["code"].agg(",".join).reindex(range(n), fill_value="")
    frame["commune_names"] = grouped["name"].agg(", ".join).reindex(range(n), fill_value="")
    # distances to the nearest receptor of each kind
    weights = rules.score.weights
    score = weights.get("area", 0) * np.minimum(frame["area_ha"] / (rules.score.area_target * min_area_ha), 1.0)
    for key, (geoms, names) in receptor_geoms.items():
        column = f"dist_{key}_m"
        required = distances[key].distance_m
        if len(geoms) and n:
            (src, dst), dist = shapely.STRtree(geoms).query_nearest(parts, return_distance=True, all_matches=False)
            d = np.full(n, np.nan)
            d[src] = dist
            nearest = np.full(n, "", dtype=object)
            nearest[src] = names[dst]
        else:
            d, nearest = np.full(n, np.nan), np.full(n, "", dtype=object)
        frame[column] = np.round(d, 1)
        frame[f"nearest_{key}"] = nearest
        frame[f"safety_{key}_m"] = required
        margin = np.where(np.isnan(d), 1.0, np.clip((d - required) / required, 0.0, 1.0))
        score = score + weights.get(key, 0) * margin
    # mean slope
    if slope is not None and n:
        ids = _rasterize_ids(parts, dem_window)
        valid = (ids > 0) & ~np.ma.getmaskarray(slope)
        sums = np.bincount(ids[valid], weights=np.ma.getdata(slope)[valid], minlength=n + 1)
        cells = np.bincount(ids[valid], minlength=n + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame["mean_slope_deg"] = np.round(sums[1:] / cells[1:], 2)
    # the reasons that exclude the land around each candidate
    if len(exclusions) and n:
        egeoms = exclusions.geometry.to_numpy()
        a, b = shapely.STRtree(egeoms).query(parts, predicate="dwithin", distance=1.0)
        reasons = pd.DataFrame({"i": a, "reason": exclusions["reason_en"].to_numpy()[b], "order": b}).sort_values(["i", "order"])
        frame["excluded_around"] = reasons.groupby("i")["reason"].agg("; ".join).reindex(range(n), fill_value="")
    else:
        frame["excluded_around"] = ""
    frame["score"] = np.round(score, 4)
    out = gpd.GeoDataFrame(frame, geometry=list(parts), crs=crs)
    out = out.sort_values(["score", "area_ha"], ascending=[False, False], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(0, "candidate_id", [f"C{r:03d}" for r in out["rank"]])
    out["area_ha"] = out["area_ha"].round(4)
    return out


def _rasterize_ids(parts: np.ndarray, window: RasterWindow) -> np.ndarray:
    from rasterio.features import rasterize

    shape = window.array.shape
    return rasterize(zip(parts, range(1, len(parts) + 1)), out_shape=shape, transform=window.transform, fill=0, dtype="int32")


def _info(build, facility, spec, distances, rules, zones, policy_note, communes, chosen, dem, max_slope, min_area_ha, candidates) -> dict:
    weights = rules.score.weights
    formula = (
        f"score = {weights.get('area', 0):g}·min(area_ha / ({rules.score.area_target:g}·{min_area_ha:g} ha), 1)"
        f" + {weights.get('residential', 0):g}·min((d_residential − D_residential) / D_residential, 1)"
        f" + {weights.get('water', 0):g}·min((d_water − D_water) / D_water, 1); margins below 0 count as 0; d from the candidate boundary"
    )
    notes = []
    if policy_note[0] != "confirmed":
        notes.append(f"Zones searched: {', '.join(zones)} — {policy_note[1]}. Status {policy_note[0]}: not a legal prohibition.")
    for key, sd in distances.items():
        if sd.status == "user":
            notes.append(f"Safety distance to {rules.receptors[key].name_en}: {sd.distance_m:g} m given by the user, not a value confirmed in law ({sd.basis}).")
        receptor = rules.receptors[key]
        if receptor.assumption:
            notes.append(f"Assumption: {receptor.note_en}.")
    if build.manifest.get("illustrative_notice"):
        notes.append(build.manifest["illustrative_notice"])
    notes.append("Candidate areas are a desk screening from the build's layers, not a site approval: visit the land and check land use, geology, flooding and access.")
    return {
        "facility": facility,
        "facility_name_vi": spec.name_vi,
        "facility_name_en": spec.name_en,
        "build_id": build.build_id,
        "build": str(build.path),
        "ruleset": f"{rules.id}@{rules.version}",
        "zones_searched": list(zones),
        "zone_policy": {"status": policy_note[0], "title_en": policy_note[1], "title_vi": policy_note[2], "citation_en": policy_note[3], "citation_vi": policy_note[4]},
        "safety_distances": {
            key: {"distance_m": sd.distance_m, "status": sd.status, "citation_vi": sd.citation_vi, "citation_en": sd.citation_en, "basis": sd.basis,
                  "layers": list(rules.receptors[key].layers)}
            for key, sd in distances.items()
        },
        "communes": [f"{c} {n}" for c, n in zip(chosen["code"], chosen["name"])] if communes else "whole province",
        "min_area_ha": min_area_ha,
        "dem": str(dem) if dem else None,
        "max_slope_deg": max_slope,
        "score_formula": formula,
        "candidates": len(candidates),
        "candidate_area_ha": float(candidates["area_ha"].sum()) if len(candidates) else 0.0,
        "notes": notes,
    }




def split_list(text: str | None) -> list[str] | None:
    """A comma-separated option: ``"01795,01558"`` → ``["01795", "01558"]`` (None when not given)."""
    if not text:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


__all__ = ["find_sites", "split_list", "SitingResult"]
