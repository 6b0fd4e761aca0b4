"""The two readings of the urban classes (ND08 Art. 22 with Resolution 111/2025, or the
pre-2026 classes) and the area each puts in each zone: shown wherever the zone of a town
depends on the choice, whichever reading the province rule file applies.
"""

from __future__ import annotations

from typing import Any

import shapely

from zoning import terms
from zoning.inputs.layers import LayerSet
from zoning.law.criteria import RuleSet
from zoning.terms import M2_PER_HA


def urban_readings(layers: LayerSet, rules: RuleSet) -> list[dict[str, Any]]:
    """Per reading (the one applied first): the towns and the area of their inner areas in each zone."""
    mapping = rules.urban_classes
    towns = layers.layers.get("urban_areas")
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
            row[f"{zone}_ha"] = float(shapely.union_all(chosen.geometry.to_numpy()).area / M2_PER_HA) if len(chosen) else 0.0
            row[f"{zone}_towns"] = len(chosen)
        out.append(row)
    return out


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
