"""Environmental zoning of Vietnamese provinces under Decree 08/2022/NĐ-CP.

Layers and rules go into a :class:`Build` (in memory, or one GeoPackage on disk);
everything downstream — site checks, maps, decision annexes, rasters, siting — reads the
build::

    import zoning

    demo = zoning.demo_paths()
    build = zoning.build(demo.layers, province_rules=demo.province_rules)
    result = zoning.check(demo.sites, build)
    zoning.write_map(build, "map.html", sites=result)
    zoning.write_annex(build, "annex.docx")
    build.write("build.gpkg")
    change = zoning.diff("last-year-build.gpkg", build)  # what moved, where, and why
    zoning.write_amendment_annex(build, "last-year-build.gpkg", "amendment.docx")  # its decision annex

The names below are imported on first use, so ``import zoning`` (and the command line)
starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name → module that defines it
_API = {
    "build": "zoning.builder",
    "read_build": "zoning.builder.model",
    "Build": "zoning.builder.model",
    "check": "zoning.checker",
    "CheckResult": "zoning.checker.result",
    "read_results": "zoning.outputs.results",
    "write_results": "zoning.outputs.results",
    "write_map": "zoning.outputs.map",
    "write_annex": "zoning.outputs.annex",
    "write_amendment_annex": "zoning.outputs.amendment",
    "write_raster": "zoning.outputs.raster",
    "write_reports": "zoning.outputs.report",
    "find_sites": "zoning.siting",
    "diff": "zoning.compare",
    "ZoningDiff": "zoning.compare.model",
    "write_diff_report": "zoning.outputs.diff_report",
    "SitingResult": "zoning.siting.search",
    "write_candidates": "zoning.outputs.candidates",
    "load_rules": "zoning.law.criteria",
    "load_check_rules": "zoning.law.project_types",
    "read_layers": "zoning.inputs.layers",
    "check_layers": "zoning.inputs.layercheck",
    "write_layer_report": "zoning.outputs.layer_report",
    "read_sites": "zoning.inputs.sites",
    "demo_paths": "zoning.demo",
    "ZoningError": "zoning.errors",
    "InputError": "zoning.errors",
    "RuleError": "zoning.errors",
    "BuildError": "zoning.errors",
    "build_national": "zoning.national",
    "NationalResult": "zoning.national",
}

__all__ = [
    "Build", "BuildError", "CheckResult", "InputError", "NationalResult", "RuleError", "SitingResult", "ZoningDiff", "ZoningError", "__version__",
    "build", "build_national", "check", "check_layers", "demo_paths", "diff", "find_sites", "load_check_rules", "load_rules", "read_build",
    "read_layers", "read_results", "read_sites", "write_amendment_annex", "write_annex", "write_candidates", "write_diff_report",
    "write_layer_report", "write_map", "write_raster",
    "write_reports", "write_results",
]

if TYPE_CHECKING:  # what type checkers and IDEs see
    from zoning.builder import build
    from zoning.builder.model import Build, read_build
    from zoning.checker import check
    from zoning.checker.result import CheckResult
    from zoning.compare import diff
    from zoning.compare.model import ZoningDiff
    from zoning.demo import demo_paths
    from zoning.errors import BuildError, InputError, RuleError, ZoningError
    from zoning.inputs.layercheck import check_layers
    from zoning.inputs.layers import read_layers
    from zoning.inputs.sites import read_sites
    from zoning.law.criteria import load_rules
    from zoning.law.project_types import load_check_rules
    from zoning.national import NationalResult, build_national
    from zoning.outputs.amendment import write_amendment_annex
    from zoning.outputs.annex import write_annex
    from zoning.outputs.candidates import write_candidates
    from zoning.outputs.diff_report import write_diff_report
    from zoning.outputs.layer_report import write_layer_report
    from zoning.outputs.map import write_map
    from zoning.outputs.raster import write_raster
    from zoning.outputs.report import write_reports
    from zoning.outputs.results import read_results, write_results
    from zoning.siting import find_sites
    from zoning.siting.search import SitingResult


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'zoning' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
