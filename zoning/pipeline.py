"""End-to-end jobs: read layers and rules, build, write — as the CLI and scripts run them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from zoning.builder.zones import build_zones
from zoning.builder.model import BuildFile, criteria_table, write_build
from zoning.inputs.crs import tm3_crs
from zoning.errors import ZoningError
from zoning.inputs.layers import InputLike, read_layers
from zoning.law.criteria import load_rules


def run_build(
    layers: InputLike,
    out: str | Path,
    rules: str | Path | None = None,
    province_rules: str | Path | None = None,
    central_meridian: float | None = None,
    legacy_encoding: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildFile:
    """Read, build and write one zoning build; return it as written.

    The province CRS is VN-2000 / TM-3 on ``central_meridian``, or on the meridian of
    the province overlay.
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
    result = build_zones(layer_set, ruleset, progress=step)
    step("writing")
    manifest = write_build(result, out)
    return BuildFile(
        path=Path(out),
        zones=result.zones,
        units=result.units,
        lineage=result.lineage,
        communes=result.communes,
        commune_summary=result.commune_summary,
        conflicts=result.conflicts,
        criteria=criteria_table(ruleset),
        manifest=manifest,
    )
