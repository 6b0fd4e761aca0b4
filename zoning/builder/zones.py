"""The build: criterion polygons → named units → three zones covering the province.

1. Each criterion selects features of its layer kind and turns them into polygons (as
   drawn, or buffered by a width from the feature or a default flagged as assumption),
   clipped to the province.
2. Precedence: strict before emission-limited; within a zone, rule-file order, then
   feature order. Each polygon keeps only what no earlier one covers: the result is a
   set of disjoint **units**, one per source feature and criterion.
3. The zones are dissolved from the criterion polygons, tile by tile: strict is the union
   of the strict polygons, emission-limited the union of its polygons minus strict, other
   the province minus both. Every criterion a place meets is kept in the lineage.
4. QA proves the coverage with computed areas: the units (carved) add up to the zones
   (dissolved), the zones do not overlap, and the three areas add up to the province.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning.builder.overlay import carve, clip, intersection_areas, join_tiles, polygonal, split_by_tiles, thread_map, threaded, tile_grid
from zoning.terms import ZONE_ORDER
from zoning.errors import InputError
from zoning.builder.model import Build, assemble
from zoning.inputs.layers import LayerSet
from zoning.law.criteria import Criterion, RuleSet, Width
from zoning import terms
from zoning.settings import settings

M2_PER_HA = 10_000.0
MIN_PIECE_M2 = 1.0  # overlaps smaller than this are rounding noise, not lineage
COVERAGE_TOLERANCE_PCT = 0.01
OVERLAP_TOLERANCE = 1e-9  # share of the province area: floating-point noise (0.7 m² for Cao Bằng)
UNIT_GAP_HA = 0.01
ZONE_PREFIX = {"strict": "S", "emission_limited": "E"}
REQUIRED_KINDS = ("province", "communes")


def build_zones(layers: LayerSet, rules: RuleSet, progress: Callable[[str], None] | None = None) -> Build:
    """Build the three zones of a province from checked layers and rules.

    Parameters
    ----------
    layers
        Layers from :func:`zoning.layers.read_layers`, in the province CRS; must hold
        ``province`` and ``communes``.
    rules
        Rule set from :func:`zoning.rules.load_rules`.
    progress
        Called with the name of each step as it starts.
    """
    missing = [k for k in REQUIRED_KINDS if k not in layers]
    if missing:
        raise InputError(f"the input has no {' or '.join(missing)} layer", "a build needs the province and its communes")
    timings: dict[str, float] = {}
    clock = _Clock(timings, progress)

    with clock("criteria"):
        province = shapely.union_all(layers["province"].geometry.values)
        candidates, skipped = _criterion_polygons(layers, rules, province)
    with clock("units and zones"), ThreadPoolExecutor(1) as background:
        # independent: the zones are dissolved while the units are carved
        dissolving = background.submit(_zones, candidates.geometry.to_numpy(), candidates["zone"].to_numpy(), province, layers.crs)
        carved, pairs = carve(candidates.geometry.to_numpy())
        candidates["unit_geometry"] = polygonal(carved)
        units = _units(candidates)
        zones, protected_m2 = dissolving.result()
    with clock("lineage"):
        lineage = _lineage(candidates, *pairs, units)
        conflicts = _conflicts(candidates, rules)
    with clock("communes"):
        communes = _communes(layers["communes"], province)
        units["commune_codes"], summary = _by_commune(units, zones, communes)
    with clock("qa"):
        qa = _qa(zones, protected_m2, units, province, summary)
    parts = {"zones": zones, "units": units, "lineage": lineage, "communes": communes, "commune_summary": summary,
             "conflicts": conflicts, "skipped": skipped}
    return assemble(parts, layers, rules, qa, timings)


class _Clock:
    def __init__(self, timings: dict[str, float], progress: Callable[[str], None] | None) -> None:
        self.timings, self.progress = timings, progress

    def __call__(self, step: str) -> "_Clock":
        self.step = step
        return self

    def __enter__(self) -> None:
        if self.progress:
            self.progress(self.step)
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timings[self.step] = round(time.perf_counter() - self.start, 3)


# ------------------------------------------------------------------ criterion polygons


def _criterion_polygons(layers: LayerSet, rules: RuleSet, province: shapely.Geometry) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    frames, skipped = [], []
    for order, criterion in enumerate(rules.criteria):
        if criterion.layer not in layers:
            continue
        layer = layers[criterion.layer]
        selected = layer[_selection_mask(layer, rules.selection(criterion))]
        if selected.empty:
            continue
        geometries, assumption_vi, assumption_en, usable = criterion_geometry(selected, criterion)
        for source_id in selected["source_id"][~usable]:
            skipped.append({"criterion": criterion.id, "source_layer": criterion.layer, "source_id": source_id, "reason": "no width recorded and no default"})
        selected = selected[usable]
        clipped = polygonal(clip(geometries[usable], province))
        keep = ~shapely.is_empty(clipped)
        names = selected["name"].astype(str).to_numpy() if "name" in selected else selected["source_id"].to_numpy()
        frames.append(
            pd.DataFrame(
                {
                    "zone": criterion.zone,
                    "criterion": criterion.id,
                    "criterion_order": order,
                    "status": criterion.status,
                    "op": criterion.geometry.op,
                    "name": [criterion.unit_name_vi.format(name=n) for n in names],
                    "name_en": [criterion.unit_name_en.format(name=n) for n in names],
                    "citation_vi": criterion.citation_vi,
                    "citation_en": criterion.citation_en,
                    "assumption": assumption_vi[usable],
                    "assumption_en": assumption_en[usable],
                    "source_layer": criterion.layer,
                    "source_id": selected["source_id"].to_numpy(),
                    "source_order": np.arange(len(selected)),
                    "illustrative": selected["illustrative"].to_numpy(bool) if "illustrative" in selected else False,
                    "geometry": clipped,
                }
            )[keep]
        )
    columns = ["zone", "criterion", "criterion_order", "status", "op", "name", "name_en", "citation_vi", "citation_en",
               "assumption", "assumption_en", "source_layer", "source_id", "source_order", "illustrative", "geometry"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["zone_rank"] = table["zone"].map(ZONE_ORDER.index)
    table = table.sort_values(["zone_rank", "criterion_order", "source_order"], kind="stable").reset_index(drop=True)
    candidates = gpd.GeoDataFrame(table, geometry="geometry", crs=layers.crs)
    return candidates, pd.DataFrame(skipped, columns=["criterion", "source_layer", "source_id", "reason"])


def _selection_mask(layer: gpd.GeoDataFrame, where: dict[str, list[str]]) -> np.ndarray:
    mask = np.ones(len(layer), dtype=bool)
    for attribute, values in where.items():
        column = layer[attribute] if attribute in layer else pd.Series([None] * len(layer), index=layer.index)
        mask &= column.isin(values).to_numpy()
    return mask


def criterion_geometry(features: gpd.GeoDataFrame, criterion: Criterion) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Polygons a criterion makes of its selected features.

    Returns the geometries, the assumption text per feature in Vietnamese and in
    English ("" where every width came from the data), and a mask of features that
    could be used (a line or point with no recorded width and no default cannot).
    """
    spec = criterion.geometry
    geometries = features.geometry.to_numpy().copy()
    types = shapely.get_type_id(geometries)
    notes = (np.full(len(features), "", dtype=object), np.full(len(features), "", dtype=object))  # vi, en
    usable = np.ones(len(features), dtype=bool)
    for type_ids, width, factor in (((1, 5), spec.line_width, 0.5), ((0, 4), spec.point_radius, 1.0)):
        rows = np.isin(types, type_ids)
        if not rows.any():
            continue
        if width is None:
            usable &= ~rows
            continue
        distance, known = _width(features, width, rows, notes)
        usable &= ~rows | known
        geometries[rows & known] = threaded(shapely.buffer, geometries[rows & known], (distance * factor)[rows & known])
    if spec.op == "buffer":
        distance, known = _width(features, spec.distance, np.ones(len(features), bool), notes)
        usable &= known
        geometries[known] = threaded(shapely.buffer, geometries[known], distance[known])
    return geometries, notes[0], notes[1], usable


def _width(features: gpd.GeoDataFrame, width: Width, rows: np.ndarray, notes: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distance per feature from the attribute, else the default (noted as an assumption)."""
    recorded = features[width.field].to_numpy(float) * width.factor if width.field and width.field in features else np.full(len(features), np.nan)
    assumed = rows & np.isnan(recorded) & (width.default_m is not None)
    distance = np.where(np.isnan(recorded), width.default_m if width.default_m is not None else np.nan, recorded)
    if assumed.any():
        field_name = width.field or "width"
        note_vi = f"{field_name} không có số liệu: giả định {width.default_m:g} m" + (f" ({width.basis_vi})" if width.basis_vi else "")
        note_en = f"{field_name} not recorded: {width.default_m:g} m assumed" + (f" ({width.basis})" if width.basis else "")
        for texts, note in zip(notes, (note_vi, note_en)):
            texts[assumed] = np.where(texts[assumed] == "", note, texts[assumed] + "; " + note)
    return distance, ~np.isnan(distance)


# ------------------------------------------------------------------------ units, zones


def _units(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geometry = candidates["unit_geometry"].to_numpy()
    keep = ~shapely.is_empty(geometry)  # every piece above floating-point dust is a unit
    table = candidates[keep].drop(columns=["geometry", "unit_geometry"]).copy()
    table["candidate"] = np.flatnonzero(keep)
    numbers = table.groupby("zone").cumcount() + 1
    table.insert(0, "unit_id", [f"{ZONE_PREFIX[z]}{n:04d}" for z, n in zip(table["zone"], numbers)])
    table["area_ha"] = shapely.area(geometry[keep]) / M2_PER_HA
    units = gpd.GeoDataFrame(table, geometry=geometry[keep], crs=candidates.crs)
    return units.reset_index(drop=True)


def _zones(polygons: np.ndarray, zone: np.ndarray, province: shapely.Geometry, crs: CRS) -> tuple[gpd.GeoDataFrame, float]:
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


def _lineage(candidates: gpd.GeoDataFrame, later: np.ndarray, earlier: np.ndarray, shared: np.ndarray, units: gpd.GeoDataFrame) -> pd.DataFrame:
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


def _conflicts(candidates: gpd.GeoDataFrame, rules: RuleSet) -> pd.DataFrame:
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


# ---------------------------------------------------------------------------- communes


def _communes(communes: gpd.GeoDataFrame, province: shapely.Geometry) -> gpd.GeoDataFrame:
    """Communes clipped to the province and made disjoint (earlier code wins overlaps)."""
    ordered = communes.sort_values("source_id", kind="stable") if "code" not in communes else communes.sort_values("code", kind="stable")
    carved, _ = carve(polygonal(clip(ordered.geometry.to_numpy(), province)))
    out = ordered.drop(columns="geometry").copy()
    out = gpd.GeoDataFrame(out, geometry=polygonal(carved), crs=communes.crs)
    out["area_ha"] = out.geometry.area / M2_PER_HA
    return out.reset_index(drop=True)


def _by_commune(units: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[list[str], pd.DataFrame]:
    """Commune codes of each unit, and the area of each zone per commune."""
    left, right, area = intersection_areas(units.geometry.to_numpy(), communes.geometry.to_numpy())
    real = area >= MIN_PIECE_M2
    unit_codes = _joined_codes(len(units), left[real], communes["code"].to_numpy()[right[real]])
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


def _joined_codes(count: int, unit: np.ndarray, code: np.ndarray) -> list[str]:
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


# ---------------------------------------------------------------------------------- QA


def _qa(zones: gpd.GeoDataFrame, protected_m2: float, units: gpd.GeoDataFrame, province: shapely.Geometry, summary: pd.DataFrame) -> dict:
    """Prove the coverage with computed areas.

    Overlaps by inclusion–exclusion against the protected land (strict ∪ emission-limited)
    dissolved on its own: |S ∩ E| = |S| + |E| − |S ∪ E|, |O ∩ P| = |O| + |P| − |province|
    (the last needs no gap, which the sum of the three areas checks). The units, carved
    pair by pair, must add up to the zones, dissolved from the criterion polygons.
    """
    area = dict(zip(zones["zone"], zones.geometry.area))
    overlaps = {
        "strict∩emission_limited": max(0.0, area["strict"] + area["emission_limited"] - protected_m2),
        "other∩(strict∪emission_limited)": max(0.0, area["other"] + protected_m2 - province.area),
    }
    province_ha = province.area / M2_PER_HA
    zones_ha = float(zones["area_ha"].sum())
    difference_pct = abs(zones_ha - province_ha) / province_ha * 100
    unit_sums = units.groupby("zone")["area_ha"].sum()
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
