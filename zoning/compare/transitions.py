"""Transitions: the province cut into pieces by (old zone, new zone).

Only the strict and emission-limited land of the two builds is overlaid; the other zone
is whatever lies in neither. With S and E the strict and emission-limited land of the
old (o) and new (n) build::

    S→E = (So − Sn) ∩ En     S→O = (So − Sn) − En     E→O = (Eo − En) − Sn
    E→S = (Sn − So) ∩ Eo     O→S = (Sn − So) − Eo     O→E = (En − Eo) − So

Polygon by polygon: a zone is a set of disjoint polygons; those both builds have exactly
(same vertices) are left out — their land kept its zone, so it lies in no other zone of
either build and changes none of the six — and each remaining polygon is overlaid only
with the polygons that meet it (STRtree pairs, vectorised calls). The strict land lost
(So − Sn) is split into what lies in En and the rest, polygon by polygon; E→O is the
emission-limited land lost minus E→S, and O→E the land gained minus S→E. The giant
other-zone polygon is never overlaid. A polygon too large to overlay whole (a river
network) is cut by a quadtree first, and its unchanged pieces left out like unchanged
polygons; the pieces of each transition that were cut apart are joined again.

Overlays snap-round to a micrometre grid: in floating point GEOS returned, where the
two builds' boundaries nearly coincide, 8,478 m² for an intersection of 0 m²; snap
rounding is robust and moves a vertex by at most half a micrometre.

A piece smaller than ``min_area_ha``, or thinner than ``min_width_m`` everywhere (a
negative buffer of half that width leaves nothing), is **noise**: a sliver of
re-digitising, kept in the layer but not counted as a change.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from zoning.builder.model import Build
from zoning.builder.overlay import DUST_M2, MIN_PIECE_M2, polygonal, thread_map, threaded
from zoning.checker.arrays import joined
from zoning.compare.align import province_land
from zoning.terms import M2_PER_HA, ZONE_ORDER

GRID_M = 1e-6  # overlays snap-round to a micrometre grid (see the module notes)
LARGE_COORDINATES = 10_000  # a polygon this large is cut before overlays, and never tested unprepared
MAX_CUTS = 12  # a large polygon is cut into quarters at most this many times
TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("strict", "emission_limited"), ("strict", "other"), ("emission_limited", "strict"),
    ("emission_limited", "other"), ("other", "strict"), ("other", "emission_limited"),
)
TABLE_COLUMNS = ["old_zone", "new_zone", "area_ha", "pieces", "noise_ha", "noise_pieces"]
# Land in no commune polygon: only in builds made before the communes tiled the province.
OUTSIDE_COMMUNES = "Ngoài ranh giới xã (sai lệch dữ liệu ranh giới) / Outside commune polygons (boundary data gaps)"


def transition_key(old_zone: str, new_zone: str) -> str:
    """``strict_to_other`` and the like: the name of a transition in tables and files."""
    return f"{old_zone}_to_{new_zone}"


@dataclass
class Transitions:
    """The pieces of changed land, the 3 × 3 table, and the land the builds do not share.

    ``pieces`` holds every piece, noise too (``noise`` true); ``table`` one row per
    (old zone, new zone): off the diagonal the real moves, on it the unchanged land
    (``noise_ha`` is the noise set aside); ``land`` the province areas in hectares.
    """

    pieces: gpd.GeoDataFrame
    table: pd.DataFrame
    land: dict[str, float]


def transitions(old: Build, new: Build, min_area_ha: float, min_width_m: float) -> Transitions:
    """Overlay the zones of two aligned builds of one province (see the module notes)."""
    old_land, new_land = province_land(old), province_land(new)
    only_old = shapely.area(shapely.difference(old_land, new_land, grid_size=GRID_M))
    only_new = shapely.area(shapely.difference(new_land, old_land, grid_size=GRID_M))
    differ = max(only_old, only_new) >= MIN_PIECE_M2
    land = shapely.intersection(old_land, new_land, grid_size=GRID_M) if differ else new_land
    zones = {
        (side, zone): _zone_parts(build, zone, land if differ else None)
        for side, build in (("old", old), ("new", new))
        for zone in ("strict", "emission_limited")
    }
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.concatenate(list(zones.values())))
    root = (xmin - 1.0, ymin - 1.0, max(xmax - xmin, ymax - ymin) + 2.0)  # a square holding every polygon of both builds
    strict_old, strict_new = _changed_parts(*_changed_parts(zones["old", "strict"], zones["new", "strict"]), root)
    limited_old, limited_new = _changed_parts(*_changed_parts(zones["old", "emission_limited"], zones["new", "emission_limited"]), root)
    strict_lost, strict_gained, limited_lost, limited_gained = (
        shapely.get_parts(lost)
        for lost in thread_map(
            lambda pair: _minus(*pair), [(strict_old, strict_new), (strict_new, strict_old), (limited_old, limited_new), (limited_new, limited_old)]
        )
    )
    to_limited = _within(strict_lost, limited_new)  # strict land lost to the emission-limited zone ...
    to_strict = _within(strict_gained, limited_old)
    results = (  # in the order of TRANSITIONS; the rest of each lost or gained polygon is other land
        to_limited,
        polygonal(threaded(shapely.difference, strict_lost, to_limited, grid_size=GRID_M)),
        to_strict,
        _minus(limited_lost, shapely.get_parts(to_strict)),
        polygonal(threaded(shapely.difference, strict_gained, to_strict, grid_size=GRID_M)),
        _minus(limited_gained, shapely.get_parts(to_limited)),
    )
    geometries = [shapely.get_parts(shapely.disjoint_subset_union_all(shapely.get_parts(result))) for result in results]  # join what was cut
    geometry = np.concatenate(geometries)
    kind = np.repeat(np.arange(len(TRANSITIONS)), [len(g) for g in geometries])
    area = shapely.area(geometry)
    noise = _noise(geometry, area, min_area_ha, min_width_m)

    order = np.lexsort((-area, kind, noise))  # real changes first, by transition, largest first
    geometry, kind, area, noise = geometry[order], kind[order], area[order], noise[order]
    old_zone = np.array([a for a, _ in TRANSITIONS], dtype=object)[kind]
    new_zone = np.array([b for _, b in TRANSITIONS], dtype=object)[kind]
    frame = gpd.GeoDataFrame(
        {
            "piece_id": [f"T{n:05d}" for n in range(1, len(geometry) + 1)],
            "old_zone": old_zone,
            "new_zone": new_zone,
            "transition": [transition_key(a, b) for a, b in zip(old_zone, new_zone)],
            "area_ha": area / M2_PER_HA,
            "noise": noise,
        },
        geometry=geometry,
        crs=new.crs,
    )
    land_ha = {
        "province_ha": float(shapely.area(land)) / M2_PER_HA,
        "only_old_ha": float(only_old) / M2_PER_HA,
        "only_new_ha": float(only_new) / M2_PER_HA,
    }
    old_zone_ha = {zone: float(shapely.area(zones["old", zone]).sum()) / M2_PER_HA for zone in ("strict", "emission_limited")}
    old_zone_ha["other"] = land_ha["province_ha"] - old_zone_ha["strict"] - old_zone_ha["emission_limited"]
    return Transitions(frame, _table(frame, old_zone_ha), land_ha)


def _zone_parts(build: Build, zone: str, land: shapely.Geometry | None) -> np.ndarray:
    """The polygons of one zone of a build, clipped to the shared land when given."""
    geometry = build.zones.geometry.to_numpy()[(build.zones["zone"] == zone).to_numpy()]
    parts = shapely.get_parts(geometry)
    if land is not None:
        parts = shapely.get_parts(polygonal(threaded(shapely.intersection, parts, land, grid_size=GRID_M)))
    return parts


def _changed_parts(old: np.ndarray, new: np.ndarray, root: tuple[float, float, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The polygons of one zone that the two builds do not both have, vertex for vertex.

    With ``root``, large polygons are first cut (see :func:`_cut_large`), so the pieces of
    a large polygon (a river network) that did not change are left out too.
    """
    if root is not None:
        old, new = _cut_large(old, root), _cut_large(new, root)
    old_keys, new_keys = (pd.Series(shapely.to_wkb(shapely.normalize(parts))) for parts in (old, new))
    both = set(old_keys) & set(new_keys)
    return old[~old_keys.isin(both).to_numpy()], new[~new_keys.isin(both).to_numpy()]


def _cut_large(polygons: np.ndarray, root: tuple[float, float, float]) -> np.ndarray:
    """The polygons, those over LARGE_COORDINATES cut by a quadtree until none is.

    The quadtree's root square ``(x, y, side)`` is the same for both builds, so both
    cut a polygon along the same lines. Each round cuts every large piece into the four
    quarters of its cell, in one vectorised call.
    """
    x0, y0, side = root
    done, todo = [], polygons
    x, y = np.full(len(todo), x0), np.full(len(todo), y0)
    for cuts in range(MAX_CUTS + 1):
        large = shapely.get_num_coordinates(todo) > LARGE_COORDINATES
        done.append(todo[~large])
        todo, x, y = todo[large], x[large], y[large]
        if not len(todo) or cuts == MAX_CUTS:
            break
        side /= 2
        x = np.repeat(x, 4) + np.tile([0.0, side, 0.0, side], len(todo))
        y = np.repeat(y, 4) + np.tile([0.0, 0.0, side, side], len(todo))
        quarters = polygonal(threaded(shapely.intersection, np.repeat(todo, 4), shapely.box(x, y, x + side, y + side)))
        todo, owner = shapely.get_parts(quarters, return_index=True)
        x, y = x[owner], y[owner]
    return np.concatenate([*done, todo])


def pairs(polygons: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (polygon, other) whose geometries meet, sorted by polygon.

    The predicate runs on the prepared query geometry, so a large other is the query
    and the polygons the tree: a small polygon is never tested against a large one
    unprepared (that is as slow as the large one is long).
    """
    if not len(polygons) or not len(others):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    large = np.flatnonzero(shapely.get_num_coordinates(others) > LARGE_COORDINATES)
    small = np.flatnonzero(shapely.get_num_coordinates(others) <= LARGE_COORDINATES)
    mine, theirs = STRtree(others[small]).query(polygons, predicate="intersects")
    found, mine_too = STRtree(polygons).query(others[large], predicate="intersects")
    mine, theirs = np.r_[mine, mine_too], np.r_[small[theirs], large[found]]
    order = np.lexsort((theirs, mine))
    return mine[order], theirs[order]


def _minus(polygons: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Each polygon minus the disjoint ``others`` that meet it (collected, so one overlay each)."""
    out = polygons.copy()
    mine, theirs = pairs(polygons, others)
    if len(mine):
        met, group = np.unique(mine, return_inverse=True)
        parts, owner = shapely.get_parts(others[theirs], return_index=True)
        collected = shapely.multipolygons(parts, indices=group[owner])
        out[met] = threaded(shapely.difference, polygons[met], collected, grid_size=GRID_M)
    return polygonal(out)


def _within(polygons: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The land of each polygon that lies in the disjoint ``others`` (empty where none)."""
    out = np.full(len(polygons), shapely.MultiPolygon(), dtype=object)
    mine, theirs = pairs(polygons, others)
    if len(mine):
        shared = polygonal(threaded(shapely.intersection, polygons[mine], others[theirs], grid_size=GRID_M))
        parts, owner = shapely.get_parts(shared, return_index=True)
        met, group = np.unique(mine[owner], return_inverse=True)
        out[met] = shapely.multipolygons(parts, indices=group)
    return out


def overlap_areas(geometries: np.ndarray, others: np.ndarray, covering: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i, j) where ``geometries[i]`` and ``others[j]`` share land, and its area (m²).

    No overlay where the answer is known: a geometry inside one other properly, or,
    when the ``others`` are ``covering`` (they tile the land of every geometry, as the
    units tile their zone), a geometry meeting a single other. The rest are overlaid
    snap-rounded; or, when covering, in floating point, and snap-rounded again for the
    geometries whose shares do not add up to their area (see the module notes).
    """
    i, j = pairs(geometries, others)
    if covering:
        whole = np.bincount(i, minlength=len(geometries))[i] == 1
    else:
        outer, inner = STRtree(geometries).query(others, predicate="contains_properly")  # each other prepared once
        whole = np.isin(i * len(others) + j, inner * len(others) + outer)
    area = np.zeros(len(i))
    area[whole] = shapely.area(geometries[i[whole]])
    cut = ~whole
    area[cut] = shapely.area(threaded(shapely.intersection, geometries[i[cut]], others[j[cut]], grid_size=None if covering else GRID_M))
    if covering:
        gap = np.abs(np.bincount(i, weights=area, minlength=len(geometries)) - shapely.area(geometries))
        cut &= (gap > MIN_PIECE_M2)[i]
        area[cut] = shapely.area(threaded(shapely.intersection, geometries[i[cut]], others[j[cut]], grid_size=GRID_M))
    shared = area > 0
    return i[shared], j[shared], area[shared]


def _noise(geometry: np.ndarray, area_m2: np.ndarray, min_area_ha: float, min_width_m: float) -> np.ndarray:
    """Pieces under the area threshold, or thinner than the width threshold everywhere."""
    noise = area_m2 < min_area_ha * M2_PER_HA
    if min_width_m > 0 and (~noise).any():
        rest = np.flatnonzero(~noise)
        noise[rest] = shapely.is_empty(threaded(shapely.buffer, geometry[rest], -min_width_m / 2))
    return noise


def _table(pieces: gpd.GeoDataFrame, old_zone_ha: dict[str, float]) -> pd.DataFrame:
    """One row per (old zone, new zone); the diagonal is the land left in its zone."""
    grouped = pieces.groupby(["old_zone", "new_zone", "noise"])["area_ha"].agg(["sum", "count"])
    found = {key: (float(total), int(count)) for key, total, count in zip(grouped.index, grouped["sum"], grouped["count"])}
    rows = []
    for old_zone in ZONE_ORDER:
        for new_zone in ZONE_ORDER:
            if old_zone == new_zone:
                left = old_zone_ha[old_zone] - pieces.loc[pieces["old_zone"] == old_zone, "area_ha"].sum()
                rows.append((old_zone, new_zone, left, 0, 0.0, 0))
            else:
                real, noise = (found.get((old_zone, new_zone, flag), (0.0, 0)) for flag in (False, True))
                rows.append((old_zone, new_zone, *real, *noise))
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def by_commune(pieces: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Area of each real transition in each commune where land moved, and each piece's commune codes.

    The table's last row holds what lies in no commune polygon, when there is any.
    """
    keys = [transition_key(a, b) for a, b in TRANSITIONS]
    piece, commune, area = overlap_areas(pieces.geometry.to_numpy(), communes.geometry.to_numpy())
    codes = communes["code"].astype(str).to_numpy(dtype=object)
    piece_codes = joined(piece[area >= MIN_PIECE_M2], codes[commune[area >= MIN_PIECE_M2]], len(pieces))
    real = ~pieces["noise"].to_numpy(bool)[piece]
    per = pd.DataFrame({"commune": commune[real], "transition": pieces["transition"].to_numpy()[piece[real]], "ha": area[real] / M2_PER_HA})
    per = per.groupby(["commune", "transition"])["ha"].sum().unstack(fill_value=0.0).reindex(columns=keys, fill_value=0.0)
    rows = per.index.to_numpy(int)
    table = pd.DataFrame(
        {
            "commune_code": codes[rows],
            "commune_name": communes["name"].astype(str).to_numpy()[rows],
            **{f"{key}_ha": per[key].to_numpy(float) for key in keys},
        }
    )
    moved = pieces[~pieces["noise"].to_numpy(bool)].groupby("transition")["area_ha"].sum()
    outside = {f"{key}_ha": moved.get(key, 0.0) - table[f"{key}_ha"].sum() for key in keys}
    outside = {key: ha if ha * M2_PER_HA >= DUST_M2 else 0.0 for key, ha in outside.items()}  # not floating-point residue
    if sum(outside.values()) * M2_PER_HA >= MIN_PIECE_M2:
        outside_row = {"commune_code": "", "commune_name": OUTSIDE_COMMUNES, **outside}
        table = pd.concat([table, pd.DataFrame([outside_row])], ignore_index=True)
    table["moved_ha"] = table[[f"{key}_ha" for key in keys]].sum(axis=1)
    return table.sort_values("moved_ha", ascending=False, kind="stable").reset_index(drop=True), piece_codes
