"""The `zoning` command line: a thin layer over the library.

Every user mistake ends with a message that says what to fix and exit code 2, never a
traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from zoning import __version__
from zoning.errors import ZoningError

app = typer.Typer(
    name="zoning",
    help="Environmental zoning under Decree 08/2022/NĐ-CP: build the strict protection, emission-limited "
    "and other zones of a province; list the layer kinds and the criteria.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console(stderr=True)
out = Console()
EXIT_USER_ERROR = 2


def friendly(command: Callable) -> Callable:
    """Turn a ZoningError into a clear message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ZoningError as error:
            console.print(f"[bold red]Error / Lỗi:[/] {error.message}", highlight=False)
            if error.hint:
                console.print(f"[yellow]→ {error.hint}[/]", highlight=False)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


@contextmanager
def progress_steps(title: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A rich progress bar; yields a callback ``advance(step_name)``."""
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn()]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task(title, total=total)
        started = [False]

        def advance(step: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=f"{title}: {step}")

        yield advance
        bar.update(task, completed=total, description=f"{title}: done")


def version_callback(value: bool) -> None:
    if value:
        out.print(f"zoning {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """Environmental zoning under Decree 08/2022/NĐ-CP."""


# ------------------------------------------------------------------------------ build


@app.command()
@friendly
def build(
    layers: Annotated[Path, typer.Option("--layers", "-l", help="Input layers: a GeoPackage whose layer names are layer kinds, or a folder of files named by kind (.gpkg, .shp, .zip, .geojson). See `zoning layers`.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The build GeoPackage to write (replaced atomically if it exists).")] = Path("build.gpkg"),
    rules: Annotated[Optional[Path], typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml.")] = None,
    province_rules: Annotated[Optional[Path], typer.Option("--province-rules", help="Province overlay, e.g. rules/provinces/cao-bang.yaml; it also sets the province CRS.")] = None,
    central_meridian: Annotated[Optional[float], typer.Option("--central-meridian", help="Central meridian of the province's VN-2000 / TM-3 CRS in decimal degrees (e.g. 105.75); overrides the overlay.")] = None,
    legacy_encoding: Annotated[Optional[str], typer.Option("--legacy-encoding", help="Convert text from an old Vietnamese font encoding: tcvn3 or vni.")] = None,
) -> None:
    """Build the three zones of a province from its layers and the rules."""
    from zoning.pipeline import run_build

    with progress_steps("Building zones", total=10) as advance:
        result = run_build(layers, out_path, rules, province_rules, central_meridian, legacy_encoding, progress=advance)
    print_build_summary(result)


def print_build_summary(result) -> None:
    """Zones, QA, conflicts and honesty notices of a finished build."""
    manifest = result.manifest
    table = Table(title=f"Build {manifest['build_id']} — {result.path}", show_lines=False)
    for column in ("Zone / Vùng", "Area (ha)", "Share"):
        table.add_column(column, justify="right" if column != "Zone / Vùng" else "left")
    total = sum(result.zones["area_ha"])
    for _, row in result.zones.iterrows():
        table.add_row(f"{row['name_vi']} / {row['name_en']}", f"{row['area_ha']:,.2f}", f"{100 * row['area_ha'] / total:.2f} %")
    out.print(table)
    qa = manifest["qa"]
    mark = "[green]passed[/]" if qa["passed"] else "[red]FAILED[/]"
    out.print(f"QA coverage {mark}: zones {qa['zones_ha']:,.2f} ha vs province {qa['province_ha']:,.2f} ha "
              f"(difference {qa['difference_pct']:.5f} %, tolerance {qa['tolerance_pct']} %); overlaps "
              f"{max(qa['overlap_m2'].values()):.3f} m²")
    out.print(f"Units: {manifest['counts']['units']}  ·  with assumed widths: {manifest['assumed_units']}  ·  "
              f"repairs: {len(manifest['repairs'])}  ·  rules: {manifest['ruleset']}")
    for _, conflict in result.conflicts.iterrows():
        out.print(f"[yellow]Plan conflict / Mâu thuẫn:[/] {conflict['message_en']}", highlight=False)
    if manifest["unconfirmed_criteria"]:
        out.print(f"[yellow]Unconfirmed criteria used (not confirmed law):[/] {', '.join(manifest['unconfirmed_criteria'])}")
    if manifest["illustrative_notice"]:
        out.print(f"[yellow]Illustrative data:[/] {manifest['illustrative_notice']}")


# ------------------------------------------------------------------------ catalogues


@app.command("layers")
@friendly
def layers_command() -> None:
    """List the layer kinds: geometry, required attributes and allowed values."""
    from zoning.catalogue import load_catalogue

    table = Table(title="Layer kinds / Các loại lớp dữ liệu", show_lines=True)
    for column in ("Kind", "Label", "Geometry", "Required", "Optional", "Allowed values"):
        table.add_column(column)
    for kind in load_catalogue().kinds.values():
        values = "\n".join(f"{a}: {', '.join(v)}" for a, v in kind.values.items())
        table.add_row(kind.name, f"{kind.label_vi}\n{kind.label_en}", ", ".join(kind.geometry), ", ".join(kind.required), ", ".join(kind.optional), values)
    out.print(table)


@app.command("rules")
@friendly
def rules_command(
    rules: Annotated[Optional[Path], typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml.")] = None,
    province_rules: Annotated[Optional[Path], typer.Option("--province-rules", help="Province overlay to include.")] = None,
) -> None:
    """List the criteria in force with their zone, citation and status."""
    from zoning.rules import load_rules

    ruleset = load_rules(rules, province_rules)
    table = Table(title=f"Criteria / Tiêu chí — {ruleset.id}", show_lines=True)
    for column in ("Id", "Zone", "Layer", "Criterion", "Citation", "Status"):
        table.add_column(column)
    for c in ruleset.criteria:
        where = ruleset.selection(c)
        layer = c.layer + (f"\n{where}" if where else "")
        status = "[green]confirmed[/]" if c.status == "confirmed" else "[yellow]unconfirmed[/]"
        table.add_row(c.id, c.zone, layer, f"{c.title_vi}\n{c.title_en}", f"{c.citation_vi}\n{c.citation_en}", status + (f"\n{c.note}" if c.note else ""))
    out.print(table)
    mapping = ruleset.urban_classes
    out.print(f"Urban class → zone (field '{mapping.field}'): " + ", ".join(f"{k}→{v}" for k, v in mapping.zone.items()) + f"  [{mapping.basis}]")


# ------------------------------------------------------------------------------ demo


@app.command()
@friendly
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for the demo outputs.")] = Path("demo-output"),
) -> None:
    """Run the whole job on the embedded Cao Bằng demo (works offline)."""
    from zoning.demo import run_demo

    with progress_steps("Cao Bằng demo", total=10) as advance:
        results = run_demo(out_dir, progress=advance)
    print_build_summary(results.build)
    for label, path in results.outputs.items():
        out.print(f"  {label}: {path}")


def main() -> None:
    """Entry point of the `zoning` command."""
    app()


if __name__ == "__main__":
    sys.exit(main())
