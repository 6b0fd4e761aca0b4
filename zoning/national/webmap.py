"""The national map: one page for the whole country that opens offline, a province's detail loaded as it comes into view.

``ban-do-toan-quoc.html`` holds the zones of every province, simplified as one national
coverage (``OVERVIEW_TOLERANCE_M``, shared borders simplified once, so no sliver opens
between provinces), the province outlines and a province picker. Each province's units and
communes, at display precision (``DETAIL_TOLERANCE_M``), are in
``ban-do-toan-quoc/<slug>.js``: the page adds that file as a ``<script>`` element when the
province is in view at zoom ``DETAIL_ZOOM`` or more, or is picked (a page opened from disk
may load scripts, not fetch files), so the browser holds only the provinces looked at.
Leaflet is inlined; no tile server, no network. Geometry is simplified in VN-2000 / UTM 48N
(EPSG:3405: same datum as the builds, display only); areas shown are each province's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning import terms
from zoning.files import write_text
from zoning.inputs.crs import reproject
from zoning.inputs.reference import find_province
from zoning.national.mosaic import NATIONAL_CRS
from zoning.outputs.mapdata import feature_collection, geojson_geometries, lat_lon_box, simplified_for_display
from zoning.outputs.report import environment
from zoning.outputs.webassets import safe_json, web_assets
from zoning.resources import path as resource

PAGE = "ban-do-toan-quoc.html"
DETAIL_FOLDER = "ban-do-toan-quoc"
DISPLAY_CRS = CRS("EPSG:3405")
OVERVIEW_TOLERANCE_M = 150.0
DETAIL_TOLERANCE_M = 20.0  # below a pixel up to zoom 13 (about 17 m a pixel at 21°N)
DECIMALS = 5  # 1e-5° ≈ 1 m
SNAP_M = 0.001
DETAIL_ZOOM = 9


def write_national_map(out: Path, national: dict[str, pd.DataFrame]) -> list[Path]:
    """Write the page and one detail file per province into ``out``; return the page and the detail folder."""
    zones = national["zones"]
    slugs = list(dict.fromkeys(zones["province"]))
    names = {slug: find_province(slug) for slug in slugs}
    overview = _display(zones.geometry.to_numpy(), OVERVIEW_TOLERANCE_M)
    outlines = [shapely.union_all(overview[(zones["province"] == slug).to_numpy()]) for slug in slugs]
    zone_props = [{"province": names[p].name, "zone": z, "name": terms.zone_name(z, "vi"), "name_en": terms.zone_name(z, "en"),
                   "area_ha": round(float(a), 2)} for p, z, a in zip(zones["province"], zones["zone"], zones["area_ha"])]
    provinces = [{"slug": slug, "name": names[slug].full_name, "name_en": names[slug].full_name_en,
                  "bounds": lat_lon_box(np.array([outline]), NATIONAL_CRS)} for slug, outline in zip(slugs, outlines)]
    config = {
        "zones": feature_collection(geojson_geometries(overview, NATIONAL_CRS, DECIMALS), zone_props),
        "outlines": feature_collection(geojson_geometries(np.array(outlines), NATIONAL_CRS, DECIMALS), [{"slug": s} for s in slugs]),
        "provinces": provinces,
        "style": {key: {"fill": terms.colour("zones", key), "stroke": terms.colour("zones", key, "stroke"),
                        "vi": terms.zone_name(key, "vi"), "en": terms.zone_name(key, "en")} for key in ("strict", "emission_limited", "other")},
        "detailFolder": DETAIL_FOLDER,
        "detailZoom": DETAIL_ZOOM,
    }
    folder = out / DETAIL_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:  # each file whole (atomic) before the page that names it
        write_text(folder / f"{slug}.js", f"zoningNational.detail({safe_json(slug)},{safe_json(_detail(national, slug))});\n")
    for stale in set(folder.glob("*.js")) - {folder / f"{slug}.js" for slug in slugs}:
        stale.unlink()
    page = environment().get_template("national_map.html.j2").render(assets=web_assets("map").head_html, config=safe_json(config),
                                                                script=resource("maps", "national.js").read_text(encoding="utf-8"))
    return [write_text(out / PAGE, page), folder]


def _detail(national: dict[str, pd.DataFrame], slug: str) -> dict:
    """A province's units and communes for display."""
    units = national["units"][national["units"]["province"] == slug]
    communes = national["communes"][national["communes"]["province"] == slug]
    unit_props = [{"zone": z, "name": n, "citation": c, "status": terms.label("statuses_short", s), "area_ha": round(float(a), 2)}
                  for z, n, c, s, a in zip(units["zone"], units["name"], units["citation_vi"], units["status"], units["area_ha"])]
    commune_props = [{"name": str(f if isinstance(f, str) and f else n), "area_ha": round(float(a), 2)}
                     for f, n, a in zip(communes["full_name"], communes["name"], communes["area_ha"])]
    return {"units": feature_collection(geojson_geometries(_display(units.geometry.to_numpy(), DETAIL_TOLERANCE_M), NATIONAL_CRS, DECIMALS), unit_props),
            "communes": feature_collection(geojson_geometries(_display(communes.geometry.to_numpy(), DETAIL_TOLERANCE_M), NATIONAL_CRS, DECIMALS),
                                           commune_props)}


def _display(geoms: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Geometries (national CRS) simplified as one coverage in metres, back in the national CRS.

    The provinces' shared borders meet but do not share vertices; where shapely can
    (2.2, GEOS 3.14) the coverage is first cleaned (vertices within a millimetre snapped,
    shared edges made identical) so a border is simplified once for both sides.
    """
    metric = reproject(geoms, CRS(NATIONAL_CRS), DISPLAY_CRS)
    if hasattr(shapely, "coverage_clean"):
        metric = shapely.coverage_clean(metric, snapping_distance=SNAP_M)
    metric = simplified_for_display(metric, tolerance_m, coverage=True)
    return reproject(metric, DISPLAY_CRS, CRS(NATIONAL_CRS))
