"""The three zones, dissolved from the criterion polygons tile by tile and joined."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from zoning import terms
from zoning.builder.overlay import join_tiles, split_by_tiles, thread_map, tile_grid
from zoning.settings import settings
from zoning.terms import M2_PER_HA, ZONE_ORDER


def dissolve_zones(polygons: np.ndarray, zone: np.ndarray, province: shapely.Geometry, crs: CRS) -> tuple[gpd.GeoDataFrame, float]:
    """The three zones from the criterion polygons and their zone, and the area of
    strict ∪ emission-limited dissolved on its own (m²).

    Each tile dissolves only the pieces of polygons that reach into it, so no union
    grows beyond a tile; tiles run in parallel and their pieces are joined at the end.
    """
    tiles = tile_grid(province.bounds, settings.tile_m)
    land = shapely.intersection(tiles, province)
    is_strict = zone == "strict"

    def dissolve(tile: tuple[tuple[np.ndarray, np.ndarray], shapely.Geometry]) -> tuple:
        (index, pieces), tile_land = tile
        strict = shapely.disjoint_subset_union_all(pieces[is_strict[index]])
        limited = shapely.disjoint_subset_union_all(pieces[~is_strict[index]])
        protected = shapely.union(strict, limited)
        return strict, shapely.difference(limited, strict), shapely.difference(tile_land, protected), protected.area

    per_tile = thread_map(dissolve, zip(split_by_tiles(polygons, tiles), land))
    strict, limited, other, protected_m2 = (np.array(column) for column in zip(*per_tile))
    geometries = thread_map(lambda pieces: join_tiles(pieces, tiles), [strict, limited, other])
    zones = gpd.GeoDataFrame(
        {
            "zone": list(ZONE_ORDER),
            "name_vi": [terms.zone_name(z) for z in ZONE_ORDER],
            "name_en": [terms.zone_name(z, "en") for z in ZONE_ORDER],
            "area_ha": [g.area / M2_PER_HA for g in geometries],
        },
        geometry=geometries,
        crs=crs,
    )
    return zones, float(protected_m2.sum())
