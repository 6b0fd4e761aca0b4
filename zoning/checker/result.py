"""What a check found: the result tables, their columns, and the nested per-site records."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

SCHEMA = "zoning-check/1"
SEVERITY_RANK = {"info": 1, "no_data": 2, "review": 3, "conflict": 4, "outside": 5}
VERDICTS = {1: "no_conflict_found", 2: "no_data", 3: "needs_review", 4: "conflict", 5: "outside_province"}
VERDICT_ORDER = ("conflict", "needs_review", "no_data", "no_conflict_found", "outside_province")  # as counted in the results

# ---------------------------------------------------------------------------- results

SITE_RESULT_COLUMNS = [
    "site_id", "source_layer", "name", "name_en", "type", "type_name_vi", "type_name_en", "facility",
    "capacity", "capacity_unit", "upstream", "geometry_type", "area_ha", "length_m",
    "strict_ha", "emission_limited_ha", "other_ha", "outside_ha",
    "strict_pct", "emission_limited_pct", "other_pct", "outside_pct", "zones_touched",
    "units_inside", "units_near", "commune_codes", "commune_names",
    "pollution_risk", "pollution_risk_status", "capacity_class",
    "nearest_residential_m", "nearest_residential", "safety_distance_residential_m", "safety_status_residential",
    "safety_holds_residential", "residential_inside_count", "residential_inside_ha",
    "nearest_intake_m", "nearest_intake", "safety_distance_intake_m", "safety_status_intake",
    "safety_holds_intake", "intake_inside_count",
    "sensitive_elements", "verdict", "borderline", "no_data_layers", "missing_values",
    "conflicts", "reviews", "findings_count", "illustrative", "input_note",
]
ZONE_COLUMNS = ["site_id", "zone", "name_vi", "name_en", "overlap_ha", "overlap_m", "share_pct", "borderline"]
UNIT_COLUMNS = [
    "site_id", "unit_id", "zone", "name", "name_en", "criterion", "citation_vi", "citation_en", "status", "assumption",
    "source_layer", "source_id", "distance_m", "inside", "overlap_ha", "overlap_m", "share_pct", "borderline", "tolerance_m", "illustrative",
]
COMMUNE_COLUMNS = ["site_id", "commune_code", "commune_name", "overlap_ha", "overlap_m", "share_pct"]
FINDING_COLUMNS = ["site_id", "finding", "severity", "status", "title_vi", "title_en", "detail_vi", "detail_en", "citation_vi", "citation_en"]
SENSITIVE_COLUMNS = [
    "site_id",
    "element",
    "title_vi",
    "title_en",
    "citation_vi",
    "citation_en",
    "status",
    "relation",
    "layer",
    "source_id",
    "feature",
    "distance_m",
]
SAFETY_COLUMNS = [
    "site_id",
    "receptor",
    "facility",
    "distance_required_m",
    "status",
    "citation_vi",
    "citation_en",
    "basis_vi",
    "basis",
    "missing_vi",
    "missing",
    "capacity_class",
    "nearest_m",
    "nearest_id",
    "nearest_name",
    "holds",
    "inside_count",
    "inside_ha",
    "borderline",
    "tolerance_m",
    "no_data",
]
# GeoPackage layer names of the long tables (``findings`` is what map readers look for)
GPKG_LAYERS = {
    "zones": "site_zones",
    "units": "site_units",
    "communes": "site_communes",
    "findings": "findings",
    "sensitive": "site_sensitive",
    "safety": "site_safety",
}
TABLES = {
    "zones": ZONE_COLUMNS,
    "units": UNIT_COLUMNS,
    "communes": COMMUNE_COLUMNS,
    "findings": FINDING_COLUMNS,
    "sensitive": SENSITIVE_COLUMNS,
    "safety": SAFETY_COLUMNS,
}


@dataclass
class CheckResult:
    """Everything a check found: one row per site, and long tables keyed by ``site_id``."""

    sites: gpd.GeoDataFrame
    zones: pd.DataFrame
    units: pd.DataFrame
    communes: pd.DataFrame
    findings: pd.DataFrame
    sensitive: pd.DataFrame
    safety: pd.DataFrame
    meta: dict
    sources: tuple[Path, ...] = ()  # the files read (sites, build and its inputs): no output may replace them

    def table(self, name: str) -> pd.DataFrame:
        """One of the result's tables by name (``zones``, ``units``, ``findings`` …)."""
        return getattr(self, name)

    def site_rows(self) -> list[dict]:
        """One flat JSON-safe record per site (the site table without geometry), in site order."""
        return _records(pd.DataFrame(self.sites.drop(columns="geometry")))

    def records(self) -> list[dict]:
        """One nested record per site (the JSON form), in site order."""
        grouped = {name: _group_records(self.table(name)) for name in TABLES}
        out = []
        for row in self.site_rows():
            for name in TABLES:
                row[name] = grouped[name].get(row["site_id"], [])
            out.append(row)
        return out

    def site(self, site_id: str) -> dict:
        """The nested record of one site."""
        for record in self.records():
            if record["site_id"] == site_id:
                return record
        raise KeyError(site_id)


# ----------------------------------------------------------------------------- check


def _group_records(table: pd.DataFrame) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for record in _records(table):
        grouped.setdefault(record.pop("site_id"), []).append(record)
    return grouped


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON-safe dicts: NaN → None, numpy scalars → Python."""
    columns = list(table.columns)
    values = [table[c].tolist() for c in columns]  # one conversion per column: itertuples indexes every cell
    return [{c: _plain(v) for c, v in zip(columns, row)} for row in zip(*values)]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if value is pd.NA:
        return None
    return value
