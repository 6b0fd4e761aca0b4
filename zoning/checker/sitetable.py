"""The one-row-per-site table of a check and its metadata, from the values of the stages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import zoning
from zoning.builder.model import software_versions
from zoning.checker import arrays
from zoning.checker.findings import Borderline, NoData, TypeFindings
from zoning.checker.index import BuildIndex
from zoning.checker.locate import Communes, Outside, Units, Zones
from zoning.checker.result import SCHEMA, SITE_RESULT_COLUMNS, VERDICT_ORDER
from zoning.checker.rows import Findings, FindingTable
from zoning.checker.safety import Safety
from zoning.checker.sensitive import Sensitive
from zoning.checker.sitearrays import SiteArrays
from zoning.law.project_types import CheckRules
from zoning.law.safety import UserDistance
from zoning.terms import ZONE_ORDER

RECEPTOR_COLUMNS = {"residential": "residential", "water_intake": "intake"}  # receptor → short name in column names


@dataclass(frozen=True)
class Stages:
    """The values the stages of a check returned, as the site table reads them."""

    units: Units
    zones: Zones
    communes: Communes
    outside: Outside
    safety: Safety
    sensitive: Sensitive
    types: TypeFindings
    location: Findings
    rules: Findings
    no_data: NoData
    borderline: Borderline


def site_table(sites: SiteArrays, index: BuildIndex, stages: Stages, found: FindingTable) -> gpd.GeoDataFrame:
    """One row per site (``SITE_RESULT_COLUMNS``), with its geometry; ``found`` gives the verdicts and counts."""
    f, info = sites.frame, sites.types
    zones, outside = stages.zones, stages.outside
    # a result is illustrative when the site is, or when the build uses illustrative layers
    illustrative = f["illustrative"].astype(bool).to_numpy() | bool(index.build.manifest.get("illustrative_layers"))
    columns = {
        "site_id": sites.ids, "source_layer": f["source_layer"].to_numpy(object), "name": f["name"].to_numpy(object),
        "name_en": _text(f["name_en"]), "type": _text(f["type"]),
        "type_name_vi": info["type_name_vi"].fillna("").to_numpy(object), "type_name_en": info["type_name_en"].fillna("").to_numpy(object),
        "facility": np.where(pd.notna(sites.facility), sites.facility, ""), "capacity": f["capacity"].to_numpy(float),
        "capacity_unit": _text(f["capacity_unit"]), "upstream": sites.upstream,
        "geometry_type": np.array(["point", "line", "polygon"], dtype=object)[sites.dim],
        "area_ha": sites.hectares(sites.measure), "length_m": sites.metres(sites.measure),
        "strict_ha": sites.hectares(zones.measure[:, 0]), "emission_limited_ha": sites.hectares(zones.measure[:, 1]),
        "other_ha": sites.hectares(zones.measure[:, 2]), "outside_ha": sites.hectares(outside.measure),
        **_zone_shares(sites, zones, outside),
        **_lists(sites, index, stages),
        "pollution_risk": info["pollution_risk"].fillna("").to_numpy(object), "pollution_risk_status": info["risk_status"].fillna("").to_numpy(object),
        "capacity_class": stages.types.capacity_class,
        **_safety_columns(sites, stages.safety.table),
        "verdict": found.verdict, "borderline": stages.borderline.sites, "no_data_layers": stages.no_data.layers,
        "missing_values": _missing_values(sites, stages.safety.pairs), "conflicts": found.conflicts, "reviews": found.reviews,
        "findings_count": found.counts, "illustrative": illustrative, "input_note": f["input_note"].fillna("").to_numpy(object),
    }
    return gpd.GeoDataFrame({c: columns[c] for c in SITE_RESULT_COLUMNS}, geometry=sites.geometry, crs=f.crs)


def _text(column: pd.Series) -> np.ndarray:
    return column.where(column.notna(), "").to_numpy(object)


def _zone_shares(sites: SiteArrays, zones: Zones, outside: Outside) -> dict[str, np.ndarray]:
    """Share (%) of each site in each zone and outside the province.

    A point has 100 in the one zone it lies in, and an undefined share (NaN) in each zone
    of a boundary it lies on.
    """
    dim = sites.dim
    pct = lambda m: np.where(dim > 0, np.round(100 * m / np.where(sites.measure > 0, sites.measure, 1.0), 2), np.nan)  # noqa: E731
    share = np.stack([pct(zones.measure[:, z]) for z in range(3)], axis=1)
    points = dim == 0
    touched = zones.touches.sum(axis=1)
    share[points] = np.where(zones.touches[points], np.where(touched[points, None] == 1, 100.0, np.nan), 0.0)
    outside_pct = np.where(dim > 0, pct(outside.measure), np.where(outside.wholly, 100.0, 0.0))
    return {"strict_pct": share[:, 0], "emission_limited_pct": share[:, 1], "other_pct": share[:, 2], "outside_pct": outside_pct}


def _lists(sites: SiteArrays, index: BuildIndex, stages: Stages) -> dict[str, np.ndarray]:
    """Per site the comma-joined zones, units, communes and sensitive elements it has."""
    n = sites.n
    touched_site, touched_zone = np.nonzero(stages.zones.touches)
    pairs = stages.units.pairs
    pair_site, inside = pairs["site"].to_numpy(), pairs["inside"].to_numpy()
    unit_ids = index.unit_text["unit_id"][pairs["unit"].to_numpy()]
    communes, sensitive = stages.communes, stages.sensitive.pairs
    return {
        "zones_touched": arrays.joined(touched_site, np.array(ZONE_ORDER, dtype=object)[touched_zone], n, distinct=True),
        "units_inside": arrays.joined(pair_site[inside], unit_ids[inside], n, distinct=True),
        "units_near": arrays.joined(pair_site[~inside], unit_ids[~inside], n, distinct=True),
        "commune_codes": arrays.joined(communes.site, communes.table["commune_code"].to_numpy(object), n, distinct=True),
        "commune_names": arrays.joined(communes.site, communes.table["commune_name"].to_numpy(object), n, distinct=True),
        "sensitive_elements": arrays.joined(sensitive["site"].to_numpy(int), sensitive["element"].to_numpy(object), n),
    }


def _safety_columns(sites: SiteArrays, safety: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per receptor: the nearest feature, the distance required, whether it holds, what lies within it."""
    n, columns = sites.n, {}
    receptors = safety["receptor"].to_numpy(object)
    where = pd.Index(sites.ids).get_indexer(safety["site_id"].to_numpy(object)) if len(safety) else np.zeros(0, int)
    for receptor, short in RECEPTOR_COLUMNS.items():
        rows = receptors == receptor
        position = where[rows]
        values = lambda column, fill, dtype=object: arrays.scatter(n, position, safety[column].to_numpy()[rows], fill, dtype)  # noqa: E731, B023 (called within the iteration)
        columns[f"nearest_{short}_m"] = values("nearest_m", np.nan, float)
        columns[f"nearest_{short}"] = values("nearest_name", "")
        columns[f"safety_distance_{short}_m"] = values("distance_required_m", np.nan, float)
        columns[f"safety_status_{short}"] = values("status", "")
        columns[f"safety_holds_{short}"] = values("holds", None)
        columns[f"{short}_inside_count"] = values("inside_count", 0, int)
        if short == "residential":
            columns["residential_inside_ha"] = values("inside_ha", 0.0, float)
    return columns


def _missing_values(sites: SiteArrays, safety_pairs: pd.DataFrame) -> np.ndarray:
    """What each site lacks: its project type, safety distances."""
    needed = np.array(["project type", ""], dtype=object)[sites.has_type.astype(int)]
    site = np.r_[np.arange(sites.n), safety_pairs["site"].to_numpy(int)]
    return arrays.joined(site, np.r_[needed, safety_pairs["missing"].to_numpy(object)], sites.n, "; ")


def check_meta(sites: SiteArrays, index: BuildIndex, rules: CheckRules, search: float, user: dict, table: gpd.GeoDataFrame,
               include_proposed: bool = False) -> dict:
    """The metadata of a check: build, rules, inputs, settings, verdict counts, versions, and
    what the build says about the law it applies (:meth:`Build.notices`).
    """
    build = index.build
    manifest = build.manifest
    notices = [manifest["illustrative_notice"]] if manifest.get("illustrative_notice") else []
    if sites.frame["illustrative"].astype(bool).any():
        notices.append("Some sites are illustrative (drawn, not surveyed): not for decisions.")
    origin = sites.sites.origin
    return {
        "schema": SCHEMA,
        "software": f"zoning {zoning.__version__}",
        "build_id": build.build_id,
        "build_path": build.name,
        "ruleset": manifest.get("ruleset", ""),
        "check_rules": rules.id,
        "crs": index.once(("meta.crs",), lambda: {"name": build.crs.name, "epsg": build.crs.to_epsg()}).copy(),
        "sites_origin": Path(origin).name if origin and not origin.startswith("<") else origin,
        "sites_sha256": sites.sites.sha256,
        "sites": int(sites.n),
        "search_distance_m": search,
        "positional_tolerance_m": index.tolerances,
        "tolerance_basis": rules.settings.positional_tolerance_m.basis,
        "user_distances": {k: (v.distance_m if isinstance(v, UserDistance) else float(v)) for k, v in sorted(user.items())},
        "input_layers": sorted(index.input_kinds),
        "notes": list(sites.sites.notes),
        "rejected_rows": [row.record() for row in sites.sites.rejected],
        "illustrative_notice": " ".join(notices),
        "unconfirmed_criteria": manifest.get("unconfirmed_criteria", []),
        "include_proposed": include_proposed,
        "law_notices_vi": build.notices("vi"),
        "law_notices_en": build.notices("en"),
        "verdicts": {v: int((table["verdict"] == v).sum()) for v in VERDICT_ORDER},
        "versions": software_versions(),
    }
