"""The other criteria a site's own footprint meets inside the unit it lies in.

A unit's land may meet criteria besides its own (the build's lineage: a relic inside a
reserve core, a town in a buffer). A site reports those its footprint meets: the land of
each such criterion inside the unit (the feature as drawn, with its default width or
radius when drawn as a line or point) is intersected with the footprint. The land of a
criterion made by a buffer (a corridor) is not kept in the build: it is reported as the
unit's, apart, never as the site's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.model import Build
from zoning.builder.polygons import criterion_geometry
from zoning.builder.units import other_criteria
from zoning.checker import arrays
from zoning.law.criteria import Geometry

Pair = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class AlsoRows:
    """One row per unit and other criterion its land meets (see :func:`also_rows`)."""

    owner: np.ndarray  # the unit's position
    land: np.ndarray  # the criterion's land inside the unit; None: not kept in the build
    items: Pair  # "title – name (citation, status; … shared)" in Vietnamese and English
    citations: Pair
    in_force: np.ndarray  # not a proposed designation: cited
    own: Pair  # per unit: its own citation


def also_rows(build: Build, units: pd.DataFrame, unit_geometry: np.ndarray) -> AlsoRows:
    """The other criteria each unit's land meets, with their land inside the unit where the build allows it
    (``units`` and ``unit_geometry`` in the same order).
    """
    others = other_criteria(build.lineage)
    others = others[others["unit_id"].isin(units["unit_id"])].reset_index(drop=True)
    criteria = build.criteria.set_index("id") if "id" in build.criteria else build.criteria
    position = pd.Series(np.arange(len(units)), index=units["unit_id"].to_numpy())
    owner = position[others["unit_id"].to_numpy()].to_numpy()
    overlaps = arrays.quantities(others["overlap_ha"].to_numpy(float), "area_ha")
    items, citations = [], []
    status = others["status"].to_numpy(object)
    for i, lang in enumerate(terms.LANGUAGES):
        title = others["criterion"].map(criteria[f"title_{lang}"]).fillna(others["criterion"]).to_numpy(object)
        citation = others["criterion"].map(criteria[f"citation_{lang}"]).fillna("").to_numpy(object)
        marks = np.array([terms.message("in_zone", f"status_{lang}", status=terms.label("statuses_short", v, lang)) if v != "confirmed" else ""
                          for v in status], dtype=object)
        items.append(arrays.formatted(terms.template("in_zone", f"also_item_{lang}"), len(others), title=title,
                                      name=others["name"].astype(str).to_numpy(object), citation=citation, status=marks, overlap=overlaps[i]))
        citations.append(citation)
    land = _land(build, others, criteria, unit_geometry[owner])
    own = (units["citation_vi"].astype(str).to_numpy(object), units["citation_en"].astype(str).to_numpy(object))
    return AlsoRows(owner, land, (items[0], items[1]), (citations[0], citations[1]), status != "proposed", own)


def _land(build: Build, others: pd.DataFrame, criteria: pd.DataFrame, unit_geometry: np.ndarray) -> np.ndarray:
    """Each row's criterion land inside its unit: the input feature made into the criterion's
    polygon (as drawn); None for a buffer or a feature the build does not carry.
    """
    land = np.full(len(others), None, dtype=object)
    for (layer, criterion), rows in others.groupby(["source_layer", "criterion"]).groups.items():
        frame = build.input_layer(str(layer))
        spec = criteria.loc[criterion, "geometry_spec"] if criterion in criteria.index and "geometry_spec" in criteria else None
        if frame is None or not isinstance(spec, str) or "source_id" not in frame:
            continue
        geometry = Geometry.model_validate(json.loads(spec))
        if geometry.op != "as_drawn":
            continue
        at = pd.Series(np.arange(len(frame)), index=frame["source_id"].astype(str))
        found = at.reindex(others.loc[rows, "source_id"].astype(str).to_numpy())
        known = found.notna().to_numpy()
        features = frame.iloc[found[known].astype(int).to_numpy()]
        polygons, _, _, usable = criterion_geometry(features, geometry)
        rows = np.asarray(rows)[known][usable]
        land[rows] = shapely.intersection(polygons[usable], unit_geometry[rows])
    return land


def pair_also(rows: AlsoRows, sites: np.ndarray, site: np.ndarray, unit: np.ndarray) -> tuple[Pair, Pair, Pair]:
    """Per (site, unit) pair: the other criteria the site's footprint meets in the unit, those
    of the unit's land whose extent the build does not keep, and the citations (the unit's
    own first, then those the footprint meets in force), in Vietnamese and English.
    """
    n = len(site)
    by_unit = pd.DataFrame({"unit": rows.owner, "row": np.arange(len(rows.owner))})
    pairs = pd.DataFrame({"pair": np.arange(n), "unit": unit}).merge(by_unit, on="unit")
    pair, row = pairs["pair"].to_numpy(int), pairs["row"].to_numpy(int)
    land = rows.land[row]
    known = np.array([g is not None for g in land], dtype=bool)
    footprint = sites[site[pair]]
    meets = np.zeros(len(pair), bool)
    if known.any():  # a point or line that touches the land meets it; a polygon must share some area with it
        rows_known = np.flatnonzero(known)
        touching = rows_known[shapely.intersects(footprint[known], np.asarray(land[known].tolist(), dtype=object))]
        polygon = touching[shapely.get_dimensions(footprint[touching]) == 2]
        meets[touching] = True
        meets[polygon] = shapely.area(shapely.intersection(footprint[polygon], np.asarray(land[polygon].tolist(), dtype=object))) > 0
    out = []
    for field, chosen in (("also_site", meets), ("also", ~known)):
        texts = []
        for i, lang in enumerate(terms.LANGUAGES):
            joined = arrays.joined(pair[chosen], rows.items[i][row[chosen]], n, "; ")
            texts.append(np.where(joined != "", arrays.formatted(terms.template("in_zone", f"{field}_{lang}"), n, criteria=joined), "").astype(object))
        out.append((texts[0], texts[1]))
    cited = meets & rows.in_force[row]
    citations = []
    for i in range(len(terms.LANGUAGES)):
        extra = pd.Series(rows.citations[i][row[cited]]).groupby(pair[cited]).agg(list).to_dict()
        own = rows.own[i][unit]
        citations.append(np.array(["; ".join(dict.fromkeys([o, *extra.get(k, [])])) for k, o in enumerate(own)], dtype=object))
    return out[0], out[1], (citations[0], citations[1])
