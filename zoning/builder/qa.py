"""QA: the coverage proved with computed areas, two independent ways."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from zoning.builder.overlay import MIN_PIECE_M2, thread_map, threaded
from zoning.builder.units import in_force
from zoning.terms import M2_PER_HA

COVERAGE_TOLERANCE_PCT = 0.01


OVERLAP_TOLERANCE = 1e-9  # share of the province area: floating-point noise (0.7 m² for a province of 6,700 km²)


UNIT_GAP_HA = 0.01


def coverage_qa(zones: gpd.GeoDataFrame, protected_m2: float, units: gpd.GeoDataFrame, province: shapely.Geometry, summary: pd.DataFrame) -> dict:
    """Prove the coverage with computed areas.

    Overlaps by inclusion–exclusion against the protected land (strict ∪ emission-limited)
    dissolved on its own: |S ∩ E| = |S| + |E| − |S ∪ E|, |O ∩ P| = |O| + |P| − |province|
    (the last needs no gap, which the sum of the three areas checks). The units in force,
    carved pair by pair, must add up to the zones, dissolved from the criterion polygons.
    """
    area = dict(zip(zones["zone"], zones.geometry.area))
    overlaps = {
        "strict∩emission_limited": max(0.0, area["strict"] + area["emission_limited"] - protected_m2),
        "other∩(strict∪emission_limited)": max(0.0, area["other"] + protected_m2 - province.area),
    }
    province_ha = province.area / M2_PER_HA
    zones_ha = float(zones["area_ha"].sum())
    difference_pct = abs(zones_ha - province_ha) / province_ha * 100
    unit_sums = units[in_force(units)].groupby("zone")["area_ha"].sum()
    unit_gap = {z: float(abs(unit_sums.get(z, 0.0) - a)) for z, a in zip(zones["zone"], zones["area_ha"]) if z != "other"}
    summary_gap = float(abs(summary["total_ha"].sum() - province_ha))
    overlap_limit_m2 = max(MIN_PIECE_M2, province.area * OVERLAP_TOLERANCE)
    checks = {
        "no_overlaps": max(overlaps.values()) <= overlap_limit_m2,
        "areas_add_up": difference_pct <= COVERAGE_TOLERANCE_PCT,
        "valid_geometries": bool(all(thread_map(shapely.is_valid, zones.geometry.to_numpy())) and threaded(shapely.is_valid, units.geometry.to_numpy()).all()),
        "units_match_zones": max(unit_gap.values(), default=0.0) <= UNIT_GAP_HA,
        "commune_summary_adds_up": summary_gap <= UNIT_GAP_HA,
    }
    return {
        "passed": all(checks.values()),
        "checks": checks,
        "province_ha": province_ha,
        "zones_ha": zones_ha,
        "difference_pct": difference_pct,
        "tolerance_pct": COVERAGE_TOLERANCE_PCT,
        "overlap_m2": overlaps,
        "overlap_limit_m2": overlap_limit_m2,
        "unit_vs_zone_gap_ha": unit_gap,
        "commune_summary_gap_ha": summary_gap,
    }
