"""The national map: one page for the whole country that opens offline, a province's detail loaded as it comes into view.

``ban-do-toan-quoc.html`` shows every province's zones as an image (a palette PNG inline in the
page, on the Web Mercator pixels of zoom ``OVERVIEW_ZOOM``, where the details take over), the
province outlines and a province picker; a click reads the zone under it from the image. The
page's weight follows the country's area, not the number of features: a vector overview of
34 provinces with 1,000 features each held 4.5 million vertices (41 MB) and took 18 s to open.
The outlines (each province's communes' union) are simplified as one national coverage,
shared borders once, so no sliver opens between provinces.

Each province's units and communes, at display precision (``DETAIL_TOLERANCE_M``), are in
``ban-do-toan-quoc/<slug>.js``: the page adds that file as a ``<script>`` element when the
province is in view at zoom ``DETAIL_ZOOM`` or more, or is picked (a page opened from disk
may load scripts, not fetch files), so the browser holds only the provinces looked at.
Leaflet is inlined; no tile server, no network. Outlines and details are simplified in
VN-2000 / UTM 48N (EPSG:3405: same datum as the builds, display only); areas shown are each
province's own.

What needs one province only — its detail file and its overview image (``<slug>.overview.png``
beside its build) — is made by :func:`write_province_map` on the worker that built it, in
parallel with the other provinces and kept with a kept build.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from affine import Affine
from PIL import Image, PngImagePlugin
from pyproj import CRS, Transformer
from rasterio.features import rasterize

from zoning import terms
from zoning.files import atomic_path, write_text
from zoning.inputs.crs import reproject
from zoning.inputs.reference import find_province
from zoning.national.mosaic import NATIONAL_CRS, province_extents
from zoning.outputs.mapdata import lat_lon_box, simplified_for_display, to_wgs84
from zoning.outputs.raster import NODATA, ZONE_CODES, Grid, aligned_grid, zone_colours
from zoning.outputs.report import environment
from zoning.outputs.webassets import safe_json, web_assets
from zoning.resources import path as resource

PAGE = "ban-do-toan-quoc.html"
DETAIL_FOLDER = "ban-do-toan-quoc"
DISPLAY_CRS = CRS("EPSG:3405")
WEB_MERCATOR = CRS("EPSG:3857")
OVERVIEW_TOLERANCE_M = 150.0
DETAIL_TOLERANCE_M = 20.0  # below a pixel up to zoom 13 (about 17 m a pixel at 21°N)
DECIMALS = 5  # 1e-5° ≈ 1 m
SNAP_M = 0.001
DETAIL_ZOOM = 9
OVERVIEW_ZOOM = DETAIL_ZOOM  # the overview's pixels are the map's own at the zoom where the details take over
OVERVIEW_PIXEL_M = 2 * 20037508.342789244 / (256 * 2**OVERVIEW_ZOOM)  # Web Mercator metres (about 285 m on the ground at 21°N)
OVERVIEW_SAMPLES = 4  # sub-pixels a side: a pixel of zoom 9 read on the pixels of zoom 11 (about 70 m)
OVERVIEW_BLOCK_SUB_PIXELS = 64_000_000  # rasterised at a time (a byte each): most provinces in one go, every vertex read once
PARTLY = {ZONE_CODES["strict"]: 4, ZONE_CODES["emission_limited"]: 5}  # palette index: the zone covers under half the pixel
PARTLY_ALPHA = 110  # of 255: a pale pixel's opacity in the image
GRID_KEY = "zoning:web-mercator-origin"  # the PNG text chunk that holds an overview image's north-west corner
_TO_LAT_LON = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)


def write_national_map(out: Path, national: dict[str, pd.DataFrame], lands: dict[str, shapely.Geometry] | None = None,
                       overviews: dict[str, bytes] | None = None) -> list[Path]:
    """Write the page and one detail file per province into ``out``; return the page and the detail folder.

    ``lands``: :func:`zoning.national.mosaic.province_extents`, when already computed.
    ``overviews``: the overview images the workers made (:func:`read_overview`); the other
    provinces' overview and detail are made here.
    """
    overviews = dict(overviews or {})
    zones = national["zones"]
    slugs = list(dict.fromkeys(zones["province"]))
    names = {slug: find_province(slug) for slug in slugs}
    lands = lands if lands is not None else province_extents(national)
    outlines = for_display(np.array([lands[slug] for slug in slugs]), OVERVIEW_TOLERANCE_M, clean=True)
    folder = out / DETAIL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:  # each file whole (atomic) before the page that names it; one at a time (coverage_simplify in two threads crashed)
        made_here = slug not in overviews
        if made_here:
            overviews[slug] = overview_png(zones[zones["province"] == slug])
        if made_here or not detail_path(out, slug).is_file():
            _write_detail(out, slug, _province_rows(national, slug))
    for stale in set(folder.glob("*.js")) - {detail_path(out, slug) for slug in slugs}:
        stale.unlink()
    config = {
        "zones": [{"slug": p, "zone": z, "area_ha": round(float(a), 2)} for p, z, a in zip(zones["province"], zones["zone"], zones["area_ha"])],
        "overviews": [overview_layer(slug, overviews[slug]) for slug in slugs],
        "outlines": packed(np.array(outlines), [{"slug": s} for s in slugs]),
        "provinces": [{"slug": slug, "name": names[slug].full_name, "name_en": names[slug].full_name_en,
                       "bounds": lat_lon_box(np.array([outline]), NATIONAL_CRS)} for slug, outline in zip(slugs, outlines)],
        "style": {key: {"fill": terms.colour("zones", key), "stroke": terms.colour("zones", key, "stroke"),
                        "vi": terms.zone_name(key, "vi"), "en": terms.zone_name(key, "en")} for key in ZONE_CODES},
        "detailFolder": DETAIL_FOLDER,
        "detailZoom": DETAIL_ZOOM,
        "decimals": DECIMALS,
    }
    page = environment().get_template("national_map.html.j2").render(assets=web_assets("map").head_html, config=safe_json(config),
                                                                script=resource("maps", "national.js").read_text(encoding="utf-8"))
    return [write_text(out / PAGE, page), folder]


def write_province_map(out: Path, slug: str, build_path: Path, frames: dict[str, pd.DataFrame]) -> None:
    """A province's share of the national map, made where it was built: its detail file in ``out``
    and its overview image beside its build (``frames``: its layers in the national CRS).
    """
    _write_detail(out, slug, frames)
    with atomic_path(overview_path(build_path)) as tmp:
        tmp.write_bytes(overview_png(frames["zones"]))


def overview_path(build_path: Path) -> Path:
    """Where a province's overview image is kept: beside its build."""
    return build_path.with_suffix(".overview.png")


def read_overview(build_path: Path) -> bytes | None:
    """A province's overview image as :func:`write_province_map` kept it; None when missing or damaged (made again)."""
    try:
        data = overview_path(build_path).read_bytes()
        overview_grid(data)
    except (OSError, ValueError, KeyError, TypeError, Image.UnidentifiedImageError):
        return None
    return data


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


def overview_classes(zones: pd.DataFrame) -> tuple[np.ndarray, Grid]:
    """A province's zones (national CRS, one row a zone) as palette indices on the Web Mercator grid
    of zoom ``OVERVIEW_ZOOM``: :data:`zoning.outputs.raster.ZONE_CODES` where a zone covers half a
    pixel or more, ``PARTLY`` where the strict or emission-limited zone touches it but covers less,
    0 outside the province.

    The province's pixels are those whose centre it holds (neighbours share none). Each is read
    on ``OVERVIEW_SAMPLES`` × ``OVERVIEW_SAMPLES`` sub-pixels, by their centres. A pixel takes
    the first zone that touches it (strict, emission-limited, other): in full colour if that
    zone holds half its sub-pixels or more, pale otherwise. So a corridor narrower than a pixel
    still shows, and scattered small sites do not paint a province red.
    """
    geometries = reproject(zones.geometry.to_numpy(), CRS(NATIONAL_CRS), WEB_MERCATOR)
    kept = ~shapely.is_empty(geometries)
    geometries, zone = geometries[kept], zones["zone"].to_numpy()[kept]
    if not len(geometries):  # a province with no land drawn: one transparent pixel
        return np.zeros((1, 1), dtype=np.uint8), Grid(_north_up(OVERVIEW_PIXEL_M, 0.0, 0.0), 1, 1)
    grid = aligned_grid(tuple(shapely.total_bounds(geometries)), OVERVIEW_PIXEL_M)
    classes = np.zeros((grid.height, grid.width), dtype=np.uint8)
    half = OVERVIEW_SAMPLES**2 / 2
    rows = max(1, OVERVIEW_BLOCK_SUB_PIXELS // (grid.width * OVERVIEW_SAMPLES**2))
    for top in range(0, grid.height, rows):  # a block of rows at a time: a long province has many sub-pixels
        block = Grid(_north_up(OVERVIEW_PIXEL_M, grid.transform.c, grid.transform.f - top * OVERVIEW_PIXEL_M),
                     grid.width, min(rows, grid.height - top))
        land = _sub_pixels(geometries, block, samples=1) > 0
        found = np.where(land, ZONE_CODES["other"], NODATA)
        for name in ("emission_limited", "strict"):  # strict over the others
            parts, code = geometries[zone == name], ZONE_CODES[name]
            touched = land & (_sub_pixels(parts, block, touched=True) > 0)
            found = np.where(touched, np.where(_sub_pixels(parts, block) >= half, code, PARTLY[code]), found)
        classes[top:top + block.height] = found
    return classes, grid


def _sub_pixels(geometries: np.ndarray, grid: Grid, samples: int = OVERVIEW_SAMPLES, touched: bool = False) -> np.ndarray:
    """Per pixel of ``grid``, how many of its ``samples`` × ``samples`` sub-pixels ``geometries`` hold (by centre) or touch."""
    n = samples
    if not len(geometries):
        return np.zeros((grid.height, grid.width), dtype=np.int64)
    fine = rasterize(geometries, out_shape=(grid.height * n, grid.width * n), transform=_north_up(grid.resolution / n, grid.transform.c, grid.transform.f),
                     all_touched=touched, dtype="uint8")
    return fine.reshape(grid.height, n, grid.width, n).sum(axis=(1, 3), dtype=np.int64)


def overview_png(zones: pd.DataFrame) -> bytes:
    """:func:`overview_classes` as a palette PNG (the zone colours, 0 transparent) with its grid in a text chunk."""
    classes, grid = overview_classes(zones)
    image = Image.frombytes("P", (grid.width, grid.height), np.ascontiguousarray(classes).tobytes())
    colours = zone_colours()
    colours.update({index: (*colours[code][:3], PARTLY_ALPHA) for code, index in PARTLY.items()})
    image.putpalette([c for index in range(len(colours)) for c in colours[index][:3]])
    info = PngImagePlugin.PngInfo()
    info.add_text(GRID_KEY, json.dumps([grid.transform.c, grid.transform.f]))  # its north-west corner
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True, transparency=bytes(colours[index][3] for index in range(len(colours))), pnginfo=info)
    return buffer.getvalue()


def overview_grid(data: bytes) -> tuple[np.ndarray, Grid]:
    """The classes and Web Mercator grid of an overview image (:func:`overview_png`); ValueError if it is not one."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        west, north = (float(v) for v in json.loads(image.text[GRID_KEY]))
        if image.mode != "P":
            raise ValueError("not a palette image")
        classes = np.asarray(image)
    if not all(abs(v / OVERVIEW_PIXEL_M - round(v / OVERVIEW_PIXEL_M)) < 1e-6 for v in (west, north)):
        raise ValueError("the image is not on the overview's grid")
    return classes, Grid(_north_up(OVERVIEW_PIXEL_M, west, north), classes.shape[1], classes.shape[0])


def _north_up(size: float, west: float, north: float) -> Affine:
    return Affine(size, 0.0, west, 0.0, -size, north)


def overview_layer(slug: str, data: bytes) -> dict:
    """A province's overview image for the page: inline (a page opened from disk may read the pixels of an
    inline image, not of a file), with its bounds in latitude and longitude and its Web Mercator grid.
    """
    _, grid = overview_grid(data)
    west, south, east, north = grid.bounds
    (lon_w, lon_e), (lat_s, lat_n) = _TO_LAT_LON.transform([west, east], [south, north])
    return {"slug": slug, "image": "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
            "bounds": [[lat_s, lon_w], [lat_n, lon_e]], "grid": [west, north, grid.resolution]}


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
