"""The 2025 communes clipped to the province, and the area of each zone per commune."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning.builder.overlay import MIN_PIECE_M2, carve, clip, intersection_areas, polygonal
from zoning.builder.units import in_force
from zoning.terms import M2_PER_HA, ZONE_ORDER


def clip_communes(communes: gpd.GeoDataFrame, province: shapely.Geometry) -> gpd.GeoDataFrame:
    """Communes clipped to the province and made disjoint (earlier code wins overlaps)."""
    ordered = communes.sort_values("source_id", kind="stable") if "code" not in communes else communes.sort_values("code", kind="stable")
    carved, _ = carve(polygonal(clip(ordered.geometry.to_numpy(), province)))
    out = ordered.drop(columns="geometry").copy()
    out = gpd.GeoDataFrame(out, geometry=polygonal(carved), crs=communes.crs)
    out["area_ha"] = out.geometry.area / M2_PER_HA
    return out.reset_index(drop=True)


def by_commune(units: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[list[str], pd.DataFrame]:
    """Commune codes of each unit, and the area of each zone per commune (units in force)."""
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
    outside = {
        "commune_code": "",
        "commune_name": "Ngoài ranh giới xã (sai lệch dữ liệu ranh giới) / Outside commune polygons (boundary data gaps)",
        **{f"{z}_ha": zone_area[z] - summary[f"{z}_ha"].sum() for z in ZONE_ORDER},
    }
    outside["total_ha"] = sum(outside[f"{z}_ha"] for z in ZONE_ORDER)
    summary = pd.concat([summary, pd.DataFrame([outside])], ignore_index=True)
    return unit_codes, summary[["commune_code", "commune_name", "strict_ha", "emission_limited_ha", "other_ha", "total_ha"]]


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
