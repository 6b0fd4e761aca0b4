"""The 2025 communes made to tile the province, and the area of each zone per commune.

The province polygon and the communes of the same source rarely agree to the metre: the
communes overlap a little, overshoot the border or leave slivers of the province outside
every commune (about 4,700 ha along the border of the first province built). A decision cannot have land in
no commune, so the build reconciles the two:

- overlaps between communes go to the commune of the lower code;
- land beyond the province is cut off;
- each sliver of the province outside every commune goes to the commune sharing the
  longest edge with it (ties to the lower code); a sliver touching no commune goes to the
  nearest one, and the QA says how many did.

With ``province_extent="communes"`` the province is instead taken as the union of the
communes, and there is nothing to reconcile but overlaps (see :mod:`zoning.builder.engine`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from zoning import terms
from zoning.builder.overlay import MIN_PIECE_M2, carve, clip, intersection_areas, polygonal, threaded
from zoning.builder.units import in_force
from zoning.errors import BuildError
from zoning.terms import M2_PER_HA, ZONE_ORDER

PROVINCE_EXTENTS = ("province", "communes")  # what bounds the province: its own polygon, or the union of its communes
OUTSIDE_TOLERANCE_HA = 0.01  # land left outside every commune after reconciliation: floating-point noise below this


def province_communes(communes: gpd.GeoDataFrame, province: shapely.Geometry) -> tuple[gpd.GeoDataFrame, dict]:
    """The communes tiling the province exactly, and what reconciling them moved.

    Parameters
    ----------
    communes
        The commune layer, in the province CRS, with ``code``.
    province
        The province polygon the zones cover.

    Returns
    -------
    communes
        Clipped, disjoint, with every sliver attached; ``area_ha`` per commune.
    reconciliation
        ``overlap_ha`` (commune overlaps resolved by code), ``slivers``, ``moved_ha``
        (their area), ``nearest_slivers`` / ``nearest_ha`` (those touching no commune)
        and ``moved_ha_by_commune`` (code → ha, largest first).
    """
    ordered = communes.sort_values("code", kind="stable")
    carved, (_, _, overlap_m2) = carve(polygonal(clip(ordered.geometry.to_numpy(), province)))
    geometries = polygonal(carved)
    slivers = shapely.get_parts(polygonal(np.array([shapely.difference(province, shapely.union_all(geometries))]))[0])
    owner, nearest = sliver_owners(slivers, geometries)
    if len(slivers):
        receivers, group = np.unique(owner, return_inverse=True)
        order = np.argsort(group, kind="stable")
        joined = shapely.multipolygons(slivers[order], indices=group[order])
        geometries[receivers] = polygonal(threaded(shapely.union, geometries[receivers], joined))
    out = gpd.GeoDataFrame(ordered.drop(columns="geometry").copy(), geometry=geometries, crs=communes.crs)
    out["area_ha"] = out.geometry.area / M2_PER_HA
    sliver_ha = shapely.area(slivers) / M2_PER_HA
    moved = pd.Series(np.bincount(owner, weights=sliver_ha, minlength=len(out)), index=out["code"].astype(str).to_numpy())
    moved = moved[moved > 0].sort_values(ascending=False, kind="stable")
    reconciliation = {
        "overlap_ha": float(overlap_m2.sum() / M2_PER_HA),
        "slivers": int(len(slivers)),
        "moved_ha": float(sliver_ha.sum()),
        "nearest_slivers": int(nearest.sum()),
        "nearest_ha": float(sliver_ha[nearest].sum()),
        "moved_ha_by_commune": {code: float(ha) for code, ha in moved.items()},
    }
    return out.reset_index(drop=True), reconciliation


def sliver_owners(slivers: np.ndarray, communes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the commune each sliver goes to, and which slivers touch no commune.

    A sliver goes to the commune with which it shares the longest edge (ties to the
    earlier commune); one that shares no edge goes to the nearest commune.
    """
    tree = STRtree(communes)
    sliver, commune = tree.query(slivers, predicate="intersects")
    shared = threaded(shapely.length, threaded(shapely.intersection, shapely.boundary(slivers[sliver]), shapely.boundary(communes[commune])))
    order = np.lexsort((commune, -shared, sliver))  # per sliver: longest shared edge first, then the earlier commune
    sliver, commune, shared = sliver[order], commune[order], shared[order]
    first = np.r_[True, sliver[1:] != sliver[:-1]] & (shared > 0)
    owner = np.full(len(slivers), -1)
    owner[sliver[first]] = commune[first]
    nearest = owner < 0
    if nearest.any():
        owner[nearest] = tree.query_nearest(slivers[nearest], all_matches=False)[1]
    return owner, nearest


def by_commune(units: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[list[str], pd.DataFrame]:
    """Commune codes of each unit, and the area of each zone per commune (units in force).

    Raises
    ------
    BuildError
        When some zone land lies in no commune: the communes did not tile the province
        (a fault of the build, since :func:`province_communes` reconciles them).
    """
    left, right, area = intersection_areas(units.geometry.to_numpy(), communes.geometry.to_numpy())
    real = area >= MIN_PIECE_M2
    unit_codes = joined_codes(len(units), left[real], communes["code"].to_numpy()[right[real]])
    zoned = in_force(units)[left]  # proposed units lie outside the zones
    left, right, area = left[zoned], right[zoned], area[zoned]
    per = pd.DataFrame({"commune": right, "zone": units["zone"].to_numpy()[left], "ha": area / M2_PER_HA})
    per = per.pivot_table(index="commune", columns="zone", values="ha", aggfunc="sum", fill_value=0.0).reindex(range(len(communes)), fill_value=0.0)
    summary = pd.DataFrame(
        {
            "commune_code": communes["code"].to_numpy(),
            "commune_name": communes["name"].to_numpy(),
            "strict_ha": per["strict"].to_numpy() if "strict" in per else 0.0,
            "emission_limited_ha": per["emission_limited"].to_numpy() if "emission_limited" in per else 0.0,
            "total_ha": communes["area_ha"].to_numpy(),
        }
    )
    summary["other_ha"] = (summary["total_ha"] - summary["strict_ha"] - summary["emission_limited_ha"]).clip(lower=0.0)
    zone_area = dict(zip(zones["zone"], zones["area_ha"]))
    outside = {z: zone_area[z] - summary[f"{z}_ha"].sum() for z in ZONE_ORDER}
    if max(abs(ha) for ha in outside.values()) > OUTSIDE_TOLERANCE_HA:
        areas = ", ".join(f"{z} {ha:.4f} ha" for z, ha in outside.items())
        raise BuildError(
            (f"diện tích vùng nằm ngoài mọi xã sau khi đối soát ranh giới xã: {areas}", "zone land outside every commune "
                f"after reconciling the communes: {areas}"),
            ("đây là lỗi của chương trình, xin báo lại kèm dữ liệu", "this is a fault of the program: please report it with the data"),
        )
    return unit_codes, summary[["commune_code", "commune_name", "strict_ha", "emission_limited_ha", "other_ha", "total_ha"]]


def require_every_hectare_in_a_commune(summary: pd.DataFrame) -> None:
    """Refuse a commune summary with land outside every commune (a build made before the reconciliation).

    Raises
    ------
    BuildError
        Naming the area, and how to rebuild.
    """
    outside = summary.loc[summary["commune_code"].fillna("").astype(str) == "", "total_ha"].astype(float).sum()
    if outside > OUTSIDE_TOLERANCE_HA:
        raise BuildError(
            (f"kết quả phân vùng có {terms.quantity(outside, 'area_ha')} ngoài ranh giới mọi xã, không thể đưa vào quyết định",
             f"the build has {terms.quantity(outside, 'area_ha', 'en')} outside every commune, which a decision cannot carry"),
            ("xây dựng lại bằng `zoning build` (phiên bản này giao các mảnh đó cho xã)", "rebuild with `zoning build` "
                "(this version gives that land to communes)"),
        )


def joined_codes(count: int, unit: np.ndarray, code: np.ndarray) -> list[str]:
    """Comma-joined sorted commune codes per unit ("" for none); most units lie in one commune."""
    out = np.full(count, "", dtype=object)
    order = np.lexsort((code, unit))
    unit, code = unit[order], code[order].astype(str)
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    sizes = np.diff(np.r_[starts, len(unit)])
    out[unit[starts[sizes == 1]]] = code[starts[sizes == 1]]
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
        out[unit[start]] = ",".join(code[start : start + size])
    return out.tolist()
