"""The build: layers and rules in, the three zones of a province out (see :mod:`zoning.builder.engine`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zoning.builder.model import Build, BuildLike, as_build, read_build
from zoning.builder.engine import build_zones
from zoning.errors import ZoningError
from zoning.inputs.crs import tm3_crs
from zoning.inputs.layers import InputLike, read_layers
from zoning.law.criteria import load_rules


def build(
    layers: InputLike,
    rules: str | Path | None = None,
    province_rules: str | Path | None = None,
    *,
    central_meridian: float | None = None,
    legacy_encoding: str | None = None,
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
    meridian = central_meridian or (ruleset.province.central_meridian if ruleset.province else None)
    if meridian is None:
        raise ZoningError(
            "the province CRS is unknown",
            "give --province-rules (with a 'province' section) or --central-meridian, e.g. 105.75 for Cao Bằng",
        )
    if legacy_encoding and legacy_encoding.upper() not in ("TCVN3", "VNI"):
        raise ZoningError(f"unknown legacy encoding '{legacy_encoding}'", "use tcvn3 or vni")
    step = progress or (lambda _: None)
    layer_set = read_layers(layers, tm3_crs(meridian), legacy_encoding=legacy_encoding, progress=lambda k: step(f"reading {k}"))
    return build_zones(layer_set, ruleset, progress=step)


__all__ = ["Build", "BuildLike", "as_build", "build", "build_zones", "read_build"]
