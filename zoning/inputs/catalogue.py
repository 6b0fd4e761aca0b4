"""The layer catalogue: which kinds of input layer exist and what each must carry.

The catalogue itself is data (``layers/catalogue.yaml``); this module gives it a typed
face so readers and rule files can be checked against it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from zoning.data import path as resource

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

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute this kind reads, required first."""
        return self.required + self.optional + COMMON_ATTRIBUTES


class Catalogue(BaseModel):
    """All layer kinds, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    kinds: dict[str, LayerKind]

    def __contains__(self, name: object) -> bool:
        return name in self.kinds

    def __getitem__(self, name: str) -> LayerKind:
        return self.kinds[name]


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the layer catalogue (the shipped one by default)."""
    path = path or resource("catalogue.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {name: LayerKind(name=name, **spec) for name, spec in data["kinds"].items()}
    return Catalogue(version=data["version"], kinds=kinds)
