"""Units: the criterion polygons carved by precedence into disjoint pieces, one per source
feature and criterion; their lineage (every criterion their land meets); plan conflicts.

Units of proposed designations (status ``proposed``: no legal boundary yet) are carved
after every designation in force, so they hold only land no designation in force covers;
they are kept apart from the zones.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.overlay import MIN_PIECE_M2
from zoning.inputs.catalogue import load_catalogue
from zoning.law.criteria import RuleSet
from zoning.terms import M2_PER_HA, ZONE_ORDER

ZONE_PREFIX = {"strict": "S", "emission_limited": "E"}
PROPOSED_PREFIX = "P"  # PE0001: a proposed emission-limited unit
CONFLICT_COLUMNS = [
    "status", "source_layer", "features", "examples", "criterion_strict", "criterion_emission_limited", "reading_a_vi", "reading_a_en",
    "reading_b_vi", "reading_b_en", "area_ha", "provisional_strict_ha", "provisional_emission_limited_ha", "provisional_vi",
    "provisional_en", "message_vi", "message_en",
]


def in_force(units: pd.DataFrame) -> np.ndarray:
    """Which units (or lineage rows) are designations in force, not proposed ones."""
    return (units["status"] != "proposed").to_numpy(bool)


def carved_units(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The non-empty carved pieces of the candidates as units, each with its own geometry."""
    geometry = candidates["unit_geometry"].to_numpy()
    keep = ~shapely.is_empty(geometry)  # every piece above floating-point dust is a unit
    table = candidates[keep].drop(columns=["geometry", "unit_geometry"]).copy()
    table["candidate"] = np.flatnonzero(keep)
    proposed = table["proposed"].to_numpy(bool)
    numbers = table.groupby(["proposed", "zone"]).cumcount() + 1
    table.insert(0, "unit_id", [f"{PROPOSED_PREFIX if p else ''}{ZONE_PREFIX[z]}{n:04d}" for p, z, n in zip(proposed, table["zone"], numbers)])
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


def held_lineage(lineage: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """The lineage with the criteria held back by a plan conflict (see :func:`plan_conflicts`)
    added: a feature taken as drawn under criteria of both zones meets them all, so the land
    of its units and the land it shares with others meets the held criterion too (a row per
    unit, not prevailing, with the area of the kept criterion's row of the same feature).
    """
    if not len(held) or not len(lineage):
        return lineage
    key = ["source_layer", "source_id"]
    held = held.assign(source_id=held["source_id"].astype(str))
    rows = lineage.assign(source_id=lineage["source_id"].astype(str))
    kept = rows[rows.set_index(key).index.isin(held.set_index(key).index)]
    first = kept.drop_duplicates(key)[[*key, "criterion"]]  # one kept criterion per feature: its rows carry the feature's land
    kept = kept.merge(first, on=[*key, "criterion"])
    columns = ["criterion", "zone", "status", "name"]
    added = kept.drop(columns=columns).merge(held[[*key, *columns]], on=key).assign(prevails=False)
    added = added[~added.set_index(["unit_id", *key, "criterion"]).index.isin(rows.set_index(["unit_id", *key, "criterion"]).index)]
    out = pd.concat([lineage, added.astype({"source_id": lineage["source_id"].dtype})[lineage.columns]], ignore_index=True)
    return out.sort_values(["unit_id", "prevails", "criterion", "source_id"], ascending=[True, False, True, True]).reset_index(drop=True)


def other_criteria(lineage: pd.DataFrame) -> pd.DataFrame:
    """The criteria a unit's land meets besides its own (the lineage rows that did not
    prevail), one row per unit, criterion and feature with the area shared, per unit in
    zone order then largest area first.
    """
    columns = ["unit_id", "criterion", "zone", "status", "source_layer", "source_id", "name", "overlap_ha"]
    if lineage is None or not len(lineage) or "prevails" not in lineage:
        return pd.DataFrame(columns=columns)
    others = lineage[~lineage["prevails"].astype(bool)]
    others = others.groupby(columns[:-1], sort=False, dropna=False)["overlap_ha"].sum().reset_index()
    others["zone_rank"] = others["zone"].map({z: i for i, z in enumerate(ZONE_ORDER)})
    return others.sort_values(["unit_id", "zone_rank", "overlap_ha"], ascending=[True, True, False], kind="stable")[columns].reset_index(drop=True)


def plan_conflicts(candidates: gpd.GeoDataFrame, rules: RuleSet) -> tuple[pd.DataFrame, np.ndarray]:
    """Features taken as drawn by criteria of both zones: a conflict in the rules or the plan.

    Such a conflict is reported as unresolved, with both readings and the area at stake;
    it is never settled by "the stricter zone prevails". Until the competent authority
    decides, the zone the national criteria give a feature is applied provisionally
    (the stricter one when the national criteria give none or both).

    Returns
    -------
    conflicts, held
        One row per conflict (layer and the plan criteria of each reading), and a mask of
        the ``candidates`` rows held back: those that would put a feature in the other zone.
    """
    drawn = candidates[(candidates["op"] == "as_drawn").to_numpy() & ~candidates["proposed"].to_numpy(bool)]
    held = np.zeros(len(candidates), bool)
    zones = drawn.groupby(["source_layer", "source_id"])["zone"].nunique()
    clashing = zones[zones > 1].index
    if len(clashing) == 0:
        return pd.DataFrame(columns=CONFLICT_COLUMNS), held
    rows = drawn.set_index(["source_layer", "source_id"]).loc[clashing].reset_index()
    rows["national"] = rows["criterion"].isin(rules.national)
    rank = rows["zone"].map(ZONE_ORDER.index)
    national_rank = rank.where(rows["national"])
    key = [rows["source_layer"], rows["source_id"]]
    settled = national_rank.groupby(key).transform("nunique") == 1
    rows["provisional"] = np.where(settled, national_rank.groupby(key).transform("min"), rank.groupby(key).transform("min"))
    rows["by_national"] = settled
    held_rows = rows.index[rank != rows["provisional"]]
    position = pd.MultiIndex.from_frame(candidates[["source_layer", "source_id", "criterion"]])
    held[position.get_indexer(pd.MultiIndex.from_frame(rows.loc[held_rows, ["source_layer", "source_id", "criterion"]]))] = True
    return _conflict_table(rows, rules), held


def _conflict_table(rows: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """One row per conflicting layer and pair of readings (see :func:`_readings`), with the area at stake."""
    features = rows.drop_duplicates(["source_layer", "source_id"]).set_index(["source_layer", "source_id"])
    features["reading"] = rows.groupby(["source_layer", "source_id"]).apply(_readings, include_groups=False).reindex(features.index)
    catalogue = load_catalogue()
    urban_layers = {c.layer for c in rules.criteria if c.urban_zone is not None}
    records = []
    for (layer, reading), group in features.groupby(["source_layer", "reading"], sort=True):
        area = lambda mask: shapely.union_all(group.geometry.to_numpy()[mask]).area / M2_PER_HA  # noqa: E731, B023 (called within the iteration)
        strict = group["provisional"].to_numpy() == 0
        texts = {
            "features": len(group),
            "area": tuple(terms.quantity(area(np.ones(len(group), bool)), "area_ha", lang) for lang in terms.LANGUAGES),
            "layer": (catalogue[layer].label_vi, catalogue[layer].label_en) if layer in catalogue else layer,
        }
        readings_text = [_criteria_text(rules, criteria) for criteria in reading]
        settled = bool(group["by_national"].all())
        provisional = _provisional_text(settled, area(strict), area(~strict))
        if layer in urban_layers:  # the towns' zone is the urban-class question, not the plan's 1.1.a against 1.1.b
            message = terms.message_pair("urban_classes", "plan_listing", features=texts["features"], area=texts["area"], provisional=provisional)
        else:
            message = terms.message_pair("plan_conflict", "message", **texts, reading_a=readings_text[0], reading_b=readings_text[1],
                                         provisional=provisional)
        all_criteria = rows[rows["source_layer"] == layer].set_index(["source_layer", "source_id"]).loc[group.index]
        records.append({
            "status": "unresolved",
            "source_layer": layer,
            "features": len(group),
            "examples": "; ".join(group["name"].astype(str).tolist()[:5]),
            "criterion_strict": ", ".join(sorted(all_criteria.loc[all_criteria["zone"] == "strict", "criterion"].unique())),
            "criterion_emission_limited": ", ".join(sorted(all_criteria.loc[all_criteria["zone"] == "emission_limited", "criterion"].unique())),
            "reading_a_vi": readings_text[0][0], "reading_a_en": readings_text[0][1],
            "reading_b_vi": readings_text[1][0], "reading_b_en": readings_text[1][1],
            "area_ha": area(np.ones(len(group), bool)),
            "provisional_strict_ha": area(strict),
            "provisional_emission_limited_ha": area(~strict),
            "provisional_vi": provisional[0], "provisional_en": provisional[1],
            "message_vi": message[0], "message_en": message[1],
        })
    return pd.DataFrame(records, columns=CONFLICT_COLUMNS)


def _readings(rows: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The criteria of each reading of one feature (strict, emission-limited): those of the
    overlays, or the national ones for a zone no overlay names.
    """
    readings = []
    for zone in ("strict", "emission_limited"):
        of_zone = rows[rows["zone"] == zone]
        plan = of_zone[~of_zone["national"]]
        readings.append(tuple(sorted((plan if len(plan) else of_zone)["criterion"].unique())))
    return readings[0], readings[1]


def _criteria_text(rules: RuleSet, criteria: tuple[str, ...]) -> tuple[str, str]:
    """``title (citation); …`` of criteria, in Vietnamese and English."""
    parts = [terms.message_pair("plan_conflict", "criterion", title=(c.title_vi, c.title_en), citation=(c.citation_vi, c.citation_en))
             for c in map(rules.criterion, criteria)]
    return "; ".join(p[0] for p in parts), "; ".join(p[1] for p in parts)


def _provisional_text(settled: bool, strict_ha: float, limited_ha: float) -> tuple[str, str]:
    """What the build applies until the conflict is resolved, with the areas it puts in each zone."""
    areas = {"strict": tuple(terms.quantity(strict_ha, "area_ha", lang) for lang in terms.LANGUAGES),
             "limited": tuple(terms.quantity(limited_ha, "area_ha", lang) for lang in terms.LANGUAGES)}
    return terms.message_pair("plan_conflict", "national" if settled else "stricter", **areas)
