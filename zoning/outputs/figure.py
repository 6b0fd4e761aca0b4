"""The static map of a build for printed documents: zones, communes, legend, scale bar
and north arrow, drawn with matplotlib in the build's own CRS (no basemap, no network).
"""

from __future__ import annotations

import io
import math

import numpy as np
import shapely
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from zoning import terms
from zoning.builder.model import Build
from zoning.inputs.crs import describe
from zoning.terms import ZONE_ORDER

FONTS = ["Times New Roman", "Liberation Serif", "DejaVu Serif"]  # first one installed wins; all carry Vietnamese
LEGEND_SHARE = 0.25  # share of the figure width kept for the legend column
SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def zone_map_png(
    build: Build,
    *,
    width_cm: float = 25.0,
    max_height_cm: float = 15.0,
    dpi: int = 200,
    illustrative: bool = False,
) -> bytes:
    """A PNG of the zones and communes of ``build`` (Vietnamese legend).

    Parameters
    ----------
    build
        The build to draw; its CRS must be projected in metres (the province TM-3 CRS).
    width_cm, max_height_cm
        Size of the figure on the page; the width shrinks if the map would be taller.
    dpi
        Resolution of the PNG.
    illustrative
        Add a line to the legend saying that the data are illustrative.

    Returns
    -------
    bytes
        The PNG file content.
    """
    zones = build.zones.set_index("zone")
    bounds = np.asarray(shapely.total_bounds(zones.geometry.to_numpy()))
    dx, dy = bounds[2] - bounds[0], bounds[3] - bounds[1]
    map_width_cm = width_cm * (1 - LEGEND_SHARE)
    height_cm = map_width_cm * dy / dx
    if height_cm > max_height_cm:
        width_cm *= max_height_cm / height_cm
        height_cm = max_height_cm
    pixel_m = dx / (width_cm * (1 - LEGEND_SHARE) / 2.54 * dpi)  # ground size of one pixel
    rc: dict = {"font.family": "serif", "font.serif": FONTS, "font.size": 7}

    from matplotlib import rc_context

    with rc_context(rc):
        figure = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0.0, 0.0, 1 - LEGEND_SHARE, 1.0))
        _draw_zones(ax, zones, pixel_m)
        _draw_communes(ax, build, pixel_m)
        ax.set_xlim(bounds[0] - 0.01 * dx, bounds[2] + 0.01 * dx)
        ax.set_ylim(bounds[1] - 0.01 * dy, bounds[3] + 0.01 * dy)
        ax.set_aspect("equal")
        _grid_ticks(ax)
        _scale_bar(ax, dx)
        _north_arrow(ax)
        _legend(figure, ax, build, illustrative)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def _draw_zones(ax, zones, pixel_m: float) -> None:
    from geopandas import GeoSeries

    for zone in ZONE_ORDER:
        if zone not in zones.index:
            continue
        geometry = shapely.simplify(zones.geometry[zone], pixel_m / 2, preserve_topology=True)
        GeoSeries([geometry]).plot(ax=ax, color=terms.colour("zones", zone), linewidth=0, zorder=1)
    # the province outline: outer rings of the union (the zones' shared edges are not exactly noded)
    parts = shapely.get_parts(shapely.union_all(zones.geometry.to_numpy()))
    outline = shapely.simplify(shapely.get_exterior_ring(parts), pixel_m / 2)
    GeoSeries(outline).plot(ax=ax, color="black", linewidth=0.9, zorder=4)


def _draw_communes(ax, build: Build, pixel_m: float) -> None:
    from geopandas import GeoSeries

    communes = build.communes
    if communes is None or communes.empty:
        return
    geometry = shapely.simplify(communes.geometry.to_numpy(), pixel_m / 2, preserve_topology=True)
    GeoSeries(shapely.boundary(geometry)).plot(ax=ax, color="#555555", linewidth=0.3, zorder=3)
    labels = shapely.point_on_surface(communes.geometry.to_numpy())
    for name, point in zip(communes["name"], labels):
        ax.text(point.x, point.y, name, fontsize=4.8, ha="center", va="center", color="#222222", zorder=5)


def _grid_ticks(ax) -> None:
    vietnamese = FuncFormatter(lambda value, _: f"{value:,.0f}".replace(",", "."))
    ax.xaxis.set_major_formatter(vietnamese)
    ax.yaxis.set_major_formatter(vietnamese)
    ax.tick_params(labelsize=5, length=2, direction="in", top=True, right=True)
    for label in ax.get_yticklabels():
        label.set_rotation(90)
        label.set_verticalalignment("center")
    ax.grid(color="#999999", linewidth=0.2, linestyle=":")
    ax.set_xlabel("")
    ax.set_ylabel("")


def _scale_bar(ax, width_m: float) -> None:
    target_km = width_m / 8 / 1000
    length_km = min(SCALE_STEPS_KM, key=lambda step: abs(math.log(step / target_km)))
    x0_axes, y0_axes = 0.04, 0.04
    (x0, y0) = ax.transAxes.transform((x0_axes, y0_axes))
    x0, y0 = ax.transData.inverted().transform((x0, y0))
    height = 0.012 * (ax.get_ylim()[1] - ax.get_ylim()[0])
    half = length_km * 1000 / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, height, facecolor=colour, edgecolor="black", linewidth=0.5, zorder=6))
    for fraction in (0, 0.5, 1):
        value = length_km * fraction
        text = f"{value:g}".replace(".", ",") + (" km" if fraction == 1 else "")
        ax.text(x0 + fraction * length_km * 1000, y0 + 1.6 * height, text, fontsize=5.5, ha="center", va="bottom", zorder=6)


def _north_arrow(ax) -> None:
    ax.annotate(
        "B", xy=(0.965, 0.96), xytext=(0.965, 0.86), xycoords="axes fraction", ha="center", va="top", fontsize=8,
        fontweight="bold", arrowprops={"facecolor": "black", "edgecolor": "black", "width": 2.5, "headwidth": 8, "headlength": 8},
        zorder=7,
    )


def _legend(figure, ax, build: Build, illustrative: bool) -> None:
    handles: list[Artist] = [Patch(facecolor=terms.colour("zones", z), edgecolor="#555555", linewidth=0.3, label=terms.zone_name(z)) for z in ZONE_ORDER]
    handles += [
        Line2D([], [], color="black", linewidth=0.9, label="Ranh giới tỉnh"),
        Line2D([], [], color="#555555", linewidth=0.3, label="Ranh giới xã, phường (2025)"),
    ]
    legend = figure.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1 - LEGEND_SHARE + 0.015, 0.98), frameon=False,
        title="CHÚ GIẢI", title_fontsize=9, fontsize=8, alignment="left", handlelength=2.0,
    )
    legend.get_title().set_fontweight("bold")
    notes = [
        f"Hệ tọa độ: {describe(build.crs)}",
        "Mũi tên chỉ hướng Bắc của lưới tọa độ (B)",
    ]
    if illustrative:
        notes.append("Dữ liệu minh họa, không dùng\nđể ra quyết định")
    figure.text(1 - LEGEND_SHARE + 0.02, 0.02, "\n".join(notes), fontsize=6.5, va="bottom", ha="left", wrap=True)
