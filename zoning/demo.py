"""The Cao Bằng demo: real 2025 boundaries, illustrative sensitive layers, the whole job.

Runs offline from the data shipped with the package (``layers/demo/``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zoning import terms
from zoning.builder import build
from zoning.builder.model import Build
from zoning.checker import check
from zoning.checker.result import CheckResult
from zoning.errors import both
from zoning.inputs.reference import Province, find_province
from zoning.outputs.annex import write_annex
from zoning.outputs.candidates import write_candidates
from zoning.outputs.map import write_map
from zoning.outputs.office import soffice_executable
from zoning.outputs.raster import write_raster
from zoning.outputs.report import write_reports
from zoning.outputs.results import write_results
from zoning.resources import path as data_path
from zoning.siting import find_sites

DEMO_PROVINCE = "cao-bang"
SITING_COMMUNES = ("01558", "01795", "01318")  # Hạ Lang, Minh Khai, Yên Thổ (plan: new solid-waste areas)
SITING_DISTANCE_M = 1000.0  # an illustrative user value, not a legal distance


@dataclass(frozen=True)
class DemoPaths:
    """The shipped Cao Bằng demo data."""

    layers: Path
    sites: Path
    province_rules: Path

    @property
    def province(self) -> Province:
        """The demo's province in the reference table."""
        return find_province(DEMO_PROVINCE)


def demo_paths() -> DemoPaths:
    """Where the shipped Cao Bằng demo data are.

    Returns
    -------
    DemoPaths
        ``layers`` (a GeoPackage of layer kinds), ``sites`` (the plan's waste sites and six
        hydropower plants) and ``province_rules`` (the Cao Bằng overlay).

    Examples
    --------
    >>> import zoning
    >>> demo = zoning.demo_paths()
    >>> demo.layers.name, demo.sites.name, demo.province_rules.name
    ('cao-bang.gpkg', 'cao-bang-sites.gpkg', 'cao-bang.yaml')
    """
    return DemoPaths(
        layers=data_path("layers", "demo", "cao-bang.gpkg"),
        sites=data_path("layers", "demo", "cao-bang-sites.gpkg"),
        province_rules=data_path("rules", "provinces", "cao-bang.yaml"),
    )


@dataclass
class DemoResults:
    """The demo build, its site check and the files written."""

    build: Build
    check: CheckResult | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def run_demo(out_dir: str | Path, progress: Callable[[str], None] | None = None) -> DemoResults:
    """Build the Cao Bằng zones and every downstream output into ``out_dir``."""
    step = progress or (lambda _: None)
    out_dir = Path(out_dir)
    demo = demo_paths()
    results = DemoResults(build(demo.layers, province_rules=demo.province_rules, progress=step))
    step("writing the build")
    path = results.build.write(out_dir / "cao-bang-build.gpkg")
    results.outputs.update({"build": path, "manifest": path.with_suffix(".manifest.json")})
    _demo_annex(results, out_dir, step)
    _demo_check(results, out_dir, step)
    _demo_raster_siting(results, out_dir, step)
    _demo_map(results, out_dir, step)  # after the siting: the map shows its candidate areas
    return results


def _demo_annex(results: DemoResults, out_dir: Path, step: Callable[[str], None]) -> None:
    """The decision annexes (.docx, .xlsx; .pdf when LibreOffice is installed)."""
    step("decision annexes")
    annex = write_annex(results.build, out_dir / "cao-bang-annex.docx", xlsx=True, pdf=soffice_executable() is not None)
    results.outputs["annex"] = annex.docx
    if annex.xlsx:
        results.outputs["annex tables"] = annex.xlsx
    if annex.dataset is not None:
        results.outputs["annex digital dataset"] = annex.dataset.gpkg
        results.outputs["annex digital dataset (vertices)"] = annex.dataset.xlsx
    if annex.pdf:
        results.outputs["annex PDF"] = annex.pdf
    else:
        results.notes.append(both("Chưa cài LibreOffice: không tạo được bản PDF của phụ lục (đã tạo tệp .docx và .xlsx).",
                                  "LibreOffice is not installed: the annex PDF was not made (the .docx and .xlsx were)."))


def _demo_check(results: DemoResults, out_dir: Path, step: Callable[[str], None]) -> None:
    """The site check of the plan's waste sites and the real hydropower plants."""
    step("site check")
    result = results.check = check(demo_paths().sites, results.build)
    for label, name in (("check results", "cao-bang-sites-check.gpkg"), ("check results (JSON)", "cao-bang-sites-check.json"),
                        ("check results (CSV)", "cao-bang-sites-check.csv")):
        results.outputs[label] = write_results(result, out_dir / name)
    write_reports(result, out_dir / "site-reports", build=results.build)
    results.outputs["check reports"] = out_dir / "site-reports" / "index.html"
    counts = {lang: ", ".join(f"{terms.label('verdicts', v, lang)}: {n}" for v, n in result.meta["verdicts"].items() if n) for lang in ("vi", "en")}
    results.notes.append(both(
        f"Kiểm tra {len(result.sites)} địa điểm ví dụ ({counts['vi']}); khoảng cách an toàn của cơ sở xử lý chất thải rắn chưa được xác nhận, "
        "nên các địa điểm đó cần xem xét lại cho đến khi có khoảng cách (--distance).",
        f"Site check of {len(result.sites)} demo sites ({counts['en']}); the solid-waste safety distances are unconfirmed, "
        "so those sites need review until a distance is given (--distance).",
    ))


def _demo_raster_siting(results: DemoResults, out_dir: Path, step: Callable[[str], None]) -> None:
    """The zones as a 10 m GeoTIFF, and candidate areas for a sanitary landfill in the plan's communes."""
    step("zone raster")
    results.outputs["zone raster"] = write_raster(results.build, out_dir / "cao-bang-zones.tif", 10.0).path
    step("landfill candidate areas")
    siting = find_sites(
        results.build, "sanitary_landfill", min_area_ha=5, communes=list(SITING_COMMUNES),
        user_distances={"sanitary_landfill": SITING_DISTANCE_M},
    )
    results.outputs["landfill candidates"] = write_candidates(siting, out_dir / "cao-bang-landfill-candidates.gpkg")
    results.notes.append(both(
        f"Khu vực ứng viên cho bãi chôn lấp hợp vệ sinh ở Hạ Lang, Minh Khai và Yên Thổ: {len(siting.candidates)} khu, "
        f"{terms.number(siting.info['candidate_area_ha'], 0, 'vi')} ha, với khoảng cách minh họa do người dùng nhập {SITING_DISTANCE_M:g} m "
        "(giá trị pháp lý theo QCVN 01:2025/BTNMT chưa được xác nhận); vùng bảo vệ nghiêm ngặt và vùng hạn chế phát thải được loại ra theo giả định.",
        f"Sanitary landfill candidates in Hạ Lang, Minh Khai and Yên Thổ: {len(siting.candidates)} areas, "
        f"{siting.info['candidate_area_ha']:,.0f} ha, with an illustrative user distance of {SITING_DISTANCE_M:g} m "
        "(the legal value of QCVN 01:2025/BTNMT is unconfirmed) and the strict and emission-limited zones left out by assumption.",
    ))


def _demo_map(results: DemoResults, out_dir: Path, step: Callable[[str], None]) -> None:
    """The interactive map with the checked sites and the landfill candidates."""
    step("interactive map")
    sites = results.outputs.get("check results")
    candidates = results.outputs.get("landfill candidates")
    results.outputs["map"] = write_map(results.build, out_dir / "cao-bang-map.html", sites, candidates=candidates).path
