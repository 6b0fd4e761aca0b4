"""One glossary for every output: the demo's build summary, check results and reports, map
and annex use the one form terms.yaml gives each term, never a form it marks wrong."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
import yaml
from rich.console import Console

from zoning import terms
from zoning.builder.model import read_build
from zoning.checker import check
from zoning.cli import build as cli_build
from zoning.demo import demo_paths
from zoning.outputs.annex import write_annex
from zoning.outputs.map import write_map
from zoning.outputs.report import write_reports
from zoning.outputs.results import write_results
from zoning.resources import path as data_path


def wrong_forms(text: str) -> list[tuple[str, str, str]]:
    """Every form the glossary marks wrong that ``text`` uses: (form, the term to write, context)."""
    found = []
    for entry in terms.glossary():
        for form in entry.get("wrong", []):
            found += [(form, entry["term"], text[max(0, i - 40):i + len(form) + 40]) for i in _positions(text, form)]
        if entry.get("wrong_pattern"):
            found += [(m.group(0), entry["term"], text[max(0, m.start() - 40):m.end() + 40]) for m in re.finditer(entry["wrong_pattern"], text)]
        abbreviation = entry.get("abbreviation")
        if abbreviation and abbreviation in text and f"{entry['term']} ({abbreviation})" not in text:
            found.append((abbreviation, f"{entry['term']} ({abbreviation}) first", ""))
    return found


def _positions(text: str, form: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(form), text)]


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def outputs(demo_build_path, tmp_path_factory) -> dict[str, str]:
    """The texts of every output of the demo, by output."""
    out = tmp_path_factory.mktemp("glossary")
    build = read_build(demo_build_path)
    texts = {}
    buffer = io.StringIO()
    original = cli_build.out
    cli_build.out = Console(file=buffer, width=400)
    try:
        cli_build.print_build_summary(build)
    finally:
        cli_build.out = original
    texts["build summary"] = buffer.getvalue()
    result = check(demo_paths().sites, build)
    texts["check csv"] = write_results(result, out / "check.csv").read_text(encoding="utf-8")
    texts["site reports"] = "\n".join(p.read_text(encoding="utf-8") for p in write_reports(result, out / "reports"))
    texts["map"] = write_map(build, out / "map.html", sites=result, offline=True).path.read_text(encoding="utf-8")
    texts["annex"] = docx_text(write_annex(build, out / "annex.docx", map_figure=False).docx)
    return texts


def test_the_glossary_is_data():
    entries = terms.glossary()
    assert {"Khu vực bảo vệ I", "nội thành, nội thị", "Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng"} <= {e["term"] for e in entries}
    assert all(e.get("wrong") or e.get("wrong_pattern") for e in entries)
    # the checker of this test finds what it must
    found = wrong_forms("Khu vực bảo vệ 1 của di tích; Xã Hoà An; nhà máy thuỷ điện; quý; Nội thị X; nội thành, nội thị Y; "
                        "Khu vực nội thị trung tâm xã Z")
    assert [(form, term) for form, term, _ in found] == [
        ("Khu vực bảo vệ 1", "Khu vực bảo vệ I"), ("oà", "hóa, hòa, thủy, ủy"), ("uỷ", "hóa, hòa, thủy, ủy"), ("Nội thị", "nội thành, nội thị")]
    assert wrong_forms("CVĐC Non nước Cao Bằng") and not wrong_forms("Công viên địa chất toàn cầu UNESCO Non nước Cao Bằng (CVĐC); CVĐC")


@pytest.mark.parametrize("output", ["build summary", "check csv", "site reports", "map", "annex"])
def test_no_output_uses_a_wrong_form(outputs, output):
    assert outputs[output].strip()
    assert wrong_forms(outputs[output]) == []


def test_no_data_file_uses_a_wrong_form():
    """Names and citations that reach the outputs only for some inputs: in the data themselves."""
    for path in sorted(p for top in ("rules", "layers", "maps") for p in data_path(top).rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data.pop("glossary", None)
        assert wrong_forms(yaml.safe_dump(data, allow_unicode=True, width=10**6)) == [], path.name
