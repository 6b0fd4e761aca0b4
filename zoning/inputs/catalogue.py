"""The layer catalogue: which kinds of input layer exist and what each must carry.

The catalogue itself is data (``layers/catalogue.yaml``); this module gives it a typed
face so readers and rule files can be checked against it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from zoning.resources import path as resource

GeometryFamily = Literal["polygon", "line", "point"]

COMMON_ATTRIBUTES = ("id", "illustrative", "source")


class LayerKind(BaseModel):
    """One kind of input layer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label_vi: str
    label_en: str
    geometry: tuple[GeometryFamily, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    values: dict[str, tuple[str, ...]] = {}
    defaults: dict[str, str] = {}

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute this kind reads, required first."""
        return self.required + self.optional + COMMON_ATTRIBUTES


class DesignationRank(BaseModel):
    """The legal rank of the designations of one layer kind: ``attribute`` values, highest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    attribute: str
    order: tuple[str, ...]


class Precedence(BaseModel):
    """How overlapping designations of one zone are credited: by legal rank, then by the
    most recent decision date (``date_attribute``), then by file order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date_attribute: str = "decision_date"
    ranks: dict[str, DesignationRank] = {}

    def rank(self, kind: str, values: pd.Series) -> np.ndarray:
        """Legal rank of each feature of ``kind`` (0 = highest; unranked values last)."""
        spec = self.ranks.get(kind)
        if spec is None:
            return np.zeros(len(values), dtype=int)
        order = {value: i for i, value in enumerate(spec.order)}
        return values.map(order).fillna(len(order)).to_numpy(int)


class Catalogue(BaseModel):
    """All layer kinds, by name, the precedence of overlapping designations, and the other names
    of attributes (``aliases``) and of feature ids (``id_columns``) recognised in real data.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    kinds: dict[str, LayerKind]
    precedence: Precedence = Precedence()
    aliases: dict[str, tuple[str, ...]] = {}
    id_columns: tuple[str, ...] = ()

    def __contains__(self, name: object) -> bool:
        return name in self.kinds

    def __getitem__(self, name: str) -> LayerKind:
        return self.kinds[name]


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the layer catalogue (the shipped one by default)."""
    path = path or resource("layers", "catalogue.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    common = data.get("common", {})
    kinds = {name: LayerKind(name=name, **_with_common(spec, common)) for name, spec in data["kinds"].items()}
    return Catalogue(version=data["version"], kinds=kinds, precedence=Precedence(**data.get("precedence", {})),
                     aliases=data.get("aliases", {}), id_columns=tuple(data.get("id_columns", ())))


def _with_common(spec: dict, common: dict) -> dict:
    """A kind's spec with the attributes every kind may carry (``common`` of the catalogue)."""
    return {
        **spec,
        "optional": [*spec.get("optional", []), *common.get("optional", [])],
        "values": {**common.get("values", {}), **spec.get("values", {})},
        "defaults": {**common.get("defaults", {}), **spec.get("defaults", {})},
    }
