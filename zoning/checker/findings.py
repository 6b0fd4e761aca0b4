"""The findings of the check that follow from where a site is and from its project type:
outside the province, the zones it lies in, the site rules of the rule file, ND08
Appendix II and group I, missing layers, results within the positional tolerance.

Each builder returns its findings (:class:`~zoning.checker.rows.Findings`), and with them
the per-site values the site table needs; texts come from ``maps/messages.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from zoning import terms
from zoning.checker import arrays
from zoning.checker.also import pair_also
from zoning.checker.index import BuildIndex
from zoning.checker.locate import Outside, Units, Zones
from zoning.checker.rows import Findings, finding, texts
from zoning.checker.sitearrays import SiteArrays
from zoning.inputs.crs import WGS84, reproject
from zoning.inputs.reference import locate
from zoning.law.project_types import CheckRules
from zoning.terms import ZONE_ORDER


@dataclass(frozen=True)
class TypeFindings:
    """The ND08 Appendix II capacity class of each site (``""`` when none applies) and the findings."""

    capacity_class: np.ndarray
    findings: Findings


@dataclass(frozen=True)
class NoData:
    """Per site the layers it needs that the build lacks (``", "``-joined), and the findings."""

    layers: np.ndarray
    findings: Findings


@dataclass(frozen=True)
class Borderline:
    """Per site whether a result lies within the positional tolerance, and the findings."""

    sites: np.ndarray
    findings: Findings


# ------------------------------------------------------------------------ where it is


def outside_findings(sites: SiteArrays, outside: Outside) -> Findings:
    """Sites wholly outside the province, and the share of those partly outside."""
    wholly = np.flatnonzero(outside.wholly)
    found = finding(wholly, "outside_province", "outside", "confirmed", texts("outside_province", "title"), _where_outside(sites, wholly))
    partly = np.flatnonzero(~outside.wholly & (outside.measure > 0) & (sites.dim > 0))
    share = arrays.quantities(np.round(100 * outside.measure[partly] / sites.measure[partly], 2), "share_pct")
    code = "partly_outside_province"
    return found + finding(partly, code, "review", "confirmed", texts(code, "title"), texts(code, "detail", len(partly), share=share))


def _where_outside(sites: SiteArrays, wholly: np.ndarray) -> tuple[list[str], list[str]]:
    """Per site wholly outside: where it is, and the province it lies in when the reference boundaries know it."""
    if not len(wholly):
        return [], []
    here = shapely.get_coordinates(reproject(shapely.point_on_surface(sites.geometry[wholly]), sites.sites.frame.crs, WGS84))
    provinces = locate(here[:, 0], here[:, 1]) if np.isfinite(here).all() and (np.abs(here) <= [180, 90]).all() else [None] * len(here)
    vi, en = [], []
    for (lon, lat), province in zip(here, provinces):
        x, y = (f"{lon:.5f}".replace(".", ","), f"{lon:.5f}"), (f"{lat:.5f}".replace(".", ","), f"{lat:.5f}")  # latitude first, as on the page
        if province is not None:
            pair = texts("outside_province", "in_province", province=(province.full_name, province.full_name_en), lon=x, lat=y)
        else:
            pair = texts("outside_province", "nowhere", lon=x, lat=y)
        vi.append(pair[0])
        en.append(pair[1])
    return vi, en


def location_findings(sites: SiteArrays, index: BuildIndex, units: Units) -> Findings:
    """One finding per strict or emission-limited unit a site lies in, with its criterion and
    every other criterion its land meets (from the lineage; their citations too, its own
    first). A unit of a proposed designation gets its own finding, which decides nothing
    unless the check includes proposed designations.
    """
    pairs = units.pairs
    keep = pairs["inside"].to_numpy() & (index.unit_text["zone"][pairs["unit"].to_numpy()] != "other")
    proposed = pairs["proposed"].to_numpy()
    return _in_zone(sites, index, units, keep & ~proposed) + _in_proposed(sites, index, units, keep & proposed)


def _in_zone(sites: SiteArrays, index: BuildIndex, units: Units, keep: np.ndarray) -> Findings:
    pairs = units.pairs
    site, unit = pairs["site"].to_numpy()[keep], pairs["unit"].to_numpy()[keep]
    amount = _amounts(sites, units.table[keep], site)
    on_site, of_unit, citations = pair_also(index.also, sites.geometry, site, unit)  # what the site's own footprint meets
    first, number = arrays.distinct(unit, amount[0], on_site[0], of_unit[0])  # the texts of each combination once
    text = {c: index.unit_text[c][unit[first]] for c in ("zone", "name", "name_en", "unit_id", "criterion", "assumption")}
    n = len(first)
    title = texts("in_zone", "title", n, zone=_zone_names(text["zone"]), name=(text["name"], text["name_en"]))
    detail = texts("in_zone", "detail", n, unit=text["unit_id"], criterion=text["criterion"],
                   amount=(amount[0][first], amount[1][first]), assumption=_assumptions(text["assumption"]),
                   also=tuple(a[first] + b[first] for a, b in zip(on_site, of_unit)))
    row = {c: index.unit_text[c][unit] for c in ("zone", "status")}
    return finding(site, "in_" + row["zone"], "info", row["status"], tuple(t[number] for t in title), tuple(d[number] for d in detail),
                   citations)


def _in_proposed(sites: SiteArrays, index: BuildIndex, units: Units, keep: np.ndarray) -> Findings:
    pairs = units.pairs
    site, unit = pairs["site"].to_numpy()[keep], pairs["unit"].to_numpy()[keep]
    amount = _amounts(sites, units.table[keep], site)
    text = {c: index.unit_text[c][unit] for c in ("zone", "name", "name_en", "unit_id", "criterion")}
    n, code = len(site), "in_proposed"
    title = texts(code, "title", n, zone=_zone_names(text["zone"]), name=(text["name"], text["name_en"]))
    detail = texts(code, "detail", n, unit=text["unit_id"], criterion=text["criterion"], amount=amount,
                   effect=texts(code, "included" if units.include_proposed else "ignored"))
    return finding(site, code, "info", "proposed", title, detail, (index.also.own[0][unit], index.also.own[1][unit]))


def _zone_names(zone: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lower-case names of zones (codes) in Vietnamese and English."""
    number = arrays.zone_index(zone)
    return tuple(np.array([terms.zone_name(z, lang).lower() for z in ZONE_ORDER], dtype=object)[number] for lang in terms.LANGUAGES)


def _amounts(sites: SiteArrays, table: pd.DataFrame, site: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``, overlap 1.23 ha (10.00 %)`` for polygons, ``… m`` for lines, ``""`` for points."""
    dim = sites.dim[site]
    out = (arrays.filled(len(site), ""), arrays.filled(len(site), ""))
    for d, column, kind in ((2, "overlap_ha", "area_ha"), (1, "overlap_m", "length_m")):
        rows = np.flatnonzero(dim == d)
        if len(rows):
            amount = texts("in_zone", "amount", len(rows), overlap=arrays.quantities(table[column].to_numpy(float)[rows], kind),
                           share=arrays.quantities(table["share_pct"].to_numpy(float)[rows], "share_pct"))
            for i in range(2):
                out[i][rows] = amount[i]
    return out


def _assumptions(assumption: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``; assumption: …`` where a unit rests on an assumption, ``""`` elsewhere."""
    vi, en = texts("in_zone", "assumption", len(assumption), assumption=assumption)
    return np.where(assumption != "", vi, "").astype(object), np.where(assumption != "", en, "").astype(object)


def rule_findings(sites: SiteArrays, index: BuildIndex, rules: CheckRules, units: Units, wholly_outside: np.ndarray) -> Findings:
    """The configurable site rules of the rule file: zones lain in, layers near."""
    pairs = units.pairs
    site, unit, inside = pairs["site"].to_numpy(), pairs["unit"].to_numpy(), pairs["inside"].to_numpy()
    unit_zone, unit_layer = index.unit_text["zone"][unit], index.unit_text["source_layer"][unit]
    decides = pairs["decides"].to_numpy()  # proposed designations only with include_proposed
    triggers = []
    for rule in rules.file.site_rules:
        trigger = np.zeros(len(pairs), bool)
        if rule.when.zones:
            trigger |= inside & np.isin(unit_zone, rule.when.zones)
        if rule.when.near_layers:
            trigger |= np.isin(unit_layer, rule.when.near_layers)
        triggers.append(trigger & decides & (~wholly_outside & sites.applies(rule.when.applies_to))[site])
    labels = _unit_labels(index, pairs, np.logical_or.reduce(triggers) if triggers else np.zeros(len(pairs), bool))
    found = Findings()
    for rule, trigger in zip(rules.file.site_rules, triggers):
        if not trigger.any():
            continue
        hit, vietnamese = arrays.join_by(site[trigger], labels[0][trigger], "; ")
        _, english = arrays.join_by(site[trigger], labels[1][trigger], "; ")
        note = terms.message("site_rule", "note_en", note=rule.note) if rule.note else ""
        effect = rule.effect if rule.status == "confirmed" or rule.effect != "conflict" else "review"
        found += finding(hit, rule.id, effect, rule.status, (rule.title_vi, rule.title_en),
                         texts("site_rule", "detail", len(hit), units=(vietnamese, english), note=note), (rule.citation_vi, rule.citation_en))
    return found


def _unit_labels(index: BuildIndex, pairs: pd.DataFrame, used: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``U12 Name (inside)`` or ``U12 Name (350.0 m)`` for the pairs some rule uses, ``""`` for the others."""
    inside = pairs["inside"].to_numpy()
    out = (arrays.filled(len(pairs), ""), arrays.filled(len(pairs), ""))
    for rows, field in ((np.flatnonzero(used & inside), "inside"), (np.flatnonzero(used & ~inside), "near")):
        unit = pairs["unit"].to_numpy()[rows]
        distance = arrays.quantities(pairs["distance"].to_numpy()[rows], "distance_m") if field == "near" else ""
        label = texts("site_rule", field, len(rows), unit=index.unit_text["unit_id"][unit],
                      name=(index.unit_text["name"][unit], index.unit_text["name_en"][unit]), distance=distance)
        for i in range(2):
            out[i][rows] = label[i]
    return out


def no_data(sites: SiteArrays, index: BuildIndex, rules: CheckRules, wholly_outside: np.ndarray) -> NoData:
    """Layers the check needs that the build does not have: no data is not no conflict."""
    missing = [k for k in rules.settings.required_layers if k not in index.input_kinds]
    layers = arrays.filled(sites.n, ", ".join(missing))
    facility_missing = [spec.required_layer for spec in rules.facilities.receptors.values() if spec.required_layer not in index.input_kinds]
    if facility_missing:
        layers[pd.notna(sites.facility)] = ", ".join(dict.fromkeys(missing + facility_missing))
    layers[wholly_outside] = ""
    found = Findings()
    inside = np.flatnonzero(~wholly_outside)
    if missing and len(inside):
        found = finding(inside, "no_data", "no_data", "confirmed", texts("no_data", "title"), texts("no_data", "detail", layers=", ".join(missing)))
    return NoData(layers, found)


def borderline(sites: SiteArrays, index: BuildIndex, rules: CheckRules, units: Units, zones: Zones, safety_pairs: pd.DataFrame,
               wholly_outside: np.ndarray) -> Borderline:
    """Results within the positional tolerance of the source data: unit distances, the
    boundary of the other zone or of the province, safety distances.
    """
    parts = [_borderline_units(units), _borderline_zone(index, zones, wholly_outside), _borderline_safety(rules, safety_pairs)]
    site = np.concatenate([p[0] for p in parts])
    flags = np.zeros(sites.n, bool)
    flags[site] = True
    if not len(site):
        return Borderline(flags, Findings())
    hit, vietnamese = arrays.join_by(site, np.concatenate([p[1] for p in parts]), "; ")
    _, english = arrays.join_by(site, np.concatenate([p[2] for p in parts]), "; ")
    return Borderline(flags, finding(hit, "borderline", "review", "confirmed", texts("borderline", "title"),
                                     texts("borderline", "detail", len(hit), results=(vietnamese, english))))


def _borderline_units(units: Units) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    near = units.table["borderline"].to_numpy() & units.pairs["decides"].to_numpy()
    table = units.table[near]
    site = units.pairs.loc[near, "site"].to_numpy(int)
    vi, en = texts("borderline", "unit", len(table), unit=table["unit_id"].to_numpy(), name=(table["name"].to_numpy(), table["name_en"].to_numpy()),
                   distance=arrays.quantities(table["distance_m"], "distance_m"), tolerance=arrays.quantities(table["tolerance_m"], "distance_m"))
    return site, vi, en


def _borderline_zone(index: BuildIndex, zones: Zones, wholly_outside: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    site = np.flatnonzero((zones.touches & ~zones.robust)[:, 2] & ~wholly_outside)
    tolerance = tuple(terms.quantity(index.other_tolerance, "distance_m", lang) for lang in terms.LANGUAGES)
    vi, en = texts("borderline", "other_zone", tolerance=tolerance)
    return site, arrays.filled(len(site), vi), arrays.filled(len(site), en)


def _borderline_safety(rules: CheckRules, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = pairs[pairs["borderline"].astype(bool)] if len(pairs) else pairs
    receptors = rules.facilities.receptors
    names = {lang: rows["receptor"].map({k: getattr(r, f"name_{lang}").lower() for k, r in receptors.items()}).to_numpy(object)
             for lang in terms.LANGUAGES}
    vi, en = texts("borderline", "safety", len(rows), receptor=(names["vi"], names["en"]),
                   nearest=arrays.quantities(rows["nearest_m"], "distance_m"), required=arrays.quantities(rows["distance_m"], "distance_m"),
                   tolerance=arrays.quantities(rows["tolerance_m"], "distance_m"))
    return rows["site"].to_numpy(int), vi, en


# ------------------------------------------------------------------- the project type


def type_findings(sites: SiteArrays, rules: CheckRules, capacity_unit_ok: np.ndarray, sensitive_pairs: pd.DataFrame,
                  wholly_outside: np.ndarray) -> TypeFindings:
    """The project type: missing, its Appendix II listing and capacity class, group I."""
    active = ~wholly_outside
    capacity = sites.frame["capacity"].to_numpy(float)
    unit_ok = arrays.same_unit(sites.frame["capacity_unit"].to_numpy(object), sites.types["risk_unit"].fillna("").to_numpy(object))
    klass = appendix_ii_class(sites, capacity, unit_ok)
    code = "type_not_given"
    found = finding(np.flatnonzero(active & ~sites.has_type), code, "review", "confirmed", texts(code, "title"), texts(code, "detail"))
    found += _listed(sites, rules, klass, active)
    found += _excluded(sites, rules, active)
    found += _risk_unknown(sites, rules, active)
    found += _capacity_needed(sites, rules, np.flatnonzero(active & (klass == "unknown")))
    found += _unit_mismatch(sites, np.flatnonzero(active & ~np.isnan(capacity) & (~unit_ok | ~capacity_unit_ok)))
    found += _group_i(sites, rules, klass, sensitive_pairs, active)
    return TypeFindings(klass, found)


def appendix_ii_class(sites: SiteArrays, capacity: np.ndarray, unit_ok: np.ndarray) -> np.ndarray:
    """The capacity class of each site under its type's Appendix II thresholds.

    ``large``, ``medium``, ``small``, ``medium_or_small`` (no small threshold), ``unknown``
    (a listed type with thresholds but no usable capacity), ``""`` (no thresholds).
    """
    large, small = sites.types["large_min"].to_numpy(float), sites.types["small_below"].to_numpy(float)
    thresholds = ~np.isnan(large)
    known = thresholds & ~np.isnan(capacity) & unit_ok
    below = known & (capacity < large)
    klass = arrays.filled(sites.n, "")
    klass[known & (capacity >= large)] = "large"
    klass[below & ~np.isnan(small) & (capacity < small)] = "small"
    klass[below & ~np.isnan(small) & (capacity >= small)] = "medium"
    klass[below & np.isnan(small)] = "medium_or_small"
    klass[sites.listed & thresholds & ~known] = "unknown"
    return klass


def _listed(sites: SiteArrays, rules: CheckRules, klass: np.ndarray, active: np.ndarray) -> Findings:
    """Types on Appendix II: the row, the capacity class and the type's note."""
    listed = np.flatnonzero(active & sites.listed)
    if not len(listed):
        return Findings()
    first, number = arrays.distinct(sites.frame["type"].to_numpy(object)[listed], klass[listed])  # the texts of each (type, class) once
    detail, citation = _listed_texts(sites, rules, klass, listed[first])
    code = "pollution_risk_type"
    status = sites.types["risk_status"].to_numpy(object)[listed]
    title = _where(status == "confirmed", texts(code, "title"), texts(code, "title_unconfirmed"))  # "có thể thuộc" until confirmed
    return finding(listed, code, "info", status, title, tuple(d[number] for d in detail), tuple(c[number] for c in citation))


def _listed_texts(sites: SiteArrays, rules: CheckRules, klass: np.ndarray, listed: np.ndarray) -> tuple[tuple, tuple]:
    """The details and citations of ``pollution_risk_type`` for the sites ``listed``."""
    info = sites.types.iloc[listed]
    n, code = len(listed), "pollution_risk_type"
    row = info["risk_row"].to_numpy(object)
    has_row, has_class = row != "", klass[listed] != ""
    rows = _where(has_row, texts(code, "row", n, row=row))
    classes = _where(has_class, texts(code, "class", n, capacity_class=(_class_names(klass[listed]), klass[listed])), texts(code, "no_class"))
    notes = info["risk_note"].fillna("").to_numpy(object)
    note = np.where(notes != "", arrays.formatted(terms.template(code, "note_en"), n, note=notes), "").astype(object)
    types = sites.frame["type"].to_numpy(object)[listed]
    exclusions = tuple(
        np.array(["; ".join(e.text_vi if lang == "vi" else e.text_en for e in rules.types[t].pollution_risk.excludes) for t in types], dtype=object)
        for lang in terms.LANGUAGES
    )
    detail = texts(
        code,
        "detail",
        n,
        type=(info["type_name_vi"].to_numpy(object), info["type_name_en"].to_numpy(object)),
        row=rows,
        capacity_class=classes,
        note=("", note),  # the notes of the rule file are in English
        exclusions=_where(exclusions[0] != "", texts(code, "exclusions", n, exclusions=exclusions)),
    )
    cited = rules.file.appendix_ii
    citation = _where(has_row, texts(code, "citation", n, citation=(cited.citation_vi, cited.citation_en), row=row), (cited.citation_vi, cited.citation_en))
    return detail, citation


def _class_names(klass: np.ndarray) -> np.ndarray:
    """The Vietnamese names of capacity classes (``""`` stays ``""``)."""
    names = terms.labels("capacity_classes")
    return np.array([names.get(k, k) for k in klass.tolist()], dtype=object)


def _where(condition: np.ndarray, given: tuple, otherwise: tuple = ("", "")) -> tuple[np.ndarray, np.ndarray]:
    """Per row the text ``given`` where ``condition`` holds, ``otherwise`` elsewhere, in both languages."""
    return tuple(np.where(condition, g, o).astype(object) for g, o in zip(given, otherwise))


def _excluded(sites: SiteArrays, rules: CheckRules, active: np.ndarray) -> Findings:
    """Sites that fall under an exclusion of their Appendix II row: not on the list, with the row and its words."""
    excluded = np.flatnonzero(active & sites.excluded)
    if not len(excluded):
        return Findings()
    code, cited = "pollution_risk_excluded", rules.file.appendix_ii
    chosen = [
        rules.exclusion(t, str(e).strip()) for t, e in zip(sites.frame["type"].to_numpy(object)[excluded], sites.frame["exclusion"].to_numpy(object)[excluded])
    ]
    words = tuple(np.array([getattr(e, f"text_{lang}") for e in chosen], dtype=object) for lang in terms.LANGUAGES)
    info = sites.types.iloc[excluded]
    row = info["risk_row"].fillna("").to_numpy(object)
    rows = _where(row != "", texts("pollution_risk_type", "row", len(excluded), row=row))
    status = info["risk_status"].to_numpy(object)
    title = _where(status == "confirmed", texts(code, "title"), texts(code, "title_unconfirmed"))
    detail = texts(code, "detail", len(excluded), type=(info["type_name_vi"].to_numpy(object), info["type_name_en"].to_numpy(object)), exclusion=words)
    citation = texts(code, "citation", len(excluded), citation=(cited.citation_vi, cited.citation_en), row=rows, exclusion=words)
    return finding(excluded, code, "info", status, title, detail, citation)


def _risk_unknown(sites: SiteArrays, rules: CheckRules, active: np.ndarray) -> Findings:
    """Types whose listing on Appendix II is not confirmed."""
    unknown = np.flatnonzero(active & sites.has_type & (sites.types["pollution_risk"] == "unknown").to_numpy())
    notes = sites.types["risk_note"].fillna("").to_numpy(object)[unknown]
    code, cited = "pollution_risk_unknown", rules.file.appendix_ii
    return finding(
        unknown, code, "info", "unconfirmed", texts(code, "title"), texts(code, "detail", len(unknown), note=notes), (cited.citation_vi, cited.citation_en)
    )


def _capacity_needed(sites: SiteArrays, rules: CheckRules, need: np.ndarray) -> Findings:
    code, cited = "capacity_needed", rules.file.appendix_ii
    units = sites.types["risk_unit"].to_numpy(object)[need]
    return finding(
        need, code, "review", "confirmed", texts(code, "title"), texts(code, "detail", len(need), unit=units), (cited.citation_vi, cited.citation_en)
    )


def _unit_mismatch(sites: SiteArrays, mismatch: np.ndarray) -> Findings:
    code = "capacity_unit_mismatch"
    units = np.array([str(u) for u in sites.frame["capacity_unit"].to_numpy(object)[mismatch]], dtype=object)
    return finding(mismatch, code, "review", "confirmed", texts(code, "title"), texts(code, "detail", len(mismatch), unit=units))


def _group_i(sites: SiteArrays, rules: CheckRules, klass: np.ndarray, sensitive_pairs: pd.DataFrame, active: np.ndarray) -> Findings:
    """LEP Art. 28(3): group I at large capacity, or medium with a sensitive element."""
    sensitive = np.zeros(sites.n, bool)
    sensitive[sensitive_pairs.loc[sensitive_pairs["relation"].isin(["inside", "buffer"]), "site"].to_numpy(int)] = True
    medium = (klass == "medium") | (klass == "medium_or_small")
    group = np.flatnonzero(active & sites.listed & ((klass == "large") | (medium & sensitive)))
    if not len(group):
        return Findings()
    n, code = len(group), "group_i_possible"
    names = (_class_names(klass[group]), klass[group])
    detail = texts(code, "detail", n, capacity_class=names, sensitive=_where(sensitive[group], texts(code, "sensitive")))
    g = rules.file.group_i
    return finding(group, code, "review", g.status, (g.title_vi, g.title_en), detail, (g.citation_vi, g.citation_en))
