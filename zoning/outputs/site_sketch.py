"""A small static map of one checked site for printed reports: the zones clipped to a
square window around the site, the site, a scale bar, a north arrow and a legend of the
three zones (Vietnamese first, English beside), as SVG drawn in the build's own CRS.

No tiles, no scripts: the SVG goes into the report as an ``<img>`` with a ``data:`` URI,
which browsers print and LibreOffice keeps when it makes the PDF or Word file.
"""

from __future__ import annotations

import base64
import html

import numpy as np
import shapely

from zoning import terms
from zoning.builder.model import Build
from zoning.terms import ZONE_ORDER

MAP_PX = 220  # side of the square map, in SVG pixels
LEGEND_PX = 112  # height of the legend below it
SKETCH_PX = MAP_PX  # width of the whole sketch
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
SCALE_STEPS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)


def site_sketch_svg(build: Build, site: shapely.Geometry, *, margin_m: float = 1500.0) -> str:
    """The SVG of the zones within ``margin_m`` of ``site`` (a geometry in the build's CRS)."""
    x0, y0, x1, y1 = shapely.bounds(site)
    half = max(x1 - x0, y1 - y0) / 2 + margin_m
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    window = (cx - half, cy - half, cx + half, cy + half)
    scale = MAP_PX / (2 * half)  # SVG pixels per metre

    def path(geometry: shapely.Geometry) -> str:
        parts = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in [polygon.exterior, *polygon.interiors] if polygon.geom_type == "Polygon" else [polygon]:
                xy = shapely.get_coordinates(ring)
                if len(xy):
                    px = np.column_stack([(xy[:, 0] - window[0]) * scale, (window[3] - xy[:, 1]) * scale]).round(1)
                    parts.append("M" + " L".join(f"{x:g} {y:g}" for x, y in px) + (" Z" if polygon.geom_type == "Polygon" else ""))
        return " ".join(parts)

    body = [f'<rect class="frame" x="0" y="0" width="{MAP_PX}" height="{MAP_PX}" fill="#ffffff"/>']
    for zone, geometry in zip(build.zones["zone"], build.zones.geometry):
        clipped = shapely.simplify(shapely.clip_by_rect(geometry, *window), 0.5 / scale)
        if clipped.is_empty or clipped.area <= 0:
            continue
        body.append(f'<path class="zone zone-{zone}" fill-rule="evenodd" fill="{terms.colour("zones", zone)}" fill-opacity="0.85" '
                    f'stroke="{terms.colour("zones", zone, "stroke")}" stroke-width="0.8" d="{path(clipped)}"/>')
    body.append(_site(site, path, window, scale))
    body.append(f'<rect x="0" y="0" width="{MAP_PX}" height="{MAP_PX}" fill="none" stroke="#333333" stroke-width="1"/>')
    body += _scale_bar(2 * half) + _north_arrow() + _legend()
    width, height = MAP_PX, MAP_PX + LEGEND_PX
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'font-family="{FONT}">' + "".join(body) + "</svg>")


def site_sketch_img(build: Build, site: shapely.Geometry, *, margin_m: float = 1500.0) -> str:
    """The sketch as an ``<img>`` element with the SVG in a ``data:`` URI."""
    svg = site_sketch_svg(build, site, margin_m=margin_m)
    title = "Sơ đồ vị trí địa điểm và các vùng xung quanh / Sketch of the site and the zones around it"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="site-sketch" alt="{html.escape(title)}" width="{MAP_PX}" height="{MAP_PX + LEGEND_PX}" '
            f'src="data:image/svg+xml;base64,{data}">')


def _site(site: shapely.Geometry, path, window, scale: float) -> str:
    """The site drawn over the zones: a ringed dot for a point, its outline otherwise."""
    if site.geom_type in ("Point", "MultiPoint"):
        xy = shapely.get_coordinates(site)
        return "".join(f'<circle class="site" cx="{(x - window[0]) * scale:.1f}" cy="{(window[3] - y) * scale:.1f}" r="6" '
                       'fill="#1565c0" stroke="#ffffff" stroke-width="2.5"/>' for x, y in xy)
    clipped = shapely.clip_by_rect(site, *window)
    fill = "none" if site.geom_type in ("LineString", "MultiLineString") else "#1565c0"
    return (f'<path class="site" d="{path(clipped)}" fill="{fill}" fill-opacity="0.25" stroke="#1565c0" stroke-width="3" '
            'stroke-linejoin="round"/>')


def _scale_bar(width_m: float) -> list[str]:
    """A bar of a round length, about a quarter of the map, in its lower left corner."""
    length = max((s for s in SCALE_STEPS_M if s <= width_m / 4), default=SCALE_STEPS_M[0])
    px = length * MAP_PX / width_m
    x, y = 10.0, MAP_PX - 14.0
    label = f"{terms.number(length / 1000, 1)} km" if length >= 1000 else f"{length} m"
    return [f'<rect x="{x - 4}" y="{y - 5}" width="{px + 48:.1f}" height="16" fill="#ffffff" fill-opacity="0.8"/>',
            f'<rect class="scale-bar" x="{x}" y="{y}" width="{px / 2:.1f}" height="5" fill="#000000" stroke="#000000"/>',
            f'<rect x="{x + px / 2:.1f}" y="{y}" width="{px / 2:.1f}" height="5" fill="#ffffff" stroke="#000000"/>',
            f'<text x="{x + px + 4:.1f}" y="{y + 6}" font-size="10">{label}</text>']


def _north_arrow() -> list[str]:
    x, y = MAP_PX - 22, 12
    return [f'<circle cx="{x}" cy="{y + 14}" r="16" fill="#ffffff" fill-opacity="0.8"/>',
            f'<path class="north-arrow" d="M{x} {y} L{x + 7} {y + 22} L{x} {y + 17} L{x - 7} {y + 22} Z" fill="#000000"/>',
            f'<text x="{x}" y="{y + 34}" font-size="10" font-weight="bold" text-anchor="middle">B / N</text>']


def _legend() -> list[str]:
    """The three zones and the site, each in Vietnamese with its English below."""
    x, top, items = 2, MAP_PX + 4, []
    rows = [(terms.zone_name(z, "vi"), terms.zone_name(z, "en"), f'fill="{terms.colour("zones", z)}" stroke="{terms.colour("zones", z, "stroke")}"')
            for z in ZONE_ORDER]
    rows.append(("Địa điểm kiểm tra", "Checked site", 'fill="#1565c0" stroke="#ffffff"'))
    for i, (vi, en, paint) in enumerate(rows):
        y = top + 27 * i
        shape = "circle" if i == len(rows) - 1 else "rect"
        items.append(f'<circle cx="{x + 7}" cy="{y + 8}" r="5.5" stroke-width="2" {paint}/>' if shape == "circle"
                     else f'<rect x="{x}" y="{y + 2}" width="14" height="11" {paint}/>')
        items.append(f'<text x="{x + 20}" y="{y + 11}" font-size="10.5">{html.escape(vi)}</text>')
        items.append(f'<text x="{x + 20}" y="{y + 23}" font-size="9.5" fill="#555555">{html.escape(en)}</text>')
    return items
