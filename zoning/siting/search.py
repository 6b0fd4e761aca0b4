"""Candidate areas for a new waste-treatment facility (``zoning siting``).

Land is a candidate when it lies

1. in the study area: the province, or several provinces searched as one (see
   :mod:`zoning.siting.study`), or the chosen communes (2025 codes of the build(s));
2. in a zone where the facility's group is searched for (``rules/siting.yaml``; leaving
   out the strict and emission-limited zones is an unconfirmed, configurable assumption:
   no general prohibition was found in the law read); proposed designations (no legal
   boundary yet) lie in the other zone and leave no land out unless ``include_proposed``;
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.model import Build
from zoning.builder.units import in_force
from zoning.errors import InputError, ZoningError, both
from zoning.files import input_paths
from zoning.inputs.rasters import RasterWindow, polygons_of_mask, read_window, slope_degrees
from zoning.law.safety import Facility, FacilityCatalogue, SafetyDistance, UserDistance, load_facilities, safety_distance
from zoning.law.siting import SitingReceptor, SitingRules, ZonePolicy, load_siting_rules
from zoning.siting.study import Study, as_study, province_columns, split_layer
from zoning.terms import ZONE_ORDER

QUAD_SEGS = 16  # segments per quarter circle of a safety buffer
# A buffer drawn at distance D · BUFFER_PAD holds the whole band of width D: arcs are drawn
# as chords (at least D · cos(π / 4·QUAD_SEGS) from the source) and GEOS simplifies the
# source line by up to 1 % of the distance before offsetting it.
BUFFER_PAD = 1.0 / (0.99 * math.cos(math.pi / (4 * QUAD_SEGS)))
MIN_PIECE_M2 = 1.0  # overlaps below this are numerical noise
SLIVER_M = 0.01  # candidate parts narrower than 2 × this (overlay spurs) are removed
# Why a zone is out of the search (en, vi), by the status of the zone policy.
POLICY_REASONS = {"user": ("zones chosen by the user", "vùng do người dùng chọn"), "confirmed": ("rule", "quy định")}
ASSUMED_POLICY_REASON = ("assumed policy, not law", "giả định, không phải quy định pháp luật")

Receptors = dict[str, tuple[np.ndarray, np.ndarray]]  # per siting receptor: its geometries and their names


@dataclass
class SitingResult:
    """Candidates, exclusions and the basis of a siting run."""

    facility: str
    candidates: gpd.GeoDataFrame
    exclusions: gpd.GeoDataFrame
    study_area: gpd.GeoDataFrame
    info: dict
    notes: list[str] = field(default_factory=list)
    sources: tuple[Path, ...] = ()  # the files read (build and its inputs, DEM): no output may replace them
    split: gpd.GeoDataFrame | None = None  # several provinces: each candidate's piece and area in each province


@dataclass(frozen=True)
class SitingPlan:
    """What a siting run looks for, resolved from the rules and the options before the build is read.

    ``policy`` is the zone policy of the facility's group in ``rules/siting.yaml``, or the
    zones given by the user (status ``user``).
    """

    facility: str
    spec: Facility
    rules: SitingRules
    distances: dict[str, SafetyDistance]
    policy: ZonePolicy
    min_area_ha: float
    communes: tuple[str, ...] | None
    dem: str | Path | None
    max_slope: float | None
    include_proposed: bool = False

    @property
    def zones(self) -> tuple[str, ...]:
        """The zones searched."""
        return self.policy.allowed_zones


@dataclass(frozen=True, eq=False)
class Exclusion:
    """Land left out for one reason (not yet clipped to the study area)."""

    geoms: np.ndarray
    reason_en: str
    reason_vi: str
    rule: str
    status: str
    basis: str


@dataclass(frozen=True, eq=False)
class Slope:
    """The slope (degrees, masked where unknown) over the DEM window of the study area."""

    window: RasterWindow
    degrees: np.ma.MaskedArray


def find_sites(
    build: str | Path | Build | Study,
    facility: str,
    *,
    min_area_ha: float = 5.0,
    communes: list[str] | None = None,
    dem: str | Path | None = None,
    max_slope: float | None = None,
    user_distances: Mapping[str, float | UserDistance] | None = None,
    capacity: float | None = None,
    upstream: bool = False,
    zones: list[str] | None = None,
    catalogue: FacilityCatalogue | None = None,
    include_proposed: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SitingResult:
    """Find candidate areas for a facility type (see the module notes).

    Parameters
    ----------
    build
        A build GeoPackage (or a read build), or the builds of several provinces searched as one
        study area (see :func:`zoning.siting.region.find_regional_sites`).
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
    catalogue
        The safety-distance catalogue; the shipped one by default.
    include_proposed
        Also leave out the proposed designations (no legal boundary yet) of the zones not
        searched, as if they were in force.
    progress
        Called with the name of each step.

    Returns
    -------
    SitingResult
        Write it with :func:`zoning.write_candidates`.

    Raises
    ------
    ZoningError
        A safety distance is unknown (unconfirmed and not given), a commune code or a
        required layer is missing, or ``max_slope`` is given without a DEM.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.find_sites("build.gpkg", "sanitary_landfill", communes=["01558"],  # doctest: +SKIP
    ...                            user_distances={"sanitary_landfill": 1000})
    >>> zoning.write_candidates(result, "candidates.gpkg")  # doctest: +SKIP
    """
    step = progress or (lambda _: None)
    plan = _plan(facility, min_area_ha=min_area_ha, communes=communes, dem=dem, max_slope=max_slope, user_distances=user_distances,
                 capacity=capacity, upstream=upstream, zones=zones, catalogue=catalogue, include_proposed=include_proposed)
    step("reading the build")
    study = as_study(build)
    area, chosen = _study_area(study, plan.communes)
    step("zones")
    excluded = _zone_exclusions(study, plan.policy) + (_proposed_exclusions(study, plan.policy) if plan.include_proposed else [])
    step("safety distances")
    receptors = {key: _receptor_layers(study, receptor) for key, receptor in plan.rules.receptors.items()}
    excluded += _distance_exclusions(receptors, plan, area)
    slope = None
    if plan.dem is not None:
        step("slope")
        slope = _slope(plan.dem, area, study.crs)
        excluded += _slope_exclusions(slope, plan, area)
    step("candidates")
    exclusions = _exclusions(excluded, area, study.crs)
    parts = _candidate_parts(area, excluded, plan.min_area_ha)
    candidates, split = _describe(parts, study, chosen, receptors, exclusions, slope, plan)
    info = _info(study, plan, chosen, candidates)
    return SitingResult(facility, candidates, exclusions, _study_frame(area, chosen, plan, study), info, notes=list(info["notes"]),
                        sources=input_paths([*study.sources(), plan.dem]), split=split)


# ------------------------------------------------------------------------------ the plan


def _plan(facility: str, *, min_area_ha, communes, dem, max_slope, user_distances, capacity, upstream, zones, catalogue, include_proposed=False) -> SitingPlan:
    """Check the options and resolve the facility, its safety distances and the zones searched."""
    if not (math.isfinite(min_area_ha) and min_area_ha > 0):
        raise InputError((f"--min-area {min_area_ha}: diện tích tối thiểu phải là số héc-ta dương", f"--min-area {min_area_ha}: the "
            "minimum area must be a positive number of hectares"),
                         ("ví dụ --min-area 5", "e.g. --min-area 5"))
    if capacity is not None and not (math.isfinite(capacity) and capacity >= 0):
        nan = math.isnan(capacity)
        raise InputError((f"--capacity {capacity:g}: " + ("không phải là số" if nan else "công suất phải là số không âm"),
                          f"--capacity {capacity:g}: " + ("not a number" if nan else "the capacity must be a number, zero or more")),
                         ("nhập công suất theo đơn vị của loại công trình (xem `zoning types`), hoặc bỏ tùy chọn này",
                          "give it in the facility's unit (see `zoning types`), or leave it out"))
    if communes is not None and not [c for c in communes if str(c).strip()]:
        raise InputError(("--communes: không có mã xã nào", "--communes: no commune code given"),
                         ("ví dụ --communes 01558,01795, hoặc bỏ tùy chọn này để xét cả tỉnh", "e.g. --communes 01558,01795, "
                             "or leave it out for the whole province"))
    if max_slope is not None and dem is None:
        raise InputError(("--max-slope cần mô hình số độ cao (DEM)", "--max-slope needs a DEM"),
                         ("cho raster độ cao bằng --dem dem.tif", "give the elevation raster with --dem dem.tif"))
    if max_slope is not None and not 0 < max_slope < 90:
        raise InputError((f"--max-slope {max_slope}: độ dốc phải tính bằng độ, trong khoảng 0 đến 90", f"--max-slope {max_slope}: give "
            "a slope in degrees between 0 and 90"),
                         ("ví dụ --max-slope 15", "e.g. --max-slope 15"))
    rules = load_siting_rules()
    catalogue = catalogue or load_facilities()
    spec = catalogue[facility]
    distances = _distances(facility, rules, catalogue, capacity, upstream, user_distances)
    policy = _zone_policy(spec, rules, zones)
    return SitingPlan(facility, spec, rules, distances, policy, min_area_ha, None if communes is None else tuple(communes), dem, max_slope,
                      include_proposed)


def _distances(facility, rules, catalogue, capacity, upstream, user_distances) -> dict[str, SafetyDistance]:
    """The safety distance per siting receptor; stop naming every unknown one."""
    out, missing = {}, []
    for key, receptor in rules.receptors.items():
        sd = safety_distance(facility, receptor.distance_receptor, capacity, upstream=upstream, user_distances=user_distances, catalogue=catalogue)
        if sd.distance_m is None:
            missing.append((receptor.distance_receptor, sd))
        out[key] = sd
    if missing:
        names_vi = "; ".join(f"{facility}:{r} — {sd.missing_vi or sd.basis_vi}" for r, sd in missing)
        names_en = "; ".join(f"{facility}:{r} — {sd.missing or sd.basis}" for r, sd in missing)
        examples_vi = " ".join(f"--distance {facility}:{r}=<số mét>" for r, _ in missing)
        examples_en = " ".join(f"--distance {facility}:{r}=<metres>" for r, _ in missing)
        raise ZoningError(
            (f"chưa biết khoảng cách an toàn: {names_vi}. Quy tắc không có giá trị đã xác nhận nên chưa tìm được khu vực ứng viên.",
             f"unknown safety distance(s): {names_en}. The rules carry no confirmed value, so candidate areas cannot be found."),
            (f"nhập giá trị mà anh/chị chịu trách nhiệm: {examples_vi} (hoặc --distance {facility}=<số mét> cho cả hai, "
                "hoặc tệp khoảng cách của tỉnh bằng --distances)",
             f"give the value(s) you take responsibility for: {examples_en} (or --distance {facility}=<metres> for both, or a province file with --distances)"),
        )
    return out


def _zone_policy(spec: Facility, rules: SitingRules, zones: list[str] | None) -> ZonePolicy:
    """The zones given by the user, else the policy of the facility's group."""
    if zones is not None:
        if not zones:
            raise InputError(("--zones: không có vùng nào", "--zones: no zone given"),
                             (f"dùng {', '.join(ZONE_ORDER)}, hoặc bỏ tùy chọn này để theo chính sách của tệp quy tắc", f"use {', '.join(ZONE_ORDER)}, "
                                 "or leave it out for the rule file's policy"))
        unknown = ", ".join(sorted(set(zones) - set(ZONE_ORDER)))
        if unknown:
            raise InputError((f"--zones: không có vùng {unknown}", f"--zones: unknown zone(s) {unknown}"), (f"dùng {', '.join(ZONE_ORDER)}",
                                                                                                            f"use {', '.join(ZONE_ORDER)}"))
        listed = ", ".join(zones)
        return ZonePolicy(
            allowed_zones=tuple(zones),
            status="user",
            title_en=f"zones given by the user: {listed}",
            title_vi=f"vùng do người dùng chọn: {listed}",
            citation_en="",
            citation_vi="",
        )
    policy = rules.zone_policies.get(spec.group)
    if policy is None:
        raise InputError(
            (
                f"rules/siting.yaml không có chính sách vùng cho nhóm công trình '{spec.group}'",
                f"no zone policy for facility group '{spec.group}' in rules/siting.yaml",
            ),
            ("cho các vùng bằng --zones other,emission_limited", "give the zones with --zones other,emission_limited"),
        )
    return policy


# ------------------------------------------------------------------------- the land


def _study_area(study: Study, communes: tuple[str, ...] | None) -> tuple[shapely.Geometry, pd.DataFrame]:
    """The province (union of the zones) or provinces, or the chosen communes."""
    table = study.communes
    if not communes:
        return study.land, table
    codes = [c.strip() for c in communes if c.strip()]
    unknown = [c for c in codes if c not in set(table["code"])]
    if unknown:
        sample = ", ".join(f"{c} {n}" for c, n in zip(table["code"][:5], table["name"][:5]))
        raise InputError(
            (f"mã xã không có trong bản phân vùng: {', '.join(unknown)}", f"commune code(s) not in the build: {', '.join(unknown)}"),
            (
                f"dùng mã xã năm 2025 của lớp 'communes' trong bản phân vùng (ví dụ {sample}, …)",
                f"use the 2025 codes of the build's 'communes' layer (e.g. {sample}, …)",
            ),
        )
    chosen = table[table["code"].isin(codes)]
    return shapely.union_all(chosen.geometry.to_numpy()), chosen


def _study_frame(area: shapely.Geometry, chosen: pd.DataFrame, plan: SitingPlan, study: Study) -> gpd.GeoDataFrame:
    """The study area as a one-row layer: its communes (or ``province``, or the provinces' slugs) and area."""
    communes = ",".join(chosen["code"]) if plan.communes else ",".join(study.builds) if study.regional else "province"
    return gpd.GeoDataFrame({"communes": [communes], "area_ha": [shapely.area(area) / 10_000]}, geometry=[area], crs=study.crs)


def _zone_exclusions(study: Study, policy: ZonePolicy) -> list[Exclusion]:
    """The zones of the build(s) outside the search, with the basis of the policy."""
    basis = f"{policy.title_en} ({policy.citation_en})" if policy.citation_en else policy.title_en
    why_en, why_vi = POLICY_REASONS.get(policy.status, ASSUMED_POLICY_REASON)
    out = []
    for zone in ZONE_ORDER:
        land = None if zone in policy.allowed_zones else study.zone_land(zone)
        if land is None:
            continue
        vi, en = terms.pair("zones", zone)
        out.append(Exclusion(np.array([land]), f"{en.lower()} ({why_en})", f"{vi.lower()} ({why_vi})", f"zone:{zone}", policy.status, basis))
    return out


def _proposed_exclusions(study: Study, policy: ZonePolicy) -> list[Exclusion]:
    """The proposed designations of the zones outside the search, left out as if in force (``include_proposed``)."""
    units = study.units[~in_force(study.units)]
    out = []
    for zone in ZONE_ORDER:
        land = units.geometry.to_numpy()[(units["zone"] == zone).to_numpy()]
        if zone in policy.allowed_zones or not len(land):
            continue
        vi, en = terms.pair("zones", zone)
        out.append(
            Exclusion(
                land,
                f"proposed designations of the {en.lower()} (no legal boundary yet; --include-proposed)",
                f"khu vực đề xuất thuộc {vi.lower()} (chưa có ranh giới pháp lý; --include-proposed)",
                f"proposed:{zone}",
                "proposed",
                "proposed designations treated as in force at the user's request",
            )
        )
    return out


def _receptor_layers(study: Study, receptor: SitingReceptor) -> tuple[np.ndarray, np.ndarray]:
    """Geometries and names of every layer of a receptor; the required layer must exist (in every province searched)."""
    geoms, names = [], []
    for kind in receptor.layers:
        layer = study.input_layer(kind)
        lacking = study.lacking(kind) if study.regional and kind == receptor.required_layer else []
        if lacking:
            _missing_layer(kind, receptor, f" ({', '.join(lacking)})")
        if layer is None:
            if kind == receptor.required_layer:
                _missing_layer(kind, receptor)
            continue
        geoms.append(layer.geometry.to_numpy())
        names.append(layer["name"].astype(str).to_numpy() if "name" in layer else np.full(len(layer), kind, dtype=object))
    if not geoms:
        return np.array([], dtype=object), np.array([], dtype=object)
    every, named = np.concatenate(geoms), np.concatenate(names)
    keep = ~(shapely.is_missing(every) | shapely.is_empty(every))
    return every[keep], named[keep]


def _missing_layer(kind: str, receptor: SitingReceptor, where: str = "") -> NoReturn:
    """Stop: a receptor's required layer is missing (from the build, or from the builds of the provinces named in ``where``)."""
    raise InputError(
        (
            f"bản phân vùng{where} không có lớp '{kind}': thiếu lớp này thì không phân biệt được đất gần với đất xa {receptor.name_vi.lower()}",
            f"the build{where} has no '{kind}' layer: without it, land near {receptor.name_en}s cannot be told apart from land far from them",
        ),
        (
            f"thêm lớp này vào dữ liệu đầu vào (zoning build … {kind}=FILE) rồi xây dựng lại bản phân vùng",
            f"add the layer to the build (zoning build … {kind}=FILE) and run the build again",
        ),
    )


def _distance_exclusions(receptors: Receptors, plan: SitingPlan, area: shapely.Geometry) -> list[Exclusion]:
    """The safety band around every receptor that reaches the study area."""
    out = []
    for key, receptor in plan.rules.receptors.items():
        geoms, _ = receptors[key]
        sd = plan.distances[key]
        assert sd.distance_m is not None  # a plan has every distance (refused otherwise)
        reach = sd.distance_m * BUFFER_PAD
        near = geoms[shapely.STRtree(geoms).query(area, predicate="dwithin", distance=reach)] if len(geoms) else geoms
        if not len(near):
            continue
        if sd.status == "user":
            origin_en, origin_vi = "distance given by user", "khoảng cách do người dùng nhập"
        else:
            status_vi = terms.label("statuses_short", "confirmed" if sd.status == "confirmed" else "unconfirmed")
            origin_en, origin_vi = f"{sd.citation_en}, {sd.status}", f"{sd.citation_vi}, {status_vi}"
        out.append(
            Exclusion(
                shapely.buffer(near, reach, quad_segs=QUAD_SEGS),
                f"within {sd.distance_m:g} m of {receptor.name_en} ({origin_en})",
                f"cách {receptor.name_vi.lower()} dưới {sd.distance_m:g} m ({origin_vi})",
                f"distance:{key}",
                "unconfirmed" if receptor.assumption and sd.status != "user" else sd.status,
                sd.basis + (f"; {receptor.note_en}" if receptor.note_en else ""),
            )
        )
    return out


def _slope(dem: str | Path, area: shapely.Geometry, crs) -> Slope:
    """The slope over the DEM window of the study area, in the build CRS."""
    window = read_window(dem, area.bounds, crs)
    return Slope(window, slope_degrees(window))


def _slope_exclusions(slope: Slope, plan: SitingPlan, area: shapely.Geometry) -> list[Exclusion]:
    """Land without elevation data, and land steeper than ``max_slope``."""
    out = []
    known = ~np.ma.getmaskarray(slope.degrees)
    covered = shapely.union_all(polygons_of_mask(known, slope.window.transform))
    unknown_land = shapely.difference(area, covered)
    assert plan.dem is not None  # asked only when the plan has a DEM
    dem_name = Path(plan.dem).name
    if shapely.area(unknown_land) > MIN_PIECE_M2:
        out.append(
            Exclusion(
                np.array([unknown_land]),
                "no elevation data (slope unknown)",
                "không có số liệu độ cao (chưa biết độ dốc)",
                "slope:nodata",
                "data",
                f"DEM {dem_name}",
            )
        )
    if plan.max_slope is not None:
        steep = polygons_of_mask(known & (np.ma.filled(slope.degrees, 0) > plan.max_slope), slope.window.transform)
        if len(steep):
            out.append(
                Exclusion(
                    steep,
                    f"slope > {plan.max_slope:g}°",
                    f"độ dốc > {plan.max_slope:g}°",
                    "slope",
                    "user",
                    f"slope limit given by the user; slope from DEM {dem_name}",
                )
            )
    return out


def _exclusions(excluded: list[Exclusion], area: shapely.Geometry, crs) -> gpd.GeoDataFrame:
    """One row per reason: the land of the study area it leaves out."""
    rows = []
    for item in excluded:
        land = shapely.intersection(shapely.union_all(item.geoms), area)
        land = shapely.make_valid(land)
        polys = shapely.get_parts(land)
        polys = polys[(shapely.get_type_id(polys) == 3) & (shapely.area(polys) > MIN_PIECE_M2)]
        if len(polys):
            geom = shapely.multipolygons(polys)
            rows.append(
                {
                    "reason_en": item.reason_en,
                    "reason_vi": item.reason_vi,
                    "rule": item.rule,
                    "status": item.status,
                    "basis": item.basis,
                    "area_ha": shapely.area(geom) / 10_000,
                    "geometry": geom,
                }
            )
    columns = ["reason_en", "reason_vi", "rule", "status", "basis", "area_ha", "geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=crs)


def _candidate_parts(area: shapely.Geometry, excluded: list[Exclusion], min_area_ha: float) -> np.ndarray:
    """The polygons of free land of at least ``min_area_ha``."""
    free = _free_land(area, [item.geoms for item in excluded])
    return free[shapely.area(free) >= min_area_ha * 10_000]


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


# -------------------------------------------------------------------- the candidates


def _describe(
    parts: np.ndarray, study: Study, chosen: pd.DataFrame, receptors: Receptors, exclusions: gpd.GeoDataFrame, slope: Slope | None, plan: SitingPlan
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """Area, communes, distances, slope, nearby reasons, score and rank of each candidate; with several provinces, its
    pieces in each (see :func:`zoning.siting.study.province_columns`).
    """
    frame = pd.DataFrame({"area_ha": shapely.area(parts) / 10_000})
    pieces = None
    if study.regional:
        pieces = study.split(parts)
        frame = province_columns(frame, pieces, study)
    frame["commune_codes"], frame["commune_names"] = _communes_of(parts, chosen if len(chosen) else study.communes)
    weights = plan.rules.score.weights
    score = weights.get("area", 0) * np.minimum(frame["area_ha"] / (plan.rules.score.area_target * plan.min_area_ha), 1.0)
    for key, (geoms, names) in receptors.items():
        distance, nearest = _nearest(parts, geoms, names)
        required = plan.distances[key].distance_m
        assert required is not None  # a plan has every distance (refused otherwise)
        frame[f"dist_{key}_m"] = np.round(distance, 1)
        frame[f"nearest_{key}"] = nearest
        frame[f"safety_{key}_m"] = required
        margin = np.where(np.isnan(distance), 1.0, np.clip((distance - required) / required, 0.0, 1.0))
        score = score + weights.get(key, 0) * margin
    if slope is not None and len(parts):
        frame["mean_slope_deg"] = _mean_slope(parts, slope)
    frame["excluded_around"] = _reasons_around(parts, exclusions)
    frame["score"] = np.round(score, 4)
    ranked = _ranked(gpd.GeoDataFrame(frame, geometry=list(parts), crs=study.crs))
    return (ranked, None) if pieces is None else split_layer(ranked, pieces, study)


def _communes_of(parts: np.ndarray, communes: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Codes and names of every commune each part overlaps, largest share first."""
    n = len(parts)
    cgeoms = communes.geometry.to_numpy()
    left, right = shapely.STRtree(cgeoms).query(parts, predicate="intersects")
    overlap = shapely.area(shapely.intersection(parts[left], cgeoms[right]))
    pairs = pd.DataFrame({"i": left, "code": communes["code"].to_numpy()[right], "name": communes["name"].to_numpy()[right], "overlap": overlap})
    pairs = pairs[pairs["overlap"] > MIN_PIECE_M2].sort_values(["i", "overlap"], ascending=[True, False])
    grouped = pairs.groupby("i")
    return (grouped["code"].agg(",".join).reindex(range(n), fill_value=""), grouped["name"].agg(", ".join).reindex(range(n), fill_value=""))


def _nearest(parts: np.ndarray, geoms: np.ndarray, names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to the nearest receptor geometry (NaN when there is none) and its name."""
    n = len(parts)
    distance, nearest = np.full(n, np.nan), np.full(n, "", dtype=object)
    if len(geoms) and n:
        (src, dst), dist = shapely.STRtree(geoms).query_nearest(parts, return_distance=True, all_matches=False)
        distance[src] = dist
        nearest[src] = names[dst]
    return distance, nearest


def _mean_slope(parts: np.ndarray, slope: Slope) -> np.ndarray:
    """Mean slope of the DEM cells whose centre lies in each part (NaN when none)."""
    from rasterio.features import rasterize

    n = len(parts)
    ids = rasterize(zip(parts, range(1, n + 1)), out_shape=slope.window.array.shape, transform=slope.window.transform, fill=0, dtype="int32")
    valid = (ids > 0) & ~np.ma.getmaskarray(slope.degrees)
    sums = np.bincount(ids[valid], weights=np.ma.getdata(slope.degrees)[valid], minlength=n + 1)
    cells = np.bincount(ids[valid], minlength=n + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.round(sums[1:] / cells[1:], 2)


def _reasons_around(parts: np.ndarray, exclusions: gpd.GeoDataFrame) -> pd.Series | str:
    """The reasons that leave out the land around each part, in the order of the exclusions."""
    if not (len(exclusions) and len(parts)):
        return ""
    egeoms = exclusions.geometry.to_numpy()
    a, b = shapely.STRtree(egeoms).query(parts, predicate="dwithin", distance=1.0)
    reasons = pd.DataFrame({"i": a, "reason": exclusions["reason_en"].to_numpy()[b], "order": b}).sort_values(["i", "order"])
    return reasons.groupby("i")["reason"].agg("; ".join).reindex(range(len(parts)), fill_value="")


def _ranked(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Candidates by score, then area, with their rank and id (``C001`` …)."""
    out = candidates.sort_values(["score", "area_ha"], ascending=[False, False], kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.insert(0, "candidate_id", [f"C{r:03d}" for r in out["rank"]])
    out["area_ha"] = out["area_ha"].round(4)
    return out


# -------------------------------------------------------------------------- the info


def _info(study: Study, plan: SitingPlan, chosen: pd.DataFrame, candidates: gpd.GeoDataFrame) -> dict:
    """The basis of the run, written to the ``siting_info`` layer."""
    rules, policy = plan.rules, plan.policy
    return {
        "facility": plan.facility,
        "facility_name_vi": plan.spec.name_vi,
        "facility_name_en": plan.spec.name_en,
        "build_id": study.build_ids,
        "build": study.source,
        "ruleset": f"{rules.id}@{rules.version}",
        "zones_searched": list(plan.zones),
        "zone_policy": {
            "status": policy.status,
            "title_en": policy.title_en,
            "title_vi": policy.title_vi,
            "citation_en": policy.citation_en,
            "citation_vi": policy.citation_vi,
        },
        "safety_distances": {
            key: {
                "distance_m": sd.distance_m,
                "status": sd.status,
                "citation_vi": sd.citation_vi,
                "citation_en": sd.citation_en,
                "basis": sd.basis,
                "layers": list(rules.receptors[key].layers),
            }
            for key, sd in plan.distances.items()
        },
        "communes": [f"{c} {n}" for c, n in zip(chosen["code"], chosen["name"])] if plan.communes else "whole province",
        "min_area_ha": plan.min_area_ha,
        "dem": str(plan.dem) if plan.dem else None,
        "max_slope_deg": plan.max_slope,
        "score_formula": _score_formula(rules, plan.min_area_ha),
        "candidates": len(candidates),
        "candidate_area_ha": float(candidates["area_ha"].sum()) if len(candidates) else 0.0,
        "notes": _notes(study, plan),
        **(study.describe() if study.regional else {}),
    }


def _score_formula(rules: SitingRules, min_area_ha: float) -> str:
    weights = rules.score.weights
    return (
        f"score = {weights.get('area', 0):g}·min(area_ha / ({rules.score.area_target:g}·{min_area_ha:g} ha), 1)"
        f" + {weights.get('residential', 0):g}·min((d_residential − D_residential) / D_residential, 1)"
        f" + {weights.get('water', 0):g}·min((d_water − D_water) / D_water, 1); margins below 0 count as 0; d from the candidate boundary"
    )


def _notes(study: Study, plan: SitingPlan) -> list[str]:
    """What the planner must know: assumed policies and distances, illustrative data, a desk screening (``vi / en``)."""
    notes = []
    if plan.policy.status != "confirmed":
        zones, status = ", ".join(plan.zones), terms.pair("statuses_short", plan.policy.status)
        notes.append(
            both(
                f"Vùng được tìm: {zones} — {plan.policy.title_vi}. Trạng thái {status[0]}: không phải quy định cấm theo pháp luật.",
                f"Zones searched: {zones} — {plan.policy.title_en}. Status {plan.policy.status}: not a legal prohibition.",
            )
        )
    for key, sd in plan.distances.items():
        receptor = plan.rules.receptors[key]
        if sd.status == "user":
            notes.append(
                both(
                    f"Khoảng cách an toàn đến {receptor.name_vi[:1].lower()}{receptor.name_vi[1:]}: "
                    f"{terms.quantity(sd.distance_m, 'distance_m', 'vi')} do người dùng nhập, "
                    f"không phải giá trị đã được pháp luật xác nhận ({sd.basis_vi or sd.basis}).",
                    f"Safety distance to {receptor.name_en}: {sd.distance_m:g} m given by the user, not a value confirmed in law ({sd.basis}).",
                )
            )
        if receptor.assumption:
            notes.append(both(f"Giả định: {receptor.note_vi}.", f"Assumption: {receptor.note_en}."))
    proposed = study.proposed_ha()
    if proposed:
        notes.append(
            both(
                f"Các khu vực đề xuất (chưa có ranh giới pháp lý, {terms.number(proposed, 2, 'vi')} ha) nằm trong vùng khác: "
                + (
                    "đã loại ra như thể đã có hiệu lực (--include-proposed)."
                    if plan.include_proposed
                    else "không bị loại ra (dùng --include-proposed để loại chúng)."
                ),
                f"Proposed designations (no legal boundary yet, {proposed:,.2f} ha) lie in the other zone: "
                + ("left out as if in force (--include-proposed)." if plan.include_proposed else "not left out (use --include-proposed to leave them out)."),
            )
        )
    notes += study.illustrative_notices()
    notes.append(
        both(
            "Khu vực ứng viên là kết quả sàng lọc trên bản đồ từ các lớp dữ liệu của bản phân vùng, không phải phê duyệt địa điểm: "
            "cần khảo sát thực địa và kiểm tra hiện trạng sử dụng đất, địa chất, ngập lụt và đường tiếp cận.",
            "Candidate areas are a desk screening from the build's layers, not a site approval: "
            "visit the land and check land use, geology, flooding and access.",
        )
    )
    return notes


__all__ = ["find_sites", "SitingPlan", "SitingResult"]
