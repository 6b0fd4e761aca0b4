"""`zoning annex` and `zoning diff`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from zoning.errors import ZoningError
from zoning.files import check_output

if TYPE_CHECKING:
    pass


from zoning.cli.console import (
    LANG,
    app,
    friendly,
    num,
    out,
    progress_steps,
    say,
)

# ----------------------------------------------------------------------------- annex


@app.command()
@friendly
def annex(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The Word document to write (.docx); replaced atomically if it exists.")] = Path("annex.docx"),
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write a PDF beside it, through LibreOffice (must be installed).")] = False,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Also write the same tables as an Excel workbook (.xlsx) beside it.")] = False,
    decision: Annotated[
        str | None,
        typer.Option("--decision", help='Number and date of the decision, e.g. "số 12/QĐ-UBND ngày 15/3/2027". Left blank to fill in by default.'),
    ] = None,
    province_name: Annotated[
        str | None, typer.Option("--province-name", help='Province name in the headers, e.g. "Lạng Sơn". Default: the province of the build.')
    ] = None,
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            help="Scale of the map the decision adopts, e.g. 1:50000: "
            "coordinates are listed within 0.2 mm on that map (10 m at 1:50000), the same tolerance for every unit. Default: "
            "the province rules' map_scale, else 1:50000.",
        ),
    ] = None,
    list_under: Annotated[
        float | None,
        typer.Option("--list-under", help="List the coordinates of the units smaller than this many hectares only; the digital dataset stands for the others."),
    ] = None,
    final: Annotated[
        bool,
        typer.Option(
            "--final",
            help="The annex to be issued: refused, with the reasons, while the "
            "build uses illustrative data, unconfirmed criteria, proposed designations or unresolved plan conflicts. Without "
            "it, such an annex is marked DỰ THẢO (draft) on every page.",
        ),
    ] = False,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            help="The build of the decision being amended (same province): write instead the annex of the amending "
            "decision — the land moved between the zones, per commune, the units added, removed or changed, why, a map of "
            "the changes, and the boundary points of the units added or changed (--scale, --list-under) with the revised "
            "build's digital dataset.",
        ),
    ] = None,
    amends: Annotated[
        str | None,
        typer.Option("--amends", help='With --against: number and date of the decision being amended, e.g. "số 5/QĐ-UBND ngày 2/1/2027".'),
    ] = None,
    allow_empty: Annotated[bool, typer.Option("--allow-empty", help="With --against: write the annex even when the builds zone alike (0 ha).")] = False,
) -> None:
    """Write the annexes of the provincial decision on the zones' location and boundaries (ND08 Art. 23(3)):
    the units of each zone, areas per commune, boundary coordinates and a map; with --against, the annex
    of a decision amending them.
    """
    from zoning.builder.model import as_build
    from zoning.outputs.annex import default_scale, write_annex
    from zoning.outputs.annex_model import CoordinatePolicy, parse_scale
    from zoning.outputs.dataset import dataset_paths

    if (amends is not None or allow_empty) and against is None:
        option = "--amends" if amends is not None else "--allow-empty"
        raise ZoningError(
            (f"{option} chỉ dùng cùng --against", f"{option} goes with --against"),
            ("thêm --against BẢN_PHÂN_VÙNG_CŨ.gpkg", "add --against OLD_BUILD.gpkg"),
        )
    inputs = (build_path, against)
    check_output(out_path, inputs, suffixes=(".docx",))
    for extra, wanted in ((".xlsx", xlsx), (".pdf", pdf)):
        if wanted:
            check_output(out_path.with_suffix(extra), inputs)
    for path in dataset_paths(out_path):
        check_output(path, inputs)
    build = as_build(build_path)
    policy = CoordinatePolicy(parse_scale(scale) or default_scale(build), list_under)
    if against is not None:
        from zoning.outputs.amendment import write_amendment_annex

        with progress_steps(say("Phụ lục quyết định điều chỉnh", "Amending decision annex"), total=6 + pdf + xlsx) as advance:
            result = write_amendment_annex(
                build, against, out_path, amends=amends, pdf=pdf, xlsx=xlsx, decision=decision, province_name=province_name,
                policy=policy, final=final, progress=advance, allow_empty=allow_empty,
            )
        print_annex_summary(result)
        return
    with progress_steps(say("Phụ lục quyết định", "Decision annexes"), total=5 + pdf + xlsx) as advance:
        result = write_annex(build, out_path, pdf=pdf, xlsx=xlsx, decision=decision, province_name=province_name, policy=policy, final=final, progress=advance)
    print_annex_summary(result)


def print_annex_summary(result) -> None:
    """Files written, their size, and the honesty notices of an annex."""
    for label, path in (("Word", result.docx), ("Excel", result.xlsx), ("PDF", result.pdf)):
        if path is not None:
            pages = f", {result.pages} {say('trang', 'pages')}" if label == "PDF" and result.pages else ""
            out.print(f"{label}: {path} ({num(path.stat().st_size / 1024, 0)} KB{pages})", highlight=False)
    if result.dataset is not None:
        per_unit = result.simplification
        out.print(
            f"{say('Bộ dữ liệu số', 'Digital dataset')}: {result.dataset.gpkg} (SHA-256 {result.dataset.gpkg_sha256}), "
            f"{result.dataset.xlsx} (SHA-256 {result.dataset.xlsx_sha256})",
            highlight=False,
        )
        out.print(
            f"{say('Tọa độ', 'Coordinates')}: {num(int(per_unit['points'].sum()), 0)} {say('điểm', 'points')} "
            f"({say('đầy đủ', 'full')}: {num(int(per_unit['vertices'].sum()), 0)}), {say('dung sai', 'tolerance')} "
            f"{num(float(per_unit['tolerance_m'].iloc[0]) if len(per_unit) else 0, 1)} m, "
            f"{int(per_unit['listed'].sum())}/{len(per_unit)} {say('khu vực được liệt kê', 'units listed')}",
            highlight=False,
        )
    if result.draft_reasons:
        out.print(
            f"[bold yellow]{say('DỰ THẢO: phụ lục mang dấu dự thảo trên mọi trang, vì', 'DRAFT: every page is marked as a draft, because')}:[/]",
            highlight=False,
        )
        for reason in result.draft_reasons:
            out.print(f"  – {reason}", highlight=False)
    for notice in result.notices:
        out.print(f"[yellow]{say('Lưu ý', 'Notice')}:[/] {notice}", highlight=False)


# ------------------------------------------------------------------------------ diff


@app.command("diff")
@friendly
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier build GeoPackage (e.g. the draft plan's).")],
    new: Annotated[Path, typer.Argument(help="The later build GeoPackage of the same province.")],
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="GeoPackage to write: the changed pieces (layer "
            "transitions) with why they moved, the transition table, reasons, rule and input changes, areas by commune.",
        ),
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="HTML report to write (Vietnamese first, English beside).")] = None,
    min_area: Annotated[
        float, typer.Option("--min-area", min=0, help="Pieces smaller than this many hectares are slivers of re-digitising, not changes.")
    ] = 0.01,
    min_width: Annotated[float, typer.Option("--min-width", min=0, help="Pieces thinner than this many metres everywhere are slivers, not changes.")] = 1.0,
) -> None:
    """Compare two zonings of the same province: what moved between the zones, where, and why."""
    from zoning.compare import diff
    from zoning.outputs.diff_report import write_diff_report

    for path, suffixes in ((out_path, (".gpkg",)), (report, (".html", ".htm"))):
        if path is not None:
            check_output(path, (old, new), suffixes=suffixes)
    written = []
    with progress_steps(say("So sánh hai bản phân vùng", "Comparing zonings"), total=4 + (out_path is not None) + (report is not None)) as advance:
        result = diff(old, new, min_area_ha=min_area, min_width_m=min_width, progress=advance)
        if out_path is not None:
            advance("writing the GeoPackage")
            written.append(result.write(out_path))
        if report is not None:
            advance("writing the report")
            written.append(write_diff_report(result, report))
    print_diff_summary(result, written)


def print_diff_summary(result, written: list[Path]) -> None:
    """The 3 × 3 table, the changed area and the noise set aside, the causes, the communes most affected."""
    from rich.markup import escape

    from zoning import terms

    meta = result.meta
    table = Table(title=f"Chuyển vùng / Transitions (ha) — {meta['old']['build_id']} → {meta['new']['build_id']}", show_lines=False)
    table.add_column("Cũ ↓ Mới → / Old ↓ New →")
    for zone in terms.ZONE_ORDER:
        table.add_column(f"{terms.label('zones', zone)}\n{terms.label('zones', zone, 'en')}", justify="right")
    matrix = result.matrix()
    for zone in terms.ZONE_ORDER:
        cells = [f"[bold]{num(v)}[/]" if zone != other and v > 0 else num(v) for other, v in matrix.loc[zone].items()]
        table.add_row(f"{terms.label('zones', zone)} / {terms.label('zones', zone, 'en')}", *cells)
    out.print(table)
    threshold = meta["threshold"]
    out.print(
        f"{say('Chuyển vùng', 'Changed')}: {num(meta['changed_ha'])} ha, {meta['changed_pieces']} {say('phần', 'piece(s)')} · "
        f"{say('bỏ qua như sai lệch số hóa', 'set aside as noise')} (< {num(threshold['min_area_ha'])} ha {say('hoặc hẹp hơn', 'or thinner than')} "
        f"{num(threshold['min_width_m'], 1)} m): {num(meta['noise_ha'], 4)} ha, {meta['noise_pieces']} {say('phần', 'piece(s)')}",
        highlight=False,
    )
    for note in meta["notes"]:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] " + escape(note), highlight=False)
    for row in result.rule_changes.itertuples():
        moved = f" — {num(row.moved_ha)} ha" if row.kind == "criterion" else ""
        out.print(f"{say('Quy tắc', 'Rule')}: {row.detail_vi}{moved}\n    {row.detail_en}", highlight=False, markup=False)
    inputs = result.input_changes
    if len(inputs):
        counts = inputs.groupby(["layer", "change"]).size()
        out.print(
            f"{say('Dữ liệu đầu vào', 'Inputs')}: "
            + "; ".join(f"{layer} {terms.label('changes', change, LANG['console'])} {n}" for (layer, change), n in counts.items()),
            highlight=False,
            markup=False,
        )
    for row in result.communes.head(5).itertuples():
        out.print(f"  {row.commune_name} {row.commune_code}: {num(row.moved_ha)} ha", highlight=False, markup=False)
    for path in written:
        out.print(f"  {say('đã ghi', 'written')}: {path}", highlight=False)


