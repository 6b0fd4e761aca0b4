"""`zoning national build`: every province built side by side on Dask, assembled and checked across borders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zoning.cli.console import EXIT_USER_ERROR, app, console, friendly, num, out, progress_steps, say, split_list
from zoning.files import check_output_folder

national_app = typer.Typer(name="national", help="One national zoning: every province built side by side on Dask "
                           "(a LocalCluster here, or a real cluster), assembled in one CRS and checked across borders.",
                           no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(national_app, name="national")


@national_app.command("build")
@friendly
def build_command(
    layers: Annotated[Path, typer.Option("--layers", "-l", help="ROOT: a national layer set (a GeoPackage whose layer names are "
        "layer kinds, or a folder of files named by kind; each kind once for the country) or one folder per province named by slug "
        "(lang-son/, cao-bang/, …).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder: provinces/<slug>.gpkg, vietnam.gpkg, summary.xlsx, "
        "consistency.xlsx and .html, parquet/.")],
    provinces: Annotated[str, typer.Option("--provinces", help="all (every province with boundaries) or slugs, names or codes "
        "separated by commas.")] = "all",
    workers: Annotated[int, typer.Option("--workers", "-w", help="Workers of the embedded Dask LocalCluster (one process each).")] = 2,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of a running Dask scheduler (tcp://host:8786) "
        "instead of the embedded cluster; every worker must see --layers and --out at the same paths.")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml; each "
        "province adds its shipped overlay where one exists.")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", help="Gaps and overlaps allowed in the national coverage, m².")] = 1.0,
) -> None:
    """Build the zones of every province and the national zoning, consistent across borders; a province whose inputs, rules and
    software are unchanged since the last run is kept, a province that fails is reported with its error and the others finish.
    """
    from zoning.national import build_national

    check_output_folder(out_dir, (layers, rules), option="--out")
    chosen = "all" if provinces.strip().lower() == "all" else (split_list(provinces) or [])
    with progress_steps(say("Phân vùng cả nước", "National zoning")) as advance:
        result = build_national(layers, out_dir, provinces=chosen, workers=workers, scheduler=scheduler, rules=rules,
                                tolerance_m2=tolerance, progress=advance)
    _print(result)
    if result.failed:
        raise typer.Exit(EXIT_USER_ERROR)


def _print(result) -> None:
    """The provinces, the checks across borders and the files written."""
    table = Table(title=say("Các tỉnh", "Provinces"))
    for column in (say("Tỉnh", "Province"), say("Tình trạng", "State"), say("Nghiêm ngặt (ha)", "Strict (ha)"),
                   say("Hạn chế phát thải (ha)", "Emission-limited (ha)"), say("Khác (ha)", "Other (ha)"), say("Thời gian (s)", "Time (s)")):
        table.add_column(column)
    for outcome in result.outcomes:
        zones = outcome.summary.get("zones_ha", {})
        state = (say("lỗi", "failed") if outcome.error else say("không đổi, giữ bản cũ", "unchanged, kept") if outcome.reused
                 else say("đã xây dựng", "built"))
        table.add_row(outcome.slug, state, num(zones.get("strict")), num(zones.get("emission_limited")), num(zones.get("other")),
                      num(outcome.summary.get("wall_s"), 1))
    out.print(table)
    for outcome in result.failed:
        console.print(f"[bold red]{say('Lỗi', 'Error')} {outcome.slug}:[/] {say(outcome.error_vi or '', outcome.error or '')}", highlight=False,
                      markup=True)
    found = result.consistency
    mark = f"[green]{say('đạt', 'clean')}[/]" if found.clean else f"[red]{say('KHÔNG ĐẠT', 'NOT clean')}[/]"
    out.print(f"{say('Độ phủ cả nước', 'National coverage')} {mark}: {say('hở', 'gaps')} {num(found.gap_m2, 3)} m², "
              f"{say('chồng lấn', 'overlaps')} {num(found.overlap_m2, 3)} m² ({say('dung sai', 'tolerance')} {num(found.tolerance_m2, 3)} m²); "
              f"{say('đối tượng vắt qua ranh giới', 'features across borders')}: {found.as_dict()['crossing_features']}; "
              f"{say('khác nhau hai bên ranh giới', 'differences across borders')}: {len(found.differences)}", highlight=False)
    if found.rule_versions_differ:
        warning = say("Các tỉnh dùng phiên bản quy tắc khác nhau: xem consistency.xlsx", "Provinces used different rule versions: see consistency.xlsx")
        out.print(f"[yellow]{warning}[/]", highlight=False)
    for note in result.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)
    out.print(f"{say('Đã ghi', 'Written')}: {result.out} ({len(result.files)} {say('tệp', 'files')}; "
              f"{say('xây dựng', 'built')} {len(result.built)}, {say('giữ nguyên', 'kept')} {len(result.reused)}, "
              f"{say('lỗi', 'failed')} {len(result.failed)}; {num(result.wall_s, 1)} s)", highlight=False)
