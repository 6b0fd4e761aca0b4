"""`zoning layers` (the layer kinds; also `zoning layers list`) and `zoning layers check`.

`layers` is a command group whose default is the list, so `zoning layers` works as it always
has; `zoning layers check INPUT` validates every layer in one run and writes the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from zoning.cli.build import mapped_files
from zoning.cli.console import EXIT_USER_ERROR, LANG, app, friendly, out, progress_steps, say
from zoning.files import check_output

layers_app = typer.Typer(help="The layer kinds (the default: `zoning layers`), and the check of your layers before a build.",
                         no_args_is_help=False, rich_markup_mode="rich")
app.add_typer(layers_app, name="layers")
SHOWN_ROWS = 40  # problems printed on the console (the report has them all)


@layers_app.callback(invoke_without_command=True)
def layers_group(ctx: typer.Context) -> None:
    """List the layer kinds: geometry, required attributes and allowed values (`zoning layers check INPUT` checks your layers)."""
    if ctx.invoked_subcommand is None:
        list_command()


@layers_app.command("list")
@friendly
def list_command() -> None:
    """List the layer kinds: geometry, required attributes and allowed values."""
    from zoning.inputs.catalogue import load_catalogue

    table = Table(title=say("Các loại lớp dữ liệu", "Layer kinds"), show_lines=True)
    for column in (say("Loại lớp", "Kind"), say("Tên", "Label"), say("Hình học", "Geometry"), say("Thuộc tính bắt buộc", "Required"),
                   say("Thuộc tính tùy chọn", "Optional"), say("Giá trị cho phép", "Allowed values")):
        table.add_column(column)
    for kind in load_catalogue().kinds.values():
        values = "\n".join(f"{a}: {', '.join(v)}" for a, v in kind.values.items())
        label = kind.label_en if LANG["console"] == "en" else f"{kind.label_vi}\n{kind.label_en}"
        table.add_row(kind.name, label, ", ".join(kind.geometry), ", ".join(kind.required), ", ".join(kind.optional), values)
    out.print(table)


@layers_app.command("check")
@friendly
def check_command(
    source: Annotated[Path, typer.Argument(help="The layers, as `zoning build --layers` takes them: a GeoPackage, a folder or a mapping file (.yaml).",
                                           show_default=False)],
    province: Annotated[str | None, typer.Option("--province", "-p", help="The province (slug, name or 2-digit code): the layers are also "
        "reprojected to its VN-2000 / TM-3 CRS, as a build does, and its reference boundaries stand for a missing province or communes layer.")] = None,
    central_meridian: Annotated[float | None, typer.Option("--central-meridian", help="Central meridian instead of the province's.")] = None,
    legacy_encoding: Annotated[str | None, typer.Option("--legacy-encoding", help="Convert text from tcvn3 or vni, as a build would.")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The report workbook (.xlsx); the web page (.html) is written beside it "
        "unless --html says where.")] = Path("layers-check.xlsx"),
    html: Annotated[Path | None, typer.Option("--html", help="The report web page (default: beside --out, .html).")] = None,
) -> None:
    """Check every layer before a build, in one run: one report row per problem (exit code 2 when a build would refuse the layers)."""
    from zoning.inputs.layercheck import check_layers
    from zoning.outputs.layer_report import write_layer_report

    html = html or out_path.with_suffix(".html")
    inputs = (source, *mapped_files(source))
    check_output(out_path, inputs, suffixes=(".xlsx",))
    check_output(html, inputs, suffixes=(".html", ".htm"), option="--html")
    if legacy_encoding and legacy_encoding.upper() not in ("TCVN3", "VNI"):
        from zoning.errors import ZoningError

        raise ZoningError((f"không có bảng mã cũ '{legacy_encoding}'", f"unknown legacy encoding '{legacy_encoding}'"),
                          ("dùng tcvn3 hoặc vni", "use tcvn3 or vni"))
    with progress_steps(say("Kiểm tra lớp dữ liệu", "Checking layers")) as advance:
        check = check_layers(source, province=province, central_meridian=central_meridian, legacy_encoding=legacy_encoding, progress=advance)
    written = write_layer_report(check, out_path, html, inputs)
    print_check(check)
    out.print(f"{say('Đã ghi', 'Written')}: {', '.join(str(p) for p in written)}", highlight=False)
    if check.refused:
        raise typer.Exit(EXIT_USER_ERROR)


def print_check(check) -> None:
    """The problems (the first :data:`SHOWN_ROWS` rows), the layers read, and the notes."""
    english = LANG["console"] == "en"
    rows = check.rows()
    for source in check.layers.sources:
        out.print(f"[green]✓[/] {source.kind}: {source.features} {say('đối tượng', 'features')} ({escape(source.origin)})", highlight=False)
    for note in check.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {escape(note)}", highlight=False)
    if not rows:
        out.print(f"[green]{say('Không có vấn đề nào ngăn việc xây dựng bản phân vùng', 'No problem stands in the way of a build')}[/]")
        return
    table = Table(title=say(f"{len(rows)} vấn đề — bản phân vùng sẽ không được xây dựng", f"{len(rows)} problem(s) — a build would refuse"),
                  show_lines=True)
    for column in (say("Lớp", "Layer"), say("Mã đối tượng", "Feature"), say("Trường", "Field"), say("Giá trị", "Value"),
                   say("Vấn đề", "Problem"), say("Cách sửa", "What to do")):
        table.add_column(column)
    for row in rows[:SHOWN_ROWS]:
        problem = row["problem_en"] if english else f"{row['problem_vi']}\n{row['problem_en']}"
        hint = row["hint_en"] if english else f"{row['hint_vi']}\n{row['hint_en']}"
        table.add_row(*(escape(str(v)) for v in (row["layer"], row["feature"], row["field"], row["value"], problem, hint)))
    out.print(table)
    if len(rows) > SHOWN_ROWS:
        out.print(say(f"… và {len(rows) - SHOWN_ROWS} dòng khác trong báo cáo", f"… and {len(rows) - SHOWN_ROWS} more rows in the report"))
