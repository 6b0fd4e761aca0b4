"""Consistency across province borders.

- **Coverage**: the national zones cover the national land (the union of the provinces'
  communes) with no gap, and no two provinces' zones overlap, against a tolerance. A
  province's extent is the union of its communes as its build reconciled them to its
  province polygon (a few hundred polygons, where the union of its zones has millions of
  vertices); its zones cover it when their area equals its communes' (both the build's TM-3
  areas; the build's QA has proved the zones disjoint): the shortfall is a gap. Overlaps
  between provinces are measured between extents, geodesic on the VN-2000 ellipsoid.
- **Features at borders**: a feature whose land is zoned in two provinces must get the same
  zones on both sides; a feature zoned on one side up to the border must be zoned, or found
  to end there, on the other. Each difference is listed with its cause.
- **Features across borders**: their area on each side and in total (counted once).
- **Rules**: the rule sets each province was built with; different versions of the same
  rule file are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Geod

from zoning.national.mosaic import province_extents
from zoning.national.runner import HALO_REASON
from zoning.terms import M2_PER_HA

DEFAULT_TOLERANCE_M2 = 1.0
TOUCH_DEG = 1e-6  # about 0.1 m: a unit within this of a neighbour touches the border
TOUCH_MIN_M = 1.0  # shorter contacts (a corner) are not a shared border
GEOD = Geod(ellps="WGS84")  # the VN-2000 ellipsoid


def geodesic_m2(geometries) -> np.ndarray:
    """Area of each geometry (longitude/latitude) on the ellipsoid, in m²."""
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) if g is not None and not g.is_empty else 0.0 for g in geometries])


@dataclass
class Consistency:
    """Every finding of the checks, as tables."""

    tolerance_m2: float
    land_m2: float = 0.0
    gap_m2: float = 0.0
    overlap_m2: float = 0.0
    pairs: pd.DataFrame = field(default_factory=pd.DataFrame)
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    crossing: pd.DataFrame = field(default_factory=pd.DataFrame)
    rules: pd.DataFrame = field(default_factory=pd.DataFrame)
    rule_versions_differ: bool = False

    @property
    def clean(self) -> bool:
        """No gap and no overlap above the tolerance."""
        return self.gap_m2 <= self.tolerance_m2 and self.overlap_m2 <= self.tolerance_m2

    def as_dict(self) -> dict:
        """The figures (for the manifest)."""
        return {"tolerance_m2": self.tolerance_m2, "land_m2": self.land_m2, "gap_m2": self.gap_m2, "overlap_m2": self.overlap_m2,
                "clean_coverage": self.clean, "differences": len(self.differences), "crossing_features": int(self.crossing["source_id"].nunique())
                if len(self.crossing) else 0, "rule_versions_differ": self.rule_versions_differ}


def check(national: dict[str, pd.DataFrame], builds: dict[str, Path], summaries: dict[str, dict],
          tolerance_m2: float = DEFAULT_TOLERANCE_M2, extents: dict[str, shapely.Geometry] | None = None) -> Consistency:
    """Run every check on the national layers (EPSG:4756) of the provinces built (``slug → build path``);
    ``extents``: :func:`zoning.national.mosaic.province_extents`, when already computed.
    """
    result = Consistency(tolerance_m2)
    zones = national.get("zones")
    if zones is None or zones.empty:
        return result
    communes = national["communes"]
    lands = extents if extents is not None else province_extents(national)
    extents = {slug: lands[slug] for slug in sorted(zones["province"].unique())}
    _coverage(result, zones, communes, extents)
    units = national["units"]
    lineage = national["lineage"]
    result.crossing = _crossing(units)
    result.differences = _differences(units, lineage, extents, builds, summaries)
    result.rules, result.rule_versions_differ = _rules(summaries)
    return result


def _coverage(result: Consistency, zones, communes, extents: dict[str, shapely.Geometry]) -> None:
    """Gap: the land of each province its zones leave uncovered; overlap: land two provinces' extents both hold (by pair)."""
    result.land_m2 = float(geodesic_m2([shapely.union_all(list(extents.values()))])[0])
    shortfall_ha = communes.groupby("province")["area_ha"].sum().sub(zones.groupby("province")["area_ha"].sum(), fill_value=0.0)
    result.gap_m2 = float(shortfall_ha.clip(lower=0.0).sum() * M2_PER_HA)
    slugs = list(extents)
    tree = shapely.STRtree([extents[s] for s in slugs])
    left, right = tree.query([extents[s] for s in slugs], predicate="intersects")
    rows = []
    grown: dict[int, shapely.Geometry] = {}  # each province buffered once
    for i, j in zip(left, right):
        if i >= j:
            continue
        a, b = extents[slugs[i]], extents[slugs[j]]
        overlap = float(geodesic_m2([shapely.intersection(a, b)])[0])
        for k in (i, j):
            if k not in grown:
                grown[k] = shapely.buffer(extents[slugs[k]], TOUCH_DEG)
        border = shapely.intersection(grown[i], grown[j])
        border_km = float(geodesic_m2([border])[0]) / _touch_m() / 2 / 1000
        rows.append({"province_a": slugs[i], "province_b": slugs[j], "border_km": round(border_km, 3), "overlap_m2": overlap,
                     "within_tolerance": overlap <= result.tolerance_m2})
    result.pairs = pd.DataFrame(rows, columns=["province_a", "province_b", "border_km", "overlap_m2", "within_tolerance"])
    result.overlap_m2 = float(result.pairs["overlap_m2"].sum()) if len(result.pairs) else 0.0


def _touch_m() -> float:
    """TOUCH_DEG in metres (along a meridian: the band buffered on both sides is 2 × this wide per metre of border)."""
    return TOUCH_DEG * 110_574


def _crossing(units) -> pd.DataFrame:
    """Features whose units lie in more than one province: the area on each side (from each province's own build) and in total."""
    keyed = units.assign(key=units["source_layer"].astype(str) + "|" + units["source_id"].astype(str))
    spread = keyed.groupby("key")["province"].nunique()
    across = keyed[keyed["key"].isin(spread[spread > 1].index)]
    if across.empty:
        return pd.DataFrame(columns=["source_layer", "source_id", "name", "province", "zone", "area_ha", "total_ha"])
    sides = across.groupby(["source_layer", "source_id", "province", "zone"], sort=True).agg(name=("name", "first"), area_ha=("area_ha", "sum")).reset_index()
    totals = sides.groupby(["source_layer", "source_id"])["area_ha"].transform("sum")
    return sides.assign(total_ha=totals)[["source_layer", "source_id", "name", "province", "zone", "area_ha", "total_ha"]]


def _differences(units, lineage, extents, builds: dict[str, Path], summaries: dict[str, dict]) -> pd.DataFrame:
    """Features zoned differently on the two sides of a border, or zoned up to it on one side only, with the cause."""
    columns = ["source_layer", "source_id", "province_a", "zones_a", "province_b", "zones_b", "cause_vi", "cause_en"]
    zoned = lineage.groupby(["source_layer", "source_id", "province"])["zone"].agg(lambda z: ",".join(sorted(set(z)))).to_dict()
    criteria = lineage.groupby(["source_layer", "source_id", "province"])["criterion"].agg(lambda c: sorted(set(c))).to_dict()
    seen: set[tuple] = set()
    cache: dict[tuple[str, str], pd.DataFrame] = {}
    rows: list[dict] = []
    if not len(units):
        return pd.DataFrame(columns=columns)
    slugs = np.array(list(extents))
    geometries = units.geometry.to_numpy()
    # each province's land, prepared once, against the units in reach: those of another province are near its border
    province_index, unit_index = shapely.STRtree(geometries).query([extents[s] for s in slugs], predicate="dwithin", distance=TOUCH_DEG)
    other = units["province"].to_numpy()[unit_index] != slugs[province_index]
    order = np.lexsort((province_index[other], unit_index[other]))
    for u, p in zip(unit_index[other][order], province_index[other][order]):
        a, b = units["province"].iat[u], slugs[p]
        layer, source = units["source_layer"].iat[u], str(units["source_id"].iat[u])
        key = (layer, source, tuple(sorted((a, b))))
        if key in seen:
            continue
        near = shapely.buffer(geometries[u], TOUCH_DEG)
        local = shapely.clip_by_rect(extents[b], *shapely.bounds(near))  # the neighbour's land near the unit only: fast
        touch_m = float(geodesic_m2([shapely.intersection(near, local)])[0]) / _touch_m()
        if touch_m < TOUCH_MIN_M:
            continue
        seen.add(key)
        zones_a, zones_b = zoned.get((layer, source, a), ""), zoned.get((layer, source, b), "")
        if zones_a == zones_b:
            continue
        cause = _cause(layer, source, a, b, zones_b, criteria, _Tables(builds, cache), summaries)
        if cause is not None:
            rows.append({"source_layer": layer, "source_id": source, "province_a": a, "zones_a": zones_a, "province_b": b, "zones_b": zones_b,
                         "cause_vi": cause[0], "cause_en": cause[1]})
    return pd.DataFrame(rows, columns=columns)


@dataclass
class _Tables:
    """The tables of the province builds, each read once."""

    builds: dict[str, Path]
    cache: dict[tuple[str, str], pd.DataFrame]

    def get(self, slug: str, layer: str, columns: list[str] | None = None) -> pd.DataFrame:
        if (slug, layer) not in self.cache:
            path = self.builds[slug]
            names = {n for n, _ in pyogrio.list_layers(path)}
            self.cache[slug, layer] = (pyogrio.read_dataframe(path, layer=layer, read_geometry=False, columns=columns) if layer in names
                                       else pd.DataFrame(columns=columns or []))
        return self.cache[slug, layer]


def _cause(layer: str, source: str, a: str, b: str, zones_b: str, criteria: dict, tables: _Tables,
           summaries: dict[str, dict]) -> tuple[str, str] | None:
    """Why a feature zoned in ``a`` at the border is zoned otherwise (or not) in ``b``; None when it simply ends at the border."""
    rules_a, rules_b = summaries[a]["ruleset"], summaries[b]["ruleset"]
    if zones_b:
        only = sorted(set(criteria.get((layer, source, a), [])) ^ set(criteria.get((layer, source, b), [])))
        if rules_a != rules_b:
            return (f"bộ quy tắc khác nhau ({rules_a} / {rules_b}); tiêu chí chỉ áp dụng một bên: {', '.join(only)}",
                    f"different rule sets ({rules_a} / {rules_b}); criteria applied on one side only: {', '.join(only)}")
        return (f"cùng bộ quy tắc, tiêu chí khác nhau ({', '.join(only)}): thuộc tính của đối tượng khác nhau giữa hai tỉnh",
                f"same rules, different criteria ({', '.join(only)}): the feature's attributes differ between the provinces")
    skipped = tables.get(b, "skipped")
    mine = skipped[(skipped["source_layer"] == layer) & (skipped["source_id"].astype(str) == source)] if len(skipped) else skipped
    if len(mine) and mine["reason"].astype(str).str.startswith(HALO_REASON[0].split("{")[0]).any():
        return None  # it ends at the border: nothing of it in b
    if len(mine):
        reason = mine.iloc[0]
        return (f"{b} bỏ qua đối tượng: {reason['reason_vi']}", f"{b} skipped the feature: {reason['reason']}")
    given = set(tables.get(b, f"input_{layer}", ["source_id"])["source_id"].astype(str))
    if source not in given:
        return (f"không có trong dữ liệu đầu vào của {b} (ngoài vùng đệm, hoặc không được cung cấp)",
                f"not among {b}'s inputs (outside its halo, or not given)")
    return (f"quy tắc của {b} ({rules_b}) không chọn đối tượng này", f"{b}'s rules ({rules_b}) select this feature under no criterion")


def _rules(summaries: dict[str, dict]) -> tuple[pd.DataFrame, bool]:
    """The rule files of each province; whether one rule file (by id) was used in more than one version."""
    rows = [{"province": slug, "ruleset": s["ruleset"], "rule_file": f["id"], "version": f["version"], "sha256": f["sha256"]}
            for slug, s in sorted(summaries.items()) for f in s["rule_files"]]
    table = pd.DataFrame(rows, columns=["province", "ruleset", "rule_file", "version", "sha256"])
    if table.empty:
        return table, False
    versions = table.groupby("rule_file")["sha256"].nunique()
    table["differs"] = table["rule_file"].map(versions > 1)
    return table, bool((versions > 1).any())
