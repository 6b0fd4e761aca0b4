"""The check's rules as data: project types (ND08 Appendix II), site rules, sensitive
elements (LEP Art. 28(1)(c)) and the check settings, read from ``rules/project-types.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from zoning.inputs.catalogue import load_catalogue
from zoning.law.rulefile import RuleFileHeader, RuleModel, located_error, read_yaml_model
from zoning.law.safety import (
    FacilityCatalogue,
    load_facilities,
)
from zoning.resources import path as resource

# ------------------------------------------------------------------ the check's rules

Status = Literal["confirmed", "unconfirmed"]
Effect = Literal["conflict", "review", "info"]


class Exclusion(RuleModel):
    """A case the Appendix II row leaves out ("trừ …", or a step the row requires): a
    project that falls under it is not on the list for that row.
    """

    code: str
    text_vi: str
    text_en: str


class PollutionRisk(RuleModel):
    """Whether a project type is on ND08 Appendix II, its capacity thresholds and exclusions."""

    listed: bool | None
    status: Status
    row: str = ""
    capacity_unit: str = ""
    large_min: float | None = Field(None, gt=0)
    small_below: float | None = Field(None, gt=0)
    excludes: list[Exclusion] = []
    note: str = ""


class ProjectType(RuleModel):
    """A project type: its code, names, facility type and pollution-risk listing."""

    code: str
    name_vi: str
    name_en: str
    group: str
    facility: str | None = None
    discharges_wastewater: bool | None = None
    in_watercourse: bool = False
    pollution_risk: PollutionRisk


class Tolerance(RuleModel):
    """Positional tolerance of the source data: a default and per-layer values in metres."""

    default: float = Field(ge=0)
    basis: str = ""
    layers: dict[str, float] = {}


class Settings(RuleModel):
    """Settings of the site check: search distance, tolerances, layers a check needs."""

    search_distance_m: float = Field(gt=0)
    positional_tolerance_m: Tolerance
    required_layers: tuple[str, ...] = ()


class When(RuleModel):
    """When a finding applies: the zones and nearby layers that trigger it, and the sites it concerns."""

    zones: tuple[Literal["strict", "emission_limited"], ...] = ()
    near_layers: tuple[str, ...] = ()
    applies_to: str | tuple[str, ...] = "all"


class SiteRule(RuleModel):
    """A finding made from where a site is (zones touched, layers near)."""

    id: str
    when: When
    effect: Effect
    status: Status
    title_vi: str
    title_en: str
    citation_vi: str
    citation_en: str
    note: str = ""


class Trigger(RuleModel):
    """What makes a site meet a sensitive element: a feature of ``layer`` that matches
    ``where``. ``status`` overrides the element's when reading the feature as the element
    is an interpretation; ``buffer`` marks a buffer zone of the designation (unconfirmed).
    """

    layer: str
    where: dict[str, list[str]] = {}
    status: Status | None = None
    buffer: bool = False
    note: str = ""


class SensitiveElement(RuleModel):
    """A sensitive element used to classify investment projects, and what triggers it."""

    id: str
    title_vi: str
    title_en: str
    citation_vi: str
    citation_en: str
    status: Status
    triggers: list[Trigger]
    applies_to: str | tuple[str, ...] = "all"
    relation: Literal["inside", "near"] = "inside"
    note: str = ""


class Cited(RuleModel):
    """A legal statement with its citation and whether it is confirmed."""

    status: Status = "confirmed"
    title_vi: str = ""
    title_en: str = ""
    citation_vi: str
    citation_en: str


class ProjectTypesFile(RuleFileHeader):
    """The content of ``rules/project-types.yaml``."""

    source: str
    settings: Settings
    appendix_ii: Cited
    project_types: list[ProjectType]
    site_rules: list[SiteRule]
    sensitive_elements: list[SensitiveElement]
    group_i: Cited


APPLIES_TO = ("all", "pollution_risk", "facility", "discharges_wastewater", "in_watercourse")


@dataclass(frozen=True)
class CheckRules:
    """Project types, site rules, sensitive elements and the safety-distance catalogue."""

    file: ProjectTypesFile
    path: Path
    facilities: FacilityCatalogue

    @property
    def id(self) -> str:
        """E.g. ``project-types@2026.1+safety-distances@2026.1``."""
        return f"{self.file.id}@{self.file.version}+{self.facilities.ruleset}"

    @cached_property
    def types(self) -> dict[str, ProjectType]:
        """The project types by code."""
        return {t.code: t for t in self.file.project_types}

    @cached_property
    def type_names(self) -> dict[str, str]:
        """The project types' names by code, ``"vi | en"``: a table of sites may give a type by its name."""
        return {t.code: f"{t.name_vi} | {t.name_en}" for t in self.file.project_types}

    def exclusion(self, type_code: str, code: str) -> Exclusion | None:
        """The Appendix II exclusion ``code`` of a project type (None when it has none such)."""
        project = self.types.get(type_code)
        return next((e for e in project.pollution_risk.excludes if e.code == code), None) if project else None

    @property
    def settings(self) -> Settings:
        """The settings of the site check."""
        return self.file.settings

    def type_table(self) -> pd.DataFrame:
        """One row per project type with the flags the check selects on."""
        rows = []
        for t in self.file.project_types:
            risk = t.pollution_risk
            rows.append({
                "type": t.code, "type_name_vi": t.name_vi, "type_name_en": t.name_en, "facility": t.facility,
                "pollution_risk": {True: "listed", False: "not_listed", None: "unknown"}[risk.listed],
                "risk_status": risk.status, "risk_row": risk.row, "risk_unit": risk.capacity_unit,
                "large_min": risk.large_min, "small_below": risk.small_below, "risk_note": risk.note,
                "exclusions": ", ".join(e.code for e in risk.excludes),
                "discharges_wastewater": bool(t.discharges_wastewater), "in_watercourse": t.in_watercourse,
            })
        return pd.DataFrame(rows)


def load_check_rules(path: str | Path | None = None, facilities: FacilityCatalogue | None = None) -> CheckRules:
    """Load and cross-check ``rules/project-types.yaml`` (the shipped one by default).

    Parameters
    ----------
    path
        A project-type file; the shipped ``rules/project-types.yaml`` by default.
    facilities
        The safety-distance catalogue its facility types refer to; the shipped one by default.

    Returns
    -------
    CheckRules
        Project types (ND08 Appendix II), site rules, sensitive elements and settings.

    Raises
    ------
    RuleError
        Naming the file, line and key: an unknown key, a facility type that is not in the
        safety-distance catalogue, an unknown layer kind, a duplicate code.

    Examples
    --------
    >>> import zoning
    >>> rules = zoning.load_check_rules()
    >>> rules.types["sanitary_landfill"].facility
    'sanitary_landfill'
    """
    path = Path(path) if path else resource("rules", "project-types.yaml")
    data, text = read_yaml_model(path, ProjectTypesFile, ("tệp loại hình dự án", "project-type file"))
    facilities = facilities or load_facilities()
    kinds = load_catalogue().kinds
    codes = [t.code for t in data.project_types]
    seen: set[str] = set()
    for index, t in enumerate(data.project_types):
        if t.code in seen:
            raise located_error(path, text, ("project_types", index, "code"), (f"'{t.code}' được khai báo hai lần", f"'{t.code}' is defined twice"))
        seen.add(t.code)
        if t.facility is not None and t.facility not in facilities:
            raise located_error(path, text, ("project_types", index, "facility"),
                                (f"không có loại công trình '{t.facility}' (xem {facilities.path.name})", "unknown facility type "
                                    f"'{t.facility}' (see {facilities.path.name})"))
        exclusions = [e.code for e in t.pollution_risk.excludes]
        if len(set(exclusions)) != len(exclusions):
            raise located_error(path, text, ("project_types", index, "pollution_risk", "excludes"),
                                ("một mã trường hợp loại trừ được khai báo hai lần", "an exclusion code is defined twice"))
    layers: list[tuple] = [("settings", "required_layers", i, k) for i, k in enumerate(data.settings.required_layers)]
    layers += [("site_rules", i, "when", "near_layers", j, k) for i, r in enumerate(data.site_rules) for j, k in enumerate(r.when.near_layers)]
    layers += [("sensitive_elements", i, "triggers", j, "layer", t.layer) for i, e in enumerate(data.sensitive_elements) for j, t in enumerate(e.triggers)]
    for *loc, kind in layers:
        if kind not in kinds:
            raise located_error(path, text, tuple(loc), (f"không có loại lớp dữ liệu '{kind}' (có: {', '.join(kinds)})",
                                                         f"unknown layer kind '{kind}' (known: {', '.join(kinds)})"))
    for group, items in (("site_rules", [r.when.applies_to for r in data.site_rules]), ("sensitive_elements", [e.applies_to for e in data.sensitive_elements])):
        for index, applies in enumerate(items):
            bad = [a for a in ((applies,) if isinstance(applies, str) else applies) if a not in APPLIES_TO and a not in codes]
            if bad:
                raise located_error(
                    path,
                    text,
                    (group, index),
                    (
                        f"applies_to: giá trị không hợp lệ {bad} (dùng {', '.join(APPLIES_TO)} hoặc mã loại hình dự án)",
                        f"applies_to: unknown value(s) {bad} (use {', '.join(APPLIES_TO)} or project-type codes)",
                    ),
                )
    return CheckRules(data, path, facilities)


def type_catalogue(rules: CheckRules | None = None) -> pd.DataFrame:
    """The project-type catalogue as a table (for ``zoning types`` and the web application).

    Besides :meth:`CheckRules.type_table`: ``safety_distances`` (a summary in English),
    ``capacity_unit`` (of the facility's distance table, else of ND08 Appendix II) and
    ``capacity_needed`` (a safety distance or the Appendix II class depends on it).
    """
    rules = rules or load_check_rules()
    table = rules.type_table()
    distances, units, needed = [], [], []
    for facility, risk_unit, large, small in zip(table["facility"], table["risk_unit"], table["large_min"], table["small_below"]):
        thresholds = any(v is not None and v == v for v in (large, small))
        if not isinstance(facility, str):
            distances.append("")
            units.append(risk_unit if thresholds else "")
            needed.append(thresholds)
            continue
        spec = rules.facilities[facility]
        by_class = any(ref.values_m is not None for refs in spec.distances.values() for ref in refs)
        units.append(spec.capacity_unit if by_class or not thresholds else risk_unit)
        needed.append(by_class or thresholds)
        parts = []
        for receptor, refs in spec.distances.items():
            for ref in refs:  # several sources: the largest value applies
                source = rules.facilities.sources[ref.source]
                if ref.values_m is not None:
                    values = "/".join("–" if v is None else f"{v:g}" for v in ref.values_m)
                    parts.append(f"{receptor}: {values} m by class ({source.citation_en}, {source.status})")
                elif ref.distance_m is not None:
                    parts.append(f"{receptor}: {ref.distance_m:g} m ({source.citation_en}, {source.status})")
                else:
                    parts.append(f"{receptor}: no value — give --distance ({source.citation_en}, {source.status})")
        distances.append("; ".join(parts))
    table["safety_distances"] = distances
    table["capacity_unit"] = units
    table["capacity_needed"] = needed
    return table
