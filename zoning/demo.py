"""The Cao Bằng demo: real 2025 boundaries, illustrative sensitive layers, the whole job.

Runs offline from data shipped with the package (``layers/demo/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoning.data import path as resource
from zoning.builder.model import BuildFile
from zoning.pipeline import run_build

DEMO_LAYERS = ("demo", "cao-bang.gpkg")
DEMO_SITES = ("demo", "cao-bang-sites.gpkg")
DEMO_RULES = ("rules", "provinces", "cao-bang.yaml")


@dataclass
class DemoResults:
    """The demo build and the files written."""

    build: BuildFile
    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    check: Any = None  # the site check (zoning.check.CheckResult)


def run_demo(out_dir: str | Path, progress: Callable[[str], None] | None = None) -> DemoResults:
    """Build the Cao Bằng zones (and the downstream outputs) into ``out_dir``."""
    out_dir = Path(out_dir)
    build_path = out_dir / "cao-bang-build.gpkg"
    build = run_build(resource(*DEMO_LAYERS), build_path, province_rules=resource(*DEMO_RULES), progress=progress)
    results = DemoResults(build, {"build": build_path, "manifest": build_path.with_suffix(".manifest.json")})
    _demo_annex(results, out_dir, progress)
    _demo_check(results, out_dir, progress)
    _demo_raster_siting(results, out_dir, progress)
    _demo_map(results, out_dir, progress)  # after the siting: the map shows its candidate areas
    return results


DEMO_SITING_COMMUNES = ("01558", "01795", "01318")  # Hạ Lang, Minh Khai, Yên Thổ (plan: new solid-waste areas)
DEMO_SITING_DISTANCE_M = 1000.0  # an illustrative user value, not a legal distance


def _demo_raster_siting(results: DemoResults, out_dir: Path, progress: Callable[[str], None] | None) -> None:
    """The zones as a 10 m GeoTIFF, and candidate areas for a sanitary landfill in the plan's communes."""
    from zoning.outputs.raster import write_zone_raster
    from zoning.siting.search import find_candidates

    if progress:
        progress("zone raster")
    results.outputs["zone raster"] = write_zone_raster(results.build.path, out_dir / "cao-bang-zones.tif", 10.0).path
    if progress:
        progress("landfill candidate areas")
    siting = find_candidates(
        results.build, "sanitary_landfill", min_area_ha=5, communes=list(DEMO_SITING_COMMUNES),
        user_distances={"sanitary_landfill": DEMO_SITING_DISTANCE_M}, out=out_dir / "cao-bang-landfill-candidates.gpkg",
    )
    results.outputs["landfill candidates"] = siting.path
    results.notes.append(
        f"Sanitary landfill candidates in Hạ Lang, Minh Khai and Yên Thổ: {len(siting.candidates)} areas, "
        f"{siting.info['candidate_area_ha']:,.0f} ha, with an illustrative user distance of {DEMO_SITING_DISTANCE_M:g} m "
        "(the legal value of QCVN 01:2025/BTNMT is unconfirmed) and the strict and emission-limited zones left out by assumption."
    )


def _demo_check(results: DemoResults, out_dir: Path, progress: Callable[[str], None] | None) -> None:
    """The site check of the plan's waste sites and the real hydropower plants."""
    from zoning.checker.engine import run_check

    if progress:
        progress("site check")
    outputs = [out_dir / "cao-bang-sites-check.gpkg", out_dir / "cao-bang-sites-check.json", out_dir / "cao-bang-sites-check.csv"]
    check = run_check(resource(*DEMO_SITES), results.build, out=outputs, report_dir=out_dir / "site-reports")
    results.check = check
    results.outputs["check results"] = outputs[0]
    results.outputs["check results (JSON)"] = outputs[1]
    results.outputs["check results (CSV)"] = outputs[2]
    results.outputs["check reports"] = out_dir / "site-reports" / "index.html"
    counts = ", ".join(f"{v}: {n}" for v, n in check.meta["verdicts"].items() if n)
    results.notes.append(f"Site check of {len(check.sites)} demo sites ({counts}); the solid-waste safety distances are unconfirmed, so those sites need review until a distance is given (--distance).")


def _demo_map(results: DemoResults, out_dir: Path, progress: Callable[[str], None] | None) -> None:
    """The interactive map (with the checked sites and the landfill candidates when the demo has made them)."""
    from zoning.outputs.map import write_map

    if progress:
        progress("interactive map")
    sites = results.outputs.get("check results")  # the check's GeoPackage, when the demo has run it
    candidates = results.outputs.get("landfill candidates")  # the siting's GeoPackage, likewise
    results.outputs["map"] = write_map(results.build.path, out_dir / "cao-bang-map.html", sites, candidates=candidates).path


def _demo_annex(results: DemoResults, out_dir: Path, progress: Callable[[str], None] | None) -> None:
    """The decision annexes (.docx, .xlsx; .pdf when LibreOffice is installed)."""
    from zoning.outputs.office import soffice_executable
    from zoning.outputs.annex import write_annex

    pdf = soffice_executable() is not None
    if progress:
        progress("decision annexes")
    annex = write_annex(results.build, out_dir / "cao-bang-annex.docx", xlsx=True, pdf=pdf)
    results.outputs["annex"] = annex.docx
    results.outputs["annex tables"] = annex.xlsx
    if annex.pdf:
        results.outputs["annex PDF"] = annex.pdf
    else:
        results.notes.append("LibreOffice is not installed: the annex PDF was not made (the .docx and .xlsx were).")
