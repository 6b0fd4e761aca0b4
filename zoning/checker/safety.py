"""Safety distances of facility sites to residential areas and water intakes: the
distance that applies (``rules/safety-distances.yaml``), the nearest feature, what lies
within the distance, and the findings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from zoning.checker import arrays
from zoning.checker.index import BuildIndex, Features
from zoning.checker.result import SAFETY_COLUMNS
from zoning.checker.rows import Findings, finding, texts
from zoning.checker.sitearrays import M2_PER_HA, SiteArrays
from zoning.law.project_types import CheckRules
from zoning.law.safety import FacilityCatalogue, Receptor, capacity_key, safety_distance

# fields of zoning.law.safety.SafetyDistance in the pairs (``distance_m`` is the distance required)
# (``source`` is the source that governs: the largest value of the receptor's sources)
DISTANCE_FIELDS = ("distance_m", "status", "citation_vi", "citation_en", "basis", "missing", "capacity_class", "basis_vi", "missing_vi", "source")
PAIR_COLUMNS = ["site", "receptor", "facility", *DISTANCE_FIELDS, "nearest_m", "nearest_id", "nearest_name", "holds", "inside_count", "inside_ha",
                "borderline", "tolerance_m", "no_data"]


@dataclass(frozen=True)
class Safety:
    """One row per (facility site, receptor) and the findings of the stage.

    ``pairs`` has the site index (``site``), the fields of the distance that applies and
    what was measured; ``table`` is the ``safety`` table of the result.
    ``capacity_unit_ok`` tells, per site, whether its capacity unit is the facility's.
    """

    pairs: pd.DataFrame
    table: pd.DataFrame
    findings: Findings
    capacity_unit_ok: np.ndarray


def safety_distances(sites: SiteArrays, index: BuildIndex, rules: CheckRules, user: dict, wholly_outside: np.ndarray) -> Safety:
    """Distances of the facility sites (inside the province) to each receptor."""
    catalogue = rules.facilities
    facility_sites = np.flatnonzero(pd.notna(sites.facility) & ~wholly_outside)
    unit_ok = np.ones(sites.n, bool)
    frames, findings = [], Findings()
    if len(facility_sites):
        unit_ok[facility_sites] = _capacity_unit_ok(sites, catalogue, facility_sites)
        capacity = np.where(unit_ok[facility_sites], sites.frame["capacity"].to_numpy(float)[facility_sites], np.nan)
        for receptor, spec in catalogue.receptors.items():
            frame = _required(sites, catalogue, user, facility_sites, capacity, receptor)
            no_data = spec.required_layer not in index.input_kinds
            frame = _measured(sites, index, spec, frame).assign(no_data=no_data)
            frames.append(frame)
            findings += _findings(frame, receptor, spec, no_data)
    pairs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PAIR_COLUMNS)
    pairs = pairs.sort_values(["site", "receptor"], kind="stable").reset_index(drop=True)
    table = pairs.rename(columns={"distance_m": "distance_required_m"})
    table.insert(0, "site_id", sites.ids[table["site"].to_numpy(int)])
    return Safety(pairs, table.drop(columns="site")[SAFETY_COLUMNS].reset_index(drop=True), findings, unit_ok)


def _capacity_unit_ok(sites: SiteArrays, catalogue: FacilityCatalogue, facility_sites: np.ndarray) -> np.ndarray:
    """Whether each site's capacity unit is its facility type's (an empty one on either side is)."""
    facility = sites.facility[facility_sites]
    kinds = pd.unique(facility)
    wanted = pd.Series([catalogue[f].capacity_unit for f in kinds], index=kinds)
    return arrays.same_unit(sites.frame["capacity_unit"].to_numpy(object)[facility_sites], wanted.reindex(facility).to_numpy(object))


def _required(sites: SiteArrays, catalogue: FacilityCatalogue, user: dict, facility_sites: np.ndarray, capacity: np.ndarray, receptor: str) -> pd.DataFrame:
    """The distance that applies to each facility site, looked up once per distinct (facility, class, upstream)."""
    facility = sites.facility[facility_sites]
    upstream = sites.upstream[facility_sites]
    klass = np.full(len(facility_sites), -1)  # the distance depends on the capacity only through its classes
    for kind in pd.unique(facility):
        rows = facility == kind
        klass[rows] = capacity_key(catalogue, kind, receptor, capacity[rows])
    first, code = arrays.distinct(facility, klass, ~np.isnan(capacity), upstream)
    found = [
        safety_distance(facility[i], receptor, None if np.isnan(capacity[i]) else capacity[i], upstream=bool(upstream[i]),
                        user_distances=user, catalogue=catalogue)
        for i in first
    ]
    frame = pd.DataFrame({"site": facility_sites, "receptor": receptor, "facility": facility})
    for key in DISTANCE_FIELDS:
        frame[key] = np.array([getattr(d, key) for d in found], dtype=object)[code]
    frame["distance_m"] = frame["distance_m"].astype(float)
    return frame


def _measured(sites: SiteArrays, index: BuildIndex, spec: Receptor, frame: pd.DataFrame) -> pd.DataFrame:
    """The nearest feature of the receptor's layers, and the features and area within the required distance."""
    geometry = sites.geometry[frame["site"].to_numpy()]
    required = frame["distance_m"].to_numpy()
    n = len(frame)
    nearest, tolerance = np.full(n, np.nan), np.full(n, index.tolerance(spec.required_layer))
    nearest_id, nearest_name = arrays.filled(n, ""), arrays.filled(n, "")
    inside_count, inside_ha = np.zeros(n, int), np.zeros(n)
    for features in (index.layers[k] for k in spec.layers if k in index.layers):
        q, t, d = features.nearest(geometry)
        better = np.isnan(nearest[q]) | (d < nearest[q])
        q, t, d = q[better], t[better], d[better]
        nearest[q], nearest_id[q], nearest_name[q] = d, features.source_id[t], features.name[t]
        tolerance[q] = index.tolerance(features.layer[0])
        count, hectares = _within(geometry, required, features)
        inside_count += count
        inside_ha += hectares
    unknown = np.isnan(required)
    return frame.assign(
        nearest_m=np.round(nearest, 2), nearest_id=nearest_id, nearest_name=nearest_name,
        holds=np.where(unknown | np.isnan(nearest), None, nearest >= required),
        inside_count=np.where(unknown, 0, inside_count), inside_ha=np.where(unknown, 0.0, inside_ha).round(4),
        borderline=~unknown & ~np.isnan(nearest) & (tolerance > 0) & (np.abs(nearest - required) <= tolerance),
        tolerance_m=tolerance,
    )


def _within(geometry: np.ndarray, required: np.ndarray, features: Features) -> tuple[np.ndarray, np.ndarray]:
    """Per site: the features of one layer closer than the required distance, and their area (ha) within it."""
    count, hectares = np.zeros(len(geometry), int), np.zeros(len(geometry))
    known = np.flatnonzero(~np.isnan(required))
    if not len(known):
        return count, hectares
    q, p = features.piece_tree.query(geometry[known], predicate="dwithin", distance=required[known])
    closer = shapely.distance(geometry[known[q]], features.pieces[p]) < required[known[q]]
    pairs = np.unique(np.column_stack([known[q[closer]], features.piece_owner[p[closer]]]), axis=0).reshape(-1, 2)
    site, feature = pairs[:, 0], pairs[:, 1]
    np.add.at(count, site, 1)
    polygons = np.isin(shapely.get_type_id(features.geometry[feature]), (3, 6))
    if polygons.any():
        zone = shapely.buffer(geometry[site[polygons]], required[site[polygons]], quad_segs=32)
        np.add.at(hectares, site[polygons], shapely.area(shapely.intersection(features.geometry[feature[polygons]], zone)) / M2_PER_HA)
    return count, hectares


def _findings(frame: pd.DataFrame, receptor: str, spec: Receptor, no_data: bool) -> Findings:
    """No data, unknown distance, distance not kept, distance kept."""
    frame = frame.astype({c: object for c in ("facility", "status", "citation_vi", "citation_en", "basis", "missing", "capacity_class", "nearest_name")})
    found = Findings()
    if no_data:
        found += finding(frame["site"].to_numpy(), f"no_data_{receptor}", "no_data", "confirmed", texts("no_data_receptor", "title", receptor=_names(spec)),
                         texts("no_data_receptor", "detail", layer=spec.required_layer), _citations(frame))
    missing = frame["distance_m"].isna().to_numpy()
    if missing.any():
        m = frame[missing]
        detail = texts("safety_distance_unknown_receptor", "detail", len(m), missing=(m["missing_vi"].to_numpy(), m["missing"].to_numpy()),
                       facility=m["facility"].to_numpy())
        found += finding(m["site"].to_numpy(), f"safety_distance_unknown_{receptor}", "review", m["status"].to_numpy(),
                         texts("safety_distance_unknown_receptor", "title", receptor=_names(spec)), detail, _citations(m))
    if no_data:
        return found
    known = frame[~missing]
    return found + _not_kept(known[known["inside_count"] > 0], receptor, spec) + _kept(known[known["inside_count"] == 0], receptor, spec)


def _not_kept(rows: pd.DataFrame, receptor: str, spec: Receptor) -> Findings:
    code = "safety_distance_not_kept_receptor"
    n = len(rows)
    detail = texts(code, "detail", n, **_common(rows, spec),
                   count=arrays.numbers(rows["inside_count"], 0), nearest=arrays.quantities(rows["nearest_m"], "distance_m"),
                   name=rows["nearest_name"].to_numpy(), area=arrays.quantities(rows["inside_ha"], "area_ha"))
    severity = np.where(rows["status"].isin(["confirmed", "user"]), "conflict", "review")
    return finding(rows["site"].to_numpy(), f"safety_distance_not_kept_{receptor}", severity, rows["status"].to_numpy(),
                   texts(code, "title", receptor=_names(spec)), detail, _citations(rows))


def _kept(rows: pd.DataFrame, receptor: str, spec: Receptor) -> Findings:
    code = "safety_distance_kept_receptor"
    n = len(rows)
    nearest_m = rows["nearest_m"].to_numpy(float)
    some = texts(code, "nearest", n, distance=arrays.quantities(nearest_m, "distance_m"), name=rows["nearest_name"].to_numpy())
    none = texts(code, "none")
    nearest = tuple(np.where(np.isnan(nearest_m), none[i], some[i]) for i in range(2))
    detail = texts(code, "detail", n, **_common(rows, spec), nearest=nearest)
    return finding(rows["site"].to_numpy(), f"safety_distance_kept_{receptor}", "info", rows["status"].to_numpy(),
                   texts(code, "title", receptor=_names(spec)), detail, _citations(rows))


def _common(rows: pd.DataFrame, spec: Receptor) -> dict:
    """Placeholders every kept / not-kept detail has: receptor, required distance, basis, how it is measured."""
    measured = texts("safety_distance", "measured", measured=(spec.measured_vi, spec.measured_en))
    return {
        "receptor": _names(spec), "required": arrays.quantities(rows["distance_m"], "distance_m"),
        "basis": (rows["basis_vi"].to_numpy(), rows["basis"].to_numpy()),
        "measured": tuple(m if given else "" for m, given in zip(measured, (spec.measured_vi, spec.measured_en))),
    }


def _names(spec: Receptor) -> tuple[str, str]:
    return spec.name_vi.lower(), spec.name_en.lower()


def _citations(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return rows["citation_vi"].to_numpy(), rows["citation_en"].to_numpy()
