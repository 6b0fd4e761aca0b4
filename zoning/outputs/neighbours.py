"""What lies around a province on its location sketch: the neighbouring provinces of the
reference boundaries (:mod:`zoning.inputs.reference`) and the part of its boundary that
is the national border or the coast.

Neighbours are found by geometry, not by name: a reference province that lies within
:data:`NEAR_M` of the province and shares little of its land. The outer boundary is
known only for a province the reference holds with all its neighbours
(``neighbours_complete``, matched by overlap): there it is the province boundary farther
than :data:`NEAR_M` from every neighbour, labelled with what the province table says lies
beyond (countries, sea). Elsewhere the boundary is drawn as a plain province boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pyproj
import shapely

from zoning.inputs.reference import surrounding_provinces

NEAR_M = 1_500.0  # shipped borders are simplified by 300 m and drawn from other surveys than the build's
SAME_PROVINCE = 0.8  # intersection over union above which a shipped province is the province itself
OWN_LAND_SHARE = 0.05  # a neighbour shares at most this share of the province's land (simplification slivers)


@dataclass
class Surroundings:
    """The provinces around a province and its national border, in the build's CRS.

    ``neighbours`` has ``name``, ``full_name`` and the geometry of each neighbouring
    province; ``national_border`` the lines of the province boundary shared with no other
    province: the national border or the coast (empty when unknown); ``across_border`` the
    countries beyond it (Vietnamese, "" when none or unknown); ``coast`` whether the sea
    lies beyond it too.
    """

    neighbours: gpd.GeoDataFrame
    national_border: shapely.Geometry
    across_border: str
    coast: bool = False

    @property
    def border_label(self) -> str:
        """The legend's name of :attr:`national_border`."""
        if self.across_border and self.coast:
            return "Biên giới quốc gia, bờ biển"
        return "Bờ biển" if self.coast else "Biên giới quốc gia"


def surroundings(province: shapely.Geometry, crs: pyproj.CRS) -> Surroundings:
    """The shipped provinces around ``province`` and the national border along it.

    Parameters
    ----------
    province
        The province's land, in ``crs`` (metres).
    crs
        The build's CRS.
    """
    shipped = surrounding_provinces().to_crs(crs)
    geometries = shipped.geometry.to_numpy()
    shared = shapely.area(shapely.intersection(geometries, province))
    same = shared / shapely.area(shapely.union(geometries, province)) > SAME_PROVINCE
    near = (shared <= OWN_LAND_SHARE * province.area) & (shapely.distance(geometries, province) <= NEAR_M)
    neighbours = shipped.loc[near, ["name", "full_name", "geometry"]].reset_index(drop=True)
    itself = shipped[same]
    if len(itself) != 1 or not bool(itself["neighbours_complete"].iloc[0]):
        return Surroundings(neighbours, shapely.MultiLineString(), "")
    reach = shapely.buffer(shapely.union_all(neighbours.geometry.to_numpy()), NEAR_M)
    border = shapely.difference(shapely.union_all(shapely.get_exterior_ring(shapely.get_parts(province))), reach)
    lines = shapely.get_parts(shapely.line_merge(border))
    lines = lines[shapely.length(lines) > 2 * NEAR_M]  # not the stubs at a junction with a neighbour
    national = shapely.MultiLineString(list(lines)) if len(lines) else shapely.MultiLineString()
    if not len(lines):
        return Surroundings(neighbours, national, "")
    return Surroundings(neighbours, national, str(itself["across_border_vi"].iloc[0]), bool(itself["coast"].iloc[0]))

