"""Criterion polygons: the features each criterion selects, made into polygons (as drawn, or
buffered by a width from the feature or a default flagged as an assumption), clipped to the
province, in precedence order.

Precedence: designations in force before proposed ones (which never take land from them);
then strict before emission-limited; then rule-file order; within one criterion, the legal
rank of the designation, the most recent decision date and the file order (the catalogue's
``precedence``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from zoning import terms
from zoning.builder.overlay import clip, polygonal, threaded
from zoning.builder.urban import urban_unit_names
from zoning.errors import InputError
from zoning.inputs.catalogue import Precedence, load_catalogue
from zoning.inputs.dates import DateError, parse_date
from zoning.inputs.layers import LayerSet
from zoning.inputs.text import clean_text, normalised_values
from zoning.law.criteria import Criterion, Geometry, RuleSet, Width
from zoning.terms import ZONE_ORDER, Lang

COLUMNS = ["zone", "criterion", "criterion_order", "status", "proposed", "op", "name", "name_en", "citation_vi", "citation_en",
           "assumption", "assumption_en", "source_layer", "source_id", "source_order", "designation_rank", "decision_date",
           "illustrative", "geometry"]
PRECEDENCE = ["proposed", "zone_rank", "criterion_order", "designation_rank", "undated", "decision_order", "source_order"]

SKIPPED_COLUMNS = ["criterion", "source_layer", "source_id", "reason", "reason_vi"]
NO_WIDTH = ("no width recorded and no default", "không có số liệu chiều rộng và không có giá trị mặc định")
OUTSIDE = ("lies wholly outside the province (check its CRS)", "nằm hoàn toàn ngoài ranh giới tỉnh (kiểm tra hệ tọa độ)")


def criterion_polygons(layers: LayerSet, rules: RuleSet, province: shapely.Geometry,
                       precedence: Precedence | None = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The polygon of every (criterion, feature) pair, in precedence order, and the features skipped.

    A row is ``proposed`` when its criterion or its feature has ``legal_status: proposed``;
    its ``status`` is then ``proposed``, else the criterion's status. A feature is skipped,
    with the reason, when it has no width to buffer by, or when it lies wholly outside the
    province (a feature drawn in the wrong CRS lands elsewhere).
    """
    precedence = precedence or load_catalogue().precedence
    frames, skipped = [], []
    for order, criterion in enumerate(rules.criteria):
        if criterion.layer not in layers:
            continue
        layer = layers[criterion.layer]
        selected = layer[selection_mask(layer, rules.selection(criterion))]
        if selected.empty:
            continue
        geometries, assumption_vi, assumption_en, usable = criterion_geometry(selected, criterion.geometry, layers)
        skipped += _skipped(criterion, selected["source_id"][~usable], NO_WIDTH)
        selected = selected[usable]
        clipped = polygonal(clip(geometries[usable], province))
        keep = ~shapely.is_empty(clipped)
        skipped += _skipped(criterion, selected["source_id"][~keep], OUTSIDE)
        names = selected["name"].astype(str).to_numpy() if "name" in selected else selected["source_id"].to_numpy()
        proposed = _proposed(selected, criterion)
        rank = precedence.ranks.get(criterion.layer)
        frames.append(
            pd.DataFrame(
                {
                    "zone": criterion.zone,
                    "criterion": criterion.id,
                    "criterion_order": order,
                    "status": np.where(proposed, "proposed", criterion.status),
                    "proposed": proposed,
                    "op": criterion.geometry.op,
                    "name": _unit_names(criterion, names, selected, "vi"),
                    "name_en": _unit_names(criterion, names, selected, "en"),
                    "citation_vi": criterion.citation_vi,
                    "citation_en": criterion.citation_en,
                    "assumption": assumption_vi[usable],
                    "assumption_en": assumption_en[usable],
                    "source_layer": criterion.layer,
                    "source_id": selected["source_id"].to_numpy(),
                    "source_order": np.arange(len(selected)),
                    "designation_rank": precedence.rank(criterion.layer, _column(selected, rank.attribute if rank else "")),
                    "decision_date": _decision_dates(selected, precedence.date_attribute, criterion, layers.notes),
                    "illustrative": selected["illustrative"].to_numpy(bool) if "illustrative" in selected else False,
                    "geometry": clipped,
                }
            )[keep]
        )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    table["zone_rank"] = table["zone"].map(ZONE_ORDER.index)
    dates = pd.to_datetime(table["decision_date"])
    table["undated"] = dates.isna()
    table["decision_order"] = -dates.fillna(pd.Timestamp(0)).astype("int64")  # the most recent decision first
    table = table.sort_values(PRECEDENCE, kind="stable").reset_index(drop=True)
    table = table.drop(columns=["undated", "decision_order"])
    candidates = gpd.GeoDataFrame(table, geometry="geometry", crs=layers.crs)
    return candidates, pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)


def _unit_names(criterion: Criterion, names: np.ndarray, features: pd.DataFrame, lang: Lang) -> list[str]:
    """The names of a criterion's units: its template filled with each feature's name (inner urban areas: see :func:`urban_unit_names`)."""
    template = criterion.unit_name_vi if lang == "vi" else criterion.unit_name_en
    if criterion.layer == "urban_areas":
        return urban_unit_names(template, names, _column(features, "former_name").to_numpy(object), lang)
    return [template.format(name=n) for n in names]


def _decision_dates(features: pd.DataFrame, attribute: str, criterion: Criterion, notes: list[str]) -> pd.Series:
    """The decision dates that order a criterion's features (the most recent first), read by the one date reader.

    A year alone is taken as 1 January of that year; where it takes part in an order (two
    or more dated features) a note says which features' order is approximate.
    """
    parsed = []
    for feature, value in zip(features["source_id"], _column(features, attribute).to_numpy(object)):
        try:
            parsed.append(parse_date(value))
        except DateError as error:  # an attribute the front door did not read as a date (a catalogue naming another one)
            raise InputError((f"{criterion.layer}: đối tượng {feature}, '{attribute}' {error.vi}", f"{criterion.layer}: feature {feature}, "
                              f"'{attribute}' {error.en}"), error.hint) from None
    dates = pd.Series([pd.Timestamp(p.date) if p else pd.NaT for p in parsed], index=features.index, dtype="datetime64[ns]")
    approximate = [str(i) for i, p in zip(features["source_id"], parsed) if p is not None and p.approximate]
    if approximate and sum(p is not None for p in parsed) > 1:
        listed = ", ".join(approximate[:8]) + (f" (+{len(approximate) - 8})" if len(approximate) > 8 else "")
        notes.append(
            f"{criterion.id} ({criterion.layer}): '{attribute}' của các đối tượng {listed} chỉ có năm, được lấy là ngày 1 tháng 1; thứ tự ưu tiên theo "
            f"quyết định mới nhất giữa chúng và các đối tượng cùng năm là gần đúng / '{attribute}' of feature(s) {listed} is a year alone, taken as "
            "1 January: the precedence by most recent decision between them and features of the same year is approximate"
        )
    return dates


def _skipped(criterion: Criterion, source_ids: pd.Series, reason: tuple[str, str]) -> list[dict]:
    return [{"criterion": criterion.id, "source_layer": criterion.layer, "source_id": source_id, "reason": reason[0], "reason_vi": reason[1]}
            for source_id in source_ids]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of ``frame``, or missing values where it has none."""
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def _proposed(features: pd.DataFrame, criterion: Criterion) -> np.ndarray:
    """Which features the criterion makes into proposed designations (no legal boundary yet)."""
    if criterion.legal_status == "proposed":
        return np.ones(len(features), bool)
    return (_column(features, "legal_status") == "proposed").to_numpy(bool)


def selection_mask(layer: gpd.GeoDataFrame, where: dict[str, list[str]]) -> np.ndarray:
    """Features whose attributes take one of the values of a rule's filter (texts compared as the front door leaves
    them: composed Unicode, no control or format characters).
    """
    mask = np.ones(len(layer), dtype=bool)
    for attribute, values in where.items():
        column = layer[attribute] if attribute in layer else pd.Series([None] * len(layer), index=layer.index)
        mask &= column.map(clean_text).isin(normalised_values(values)).to_numpy()
    return mask


def criterion_geometry(features: gpd.GeoDataFrame, spec: Geometry, layers: LayerSet | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Polygons a criterion (its geometry ``spec``) makes of its selected features.

    Returns the geometries, the assumption text per feature in Vietnamese and in
    English ("" where every width came from the data), and a mask of features that
    could be used (a line or point with no recorded width and no default cannot).
    ``layers`` holds the land a buffer's ``within`` default reads.
    """
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
        distance, known, _ = width_of(features, width, rows, notes)
        usable &= ~rows | known
        geometries[rows & known] = threaded(shapely.buffer, geometries[rows & known], (distance * factor)[rows & known])
    if spec.op == "buffer" and spec.distance is not None:  # the rule model requires a distance for a buffer
        distance, known, assumed = width_of(features, spec.distance, np.ones(len(features), bool), notes)
        usable &= known
        buffered = geometries.copy()
        buffered[known] = threaded(shapely.buffer, geometries[known], distance[known])
        if spec.distance.within is not None and layers is not None:
            buffered = _wider_within(geometries, buffered, assumed, spec.distance, layers, notes)
        geometries = buffered
    return geometries, notes[0], notes[1], usable


def _wider_within(source: np.ndarray, buffered: np.ndarray, assumed: np.ndarray, width: Width, layers: LayerSet,
                  notes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Where a feature with an assumed width crosses the land of ``width.within``, the
    wider default there: the reach inside that land, buffered by it, joins the buffer.

    Each feature meets the land polygons an STRtree finds for it (most meet one or none),
    never the union of all the land: the cost grows with the features, not their product.
    """
    within = width.within
    assert within is not None  # called only for a width with a wider default within some land
    kinds = [k for k in within.layers if k in layers]
    polygons = np.array([g for k in kinds for g in layers[k].geometry.to_numpy() if shapely.get_dimensions(g) == 2], dtype=object)
    if not assumed.any() or not len(polygons):
        return buffered
    feature, land = STRtree(polygons).query(source, predicate="intersects")
    keep = assumed[feature]
    feature, land = feature[keep], land[keep]
    if not len(feature):
        return buffered
    crossing = np.zeros(len(source), bool)
    crossing[feature] = True
    order = np.lexsort((land, feature))
    feature, land = feature[order], land[order]
    first = np.r_[True, feature[1:] != feature[:-1]]
    single = np.bincount(feature, minlength=len(source))[feature] == 1
    reach = np.empty(len(source), dtype=object)
    one = first & single
    reach[feature[one]] = threaded(shapely.intersection, source[feature[one]], polygons[land[one]])
    starts = np.flatnonzero(first & ~single)
    ends = np.r_[np.flatnonzero(first)[1:], len(feature)]
    ends = ends[np.searchsorted(np.flatnonzero(first), starts)]
    for start, end in zip(starts, ends):
        reach[feature[start]] = shapely.intersection(source[feature[start]], shapely.union_all(polygons[land[start:end]]))
    buffered = buffered.copy()
    buffered[crossing] = threaded(shapely.union, buffered[crossing], threaded(shapely.buffer, reach[crossing], within.default_m))
    for texts, note in zip(notes, (within.basis_vi, within.basis)):
        texts[crossing] = texts[crossing] + "; " + note
    return buffered


def width_of(features: gpd.GeoDataFrame, width: Width, rows: np.ndarray, notes: tuple[np.ndarray, np.ndarray]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance per feature from the attribute, else the default (noted as an assumption).

    Returns the distances, which are known, and which are the assumed default.
    """
    recorded = features[width.field].to_numpy(float) * width.factor if width.field and width.field in features else np.full(len(features), np.nan)
    assumed = rows & np.isnan(recorded) & (width.default_m is not None)
    distance = np.where(np.isnan(recorded), width.default_m if width.default_m is not None else np.nan, recorded)
    if assumed.any():
        field_name = width.field or "width"
        note_vi = width.basis_vi or f"áp dụng giá trị mặc định {terms.number(width.default_m, 2).rstrip('0').rstrip(',')} m do chưa có số liệu"
        note_en = f"{field_name} not recorded: {width.default_m:g} m assumed" + (f" ({width.basis})" if width.basis else "")
        for texts, note in zip(notes, (note_vi, note_en)):
            texts[assumed] = np.where(texts[assumed] == "", note, texts[assumed] + "; " + note)
    return distance, ~np.isnan(distance), assumed
