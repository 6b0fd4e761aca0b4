"""A build cut into small indexed pieces, ready for many checks."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import STRtree

from zoning.builder.model import Build, as_build
from zoning.builder.overlay import polygonal
from zoning.checker import arrays
from zoning.checker.also import AlsoRows, also_rows
from zoning.errors import InputError
from zoning.law.project_types import CheckRules, Tolerance, load_check_rules

MAX_PIECE_VERTICES = 64  # unit pieces: distances to them are computed pair by pair
COMMUNE_PIECE_VERTICES = 256  # commune pieces: only intersected
MAX_SUBDIVIDE_DEPTH = 40
T = TypeVar("T")
UNIT_TEXT = ("unit_id", "zone", "name", "name_en", "criterion", "citation_vi", "citation_en", "status", "assumption", "source_layer", "source_id")
@dataclass
class Features:
    """Features of one layer kind (or several), indexed."""

    geometry: np.ndarray
    layer: np.ndarray
    source_id: np.ndarray
    name: np.ndarray
    attributes: pd.DataFrame
    tree: STRtree = field(init=False)
    pieces: np.ndarray = field(init=False)
    piece_owner: np.ndarray = field(init=False)
    piece_tree: STRtree = field(init=False)
    vertex_tree: STRtree = field(init=False)
    points_only: bool = field(init=False)

    def __post_init__(self) -> None:
        self.tree = STRtree(self.geometry)
        polygons = np.isin(shapely.get_type_id(self.geometry), (3, 6))
        pieces, owner = subdivide(self.geometry[polygons])
        others = np.flatnonzero(~polygons)
        self.pieces = np.concatenate([pieces, self.geometry[others]])
        self.piece_owner = np.concatenate([np.flatnonzero(polygons)[owner], others])
        self.piece_tree = STRtree(self.pieces)
        self.vertex_tree = STRtree(shapely.points(shapely.get_coordinates(self.pieces)))
        self.points_only = bool((shapely.get_type_id(self.pieces) == 0).all())

    def nearest(self, geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each geometry its nearest feature and the distance: (geometry index, feature index, metres).

        Exact: the nearest vertex bounds the distance from above; the pieces within that
        bound are measured. Much faster than a nearest-neighbour search over polygons.
        """
        (query, vertex), bound = self.vertex_tree.query_nearest(geometries, return_distance=True, all_matches=False)
        if self.points_only:  # each piece is one point: the nearest vertex is the answer
            return query, self.piece_owner[vertex], bound
        upper = np.zeros(len(geometries))
        upper[query] = bound * (1 + 1e-9) + 1e-6  # rounding must not drop the piece of that vertex
        inputs, pieces, distance = arrays.within(geometries, self.piece_tree, self.pieces, upper)
        order = np.lexsort((distance, inputs))
        inputs, pieces, distance = inputs[order], pieces[order], distance[order]
        first = np.r_[True, inputs[1:] != inputs[:-1]] if len(inputs) else np.zeros(0, bool)
        return inputs[first], self.piece_owner[pieces[first]], distance[first]

    def __len__(self) -> int:
        return len(self.geometry)


@dataclass
class BuildIndex:
    """A build cut into small indexed pieces, ready for many checks.

    ``buffered`` holds the criteria whose polygons are buffers grown around their features
    (a corridor, a buffer zone): a site in such a unit is in the feature's buffer, not in it.
    """

    build: Build
    units: pd.DataFrame
    lineage: pd.DataFrame
    unit_pieces: np.ndarray
    unit_owner: np.ndarray
    unit_core_pieces: np.ndarray
    unit_core_owner: np.ndarray
    other_pieces: np.ndarray
    other_core_pieces: np.ndarray
    commune_pieces: np.ndarray
    commune_owner: np.ndarray
    unit_tolerance: np.ndarray
    unit_text: dict[str, np.ndarray]
    also: AlsoRows
    unit_illustrative: np.ndarray
    unit_feature: np.ndarray
    buffered: frozenset[str]
    other_tolerance: float
    layers: dict[str, Features]
    input_kinds: frozenset[str]
    tolerances: dict[str, float]
    timings: dict[str, float]
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def tolerance(self, layer: str) -> float:
        """The positional tolerance of a layer in metres (the default when the layer has none)."""
        return self.tolerances.get(layer, self.tolerances["default"])

    def once(self, key: Hashable, make: Callable[[], T]) -> T:
        """``make()``, computed on the first call for ``key`` and kept with the index.

        For what depends on the build alone (and on rules or options named in ``key``),
        so that a check of a few sites does not redo per-build work.
        """
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


def index_build(
    build: Build | str | Path,
    rules: CheckRules | None = None,
    tolerance: dict[str, float] | float | None = None,
) -> BuildIndex:
    """Prepare a build for checks: subdivided zones, units and communes; input layers.

    Parameters
    ----------
    build
        A build (or its path) from ``zoning build``.
    rules
        Check rules (the shipped ones by default).
    tolerance
        Positional tolerance in metres: one value for every layer, or a mapping layer
        kind → metres (``default`` for the rest), overriding the rule file's settings.
    """
    started = time.perf_counter()
    rules = rules or load_check_rules()
    build = as_build(build)
    tolerances = _tolerances(rules.settings.positional_tolerance_m, tolerance)
    tol = lambda layer: tolerances.get(layer, tolerances["default"])  # noqa: E731
    units = pd.DataFrame(build.units.drop(columns="geometry"))
    unit_geometry = build.units.geometry.to_numpy()
    unit_tolerance = np.array([tol(layer) for layer in units["source_layer"]], dtype=float)
    zones = build.zones.set_index("zone").geometry
    other = np.array([zones["other"]], dtype=object)
    other_tolerance = tol("province")
    unit_pieces, unit_owner = subdivide(unit_geometry)
    unit_core_pieces, unit_core_owner = subdivide(polygonal(shapely.buffer(unit_geometry, -unit_tolerance)))
    other_pieces, _ = subdivide(other)
    other_core_pieces, _ = subdivide(polygonal(shapely.buffer(other, -other_tolerance)))
    commune_pieces, commune_owner = subdivide(build.communes.geometry.to_numpy(), COMMUNE_PIECE_VERTICES)
    input_kinds = frozenset(s["kind"] for s in build.manifest.get("inputs", []))
    wanted = {t.layer for e in rules.file.sensitive_elements for t in e.triggers}
    wanted |= {k for r in rules.facilities.receptors.values() for k in r.layers}
    layers = {}
    for kind in sorted(wanted):
        frame = build.input_layer(kind)
        if frame is not None and len(frame):
            layers[kind] = _features(kind, frame)
    lineage = pd.DataFrame(build.lineage)
    unit_feature = np.full(len(units), -1)
    for kind, features in layers.items():
        rows = np.flatnonzero((units["source_layer"] == kind).to_numpy())
        position = pd.Series(np.arange(len(features)), index=features.source_id)
        unit_feature[rows] = position.reindex(units["source_id"].astype(str).to_numpy()[rows]).fillna(-1).to_numpy(int)
    return BuildIndex(
        build=build, units=units, lineage=lineage, unit_text={c: units[c].astype(str).to_numpy(object) for c in UNIT_TEXT},
        also=also_rows(build, units, unit_geometry),
        unit_illustrative=units["illustrative"].fillna(False).astype(bool).to_numpy() if "illustrative" in units else np.zeros(len(units), bool),
        unit_feature=unit_feature, unit_pieces=unit_pieces, unit_owner=unit_owner,
        buffered=frozenset(build.criteria["id"][build.criteria["op"] == "buffer"]) if "op" in build.criteria else frozenset(),
        unit_core_pieces=unit_core_pieces, unit_core_owner=unit_core_owner,
        other_pieces=other_pieces, other_core_pieces=other_core_pieces,
        commune_pieces=commune_pieces, commune_owner=commune_owner,
        unit_tolerance=unit_tolerance, other_tolerance=other_tolerance, layers=layers,
        input_kinds=input_kinds, tolerances=tolerances,
        timings={"index_s": round(time.perf_counter() - started, 3)},
    )


def _tolerances(setting: Tolerance, override: dict[str, float] | float | None) -> dict[str, float]:
    out = {"default": setting.default, **setting.layers}
    if isinstance(override, (int, float)):
        return {"default": float(override)}
    for key, value in (override or {}).items():
        if value < 0 or not math.isfinite(value):
            raise InputError((f"dung sai của '{key}' phải là số mét không âm", f"tolerance for '{key}' must be a non-negative number of metres"),
                             (f"ví dụ --tolerance {key}=10", f"e.g. --tolerance {key}=10"))
        out[key] = float(value)
    return out


def _features(kind: str, frame: gpd.GeoDataFrame) -> Features:
    n = len(frame)
    return Features(
        geometry=frame.geometry.to_numpy(),
        layer=arrays.filled(n, kind),
        source_id=frame["source_id"].astype(str).to_numpy(object) if "source_id" in frame else np.arange(1, n + 1).astype(str).astype(object),
        name=frame["name"].astype(str).to_numpy(object) if "name" in frame else arrays.filled(n, ""),
        attributes=pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True),
    )


def subdivide(geometries: np.ndarray, max_vertices: int = MAX_PIECE_VERTICES) -> tuple[np.ndarray, np.ndarray]:
    """Cut geometries into pieces of at most ``max_vertices`` vertices.

    Each too-large piece is halved across the longer side of its bounding box, all
    pieces of a round in one vectorised intersection. Returns the pieces and the index
    of the geometry each came from. The pieces of a polygon tile it: their areas add up
    to its area and its distance to anything is the least distance to its pieces.
    """
    pieces = np.asarray(geometries, dtype=object)
    owner = np.arange(len(pieces))
    done_pieces, done_owner = [], []
    for _ in range(MAX_SUBDIVIDE_DEPTH):
        keep = ~(shapely.is_missing(pieces) | shapely.is_empty(pieces))
        pieces, owner = pieces[keep], owner[keep]
        small = shapely.get_num_coordinates(pieces) <= max_vertices
        done_pieces.append(pieces[small])
        done_owner.append(owner[small])
        pieces, owner = pieces[~small], owner[~small]
        if not len(pieces):
            break
        xmin, ymin, xmax, ymax = shapely.bounds(pieces).T
        wide = (xmax - xmin) >= (ymax - ymin)
        xmid, ymid = (xmin + xmax) / 2, (ymin + ymax) / 2
        first = shapely.box(xmin, ymin, np.where(wide, xmid, xmax), np.where(wide, ymax, ymid))
        second = shapely.box(np.where(wide, xmid, xmin), np.where(wide, ymin, ymid), xmax, ymax)
        pieces = polygonal(np.concatenate([shapely.intersection(pieces, first), shapely.intersection(pieces, second)]))
        owner = np.concatenate([owner, owner])
    done_pieces.append(pieces)
    done_owner.append(owner)
    return np.concatenate(done_pieces), np.concatenate(done_owner)
