"""The national map: one page for the whole country that opens offline, a province's detail loaded as it comes into view.

``ban-do-toan-quoc.html`` holds the zones of every province at ``OVERVIEW_TOLERANCE_M``,
the province outlines and a province picker. The provinces' extents (each the union of its
communes) are simplified as one national coverage, shared borders once, so no sliver opens
between provinces; each province's strict and emission-limited zones are snapped to a grid
(``OVERVIEW_GRID_M``) and cut to its simplified extent, and its other zone is what they leave
of it. (A coverage of every zone of the country, cleaned and simplified at once, took longer
than building the provinces: their zones have millions of vertices, their extents thousands.)
Each province's units and communes, at display precision (``DETAIL_TOLERANCE_M``), are in
``ban-do-toan-quoc/<slug>.js``: the page adds that file as a ``<script>`` element when the
province is in view at zoom ``DETAIL_ZOOM`` or more, or is picked (a page opened from disk
may load scripts, not fetch files), so the browser holds only the provinces looked at.
Leaflet is inlined; no tile server, no network. Geometry is simplified in VN-2000 / UTM 48N
(EPSG:3405: same datum as the builds, display only); areas shown are each province's own.

What needs one province only — its detail file and its zones snapped for the overview
(``<slug>.overview.wkb`` beside its build) — is made by :func:`write_province_map` on the
worker that built it, in parallel with the other provinces and kept with a kept build; the
assembly draws the outlines and cuts the snapped zones to them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import terms
from zoning.builder.overlay import polygonal, thread_map
from zoning.files import atomic_path, write_text
from zoning.inputs.crs import made_valid, reproject
from zoning.inputs.reference import find_province
from zoning.national.mosaic import NATIONAL_CRS, province_extents
from zoning.outputs.mapdata import lat_lon_box, simplified_for_display, to_wgs84
from zoning.outputs.report import environment
from zoning.outputs.webassets import safe_json, web_assets
from zoning.resources import path as resource

PAGE = "ban-do-toan-quoc.html"
DETAIL_FOLDER = "ban-do-toan-quoc"
DISPLAY_CRS = CRS("EPSG:3405")
OVERVIEW_TOLERANCE_M = 150.0
OVERVIEW_GRID_M = 50.0  # strict and emission-limited zones in the overview: 96 % and 80 % of their area drawn in a province of the bench
# with 1,000 features (thinner corridors show from DETAIL_ZOOM); at 150 m, 94 % and 63 %, and the provinces' outlines snapped apart
DETAIL_TOLERANCE_M = 20.0  # below a pixel up to zoom 13 (about 17 m a pixel at 21°N)
DECIMALS = 5  # 1e-5° ≈ 1 m
SNAP_M = 0.001
DETAIL_ZOOM = 9
SNAPPED = ("strict", "emission_limited")  # the zones snapped for the overview; the other zone is what they leave


def write_national_map(out: Path, national: dict[str, pd.DataFrame], lands: dict[str, shapely.Geometry] | None = None,
                       snapped: dict[str, dict[str, shapely.Geometry]] | None = None) -> list[Path]:
    """Write the page and one detail file per province into ``out``; return the page and the detail folder.

    ``lands``: :func:`zoning.national.mosaic.province_extents`, when already computed.
    ``snapped``: the provinces whose worker made their share (:func:`read_overview`); the
    others' detail and snapped zones are made here.
    """
    snapped = snapped or {}
    zones = national["zones"]
    slugs = list(dict.fromkeys(zones["province"]))
    names = {slug: find_province(slug) for slug in slugs}
    lands = lands if lands is not None else province_extents(national)
    outlines = for_display(np.array([lands[slug] for slug in slugs]), OVERVIEW_TOLERANCE_M, clean=True)
    overview = overview_zones(zones, dict(zip(slugs, outlines)), snapped)
    zone_props = [{"province": names[p].name, "zone": z, "name": terms.zone_name(z, "vi"), "name_en": terms.zone_name(z, "en"),
                   "area_ha": round(float(a), 2)} for p, z, a in zip(zones["province"], zones["zone"], zones["area_ha"])]
    provinces = [{"slug": slug, "name": names[slug].full_name, "name_en": names[slug].full_name_en,
                  "bounds": lat_lon_box(np.array([outline]), NATIONAL_CRS)} for slug, outline in zip(slugs, outlines)]
    config = {
        "zones": packed(overview, zone_props),
        "outlines": packed(np.array(outlines), [{"slug": s} for s in slugs]),
        "provinces": provinces,
        "style": {key: {"fill": terms.colour("zones", key), "stroke": terms.colour("zones", key, "stroke"),
                        "vi": terms.zone_name(key, "vi"), "en": terms.zone_name(key, "en")} for key in ("strict", "emission_limited", "other")},
        "detailFolder": DETAIL_FOLDER,
        "detailZoom": DETAIL_ZOOM,
        "decimals": DECIMALS,
    }
    folder = out / DETAIL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:  # each file whole (atomic) before the page that names it; one at a time (coverage_simplify in two threads crashed)
        if slug not in snapped or not detail_path(out, slug).is_file():
            _write_detail(out, slug, _province_rows(national, slug))
    for stale in set(folder.glob("*.js")) - {detail_path(out, slug) for slug in slugs}:
        stale.unlink()
    page = environment().get_template("national_map.html.j2").render(assets=web_assets("map").head_html, config=safe_json(config),
                                                                script=resource("maps", "national.js").read_text(encoding="utf-8"))
    return [write_text(out / PAGE, page), folder]


def write_province_map(out: Path, slug: str, build_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """A province's share of the national map, made where it was built: its detail file in ``out``
    and its zones snapped for the overview beside its build (``frames``: its layers in the national CRS).
    """
    _write_detail(out, slug, frames)
    zones = snapped_zones(frames["zones"])
    with atomic_path(overview_path(build_path)) as tmp:
        tmp.write_bytes(shapely.to_wkb(shapely.GeometryCollection([zones[z] for z in SNAPPED])))


def overview_path(build_path: Path) -> Path:
    """Where a province's zones snapped for the overview are kept: beside its build (one WKB collection)."""
    return build_path.with_suffix(".overview.wkb")


def read_overview(build_path: Path) -> dict[str, shapely.Geometry] | None:
    """A province's snapped zones as :func:`write_province_map` kept them; None when missing or damaged (made again)."""
    try:
        collection = shapely.from_wkb(overview_path(build_path).read_bytes())
    except (OSError, shapely.errors.GEOSException):
        return None
    if shapely.get_type_id(collection) != shapely.GeometryType.GEOMETRYCOLLECTION or shapely.get_num_geometries(collection) != len(SNAPPED):
        return None
    return {zone: shapely.get_geometry(collection, i) for i, zone in enumerate(SNAPPED)}


def detail_path(out: Path, slug: str) -> Path:
    """A province's detail file in the national folder ``out``."""
    return out / DETAIL_FOLDER / f"{slug}.js"


def _province_rows(national: dict[str, pd.DataFrame], slug: str) -> dict[str, pd.DataFrame]:
    return {name: national[name][national[name]["province"] == slug] for name in ("units", "communes")}


def _write_detail(out: Path, slug: str, frames: dict[str, pd.DataFrame]) -> None:
    """A province's units and communes for display, as the script the page loads."""
    units, communes = frames["units"], frames["communes"]
    unit_props = [{"zone": z, "name": n, "citation": c, "status": terms.label("statuses_short", s), "area_ha": round(float(a), 2)}
                  for z, n, c, s, a in zip(units["zone"], units["name"], units["citation_vi"], units["status"], units["area_ha"])]
    full = communes["full_name"] if "full_name" in communes else communes["name"]  # given communes may have no full name
    commune_props = [{"name": str(f if isinstance(f, str) and f else n), "area_ha": round(float(a), 2)}
                     for f, n, a in zip(full, communes["name"], communes["area_ha"])]
    detail = {"units": packed(for_display(units.geometry.to_numpy(), DETAIL_TOLERANCE_M), unit_props),
              "communes": packed(for_display(communes.geometry.to_numpy(), DETAIL_TOLERANCE_M), commune_props)}
    write_text(detail_path(out, slug), f"zoningNational.detail({safe_json(slug)},{safe_json(detail)});\n")


def packed(geoms: np.ndarray, properties: list[dict]) -> dict:
    """Polygons (national CRS) for the page: ``{"properties": [...], "polygons": [...]}``, in WGS 84.

    Each geometry is a list of polygons, each a list of rings, each ring its coordinates in
    units of ``10**-DECIMALS`` degrees, longitude and latitude interleaved, the first pair as it
    is and every later one as the step from the one before: about a third of the bytes of
    GeoJSON. ``unpack`` in ``maps/national.js`` reads it back.
    """
    parts, owner = shapely.get_parts(to_wgs84(geoms, NATIONAL_CRS, DECIMALS), return_index=True)
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.POLYGON) & ~shapely.is_empty(parts)
    parts, owner = parts[keep], owner[keep]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    ints = np.rint(coords * 10**DECIMALS).astype(np.int64)
    first = np.diff(coord_ring, prepend=-1) != 0  # (empty when no polygon has a point)
    last = np.diff(coord_ring, append=-1) != 0
    steps = np.diff(ints, axis=0, prepend=ints[:1])
    steps[first] = ints[first]
    start = np.flatnonzero(first)[coord_ring]  # each point's ring's first point
    closing = last & ~first & (ints == ints[start]).all(axis=1)  # repeats the first: dropped
    ring_steps = _slices(steps[~closing].ravel().tolist(), 2 * np.bincount(coord_ring[~closing], minlength=len(rings)))
    part_rings = _slices(ring_steps, np.bincount(ring_part, minlength=len(parts)))
    polygons: list[list] = [[] for _ in range(len(geoms))]
    for index, rings_of_part in zip(owner.tolist(), part_rings):
        polygons[index].append(rings_of_part)
    return {"properties": properties, "polygons": polygons}


def _slices(items: list, counts: np.ndarray) -> list[list]:
    """``items`` cut into consecutive lists of ``counts`` items."""
    bounds = np.r_[0, np.cumsum(counts)].tolist()
    return [items[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def snapped_zones(zones: pd.DataFrame) -> dict[str, shapely.Geometry]:
    """A province's strict and emission-limited zones (national CRS) in the display CRS, snapped
    to a grid of ``OVERVIEW_GRID_M``: what is narrower shows from zoom ``DETAIL_ZOOM``, in the
    province's detail. Snapping is linear in the vertices; a topology-preserving simplification
    of one province's emission-limited zone (a million vertices in 14,000 parts) took 47 s.
    """
    geometries, zone = zones.geometry.to_numpy(), zones["zone"].to_numpy()
    snapped = {z: shapely.set_precision(made_valid(reproject(geometries[zone == z], CRS(NATIONAL_CRS), DISPLAY_CRS)), OVERVIEW_GRID_M)
               for z in SNAPPED}
    return {z: g[0] if len(g) == 1 else shapely.union_all(g, grid_size=OVERVIEW_GRID_M) for z, g in snapped.items()}  # one row a zone, as built


def overview_zones(zones: pd.DataFrame, outlines: dict[str, shapely.Geometry], snapped: dict[str, dict[str, shapely.Geometry]] | None = None) -> np.ndarray:
    """Each zone row's overview geometry (national CRS): strict and emission-limited snapped
    (:func:`snapped_zones`, or as given in ``snapped``) and cut to the province's simplified
    outline, the other zone the rest of that outline. Every cut is made on the grid, so the
    three share their edges exactly and rounding for the page moves them alike (cutting the
    snapped zones in floating point took 43 s, on the grid 3 s).
    """
    given = snapped or {}
    lands = reproject(np.array(list(outlines.values())), CRS(NATIONAL_CRS), DISPLAY_CRS)
    province, zone = zones["province"].to_numpy(), zones["zone"].to_numpy()

    def cut(operation, a: shapely.Geometry, b: shapely.Geometry) -> shapely.Geometry:  # on the grid: inputs snapped to it share edges
        return polygonal(operation(np.array([a]), b, grid_size=OVERVIEW_GRID_M))[0]

    def province_zones(item: tuple[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
        slug, land = item
        land = shapely.set_precision(land, OVERVIEW_GRID_M)
        merged = given[slug] if slug in given else snapped_zones(zones[province == slug])
        strict = cut(shapely.intersection, merged["strict"], land)
        limited = cut(shapely.difference, cut(shapely.intersection, merged["emission_limited"], land), strict)
        return {"strict": strict, "emission_limited": limited, "other": cut(shapely.difference, cut(shapely.difference, land, strict), limited)}

    out = np.empty(len(zones), dtype=object)
    for slug, shown in zip(outlines, thread_map(province_zones, zip(outlines, lands))):
        rows = province == slug
        out[rows] = [shown[z] for z in zone[rows]]
    return reproject(out, DISPLAY_CRS, CRS(NATIONAL_CRS))


def for_display(geoms: np.ndarray, tolerance_m: float, clean: bool = False) -> np.ndarray:
    """Geometries (national CRS) simplified as one coverage in metres, back in the national CRS.

    ``clean``: for the provinces' outlines, whose shared borders meet but do not share
    vertices: where shapely can (2.2, GEOS 3.14) the coverage is first cleaned (vertices within
    a millimetre snapped, shared edges made identical) so a border is simplified once for both
    sides. A province's units and communes are simplified as its own map does, uncleaned
    (cleaning one province's units took 7.5 s, longer than simplifying them).
    """
    metric = reproject(geoms, CRS(NATIONAL_CRS), DISPLAY_CRS)
    if clean and hasattr(shapely, "coverage_clean"):
        metric = shapely.coverage_clean(metric, snapping_distance=SNAP_M)
    metric = simplified_for_display(metric, tolerance_m, coverage=True)
    return reproject(metric, DISPLAY_CRS, CRS(NATIONAL_CRS))
