"""Environmental safety distances (ATMT) of waste and wastewater facilities, as data.

The catalogue (``rules/safety-distances.yaml``) lists facility types and, for each
receptor (residential areas, domestic water intakes), where the distance comes from:

- a **confirmed** table (QCVN 01:2021/BXD Table 2.22 for wastewater works): one value per
  capacity class, and × 1.5 when the plant must sit upstream of a water source or upwind
  of the town;
- an **unconfirmed** source (QCVN 01:2025/BTNMT for solid waste, QCVN 01:2021/BXD Table
  2.25 for cemeteries): no value is shipped. The value must come from the user
  (``--distance``) or from a province distance file; otherwise it is unknown
  (``distance_m`` is None) and the site needs review with the missing value named.

A receptor may have several sources (the residential distance of a solid-waste facility:
QCVN 01:2025/BTNMT and QCVN 01:2021/BXD, both unconfirmed): the distance is the largest of
their values, the source of that value governs, and the distance is unknown while any of
them has no value (each missing one is named).

User values: a key ``facility:receptor`` or ``facility`` (both receptors) sets the
distance of that facility type, for every source of it (the basis says in place of which
sources); ``facility[:receptor]@source`` (``source:`` in a province file) answers that
source only and wins over a key without one. A value replaces a confirmed value only when
it is larger (a legal minimum cannot be lowered). A bare value (key ``*``) only fills
distances that are otherwise unknown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from zoning import terms
from zoning.errors import InputError
from zoning.law.rulefile import RuleFileHeader, RuleModel, RuleValueError, located_error, read_yaml_model
from zoning.resources import path as resource

ANY_FACILITY = "*"
_UNITS = {
    "m3/day": ("m3/day", "m³/day", "m3/d", "m³/d", "m3/ngày", "m³/ngày", "m3/ngay", "m3 per day", "m3/24h"),
    "t/day": ("t/day", "t/d", "tấn/ngày", "tan/ngay", "tonnes/day", "tons/day", "tpd"),
    "ha": ("ha", "hectare", "hectares"),
}


class CapacityClass(RuleModel):
    """One capacity class of a table: up to ``max`` (open-ended when ``max`` is absent);
    ``label`` in English, ``label_vi`` in Vietnamese (numbers written the Vietnamese way).
    """

    label: str
    label_vi: str
    max: float | None = Field(None, gt=0)
    max_included: bool = True


class DistanceSource(RuleModel):
    """A legal source of distances: a confirmed table or an unconfirmed text."""

    status: Literal["confirmed", "unconfirmed"]
    citation_vi: str
    citation_en: str
    capacity_unit: str | None = None
    classes: tuple[CapacityClass, ...] = ()
    upstream_factor: float | None = Field(None, ge=1)
    upstream_vi: str = ""
    upstream_en: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _classes_ordered(self) -> DistanceSource:
        bounds = [c.max for c in self.classes]
        if self.status == "unconfirmed" and self.classes:
            raise RuleValueError("nguồn chưa xác nhận không có cấp công suất (không có giá trị nào kèm theo)",
                                 "an unconfirmed source carries no capacity classes (no values are shipped)")
        if bounds and (bounds[-1] is not None or any(b is None for b in bounds[:-1])):
            raise RuleValueError("mọi cấp trừ cấp cuối cần có 'max'; cấp cuối không có giới hạn trên",
                                 "every class but the last needs a 'max'; the last is open-ended")
        finite = [b for b in bounds if b is not None]
        if finite != sorted(set(finite)):
            raise RuleValueError("các giá trị 'max' của cấp phải tăng dần", "class 'max' values must increase")
        return self


class DistanceRef(RuleModel):
    """The distance of one facility type to one receptor: a source and its values."""

    source: str
    values_m: tuple[float | None, ...] | None = None
    distance_m: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_kind_of_value(self) -> DistanceRef:
        if self.values_m is not None and self.distance_m is not None:
            raise RuleValueError("chỉ cho 'values_m' (theo cấp công suất) hoặc 'distance_m', không cho cả hai",
                                 "give 'values_m' (per capacity class) or 'distance_m', not both")
        if any(v is not None and v <= 0 for v in self.values_m or ()):
            raise RuleValueError("khoảng cách phải là số dương (null cho ô '–')", "distances must be positive (null for '–')")
        return self


class Facility(RuleModel):
    """A facility type and its distances by receptor: one source, or a list of sources
    whose largest value applies (a single mapping is read as a list of one).
    """

    group: Literal["solid_waste", "wastewater", "cemetery"]
    name_vi: str
    name_en: str
    capacity_unit: str
    table_row_vi: str = ""
    table_row_en: str = ""
    distances: dict[str, tuple[DistanceRef, ...]]

    @field_validator("distances", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {k: [v] if isinstance(v, Mapping) else v for k, v in value.items()}
        return value


class Receptor(RuleModel):
    """What a distance is kept from, and which build layers hold it."""

    name_vi: str
    name_en: str
    layers: tuple[str, ...]
    required_layer: str
    measured_vi: str = ""
    measured_en: str = ""


class SafetyFile(RuleFileHeader):
    """The content of ``rules/safety-distances.yaml``."""

    source: str
    receptors: dict[str, Receptor]
    sources: dict[str, DistanceSource]
    facilities: dict[str, Facility]


class UserDistanceEntry(RuleModel):
    """One row of a province distance file; ``source`` says which source of the facility
    the value answers (every source of it when absent).
    """

    facility: str
    receptor: str | None = None
    source: str | None = None
    distance_m: float = Field(gt=0)
    citation_vi: str = ""
    citation_en: str = ""
    note: str = ""


class UserDistanceFile(RuleModel):
    """A province distance file: values that fill (or tighten) the catalogue."""

    id: str
    version: str
    title_vi: str = ""
    title_en: str = ""
    distances: list[UserDistanceEntry]


@dataclass(frozen=True)
class SafetyDistance:
    """The safety distance that applies to one facility type and receptor.

    ``distance_m`` is None when it is unknown: the source is unconfirmed and no value was
    given, the capacity needed to pick the class is missing, or the table has no value at
    that capacity. ``missing`` then says what to supply. ``basis`` and ``missing`` are in
    English, ``basis_vi`` and ``missing_vi`` their Vietnamese forms.

    ``source`` is the source that governs (the largest value; empty while the distance is
    unknown). When the receptor has several sources, ``sources`` holds the answer of each,
    the distance is the largest of them and it is unknown while any of them is.
    """

    facility: str
    receptor: str
    distance_m: float | None
    status: str  # "confirmed" | "unconfirmed" | "user"
    citation_vi: str
    citation_en: str
    basis: str
    missing: str = ""
    capacity_class: str = ""
    basis_vi: str = ""
    missing_vi: str = ""
    source: str = ""
    sources: tuple[SafetyDistance, ...] = ()


@dataclass(frozen=True)
class UserDistance:
    """A distance given by the user or a province file, with its own citation if any, and
    where it was given, ``(vietnamese, english)``.
    """

    distance_m: float
    citation_vi: str = ""
    citation_en: str = ""
    origin: tuple[str, str] = ("dòng lệnh", "command line")


@dataclass(frozen=True)
class FacilityCatalogue:
    """The facility types with their safety-distance sources, read from one rule file."""

    id: str
    version: str
    path: Path
    receptors: dict[str, Receptor]
    sources: dict[str, DistanceSource]
    facilities: dict[str, Facility]
    title_vi: str = ""
    title_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ruleset(self) -> str:
        """E.g. ``safety-distances@2026.1``."""
        return f"{self.id}@{self.version}"

    @property
    def codes(self) -> tuple[str, ...]:
        """The facility codes."""
        return tuple(self.facilities)

    def __contains__(self, code: object) -> bool:
        return code in self.facilities

    def __getitem__(self, code: str) -> Facility:
        if code not in self.facilities:
            known = ", ".join(self.facilities)
            raise InputError((f"không có loại công trình '{code}'", f"unknown facility type '{code}'"),
                             (f"các loại công trình: {known} (xem `zoning types`)", f"known types: {known} (see `zoning types`)"))
        return self.facilities[code]


# ------------------------------------------------------------------------------ loading

def load_facilities(path: str | Path | None = None) -> FacilityCatalogue:
    """Load and check a safety-distance catalogue (the shipped one by default).

    Raises
    ------
    RuleError
        Naming the file, line and key of the first problem: an unknown key, a missing
        citation, an unknown source or receptor, values on an unconfirmed source, or a
        number of values that does not match the capacity classes.
    """
    path = Path(path) if path else resource("rules", "safety-distances.yaml")
    return _load_facilities(path.resolve(), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=8)
def _load_facilities(path: Path, _mtime: int) -> FacilityCatalogue:
    data, text = read_yaml_model(path, SafetyFile, ("tệp khoảng cách an toàn", "safety-distance file"))
    receptors = ", ".join(data.receptors)
    for code, facility in data.facilities.items():
        for receptor, refs in facility.distances.items():
            where = ("facilities", code, "distances", receptor)
            if receptor not in data.receptors:
                raise located_error(path, text, where, (f"không có đối tượng cần bảo vệ '{receptor}' (có: {receptors})",
                                                        f"unknown receptor '{receptor}' (known: {receptors})"))
            if not refs:
                raise located_error(path, text, where, ("cần ít nhất một nguồn", "at least one source is needed"))
            named = [ref.source for ref in refs]
            if len(set(named)) != len(named):
                raise located_error(path, text, where, ("một nguồn được nêu hai lần", "a source is listed twice"))
            for i, ref in enumerate(refs):
                _check_ref(path, text, (*where, i) if len(refs) > 1 else where, code, facility, ref, data)
        missing = ", ".join(r for r in data.receptors if r not in facility.distances)
        if missing:
            raise located_error(
                path, text, ("facilities", code, "distances"), (f"thiếu mục cho đối tượng cần bảo vệ {missing}", f"no entry for receptor(s) {missing}")
            )
    return FacilityCatalogue(
        id=data.id,
        version=data.version,
        path=path,
        receptors=dict(data.receptors),
        sources=dict(data.sources),
        facilities=dict(data.facilities),
        title_vi=data.title_vi,
        title_en=data.title_en,
    )


def _check_ref(path: Path, text: str, loc: tuple[Any, ...], code: str, facility: Facility, ref: DistanceRef, data: SafetyFile) -> None:
    """One source of a facility's distance: known, with values exactly when it is confirmed, in the facility's unit."""
    if ref.source not in data.sources:
        known = ", ".join(data.sources)
        raise located_error(path, text, (*loc, "source"), (f"không có nguồn '{ref.source}' (có: {known})", f"unknown source '{ref.source}' (known: {known})"))
    source = data.sources[ref.source]
    has_value = ref.values_m is not None or ref.distance_m is not None
    if source.status == "unconfirmed" and has_value:
        raise located_error(
            path,
            text,
            loc,
            (
                f"nguồn '{ref.source}' chưa được xác nhận: không được kèm giá trị (nhập bằng --distance hoặc tệp khoảng cách của tỉnh)",
                f"source '{ref.source}' is unconfirmed: no value may be shipped (give it with --distance or a province file)",
            ),
        )
    if source.status == "confirmed" and not has_value:
        raise located_error(
            path, text, loc, (f"nguồn '{ref.source}' đã được xác nhận: hãy cho giá trị", f"source '{ref.source}' is confirmed: give its value(s)")
        )
    if ref.values_m is not None and len(ref.values_m) != len(source.classes):
        counts = len(ref.values_m), len(source.classes)
        raise located_error(
            path,
            text,
            (*loc, "values_m"),
            (f"{counts[0]} giá trị cho {counts[1]} cấp công suất của '{ref.source}'", f"{counts[0]} values for {counts[1]} capacity classes of '{ref.source}'"),
        )
    if source.classes and normalise_unit(facility.capacity_unit) != normalise_unit(source.capacity_unit or ""):
        raise located_error(
            path,
            text,
            ("facilities", code, "capacity_unit"),
            (
                f"'{facility.capacity_unit}' nhưng các cấp của '{ref.source}' tính bằng {source.capacity_unit}",
                f"'{facility.capacity_unit}' but the classes of '{ref.source}' are in {source.capacity_unit}",
            ),
        )


def load_user_distances(path: str | Path, catalogue: FacilityCatalogue | None = None) -> dict[str, UserDistance]:
    """Read a province distance file into user distances keyed ``facility[:receptor][@source]``."""
    catalogue = catalogue or load_facilities()
    path = Path(path)
    data, text = read_yaml_model(path, UserDistanceFile, ("tệp khoảng cách", "distance file"))
    codes, receptors = ", ".join(catalogue.codes), ", ".join(catalogue.receptors)
    out: dict[str, UserDistance] = {}
    for index, entry in enumerate(data.distances):
        loc = ("distances", index)
        if entry.facility != ANY_FACILITY and entry.facility not in catalogue:
            raise located_error(
                path,
                text,
                (*loc, "facility"),
                (f"không có loại công trình '{entry.facility}' (có: {codes})", f"unknown facility type '{entry.facility}' (known: {codes})"),
            )
        if entry.receptor is not None and entry.receptor not in catalogue.receptors:
            raise located_error(
                path,
                text,
                (*loc, "receptor"),
                (f"không có đối tượng cần bảo vệ '{entry.receptor}' (có: {receptors})", f"unknown receptor '{entry.receptor}' (known: {receptors})"),
            )
        wrong = _not_a_source_of(catalogue, entry.facility, entry.receptor, entry.source)
        if wrong:
            raise located_error(path, text, (*loc, "source"), wrong)
        key = entry.facility + (f":{entry.receptor}" if entry.receptor else "") + (f"@{entry.source}" if entry.source else "")
        if key in out:
            raise located_error(path, text, loc, (f"'{key}' được cho hai lần", f"'{key}' is given twice"))
        origin = f"{path.name} ({data.id}@{data.version})"
        out[key] = UserDistance(entry.distance_m, entry.citation_vi, entry.citation_en, (origin, origin))
    return out


def parse_distance_option(text: str, catalogue: FacilityCatalogue | None = None) -> tuple[str, UserDistance]:
    """Parse ``--distance`` values: ``1000``, ``sanitary_landfill=1000``, ``sanitary_landfill:residential=1000``,
    or one source of it: ``sanitary_landfill:residential@qcvn-01-2021-bxd-solid-waste=1000``.
    """
    catalogue = catalogue or load_facilities()
    key, _, value = text.rpartition("=")
    key = key.strip() or ANY_FACILITY
    try:
        metres = float(value.strip().removesuffix("m").strip())
    except ValueError:
        example = "--distance sanitary_landfill=1000, --distance 1000"
        raise InputError(
            (f"--distance '{text}': '{value}' không phải khoảng cách tính bằng mét", f"--distance '{text}': '{value}' is not a distance in metres"),
            (f"ví dụ {example.replace(', ', ' hoặc ')}", f"e.g. {example.replace(', ', ' or ')}"),
        ) from None
    if not math.isfinite(metres) or metres <= 0:
        raise InputError((f"--distance '{text}': khoảng cách phải là số mét dương", f"--distance '{text}': the distance must be a positive number of metres"))
    named, _, source = key.partition("@")
    facility, _, receptor = named.partition(":")
    if facility != ANY_FACILITY and facility not in catalogue:
        codes = ", ".join(catalogue.codes)
        raise InputError(
            (f"--distance '{text}': không có loại công trình '{facility}'", f"--distance '{text}': unknown facility type '{facility}'"),
            (f"các loại công trình: {codes}", f"known types: {codes}"),
        )
    if receptor and receptor not in catalogue.receptors:
        receptors = ", ".join(catalogue.receptors)
        raise InputError(
            (f"--distance '{text}': không có đối tượng cần bảo vệ '{receptor}'", f"--distance '{text}': unknown receptor '{receptor}'"),
            (f"dùng một trong: {receptors}", f"use one of: {receptors}"),
        )
    wrong = _not_a_source_of(catalogue, facility, receptor or None, source or None)
    if wrong:
        raise InputError((f"--distance '{text}': nguồn không áp dụng được — {wrong[0]}", f"--distance '{text}': a source that does not apply — {wrong[1]}"))
    return key, UserDistance(metres)


def _not_a_source_of(catalogue: FacilityCatalogue, facility: str, receptor: str | None, source: str | None) -> tuple[str, str] | None:
    """Why ``source`` cannot be answered for this facility (and receptor), or None when it can (or none is named)."""
    if source is None:
        return None
    if facility == ANY_FACILITY:
        known = list(catalogue.sources)
    else:
        spec = catalogue[facility]
        known = list(dict.fromkeys(ref.source for r, refs in spec.distances.items() if receptor in (None, r) for ref in refs))
    if source in known:
        return None
    return f"nguồn '{source}' không áp dụng ở đây (có: {', '.join(known)})", f"source '{source}' does not apply here (known: {', '.join(known)})"


def normalise_unit(unit: str | None) -> str:
    """Canonical capacity unit (``m3/day``, ``t/day``, ``ha``) or the text lower-cased."""
    if unit is None:
        return ""
    text = re.sub(r"\s+", "", str(unit).strip().lower())
    for canonical, aliases in _UNITS.items():
        if text in {re.sub(r"\s+", "", a) for a in aliases}:
            return canonical
    return text


# ------------------------------------------------------------------------------ lookup


def capacity_class(source: DistanceSource, capacity: float) -> int:
    """Index of the capacity class of ``source`` that ``capacity`` falls in."""
    return int(capacity_classes(source, np.array([capacity], dtype=float))[0])


def capacity_classes(source: DistanceSource, capacities: np.ndarray) -> np.ndarray:
    """Class index of each capacity (vectorised); -1 for a missing capacity or a source without classes."""
    capacities = np.asarray(capacities, dtype=float)
    if not source.classes:
        return np.full(len(capacities), -1)
    index = np.zeros(len(capacities), dtype=int)
    for klass in source.classes[:-1]:  # a capacity above a class's upper bound is in a later class
        index += (capacities > klass.max) if klass.max_included else (capacities >= klass.max)
    return np.where(np.isnan(capacities), -1, index)


def safety_distance(
    facility: str,
    receptor: str,
    capacity: float | None = None,
    *,
    upstream: bool = False,
    user_distances: Mapping[str, float | UserDistance] | None = None,
    catalogue: FacilityCatalogue | None = None,
) -> SafetyDistance:
    """The safety distance of a facility type to a receptor, with its basis.

    Parameters
    ----------
    facility
        Facility type code, e.g. ``"wastewater_treatment"`` (see ``zoning types``).
    receptor
        ``"residential"`` or ``"water_intake"``.
    capacity
        Capacity in the facility's unit (m³/day for wastewater works); picks the class.
    upstream
        The plant must sit upstream of a water source or upwind of the town (× 1.5 where
        the table says so).
    user_distances
        Values keyed ``facility:receptor``, ``facility`` or ``*`` (see the module notes).
    catalogue
        The catalogue to use; the shipped one by default.
    """
    catalogue = catalogue or load_facilities()
    spec = catalogue[facility]
    if receptor not in catalogue.receptors:
        receptors = ", ".join(catalogue.receptors)
        raise InputError(
            (f"không có đối tượng cần bảo vệ '{receptor}'", f"unknown receptor '{receptor}'"), (f"dùng một trong: {receptors}", f"use one of: {receptors}")
        )
    values = user_distances or {}
    parts = tuple(_one_source(_request(facility, receptor, spec, ref, values, catalogue), capacity, upstream) for ref in spec.distances[receptor])
    return parts[0] if len(parts) == 1 else _largest(parts, catalogue, values)


def capacity_key(catalogue: FacilityCatalogue, facility: str, receptor: str, capacities: np.ndarray) -> np.ndarray:
    """One integer per capacity that differs exactly when a capacity class of some source of the receptor does."""
    key = np.zeros(len(capacities), dtype=int)
    for ref in catalogue[facility].distances[receptor]:
        source = catalogue.sources[ref.source]
        key = key * (len(source.classes) + 1) + capacity_classes(source, capacities) + 1
    return key


def _one_source(request: _Request, capacity: float | None, upstream: bool) -> SafetyDistance:
    """The distance under one source of the receptor."""
    if request.source.status == "unconfirmed":
        return _unconfirmed(request)
    spec, ref, source = request.spec, request.ref, request.source
    klass = ""
    value: float | None
    if ref.distance_m is not None:
        value, row = ref.distance_m, (spec.table_row_vi or spec.name_vi, spec.table_row_en or spec.name_en)
    elif capacity is None or (isinstance(capacity, float) and math.isnan(capacity)):
        return _without_capacity(request)
    else:
        index = capacity_class(source, float(capacity))
        klass, value = source.classes[index].label, (ref.values_m or ())[index]
        named = (source.classes[index].label_vi, klass)
        row = _say("row_class", row=(spec.table_row_vi, spec.table_row_en), capacity_class=named)
        if value is None:
            return _without_value(request, row, named)
    legal, basis = _upstream(request, value, row, upstream)
    return _against_user(request, legal, basis, klass)


@dataclass(frozen=True)
class _Request:
    """One look-up: a facility type and a receptor, their source, and the user's value if any."""

    facility: str
    receptor: str
    spec: Facility
    ref: DistanceRef
    source: DistanceSource
    user_key: str
    user: UserDistance | None
    source_id: str = ""

    @property
    def citation(self) -> tuple[str, str]:
        return self.source.citation_vi, self.source.citation_en

    def answer(self, distance: float | None, status: str, basis: tuple[str, str], missing: tuple[str, str] = ("", ""), klass: str = "") -> SafetyDistance:
        """The distance found, cited to the user when it is the user's value."""
        cite = _user_citation(self.user, self.source) if status == "user" and self.user is not None else self.citation
        return SafetyDistance(self.facility, self.receptor, distance, status, cite[0], cite[1], basis[1], missing[1], klass, basis[0], missing[0],
                              self.source_id if distance is not None else "")

    def user_text(self, field: str, **values: str | tuple[str, str]) -> tuple[str, str]:
        """A text about the user's value (its origin, key and distance)."""
        assert self.user is not None  # asked only when the user gave a value
        return _say(field, origin=self.user.origin, key=self.user_key, distance=_metres(self.user.distance_m), **values)


def _request(facility: str, receptor: str, spec: Facility, ref: DistanceRef, user_distances: Mapping, catalogue: FacilityCatalogue) -> _Request:
    user_key, user = _user_value(user_distances, facility, receptor, ref.source)
    return _Request(facility, receptor, spec, ref, catalogue.sources[ref.source], user_key, user, ref.source)


def _unconfirmed(request: _Request) -> SafetyDistance:
    """An unconfirmed source ships no value: the user's value, or unknown."""
    if request.user is not None:
        return request.answer(request.user.distance_m, "user", request.user_text("user_unconfirmed", citation=request.citation))
    missing = _say("missing_unconfirmed", facility=request.facility, receptor=request.receptor, citation=request.citation)
    return request.answer(None, "unconfirmed", _say("unconfirmed", citation=request.citation), missing)


def _without_capacity(request: _Request) -> SafetyDistance:
    """A table by capacity class and no capacity: a facility-specific user value, or unknown."""
    if request.user is not None and not _generic(request.user_key):
        return request.answer(request.user.distance_m, "user", request.user_text("user_no_capacity", citation=request.citation))
    values = [v for v in request.ref.values_m or () if v is not None]
    span = _say("span", low=_number(min(values)), high=_number(max(values))) if values else _say("no_span")
    basis = _say("no_capacity", citation=request.citation, row=(request.spec.table_row_vi, request.spec.table_row_en), span=span)
    missing = _say("missing_capacity", unit=request.source.capacity_unit or "", facility=request.facility, citation=request.citation)
    return request.answer(None, "confirmed", basis, missing)


def _without_value(request: _Request, row: tuple[str, str], klass: tuple[str, str]) -> SafetyDistance:
    """The table has no value ('–') at this capacity class (named ``(vietnamese, english)``): the user's value, or unknown."""
    if request.user is not None:
        return request.answer(request.user.distance_m, "user", request.user_text("user_no_cell", citation=request.citation, row=row), klass=klass[1])
    missing = _say("missing_no_cell", facility=request.facility, receptor=request.receptor, citation=request.citation, capacity_class=klass)
    return request.answer(None, "confirmed", _say("no_cell", citation=request.citation, row=row), missing, klass[1])


def _upstream(request: _Request, value: float, row: tuple[str, str], upstream: bool) -> tuple[float, tuple[str, str]]:
    """The table value, × the upstream factor where the table says so: the legal minimum and its basis."""
    source = request.source
    factor = source.upstream_factor if upstream and source.upstream_factor else 1.0
    legal = value * factor
    basis = _say("table", citation=request.citation, row=row, value=_metres(value))
    if factor != 1.0:
        decimals = len(f"{factor:g}".partition(".")[2])
        times = _say("upstream", factor=_number(factor, decimals), reason=(source.upstream_vi, source.upstream_en), distance=_metres(legal))
        basis = (basis[0] + times[0], basis[1] + times[1])
    return legal, basis


def _against_user(request: _Request, legal: float, basis: tuple[str, str], klass: str) -> SafetyDistance:
    """A facility-specific user value replaces the legal minimum only when it is larger."""
    user = request.user
    if user is None or _generic(request.user_key) or user.distance_m == legal:
        return request.answer(legal, "confirmed", basis, klass=klass)
    if user.distance_m > legal:
        return request.answer(user.distance_m, "user", request.user_text("user_stricter", basis=basis), klass=klass)
    lower = _say("user_lower", origin=user.origin, distance=_metres(user.distance_m))
    return request.answer(legal, "confirmed", (basis[0] + lower[0], basis[1] + lower[1]), klass=klass)


def _largest(parts: tuple[SafetyDistance, ...], catalogue: FacilityCatalogue, values: Mapping[str, float | UserDistance]) -> SafetyDistance:
    """Several sources for one receptor: the largest of their values applies, unknown while any of them is.

    A user value keyed without a source answers every source it reaches; the basis then
    says in place of which sources it was given.
    """
    first = parts[0]
    sources = [catalogue.sources[ref.source] for ref in catalogue[first.facility].distances[first.receptor]]
    cites = [(source.citation_vi, source.citation_en) for source in sources]
    law = ("; ".join(c[0] for c in cites), "; ".join(c[1] for c in cites))
    short = [(_short(c[0]), _short(c[1])) for c in cites]  # the full citations are in the citation column already
    listed = _source_items(parts, short, catalogue, values)
    items = (" | ".join(o[0] for o in listed), " | ".join(o[1] for o in listed))
    unknown = [p_ for p_ in parts if p_.distance_m is None]
    if unknown:
        status = "unconfirmed" if any(p_.status == "unconfirmed" for p_ in unknown) else "confirmed"
        basis = _say("several_unknown", sources=items)
        missing = ("; ".join(p_.missing_vi for p_ in unknown), "; ".join(p_.missing for p_ in unknown))
        return SafetyDistance(first.facility, first.receptor, None, status, law[0], law[1], basis[1], missing[1], "", basis[0], missing[0], "", parts)
    largest = max(float(p_.distance_m or 0) for p_ in parts)
    chosen = next(p_ for p_ in parts if p_.distance_m == largest)  # the first source, on a tie
    top = [c for c, p_ in zip(short, parts) if p_.distance_m == largest]
    governs = ("; ".join(c[0] for c in top), "; ".join(c[1] for c in top))
    basis = listed[0] if len(listed) == 1 else _say("several", distance=_metres(largest), governing=governs, sources=items)
    cite = law
    if chosen.status == "user":
        _key, user = _user_value(values, first.facility, first.receptor, chosen.source)
        if user is not None and (user.citation_vi or user.citation_en):
            own = (user.citation_vi or user.citation_en, user.citation_en or user.citation_vi)
            cite = (f"{own[0]}; {law[0]}", f"{own[1]}; {law[1]}")
    return SafetyDistance(first.facility, first.receptor, largest, chosen.status, cite[0], cite[1], basis[1], "", chosen.capacity_class, basis[0], "",
                          chosen.source, parts)


def _short(citation: str) -> str:
    """A source named by its regulation alone: ``QCVN 01:2025/BTNMT (ban hành kèm …)`` → ``QCVN 01:2025/BTNMT``."""
    return citation.split(" (")[0]


def _source_items(parts: tuple[SafetyDistance, ...], cites: list[tuple[str, str]], catalogue: FacilityCatalogue,
                  values: Mapping[str, float | UserDistance]) -> list[tuple[str, str]]:
    """What each source gives, ``(vietnamese, english)``: its basis, "no value yet", or one user value in place of several."""
    first = parts[0]
    refs = catalogue[first.facility].distances[first.receptor]
    users = [_user_value(values, first.facility, first.receptor, ref.source) if part.status == "user" else ("", None) for part, ref in zip(parts, refs)]
    out: list[tuple[str, str]] = []
    done: set[str] = set()
    for part, cite, (key, user) in zip(parts, cites, users):
        shared = [c for c, (k, _) in zip(cites, users) if key and k == key]
        if user is not None and len(shared) > 1:
            if key not in done:
                done.add(key)
                places = ("; ".join(c[0] for c in shared), "; ".join(c[1] for c in shared))
                out.append(_say("user_for", origin=user.origin, key=key, distance=_metres(user.distance_m), citations=places))
        elif part.distance_m is None:
            out.append(_say("source_none", citation=cite))
        else:
            out.append((part.basis_vi, part.basis))
    return out


def _say(field: str, **values: str | tuple[str, str]) -> tuple[str, str]:
    """The Vietnamese and English forms of a text of ``safety_distance`` in ``messages.yaml``."""
    return terms.message_pair("safety_distance", field, **values)


def _number(value: float, decimals: int | None = None) -> tuple[str, str]:
    """A number in the Vietnamese format (by default with the decimals of distances), and
    in the short English form of the ``basis`` column (``400``, ``1.5``).
    """
    return terms.number(value, terms.decimals("distance_m") if decimals is None else decimals), f"{value:g}"


def _metres(value: float) -> tuple[str, str]:
    """A distance with its unit, as :func:`_number` writes it."""
    return tuple(f"{text} m" for text in _number(value))  # type: ignore[return-value]


def _user_value(values: Mapping[str, float | UserDistance], facility: str, receptor: str, source: str) -> tuple[str, UserDistance | None]:
    """The user's value for one source: the one naming it, else the one for the facility (every source), else a bare one."""
    keys = (f"{facility}:{receptor}@{source}", f"{facility}@{source}", f"{facility}:{receptor}", facility,
            f"{ANY_FACILITY}:{receptor}@{source}", f"{ANY_FACILITY}@{source}", f"{ANY_FACILITY}:{receptor}", ANY_FACILITY)
    for key in keys:
        if key in values:
            value = values[key]
            return key, value if isinstance(value, UserDistance) else UserDistance(float(value))
    return "", None


def _generic(key: str) -> bool:
    """A bare value (``*`` or ``*:receptor``) only fills distances that are unknown."""
    return key.startswith(ANY_FACILITY)


def _user_citation(user: UserDistance, source: DistanceSource) -> tuple[str, str]:
    if user.citation_vi or user.citation_en:
        return user.citation_vi or user.citation_en, user.citation_en or user.citation_vi
    if source.status == "unconfirmed":
        return (
            f"Giá trị do người dùng nhập ({user.origin[0]}); giá trị theo {source.citation_vi} chưa được xác nhận",
            f"Value given by the user ({user.origin[1]}); the value under {source.citation_en} is unconfirmed",
        )
    return (
        f"Giá trị do người dùng nhập ({user.origin[0]}), lớn hơn mức tối thiểu theo {source.citation_vi}",
        f"Value given by the user ({user.origin[1]}), above the minimum of {source.citation_en}",
    )
