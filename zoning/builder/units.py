"""Units: the criterion polygons carved by precedence into disjoint pieces, one per source
feature and criterion; their lineage (every criterion their land meets); plan conflicts.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from zoning.builder.overlay import MIN_PIECE_M2
from zoning.law.criteria import RuleSet
from zoning.terms import M2_PER_HA


ZONE_PREFIX = {"strict": "S", "emission_limited": "E"}


def carved_units(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geometry = candidates["unit_geometry"].to_numpy()
    keep = ~shapely.is_empty(geometry)  # every piece above floating-point dust is a unit
    table = candidates[keep].drop(columns=["geometry", "unit_geometry"]).copy()
    table["candidate"] = np.flatnonzero(keep)
    numbers = table.groupby("zone").cumcount() + 1
    table.insert(0, "unit_id", [f"{ZONE_PREFIX[z]}{n:04d}" for z, n in zip(table["zone"], numbers)])
    table["area_ha"] = shapely.area(geometry[keep]) / M2_PER_HA
    units = gpd.GeoDataFrame(table, geometry=geometry[keep], crs=candidates.crs)
    return units.reset_index(drop=True)


def unit_lineage(candidates: gpd.GeoDataFrame, later: np.ndarray, earlier: np.ndarray, shared: np.ndarray, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every criterion each unit's land meets: its own, plus those it prevailed over.

    ``(later, earlier, shared)`` are the overlaps found by :func:`zoning._overlay.carve`:
    ``shared`` is the area of the prevailing unit's land that the other polygon covers.
    """
    unit_of = np.full(len(candidates), -1)
    own = units["candidate"].to_numpy()
    unit_of[own] = np.arange(len(units))
    real = (unit_of[earlier] >= 0) & (shared >= MIN_PIECE_M2)
    rows_unit = np.r_[own, earlier[real]]
    rows_candidate = np.r_[own, later[real]]
    areas = np.r_[shapely.area(units.geometry.to_numpy()), shared[real]]
    lineage = pd.DataFrame(
        {
            "unit_id": units["unit_id"].to_numpy()[unit_of[rows_unit]],
            "criterion": candidates["criterion"].to_numpy()[rows_candidate],
            "zone": candidates["zone"].to_numpy()[rows_candidate],
            "status": candidates["status"].to_numpy()[rows_candidate],
            "source_layer": candidates["source_layer"].to_numpy()[rows_candidate],
            "source_id": candidates["source_id"].to_numpy()[rows_candidate],
            "name": candidates["name"].to_numpy()[rows_candidate],
            "prevails": np.r_[np.ones(len(own), bool), np.zeros(real.sum(), bool)],
            "overlap_ha": areas / M2_PER_HA,
        }
    )
    return lineage.sort_values(["unit_id", "prevails", "criterion", "source_id"], ascending=[True, False, True, True]).reset_index(drop=True)


def plan_conflicts(candidates: gpd.GeoDataFrame, rules: RuleSet) -> pd.DataFrame:
    """Features taken as drawn by criteria of both zones: a conflict in the rules or plan."""
    drawn = candidates[candidates["op"] == "as_drawn"]
    zones = drawn.groupby(["source_layer", "source_id"])["zone"].nunique()
    clashing = zones[zones > 1].index
    if len(clashing) == 0:
        return pd.DataFrame(columns=["criterion_strict", "criterion_emission_limited", "source_layer", "features", "examples", "message_vi", "message_en"])
    rows = drawn.set_index(["source_layer", "source_id"]).loc[clashing].reset_index()
    records = []
    pairs = rows.groupby(["source_layer", "source_id"]).apply(
        lambda g: (tuple(sorted(g.loc[g.zone == "strict", "criterion"].unique())), tuple(sorted(g.loc[g.zone == "emission_limited", "criterion"].unique())), g["name"].iloc[0]),
        include_groups=False,
    )
    grouped: dict[tuple, list[str]] = {}
    for (layer, _), (strict, limited, name) in pairs.items():
        grouped.setdefault((layer, strict, limited), []).append(name)
    for (layer, strict, limited), names in sorted(grouped.items()):
        sources = ", ".join(dict.fromkeys(f"{c} ({rules.criterion(c).citation_vi})" for c in strict + limited))
        records.append(
            {
                "criterion_strict": ", ".join(strict),
                "criterion_emission_limited": ", ".join(limited),
                "source_layer": layer,
                "features": len(names),
                "examples": "; ".join(names[:5]),
                "message_vi": f"{len(names)} đối tượng của lớp {layer} được xếp vào cả vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải theo: {sources}. Áp dụng vùng nghiêm ngặt hơn.",
                "message_en": f"{len(names)} {layer} feature(s) are listed under both the strict and the emission-limited zone by: {', '.join(strict + limited)}. The stricter zone prevails.",
            }
        )
    return pd.DataFrame(records)
