"""Sensitive elements (LEP Art. 28(1)(c); ND08 Art. 25(4)) the sites trigger, with what
triggered each: the units they lie in or near, the lineage of those units, the input
features themselves.

A site in a buffer grown around a feature (a unit of a buffer criterion) is in its buffer,
not in it: only a trigger for buffers (``buffer: true``) takes it, and the row says
"vùng đệm" and is unconfirmed. Proposed designations trigger nothing unless asked to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zoning.checker import arrays
from zoning.checker.index import BuildIndex
from zoning.checker.locate import Units
from zoning.checker.sitearrays import SiteArrays
from zoning.inputs.text import clean_text, normalised_values
from zoning.law.project_types import CheckRules, SensitiveElement, Trigger

LINEAGE_WHOLE = 0.999  # a lineage criterion covering this share of a unit covers all of it
RELATIONS = np.array(["inside", "unit_lineage", "near", "buffer"], dtype=object)  # by relation code
BUFFER = 3


@dataclass(frozen=True)
class Sensitive:
    """``pairs``: the site index, element id and relation of each row of ``table``, the
    ``sensitive`` table of the result.
    """

    pairs: pd.DataFrame
    table: pd.DataFrame


@dataclass(frozen=True)
class _Candidates:
    """(site, layer code, feature index, relation code, distance) of possible triggers.

    Relation 0: the site touches the feature or a unit made from it; 1: it lies in a unit
    whose whole land also meets the feature's criterion (lineage); 2: near; 3: it lies in
    a buffer grown around the feature (a unit, or a lineage criterion, of a buffer criterion).
    """

    site: np.ndarray
    layer: np.ndarray
    feature: np.ndarray
    relation: np.ndarray
    distance: np.ndarray

    @staticmethod
    def join(parts: list[tuple[np.ndarray, ...]]) -> _Candidates:
        return _Candidates(*(np.concatenate([p[i] for p in parts]) for i in range(5)))

    def where(self, keep: np.ndarray) -> _Candidates:
        return _Candidates(self.site[keep], self.layer[keep], self.feature[keep], self.relation[keep], self.distance[keep])


def sensitive_elements(sites: SiteArrays, index: BuildIndex, rules: CheckRules, units: Units, wholly_outside: np.ndarray, search: float,
                       include_proposed: bool = False) -> Sensitive:
    """The sensitive elements of the rule file each site (inside the province) triggers."""
    kinds = list(index.layers)
    code = {k: i for i, k in enumerate(kinds)}
    found = _Candidates.join(
        [_through_units(index, units, code)] + _through_lineage(index, units, code, include_proposed)
        + _through_features(sites, index, rules, code, search))
    found = found.where(~wholly_outside[found.site])
    if not include_proposed:
        found = found.where(~_proposed_features(index, kinds, found))
    hit, element, trigger = _triggered(sites, index, rules.file.sensitive_elements, found, code)
    return _result(sites, index, rules.file.sensitive_elements, found.where(hit), element, trigger)


def _proposed_features(index: BuildIndex, kinds: list[str], found: _Candidates) -> np.ndarray:
    """Which candidates are features of a proposed designation (no legal boundary yet)."""
    proposed = np.zeros(len(found.site), bool)
    for number, kind in enumerate(kinds):
        attributes = index.layers[kind].attributes
        if "legal_status" in attributes:
            rows = found.layer == number
            of_layer = index.once(("sensitive.proposed", kind), lambda: (attributes["legal_status"] == "proposed").to_numpy(bool))  # noqa: B023 (called here)
            proposed[rows] = of_layer[found.feature[rows]]
    return proposed


def _through_units(index: BuildIndex, units: Units, code: dict[str, int]) -> tuple[np.ndarray, ...]:
    """The features the units a site lies in or near were made from."""
    pairs = units.pairs[units.pairs["decides"]]
    unit = pairs["unit"].to_numpy()
    feature = index.unit_feature[unit]
    unit_layer = index.once(("sensitive.unit_layer",), lambda: np.array([code.get(k, -1) for k in index.units["source_layer"]], dtype=int))
    layer = unit_layer[unit]
    buffered = np.isin(index.unit_text["criterion"][unit], list(index.buffered))
    known = feature >= 0
    relation = np.where(pairs["inside"].to_numpy(), np.where(buffered, BUFFER, 0), 2)[known]
    return pairs["site"].to_numpy()[known], layer[known], feature[known], relation, pairs["distance"].to_numpy()[known]


def _through_lineage(index: BuildIndex, units: Units, code: dict[str, int], include_proposed: bool = False) -> list[tuple[np.ndarray, ...]]:
    """The features whose criterion covers the whole of a unit a site lies in (the unit's lineage)."""
    if not len(index.lineage):
        return []
    covers = index.once(("sensitive.lineage", include_proposed), lambda: _lineage_features(index, code, include_proposed))
    inside = (units.pairs["inside"] & units.pairs["decides"]).to_numpy()
    site, unit = units.pairs["site"].to_numpy()[inside], units.pairs["unit"].to_numpy()[inside]
    parts: list[tuple[np.ndarray, ...]] = []
    for kind, cover in covers:
        row, pair = arrays.matched(cover["unit"], unit)
        n = len(row)
        parts.append((site[pair], np.full(n, code[kind]), cover["feature"][row], cover["relation"][row], np.zeros(n)))
    return parts


def _lineage_features(index: BuildIndex, code: dict[str, int], include_proposed: bool) -> list[tuple[str, dict[str, np.ndarray]]]:
    """Per input layer, the (unit, feature, relation) of the features whose criterion covers the whole of a unit (per build)."""
    lineage = index.lineage
    whole = lineage[~lineage["prevails"].astype(bool).to_numpy() & (include_proposed | (lineage["status"] != "proposed").to_numpy())]
    area = index.units.set_index("unit_id")["area_ha"].reindex(whole["unit_id"]).to_numpy()
    whole = whole[whole["overlap_ha"].to_numpy() >= LINEAGE_WHOLE * area]
    unit_index = pd.Series(np.arange(len(index.units)), index=index.units["unit_id"]).reindex(whole["unit_id"]).to_numpy()
    covers = []
    for kind in sorted(set(whole["source_layer"]) & set(code)):
        rows = whole["source_layer"].to_numpy() == kind
        position = pd.Series(np.arange(len(index.layers[kind])), index=index.layers[kind].source_id)
        feature = position.reindex(whole["source_id"].astype(str).to_numpy()[rows]).fillna(-1).to_numpy(int)
        buffered = whole["criterion"].isin(index.buffered).to_numpy()[rows]
        known = feature >= 0
        covers.append((kind, {"unit": unit_index[rows][known], "feature": feature[known], "relation": np.where(buffered, BUFFER, 1)[known]}))
    return covers


def _through_features(sites: SiteArrays, index: BuildIndex, rules: CheckRules, code: dict[str, int], search: float) -> list[tuple[np.ndarray, ...]]:
    """Input features a site touches as drawn (or lies near, for the layers of 'near' elements)."""
    near_layers = {t.layer for e in rules.file.sensitive_elements if e.relation == "near" for t in e.triggers}
    parts: list[tuple[np.ndarray, ...]] = []
    for kind, features in index.layers.items():
        if kind in near_layers:
            feature, site, distance = arrays.within(features.geometry, sites.tree, sites.geometry, search)
        else:
            feature, site = sites.tree.query(features.geometry, predicate="intersects")
            distance = np.zeros(len(site))
        parts.append((site, np.full(len(site), code[kind]), feature, np.where(distance <= 0, 0, 2), distance))
    return parts


def _triggered(sites: SiteArrays, index: BuildIndex, elements: list[SensitiveElement], found: _Candidates,
               code: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates that trigger an element, that element's position in the rule file,
    and the trigger that took each (its position among the element's triggers).

    One per (site, element, layer, feature): the closest relation, then the least distance.
    A candidate in a generated buffer (relation 3) is matched as a buffer of its feature
    (``part`` read as ``buffer``) and only by a trigger for buffers.
    """
    hits, orders, taken = [], [], []
    for order, element in enumerate(elements):
        applies = sites.applies(element.applies_to)
        for number, trigger in enumerate(element.triggers):
            if trigger.layer not in code:
                continue
            mask = (found.layer == code[trigger.layer]) & applies[found.site]
            if element.relation == "inside":
                mask &= (found.relation < 2) | ((found.relation == BUFFER) & trigger.buffer)
            if trigger.where:
                feature = np.where(mask, found.feature, 0)
                mask &= np.where(found.relation == BUFFER, matches(index, trigger, as_buffer=True)[feature], matches(index, trigger)[feature])
            hit = np.flatnonzero(mask)
            hits.append(hit)
            orders.append(np.full(len(hit), order))
            taken.append(np.full(len(hit), number))
    hit, element_of, trigger_of = (np.concatenate(a) if a else np.zeros(0, int) for a in (hits, orders, taken))
    by = np.lexsort((found.distance[hit], found.relation[hit], found.feature[hit], found.layer[hit], element_of, found.site[hit]))
    hit, element_of, trigger_of = hit[by], element_of[by], trigger_of[by]
    key = np.column_stack([found.site[hit], element_of, found.layer[hit], found.feature[hit]])
    first = np.r_[True, (key[1:] != key[:-1]).any(axis=1)] if len(key) else np.zeros(0, bool)
    return hit[first], element_of[first], trigger_of[first]


def matches(index: BuildIndex, trigger: Trigger, as_buffer: bool = False) -> np.ndarray:
    """Which features of the trigger's layer meet its attribute condition (``as_buffer``:
    read as the buffer of the feature, ``part`` = ``buffer``). Computed once per index.
    """
    key = ("sensitive.matches", trigger.layer, repr(sorted(trigger.where.items())), as_buffer)
    return index.once(key, lambda: _matches(index, trigger, as_buffer))


def _matches(index: BuildIndex, trigger: Trigger, as_buffer: bool) -> np.ndarray:
    features = index.layers[trigger.layer]
    attributes = features.attributes.assign(part="buffer") if as_buffer and "part" in features.attributes else features.attributes
    mask = np.ones(len(features), bool)
    for attribute, values in trigger.where.items():
        mask &= attributes[attribute].map(clean_text).isin(normalised_values(values)).to_numpy() if attribute in attributes else False
    return mask


def _result(sites: SiteArrays, index: BuildIndex, elements: list[SensitiveElement], hit: _Candidates, element: np.ndarray,
            trigger: np.ndarray) -> Sensitive:
    """The rows: a buffer trigger says ``buffer`` and is unconfirmed; a trigger's own status
    (an interpretation) overrides its element's.
    """
    pick = lambda attribute: np.array([getattr(e, attribute) for e in elements], dtype=object)[element]  # noqa: E731
    used = [elements[e].triggers[t] for e, t in zip(element, trigger)]
    buffer = np.array([t.buffer for t in used], dtype=bool)
    status = np.array(["unconfirmed" if t.buffer else (t.status or elements[e].status) for t, e in zip(used, element)], dtype=object)
    kinds = np.array(list(index.layers), dtype=object)
    layer = kinds[hit.layer] if len(hit.layer) else np.zeros(0, object)
    source_id, name = np.empty(len(hit.site), dtype=object), np.empty(len(hit.site), dtype=object)
    for kind in index.layers:
        rows = layer == kind
        source_id[rows] = index.layers[kind].source_id[hit.feature[rows]]
        name[rows] = index.layers[kind].name[hit.feature[rows]]
    relation = RELATIONS[np.where(buffer, BUFFER, hit.relation)]
    pairs = pd.DataFrame({"site": hit.site, "element": pick("id"), "relation": relation})
    table = pd.DataFrame({
        "site_id": sites.ids[hit.site], "element": pick("id"), "title_vi": pick("title_vi"), "title_en": pick("title_en"),
        "citation_vi": pick("citation_vi"), "citation_en": pick("citation_en"), "status": status,
        "relation": relation, "layer": layer, "source_id": source_id, "feature": name, "distance_m": np.round(hit.distance, 2),
    })
    return Sensitive(pairs, table)
