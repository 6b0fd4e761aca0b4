"""Where the sites are: the units they lie in or near, the zones and communes they
overlap, and what lies outside the province of the build.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely import STRtree

from zoning import terms
from zoning.checker import arrays
from zoning.checker.index import UNIT_TEXT, BuildIndex
from zoning.checker.sitearrays import SiteArrays
from zoning.terms import ZONE_ORDER

ON_BORDER_M = 1e-4  # 0.1 mm: a site this close to the province's land touches it


@dataclass(frozen=True)
class Units:
    """Site–unit pairs within the search distance, per site nearest first.

    ``pairs`` holds indices (``site``, ``unit``) and ``distance``, ``overlap``, ``core``,
    ``inside``, ``proposed`` (a unit of a proposed designation) and ``decides`` (the pair
    may decide findings: a unit in force, or any unit with ``include_proposed``);
    ``table`` is the ``units`` table of the result, row for row.
    """

    pairs: pd.DataFrame
    table: pd.DataFrame
    include_proposed: bool = False


@dataclass(frozen=True)
class Zones:
    """Per site and zone (in :data:`ZONE_ORDER`): overlap measure, whether touched, whether robustly inside."""

    measure: np.ndarray
    touches: np.ndarray
    robust: np.ndarray
    table: pd.DataFrame

    @property
    def inside_measure(self) -> np.ndarray:
        """Each site's measure (area, length or count) inside the province."""
        return self.measure.sum(axis=1)

    @property
    def touches_province(self) -> np.ndarray:
        """Whether each site meets the province at all."""
        return np.asarray(self.touches.any(axis=1))


@dataclass(frozen=True)
class Communes:
    """The ``communes`` table of the result and the site index of each of its rows."""

    table: pd.DataFrame
    site: np.ndarray


@dataclass(frozen=True)
class Outside:
    """The measure of each site outside the province, and the sites wholly outside it."""

    measure: np.ndarray
    wholly: np.ndarray


def units_near(sites: SiteArrays, index: BuildIndex, search: float, include_proposed: bool = False) -> Units:
    """Units within ``search`` metres of each site: distance, overlap, borderline."""
    pieces, site, distance = arrays.within(index.unit_pieces, sites.tree, sites.geometry, search)
    overlap = arrays.overlap(sites.geometry[site], index.unit_pieces[pieces], sites.dim[site], sites.measure[site], distance == 0)
    # one row per (site, unit): least distance over the unit's pieces, overlaps added up
    units_n = len(index.units)
    key = site.astype(np.int64) * units_n + index.unit_owner[pieces]
    order = np.lexsort((distance, key))
    key, distance, overlap = key[order], distance[order], overlap[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, int)
    key, distance = key[starts], distance[starts]
    overlap = np.add.reduceat(overlap, starts) if len(starts) else overlap
    site, unit = key // units_n, key % units_n
    core_pieces, core_sites = sites.tree.query(index.unit_core_pieces, predicate="intersects")
    core = np.isin(key, core_sites.astype(np.int64) * units_n + index.unit_core_owner[core_pieces])
    order = np.lexsort((unit, np.round(distance, 2), site))  # per site: nearest first
    proposed = index.unit_text["status"][unit] == "proposed"
    pairs = pd.DataFrame({"site": site, "unit": unit, "distance": distance, "overlap": overlap, "core": core, "inside": distance <= 0,
                          "proposed": proposed, "decides": include_proposed | ~proposed}).iloc[order]
    return Units(pairs.reset_index(drop=True), _unit_table(sites, index, pairs), include_proposed)


def _unit_table(sites: SiteArrays, index: BuildIndex, pairs: pd.DataFrame) -> pd.DataFrame:
    site, unit = pairs["site"].to_numpy(), pairs["unit"].to_numpy()
    distance, overlap, inside = pairs["distance"].to_numpy(), pairs["overlap"].to_numpy(), pairs["inside"].to_numpy()
    tolerance = index.unit_tolerance[unit]
    return pd.DataFrame({
        "site_id": sites.ids[site],
        **{c: index.unit_text[c][unit] for c in UNIT_TEXT},
        "distance_m": np.round(distance, 2),
        "inside": inside,
        "overlap_ha": sites.hectares(overlap, site),
        "overlap_m": sites.metres(overlap, site),
        "share_pct": arrays.share(overlap, sites.measure[site], sites.dim[site], inside),
        "borderline": (inside & ~pairs["core"].to_numpy()) | (~inside & (distance <= tolerance)),
        "tolerance_m": tolerance,
        "illustrative": index.unit_illustrative[unit],
    })


def zones(sites: SiteArrays, index: BuildIndex, units: Units) -> Zones:
    """Overlap and share per zone (strict and emission-limited from the units, other from its pieces)."""
    pieces, hit = sites.tree.query(index.other_pieces, predicate="intersects")
    overlap = arrays.overlap(sites.geometry[hit], index.other_pieces[pieces], sites.dim[hit], sites.measure[hit], np.ones(len(hit), bool))
    other = pd.DataFrame({"site": hit, "overlap": overlap}).groupby("site")["overlap"].sum()
    _, core_sites = sites.tree.query(index.other_core_pieces, predicate="intersects")
    pairs = units.pairs[units.pairs["inside"] & ~units.pairs["proposed"]]  # the zones in force; proposed land lies in the other zone
    zone_of = index.units["zone"].to_numpy()[pairs["unit"].to_numpy()]
    measure = np.zeros((sites.n, 3))
    touches = np.zeros((sites.n, 3), bool)
    robust = np.zeros((sites.n, 3), bool)
    for z, zone in enumerate(ZONE_ORDER[:2]):
        rows = pairs[zone_of == zone]
        np.add.at(measure[:, z], rows["site"].to_numpy(), rows["overlap"].to_numpy())
        touches[rows["site"].to_numpy(), z] = True
        robust[rows.loc[rows["core"], "site"].to_numpy(), z] = True
    measure[other.index.to_numpy(), 2] = other.to_numpy()
    touches[hit, 2] = True
    robust[core_sites, 2] = True
    _on_border(sites, index, units, touches)
    return Zones(measure, touches, robust, _zone_table(sites, measure, touches, robust))


def _on_border(sites: SiteArrays, index: BuildIndex, units: Units, touches: np.ndarray) -> None:
    """Sites touching no zone but within ``ON_BORDER_M`` of one touch it (not robustly: on its edge).

    A point on a border drawn by two provinces lies in one build's zones and, by rounding,
    1e-10 m outside the other's: it is on the border of both, not outside one of them.
    """
    apart = np.asarray(~touches.any(axis=1))
    if not apart.any():
        return
    pairs = units.pairs
    near = pairs[apart[pairs["site"].to_numpy()] & (pairs["distance"] <= ON_BORDER_M) & ~pairs["proposed"]]
    zone_of = index.units["zone"].to_numpy()[near["unit"].to_numpy()]
    for z, zone in enumerate(ZONE_ORDER[:2]):
        touches[near["site"].to_numpy()[zone_of == zone], z] = True
    rows = np.flatnonzero(apart)
    near_other, _ = index.once("other_tree", lambda: STRtree(index.other_pieces)).query(sites.geometry[rows], predicate="dwithin", distance=ON_BORDER_M)
    touches[rows[near_other], 2] = True


def _zone_table(sites: SiteArrays, measure: np.ndarray, touches: np.ndarray, robust: np.ndarray) -> pd.DataFrame:
    site, zone = np.nonzero(touches)  # per site, zones in ZONE_ORDER
    overlap = measure[site, zone]
    names = {lang: np.array([terms.zone_name(z, lang) for z in ZONE_ORDER], dtype=object)[zone] for lang in ("vi", "en")}
    return pd.DataFrame({
        "site_id": sites.ids[site], "zone": np.array(ZONE_ORDER, dtype=object)[zone], "name_vi": names["vi"], "name_en": names["en"],
        "overlap_ha": sites.hectares(overlap, site), "overlap_m": sites.metres(overlap, site),
        "share_pct": _share(sites, site, overlap, touches.sum(axis=1)), "borderline": ~robust[site, zone],
    })


def _share(sites: SiteArrays, site: np.ndarray, overlap: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Share (%) of each site's part; NaN for a point on a boundary (in ``count`` > 1 areas)."""
    dim = sites.dim[site]
    share = arrays.share(overlap, sites.measure[site], dim, np.ones(len(site), bool))
    return np.where((dim == 0) & (count[site] > 1), np.nan, share)


def communes(sites: SiteArrays, index: BuildIndex) -> Communes:
    """The 2025 communes each site overlaps, with overlap and share."""
    pieces, hit = sites.tree.query(index.commune_pieces, predicate="intersects")
    overlap = arrays.overlap(sites.geometry[hit], index.commune_pieces[pieces], sites.dim[hit], sites.measure[hit], np.ones(len(hit), bool))
    pairs = pd.DataFrame({"site": hit, "commune": index.commune_owner[pieces], "overlap": overlap})
    pairs = pairs.groupby(["site", "commune"], sort=True)["overlap"].sum().reset_index()
    table = index.build.communes
    site, commune, overlap = pairs["site"].to_numpy(), pairs["commune"].to_numpy(), pairs["overlap"].to_numpy()
    frame = pd.DataFrame({
        "site_id": sites.ids[site],
        "commune_code": table["code"].astype(str).to_numpy()[commune],
        "commune_name": table["name"].astype(str).to_numpy()[commune],
        "overlap_ha": sites.hectares(overlap, site),
        "overlap_m": sites.metres(overlap, site),
        "share_pct": _share(sites, site, overlap, np.bincount(site, minlength=sites.n)),
    })
    order = np.lexsort((frame["commune_code"].to_numpy(), site))
    return Communes(frame.iloc[order].reset_index(drop=True), site[order])


def outside(sites: SiteArrays, index: BuildIndex, zones: Zones, every_site_outside: bool = False) -> Outside:
    """The part of each site outside the province of the build (a site wholly outside gets
    the verdict "outside the province", with where it lies; ``every_site_outside`` is kept
    for callers and changes nothing).
    """
    touches = zones.touches_province
    measure = np.clip(sites.measure - zones.inside_measure, 0.0, None)
    measure[np.abs(measure) <= 1e-9 * np.maximum(sites.measure, 1.0)] = 0.0
    return Outside(np.where(touches, measure, sites.measure), ~touches)
