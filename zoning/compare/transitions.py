"""Transitions: the province cut into pieces by (old zone, new zone).

Only the strict and emission-limited land of the two builds is overlaid; the other zone
is whatever lies in neither. Per tile of the province (tiles run in parallel), with S and
E the strict and emission-limited land of the old (o) and new (n) build::

    S→E = (So − Sn) ∩ En     S→O = (So − Sn) − En     E→O = (Eo − En) − Sn
    E→S = (Sn − So) ∩ Eo     O→S = (Sn − So) − Eo     O→E = (En − Eo) − So

so the giant other-zone polygon is never overlaid, and unchanged land costs one
difference that comes out empty. Each transition is joined across tile seams and split
into its connected pieces.

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

from zoning.builder.model import Build
from zoning.builder.overlay import intersection_areas, join_tiles, polygonal, split_by_tiles, thread_map, threaded, tile_grid
from zoning.builder.zones import M2_PER_HA, MIN_PIECE_M2
from zoning.checker.arrays import joined
from zoning.compare.align import province_land
from zoning.settings import settings
from zoning.terms import ZONE_ORDER

TRANSITIONS: tuple[tuple[str, str], ...] = (
    ("strict", "emission_limited"), ("strict", "other"), ("emission_limited", "strict"),
    ("emission_limited", "other"), ("other", "strict"), ("other", "emission_limited"),
)
PIECE_COLUMNS = ["piece_id", "old_zone", "new_zone", "transition", "area_ha", "noise"]
TABLE_COLUMNS = ["old_zone", "new_zone", "area_ha", "pieces", "noise_ha", "noise_pieces"]


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
    only_old = shapely.area(shapely.difference(old_land, new_land))
    only_new = shapely.area(shapely.difference(new_land, old_land))
    differ = max(only_old, only_new) >= MIN_PIECE_M2
    land = shapely.intersection(old_land, new_land) if differ else new_land
    parts = [_zone_parts(build, zone, land if differ else None) for build in (old, new) for zone in ("strict", "emission_limited")]
    tiles = tile_grid(tuple(shapely.total_bounds(np.array([old_land, new_land]))), settings.tile_m)
    per_tile = np.array(thread_map(_tile_transitions, zip(*(split_by_tiles(p, tiles) for p in parts))), dtype=object)
    per_tile = per_tile.reshape(len(tiles), len(TRANSITIONS))

    geometries, kinds = [], []
    for k in range(len(TRANSITIONS)):
        pieces = shapely.get_parts(join_tiles(per_tile[:, k], tiles))
        geometries.append(pieces)
        kinds.append(np.full(len(pieces), k))
    geometry = np.concatenate(geometries) if geometries else np.array([], dtype=object)
    kind = np.concatenate(kinds).astype(int)
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
    old_zone_ha = {"strict": shapely.area(parts[0]).sum() / M2_PER_HA, "emission_limited": shapely.area(parts[1]).sum() / M2_PER_HA}
    old_zone_ha["other"] = land_ha["province_ha"] - old_zone_ha["strict"] - old_zone_ha["emission_limited"]
    return Transitions(frame, _table(frame, old_zone_ha), land_ha)


def _zone_parts(build: Build, zone: str, land: shapely.Geometry | None) -> np.ndarray:
    """The polygons of one zone of a build, clipped to the shared land when given."""
    geometry = build.zones.geometry.to_numpy()[(build.zones["zone"] == zone).to_numpy()]
    parts = shapely.get_parts(geometry)
    if land is not None:
        parts = shapely.get_parts(polygonal(threaded(shapely.intersection, parts, land)))
    return parts


def _collected(pieces: np.ndarray) -> shapely.Geometry:
    """The pieces of one zone in one tile as one MultiPolygon (they are disjoint)."""
    return shapely.multipolygons(shapely.get_parts(pieces))


def _tile_transitions(tile: tuple[tuple[np.ndarray, np.ndarray], ...]) -> np.ndarray:
    """The six transitions in one tile, in the order of TRANSITIONS."""
    strict_old, limited_old, strict_new, limited_new = (_collected(pieces) for _, pieces in tile)
    lost_or_gained = shapely.difference(
        np.array([strict_old, strict_new, limited_old, limited_new]),
        np.array([strict_new, strict_old, limited_new, limited_old]),
    )
    if shapely.is_empty(lost_or_gained).all():
        return np.array([shapely.MultiPolygon()] * len(TRANSITIONS), dtype=object)
    strict_lost, strict_gained, limited_lost, limited_gained = lost_or_gained
    to_limited, to_strict = shapely.intersection(np.array([strict_lost, strict_gained]), np.array([limited_new, limited_old]))
    strict_to_other, limited_to_other, other_to_strict, other_to_limited = shapely.difference(
        np.array([strict_lost, limited_lost, strict_gained, limited_gained]),
        np.array([limited_new, strict_new, limited_old, strict_old]),
    )
    return polygonal(np.array([to_limited, strict_to_other, to_strict, limited_to_other, other_to_strict, other_to_limited]))


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
    piece, commune, area = intersection_areas(pieces.geometry.to_numpy(), communes.geometry.to_numpy())
    codes = communes["code"].astype(str).to_numpy(dtype=object)
    piece_codes = joined(piece[area >= MIN_PIECE_M2], codes[commune[area >= MIN_PIECE_M2]], len(pieces))
    real = ~pieces["noise"].to_numpy(bool)[piece]
    per = pd.DataFrame({"commune": commune[real], "transition": pieces["transition"].to_numpy()[piece[real]], "ha": area[real] / M2_PER_HA})
    per = per.groupby(["commune", "transition"])["ha"].sum().unstack(fill_value=0.0).reindex(columns=keys, fill_value=0.0)
    rows = per.index.to_numpy(int)
    table = pd.DataFrame({
        "commune_code": codes[rows],
        "commune_name": communes["name"].astype(str).to_numpy()[rows],
        **{f"{key}_ha": per[key].to_numpy(float) for key in keys},
    })
    moved = pieces[~pieces["noise"].to_numpy(bool)].groupby("transition")["area_ha"].sum()
    outside = {f"{key}_ha": moved.get(key, 0.0) - table[f"{key}_ha"].sum() for key in keys}
    if sum(outside.values()) * M2_PER_HA >= MIN_PIECE_M2:
        outside_row = {"commune_code": "", "commune_name": "Ngoài ranh giới xã / Outside commune polygons", **outside}
        table = pd.concat([table, pd.DataFrame([outside_row])], ignore_index=True)
    table["moved_ha"] = table[[f"{key}_ha" for key in keys]].sum(axis=1)
    return table.sort_values("moved_ha", ascending=False, kind="stable").reset_index(drop=True), piece_codes
