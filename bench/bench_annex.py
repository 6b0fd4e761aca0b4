"""Benchmark the decision annexes of the Cao Bằng demo.

Prints the time of each step (tables, map, .docx, .xlsx, PDF), the size and page count
of the documents, and the ratio of the coordinate-table assembly (tables written as
WordprocessingML in one piece) against a straightforward python-docx baseline that
fills the same tables cell by cell.

    python bench/bench_annex.py [--no-pdf] [--smoke]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import docx

from zoning import terms
from zoning.builder import build as build_zoning
from zoning.builder.model import read_build
from zoning.demo import demo_paths
from zoning.outputs.annex import annex_data, write_annex
from zoning.outputs.docx import OfficialDocument, coordinate_table


def baseline_coordinates(data) -> float:
    """The coordinate tables through python-docx's cell API (one cell at a time)."""
    started = time.perf_counter()
    document = docx.Document()
    for unit_id, points in data.coordinates.groupby("unit_id", sort=False):
        document.add_paragraph(f"Bảng – {unit_id}")
        values = points[["point", "northing", "easting"]].to_numpy()
        table = document.add_table(rows=1 + (len(values) + 1) // 2, cols=6)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["Điểm", "X (m)", "Y (m)"] * 2):
            cell.text = text
        for index, row in enumerate(table.rows[1:]):
            cells = row.cells
            for slot, (number, northing, easting) in enumerate(values[2 * index:2 * index + 2]):
                cells[3 * slot].text = str(int(number))
                cells[3 * slot + 1].text = terms.number(northing)
                cells[3 * slot + 2].text = terms.number(easting)
    with tempfile.TemporaryDirectory() as work:
        document.save(str(Path(work) / "baseline.docx"))
    return time.perf_counter() - started


def ours_coordinates(data) -> float:
    """The same tables as the annex writes them."""
    started = time.perf_counter()
    document = OfficialDocument()
    per_unit = data.simplification.set_index("unit_id")
    points = dict(tuple(data.coordinates.groupby("unit_id", sort=False)))
    for unit in data.units.itertuples():
        if unit.unit_id in points:  # units defined by a distance are described by their rule, with no table
            coordinate_table(document, unit, points[unit.unit_id], per_unit.loc[unit.unit_id], data)
    with tempfile.TemporaryDirectory() as work:
        document.save(Path(work) / "ours.docx")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice conversion")
    parser.add_argument("--smoke", action="store_true", help="a quick run: no PDF, the tables timed once")
    args = parser.parse_args()
    repeat = 1 if args.smoke else 3
    args.no_pdf = args.no_pdf or args.smoke
    with tempfile.TemporaryDirectory() as work:
        build_path = Path(work) / "cao-bang-build.gpkg"
        build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(build_path)
        started = time.perf_counter()
        result = write_annex(build_path, Path(work) / "annex.docx", xlsx=True, pdf=not args.no_pdf)
        total = time.perf_counter() - started
        print(f"demo annex: {total:.2f} s in all; steps (s): {result.timings_s}")
        for label, path in (("docx", result.docx), ("xlsx", result.xlsx), ("pdf", result.pdf)):
            if path:
                print(f"  {label}: {path.stat().st_size / 1024:,.0f} KB")
        if result.pages:
            print(f"  pdf pages: {result.pages}")
        data = annex_data(read_build(build_path))
    rows = len(data.coordinates)
    ours = min(ours_coordinates(data) for _ in range(repeat))
    baseline = min(baseline_coordinates(data) for _ in range(repeat))
    print(f"coordinate tables ({len(data.units)} units, {rows:,} points): ours {ours:.2f} s, "
          f"python-docx cell by cell {baseline:.2f} s, ratio {baseline / ours:.1f}×")


if __name__ == "__main__":
    main()
