"""Check proposed project sites against a zoning build.

For each site: the zones and units it touches or lies near (with distances, overlap and
share), its 2025 communes, the findings of ``rules/project-types.yaml`` for its project
type, the sensitive elements (LEP Art. 28(1)(c); ND08 Art. 25(4)) it triggers, and for
waste and wastewater facilities the safety distances of ``rules/safety-distances.yaml``
to residential areas and water intakes. Each finding carries its citation and status;
each site gets one verdict:

``conflict``           a confirmed rule (or a distance the user gave) is broken;
``needs_review``       a finding needs a person: an unconfirmed rule, a missing value, a
                       result within the positional tolerance of the data (borderline);
``no_data``            nothing else was found, but a layer the check needs is absent
                       from the build: no data is not "no conflict";
``no_conflict_found``  none of the above, with the data in the build;
``outside_province``   the site lies wholly outside the province of the build.

Speed: the zone, unit and commune polygons are cut once into small pieces (a bounded
number of vertices each) and indexed; sites are matched against them with STRtree bulk
queries and vectorised shapely operations — no per-site loop over units.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

import zoning
from zoning.builder.model import software_versions
from zoning.inputs.crs import WGS84, reproject
from zoning.errors import InputError

from zoning.law.safety import (
    UserDistance,
    capacity_classes,
    safety_distance,
)
from zoning.inputs.sites import Sites
from zoning.inputs.text import nfc, nfc_values
from zoning.checker import arrays
from zoning.checker.index import BuildIndex
from zoning.checker.result import FINDING_COLUMNS, SAFETY_COLUMNS, SCHEMA, SEVERITY_RANK, SITE_RESULT_COLUMNS, VERDICT_ORDER, VERDICTS, CheckResult
from zoning.law.project_types import CheckRules, Trigger, load_check_rules
from zoning import terms
from zoning.terms import ZONE_ORDER


M2_PER_HA = 10_000.0
UNIT_TEXT = ("unit_id", "zone", "name", "name_en", "criterion", "citation_vi", "citation_en", "status", "assumption", "source_layer", "source_id")
LINEAGE_WHOLE = 0.999  # a lineage criterion covering this share of a unit covers all of it
RECEPTOR_COLUMNS = {"residential": "residential", "water_intake": "intake"}
OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv")




def check_sites(
    sites: Sites,
    index: BuildIndex,
    rules: CheckRules | None = None,
    *,
    user_distances: dict[str, float | UserDistance] | None = None,
    upstream: bool = False,
    search_distance: float | None = None,
) -> CheckResult:
    """Check sites against an indexed build.

    Parameters
    ----------
    sites
        Sites from :func:`zoning.sites.read_sites`, in the build CRS.
    index
        The build prepared by :func:`index_build`.
    rules
        Check rules; the shipped ones by default.
    user_distances
        Safety distances given by the user (see :func:`zoning.safety.safety_distance`).
    upstream
        Default for sites without an ``upstream`` attribute: the facility must sit
        upstream of a water source or upwind of the town (× 1.5 in Table 2.22).
    search_distance
        List units within this many metres (default: the rule file's setting).

    Raises
    ------
    InputError
        When every site lies outside the province of the build.
    """
    started = time.perf_counter()
    rules = rules or load_check_rules()
    search = float(search_distance if search_distance is not None else rules.settings.search_distance_m)
    if not search > 0:
        raise InputError("the search distance must be a positive number of metres")
    ctx = _Context(sites, index, rules, search, user_distances or {}, upstream)
    ctx.run()
    before = time.perf_counter()
    result = ctx.result()
    ctx.timings["result"] = round(time.perf_counter() - before, 3)
    result.meta["timings_s"] = {**index.timings, "check_s": round(time.perf_counter() - started, 3), "steps_s": ctx.timings}
    return result


class _Context:
    """The working state of one check (arrays over sites, pairs with units, …)."""

    def __init__(self, sites: Sites, index: BuildIndex, rules: CheckRules, search: float, user: dict, upstream: bool) -> None:
        if sites.frame.crs is not None and index.build.crs != sites.frame.crs:
            raise InputError("the sites are not in the CRS of the build", "read them with zoning.sites.read_sites(…, target_crs=build.crs)")
        self.sites, self.index, self.rules, self.search, self.user = sites, index, rules, search, user
        frame = sites.frame.reset_index(drop=True)
        self.frame = frame
        self.geometry = frame.geometry.to_numpy()
        self.n = len(frame)
        self.ids = frame["site_id"].astype(str).to_numpy(object)
        type_id = shapely.get_type_id(self.geometry)
        self.dim = np.select([np.isin(type_id, (0, 4)), np.isin(type_id, (1, 2, 5))], [0, 1], 2)
        self.measure = np.where(self.dim == 2, shapely.area(self.geometry), np.where(self.dim == 1, shapely.length(self.geometry), 0.0))
        self.tree = STRtree(self.geometry)
        self.findings: list[tuple[np.ndarray, ...]] = []  # (site, code, severity, …) column arrays
        types = rules.type_table()
        info = frame[["type"]].merge(types, on="type", how="left")
        self.types = info
        self.has_type = frame["type"].notna().to_numpy()
        self.facility = info["facility"].where(info["facility"].notna(), None).to_numpy(object)
        self.listed = (info["pollution_risk"] == "listed").to_numpy()
        self.discharges = info["discharges_wastewater"].fillna(False).astype(bool).to_numpy()
        self.in_watercourse = info["in_watercourse"].fillna(False).astype(bool).to_numpy()
        site_upstream = frame["upstream"].fillna(False).astype(bool).to_numpy()
        self.site_upstream = site_upstream | upstream
        self.capacity_unit_ok = np.ones(self.n, bool)

    # ------------------------------------------------------------------ pipeline

    def run(self) -> None:
        self.timings: dict[str, float] = {}
        for step in (self._units, self._zones, self._communes, self._outside, self._safety, self._sensitive, self._type_findings,
                     self._location_findings, self._rule_findings, self._no_data, self._borderline_findings):
            started = time.perf_counter()
            step()
            self.timings[step.__name__.lstrip("_")] = round(time.perf_counter() - started, 3)

    # ------------------------------------------------------------- where it is

    def _units(self) -> None:
        """Units within the search distance: distance, overlap, borderline."""
        ix = self.index
        pieces, sites, distance = arrays.within(ix.unit_pieces, self.tree, self.geometry, self.search)
        unit = ix.unit_owner[pieces]
        overlap = arrays.overlap(self.geometry[sites], ix.unit_pieces[pieces], self.dim[sites], self.measure[sites], distance == 0)
        # one row per (site, unit): least distance over the unit's pieces, overlaps added up
        units_n = len(ix.units)
        key = sites.astype(np.int64) * units_n + unit
        order = np.lexsort((distance, key))
        key, distance, overlap = key[order], distance[order], overlap[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
        key, distance = key[starts], distance[starts]
        overlap = np.add.reduceat(overlap, starts) if len(starts) else overlap
        site, unit = key // units_n, key % units_n
        core_pieces, core_sites = self.tree.query(ix.unit_core_pieces, predicate="intersects")
        core = np.isin(key, core_sites.astype(np.int64) * units_n + ix.unit_core_owner[core_pieces])
        inside = distance <= 0
        tolerance = ix.unit_tolerance[unit]
        borderline = (inside & ~core) | (~inside & (distance <= tolerance))
        order = np.lexsort((unit, np.round(distance, 2), site))  # per site: nearest first
        site, unit, distance, overlap, core, inside, tolerance, borderline = (
            a[order] for a in (site, unit, distance, overlap, core, inside, tolerance, borderline))
        self.unit_pairs = pd.DataFrame({"site": site, "unit": unit, "distance": distance, "overlap": overlap, "core": core, "inside": inside})
        dim = self.dim[site]
        self.unit_table = pd.DataFrame({
            "site_id": self.ids[site],
            **{c: ix.unit_text[c][unit] for c in UNIT_TEXT},
            "distance_m": np.round(distance, 2),
            "inside": inside,
            "overlap_ha": np.round(np.where(dim == 2, overlap / M2_PER_HA, 0.0), 4),
            "overlap_m": np.round(np.where(dim == 1, overlap, 0.0), 2),
            "share_pct": arrays.share(overlap, self.measure[site], dim, inside),
            "borderline": borderline,
            "tolerance_m": tolerance,
            "illustrative": ix.unit_illustrative[unit],
        })

    def _zones(self) -> None:
        """Overlap and share per zone (strict and emission-limited from units, other from its pieces)."""
        ix = self.index
        pieces, sites = self.tree.query(ix.other_pieces, predicate="intersects")
        overlap = arrays.overlap(self.geometry[sites], ix.other_pieces[pieces], self.dim[sites], self.measure[sites], np.ones(len(sites), bool))
        other = pd.DataFrame({"site": sites, "overlap": overlap}).groupby("site")["overlap"].sum()
        core_pieces, core_sites = self.tree.query(ix.other_core_pieces, predicate="intersects")
        other_core = np.zeros(self.n, bool)
        other_core[core_sites] = True
        pairs = self.unit_pairs[self.unit_pairs["inside"]]
        zone_of = ix.units["zone"].to_numpy()[pairs["unit"].to_numpy()]
        measure = np.zeros((self.n, 3))
        touches = np.zeros((self.n, 3), bool)
        robust = np.zeros((self.n, 3), bool)
        for z, zone in enumerate(ZONE_ORDER[:2]):
            rows = pairs[zone_of == zone]
            np.add.at(measure[:, z], rows["site"].to_numpy(), rows["overlap"].to_numpy())
            touches[rows["site"].to_numpy(), z] = True
            robust[rows.loc[rows["core"], "site"].to_numpy(), z] = True
        measure[other.index.to_numpy(), 2] = other.to_numpy()
        touches[sites, 2] = True
        robust[:, 2] = other_core
        self.zone_measure, self.zone_touches, self.zone_robust = measure, touches, robust
        self.inside_measure = measure.sum(axis=1)
        self.touches_province = touches.any(axis=1)
        rows = []
        for z, zone in enumerate(ZONE_ORDER):
            hit = np.flatnonzero(touches[:, z])
            rows.append(pd.DataFrame({
                "site": hit, "zone_rank": z, "zone": zone, "name_vi": terms.zone_name(zone), "name_en": terms.zone_name(zone, "en"),
                "overlap": measure[hit, z], "borderline": ~robust[hit, z],
            }))
        table = pd.concat(rows, ignore_index=True).sort_values(["site", "zone_rank"], kind="stable")
        site, dim = table["site"].to_numpy(), self.dim[table["site"].to_numpy()]
        count = touches.sum(axis=1)
        share = arrays.share(table["overlap"].to_numpy(), self.measure[site], dim, np.ones(len(table), bool))
        share = np.where((dim == 0) & (count[site] > 1), np.nan, share)  # a point on a boundary: no share
        self.zone_table = pd.DataFrame({
            "site_id": self.ids[site], "zone": table["zone"].to_numpy(), "name_vi": table["name_vi"].to_numpy(), "name_en": table["name_en"].to_numpy(),
            "overlap_ha": np.where(dim == 2, table["overlap"] / M2_PER_HA, 0.0).round(4),
            "overlap_m": np.where(dim == 1, table["overlap"], 0.0).round(2),
            "share_pct": share, "borderline": table["borderline"].to_numpy(),
        })

    def _communes(self) -> None:
        ix = self.index
        pieces, sites = self.tree.query(ix.commune_pieces, predicate="intersects")
        overlap = arrays.overlap(self.geometry[sites], ix.commune_pieces[pieces], self.dim[sites], self.measure[sites], np.ones(len(sites), bool))
        pairs = pd.DataFrame({"site": sites, "commune": ix.commune_owner[pieces], "overlap": overlap})
        pairs = pairs.groupby(["site", "commune"], sort=True)["overlap"].sum().reset_index()
        communes = ix.build.communes
        site, dim = pairs["site"].to_numpy(), self.dim[pairs["site"].to_numpy()]
        count = np.bincount(site, minlength=self.n)
        share = arrays.share(pairs["overlap"].to_numpy(), self.measure[site], dim, np.ones(len(pairs), bool))
        share = np.where((dim == 0) & (count[site] > 1), np.nan, share)
        table = pd.DataFrame({
            "site_id": self.ids[site],
            "commune_code": communes["code"].astype(str).to_numpy()[pairs["commune"].to_numpy()],
            "commune_name": communes["name"].astype(str).to_numpy()[pairs["commune"].to_numpy()],
            "overlap_ha": np.where(dim == 2, pairs["overlap"] / M2_PER_HA, 0.0).round(4),
            "overlap_m": np.where(dim == 1, pairs["overlap"], 0.0).round(2),
            "share_pct": share,
        })
        order = np.lexsort((table["commune_code"].to_numpy(), site))
        self.commune_table = table.iloc[order].reset_index(drop=True)
        self.commune_sites = site[order]

    def _outside(self) -> None:
        """Sites wholly or partly outside the province of the build."""
        outside = np.clip(self.measure - self.inside_measure, 0.0, None)
        outside[np.abs(outside) <= 1e-9 * np.maximum(self.measure, 1.0)] = 0.0
        self.outside_measure = np.where(self.touches_province, outside, self.measure)
        self.wholly_outside = ~self.touches_province
        if self.wholly_outside.all():
            bounds = self.index.build.zones.total_bounds
            corners = reproject(shapely.points([bounds[:2], bounds[2:]]), self.index.build.crs, WGS84)
            (x0, y0), (x1, y1) = shapely.get_coordinates(corners)
            here = shapely.get_coordinates(reproject(np.array([shapely.point_on_surface(self.geometry[0])]), self.index.build.crs, WGS84))[0]
            raise InputError(
                f"none of the {self.n} site(s) lies in the province of this build (lon {x0:.3f}–{x1:.3f}, lat {y0:.3f}–{y1:.3f}); "
                f"site {self.ids[0]} is at lon {here[0]:.4f}, lat {here[1]:.4f}",
                "check the coordinates and their CRS (--crs), and that the build is for the right province"
                + (f" (input notes: {'; '.join(self.sites.notes)})" if self.sites.notes else ""),
            )
        wholly = np.flatnonzero(self.wholly_outside)
        self._add(wholly, "outside_province", "outside", "confirmed",
                  "Địa điểm nằm ngoài phạm vi tỉnh của bản phân vùng", "The site lies outside the province of this build",
                  "", "", "", "")
        partly = np.flatnonzero(~self.wholly_outside & (self.outside_measure > 0) & (self.dim > 0))
        pct = np.round(100 * self.outside_measure[partly] / self.measure[partly], 2)
        self._add(partly, "partly_outside_province", "review", "confirmed",
                  "Một phần địa điểm nằm ngoài phạm vi tỉnh", "Part of the site lies outside the province of this build",
                  [f"{p:g}% địa điểm nằm ngoài ranh giới tỉnh; phần này không được kiểm tra" for p in pct],
                  [f"{p:g}% of the site lies outside the province boundary and was not checked" for p in pct], "", "")

    # ------------------------------------------------------------ safety distances

    def _safety(self) -> None:
        """Distances of facility sites to residential areas and water intakes."""
        rows = []
        catalogue = self.rules.facilities
        fac_sites = np.flatnonzero(pd.notna(self.facility) & ~self.wholly_outside)
        for receptor, spec in catalogue.receptors.items():
            if not len(fac_sites):
                break
            layers = [self.index.layers[k] for k in spec.layers if k in self.index.layers]
            no_data = spec.required_layer not in self.index.input_kinds
            frame = pd.DataFrame({"site": fac_sites, "receptor": receptor, "facility": self.facility[fac_sites]})
            for key, values in self._required_distances(fac_sites, receptor).items():
                frame[key] = values
            frame["distance_m"] = frame["distance_m"].astype(float)
            required = frame["distance_m"].to_numpy()
            nearest = np.full(len(fac_sites), np.nan)
            nearest_id, nearest_name = arrays.filled(len(fac_sites), ""), arrays.filled(len(fac_sites), "")
            tolerance = np.full(len(fac_sites), self.index.tolerance(spec.required_layer))
            inside_count = np.zeros(len(fac_sites), int)
            inside_ha = np.zeros(len(fac_sites))
            for features in layers:
                q, t, d = features.nearest(self.geometry[fac_sites])
                better = np.isnan(nearest[q]) | (d < nearest[q])
                q, t, d = q[better], t[better], d[better]
                nearest[q], nearest_id[q], nearest_name[q] = d, features.source_id[t], features.name[t]
                tolerance[q] = self.index.tolerance(features.layer[0])
                known = np.flatnonzero(~np.isnan(required))
                if len(known):
                    q2, p2 = features.piece_tree.query(self.geometry[fac_sites[known]], predicate="dwithin", distance=required[known])
                    d2 = shapely.distance(self.geometry[fac_sites[known[q2]]], features.pieces[p2])
                    within = d2 < required[known[q2]]
                    pairs = np.unique(np.column_stack([known[q2[within]], features.piece_owner[p2[within]]]), axis=0).reshape(-1, 2)
                    q2, t2 = pairs[:, 0], pairs[:, 1]
                    np.add.at(inside_count, q2, 1)
                    polygons = np.isin(shapely.get_type_id(features.geometry[t2]), (3, 6))
                    if polygons.any():
                        zone = shapely.buffer(self.geometry[fac_sites[q2[polygons]]], required[q2[polygons]], quad_segs=32)
                        np.add.at(inside_ha, q2[polygons], shapely.area(shapely.intersection(features.geometry[t2[polygons]], zone)) / M2_PER_HA)
            frame["nearest_m"] = np.round(nearest, 2)
            frame["nearest_id"], frame["nearest_name"] = nearest_id, nearest_name
            holds = np.where(np.isnan(required) | np.isnan(nearest), None, nearest >= required)
            frame["holds"] = holds
            frame["inside_count"] = np.where(np.isnan(required), 0, inside_count)
            frame["inside_ha"] = np.where(np.isnan(required), 0.0, inside_ha).round(4)
            frame["borderline"] = ~np.isnan(required) & ~np.isnan(nearest) & (tolerance > 0) & (np.abs(nearest - required) <= tolerance)
            frame["tolerance_m"] = tolerance
            frame["no_data"] = no_data
            rows.append(frame)
            self._safety_findings(frame, receptor, spec, no_data)
        columns = ["site"] + SAFETY_COLUMNS[1:]
        table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
        table = table.sort_values(["site", "receptor"], kind="stable")
        self.safety_pairs = table.reset_index(drop=True)
        table = table.rename(columns={"distance_m": "distance_required_m"})
        table.insert(0, "site_id", self.ids[table["site"].to_numpy(int)])
        self.safety_table = table.drop(columns="site")[SAFETY_COLUMNS].reset_index(drop=True)

    def _required_distances(self, sites: np.ndarray, receptor: str) -> dict[str, np.ndarray]:
        """Safety distance fields per site, computed once per distinct (facility, capacity, upstream)."""
        catalogue = self.rules.facilities
        facility = self.facility[sites]
        kinds = pd.unique(facility)
        wanted = pd.Series([catalogue[f].capacity_unit for f in kinds], index=kinds)
        usable = arrays.same_unit(self.frame["capacity_unit"].to_numpy(object)[sites], wanted.reindex(facility).to_numpy(object))
        self.capacity_unit_ok[sites] = usable
        capacity = np.where(usable, self.frame["capacity"].to_numpy(float)[sites], np.nan)
        # the distance depends on the capacity only through its class: one lookup per (facility, class, upstream)
        klass = np.full(len(sites), -1)
        for kind in kinds:
            rows = facility == kind
            klass[rows] = capacity_classes(catalogue.sources[catalogue[kind].distances[receptor].source], capacity[rows])
        keys = pd.DataFrame({"facility": facility, "klass": klass, "known": ~np.isnan(capacity), "upstream": self.site_upstream[sites]})
        code = keys.groupby(list(keys.columns), sort=False).ngroup().to_numpy()
        first = pd.Series(np.arange(len(sites))).groupby(code, sort=True).first().to_numpy()
        found = [
            safety_distance(facility[i], receptor, None if np.isnan(capacity[i]) else capacity[i], upstream=bool(self.site_upstream[sites][i]),
                            user_distances=self.user, catalogue=catalogue)
            for i in first
        ]
        fields = ("distance_m", "status", "citation_vi", "citation_en", "basis", "missing", "capacity_class")
        return {key: np.array([getattr(d, key) for d in found], dtype=object)[code] for key in fields}

    def _safety_findings(self, frame: pd.DataFrame, receptor: str, spec, no_data: bool) -> None:
        text = ["facility", "status", "citation_vi", "citation_en", "basis", "missing", "capacity_class", "nearest_name"]
        frame = frame.astype({c: object for c in text})  # plain objects: iterating pandas strings is slow
        site = frame["site"].to_numpy()
        name_vi, name_en = spec.name_vi.lower(), spec.name_en.lower()
        required = frame["distance_m"].astype(float).to_numpy()
        if no_data:
            self._add(site, f"no_data_{receptor}", "no_data", "confirmed",
                      f"Không có dữ liệu {name_vi} trong bản phân vùng: chưa kiểm tra được khoảng cách an toàn",
                      f"No {name_en} layer in the build: the safety distance cannot be checked",
                      f"bản phân vùng không có lớp {spec.required_layer}", f"the build has no {spec.required_layer} layer",
                      frame["citation_vi"].to_numpy(), frame["citation_en"].to_numpy())
        missing = np.isnan(required)
        if missing.any():
            m = frame[missing]
            self._add(m["site"].to_numpy(), f"safety_distance_unknown_{receptor}", "review", m["status"].to_numpy(),
                      f"Chưa có khoảng cách an toàn môi trường tới {name_vi}",
                      f"The environmental safety distance to {name_en} is not known",
                      [_missing_vi(x, f, receptor, st, c, k) + f"; nhập bằng --distance {f}=MÉT"
                       for x, f, st, c, k in zip(m["missing"], m["facility"], m["status"], m["citation_vi"], m["capacity_class"])],
                      [f"missing: {x}; give it with --distance {f}=METRES" for x, f in zip(m["missing"], m["facility"])],
                      m["citation_vi"].to_numpy(), m["citation_en"].to_numpy())
        if no_data:
            return
        known = frame[~missing]
        upstream = self.site_upstream[known["site"].to_numpy()]
        basis_vi = pd.Series([
            f"{r:g} m theo {c}" + (f", cấp công suất {k}" if k else "") + (" (giá trị do người dùng nhập)" if st == "user" else "")
            + ("; ×1,5 do đặt ở đầu nguồn nước hoặc đầu hướng gió" if up and st == "confirmed" and "×" in b else "")
            for r, c, k, st, up, b in zip(known["distance_m"], known["citation_vi"], known["capacity_class"], known["status"], upstream, known["basis"])
        ], index=known.index, dtype=object)
        broken = known[known["inside_count"] > 0]
        if len(broken):
            severity = np.where(broken["status"].isin(["confirmed", "user"]), "conflict", "review")
            detail_vi = [f"{c} đối tượng {name_vi} trong phạm vi {r:g} m (gần nhất {d:.1f} m: {n}); diện tích trong phạm vi {a:.2f} ha; căn cứ: {b}"
                         for c, r, d, n, a, b in zip(broken["inside_count"], broken["distance_m"], broken["nearest_m"], broken["nearest_name"], broken["inside_ha"], basis_vi[broken.index])]
            detail_en = [f"{c} {name_en} feature(s) within {r:g} m (nearest {d:.1f} m: {n}); area inside {a:.2f} ha; basis: {b}"
                         for c, r, d, n, a, b in zip(broken["inside_count"], broken["distance_m"], broken["nearest_m"], broken["nearest_name"], broken["inside_ha"], broken["basis"])]
            self._add(broken["site"].to_numpy(), f"safety_distance_not_kept_{receptor}", severity, broken["status"].to_numpy(),
                      f"Không bảo đảm khoảng cách an toàn môi trường tới {name_vi}", f"The environmental safety distance to {name_en} is not kept",
                      detail_vi, detail_en, broken["citation_vi"].to_numpy(), broken["citation_en"].to_numpy())
        kept = known[(known["inside_count"] == 0)]
        if len(kept):
            nearest_vi = ["không có đối tượng nào" if np.isnan(d) else f"gần nhất {d:.1f} m ({n})" for d, n in zip(kept["nearest_m"], kept["nearest_name"])]
            nearest_en = ["no feature at all" if np.isnan(d) else f"nearest {d:.1f} m ({n})" for d, n in zip(kept["nearest_m"], kept["nearest_name"])]
            self._add(kept["site"].to_numpy(), f"safety_distance_kept_{receptor}", "info", kept["status"].to_numpy(),
                      f"Bảo đảm khoảng cách an toàn môi trường tới {name_vi}", f"The environmental safety distance to {name_en} is kept",
                      [f"{r:g} m yêu cầu; {x}; căn cứ: {b}" for r, x, b in zip(kept["distance_m"], nearest_vi, basis_vi[kept.index])],
                      [f"{r:g} m required; {x}; basis: {b}" for r, x, b in zip(kept["distance_m"], nearest_en, kept["basis"])],
                      kept["citation_vi"].to_numpy(), kept["citation_en"].to_numpy())

    # ------------------------------------------------------------ sensitive elements

    def _sensitive(self) -> None:
        """Sensitive elements with what triggered each: units, their lineage, input features.

        Candidates are (site, layer, feature, relation, distance) with integer codes:
        relation 0 = the site touches the feature or a unit made from it, 1 = it lies in a
        unit whose whole land also meets the feature's criterion (lineage), 2 = near.
        """
        ix = self.index
        kinds = list(ix.layers)
        code = {k: i for i, k in enumerate(kinds)}
        parts = []  # (site, layer code, feature index, relation, distance)
        # 1. units the site lies in or near
        pairs = self.unit_pairs
        unit = pairs["unit"].to_numpy()
        feature = ix.unit_feature[unit]
        layer = np.array([code.get(k, -1) for k in ix.units["source_layer"]], dtype=int)[unit] if len(ix.units) else np.zeros(0, int)
        known = feature >= 0
        parts.append((pairs["site"].to_numpy()[known], layer[known], feature[known], np.where(pairs["inside"].to_numpy()[known], 0, 2), pairs["distance"].to_numpy()[known]))
        # 2. the lineage of the units the site lies in, where the criterion covers the whole unit
        lineage = ix.lineage
        if len(lineage):
            whole = lineage[~lineage["prevails"].astype(bool).to_numpy()]
            area = ix.units.set_index("unit_id")["area_ha"].reindex(whole["unit_id"]).to_numpy()
            whole = whole[whole["overlap_ha"].to_numpy() >= LINEAGE_WHOLE * area]
            unit_index = pd.Series(np.arange(len(ix.units)), index=ix.units["unit_id"]).reindex(whole["unit_id"]).to_numpy()
            for kind in set(whole["source_layer"]) & set(kinds):
                rows = whole["source_layer"].to_numpy() == kind
                position = pd.Series(np.arange(len(ix.layers[kind])), index=ix.layers[kind].source_id)
                lineage_feature = position.reindex(whole["source_id"].astype(str).to_numpy()[rows]).fillna(-1).to_numpy(int)
                inside = pairs[pairs["inside"]]
                match = pd.DataFrame({"unit": unit_index[rows], "feature": lineage_feature}).merge(
                    pd.DataFrame({"site": inside["site"].to_numpy(), "unit": inside["unit"].to_numpy()}), on="unit")
                match = match[match["feature"] >= 0]
                parts.append((match["site"].to_numpy(), np.full(len(match), code[kind]), match["feature"].to_numpy(), np.ones(len(match), int), np.zeros(len(match))))
        # 3. input features the site touches as drawn (or lies near, for 'near' elements)
        near_layers = {t.layer for e in self.rules.file.sensitive_elements if e.relation == "near" for t in e.triggers}
        for kind, features in ix.layers.items():
            if kind in near_layers:
                t, s, d = arrays.within(features.geometry, self.tree, self.geometry, self.search)
            else:
                t, s = self.tree.query(features.geometry, predicate="intersects")
                d = np.zeros(len(s))
            parts.append((s, np.full(len(s), code[kind]), t, np.where(d <= 0, 0, 2), d))
        site, layer, feature, relation, distance = (np.concatenate([p[i] for p in parts]) for i in range(5))
        active = ~self.wholly_outside[site]
        site, layer, feature, relation, distance = site[active], layer[active], feature[active], relation[active], distance[active]
        rows = []  # (candidate indices, element order)
        for order, element in enumerate(self.rules.file.sensitive_elements):
            applies = self._applies(element.applies_to)
            for trigger in element.triggers:
                if trigger.layer not in code:
                    continue
                mask = (layer == code[trigger.layer]) & applies[site]
                if element.relation == "inside":
                    mask &= relation < 2
                if trigger.where:
                    mask &= self._matches(trigger)[np.where(mask, feature, 0)]
                hit = np.flatnonzero(mask)
                rows.append((hit, np.full(len(hit), order)))
        hit = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, int)
        element_order = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, int)
        # one row per (site, element, layer, feature): the closest relation, then the least distance
        order = np.lexsort((distance[hit], relation[hit], feature[hit], layer[hit], element_order, site[hit]))
        hit, element_order = hit[order], element_order[order]
        key = np.column_stack([site[hit], element_order, layer[hit], feature[hit]])
        first = np.r_[True, (key[1:] != key[:-1]).any(axis=1)] if len(key) else np.zeros(0, bool)
        hit, element_order = hit[first], element_order[first]
        elements = self.rules.file.sensitive_elements
        pick = lambda attribute: np.array([getattr(e, attribute) for e in elements], dtype=object)[element_order]  # noqa: E731
        kinds_array = np.array(kinds, dtype=object)
        source_id = np.empty(len(hit), dtype=object)
        name = np.empty(len(hit), dtype=object)
        for kind in kinds:
            rows_k = kinds_array[layer[hit]] == kind
            source_id[rows_k] = ix.layers[kind].source_id[feature[hit][rows_k]]
            name[rows_k] = ix.layers[kind].name[feature[hit][rows_k]]
        self.sensitive_pairs = pd.DataFrame({"site": site[hit], "element": pick("id"), "relation": np.array(["inside", "unit_lineage", "near"], dtype=object)[relation[hit]]})
        self.sensitive_table = pd.DataFrame({
            "site_id": self.ids[site[hit]], "element": pick("id"), "title_vi": pick("title_vi"), "title_en": pick("title_en"),
            "citation_vi": pick("citation_vi"), "citation_en": pick("citation_en"), "status": pick("status"),
            "relation": self.sensitive_pairs["relation"].to_numpy(), "layer": kinds_array[layer[hit]] if len(hit) else np.zeros(0, object),
            "source_id": source_id, "feature": name, "distance_m": np.round(distance[hit], 2),
        })

    def _matches(self, trigger: Trigger) -> np.ndarray:
        """Which features of the trigger's layer meet its attribute condition."""
        features = self.index.layers[trigger.layer]
        mask = np.ones(len(features), bool)
        for attribute, values in trigger.where.items():
            mask &= features.attributes[attribute].map(nfc).isin(nfc_values(values)).to_numpy() if attribute in features.attributes else False
        return mask

    def _applies(self, applies_to: str | Sequence[str]) -> np.ndarray:
        values = (applies_to,) if isinstance(applies_to, str) else tuple(applies_to)
        mask = np.zeros(self.n, bool)
        for value in values:
            if value == "all":
                mask |= True
            elif value == "pollution_risk":
                mask |= self.listed
            elif value == "facility":
                mask |= pd.notna(self.facility)
            elif value == "discharges_wastewater":
                mask |= self.discharges
            elif value == "in_watercourse":
                mask |= self.in_watercourse
            else:
                mask |= (self.frame["type"] == value).to_numpy()
        return mask

    # ------------------------------------------------------------------ findings

    def _type_findings(self) -> None:
        """The project type: missing, its Appendix II listing and capacity class, group I."""
        active = ~self.wholly_outside
        missing = np.flatnonzero(active & ~self.has_type)
        self._add(missing, "type_not_given", "review", "confirmed",
                  "Chưa có loại hình dự án: chưa kiểm tra các quy định theo loại hình (Phụ lục II Nghị định 08, khoảng cách an toàn)",
                  "No project type given: type-specific rules (ND08 Appendix II, safety distances) were not checked",
                  "nhập cột 'type' hoặc --type (xem `zoning types`)", "give a 'type' attribute or --type (see `zoning types`)", "", "")
        info = self.types
        capacity = self.frame["capacity"].to_numpy(float)
        unit = self.frame["capacity_unit"].to_numpy(object)
        klass = arrays.filled(self.n, "")
        large, small = info["large_min"].to_numpy(float), info["small_below"].to_numpy(float)
        risk_unit = info["risk_unit"].fillna("").to_numpy(object)
        unit_ok = arrays.same_unit(unit, risk_unit)
        has_cap = ~np.isnan(capacity) & unit_ok
        thresholds = ~np.isnan(large)
        klass[thresholds & has_cap & (capacity >= large)] = "large"
        klass[thresholds & has_cap & (capacity < large) & ~np.isnan(small) & (capacity < small)] = "small"
        klass[thresholds & has_cap & (capacity < large) & ~np.isnan(small) & (capacity >= small)] = "medium"
        klass[thresholds & has_cap & (capacity < large) & np.isnan(small)] = "medium_or_small"
        klass[self.listed & thresholds & ~has_cap] = "unknown"
        self.capacity_class = klass
        citation = self.rules.file.appendix_ii
        listed = np.flatnonzero(active & self.listed)
        if len(listed):
            row, status = info["risk_row"].to_numpy(object)[listed], info["risk_status"].to_numpy(object)[listed]
            notes = info["risk_note"].fillna("").to_numpy(object)[listed]
            detail_en = [n + (f", row {r}" if r else "") + (f"; capacity class {k}" if k else "; no capacity class (thresholds not read)") + (f"; {note}" if note else "")
                         for n, r, k, note in zip(info["type_name_en"].to_numpy(object)[listed], row, klass[listed], notes)]
            detail_vi = [n + (f", mục {r}" if r else "") + (f"; quy mô {terms.label('capacity_classes', k)}" if k else "; chưa xác định quy mô (chưa đọc ngưỡng)")
                         for n, r, k in zip(info["type_name_vi"].to_numpy(object)[listed], row, klass[listed])]
            self._add(listed, "pollution_risk_type", "info", status,
                      "Loại hình thuộc Danh mục có nguy cơ gây ô nhiễm môi trường (Phụ lục II Nghị định 08)",
                      "The project type is on the pollution-risk list (ND08 Appendix II)",
                      detail_vi, detail_en,
                      [f"{citation.citation_vi}, mục {r}" if r else citation.citation_vi for r in row],
                      [f"{citation.citation_en}, row {r}" if r else citation.citation_en for r in row])
        unknown = np.flatnonzero(active & self.has_type & (info["pollution_risk"] == "unknown").to_numpy())
        if len(unknown):
            notes = info["risk_note"].fillna("").to_numpy(object)[unknown]
            self._add(unknown, "pollution_risk_unknown", "info", "unconfirmed",
                      "Chưa xác nhận loại hình có thuộc Phụ lục II Nghị định 08 hay không",
                      "Whether the project type is on ND08 Appendix II is not confirmed",
                      notes, notes, citation.citation_vi, citation.citation_en)
        need = np.flatnonzero(active & (klass == "unknown"))
        if len(need):
            units = info["risk_unit"].to_numpy(object)[need]
            self._add(need, "capacity_needed", "review", "confirmed",
                      "Cần công suất để xác định quy mô theo Phụ lục II", "The capacity is needed to classify the project under Appendix II",
                      [f"nhập 'capacity' theo {u}" for u in units], [f"give 'capacity' in {u}" for u in units],
                      citation.citation_vi, citation.citation_en)
        bad_unit = np.flatnonzero(active & ~np.isnan(capacity) & (~unit_ok | ~self.capacity_unit_ok))
        if len(bad_unit):
            self._add(bad_unit, "capacity_unit_mismatch", "review", "confirmed",
                      "Đơn vị công suất không khớp với đơn vị của quy định: công suất không được sử dụng",
                      "The capacity unit does not match the unit of the rule: the capacity was not used",
                      [f"'{u}'" for u in unit[bad_unit]], [f"'{u}'" for u in unit[bad_unit]], "", "")
        # LEP Art. 28(3): group I at large capacity, or medium with a sensitive element
        inside = self.sensitive_pairs[self.sensitive_pairs["relation"] == "inside"]
        sensitive = np.zeros(self.n, bool)
        sensitive[inside["site"].to_numpy(int)] = True
        group = np.flatnonzero(active & self.listed & ((klass == "large") | (((klass == "medium") | (klass == "medium_or_small")) & sensitive)))
        g = self.rules.file.group_i
        self._add(group, "group_i_possible", "review", g.status, g.title_vi, g.title_en,
                  [terms.label("capacity_classes", k) + (" và có yếu tố nhạy cảm" if s else "") for k, s in zip(klass[group], sensitive[group])],
                  [f"capacity class {k}" + (" with a sensitive element" if s else "") for k, s in zip(klass[group], sensitive[group])],
                  g.citation_vi, g.citation_en)

    def _location_findings(self) -> None:
        """One finding per strict or emission-limited unit the site lies in, with its criterion."""
        ix = self.index
        pairs = self.unit_pairs
        keep = pairs["inside"].to_numpy() & (ix.unit_text["zone"][pairs["unit"].to_numpy()] != "other")
        site, unit = pairs["site"].to_numpy()[keep], pairs["unit"].to_numpy()[keep]
        text = {c: ix.unit_text[c][unit] for c in ("zone", "name", "name_en", "unit_id", "criterion", "assumption", "status", "citation_vi", "citation_en")}
        zone_vi = np.array([terms.zone_name(z).lower() for z in ZONE_ORDER], dtype=object)[arrays.zone_index(text["zone"])]
        zone_en = np.array([terms.zone_name(z, "en").lower() for z in ZONE_ORDER], dtype=object)[arrays.zone_index(text["zone"])]
        table = self.unit_table[keep]
        amount_vi, amount_en = arrays.amounts(table, self.dim[site], "vi"), arrays.amounts(table, self.dim[site], "en")
        assumed = text["assumption"] != ""
        self._add(site, "in_" + text["zone"], "info", text["status"],
                  "Nằm trong " + zone_vi + ": " + text["name"], "Lies in the " + zone_en + ": " + text["name_en"],
                  "đơn vị " + text["unit_id"] + ", tiêu chí " + text["criterion"] + amount_vi + np.where(assumed, "; giả định: " + text["assumption"], ""),
                  "unit " + text["unit_id"] + ", criterion " + text["criterion"] + amount_en + np.where(assumed, "; assumption: " + text["assumption"], ""),
                  text["citation_vi"], text["citation_en"])

    def _rule_findings(self) -> None:
        """The configurable site rules of the rule file."""
        ix = self.index
        pairs = self.unit_pairs
        site, unit = pairs["site"].to_numpy(), pairs["unit"].to_numpy()
        inside = pairs["inside"].to_numpy()
        unit_zone, unit_layer = ix.unit_text["zone"][unit], ix.unit_text["source_layer"][unit]
        active = ~self.wholly_outside
        triggers = []
        for rule in self.rules.file.site_rules:
            trigger = np.zeros(len(pairs), bool)
            if rule.when.zones:
                trigger |= inside & np.isin(unit_zone, rule.when.zones)
            if rule.when.near_layers:
                trigger |= np.isin(unit_layer, rule.when.near_layers)
            triggers.append(trigger & (active & self._applies(rule.when.applies_to))[site])
        # labels only for the pairs some rule uses
        used = np.flatnonzero(np.logical_or.reduce(triggers)) if triggers else np.zeros(0, int)
        label_en, label_vi = arrays.filled(len(pairs), ""), arrays.filled(len(pairs), "")
        distance = arrays.fixed(pairs["distance"].to_numpy()[used], 1)
        label_en[used] = ix.unit_text["unit_id"][unit[used]] + " " + ix.unit_text["name_en"][unit[used]] + np.where(inside[used], " (inside)", " (" + distance + " m)")
        label_vi[used] = ix.unit_text["unit_id"][unit[used]] + " " + ix.unit_text["name"][unit[used]] + np.where(inside[used], " (bên trong)", " (" + distance + " m)")
        for rule, trigger in zip(self.rules.file.site_rules, triggers):
            if not trigger.any():
                continue
            sites, english = arrays.join_by(site[trigger], label_en[trigger], "; ")
            _, vietnamese = arrays.join_by(site[trigger], label_vi[trigger], "; ")
            effect = rule.effect if rule.status == "confirmed" or rule.effect != "conflict" else "review"
            note = f" — {rule.note}" if rule.note else ""
            self._add(sites, rule.id, effect, rule.status, rule.title_vi, rule.title_en,
                      "căn cứ vị trí: " + vietnamese, "triggered by: " + english + note, rule.citation_vi, rule.citation_en)

    def _no_data(self) -> None:
        """Layers the check needs that the build does not have: no data is not no conflict."""
        missing = [k for k in self.rules.settings.required_layers if k not in self.index.input_kinds]
        self.no_data_layers = np.array([", ".join(missing)] * self.n, dtype=object)
        facility_missing = [spec.required_layer for spec in self.rules.facilities.receptors.values() if spec.required_layer not in self.index.input_kinds]
        has_facility = pd.notna(self.facility)
        if facility_missing:
            self.no_data_layers[has_facility] = ", ".join(dict.fromkeys(missing + facility_missing))
        sites = np.flatnonzero(~self.wholly_outside)
        if missing and len(sites):
            self._add(sites, "no_data", "no_data", "confirmed",
                      "Bản phân vùng thiếu lớp dữ liệu cần cho việc kiểm tra: thiếu dữ liệu không có nghĩa là không có xung đột",
                      "Layers the check needs are absent from the build: no data is not no conflict",
                      f"thiếu: {', '.join(missing)}", f"absent: {', '.join(missing)}", "", "")
        self.no_data_layers[self.wholly_outside] = ""

    def _borderline_findings(self) -> None:
        """Results within the positional tolerance of the source data."""
        units = self.unit_table[self.unit_table["borderline"].to_numpy()]
        site = self.unit_pairs.loc[self.unit_table["borderline"].to_numpy(), "site"].to_numpy()
        rows = pd.DataFrame({
            "site": site,
            "en": (units["unit_id"] + " " + units["name_en"] + " (" + units["distance_m"].map("{:.1f}".format) + " m, ±" + units["tolerance_m"].map("{:g}".format) + " m)").to_numpy(),
            "vi": (units["unit_id"] + " " + units["name"] + " (" + units["distance_m"].map("{:.1f}".format) + " m, ±" + units["tolerance_m"].map("{:g}".format) + " m)").to_numpy(),
        })
        zones = np.flatnonzero((self.zone_touches & ~self.zone_robust)[:, 2] & ~self.wholly_outside)
        if len(zones):
            tol = f"±{self.index.other_tolerance:g} m"
            rows = pd.concat([rows, pd.DataFrame({"site": zones, "en": f"boundary of the other zone or of the province ({tol})", "vi": f"ranh giới vùng khác hoặc ranh giới tỉnh ({tol})"})])
        safety = self.safety_pairs[self.safety_pairs["borderline"].astype(bool)] if len(self.safety_pairs) else self.safety_pairs
        if len(safety):
            rows = pd.concat([rows, pd.DataFrame({
                "site": safety["site"].to_numpy(int),
                "en": [f"safety distance to {r.replace('_', ' ')}: nearest {d:.1f} m vs {q:g} m required (±{t:g} m)" for r, d, q, t in zip(safety["receptor"], safety["nearest_m"], safety["distance_m"], safety["tolerance_m"])],
                "vi": [f"khoảng cách an toàn tới {'khu dân cư' if r == 'residential' else 'công trình lấy nước'}: gần nhất {d:.1f} m so với {q:g} m (±{t:g} m)" for r, d, q, t in zip(safety["receptor"], safety["nearest_m"], safety["distance_m"], safety["tolerance_m"])],
            })])
        self.borderline = np.zeros(self.n, bool)
        if not len(rows):
            return
        self.borderline[rows["site"].to_numpy(int)] = True
        sites, english = arrays.join_by(rows["site"].to_numpy(int), rows["en"].to_numpy(object), "; ")
        _, vietnamese = arrays.join_by(rows["site"].to_numpy(int), rows["vi"].to_numpy(object), "; ")
        self._add(sites, "borderline", "review", "confirmed",
                  "Kết quả nằm trong sai số vị trí của dữ liệu nguồn: cần kiểm tra thực địa",
                  "A result lies within the positional tolerance of the source data: verify on the ground",
                  vietnamese, english, "", "")

    def _add(self, site, code, severity, status, title_vi, title_en, detail_vi, detail_en, citation_vi, citation_en) -> None:
        """Findings for ``site`` (indices); every other argument is one value or one per site."""
        site = np.asarray(site, dtype=int)
        if not len(site):
            return
        values = (code, severity, status, title_vi, title_en, detail_vi, detail_en, citation_vi, citation_en)
        columns = [arrays.filled(len(site), v) if isinstance(v, str) else np.asarray(v, dtype=object) for v in values]
        self.findings.append((site, *columns))

    # ------------------------------------------------------------------- result

    def result(self) -> CheckResult:
        names = ["site"] + FINDING_COLUMNS[1:]
        columns = [np.concatenate([f[i] for f in self.findings]) if self.findings else np.zeros(0, dtype=int if i == 0 else object) for i in range(len(names))]
        site, code, severity = columns[0], columns[1], columns[2]
        rank = np.select([severity == k for k in SEVERITY_RANK], list(SEVERITY_RANK.values()), 0)
        keep = ~(self.wholly_outside[site] & (severity != "outside"))
        # site, most severe first, then code; rows of one code keep the order they were made in
        code_number, _ = pd.factorize(code, sort=True)
        order = np.lexsort((np.arange(len(site)), code_number, -rank, site))
        order = order[keep[order]]
        site, rank, severity = site[order], rank[order], severity[order]
        worst = np.ones(self.n, int)
        np.maximum.at(worst, site, rank)
        verdict = np.array([VERDICTS[w] for w in worst], dtype=object)
        conflicts = np.bincount(site, weights=severity == "conflict", minlength=self.n).astype(int)
        reviews = np.bincount(site, weights=severity == "review", minlength=self.n).astype(int)
        counts = np.bincount(site, minlength=self.n)
        findings = pd.DataFrame({"site_id": self.ids[site], **{name: column[order] for name, column in zip(names[1:], columns[1:])}})
        sites = self._site_table(verdict, conflicts, reviews, counts)
        meta = self._meta(sites)
        return CheckResult(sites, self.zone_table, self.unit_table, self.commune_table, findings, self.sensitive_table, self.safety_table, meta)

    def _site_table(self, verdict, conflicts, reviews, counts) -> gpd.GeoDataFrame:
        f, info = self.frame, self.types
        dim = self.dim
        pct = lambda m: np.where(dim > 0, np.round(100 * m / np.where(self.measure > 0, self.measure, 1.0), 2), np.nan)  # noqa: E731
        zone_pct = np.stack([pct(self.zone_measure[:, z]) for z in range(3)], axis=1)
        # points: 100 in the one zone they lie in; undefined (NaN) in each zone of a boundary they lie on
        points = dim == 0
        touched = self.zone_touches.sum(axis=1)
        zone_pct[points] = np.where(self.zone_touches[points], np.where(touched[points, None] == 1, 100.0, np.nan), 0.0)
        outside_pct = np.where(dim > 0, pct(self.outside_measure), np.where(self.wholly_outside, 100.0, 0.0))
        touched_zone = np.nonzero(self.zone_touches)
        zones_text = arrays.joined(touched_zone[0], np.array(ZONE_ORDER, dtype=object)[touched_zone[1]], self.n, distinct=True)
        pair_site, inside = self.unit_pairs["site"].to_numpy(), self.unit_pairs["inside"].to_numpy()
        unit_ids = self.index.unit_text["unit_id"][self.unit_pairs["unit"].to_numpy()]
        units_inside = arrays.joined(pair_site[inside], unit_ids[inside], self.n, distinct=True)
        units_near = arrays.joined(pair_site[~inside], unit_ids[~inside], self.n, distinct=True)
        codes = arrays.joined(self.commune_sites, self.commune_table["commune_code"].to_numpy(object), self.n, distinct=True)
        names = arrays.joined(self.commune_sites, self.commune_table["commune_name"].to_numpy(object), self.n, distinct=True)
        elements = arrays.joined(self.sensitive_pairs["site"].to_numpy(int), self.sensitive_pairs["element"].to_numpy(object), self.n)
        needed = np.where(self.has_type, "", "project type").astype(object)
        safety = self.safety_pairs
        missing_values = arrays.joined(np.r_[np.arange(self.n), safety["site"].to_numpy(int)], np.r_[needed, safety["missing"].to_numpy(object)], self.n, "; ")
        table = pd.DataFrame({
            "site_id": self.ids, "source_layer": f["source_layer"].to_numpy(object), "name": f["name"].to_numpy(object),
            "name_en": f["name_en"].where(f["name_en"].notna(), "").to_numpy(object), "type": f["type"].where(f["type"].notna(), "").to_numpy(object),
            "type_name_vi": info["type_name_vi"].fillna("").to_numpy(object), "type_name_en": info["type_name_en"].fillna("").to_numpy(object),
            "facility": np.where(pd.notna(self.facility), self.facility, ""), "capacity": f["capacity"].to_numpy(float),
            "capacity_unit": f["capacity_unit"].where(f["capacity_unit"].notna(), "").to_numpy(object), "upstream": self.site_upstream,
            "geometry_type": np.array(["point", "line", "polygon"], dtype=object)[dim],
            "area_ha": np.where(dim == 2, self.measure / M2_PER_HA, 0.0).round(4), "length_m": np.where(dim == 1, self.measure, 0.0).round(2),
            "strict_ha": np.where(dim == 2, self.zone_measure[:, 0] / M2_PER_HA, 0.0).round(4),
            "emission_limited_ha": np.where(dim == 2, self.zone_measure[:, 1] / M2_PER_HA, 0.0).round(4),
            "other_ha": np.where(dim == 2, self.zone_measure[:, 2] / M2_PER_HA, 0.0).round(4),
            "outside_ha": np.where(dim == 2, self.outside_measure / M2_PER_HA, 0.0).round(4),
            "strict_pct": zone_pct[:, 0], "emission_limited_pct": zone_pct[:, 1], "other_pct": zone_pct[:, 2], "outside_pct": outside_pct,
            "zones_touched": zones_text, "units_inside": units_inside, "units_near": units_near, "commune_codes": codes, "commune_names": names,
            "pollution_risk": info["pollution_risk"].fillna("").to_numpy(object), "pollution_risk_status": info["risk_status"].fillna("").to_numpy(object),
            "capacity_class": self.capacity_class,
        })
        for receptor, short in RECEPTOR_COLUMNS.items():
            rows = self.safety_table[self.safety_table["receptor"] == receptor]
            position = pd.Series(np.arange(self.n), index=self.ids)[rows["site_id"]].to_numpy()
            values = lambda column, fill, dtype=object: arrays.scatter(self.n, position, rows[column].to_numpy(), fill, dtype)  # noqa: E731
            table[f"nearest_{short}_m"] = values("nearest_m", np.nan, float)
            table[f"nearest_{short}"] = values("nearest_name", "")
            table[f"safety_distance_{short}_m"] = values("distance_required_m", np.nan, float)
            table[f"safety_status_{short}"] = values("status", "")
            table[f"safety_holds_{short}"] = values("holds", None)
            table[f"{short}_inside_count"] = values("inside_count", 0, int)
            if short == "residential":
                table["residential_inside_ha"] = values("inside_ha", 0.0, float)
        # a result is illustrative when the site is, or when the build uses illustrative layers
        illustrative = f["illustrative"].astype(bool).to_numpy() | bool(self.index.build.manifest.get("illustrative_layers"))
        table["sensitive_elements"] = elements
        table["verdict"] = verdict
        table["borderline"] = self.borderline
        table["no_data_layers"] = self.no_data_layers
        table["missing_values"] = missing_values
        table["conflicts"], table["reviews"], table["findings_count"] = conflicts, reviews, counts
        table["illustrative"] = illustrative
        table["input_note"] = f["input_note"].fillna("").to_numpy(object)
        return gpd.GeoDataFrame(table[SITE_RESULT_COLUMNS], geometry=self.geometry, crs=self.frame.crs)

    def _meta(self, sites: gpd.GeoDataFrame) -> dict:
        build = self.index.build
        manifest = build.manifest
        notices = []
        if manifest.get("illustrative_notice"):
            notices.append(manifest["illustrative_notice"])
        if self.frame["illustrative"].astype(bool).any():
            notices.append("Some sites are illustrative (drawn, not surveyed): not for decisions.")
        return {
            "schema": SCHEMA,
            "software": f"zoning {zoning.__version__}",
            "build_id": build.build_id,
            "build_path": build.name,
            "ruleset": manifest.get("ruleset", ""),
            "check_rules": self.rules.id,
            "crs": {"name": build.crs.name, "epsg": build.crs.to_epsg()},
            "sites_origin": Path(self.sites.origin).name if self.sites.origin and not self.sites.origin.startswith("<") else self.sites.origin,
            "sites_sha256": self.sites.sha256,
            "sites": int(self.n),
            "search_distance_m": self.search,
            "positional_tolerance_m": self.index.tolerances,
            "tolerance_basis": self.rules.settings.positional_tolerance_m.basis,
            "user_distances": {k: (v.distance_m if isinstance(v, UserDistance) else float(v)) for k, v in sorted(self.user.items())},
            "input_layers": sorted(self.index.input_kinds),
            "notes": list(self.sites.notes),
            "illustrative_notice": " ".join(notices),
            "unconfirmed_criteria": manifest.get("unconfirmed_criteria", []),
            "verdicts": {v: int((sites["verdict"] == v).sum()) for v in VERDICT_ORDER},
            "versions": software_versions(),
        }


def _missing_vi(missing: str, facility: str, receptor: str, status: str, citation_vi: str, klass: str) -> str:
    """The Vietnamese form of what a safety distance lacks (see ``SafetyDistance.missing``)."""
    if missing.startswith("capacity"):
        return f"thiếu công suất của công trình {facility} để xác định cấp theo {citation_vi}"
    if status == "unconfirmed":
        return f"thiếu khoảng cách an toàn {facility}:{receptor} ({citation_vi}, chưa xác nhận)"
    return f"{citation_vi} không có giá trị khoảng cách cho {facility}:{receptor} ở cấp công suất {klass}"


