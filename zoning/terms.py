"""One home for words, colours and numbers: zone, verdict and status names in Vietnamese
and English, their colours, the number format and the glossary of every output
(``maps/terms.yaml``); and the texts of the check's findings (``maps/messages.yaml``).

Examples
--------
>>> from zoning import terms
>>> terms.label("zones", "strict"), terms.label("zones", "strict", "en")
('Vùng bảo vệ nghiêm ngặt', 'Strict protection zone')
>>> terms.number(1654.444), terms.number(1654.444, lang="en"), terms.quantity(35.00021, "area_ha")
('1.654,44', '1,654.44', '35,00 ha')
>>> terms.message("partly_outside_province", "detail_vi", share=terms.quantity(12.5, "share_pct"))
'12,50 % địa điểm nằm ngoài ranh giới tỉnh; phần này không được kiểm tra'
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal

import yaml

from zoning.resources import path as data_path

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
ZONE_ORDER: tuple[str, ...] = ("strict", "emission_limited", "other")
M2_PER_HA = 10_000.0
UNITS = {"area_ha": "ha", "length_m": "m", "distance_m": "m", "share_pct": "%", "coordinate_m": ""}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    """The parsed ``terms.yaml`` (cached)."""
    terms = yaml.safe_load(data_path("maps", "terms.yaml").read_text(encoding="utf-8"))
    if tuple(terms["zones"]) != ZONE_ORDER:
        raise RuntimeError(f"terms.yaml: zones must be listed in the order {ZONE_ORDER}")
    return terms


def label(group: str, key: str, lang: Lang = "vi") -> str:
    """The name of a term, e.g. ``label("verdicts", "conflict", "en")`` → ``"Conflict"``.

    An unknown key is returned as it is (never an error in an output).
    """
    entry = catalogue()[group].get(key)
    return str(entry[lang]) if entry else str(key)


def labels(group: str, lang: Lang = "vi") -> dict[str, str]:
    """Every term of a group by key, in one language."""
    return {key: str(entry[lang]) for key, entry in catalogue()[group].items()}


def pair(group: str, key: str) -> tuple[str, str]:
    """The Vietnamese and English names of a term."""
    return label(group, key, "vi"), label(group, key, "en")


def colour(group: str, key: str, part: str = "colour") -> str:
    """The colour of a zone or a verdict (``part="stroke"`` for a zone's outline)."""
    return str(catalogue()[group][key][part])


def zone_name(zone: str, lang: Lang = "vi") -> str:
    """The name of a zone in one language."""
    return label("zones", zone, lang)


def number(value: float | None, decimals: int = 2, lang: Lang = "vi") -> str:
    """A number with thousands grouped, in the language's convention; ``""`` when missing."""
    if value is None:
        return ""
    return numbers([value], decimals, lang)[0]


def numbers(values: Iterable[float], decimals: int = 2, lang: Lang = "vi") -> list[str]:
    """:func:`number` of many values at once (``""`` for NaN)."""
    separators = catalogue()["numbers"]["separators"][lang]
    thousands, decimal = separators["thousands"], separators["decimal"]
    spec = f"_.{decimals}f"
    return ["" if v != v else format(v, spec).replace(".", decimal).replace("_", thousands) for v in values]


def decimals(quantity: str) -> int:
    """The decimals every output prints for a quantity (``area_ha``, ``distance_m``, …)."""
    return int(catalogue()["numbers"]["decimals"][quantity])


def quantity(value: float | None, kind: str, lang: Lang = "vi") -> str:
    """A quantity with its unit and standard decimals, e.g. ``35,00 ha`` or ``120,5 m``."""
    if value is None:
        return ""
    return quantities([value], kind, lang)[0]


def quantities(values: Iterable[float], kind: str, lang: Lang = "vi") -> list[str]:
    """:func:`quantity` of many values at once (``""`` for NaN)."""
    unit = UNITS[kind]
    return [f"{text} {unit}".rstrip() if text else "" for text in numbers(values, decimals(kind), lang)]


def glossary() -> list[dict[str, Any]]:
    """The one form of each term every output uses, and the forms none may use (``terms.yaml``)."""
    return list(catalogue()["glossary"])


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    """The parsed ``messages.yaml``: the texts of the findings by code (cached)."""
    return yaml.safe_load(data_path("maps", "messages.yaml").read_text(encoding="utf-8"))


def template(code: str, field: str) -> str:
    """The text of a finding before its ``{placeholders}`` are filled, e.g. ``template("no_data", "title_en")``."""
    try:
        return str(messages()[code][field])
    except KeyError:
        raise KeyError(f"messages.yaml has no '{field}' for '{code}'") from None


def message(code: str, field: str, **values: Any) -> str:
    """The text of a finding with its placeholders filled (numbers already formatted)."""
    return template(code, field).format(**values)


def message_pair(code: str, field: str, **values: Any) -> tuple[str, str]:
    """The Vietnamese and English texts of ``field`` (``field_vi``, ``field_en``).

    A value given as a (Vietnamese, English) tuple fills each text with its own form.
    """
    return tuple(  # type: ignore[return-value]
        message(code, f"{field}_{lang}", **{k: v[i] if isinstance(v, tuple) else v for k, v in values.items()})
        for i, lang in enumerate(LANGUAGES)
    )
