"""Whether a VN-2000 / TM-3 central meridian suits a province: its 3° zone must contain the province."""

from __future__ import annotations

from zoning.errors import InputError
from zoning.inputs.crs import tm3_zone
from zoning.inputs.layers import LayerSet
from zoning.inputs.reference import Province, format_meridian

MERIDIAN_SLACK_DEG = 0.01  # about 1 km: a province drawn to its zone's edge still fits


def own_meridian(known: Province | None) -> tuple[str, str]:
    """``ví dụ 107.25 cho Lạng Sơn`` for a known province, else where to find it."""
    if known is None:
        return "xem `zoning provinces`", "see `zoning provinces`"
    return (f"của {known.full_name} là {known.central_meridian:g} ({format_meridian(known.central_meridian)})",
            f"{known.full_name_en}'s is {known.central_meridian:g} ({format_meridian(known.central_meridian)})")


def check_meridian(meridian: float, layers: LayerSet, known: Province | None = None, source: str = "user") -> None:
    """Refuse a central meridian whose 3° zone does not contain the province (as read, in WGS 84).

    The table's own meridian of a province that reaches beyond its zone (a province merged
    in 2025) is kept, with a note.

    Raises
    ------
    InputError
        Naming the zone, the province's longitudes and the province's own meridian.
    """
    if "province" not in layers.extents:
        return
    west, _, east, _ = layers.extents["province"]
    low, high = tm3_zone(meridian)
    if west >= low - MERIDIAN_SLACK_DEG and east <= high + MERIDIAN_SLACK_DEG:
        return
    if known is not None and source in ("table", "overlay") and meridian == known.central_meridian:
        layers.notes.append(f"{known.full_name} ({west:.2f}°–{east:.2f}°E) vượt ra ngoài múi 3° của kinh tuyến trục {format_meridian(meridian)} "
                            f"({low:g}°–{high:g}°E) / {known.full_name_en} reaches beyond the 3° zone of its meridian")
        return
    own = (own_meridian(known) if known is not None else
           (f"gần {round((west + east) / 2 * 4) / 4:g}; xem `zoning provinces`", f"near {round((west + east) / 2 * 4) / 4:g}; see `zoning provinces`"))
    raise InputError(
        (
            f"--central-meridian {meridian:g}: múi 3° của kinh tuyến trục này ({low:g}°–{high:g}°E) không chứa tỉnh ({west:.2f}°–{east:.2f}°E)",
            f"--central-meridian {meridian:g}: the 3° zone of this meridian ({low:g}–{high:g}°E) does not contain the province ({west:.2f}–{east:.2f}°E)",
        ),
        (
            f"dùng kinh tuyến trục của tỉnh (Thông tư 973/2001/TT-TCĐC): {own[0]}; hoặc bỏ --central-meridian khi đã cho --province",
            f"use the province's own meridian (Circular 973/2001/TT-TCĐC): {own[1]}; or leave --central-meridian out when --province is given",
        ),
    )
