"""The static map of a build for printed documents: zones, communes, the neighbouring
provinces and the national border, legend, scale bar with its ratio and north arrow,
drawn with matplotlib in the build's own CRS (no basemap, no network).

The figure is drawn at a round scale (1:1.000.000, 1:1.250.000 …) that holds when it is
printed ``width_cm`` wide: the PNG is exactly that size, with no cropping.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextPath
from matplotlib.ticker import FuncFormatter
from pyproj import CRS

from zoning import terms
from zoning.builder.model import Build
from zoning.builder.overlay import polygonal
from zoning.outputs.annex_model import crs_label_vi
from zoning.outputs.neighbours import Surroundings, surroundings
from zoning.terms import ZONE_ORDER

FONTS = ["Times New Roman", "Liberation Serif", "DejaVu Serif"]  # first one installed wins; all carry Vietnamese
LEGEND_SHARE = 0.25  # share of the figure width kept for the legend column
SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200)
SCALE_MANTISSAS = (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5)  # round scales: 1:1.000.000, 1:1.250.000 …
MARGINS_CM = {"left": 0.9, "bottom": 0.6, "top": 0.2, "right": 0.2}  # around the map frame: tick labels
CONTEXT_SHARE = 0.03  # land around the province shown on each side, as a share of its larger extent
NEIGHBOUR_FILL, NEIGHBOUR_EDGE, NATIONAL_BORDER = "#ececec", "#8a8a8a", "#000000"
NATIONAL_DASH = (0, (6, 1.5, 1, 1.5))  # dash-dot
COMMUNE_FONT_PT, NEIGHBOUR_FONT_PT, COUNTRY_FONT_PT = 4.8, 6.5, 8.0


def zone_map_png(
    build: Build,
    *,
    width_cm: float = 25.0,
    max_height_cm: float = 15.0,
    dpi: int = 200,
    illustrative: bool = False,
) -> bytes:
    """A PNG of the zones and communes of ``build`` and what lies around (Vietnamese legend).

    Parameters
    ----------
    build
        The build to draw; its CRS must be projected in metres (the province TM-3 CRS).
    width_cm, max_height_cm
        Size of the figure on the page: the PNG is ``width_cm`` wide, and its stated
        scale holds when printed at that width.
    dpi
        Resolution of the PNG.
    illustrative
        Add a line to the legend saying that the data are illustrative.

    Returns
    -------
    bytes
        The PNG file content.
    """
    with location_sketch(build, width_cm=width_cm, max_height_cm=max_height_cm, dpi=dpi) as sketch:
        sketch.legend(sketch.base_handles(), sketch.base_notes(illustrative=illustrative))
        return sketch.png()


@dataclass
class Sketch:
    """A location sketch being drawn: the figure, its map axes and what they show.

    Made by :func:`location_sketch`; a caller draws more on ``ax`` (in the build's CRS),
    then adds the legend and takes the PNG.
    """

    figure: Figure
    ax: Axes
    frame: MapFrame
    around: Surroundings
    crs: CRS
    pixel_m: float  # ground size of one pixel
    point_m: float  # and of a typographic point
    zone_alpha: float
    province_word: str = "tỉnh"
    unnamed: int = 0  # communes too small at this scale to carry their name

    def base_handles(self, zone_suffix: str = "") -> list[Artist]:
        """Legend entries of what every sketch shows: the zones (named with ``zone_suffix``),
        the national border, the province and commune boundaries, the neighbouring provinces.
        """
        handles: list[Artist] = [Patch(facecolor=terms.colour("zones", z), alpha=self.zone_alpha, edgecolor="#555555", linewidth=0.3,
                                       label=terms.zone_name(z) + zone_suffix) for z in ZONE_ORDER]
        if not self.around.national_border.is_empty:
            handles.append(Line2D([], [], color=NATIONAL_BORDER, linewidth=1.6, linestyle=NATIONAL_DASH, label=self.around.border_label))
        handles += [
            Line2D([], [], color="black", linewidth=0.9, label=f"Ranh giới {self.province_word}"),
            Line2D([], [], color="#555555", linewidth=0.3, label="Ranh giới xã, phường (2025)"),
        ]
        if len(self.around.neighbours):
            handles.append(Patch(facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.5, label="Tỉnh, thành phố lân cận"))
        return handles

    def base_notes(self, extra: tuple[str, ...] = (), illustrative: bool = False) -> list[str]:
        """The notes under the legend: the CRS, the north arrow, ``extra``, the source of the
        neighbours' boundaries, and that the data are illustrative when they are.
        """
        notes = [f"Hệ tọa độ: {crs_label_vi(self.crs)}", "Mũi tên chỉ hướng Bắc của lưới tọa độ (B)", *extra]
        if len(self.around.neighbours):
            notes.append("Ranh giới tỉnh, thành phố lân cận (2025):\ncơ sở dữ liệu đơn vị hành chính Việt Nam,\n"
                         "theo Bản đồ đơn vị hành chính\n(sapnhap.bando.com.vn)")
        if self.unnamed:
            notes.append(f"{self.unnamed} xã, phường nhỏ không ghi tên ở tỷ lệ\nnày (xem bảng diện tích theo xã, phường)")
        if illustrative:
            notes.append("Dữ liệu minh họa, không dùng\nđể ra quyết định")
        return notes

    def legend(self, handles: list[Artist], notes: list[str], fontsize: float = 8) -> None:
        """The legend column: ``CHÚ GIẢI`` with ``handles``, the ``notes`` at its foot."""
        legend = self.figure.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1 - LEGEND_SHARE + 0.015, 0.98), frameon=False,
            title="CHÚ GIẢI", title_fontsize=9, fontsize=fontsize, alignment="left", handlelength=2.0,
        )
        legend.get_title().set_fontweight("bold")
        self.figure.text(1 - LEGEND_SHARE + 0.02, 0.02, "\n".join(notes), fontsize=6.5, va="bottom", ha="left", wrap=True)

    def png(self) -> bytes:
        """The whole figure as a PNG (no cropping: the stated scale holds at the figure's width)."""
        self.ax.set_xlabel("")  # geopandas names the axes x and y on each plot
        self.ax.set_ylabel("")
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        return buffer.getvalue()


@contextmanager
def location_sketch(build: Build, *, width_cm: float = 25.0, max_height_cm: float = 15.0, dpi: int = 200,
                    zone_alpha: float = 1.0) -> Iterator[Sketch]:
    """Draw the base of a location sketch of ``build`` and yield it to be completed.

    The base is what :func:`zone_map_png` shows without its legend: the neighbouring
    provinces and the national border, the zones (at ``zone_alpha``, faded below 1 for a
    map of something drawn over them), the province outline, the communes and their names,
    the coordinate grid, the scale bar with its round ratio and the north arrow. The text
    of the sketch is set in the document's serif font while the block runs.
    """
    from matplotlib import rc_context

    zones = build.zones.set_index("zone")
    province = shapely.union_all(zones.geometry.to_numpy())
    frame = MapFrame(shapely.bounds(province), width_cm, max_height_cm)
    point_m = frame.denominator * 2.54 / 72 / 100  # ground size of a typographic point
    pixel_m = point_m * 72 / dpi  # and of one pixel
    around = surroundings(province, build.crs)
    with rc_context({"font.family": "serif", "font.serif": FONTS, "font.size": 7}):
        figure = Figure(figsize=(width_cm / 2.54, frame.height_cm / 2.54), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_axes(frame.axes_rect(width_cm))
        ax.set_xlim(frame.x0, frame.x1)
        ax.set_ylim(frame.y0, frame.y1)
        ax.set_aspect("equal")
        view = shapely.box(frame.x0, frame.y0, frame.x1, frame.y1)
        _draw_surroundings(ax, around, province, view, pixel_m, point_m)
        _draw_zones(ax, zones, province, around, pixel_m, zone_alpha)
        unnamed = _draw_communes(ax, build, zones, pixel_m, point_m)
        _grid_ticks(ax)
        _scale_bar(ax, frame)
        _north_arrow(ax)
        yield Sketch(figure, ax, frame, around, build.crs, pixel_m, point_m, zone_alpha, build.province_word[0], unnamed)


class MapFrame:
    """The ground extent of the map at a round scale, and the map's size on paper.

    Parameters
    ----------
    bounds
        The province's bounds (x0, y0, x1, y1), metres.
    width_cm, max_height_cm
        The figure's width and largest height on paper.
    """

    def __init__(self, bounds: np.ndarray, width_cm: float, max_height_cm: float) -> None:
        x0, y0, x1, y1 = bounds
        margin = CONTEXT_SHARE * max(x1 - x0, y1 - y0)
        ground_x, ground_y = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
        self.map_width_cm = width_cm * (1 - LEGEND_SHARE) - MARGINS_CM["left"] - MARGINS_CM["right"]
        self.map_height_cm = min(max_height_cm - MARGINS_CM["bottom"] - MARGINS_CM["top"], self.map_width_cm * ground_y / ground_x)
        needed = max(ground_x / self.map_width_cm, ground_y / self.map_height_cm) * 100  # ground cm per paper cm
        self.denominator = round_scale(needed)
        half_x, half_y = self.map_width_cm * self.denominator / 200, self.map_height_cm * self.denominator / 200
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        self.x0, self.x1, self.y0, self.y1 = cx - half_x, cx + half_x, cy - half_y, cy + half_y
        self.height_cm = self.map_height_cm + MARGINS_CM["bottom"] + MARGINS_CM["top"]

    def axes_rect(self, width_cm: float) -> tuple[float, float, float, float]:
        """The map's place in the figure, as fractions of its width and height."""
        return (MARGINS_CM["left"] / width_cm, MARGINS_CM["bottom"] / self.height_cm,
                self.map_width_cm / width_cm, self.map_height_cm / self.height_cm)


def round_scale(denominator: float) -> int:
    """The smallest round scale denominator at least ``denominator`` (1, 1.25, 1.5, 2 … × 10ⁿ)."""
    power = 10 ** math.floor(math.log10(denominator))
    return int(round(min(m for m in (*SCALE_MANTISSAS, 10) if m * power >= denominator * (1 - 1e-9)) * power))


def _draw_surroundings(ax, around: Surroundings, province, view, pixel_m: float, point_m: float) -> None:
    """The neighbouring provinces, grey and named, and the country beyond the national border,
    named where the map furniture (scale bar, north arrow) leaves room.
    """
    from geopandas import GeoSeries

    neighbours = around.neighbours
    room = shapely.difference(view, shapely.union_all([province, _furniture(ax)]))
    geometry = shapely.simplify(shapely.intersection(neighbours.geometry.to_numpy(), view), pixel_m / 2)
    if len(neighbours):
        GeoSeries(geometry).plot(ax=ax, facecolor=NEIGHBOUR_FILL, edgecolor=NEIGHBOUR_EDGE, linewidth=0.5, zorder=0)
        names = [str(name).upper() for name in neighbours["full_name"].fillna(neighbours["name"])]
        font = FontProperties(family="serif", style="italic", size=NEIGHBOUR_FONT_PT)
        for name, spot in zip(names, label_spots([shapely.intersection(geometry, room)], names, font, pixel_m, point_m)):
            if not spot.is_empty:
                ax.text(spot.x, spot.y, name, fontsize=NEIGHBOUR_FONT_PT, style="italic", ha="center", va="center", color="#555555", zorder=5)
    if around.across_border:
        name = around.across_border.upper()
        beyond = shapely.difference(room, shapely.union_all(geometry))
        (spot,) = label_spots([np.array([beyond])], [name], FontProperties(family="serif", size=COUNTRY_FONT_PT), pixel_m, point_m)
        if not spot.is_empty:
            ax.text(spot.x, spot.y, name, fontsize=COUNTRY_FONT_PT, ha="center", va="center", color="#555555", zorder=5)


def _furniture(ax) -> shapely.Geometry:
    """The corners of the map the scale bar and the north arrow take, in map units."""
    to_data = ax.transAxes + ax.transData.inverted()
    boxes = [(0.0, 0.0, 0.42, 0.14), (0.9, 0.78, 1.0, 1.0)]  # axes fractions: scale bar and ratio; north arrow
    corners = [to_data.transform([(x0, y0), (x1, y1)]) for x0, y0, x1, y1 in boxes]
    return shapely.union_all([shapely.box(*low, *high) for low, high in corners])


def _draw_zones(ax, zones, province, around: Surroundings, pixel_m: float, alpha: float) -> None:
    """The zones (at ``alpha``), the province boundary and, dash-dot, the national border."""
    from geopandas import GeoSeries

    for zone in ZONE_ORDER:
        if zone not in zones.index:
            continue
        geometry = shapely.simplify(zones.geometry[zone], pixel_m / 2, preserve_topology=True)
        GeoSeries([geometry]).plot(ax=ax, color=terms.colour("zones", zone), alpha=alpha, linewidth=0, zorder=1)
    # the province outline: outer rings of the union (the zones' shared edges are not exactly noded)
    outline = shapely.union_all(shapely.simplify(shapely.get_exterior_ring(shapely.get_parts(province)), pixel_m / 2))
    national = shapely.simplify(around.national_border, pixel_m / 2)
    if not national.is_empty:
        outline = shapely.difference(outline, shapely.buffer(national, pixel_m))
        GeoSeries([national]).plot(ax=ax, color=NATIONAL_BORDER, linewidth=1.6, linestyle=NATIONAL_DASH, zorder=4)
    GeoSeries([outline]).plot(ax=ax, color="black", linewidth=0.9, zorder=4)


def _draw_communes(ax, build: Build, zones, pixel_m: float, point_m: float) -> int:
    """Commune boundaries, and their names off the zone patches where the commune allows;
    the number of communes left unnamed for want of room.
    """
    from geopandas import GeoSeries

    communes = build.communes
    if communes is None or communes.empty:
        return 0
    geometry = shapely.simplify(communes.geometry.to_numpy(), pixel_m / 2, preserve_topology=True)
    GeoSeries(shapely.boundary(geometry)).plot(ax=ax, color="#555555", linewidth=0.3, zorder=3)
    names = communes["name"].astype(str).tolist()
    points = commune_label_points(geometry, names, zones, pixel_m, point_m)
    shown = uncrowded(points, names, shapely.area(geometry), point_m)
    for name, point in zip(np.array(names, dtype=object)[shown], points[shown]):
        ax.text(point.x, point.y, name, fontsize=COMMUNE_FONT_PT, ha="center", va="center", color="#222222", zorder=5)
    return int((~shown).sum())


def uncrowded(points: np.ndarray, names: list[str], areas: np.ndarray, point_m: float) -> np.ndarray:
    """Which labels to print: the communes' names from the largest commune down, each only
    where its box meets no box already printed (dense city wards would print over each other).
    """
    font = FontProperties(family="serif", size=COMMUNE_FONT_PT)
    width = np.array([TextPath((0, 0), name, prop=font).get_extents().width for name in names]) * point_m
    height = COMMUNE_FONT_PT * 1.3 * point_m
    x, y = shapely.get_x(points), shapely.get_y(points)
    boxes = shapely.box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    shown = np.zeros(len(points), dtype=bool)
    for index in np.argsort(-np.asarray(areas), kind="stable"):
        if not shapely.intersects(boxes[index], boxes[shown]).any():
            shown[index] = True
    return shown


def commune_label_points(communes: np.ndarray, names: list[str], zones, pixel_m: float, point_m: float) -> np.ndarray:
    """Label anchors: off the strict and emission-limited zones if the label fits there,
    else off the strict zone (even if it does not fit); a commune wholly strict keeps a
    point on its surface.
    """
    protected = [zones.geometry[z] for z in ("strict", "emission_limited") if z in zones.index]
    levels = [shapely.difference(communes, shapely.simplify(shapely.union_all(protected[:k]), pixel_m)) for k in range(len(protected), 0, -1)]
    spots = label_spots(levels, names, FontProperties(family="serif", size=COMMUNE_FONT_PT), pixel_m, point_m)
    empty = shapely.is_empty(spots)
    spots[empty] = shapely.point_on_surface(communes[empty])
    return spots


def label_spots(levels: list[np.ndarray], labels: list[str], font: FontProperties, pixel_m: float, point_m: float) -> np.ndarray:
    """Where each label sits best: the centre of the largest ellipse of the label's
    proportions in its area of the first level where the label fits, else of the last
    level (an empty point where that area is empty).

    The ellipse is found as a circle where heights are stretched by the label's
    width-to-height ratio.
    """
    size = font.get_size_in_points()
    width_m = np.array([TextPath((0, 0), label, prop=font).get_extents().width for label in labels]) * point_m
    stretch = np.maximum(width_m, size * point_m) / (size * point_m)
    need = width_m / math.sqrt(2)  # the ellipse around the label's box, in stretched metres
    spots = np.array([shapely.Point()] * len(labels), dtype=object)
    placed = np.zeros(len(labels), dtype=bool)
    for index, free in enumerate(levels):
        centre, radius = inscribed_circles(_stretched(free, stretch), pixel_m * 4)
        here = ~placed & ~shapely.is_empty(centre) & ((radius >= need) | (index == len(levels) - 1))
        spots[here] = _stretched(centre[here], 1 / stretch[here])
        placed |= here
    return spots


def inscribed_circles(areas: np.ndarray, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Centre and radius of the largest inscribed circle of each area (empty point, 0 for an empty area)."""
    areas = polygonal(areas)  # stray lines of an overlay make a collection, which GEOS 3.13 refuses here
    centre = np.array([shapely.Point()] * len(areas), dtype=object)
    radius = np.zeros(len(areas))
    full = ~shapely.is_empty(areas)
    if full.any():
        circles = shapely.maximum_inscribed_circle(areas[full], tolerance)
        centre[full], radius[full] = shapely.get_point(circles, 0), shapely.length(circles)
    return centre, radius


def _stretched(geometries: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Each geometry with its y coordinates multiplied by its own factor."""
    coordinates, index = shapely.get_coordinates(geometries, return_index=True)
    coordinates[:, 1] *= factor[index]
    return shapely.set_coordinates(geometries.copy(), coordinates)


def _grid_ticks(ax) -> None:
    vietnamese = FuncFormatter(lambda value, _: f"{value:,.0f}".replace(",", "."))
    ax.xaxis.set_major_formatter(vietnamese)
    ax.yaxis.set_major_formatter(vietnamese)
    ax.tick_params(labelsize=5, length=2, direction="in", top=True, right=True)
    for label in ax.get_yticklabels():
        label.set_rotation(90)
        label.set_verticalalignment("center")
    ax.grid(color="#999999", linewidth=0.2, linestyle=":")


def _scale_bar(ax, frame: MapFrame) -> None:
    """A bar of a round length, about an eighth of the map, and the scale ratio beside it."""
    width_m = frame.x1 - frame.x0
    target_km = width_m / 8 / 1000
    length_km = min(SCALE_STEPS_KM, key=lambda step: abs(math.log(step / target_km)))
    x0_axes, y0_axes = 0.04, 0.04
    (x0, y0) = ax.transAxes.transform((x0_axes, y0_axes))
    x0, y0 = ax.transData.inverted().transform((x0, y0))
    height = 0.012 * (frame.y1 - frame.y0)
    half = length_km * 1000 / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, height, facecolor=colour, edgecolor="black", linewidth=0.5, zorder=6))
    for fraction in (0, 0.5, 1):
        value = length_km * fraction
        text = f"{value:g}".replace(".", ",") + (" km" if fraction == 1 else "")
        ax.text(x0 + fraction * length_km * 1000, y0 + 1.6 * height, text, fontsize=5.5, ha="center", va="bottom", zorder=6)
    ax.text(x0 + length_km * 1000 + 0.02 * width_m, y0 + height / 2, f"Tỷ lệ 1:{terms.number(frame.denominator, 0)}", fontsize=6.5,
            ha="left", va="center", zorder=6)


def _north_arrow(ax) -> None:
    ax.annotate(
        "B", xy=(0.965, 0.96), xytext=(0.965, 0.86), xycoords="axes fraction", ha="center", va="top", fontsize=8,
        fontweight="bold", arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5, "headwidth": 8, "headlength": 8},
        zorder=7,
    )
