"""The siting rules as data (``rules/siting.yaml``): the zones searched per facility group,
the receptors a facility keeps its distance from, and the score weights.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field

from zoning.errors import InputError
from zoning.law.rulefile import RuleFileHeader, RuleModel, read_yaml_model
from zoning.resources import path as resource
from zoning.terms import ZONE_ORDER


class ZonePolicy(RuleModel):
    """The zones searched for one facility group, with its basis."""

    allowed_zones: tuple[str, ...]
    status: str
    assumption: bool = False
    title_vi: str
    title_en: str
    citation_vi: str
    citation_en: str


class SitingReceptor(RuleModel):
    """Land a facility keeps its distance from, and the build layers that hold it."""

    name_vi: str
    name_en: str
    distance_receptor: str
    layers: tuple[str, ...]
    required_layer: str
    status: str = "confirmed"
    assumption: bool = False
    note_vi: str = ""
    note_en: str = ""


class Score(RuleModel):
    """How candidate areas are ranked: the target area and the weights of the criteria."""

    area_target: float = Field(4, gt=0)
    weights: dict[str, float]


class SitingRules(RuleFileHeader):
    """The content of ``rules/siting.yaml``."""

    zone_policies: dict[str, ZonePolicy]
    receptors: dict[str, SitingReceptor]
    score: Score


@lru_cache(maxsize=4)
def load_siting_rules(path: str | Path | None = None) -> SitingRules:
    """Read and check ``rules/siting.yaml`` (errors name the line and key)."""
    path = Path(path) if path else resource("rules", "siting.yaml")
    rules, _ = read_yaml_model(path, SitingRules, ("tệp quy tắc chọn địa điểm", "siting rule file"))
    for group, policy in rules.zone_policies.items():
        unknown = ", ".join(sorted(set(policy.allowed_zones) - set(ZONE_ORDER)))
        if unknown:
            raise InputError((f"{path}: zone_policies.{group}: không có vùng {unknown}", f"{path}: zone_policies.{group}: unknown zone(s) {unknown}"),
                             (f"dùng {', '.join(ZONE_ORDER)}", f"use {', '.join(ZONE_ORDER)}"))
    return rules
