"""Interactive HTML maps of a zoning build and of site checks, that work offline.

A map shows the three zones, the units (togglable by zone and by criterion), the 2025
commune boundaries with their names and, when given, the checked sites coloured by
verdict, and the candidate areas of ``zoning siting`` (with the land it left out, by
reason); a legend in Vietnamese or English, a layer tree, popups that say why (criterion,
citation, status, assumption), and the tools a planner expects: scale bar, distance and
area measurement on the province's VN-2000 / TM-3 grid, cursor coordinates in WGS 84 and
VN-2000 / TM-3, search by unit or commune name, full screen, fit to the province.

Leaflet, its plugins and proj4 are inlined (``zoning/_webassets.py``): a map never loads
code from a CDN. Online maps add OpenStreetMap tiles and still show everything when the
tiles cannot load; ``offline=True`` maps have no tile layer and no ``http`` reference.

Display geometry is simplified with its topology kept (:func:`display_layers`): the
zones, units and communes are cut into one planar coverage whose shared edges are
simplified once, so on screen the zones still tile the province with no slivers. The
full-precision geometry stays in the build's GeoPackage; areas in popups come from it.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeAlias

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml
from branca.element import Element, MacroElement
from folium.template import Template
from pyproj import CRS

from zoning import terms
from zoning.builder.model import Build, as_build
from zoning.builder.units import other_criteria
from zoning.checker.result import CheckResult
from zoning.compare import diff
from zoning.compare.model import ZoningDiff
from zoning.errors import InputError, ZoningError
from zoning.files import atomic_path, check_output, input_paths
from zoning.inputs.crs import WGS84, describe, reproject, transformer
from zoning.outputs.candidates import SitingLayers, read_candidates
from zoning.outputs.display import DEFAULT_TOLERANCE_M, DisplayLayers, display_layers
from zoning.outputs.mapdata import (
    candidate_config,
    column_or,
    commune_names,
    feature_collection,
    geojson_geometries,
    label_points,
    lat_lon_box,
    plain_text,
    site_features,
    site_frame,
    transition_config,
)
from zoning.outputs.results import read_results
from zoning.outputs.webassets import safe_json, web_assets
from zoning.resources import path as resource
from zoning.terms import ZONE_ORDER, Lang

LANGUAGES = {"vi": "vi-VN", "en": "en-GB"}
SITE_TOLERANCE_M = 1.0
SITE_CLIP_FACTOR = 6  # a site map draws the land within this many margins of the site
PROPOSED_GROUP = "~proposed"  # suffix of the map layer of a criterion's proposed units
MAP_SUFFIXES = (".html", ".htm")

BuildLike = Build | str | Path
SitesLike: TypeAlias = CheckResult | gpd.GeoDataFrame | str | Path
CandidatesLike = str | Path


# ----------------------------------------------------------------------------- style


@lru_cache(maxsize=4)
def load_style(path: str | None = None) -> dict:
    """The map style (``web/style.yaml``) with the zone and verdict colours of ``terms.yaml``.

    Raises
    ------
    ZoningError
        If a zone has no style or the two languages do not have the same texts.
    """
    file = Path(path) if path else resource("maps", "style.yaml")
    style = yaml.safe_load(file.read_text(encoding="utf-8"))
    missing = [z for z in ZONE_ORDER if z not in style.get("zones", {})]
    if missing:
        raise ZoningError((f"{file}: thiếu kiểu hiển thị cho vùng {', '.join(missing)}", f"{file}: no style for zone(s) {', '.join(missing)}"),
                          ("thêm mục của các vùng đó vào 'zones' của tệp kiểu", "add those zones under 'zones' in the style file"))
    for zone in ZONE_ORDER:
        style["zones"][zone].update(fill=terms.colour("zones", zone), stroke=terms.colour("zones", zone, "stroke"))
    style["sites"]["verdicts"] = {verdict: terms.colour("verdicts", verdict) for verdict in terms.labels("verdicts")}
    keys = {lang: set(style["texts"].get(lang, {})) for lang in LANGUAGES}
    if keys["vi"] != keys["en"]:
        differ = sorted(keys["vi"] ^ keys["en"])
        raise ZoningError(
            (f"{file}: các văn bản tiếng Việt (vi) và tiếng Anh (en) không khớp nhau: {differ}", f"{file}: texts differ between vi and en: {differ}"),
            ("cho mỗi khóa một văn bản ở cả vi và en", "give each key a text under both vi and en"),
        )
    return style


def _language(lang: str) -> Lang:
    if lang not in LANGUAGES:
        raise ZoningError(
            (f"không có ngôn ngữ bản đồ '{lang}'", f"unknown map language '{lang}'"),
            ("dùng vi (tiếng Việt) hoặc en (tiếng Anh)", "use vi (Vietnamese) or en (English)"),
        )
    return "en" if lang == "en" else "vi"


# ----------------------------------------------------------------- display geometry


# ------------------------------------------------------------------------ the map


class ZoningFoliumMap(folium.Map):
    """A folium Map whose Leaflet, plugins and project code are inlined in the page.

    Unlike :class:`folium.Map` it links no CDN: folium's default JavaScript and CSS
    links are dropped and the vendored files are written into the page instead.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_js = []
        self.default_css = []
        self.get_root().header.add_child(  # type: ignore[attr-defined]  # the root of a folium map is a Figure
            Element(web_assets().head_html), name="zoning_assets"
        )


class _ZoningLayers(MacroElement):
    """The call that draws the build on the map from its JSON configuration."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        ZoningMap.init({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "ZoningLayers"
        self.config = config
        self.config_json = safe_json(config)


@dataclass(frozen=True)
class MapFile:
    """A map written to disk and what it shows."""

    path: Path
    size_bytes: int
    counts: dict[str, int]


def zoning_map(
    build: BuildLike,
    sites: SitesLike | None = None,
    *,
    lang: Lang = "vi",
    offline: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    candidates: CandidatesLike | None = None,
    against: BuildLike | None = None,
) -> folium.Map:
    """An interactive map of a zoning build (and of checked sites).

    Parameters
    ----------
    build
        A build GeoPackage (path) or a :class:`~zoning.buildfile.Build`.
    sites
        Site-check results (a GeoPackage or GeoJSON path, or a GeoDataFrame) with one row
        per site and at least a ``verdict`` column; ``site_id``, ``name`` and
        ``findings`` are used when present.
    lang
        ``"vi"`` or ``"en"``: language of the legend, the popups and the tools.
    offline
        No basemap tiles: the page then needs no network at all.
    tolerance_m
        Simplification tolerance for display, in metres.
    candidates
        A GeoPackage written by ``zoning siting`` (see :func:`read_candidates`): its
        candidate areas, and the land it left out (off at first), become layers.
    against
        An earlier build of the same province: the land that changed zone since then
        is shown by transition, with its own legend and popups saying why it moved.

    Returns
    -------
    folium.Map
        A :class:`ZoningFoliumMap`; ``.save(path)`` writes a single HTML file.
    """
    lang = _language(lang)
    build = as_build(build)
    layers = display_layers(build, _tolerance(tolerance_m))
    site_frame = read_results(sites) if sites is not None else None
    siting = read_candidates(candidates) if candidates is not None else None
    change = diff(against, build) if against is not None else None
    config = _config(build, layers, site_frame, lang=lang, offline=offline, mode="province", candidates=siting, change=change)
    return _folium_map(config, offline)


def write_map(
    build: BuildLike,
    out: str | Path,
    sites: SitesLike | None = None,
    *,
    lang: Lang = "vi",
    offline: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    progress: Callable[[str], None] | None = None,
    candidates: CandidatesLike | None = None,
    against: BuildLike | None = None,
) -> MapFile:
    """Write the interactive map of a build to one HTML file that opens offline, atomically.

    Parameters
    ----------
    build
        A build, or the path of a build file.
    out
        The HTML file to write.
    sites
        Check results to show, coloured by verdict: a :class:`~zoning.CheckResult`, or a
        file written by :func:`zoning.write_results`.
    lang, offline, tolerance_m
        As for :func:`zoning_map`: language, no basemap at all, display simplification (m).
    progress
        Called with the name of each step.
    candidates
        A candidates file written by :func:`zoning.write_candidates`.
    against
        An earlier build of the same province: the land that changed zone is drawn, with why.

    Returns
    -------
    MapFile
        The file, its size and how many features of each kind it shows.

    Examples
    --------
    >>> import zoning
    >>> zoning.write_map("build.gpkg", "map.html", offline=True)  # doctest: +SKIP
    """
    step = progress or (lambda _: None)
    lang = _language(lang)
    step("reading the build")
    build = as_build(build)
    sources = input_paths([*build.sources(), *(s for s in (sites, candidates) if isinstance(s, (str, Path)))])
    out = check_output(out, sources, suffixes=MAP_SUFFIXES)
    site_frame = read_results(sites) if sites is not None else None
    siting = read_candidates(candidates) if candidates is not None else None
    if against is not None:
        step("comparing with the earlier build")
    change = diff(against, build) if against is not None else None
    step("simplifying the geometry")
    layers = display_layers(build, _tolerance(tolerance_m))
    step("writing the page")
    config = _config(build, layers, site_frame, lang=lang, offline=offline, mode="province", candidates=siting, change=change)
    page = render_html(_folium_map(config, offline), lang, _title(build, lang))
    with atomic_path(out, sources) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return MapFile(out, out.stat().st_size, config["counts"])


def _tolerance(tolerance_m: float) -> float:
    """A display tolerance: a finite number of metres, zero or more."""
    if not (isinstance(tolerance_m, (int, float)) and math.isfinite(tolerance_m) and tolerance_m >= 0):
        raise InputError(
            (f"--tolerance {tolerance_m}: dung sai phải là số mét không âm", f"--tolerance {tolerance_m}: the tolerance must be a number of metres, 0 or more"),
            ("ví dụ --tolerance 5, hoặc --tolerance 0 để giữ mọi đỉnh", "e.g. --tolerance 5, or --tolerance 0 to keep every vertex"),
        )
    return float(tolerance_m)


def render_html(m: folium.Map, lang: Lang = "vi", title: str | None = None) -> str:
    """The complete HTML document of a map (with its language and title).

    Element ids are numbered in tree order instead of folium's random ones, so the same
    build always gives the same page.
    """
    _number_ids(m.get_root(), itertools.count())
    page = m.get_root().render().replace("<html>", f'<html lang="{lang}">', 1)
    if title:
        page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    return page


def _number_ids(element: Element, counter: itertools.count) -> None:
    element._id = f"{next(counter):06d}"
    for child in element._children.values():
        _number_ids(child, counter)


def _site_map(build: Build, frame: gpd.GeoDataFrame, lang: Lang, offline: bool, margin_m: float) -> folium.Map:
    xmin, ymin, xmax, ymax = shapely.total_bounds(reproject(frame.geometry.to_numpy(), CRS(frame.crs), build.crs))
    view = (xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m)
    # draw much more land than the view, so the cut edges stay out of sight in a wide frame
    reach = SITE_CLIP_FACTOR * margin_m + max(xmax - xmin, ymax - ymin)
    clip = (xmin - reach, ymin - reach, xmax + reach, ymax + reach)
    layers = display_layers(build, SITE_TOLERANCE_M, window=clip)
    config = _config(build, layers, frame, lang=lang, offline=offline, mode="site", view=view)
    return _folium_map(config, offline)


def site_map_html(
    build: BuildLike,
    site: gpd.GeoDataFrame | pd.Series | shapely.Geometry,
    *,
    findings: pd.DataFrame | None = None,
    crs: CRS | str | int | None = None,
    lang: Lang = "vi",
    offline: bool = True,
    margin_m: float = 1500.0,
    height_px: int = 360,
) -> str:
    """An HTML fragment with a small map of one site (or a few) and the zones, units and
    communes around it, to embed in a report page.

    The fragment is an ``<iframe>`` whose ``srcdoc`` holds the complete, self-contained
    map page, so it can be pasted into any HTML document without clashing with its
    scripts or styles.

    Parameters
    ----------
    build
        The build the site was checked against.
    site
        Rows of the check results, e.g. ``result.sites.iloc[[i]]`` (a GeoDataFrame carries
        its CRS), one row (``pandas.Series`` with ``geometry``), or a shapely geometry.
    findings
        The check's long findings table (``result.findings``); the rows of these sites
        go into their popups.
    crs
        CRS of ``site`` when it is a row or a geometry; the build's CRS by default.
    lang, offline
        As for :func:`zoning_map`; offline by default so a report opens anywhere.
    margin_m
        How much land around the site to show, in metres.
    height_px
        Height of the frame in the page.
    """
    lang = _language(lang)
    build = as_build(build)
    frame = site_frame(site, crs if crs is not None else build.crs, findings)
    m = _site_map(build, frame, lang, offline, margin_m)
    label = load_style()["texts"][lang]["site"]
    names = ", ".join(plain_text(v) for v in column_or(frame, "name", column_or(frame, "site_id", pd.Series(["?"] * len(frame)))))
    document = render_html(m, lang, f"{label}: {names}")
    return (
        f'<iframe class="zoning-site-map" title="{html.escape(label + ": " + names)}" '
        f'style="width:100%;height:{int(height_px)}px;border:1px solid #999" allowfullscreen '
        f'srcdoc="{html.escape(document, quote=True)}"></iframe>'
    )


def map_config(
    build: BuildLike,
    lang: Lang = "vi",
    offline: bool = False,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    layers: DisplayLayers | None = None,
) -> dict:
    """The JSON-ready configuration that ``zoning.js`` draws a province map from.

    The same configuration as :func:`zoning_map` puts into its page (zones, units,
    communes, legend, texts and styles, WGS 84 coordinates), for a page that loads the
    vendored scripts itself, e.g. the web application. ``layers`` reuses display geometry
    made once with :func:`~zoning.outputs.display.display_layers`.
    """
    lang = _language(lang)
    build = as_build(build)
    layers = layers if layers is not None else display_layers(build, tolerance_m)
    return _config(build, layers, None, lang=lang, offline=offline, mode="province")


def sites_config(result: CheckResult, build: BuildLike, lang: Lang = "vi", *, findings: bool = True) -> dict:
    """Checked sites as ``zoning.js`` draws them, and the ring of each safety distance.

    Parameters
    ----------
    result
        A check of sites against ``build``.
    build
        The build they were checked against (for the zone names).
    lang
        Language of the popups.
    findings
        Put each site's findings and details into its popup; without them the popup has
        the site's name and verdict only (not "no findings"): quick for many sites.

    Returns
    -------
    dict
        ``sites``: a GeoJSON FeatureCollection (WGS 84) of the sites coloured by verdict;
        ``buffers``: one polygon per site and safety distance with a value, the site
        grown by that distance, with ``site_id``, ``receptor``, ``facility``,
        ``distance_m``, ``status`` and ``holds``.
    """
    lang = _language(lang)
    build = as_build(build)
    texts = load_style()["texts"][lang]
    zone_names = dict(zip(build.zones["zone"], build.zones[f"name_{lang}"]))
    if findings:
        sites = site_features(read_results(result.sites, result.findings), texts, zone_names, lang)
    else:
        frame = result.sites
        props = [
            {"site_id": i, "name": plain_text(n), "verdict": v, "illustrative": bool(x), "label": lb}
            for i, n, v, x, lb in zip(
                frame["site_id"], frame["name"], frame["verdict"], frame["illustrative"], label_points(frame.geometry.to_numpy(), frame.crs)
            )
        ]
        sites = feature_collection(geojson_geometries(frame.geometry.to_numpy(), frame.crs), props)
    safety = result.safety[result.safety["distance_required_m"].notna()]
    geometry = result.sites.set_index("site_id").geometry
    rings = shapely.buffer(geometry.loc[safety["site_id"]].to_numpy(), safety["distance_required_m"].to_numpy(float), quad_segs=16)
    props = [
        {
            "site_id": str(site),
            "receptor": str(receptor),
            "facility": plain_text(facility),
            "distance_m": float(distance),
            "status": plain_text(status),
            "holds": None if holds is None or holds != holds else bool(holds),
        }
        for site, receptor, facility, distance, status, holds in zip(
            safety["site_id"], safety["receptor"], safety["facility"], safety["distance_required_m"], safety["status"], safety["holds"]
        )
    ]
    return {"sites": sites, "buffers": feature_collection(geojson_geometries(rings, result.sites.crs), props)}


PROVINCE_TEXTS = ("share", "other_zone_note", "verdict_outside_province", "fit")  # the map texts that name the province's kind


def province_texts(texts: dict, build: Build, lang: Lang) -> dict:
    """The map's texts, with "tỉnh" / "province" made "thành phố" / "city" for a thành phố trực thuộc trung ương."""
    word = build.province_word
    if word[0] == "tỉnh":
        return texts
    old, new = ("tỉnh", word[0]) if lang == "vi" else ("province", word[1])
    return {**texts, **{key: str(texts[key]).replace(old, new) for key in PROVINCE_TEXTS if key in texts}}


def _title(build: Build, lang: Lang) -> str:
    province = (build.manifest.get("province") or {}).get(f"name_{lang}") or ""
    return " – ".join(t for t in (load_style()["texts"][lang]["title"], province) if t)


def _folium_map(config: dict, offline: bool) -> folium.Map:
    (s, w), (n, e) = config["bounds"]
    m = ZoningFoliumMap(location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None, control_scale=False, zoom_snap=0.25, zoom_delta=0.5)
    _ZoningLayers(config).add_to(m)
    return m


# ------------------------------------------------------------------- configuration


def _config(
    build: Build,
    layers: DisplayLayers,
    sites: gpd.GeoDataFrame | None,
    *,
    lang: Lang,
    offline: bool,
    mode: str,
    view: tuple[float, float, float, float] | None = None,
    candidates: SitingLayers | None = None,
    change: ZoningDiff | None = None,
) -> dict:
    """Everything the page needs, as one JSON-ready dict (WGS 84 coordinates).

    ``view`` (build CRS) is the extent the map opens on; the whole of ``layers`` by default.
    """
    style = load_style()
    texts = province_texts(style["texts"][lang], build, lang)
    criteria = build.criteria.set_index("id") if len(build.criteria) else pd.DataFrame(columns=["zone", f"title_{lang}", f"citation_{lang}", "status"])
    zones = _zone_features(build, layers, lang)
    units = _unit_features(build, layers, criteria, lang)
    communes = _commune_features(build, layers)
    zone_names = dict(zip(build.zones["zone"], build.zones[f"name_{lang}"]))
    site_layer = site_features(sites, texts, zone_names, lang) if sites is not None else None
    siting = candidate_config(candidates, style, texts, lang, layers.tolerance_m) if candidates is not None else None
    transitions = transition_config(build, change, style, texts, lang, layers.tolerance_m) if change is not None else None
    extent = layers.zones.geometry.to_numpy() if view is None else np.array([shapely.box(*view)])
    bounds = lat_lon_box(extent, build.zones.crs)
    focus = bounds if mode == "site" else None  # a site map opens on the site and the land around it
    counts = {
        "zones": len(zones["features"]),
        "units": len(units["features"]),
        "communes": len(communes["features"]),
        "sites": len(site_layer["features"]) if site_layer else 0,
        "candidates": len(siting["features"]["features"]) if siting else 0,
        "exclusions": len(siting["exclusions"]["features"]) if siting else 0,
        "transitions": len(transitions["features"]["features"]) if transitions else 0,
    }
    return {
        "lang": lang,
        "locale": LANGUAGES[lang],
        "mode": mode,
        "texts": texts,
        "style": {key: style[key] for key in ("zones", "units", "communes", "sites", "candidates", "transitions", "measure", "plain_background")},
        "zone_order": list(ZONE_ORDER),
        "zone_info": _zone_info(build, lang),
        "build": {
            "id": build.build_id,
            "ruleset": build.manifest.get("ruleset", ""),
            "crs_name": describe(build.crs),
            "tolerance_m": layers.tolerance_m,
            "notices": _notices(build, criteria, texts, lang),
        },
        "proj": _proj_definition(build.crs),
        "zones": zones,
        "criteria": _criteria_list(build, criteria, lang),
        "units": units,
        "communes": communes,
        "sites": site_layer,
        "candidates": siting,
        "transitions": transitions,
        "basemaps": []
        if offline
        else [
            {
                "id": b["id"],
                "name": texts.get(f"basemap_{b['id']}", b["id"]),
                "url": b["url"],
                "attribution": b["attribution"],
                "max_zoom": b["max_zoom"],
                "referrer_policy": b.get("referrer_policy") or False,
            }
            for b in style["basemaps"]
        ],
        "bounds": bounds,
        "max_zoom": style.get("max_zoom", 20),
        "focus": focus,
        "icons": web_assets().icons,
        "counts": counts,
    }


def _zone_info(build: Build, lang: Lang) -> list[dict]:
    """Name, area and share of the province of each of the three zones (empty ones too)."""
    zones = build.zones
    total = float(zones["area_ha"].sum()) or 1.0
    return [
        {"zone": str(z), "name": str(name), "area_ha": round(float(a), 4), "share_pct": round(100 * float(a) / total, 4)}
        for z, name, a in zip(zones["zone"], zones[f"name_{lang}"], zones["area_ha"])
    ]


def _zone_features(build: Build, layers: DisplayLayers, lang: Lang) -> dict:
    info = _zone_info(build, lang)
    props = [info[row] for row in layers.zones["row"].to_numpy()]
    return feature_collection(geojson_geometries(layers.zones.geometry.to_numpy(), build.zones.crs), props)


def _unit_features(build: Build, layers: DisplayLayers, criteria: pd.DataFrame, lang: Lang) -> dict:
    units = build.units.reset_index(drop=True).iloc[layers.units["row"].to_numpy()]
    names = commune_names(build)
    titles = criteria[f"title_{lang}"] if f"title_{lang}" in criteria else pd.Series(dtype=object)
    also = _also_meets(build, criteria, lang)

    def text(column: str) -> pd.Series:
        return units[column].map(plain_text) if column in units else pd.Series("", index=units.index)

    name = text("name_en").where(text("name_en") != "", text("name")) if lang == "en" else text("name")
    illustrative = units["illustrative"].fillna(False).astype(bool) if "illustrative" in units else pd.Series(False, index=units.index)
    props = pd.DataFrame(
        {
            "id": text("unit_id"),
            "zone": text("zone"),
            "name": name,
            "criterion": text("criterion"),
            "group": _unit_groups(units),
            "criterion_title": units["criterion"].map(titles).fillna(units["criterion"]).map(plain_text),
            "citation": text(f"citation_{lang}"),
            "status": text("status"),
            "assumption": text("assumption_en").where(text("assumption_en") != "", text("assumption")) if lang == "en" else text("assumption"),
            "area_ha": units["area_ha"].astype(float).round(4),
            "communes": text("commune_codes").map(lambda codes: [names.get(c, c) for c in codes.split(",") if c]),
            "source": (text("source_layer") + " / " + text("source_id")).str.strip(" /"),
            "illustrative": illustrative,
            "also": text("unit_id").map(lambda unit: also.get(unit, [])),
            "label": label_points(units.geometry.to_numpy(), build.units.crs),
        }
    ).to_dict("records")
    return feature_collection(geojson_geometries(layers.units.geometry.to_numpy(), build.units.crs), props)


def _also_meets(build: Build, criteria: pd.DataFrame, lang: Lang) -> dict[str, list[dict]]:
    """Per unit, the other criteria its land meets (from the lineage), with the area shared."""
    out: dict[str, list[dict]] = {}
    for row in other_criteria(build.lineage).itertuples(index=False):
        c = criteria.loc[str(row.criterion)] if row.criterion in criteria.index else None
        title = str(c[f"title_{lang}"]) if c is not None else str(row.criterion)
        out.setdefault(str(row.unit_id), []).append(
            {
                "title": f"{title}: {row.name}" if plain_text(row.name) else title,
                "citation": str(c[f"citation_{lang}"]) if c is not None else "",
                "status": str(row.status),
                "overlap_ha": round(float(row.overlap_ha), 4),
            }
        )
    return out


def _unit_groups(units: pd.DataFrame) -> pd.Series:
    """The map layer of each unit: its criterion, or ``<criterion>~proposed`` for a proposed designation."""
    criterion = units["criterion"].astype(str)
    return criterion.where(units["status"] != "proposed", criterion + PROPOSED_GROUP)


def _criteria_list(build: Build, criteria: pd.DataFrame, lang: Lang) -> list[dict]:
    """Map layers of the units: one per criterion that has units in force, and one per
    criterion that has proposed units (after those in force), with their unit counts.
    """
    units = build.units.assign(group=_unit_groups(build.units), proposed=build.units["status"] == "proposed")
    counts = units["group"].value_counts()
    order = {c: i for i, c in enumerate(criteria.index)}
    first = units.drop_duplicates("group").set_index("group")
    ids = sorted(
        counts.index,
        key=lambda g: (
            bool(first.loc[g, "proposed"]),
            ZONE_ORDER.index(first.loc[g, "zone"]) if first.loc[g, "zone"] in ZONE_ORDER else 9,
            order.get(first.loc[g, "criterion"], 999),
            g,
        ),
    )
    out = []
    for group in ids:
        cid = first.loc[group, "criterion"]
        c = criteria.loc[cid] if cid in criteria.index else None
        proposed = bool(first.loc[group, "proposed"])
        out.append(
            {
                "id": str(group),
                "zone": str(first.loc[group, "zone"]),
                "title": str(c[f"title_{lang}"]) if c is not None else str(cid),
                "citation": str(c[f"citation_{lang}"]) if c is not None else "",
                "status": "proposed" if proposed else (str(c["status"]) if c is not None else "unconfirmed"),
                "proposed": proposed,
                "count": int(counts[group]),
            }
        )
    return out


def _commune_features(build: Build, layers: DisplayLayers) -> dict:
    communes = build.communes.reset_index(drop=True)
    rows = communes.iloc[layers.communes["row"].to_numpy()]
    labels = label_points(layers.communes.geometry.to_numpy(), build.communes.crs)
    full = rows["full_name"] if "full_name" in rows else rows["name"]
    props = [
        {"code": str(code), "name": str(name), "full_name": plain_text(f) or str(name), "label": label}
        for code, name, f, label in zip(rows["code"], rows["name"], full, labels)
    ]
    return feature_collection(geojson_geometries(layers.communes.geometry.to_numpy(), build.communes.crs), props)


def _notices(build: Build, criteria: pd.DataFrame, texts: dict, lang: Lang) -> list[str]:
    """Warnings the legend must carry: the urban classes applied (provisional or not), plan
    conflicts, proposed designations (:meth:`Build.notices`), unconfirmed criteria,
    assumptions, illustrative data.
    """
    manifest = build.manifest
    notes = []
    unconfirmed = manifest.get("unconfirmed_criteria") or []
    if unconfirmed:
        titles = [str(criteria.loc[c, f"title_{lang}"]) if c in criteria.index else c for c in unconfirmed]
        notes.append(texts["unconfirmed_note"].format(criteria="; ".join(titles)))
    assumed = int((build.units["assumption"].fillna("") != "").sum()) if "assumption" in build.units else 0
    if assumed:
        notes.append(texts["assumed_note"].format(count=assumed))
    illustrative = manifest.get("illustrative_layers") or []
    if illustrative:
        notes.append(texts["illustrative_layers"].format(layers=", ".join(illustrative)))
    return build.notices(lang) + notes


def _proj_definition(crs: CRS) -> dict | None:
    """A proj4js definition of the build's CRS with the pinned datum shift to WGS 84.

    Built from the pinned PROJ pipeline (EPSG:6960 for VN-2000): a transverse Mercator
    step and a Helmert step, rotations turned to the position-vector convention that
    ``+towgs84`` uses. None when the pipeline has other steps (the page then shows WGS 84
    only).
    """
    if not crs.is_projected:
        return None
    steps = transformer(crs, WGS84).definition.split(" step ")[1:]
    tmerc: dict[str, str] | None = None
    helmert: dict[str, str] | None = None
    for step in steps:
        words = step.split()
        params = dict(w.split("=", 1) for w in words if "=" in w)
        proj = params.get("proj")
        if proj == "tmerc" and "inv" in words:
            tmerc = params
        elif proj == "helmert" and "inv" not in words:
            helmert = params
        elif proj not in ("push", "pop", "cart", "unitconvert", "axisswap"):
            return None
    if tmerc is None:
        return None
    keys = ("lat_0", "lon_0", "k", "x_0", "y_0", "ellps")
    definition = "+proj=tmerc " + " ".join(f"+{k}={tmerc[k]}" for k in keys if k in tmerc)
    if helmert is not None:
        sign = -1.0 if helmert.get("convention") == "coordinate_frame" else 1.0
        values = [float(helmert.get(k, 0)) for k in ("x", "y", "z")]
        values += [sign * float(helmert.get(k, 0)) for k in ("rx", "ry", "rz")]
        values.append(float(helmert.get("s", 0)))
        definition += " +towgs84=" + ",".join(repr(v) for v in values)
    return {"name": describe(crs), "def": definition + " +units=m +no_defs"}


