"""The build: layers and rules in, the three zones of a province out (see :mod:`zoning.builder.engine`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from zoning.builder.engine import build_zones
from zoning.builder.model import Build, BuildLike, as_build, read_build
from zoning.errors import InputError, ZoningError
from zoning.inputs.crs import tm3_crs, tm3_zone
from zoning.inputs.layers import InputLike, LayerSet, read_layers
from zoning.law.criteria import load_rules

MERIDIAN_SLACK_DEG = 0.01  # about 1 km: a province drawn to its zone's edge still fits


def build(
    layers: InputLike,
    rules: str | Path | None = None,
    province_rules: str | Path | None = None,
    *,
    central_meridian: float | None = None,
    legacy_encoding: str | None = None,
    province_extent: str = "province",
    progress: Callable[[str], None] | None = None,
) -> Build:
    """Read the layers and the rules and build the three zones of a province, in memory.

    Parameters
    ----------
    layers
        A GeoPackage whose layer names are layer kinds, a folder of files named by kind,
        or a mapping kind → GeoDataFrame or path (see ``zoning layers``).
    rules
        The national rule file; the shipped Decree 08 criteria by default.
    province_rules
        A province overlay (e.g. the shipped ``rules/provinces/cao-bang.yaml``); it also
        gives the province's central meridian.
    central_meridian
        The VN-2000 / TM-3 central meridian in decimal degrees, when no overlay gives it.
    legacy_encoding
        ``"tcvn3"`` or ``"vni"`` to convert text in those old Vietnamese encodings.
    province_extent
        ``"province"`` (default): the zones cover the province polygon, and each sliver
        of it outside every commune is given to the commune sharing its longest edge;
        ``"communes"``: the province is taken as the union of the communes.
    progress
        Called with the name of each step as it starts.

    Returns
    -------
    Build
        Save it with :meth:`Build.write`.

    Examples
    --------
    >>> import zoning
    >>> demo = zoning.demo_paths()
    >>> build = zoning.build(demo.layers, province_rules=demo.province_rules)
    >>> sorted(build.zones["zone"])
    ['emission_limited', 'other', 'strict']
    """
    ruleset = load_rules(rules, province_rules)
    overlay_meridian = ruleset.province.central_meridian if ruleset.province else None
    meridian = central_meridian if central_meridian is not None else overlay_meridian
    if meridian is not None and not math.isfinite(meridian):
        raise InputError((f"--central-meridian {meridian}: không phải một kinh độ", f"--central-meridian {meridian}: not a longitude"),
                         ("cho kinh tuyến trục VN-2000 / TM-3 của tỉnh bằng độ thập phân, ví dụ 105.75 cho Cao Bằng",
                          "give the province's VN-2000 / TM-3 central meridian in decimal degrees, e.g. 105.75 for Cao Bằng"))
    if meridian is None:
        raise ZoningError(
            ("chưa biết hệ tọa độ của tỉnh", "the province CRS is unknown"),
            ("cho --province-rules (có mục 'province') hoặc --central-meridian, ví dụ 105.75 cho Cao Bằng",
             "give --province-rules (with a 'province' section) or --central-meridian, e.g. 105.75 for Cao Bằng"),
        )
    if legacy_encoding and legacy_encoding.upper() not in ("TCVN3", "VNI"):
        raise ZoningError(
            (f"không có bảng mã cũ '{legacy_encoding}'", f"unknown legacy encoding '{legacy_encoding}'"), ("dùng tcvn3 hoặc vni", "use tcvn3 or vni")
        )
    step = progress or (lambda _: None)
    layer_set = read_layers(layers, tm3_crs(meridian), legacy_encoding=legacy_encoding, progress=lambda k: step(f"reading {k}"))
    check_meridian(meridian, layer_set)
    if central_meridian is not None and overlay_meridian is not None and central_meridian != overlay_meridian:
        layer_set.notes.append(
            f"--central-meridian {central_meridian:g}: kinh tuyến trục {central_meridian:g}° khác với {overlay_meridian:g}° của tệp quy tắc tỉnh; "
            f"bản phân vùng dùng VN-2000 / TM-3 {central_meridian:g} / --central-meridian {central_meridian:g} "
            f"differs from the province overlay's {overlay_meridian:g}: the build is in VN-2000 / TM-3 {central_meridian:g}"
        )
    return build_zones(layer_set, ruleset, progress=step, province_extent=province_extent)


def check_meridian(meridian: float, layers: LayerSet) -> None:
    """Refuse a central meridian whose 3° zone does not contain the province (as read, in WGS 84).

    Raises
    ------
    InputError
        Naming the zone, the province's longitudes and a meridian that fits.
    """
    if "province" not in layers.extents:
        return
    west, _, east, _ = layers.extents["province"]
    low, high = tm3_zone(meridian)
    if west < low - MERIDIAN_SLACK_DEG or east > high + MERIDIAN_SLACK_DEG:
        middle = round((west + east) / 2 * 4) / 4
        raise InputError(
            (
                f"--central-meridian {meridian:g}: múi 3° của kinh tuyến trục này ({low:g}°–{high:g}°E) không chứa tỉnh ({west:.2f}°–{east:.2f}°E)",
                f"--central-meridian {meridian:g}: the 3° zone of this meridian ({low:g}–{high:g}°E) does not contain the province ({west:.2f}–{east:.2f}°E)",
            ),
            (
                f"dùng kinh tuyến trục của tỉnh (Thông tư 973/2001/TT-TCĐC), gần {middle:g}; "
                f"hoặc bỏ --central-meridian để dùng kinh tuyến của tệp quy tắc tỉnh",
                f"use the province's own meridian (Circular 973/2001/TT-TCĐC), near {middle:g}; or leave --central-meridian out to take the province overlay's",
            ),
        )


__all__ = ["Build", "BuildLike", "as_build", "build", "build_zones", "read_build"]
