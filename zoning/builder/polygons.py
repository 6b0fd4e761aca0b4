"""Criterion polygons: the features each criterion selects, made into polygons (as drawn, or
buffered by a width from the feature or a default flagged as an assumption), clipped to the province.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from zoning.builder.overlay import clip, polygonal, threaded
from zoning.terms import ZONE_ORDER
from zoning.inputs.layers import LayerSet
from zoning.inputs.text import nfc, nfc_values
from zoning.law.criteria import Criterion, RuleSet, Width


SKIPPED_COLUMNS = ["criterion", "source_layer", "source_id", "reason", "reason_vi"]
NO_WIDTH = ("no width recorded and no default", "không có số liệu chiều rộng và không có giá trị mặc định")
OUTSIDE = ("lies wholly outside the province (check its CRS)", "nằm hoàn toàn ngoài ranh giới tỉnh (kiểm tra hệ tọa độ)")


def criterion_polygons(layers: LayerSet, rules: RuleSet, province: shapely.Geometry) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The polygons of every criterion, clipped to the province, and the features skipped with the reason.

    A feature is skipped when it has no width to buffer by, or when it lies wholly
    outside the province (a feature drawn in the wrong CRS lands elsewhere).
    """
    frames, skipped = [], []
    for order, criterion in enumerate(rules.criteria):
        if criterion.layer not in layers:
            continue
        layer = layers[criterion.layer]
        selected = layer[selection_mask(layer, rules.selection(criterion))]
        if selected.empty:
            continue
        geometries, assumption_vi, assumption_en, usable = criterion_geometry(selected, criterion)
        skipped += _skipped(criterion, selected["source_id"][~usable], NO_WIDTH)
        selected = selected[usable]
        clipped = polygonal(clip(geometries[usable], province))
        keep = ~shapely.is_empty(clipped)
        skipped += _skipped(criterion, selected["source_id"][~keep], OUTSIDE)
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
    return candidates, pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)


def _skipped(criterion: Criterion, source_ids: pd.Series, reason: tuple[str, str]) -> list[dict]:
    return [{"criterion": criterion.id, "source_layer": criterion.layer, "source_id": source_id, "reason": reason[0], "reason_vi": reason[1]}
            for source_id in source_ids]


def selection_mask(layer: gpd.GeoDataFrame, where: dict[str, list[str]]) -> np.ndarray:
    """Features whose attributes take one of the values of a rule's filter (texts compared in composed Unicode)."""
    mask = np.ones(len(layer), dtype=bool)
    for attribute, values in where.items():
        column = layer[attribute] if attribute in layer else pd.Series([None] * len(layer), index=layer.index)
        mask &= column.map(nfc).isin(nfc_values(values)).to_numpy()
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
        distance, known = width_of(features, width, rows, notes)
        usable &= ~rows | known
        geometries[rows & known] = threaded(shapely.buffer, geometries[rows & known], (distance * factor)[rows & known])
    if spec.op == "buffer" and spec.distance is not None:  # the rule model requires a distance for a buffer
        distance, known = width_of(features, spec.distance, np.ones(len(features), bool), notes)
        usable &= known
        geometries[known] = threaded(shapely.buffer, geometries[known], distance[known])
    return geometries, notes[0], notes[1], usable


def width_of(features: gpd.GeoDataFrame, width: Width, rows: np.ndarray, notes: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
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
