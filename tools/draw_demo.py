"""Draw the Cao Bằng demo input layers for the zoning tool.

Writes, next to this script:

- ``cao-bang.gpkg``: the real 2025 province and communes (copied unchanged) and the
  illustrative sensitive-area layers, one per catalogue kind (nature reserves, urban
  areas, water supply sources and intakes, relic zones, wetlands, other sensitive areas,
  residential areas);
- ``cao-bang-sites.gpkg``: the illustrative waste-treatment sites named by the plan and
  the six real hydropower plants;
- ``SOURCE.md`` and ``LICENSES.md``: what is real, what is drawn, attributions, licences.

No official polygons exist for the reserves, relics, urban areas, water sources or waste
sites, so the script draws them in metres in EPSG:9210 (VN-2000 / TM-3 105-45) from the
facts of the Cao Bằng plan (March 2026 draft): the commune each feature belongs to and a
plausible extent. Shapes are "blobs": circles whose radius is modulated by sinusoids with
phases taken from the SHA-256 of the feature name, scaled by bisection until the part
inside the province (or commune) has the target area. Villages are scattered with a
seeded NumPy generator. Running the script twice gives byte-identical files.

Run from the repository root::

    /tmp/venv/bin/python layers/demo/draw_demo.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
import yaml
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points, substring

HERE = Path(__file__).resolve().parents[1] / "layers" / "demo"
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
CATALOGUE = HERE.parent / "catalogue.yaml"
DEMO_GPKG = HERE / "cao-bang.gpkg"
SITES_GPKG = HERE / "cao-bang-sites.gpkg"
MAX_BYTES = 5 * 1024 * 1024

ADMIN_DIR = Path("data/raw/vietnamese-provinces-database")
HYDRO_DIR = Path("data/raw/legocity-opendata")
ADMIN_COMMIT = "cd58063299585146ded3981f2272946ef19ced54"  # snapshot HEAD
ADMIN_PATH_COMMIT = "c5b60bfa831f00651c66fb494d06c1b411b40b44"  # last change to 04_cao_bang
HYDRO_COMMIT = "b9097f754f05ee2c0b8dd09cf8a9f7d389d0c7e1"
NEIGHBOURS = {
    "tuyen_quang": "08_tuyen_quang",
    "thai_nguyen": "19_thai_nguyen",
    "lang_son": "20_lang_son",
}

METRIC_CRS = "EPSG:9210"  # VN-2000 / TM-3 105-45
OUTPUT_CRS = "EPSG:4326"
TRANSFORMATION = "VN-2000 to WGS 84 (2)"  # EPSG:6960, pyproj's default choice, pinned
SEED = 20220110  # Decree 08/2022/NĐ-CP was signed on 10 January 2022
GPKG_TIMESTAMP = "2026-03-01T00:00:00Z"  # fixed GeoPackage last_change
HA = 10_000.0  # m² per hectare
MIN_PART = 0.5 * HA  # polygon parts smaller than this are dropped after clipping
BORDER_TOLERANCE = 1_000.0  # m; the neighbours' outlines are simplified
ILLUSTRATIVE_SOURCE = (
    "illustrative: drawn by the zoning project from the Cao Bằng plan (3/2026 draft); "
    "not surveyed"
)

# Blob outline: a circle modulated by these harmonics (amplitudes relative to the radius).
HARMONICS = (2, 3, 4, 5)
AMPLITUDES = (0.14, 0.08, 0.05, 0.03)
VERTICES = 120


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C."""
    return unicodedata.normalize("NFC", text)


# Tone marks on the main vowel of "oa", "oe", "uy" at the end of a syllable, as official
# texts write them (Hòa, Thủy): old-style "oà", "uỷ" become "òa", "ủy" ("quý" stays).
_OLD_TONE = re.compile(r"(?<![qQ])([uU])([ýỳỷỹỵ])(?!\w)|([oO])([áàảãạéèẻẽẹ])(?!\w)")


def written(text: str) -> str:
    """``text`` in NFC with the tone marks placed as official texts place them."""

    def move(match: re.Match) -> str:
        first, marked = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        plain, *tone = unicodedata.normalize("NFD", marked)
        return nfc(first + "".join(tone)) + plain

    return _OLD_TONE.sub(move, nfc(text))


# --------------------------------------------------------------------------- shapes


def hash_unit(key: str, count: int) -> np.ndarray:
    """Return ``count`` (≤ 16) stable numbers in [0, 1) derived from SHA-256 of ``key``."""
    digest = hashlib.sha256(nfc(key).encode("utf-8")).digest()
    return np.frombuffer(digest, dtype=">u2")[:count] / 65536.0


def _angles() -> np.ndarray:
    return np.linspace(0.0, 2.0 * math.pi, VERTICES, endpoint=False)


def ring_margin(key: str, low: float, high: float) -> np.ndarray:
    """Return a radial margin per blob vertex that varies smoothly within [low, high]."""
    theta = _angles()
    u = hash_unit(key + " ring", 2)
    shape = (
        0.5
        + 0.3 * np.sin(2 * theta + 2 * math.pi * u[0])
        + 0.2 * np.sin(3 * theta + 2 * math.pi * u[1])
    )
    return low + (high - low) * shape


@dataclass(frozen=True)
class Blob:
    """A natural-looking outline around ``center``, seeded by ``key``.

    ``aspect`` stretches the outline along x (and shrinks it along y) before it is turned
    anticlockwise by ``angle`` degrees; the area does not depend on either.
    """

    key: str
    center: tuple[float, float]
    radius: float
    aspect: float = 1.0
    angle: float = 0.0

    def polygon(self, scale: float = 1.0, margin: float | np.ndarray = 0.0) -> Polygon:
        """Return the outline scaled by ``scale`` and widened radially by ``margin`` m."""
        theta = _angles()
        u = hash_unit(self.key, 2 * len(HARMONICS))
        wobble = np.ones_like(theta)
        for i, (k, amplitude) in enumerate(zip(HARMONICS, AMPLITUDES)):
            jitter = 0.7 + 0.6 * u[len(HARMONICS) + i]
            wobble += amplitude * jitter * np.sin(k * theta + 2 * math.pi * u[i])
        r = self.radius * scale * wobble + margin
        x = r * np.cos(theta) * math.sqrt(self.aspect)
        y = r * np.sin(theta) / math.sqrt(self.aspect)
        turn = math.radians(self.angle)
        cx, cy = self.center
        xr = cx + x * math.cos(turn) - y * math.sin(turn)
        yr = cy + x * math.sin(turn) + y * math.cos(turn)
        return Polygon(np.column_stack([xr, yr]))


def polygon_parts(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygons of ``geom``, dropping slivers (but never the largest part)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return Polygon()
    keep = [p for p in parts if p.area >= MIN_PART] or [max(parts, key=lambda p: p.area)]
    return keep[0] if len(keep) == 1 else MultiPolygon(keep)


def clip(geom: BaseGeometry, mask: BaseGeometry) -> BaseGeometry:
    """Return the polygonal part of ``geom`` inside ``mask``, without slivers."""
    return polygon_parts(shapely.intersection(geom, mask))


def fit_area(
    shape: Callable[[float], BaseGeometry], area_ha: float, mask: BaseGeometry
) -> tuple[BaseGeometry, float]:
    """Scale ``shape`` (e.g. ``Blob.polygon``) until its part inside ``mask`` has ``area_ha``.

    Returns the clipped polygon and the scale factor (bisection on the scale).
    """
    target = area_ha * HA

    def area(scale: float) -> float:
        return clip(shape(scale), mask).area

    low, high = 0.0, 1.0
    while area(high) < target:
        high *= 2.0
        if high > 64:
            raise ValueError(f"cannot fit {area_ha} ha inside the mask")
    while high - low > 1e-5:
        mid = 0.5 * (low + high)
        if area(mid) < target:
            low = mid
        else:
            high = mid
    return clip(shape(high), mask), high


def radius_for(area_ha: float) -> float:
    """Radius (m) of the circle of ``area_ha`` hectares."""
    return math.sqrt(area_ha * HA / math.pi)


def _catmull_rom(p0, p1, p2, p3, count: int) -> np.ndarray:
    """``count`` points of the centripetal Catmull-Rom segment from p1 (excl.) to p2."""
    t0 = 0.0
    t1 = t0 + np.linalg.norm(p1 - p0) ** 0.5
    t2 = t1 + np.linalg.norm(p2 - p1) ** 0.5
    t3 = t2 + np.linalg.norm(p3 - p2) ** 0.5
    t = np.linspace(t1, t2, count + 1)[1:, None]
    a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    return (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2


def river_line(anchors: Sequence[Point], key: str, per_segment: int = 40) -> LineString:
    """Return a smooth, gently meandering line that passes through every anchor.

    The curve is a centripetal Catmull-Rom spline; the meander is a sideways sine wave
    (phase from ``key``) that fades out at each anchor.
    """
    p = np.array([[a.x, a.y] for a in anchors])
    ghosts = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    points, offsets = [p[:1]], [np.zeros(1)]
    u = np.arange(1, per_segment + 1) / per_segment
    for i in range(len(p) - 1):
        points.append(_catmull_rom(*ghosts[i : i + 4], per_segment))
        length = float(np.linalg.norm(p[i + 1] - p[i]))
        waves = max(1, round(length / 4_000))
        amplitude = min(400.0, 0.06 * length)
        phase = 2 * math.pi * hash_unit(f"{key} {i}", 1)[0]
        offsets.append(amplitude * np.sin(math.pi * u) * np.sin(2 * math.pi * waves * u + phase))
    xy, offset = np.vstack(points), np.concatenate(offsets)
    tangent = np.gradient(xy, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    return LineString(xy + normal * offset[:, None])


# --------------------------------------------------------------------------- inputs


def pinned_transformer(source: str, target: str) -> pyproj.Transformer:
    """Return the transformer between ``source`` and ``target`` that uses EPSG:6960."""
    group = pyproj.transformer.TransformerGroup(source, target, always_xy=True)
    found = [t for t in group.transformers if TRANSFORMATION in t.description]
    if len(found) != 1:
        raise RuntimeError(f"transformation {TRANSFORMATION!r} not available in PROJ")
    return found[0]


TO_METRIC = pinned_transformer(OUTPUT_CRS, METRIC_CRS)
TO_OUTPUT = pinned_transformer(METRIC_CRS, OUTPUT_CRS)


def reproject(geom, transformer: pyproj.Transformer):
    """Reproject a geometry (or array of geometries) with a pinned transformer."""
    return shapely.transform(geom, transformer.transform, interleaved=False)


def lonlat(lon: float, lat: float) -> Point:
    """Return the EPSG:9210 point of a WGS 84 longitude and latitude."""
    return reproject(Point(lon, lat), TO_METRIC)


def attribution(source_md: Path) -> str:
    """Return the quoted attribution text of an upstream SOURCE.md."""
    match = re.search(r'\*\*Attribution text:\*\* "(.+?)"', source_md.read_text("utf-8"))
    if not match:
        raise ValueError(f"no attribution text in {source_md}")
    return match.group(1)


@dataclass(frozen=True)
class Admin:
    """The real 2025 boundaries, as read (EPSG:4326) and in metres (EPSG:9210)."""

    province: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    province_m: BaseGeometry
    commune_m: dict[str, BaseGeometry]
    names: dict[str, str]
    borders: dict[str, BaseGeometry]

    def rep(self, code: str) -> Point:
        """Representative point of a commune, in metres."""
        return self.commune_m[code].representative_point()

    def near(self, code: str, dx: float = 0.0, dy: float = 0.0) -> Point:
        """The representative point of a commune moved by (dx, dy) metres."""
        p = self.rep(code)
        return Point(p.x + dx, p.y + dy)

    def around(self, code: str) -> tuple[str, ...]:
        """A commune and its neighbours: where a ring around a feature in it may centre."""
        zone = self.commune_m[code].buffer(50)
        return tuple(c for c, geom in self.commune_m.items() if geom.intersects(zone))

    def border_point(self, border: str, code: str) -> Point:
        """The point of a border (``china`` or a neighbour) nearest to a commune."""
        return nearest_points(self.borders[border], self.rep(code))[0]


def load_admin(shared: Path) -> Admin:
    """Read the province, its communes and the neighbours' outlines."""
    gpkg = shared / ADMIN_DIR / "cao_bang_2025_admin.gpkg"
    province = gpd.read_file(gpkg, layer="province")
    communes = gpd.read_file(gpkg, layer="communes")
    province_m = reproject(province.geometry.iloc[0], TO_METRIC)
    commune_m = dict(zip(communes["code"], reproject(communes.geometry.values, TO_METRIC)))
    outline = province_m.boundary
    borders, shared_parts = {}, []
    for key, folder in NEIGHBOURS.items():
        path = shared / ADMIN_DIR / "json/geojson" / folder / f"{folder}.geojson"
        neighbour = reproject(gpd.read_file(path).geometry.iloc[0], TO_METRIC)
        zone = neighbour.buffer(BORDER_TOLERANCE)
        borders[key] = outline.intersection(zone)
        shared_parts.append(zone)
    borders["china"] = outline.difference(shapely.union_all(shared_parts))
    return Admin(
        province=province,
        communes=communes,
        province_m=province_m,
        commune_m=commune_m,
        names=dict(zip(communes["code"], communes["name"])),
        borders=borders,
    )


# --------------------------------------------------------------------------- features


@dataclass
class Feature:
    """One drawn feature: attributes, geometry in metres, and where it must lie."""

    attrs: dict
    geometry: BaseGeometry
    communes: tuple[str, ...]  # its representative point must lie in one of these


@dataclass
class Drawing:
    """All drawn layers, in metres, by layer name."""

    layers: dict[str, list[Feature]] = field(default_factory=dict)

    def geometries(self, *layers: str, where=lambda f: True) -> BaseGeometry:
        """Union of the features of ``layers`` that satisfy ``where``."""
        return shapely.union_all(
            [f.geometry for name in layers for f in self.layers[name] if where(f)]
        )


# Approximate real locations (WGS 84 longitude, latitude) of places named by the plan.
PHIA_OAC = (105.875, 22.615)
PAC_BO = (106.0466, 22.9896)
TRAN_HUNG_DAO_FOREST = (105.975, 22.583)
BAN_GIOC_FALLS = (106.7235, 22.8553)
BELOW_BAN_GIOC = (106.718, 22.853)  # on the Quây Sơn just inside Viet Nam


@dataclass(frozen=True)
class Reserve:
    """A nature reserve of the plan: core drawn as a blob, buffer as a ring around it.

    ``source_name`` is the name as the plan spells it, where that differs; the outline is
    seeded by it, so correcting a name does not move the outline.
    """

    name: str
    category: str
    commune: str
    center: Point
    area_ha: float
    source_name: str = ""

    @property
    def key(self) -> str:
        return self.source_name or self.name


def reserves_spec(admin: Admin) -> list[Reserve]:
    """The eight cores named by the plan (II.1.1.a)."""
    return [
        Reserve("Vườn quốc gia Phia Oắc – Phia Đén", "national_park", "01777",
                lonlat(*PHIA_OAC), 10_000),
        Reserve("Khu bảo tồn loài và sinh cảnh Vượn Cao Vít", "species_habitat", "01489",
                towards(admin.border_point("china", "01489"), admin.rep("01489"), 2_500),
                1_650, source_name="Khu bảo tồn loài – sinh cảnh Vườn Cao Vít"),
        Reserve("Khu bảo vệ cảnh quan Hồ Thang Hen", "landscape_protection", "01465",
                admin.near("01465", -1_500, 500), 300),
        Reserve("Khu di tích quốc gia đặc biệt Pác Bó", "relic_forest", "01392",
                lonlat(*PAC_BO), 250),
        Reserve("Khu di tích lịch sử văn hóa Lam Sơn", "relic_forest", "01654",
                admin.near("01654", 2_000, 1_500), 150),
        Reserve("Khu di tích lịch sử văn hóa Núi Lãng Đôn", "relic_forest", "01477",
                admin.near("01477", -1_500, -1_000), 120),
        Reserve("Khu di tích quốc gia đặc biệt Rừng Trần Hưng Đạo", "relic_forest", "01774",
                lonlat(*TRAN_HUNG_DAO_FOREST), 1_100),
        Reserve("Khu bảo vệ cảnh quan Thác Bản Giốc", "landscape_protection", "01501",
                lonlat(*BAN_GIOC_FALLS), 300),
    ]


def towards(start: Point, target: Point, distance: float) -> Point:
    """The point ``distance`` m from ``start`` towards ``target`` (away if negative)."""
    step = distance / start.distance(target)
    return Point(start.x + (target.x - start.x) * step, start.y + (target.y - start.y) * step)


def draw_nature_reserves(admin: Admin) -> list[Feature]:
    """Core and buffer (a ring 1.5–3 km wide) of each reserve, clipped to the province."""
    features = []
    for i, spec in enumerate(reserves_spec(admin), start=1):
        blob = Blob(spec.key, (spec.center.x, spec.center.y), radius_for(spec.area_ha))
        core, scale = fit_area(blob.polygon, spec.area_ha, admin.province_m)
        outer = blob.polygon(scale, ring_margin(spec.key, 1_500, 3_000))
        ring = polygon_parts(clip(outer, admin.province_m).difference(core))
        for part, geom in (("core", core), ("buffer", ring)):
            attrs = {"id": f"nr-{i:02d}-{part}", "name": spec.name, "part": part,
                     "category": spec.category}
            if "quốc gia đặc biệt" in spec.name:  # ranked by the plan (II.1.1.a): special national relics
                attrs["relic_rank"] = "special_national"
            if spec.source_name:
                attrs["note"] = (f"tên trong Kế hoạch (dự thảo tháng 3/2026): "
                                 f"{spec.source_name.replace('–', '-')}")
            expected = (spec.commune,) if part == "core" else admin.around(spec.commune)
            features.append(Feature(attrs, geom, expected))
    return features


CITY_UNITS = ("01273", "01279", "01288", "01654")
TOWN_COMMUNES = ("01290", "01321", "01729", "01726", "01363", "01392",
                 "01786", "01648", "01576", "01447", "01477", "01558")


def draw_urban_areas(admin: Admin) -> list[Feature]:
    """Cao Bằng city (one feature per unit) and the 12 commune centres, with both classes.

    ``urban_class`` is the class before 1 January 2026 (city III since 2010, the centres
    class V towns), ``class_2026`` the class the plan uses (Resolution 111/2025: city II,
    centres III).
    """
    units = shapely.union_all([admin.commune_m[c] for c in CITY_UNITS])
    # Centred between the nearest points of Hòa An and Tân Giang, stretched NW–SE along
    # the valley so that it reaches all four units.
    blob = Blob("Đô thị Cao Bằng", (547_700.0, 2_509_250.0), radius_for(2_500), 2.5, -50.0)
    city, _ = fit_area(blob.polygon, 2_500, units)
    full_names = dict(zip(admin.communes["code"], admin.communes["fullName"]))
    features = []
    for i, code in enumerate(CITY_UNITS, start=1):
        attrs = {"id": f"ua-{i:02d}", "name": f"Đô thị Cao Bằng – {full_names[code]}",
                 "urban_class": "III", "class_2026": "II"}
        features.append(Feature(attrs, clip(city, admin.commune_m[code]), (code,)))
    for i, code in enumerate(TOWN_COMMUNES, start=len(CITY_UNITS) + 1):
        name = f"Trung tâm xã {admin.names[code]}"
        key = f"{name} (đô thị loại III)"  # seeds the outline, as first drawn
        area_ha = 150 + 250 * hash_unit(key, 1)[0]
        rep = admin.rep(code)
        blob = Blob(key, (rep.x, rep.y), radius_for(area_ha))
        town, _ = fit_area(blob.polygon, area_ha, admin.commune_m[code])
        attrs = {"id": f"ua-{i:02d}", "name": name, "urban_class": "V",
                 "class_2026": "III"}
        features.append(Feature(attrs, town, (code,)))
    return features


@dataclass(frozen=True)
class River:
    """A supply river: from one border, through commune centres, to another border."""

    id: str
    name: str
    start: tuple[str, str]  # (border, commune it is nearest to)
    via: tuple[str | tuple[float, float], ...]  # commune codes or (lon, lat), in flow order
    end: tuple[str, str]
    communes: tuple[str, ...]  # the communes the plan's river flows through
    width_m: float | None
    corridor_m: float | None


RIVERS = (
    River("ws-01", "Sông Bằng Giang", ("china", "01438"),
          ("01438", "01654", "01273", "01708", "01288", "01807"), ("lang_son", "01807"),
          ("01438", "01392", "01654", "01273", "01288", "01708", "01807"), 60.0, 20.0),
    River("ws-02", "Sông Gâm", ("china", "01324"),
          ("01321", "01294", "01290"), ("tuyen_quang", "01290"),
          ("01324", "01321", "01290", "01294"), 80.0, None),
    River("ws-03", "Sông Quây Sơn", ("china", "01477"),
          ("01489", BELOW_BAN_GIOC, "01552", "01558"), ("china", "01558"),
          ("01477", "01489", "01501", "01552", "01558"), None, None),
)


def draw_river(admin: Admin, river: River) -> LineString:
    """The river line through its anchors, from border to border, kept in the province."""
    start = admin.border_point(*river.start)
    end = admin.border_point(*river.end)
    inner = [admin.rep(v) if isinstance(v, str) else lonlat(*v) for v in river.via]
    line = follow_border(river_line([start, *inner, end], river.name), admin.province_m)
    if line.difference(admin.province_m.buffer(1.0)).length > 0:
        raise RuntimeError(f"{river.name} leaves the province")
    return line


def follow_border(line: LineString, area: BaseGeometry) -> LineString:
    """Clip ``line`` to ``area``, replacing each excursion outside by the border between.

    Where the smooth curve would cut across a winding border, the river follows the
    border instead (as the Quây Sơn does near Bản Giốc).
    """
    ring = LineString(max(shapely.get_parts(area), key=lambda p: p.area).exterior)
    parts = sorted(shapely.get_parts(shapely.line_merge(shapely.intersection(line, area))),
                   key=lambda part: line.project(Point(part.coords[0])))
    coords = [shapely.get_coordinates(parts[0])]
    for before, after in zip(parts, parts[1:]):
        coords.append(along_ring(ring, Point(before.coords[-1]), Point(after.coords[0])))
        coords.append(shapely.get_coordinates(after))
    return LineString(np.vstack(coords))


def along_ring(ring: LineString, a: Point, b: Point) -> np.ndarray:
    """Coordinates of the shorter way from ``a`` to ``b`` along a closed ``ring``."""
    length, pa, pb = ring.length, ring.project(a), ring.project(b)
    if (pb - pa) % length <= length / 2:  # forwards
        pieces = [(pa, pb)] if pa <= pb else [(pa, length), (0.0, pb)]
    else:  # backwards
        pieces = [(pa, pb)] if pa >= pb else [(pa, 0.0), (length, pb)]
    return np.vstack([shapely.get_coordinates(substring(ring, s, e)) for s, e in pieces])


def draw_water_supply_sources(admin: Admin) -> list[Feature]:
    """The three supply rivers and the Khuổi Lái reservoir."""
    features = []
    for river in RIVERS:
        attrs = {"id": river.id, "name": river.name, "water_body": "river",
                 "width_m": river.width_m, "corridor_m": river.corridor_m}
        features.append(Feature(attrs, draw_river(admin, river), river.communes))
    name = "Hồ chứa nước Khuổi Lái"
    centre = admin.near("01660", 4_000, -4_500)
    blob = Blob(name, (centre.x, centre.y), radius_for(60), 2.5, 35.0)
    lake, _ = fit_area(blob.polygon, 60, admin.commune_m["01660"])
    attrs = {"id": "ws-04", "name": name, "water_body": "reservoir", "width_m": None,
             "corridor_m": 30.0}
    features.append(Feature(attrs, lake, ("01660",)))
    return features


def on_line(line: LineString, near: Point, upstream: float) -> Point:
    """The vertex of ``line`` nearest to the point ``upstream`` m before ``near``."""
    target = line.interpolate(line.project(near) - upstream)
    vertices = shapely.get_coordinates(line)
    return Point(vertices[np.argmin(np.hypot(*(vertices - [target.x, target.y]).T))])


def draw_water_intakes(admin: Admin, sources: list[Feature]) -> list[Feature]:
    """One intake per river, on a vertex of the river line, upstream of a town."""
    lines = {f.attrs["id"]: f.geometry for f in sources}
    specs = [
        ("wi-01", "Điểm lấy nước sông Bằng Giang – cấp nước đô thị Cao Bằng", "ws-01",
         "01273", 1_500, 16_000),
        ("wi-02", "Điểm lấy nước sông Gâm – cấp nước trung tâm xã Bảo Lạc", "ws-02",
         "01321", 1_000, 1_500),
        ("wi-03", "Điểm lấy nước sông Quây Sơn – cấp nước trung tâm xã Hạ Lang", "ws-03",
         "01558", 1_000, 1_200),
    ]
    features = []
    for fid, name, river, code, upstream, capacity in specs:
        point = on_line(lines[river], admin.rep(code), upstream)
        attrs = {"id": fid, "name": name, "capacity_m3d": capacity}
        features.append(Feature(attrs, point, (code,)))
    return features


def draw_relic_zones(admin: Admin) -> list[Feature]:
    """Four ranked relics as points, two as zone I polygons with a zone II ring."""
    points = [  # (id, name, rank, commune, offset in m from its representative point)
        ("rz-01", "Di tích Kim Đồng", "national", "01392", (2_500, 3_500)),
        ("rz-02", "Di tích Thành Nà Lữ", "national", "01654", (-1_500, -2_000)),
        ("rz-03", "Danh thắng Động Ngườm Ngao", "national", "01501", (1_000, 2_000)),
        ("rz-04", "Di tích Chùa Đà Quận", "provincial", "01279", (0, 1_200)),
    ]
    features = [
        Feature({"id": fid, "name": name, "protection_zone": "I",
                 "heritage_type": "scenic_spot" if name.startswith("Danh thắng") else "relic",
                 "rank": rank},
                admin.near(code, *offset), (code,))
        for fid, name, rank, code, offset in points
    ]
    polygons = [  # (..., zone I ha, zone II ring width range in m)
        ("rz-05", "Khu di tích Nà Lạn", "national", "01807", (1_500, 1_000), 25, (300, 600)),
        ("rz-06", "Di tích Đồn Đông Khê", "national", "01786", (-800, 600), 8, (200, 400)),
    ]
    for fid, name, rank, code, offset, area_ha, (low, high) in polygons:
        centre = admin.near(code, *offset)
        blob = Blob(name, (centre.x, centre.y), radius_for(area_ha))
        zone1, scale = fit_area(blob.polygon, area_ha, admin.commune_m[code])
        zone2 = polygon_parts(clip(blob.polygon(scale, ring_margin(name, low, high)),
                                   admin.province_m).difference(zone1))
        for zone, geom in (("I", zone1), ("II", zone2)):
            attrs = {"id": f"{fid}-{zone}", "name": name, "protection_zone": zone,
                     "heritage_type": "relic", "rank": rank}
            features.append(Feature(attrs, geom, (code,) if zone == "I" else admin.around(code)))
    return features


def draw_wetlands(admin: Admin, reserves: list[Feature]) -> list[Feature]:
    """The Thang Hen lakes wetland, overlapping part of the Thang Hen core and buffer."""
    core = next(f.geometry for f in reserves
                if "Thang Hen" in f.attrs["name"] and f.attrs["part"] == "core")
    centre = core.centroid
    name = "Vùng đất ngập nước Thang Hen"
    blob = Blob(name, (centre.x + 1_100, centre.y - 600), radius_for(250), 1.8, -20.0)
    wetland, _ = fit_area(blob.polygon, 250, admin.province_m)
    return [Feature({"id": "wl-01", "name": name}, wetland, ("01465",))]


GEOPARK = "Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng"
GEOPARK_KEY = "CVĐC Non nước Cao Bằng"  # seeds the outlines of the levels, as first drawn
GEOPARK_SITES = (  # (label, reserve whose core it surrounds, level 1 ha, commune)
    ("Thác Bản Giốc", "Thác Bản Giốc", 2_400, "01501"),
    ("Hồ Thang Hen", "Hồ Thang Hen", 1_600, "01465"),
    ("Pác Bó", "Pác Bó", 1_200, "01392"),
)


def draw_other_sensitive(admin: Admin, reserves: list[Feature]) -> list[Feature]:
    """Geopark (important landscape) with its level 1 and 2 areas; Nguyên Bình – Ba Bể."""
    features, level2_outer = [], []
    for i, (label, reserve, area_ha, code) in enumerate(GEOPARK_SITES):
        core = next(f.geometry for f in reserves
                    if f.attrs["name"].endswith(reserve) and f.attrs["part"] == "core")
        centre = core.centroid
        name1 = f"Mức 1 vùng bảo tồn, bảo vệ nghiêm ngặt – {GEOPARK} ({label})"
        name2 = f"Mức 2 vùng bảo tồn tại chỗ – {GEOPARK} ({label})"
        key1 = f"Mức 1 vùng bảo tồn nghiêm ngặt – {GEOPARK_KEY} ({label})"
        key2 = f"Mức 2 vùng bảo tồn tại chỗ – {GEOPARK_KEY} ({label})"
        blob = Blob(key1, (centre.x, centre.y), radius_for(area_ha))
        level1, scale = fit_area(blob.polygon, area_ha, admin.province_m)
        outer = clip(blob.polygon(scale, ring_margin(key2, 2_000, 4_000)), admin.province_m)
        level2 = polygon_parts(outer.difference(level1))
        level2_outer.append(outer)
        features += [
            Feature({"id": f"os-{2 + 2 * i:02d}", "name": name1, "category": "geopark_level_1"},
                    level1, (code,)),
            Feature({"id": f"os-{3 + 2 * i:02d}", "name": name2, "category": "geopark_level_2"},
                    level2, admin.around(code)),
        ]
    features.insert(0, draw_geopark(admin, shapely.union_all(level2_outer)))
    features.append(draw_high_biodiversity(admin))
    return features


def draw_geopark(admin: Admin, levels: BaseGeometry) -> Feature:
    """The whole geopark: a large blob over the centre and east, holding every level."""
    name = "Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng"
    # Centred east of Cao Bằng city, stretched WSW–ENE from Pác Bó towards Bản Giốc.
    blob = Blob(name, (558_000.0, 2_520_000.0), radius_for(300_000), 1.4, 20.0)
    geopark, _ = fit_area(lambda scale: shapely.union(blob.polygon(scale), levels), 300_000,
                          admin.province_m)
    # the plan asks to establish the landscape (1.2.b "Xác lập"): no legal boundary yet
    attrs = {"id": "os-01", "name": name, "category": "important_landscape",
             "legal_status": "proposed"}
    central = ("01654", "01273", "01279", "01288", "01699", "01660", "01456", "01576")
    return Feature(attrs, geopark, central)


BIODIVERSITY_COMMUNES = ("01738", "01768", "01777")  # Ca Thành, Phan Thanh, Thành Công


def draw_high_biodiversity(admin: Admin) -> Feature:
    """A band of blobs strung along the Thái Nguyên border of the old Nguyên Bình district."""
    name = "Khu vực đa dạng sinh học cao Nguyên Bình (Cao Bằng) – Ba Bể (Thái Nguyên)"
    communes = shapely.union_all([admin.commune_m[c] for c in BIODIVERSITY_COMMUNES])
    edge = shapely.line_merge(admin.borders["thai_nguyen"].intersection(communes.buffer(500)))
    edge = max(shapely.get_parts(edge), key=lambda part: part.length)
    stations = [edge.interpolate(f, normalized=True) for f in np.linspace(0.05, 0.95, 7)]
    blobs = [Blob(f"{name} {i}", (p.x, p.y), 3_000.0) for i, p in enumerate(stations)]
    band, _ = fit_area(lambda scale: shapely.union_all([b.polygon(scale) for b in blobs]),
                       20_000, admin.province_m)
    attrs = {"id": "os-08", "name": name, "category": "high_biodiversity",
             "legal_status": "proposed"}  # to be established (plan 1.2.b)
    return Feature(attrs, band, (*BIODIVERSITY_COMMUNES, "01726"))


def draw_residential_areas(admin: Admin) -> list[Feature]:
    """3–6 villages of 5–40 ha per commune, scattered with a seeded generator."""
    rng = np.random.default_rng(SEED)
    features = []
    for code in sorted(admin.commune_m):
        commune = admin.commune_m[code]
        xmin, ymin, xmax, ymax = commune.bounds
        placed: list[BaseGeometry] = []
        for n in range(1, int(rng.integers(3, 7)) + 1):
            area_ha = float(rng.uniform(5, 40))
            radius = radius_for(area_ha)
            room = commune.buffer(-1.5 * radius)
            taken = shapely.union_all([p.buffer(radius + 300) for p in placed])
            for _ in range(10_000):
                p = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
                if room.contains(p) and not taken.contains(p):
                    break
            else:
                raise RuntimeError(f"no room for village {n} in commune {code}")
            name = f"Khu dân cư {admin.names[code]} {n}"
            village, _ = fit_area(Blob(name, (p.x, p.y), radius).polygon, area_ha, commune)
            placed.append(village)
            population = int(round(area_ha * rng.uniform(15, 45)))
            attrs = {"id": f"ra-{code}-{n}", "name": name, "population": population}
            features.append(Feature(attrs, village, (code,)))
    return features


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Site:
    """A waste-treatment site of the plan (II.5, appendix V)."""

    id: str
    name: str
    name_en: str
    type: str
    capacity: float
    commune: str
    area_ha: float
    note: str


SITES = (
    Site("wt-01", "Khu xử lý chất thải rắn tập trung cấp tỉnh – phường Tân Giang",
         "Provincial waste-treatment complex, Tân Giang ward", "solid_waste_complex", 150,
         "01288", 35,
         "Plan II.5.1(a): upgrade and expand to 30–40 ha; first a 1–3 ha closed-pyrolysis "
         "unit for household waste"),
    Site("wt-02", "Khu xử lý chất thải rắn xã Hạ Lang (xây mới)",
         "New solid-waste treatment area, Hạ Lang commune", "sanitary_landfill", 20,
         "01558", 8, "Plan II.5.1(a): new solid-waste treatment area"),
    Site("wt-03", "Khu xử lý chất thải rắn xã Minh Khai (xây mới)",
         "New solid-waste treatment area, Minh Khai commune", "sanitary_landfill", 20,
         "01795", 7, "Plan II.5.1(a): new solid-waste treatment area"),
    Site("wt-04", "Khu xử lý chất thải rắn xã Yên Thổ (xây mới)",
         "New solid-waste treatment area, Yên Thổ commune", "sanitary_landfill", 15,
         "01318", 6, "Plan II.5.1(a): new solid-waste treatment area"),
    Site("wt-05", "Điểm thu gom, xử lý chất thải nguy hại phía Đông – xã Quảng Uyên",
         "Eastern hazardous-waste collection and treatment point, Quảng Uyên commune",
         "hazardous_waste", 2, "01576", 1.5,
         "Plan appendix V.5: east (Quảng Uyên and nearby communes)"),
    Site("wt-06", "Điểm thu gom, xử lý chất thải nguy hại phía Tây – xã Bảo Lạc",
         "Western hazardous-waste collection and treatment point, Bảo Lạc commune",
         "hazardous_waste", 2, "01321", 1.5,
         "Plan appendix V.5: west (Bảo Lạc and nearby communes)"),
    Site("wt-07", "Bãi chôn lấp rác thải xã Hạ Lang (đóng cửa)",
         "Hạ Lang landfill (to close)", "landfill_closure", 10, "01558", 3,
         "to close and rehabilitate by Q4 2027"),
)


def place_site(admin: Admin, site: Site, avoid: BaseGeometry) -> BaseGeometry:
    """The first candidate site clear of ``avoid``, 1.5–8 km from the commune centre."""
    commune = admin.commune_m[site.commune]
    room = commune.buffer(-100)
    rep = admin.rep(site.commune)
    start = 360 * hash_unit(site.name, 1)[0]
    for distance in np.arange(1_500, 8_001, 500):
        for bearing in start + np.arange(0, 360, 30):
            x = rep.x + distance * math.sin(math.radians(bearing))
            y = rep.y + distance * math.cos(math.radians(bearing))
            blob = Blob(site.name, (x, y), radius_for(site.area_ha), 1.4, bearing)
            poly, _ = fit_area(blob.polygon, site.area_ha, commune)
            if room.contains(poly) and not poly.intersects(avoid):
                return poly
    raise RuntimeError(f"no room for {site.id} in commune {site.commune}")


def draw_waste_sites(admin: Admin, drawing: Drawing) -> list[Feature]:
    """Place each site away from towns, cores, relics, water and villages."""
    avoid = shapely.union_all([
        drawing.geometries("urban_areas").buffer(300),
        drawing.geometries("nature_reserves", where=lambda f: f.attrs["part"] == "core"),
        drawing.geometries("relic_zones").buffer(200),
        drawing.geometries("water_supply_sources").buffer(500),
        drawing.geometries("residential_areas").buffer(500),
        admin.borders["china"].buffer(1_000),
    ])
    features = []
    for site in SITES:
        poly = place_site(admin, site, avoid)
        avoid = shapely.union(avoid, poly.buffer(500))
        attrs = {"id": site.id, "name": site.name, "name_en": site.name_en,
                 "type": site.type, "capacity": float(site.capacity),
                 "capacity_unit": "t/day", "commune_code": site.commune,
                 "illustrative": True, "note": site.note, "source": ILLUSTRATIVE_SOURCE}
        features.append(Feature(attrs, poly, (site.commune,)))
    return features


def read_hydropower(shared: Path) -> gpd.GeoDataFrame:
    """The six real hydropower plants in Cao Bằng, as points (EPSG:4326)."""
    raw = gpd.read_file(shared / HYDRO_DIR / "thuydien_caobang_bbox.gpkg", layer="thuydien")
    raw = raw[raw["intersects_cao_bang_2025"]].reset_index(drop=True)
    if (shapely.get_num_geometries(raw.geometry.values) != 1).any():
        raise ValueError("a hydropower MultiPoint holds more than one point")
    source = (f"{attribution(shared / HYDRO_DIR / 'SOURCE.md')} Treated as CC BY-SA 4.0. "
              f"github.com/CTU-SematX/LegoCity opendata/thuydien/thuydien.geojson "
              f"@ {HYDRO_COMMIT}")
    return gpd.GeoDataFrame(
        {
            "id": raw["map_id"].map(clean),
            "name": raw["Name"].map(clean),
            "type": "hydropower",
            "capacity": raw["CSuat_MW"].astype(float),
            "capacity_unit": "MW",
            "status": raw["Status"].map(clean),
            "river_basin": raw["Luu_Vuc"].map(clean),
            "illustrative": False,
            "source": source,
        },
        geometry=shapely.get_geometry(raw.geometry.values, 0),
        crs=raw.crs,
    )


def clean(text: str) -> str:
    """Strip an upstream text value; NFC, tone marks placed as official texts place them."""
    return written(text.strip())


# --------------------------------------------------------------------------- output


def admin_layers(admin: Admin, shared: Path) -> dict[str, gpd.GeoDataFrame]:
    """The real province and communes with catalogue attribute names, geometry unchanged."""
    source = (f"{attribution(shared / ADMIN_DIR / 'SOURCE.md')} "
              f"github.com/thanglequoc/vietnamese-provinces-database @ {ADMIN_COMMIT}")
    province = gpd.GeoDataFrame(
        {"code": admin.province["code"].map(clean), "name": admin.province["name"].map(clean),
         "name_en": admin.province["nameEn"].map(clean), "illustrative": False,
         "source": source},
        geometry=admin.province.geometry, crs=admin.province.crs)
    communes = gpd.GeoDataFrame(
        {"code": admin.communes["code"].map(clean), "name": admin.communes["name"].map(clean),
         "full_name": admin.communes["fullName"].map(clean),
         "name_en": admin.communes["nameEn"].map(clean), "illustrative": False,
         "source": source},
        geometry=admin.communes.geometry, crs=admin.communes.crs)
    return {"province": province, "communes": communes}


def to_frame(features: list[Feature]) -> gpd.GeoDataFrame:
    """Drawn features as a GeoDataFrame in EPSG:4326, marked illustrative, with NFC text."""
    records = [{k: written(v) if isinstance(v, str) else v for k, v in f.attrs.items()}
               for f in features]
    frame = pd.DataFrame.from_records(records)
    if "illustrative" not in frame:
        frame["illustrative"] = True
        frame["source"] = ILLUSTRATIVE_SOURCE
    geometry = reproject(np.array([f.geometry for f in features], dtype=object), TO_OUTPUT)
    return gpd.GeoDataFrame(frame, geometry=[repair(g) for g in geometry], crs=OUTPUT_CRS)


def repair(geom: BaseGeometry) -> BaseGeometry:
    """Undo the tiny self-crossings reprojection can make where a ring touches itself."""
    if geom.is_valid:
        return geom
    dimension = shapely.get_dimensions(geom)
    parts = [p for p in shapely.get_parts(shapely.make_valid(geom))
             if shapely.get_dimensions(p) == dimension]
    if dimension == 2:  # drop the specks the crossing leaves behind
        parts = [p for p in parts if p.area > 1e-4 * geom.area]
    return shapely.union_all(parts)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Write layers to a GeoPackage via a temporary file moved into place."""
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    fd, tmp = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        for name, frame in layers.items():
            frame.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio",
                          append=Path(tmp).exists())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def draw_all(admin: Admin) -> Drawing:
    """Draw every illustrative layer, in dependency order."""
    drawing = Drawing()
    layers = drawing.layers
    layers["nature_reserves"] = draw_nature_reserves(admin)
    layers["urban_areas"] = draw_urban_areas(admin)
    layers["water_supply_sources"] = draw_water_supply_sources(admin)
    layers["water_intakes"] = draw_water_intakes(admin, layers["water_supply_sources"])
    layers["relic_zones"] = draw_relic_zones(admin)
    layers["wetlands"] = draw_wetlands(admin, layers["nature_reserves"])
    layers["other_sensitive"] = draw_other_sensitive(admin, layers["nature_reserves"])
    layers["residential_areas"] = draw_residential_areas(admin)
    layers["waste_sites"] = draw_waste_sites(admin, drawing)
    return drawing


# --------------------------------------------------------------------------- checks


def check_placement(admin: Admin, drawing: Drawing) -> list[str]:
    """Each drawn feature is non-empty, valid, and centred in its intended commune."""
    problems = []
    for layer, features in drawing.layers.items():
        for f in features:
            label = f"{layer}/{f.attrs['id']}"
            if f.geometry.is_empty or not f.geometry.is_valid:
                problems.append(f"{label}: empty or invalid geometry in EPSG:9210")
                continue
            point = f.geometry.representative_point()
            if not any(admin.commune_m[c].contains(point) for c in f.communes):
                problems.append(f"{label}: representative point outside {f.communes}")
    return problems


def check_files(expected: dict[Path, dict[str, gpd.GeoDataFrame]]) -> list[str]:
    """The written files read back with the right CRS, counts and valid geometries."""
    problems = []
    for path, layers in expected.items():
        for name, frame in layers.items():
            back = gpd.read_file(path, layer=name)
            if back.crs is None or back.crs.to_epsg() != 4326:
                problems.append(f"{path.name}/{name}: CRS is {back.crs}")
            if len(back) != len(frame):
                problems.append(f"{path.name}/{name}: {len(back)} features, not {len(frame)}")
            bad = back.geometry.is_empty | ~back.geometry.is_valid | back.geometry.isna()
            if bad.any():
                problems.append(f"{path.name}/{name}: {int(bad.sum())} empty/invalid geometries")
    size = sum(path.stat().st_size for path in expected)
    if size >= MAX_BYTES:
        problems.append(f"GeoPackages total {size} bytes, limit {MAX_BYTES}")
    return problems


FAMILIES = {"Polygon": "polygon", "MultiPolygon": "polygon", "LineString": "line",
            "MultiLineString": "line", "Point": "point", "MultiPoint": "point"}


def check_catalogue(layers: dict[str, gpd.GeoDataFrame]) -> list[str]:
    """Every catalogue-kind layer has allowed geometry, required and coded attributes."""
    kinds = yaml.safe_load(CATALOGUE.read_text("utf-8"))["kinds"]
    problems = []
    for name, frame in layers.items():
        kind = kinds[name]
        families = set(frame.geom_type.map(FAMILIES))
        if not families <= set(kind["geometry"]):
            problems.append(f"{name}: geometry {sorted(families)} not in {kind['geometry']}")
        for column in kind["required"]:
            if column not in frame or frame[column].isna().any() or (frame[column] == "").any():
                problems.append(f"{name}: required attribute {column} missing or empty")
        for column, allowed in kind.get("values", {}).items():
            if column in frame:
                wrong = set(frame[column].dropna()) - set(allowed)
                if wrong:
                    problems.append(f"{name}: {column} values {sorted(wrong)} not allowed")
    return problems


def summary(files: dict[Path, dict[str, gpd.GeoDataFrame]]) -> str:
    """A table of layers, feature counts and total area (ha, EPSG:9210)."""
    rows = ["| file | layer | features | area (ha) | length (km) | data |",
            "|---|---|---:|---:|---:|---|"]
    for path, layers in files.items():
        for name, frame in layers.items():
            metric = reproject(frame.geometry.values, TO_METRIC)
            area = shapely.area(metric).sum() / HA
            length = shapely.length(metric[shapely.get_dimensions(metric) == 1]).sum() / 1_000
            kind = "illustrative" if frame["illustrative"].all() else "real"
            rows.append(f"| {path.name} | {name} | {len(frame)} | {area:,.1f} | "
                        f"{length:,.1f} | {kind} |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- documents


MIT_TEXT = """\
MIT License

Copyright (c) 2021 Thang Le Quoc

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def source_md(shared: Path, table: str) -> str:
    """The SOURCE.md of the demo folder."""
    admin_text = attribution(shared / ADMIN_DIR / "SOURCE.md")
    hydro_text = attribution(shared / HYDRO_DIR / "SOURCE.md")
    return f"""\
# Cao Bằng demo data: sources

Generated by `draw_demo.py` (run `/tmp/venv/bin/python layers/demo/draw_demo.py` from the
repository root; it reads `../shared`). Do not edit the GeoPackages by hand. Licences:
see `LICENSES.md`.

## Layers

{table}

## Real data

- `cao-bang.gpkg` layers `province` (1) and `communes` (56): the 2025 province of Cao Bằng
  and its 53 communes and 3 wards, copied with unchanged geometry from
  `shared/data/raw/vietnamese-provinces-database/cao_bang_2025_admin.gpkg` (a plain merge
  of `json/geojson/04_cao_bang/`). Attributes renamed for the catalogue: `code`, `name`,
  `fullName` → `full_name`, `nameEn` → `name_en`; names written with the tone marks where
  official texts place them (Hòa An, Phục Hòa, Đàm Thủy; upstream: Hoà, Thuỷ).
  - Repository: https://github.com/thanglequoc/vietnamese-provinces-database,
    snapshot HEAD `{ADMIN_COMMIT}`;
    last commit changing `json/geojson/04_cao_bang`: `{ADMIN_PATH_COMMIT}`.
  - Licence: MIT, Copyright (c) 2021 Thang Le Quoc. The geometries come from the Vietnam
    Administrative Units Reference Map (https://sapnhap.bando.com.vn), whose publisher
    states no open licence: public government reference data, redistributed under MIT
    by a third party. Keep both attributions.
  - Attribution text: "{admin_text}"
- `cao-bang-sites.gpkg` layer `hydropower` (6): the real hydropower plants in Cao Bằng
  (rows with `intersects_cao_bang_2025` true), MultiPoint converted to Point; `id` =
  `map_id`, `name` = `Name`, `capacity` = `CSuat_MW` (MW), `status` = `Status`,
  `river_basin` = `Luu_Vuc`.
  - Repository: https://github.com/CTU-SematX/LegoCity, `opendata/thuydien/thuydien.geojson`
    at commit `{HYDRO_COMMIT}` (removed from later HEADs).
  - Licence: the folder README says CC BY 4.0 and the repository is MIT; the data is
    probably derived from Open Development Vietnam (usually CC BY-SA 4.0). Treated here
    as **CC BY-SA 4.0**, with attribution to both.
  - Attribution text: "{hydro_text}"

## Illustrative data (drawn, not surveyed)

Every other layer is **illustrative**: drawn by this script from the facts of the Cao
Bằng plan (draft of March 2026, `shared/seeds/003_32a4ecd001f2ead2.txt`; summary in
`shared/domain/cao-bang-plan.md`). No official polygons of reserves, relics, urban areas,
water sources, villages or waste sites were available. Each feature sits in the 2025
commune the plan names, with a plausible extent, but its outline, position and numbers
(areas, capacities, populations, ranks) are invented. Every illustrative feature has
`illustrative` = true and `source` =
"{ILLUSTRATIVE_SOURCE}".
Do not use them for any real decision.

- `cao-bang.gpkg`: `nature_reserves`, `urban_areas`, `water_supply_sources`,
  `water_intakes`, `relic_zones`, `wetlands`, `other_sensitive`, `residential_areas`.
- `cao-bang-sites.gpkg`: `waste_sites`, the sites named by the plan (II.5, appendix V);
  their capacities (t/day) and areas are invented.

How they are drawn: in metres in EPSG:9210 (VN-2000 / TM-3 105-45), converted to
EPSG:4326 with the pinned transformation EPSG:6960 ({TRANSFORMATION}). Polygons are
blobs (a circle modulated by four sinusoids with phases from the SHA-256 of the feature
name) scaled by bisection to a target area after clipping to the province or commune.
Buffers, zone II areas and geopark level 2 areas are rings around their core, 1.5–3 km
(reserves), 200–600 m (relics) or 2–4 km (geopark) wide, clipped to the province. Rivers
are smooth curves through the representative points of the communes they cross, from
border to border; where the curve would leave the province it follows the border.
Villages are placed with `numpy.random.default_rng({SEED})`. Text is NFC-normalised.

Placement notes:

- Phia Oắc – Phia Đén, Pác Bó, Rừng Trần Hưng Đạo and Thác Bản Giốc are centred on
  approximate real coordinates; the other cores, the towns and the relics are placed at
  or near the representative point of their commune.
- The Phia Oắc – Phia Đén core (10,000 ha) is centred in Thành Công and reaches into
  Phan Thanh and Tĩnh Túc; only its buffer reaches Ca Thành.
- Đô thị Cao Bằng is one blob stretched NW–SE so that it covers part of all four units
  (Thục Phán, Nùng Trí Cao, Tân Giang, Hòa An), cut into one feature per unit.
- Bằng Giang enters from China near Hà Quảng and passes Hòa An → Thục Phán → Bạch Đằng
  → Tân Giang → Thạch An to the Lạng Sơn border (Bạch Đằng before Tân Giang, which
  avoids a detour). Gâm passes Bảo Lạc → Lý Bôn → Bảo Lâm to the Tuyên Quang border,
  roughly as the real river does. Quây Sơn passes Đình Phong, the Bản Giốc falls (Đàm
  Thủy) and Quang Long before Hạ Lang.
- Urban areas carry both classes: `urban_class` before 1 January 2026 (Cao Bằng city
  class III since 2010, the 12 commune centres class V towns) and `class_2026`, the class
  the plan uses (Resolution 111/2025/UBTVQH15: the city II, the centres III).
- The plan writes "Khu bảo tồn loài - sinh cảnh Vườn Cao Vít"; the reserve protects the
  Cao Vít gibbon (vượn) and is named here "Khu bảo tồn loài và sinh cảnh Vượn Cao Vít"
  (the plan's spelling is kept in the feature's `note`).
- "Danh thắng Động Ngườm Ngao" is a scenic spot (`heritage_type` = scenic_spot): its zone
  I is strict under the plan (1.1.a), not under ND08 Art. 22(2)(d).
- The geopark's important ecological landscape and the Nguyên Bình – Ba Bể
  high-biodiversity area are to be established by the plan (1.2.b "Xác lập"):
  `legal_status` = proposed, no legal boundary yet.
- "Di tích Kim Đồng" is in Trường Hà, near Pác Bó in the former Hà Quảng district where
  the relic is, not in the commune named Kim Đồng. Relic names are real places; their
  ranks and outlines are not checked against the official register.
- Waste sites are placed 1.5–8 km from the commune's representative point, clear of
  urban areas (300 m), reserve cores, relic zones (200 m), supply water (500 m),
  villages (500 m) and the China border (1 km).
"""


def licenses_md() -> str:
    """The LICENSES.md of the demo folder."""
    return f"""\
# Licences of the data in this folder

## Administrative boundaries (`cao-bang.gpkg` layers `province`, `communes`)

From https://github.com/thanglequoc/vietnamese-provinces-database (commit
`{ADMIN_COMMIT}`), under the MIT License:

```
{MIT_TEXT}```

The geometries themselves come from the Vietnam Administrative Units Reference Map
(https://sapnhap.bando.com.vn), NXB Tài nguyên – Môi trường và Bản đồ Việt Nam, Ministry
of Agriculture and Environment. That publisher states no open licence; the MIT licence
covers the repository author's work. Keep attribution to both.

## Hydropower plants (`cao-bang-sites.gpkg` layer `hydropower`)

From https://github.com/CTU-SematX/LegoCity, `opendata/thuydien/thuydien.geojson`
(commit `{HYDRO_COMMIT}`). The folder README states CC BY 4.0 and
the repository root licence is MIT; the data is likely derived from Open Development
Vietnam, whose data is usually CC BY-SA 4.0. To be safe it is redistributed here under:

> **Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)**,
> https://creativecommons.org/licenses/by-sa/4.0/. You may share and adapt the data for
> any purpose, provided you give appropriate credit (CTU·SematX LegoCity open data,
> likely derived from Open Development Vietnam), provide a link to the licence, indicate
> if changes were made, and distribute your contributions under the same licence. No
> additional restrictions: you may not apply legal terms or technological measures that
> legally restrict others from doing anything the licence permits.

Changes made: the 6 plants inside Cao Bằng (2025 borders) were selected, MultiPoint
converted to Point, and attributes renamed (`map_id` → `id`, `Name` → `name`,
`CSuat_MW` → `capacity`, `Status` → `status`, `Luu_Vuc` → `river_basin`).

## Illustrative layers

All other layers were drawn by the zoning project and are distributed with it under the
project's own licence.
"""


# --------------------------------------------------------------------------- main


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help=f"the shared folder (default: {DEFAULT_SHARED})")
    args = parser.parse_args(argv)
    shared = args.shared.resolve()

    admin = load_admin(shared)
    drawing = draw_all(admin)
    demo = admin_layers(admin, shared)
    demo |= {name: to_frame(features) for name, features in drawing.layers.items()
             if name != "waste_sites"}
    sites = {"waste_sites": to_frame(drawing.layers["waste_sites"]),
             "hydropower": read_hydropower(shared)}
    files = {DEMO_GPKG: demo, SITES_GPKG: sites}
    for path, layers in files.items():
        write_gpkg(path, layers)

    table = summary(files)
    (HERE / "SOURCE.md").write_text(source_md(shared, table), encoding="utf-8")
    (HERE / "LICENSES.md").write_text(licenses_md(), encoding="utf-8")
    print(table)

    problems = (check_placement(admin, drawing) + check_files(files)
                + check_catalogue(demo))
    size = sum(path.stat().st_size for path in files) / 1024 / 1024
    print(f"\nGeoPackages: {size:.2f} MB in total")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("all checks passed" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
