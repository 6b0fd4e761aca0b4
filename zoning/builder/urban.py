"""Urban areas: the two readings of the urban classes (ND08 Art. 22 with Resolution
111/2025, or the pre-2026 classes) and the area each puts in each zone, shown wherever the
zone of a town depends on the choice; and the names of their units.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.builder.overlay import clip
from zoning.inputs.layers import LayerSet
from zoning.law.criteria import RuleSet
from zoning.terms import M2_PER_HA


def urban_readings(layers: LayerSet, rules: RuleSet) -> list[dict[str, Any]]:
    """Per reading (the one applied first): the towns and the area of their inner areas in each zone."""
    mapping = rules.urban_classes
    towns = layers.layers.get("urban_areas")
    province = layers.layers.get("province")
    land = shapely.union_all(province.geometry.to_numpy()) if towns is not None and province is not None else None
    out = []
    for number, reading in enumerate(mapping.readings()):
        row: dict[str, Any] = {"applied": number == 0, "field": reading.field, "label_vi": reading.label_vi or reading.classification_vi,
                               "label_en": reading.label_en or reading.classification_en}
        for zone in ("strict", "emission_limited"):
            classes = [c for c, z in reading.zone.items() if z == zone]
            if towns is None or reading.field not in towns:
                row[f"{zone}_ha"], row[f"{zone}_towns"] = 0.0, 0
                continue
            chosen = towns[towns[reading.field].astype(str).isin(classes)]
            row[f"{zone}_ha"] = _area_in(chosen.geometry.to_numpy(), land) / M2_PER_HA
            row[f"{zone}_towns"] = len(chosen)
        out.append(row)
    return out


def _area_in(towns: np.ndarray, land: shapely.Geometry | None) -> float:
    """The area of the union of ``towns`` within the province's land (m²); towns rarely
    overlap, so only those that do are merged.
    """
    if not len(towns):
        return 0.0
    parts = shapely.get_parts(shapely.disjoint_subset_union_all(towns))
    return float(shapely.area(clip(parts, land) if land is not None else parts).sum())


def readings_differ(readings: list[dict[str, Any]]) -> bool:
    """Whether the readings put some town in another zone (only then is there a question to show)."""
    return len(readings) > 1 and any(abs(r["strict_ha"] - readings[0]["strict_ha"]) > 1e-6 for r in readings[1:])


def readings_text(readings: list[dict[str, Any]]) -> tuple[str, str]:
    """The conflict on urban classes, framed as ND08 with Resolution 111/2025 against the
    pre-2026 classes, with the area each reading puts in each zone and who decides.
    """
    parts: dict[str, list[str]] = {lang: [] for lang in terms.LANGUAGES}
    for reading in readings:
        for lang in terms.LANGUAGES:
            parts[lang].append(terms.message(
                "urban_classes", f"reading_{lang}", label=reading[f"label_{lang}"],
                strict=terms.quantity(reading["strict_ha"], "area_ha", lang), strict_towns=reading["strict_towns"],
                limited=terms.quantity(reading["emission_limited_ha"], "area_ha", lang), limited_towns=reading["emission_limited_towns"],
                applied=terms.message("urban_classes", f"applied_{lang}") if reading["applied"] else "",
            ))
    vi, en = (terms.message("urban_classes", f"conflict_{lang}", readings="; ".join(parts[lang])) for lang in terms.LANGUAGES)
    return vi, en


def urban_unit_names(template: str, names: Sequence[str] | np.ndarray, former: Sequence[Any] | np.ndarray, lang: terms.Lang) -> list[str]:
    """The unit names of inner urban areas, from the feature's name and former name.

    ``template`` (the criterion's, e.g. "Nội thành, nội thị {name}") names a town; the
    centre of a xã, whose name starts with "trung tâm xã", is "Khu vực nội thị trung tâm
    xã …" instead (a xã has no nội thành); a former name (``former_name``, e.g. the thị
    trấn the centre was until 1 July 2025) follows as "(nguyên …)".
    """
    prefix = unicodedata.normalize("NFC", terms.template("urban_names", "centre_prefix")).casefold()
    out = []
    for name, was in zip(names, former):
        name = unicodedata.normalize("NFC", str(name)).strip()
        if name.casefold().startswith(prefix):
            text = terms.message("urban_names", f"centre_{lang}", name=name[:1].lower() + name[1:])
        else:
            text = template.format(name=name)
        if isinstance(was, str) and was.strip() and not pd.isna(was):
            text = terms.message("urban_names", f"former_{lang}", name=text, former=unicodedata.normalize("NFC", was.strip()))
        out.append(text)
    return out


def zone_by_reading(units: pd.DataFrame, towns: pd.DataFrame | None, urban: dict[str, Any]) -> pd.Series:
    """Per unit, whether its land is an inner urban area whose zone changes with the urban
    classification (``urban``: the build manifest's ``urban_classes``, its ``alternative``
    the other reading): then its zone rests on a choice that is never confirmed.
    """
    readings = [r for r in (urban, urban.get("alternative")) if isinstance(r, dict) and r.get("field")]
    depends = pd.Series(False, index=units.index)
    if towns is None or len(readings) < 2 or not all(r["field"] in towns for r in readings):
        return depends
    ids = towns["source_id"].astype(str)
    zones = [towns[r["field"]].astype(str).map(r.get("zone") or {}) for r in readings]
    moving = set(ids[zones[0].fillna("other") != zones[1].fillna("other")])
    return (units["source_layer"] == "urban_areas") & units["source_id"].astype(str).isin(moving)
