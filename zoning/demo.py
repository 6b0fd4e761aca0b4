"""The Cao Bằng demo: real 2025 boundaries, illustrative sensitive layers, the whole job.

Runs offline from data shipped with the package (``layers/demo/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zoning._resources import resource
from zoning.buildfile import BuildFile
from zoning.pipeline import run_build

DEMO_LAYERS = ("layers", "demo", "cao-bang.gpkg")
DEMO_SITES = ("layers", "demo", "cao-bang-sites.gpkg")
DEMO_RULES = ("rules", "provinces", "cao-bang.yaml")


@dataclass
class DemoResults:
    """The demo build and the files written."""

    build: BuildFile
    outputs: dict[str, Path] = field(default_factory=dict)


def run_demo(out_dir: str | Path, progress: Callable[[str], None] | None = None) -> DemoResults:
    """Build the Cao Bằng zones (and the downstream outputs) into ``out_dir``."""
    out_dir = Path(out_dir)
    build_path = out_dir / "cao-bang-build.gpkg"
    build = run_build(resource(*DEMO_LAYERS), build_path, province_rules=resource(*DEMO_RULES), progress=progress)
    results = DemoResults(build, {"build": build_path, "manifest": build_path.with_suffix(".manifest.json")})
    return results
