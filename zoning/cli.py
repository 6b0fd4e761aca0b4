"""The `zoning` command line: a thin layer over the library.

Every user mistake ends with a message that says what to fix and exit code 2, never a
traceback. Outputs are checked before any work is done: a path that is, or would replace,
an input, a folder, or a suffix the command does not write is refused at once. The console
speaks Vietnamese first with English beside (``zoning --lang en`` for English only), with
the numbers of the language.
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from zoning import __version__, terms
from zoning.errors import ZoningError, both
from zoning.files import check_output, check_output_folder, environment_error

if TYPE_CHECKING:
    from zoning.builder.model import Build

# Options that `check` and `siting` share.
DistanceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--distance",
        "-d",
        help="A safety distance in metres where the rules have no confirmed value: sanitary_landfill=1000, "
        "sanitary_landfill:water_intake=2000, or a bare 1000 for every unknown one (repeat).",
    ),
]
DistancesFileOption = Annotated[
    Path | None,
    typer.Option(
        "--distances",
        help="A province file of safety distances (YAML: id, version, distances: [{facility, receptor, distance_m, citation_vi, citation_en}]).",
    ),
]

app = typer.Typer(
    name="zoning",
    help="Environmental zoning under Decree 08/2022/NĐ-CP: build the strict protection, emission-limited "
    "and other zones of a province; list the layer kinds and the criteria.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
PIPE_WIDTH = 160  # tables piped to a file are not cut at 80 columns
console = Console(stderr=True, width=None if sys.stderr.isatty() else PIPE_WIDTH)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
EXIT_USER_ERROR = 2
SUMMARY_ABOVE = 30  # more sites than this: a summary instead of one table row per site (--verbose for all)
LISTED_CONFLICTS = 20
LANG: dict[str, terms.Lang] = {"console": "en" if os.environ.get("ZONING_LANG") == "en" else "vi"}


def say(vi: str, en: str) -> str:
    """A console text in the console's language: ``vi / en`` (Vietnamese first), or English alone with ``--lang en``."""
    return en if LANG["console"] == "en" else f"{vi} / {en}"


def print_notices(vietnamese: list[str], english: list[str]) -> None:
    """Notices in the console's language: Vietnamese with English beneath, or English alone."""
    for vi, en in zip(vietnamese, english):
        out.print(f"[yellow]{en}[/]" if LANG["console"] == "en" else f"[yellow]{vi}[/]\n  {en}", highlight=False)


def num(value: float | None, decimals: int = 2) -> str:
    """A number in the console's language (``1.234,56`` in Vietnamese, ``1,234.56`` in English)."""
    return terms.number(value, decimals, LANG["console"])


def friendly(command: Callable) -> Callable:
    """Turn a ZoningError, or a file-system error of the user's environment, into a clear message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ZoningError as error:
            _print_error(error)
        except OSError as exc:  # permission, read-only or full disk, …: the user's to fix; anything else is a bug
            problem = environment_error(exc)
            if problem is None:
                raise
            _print_error(problem)
        raise typer.Exit(EXIT_USER_ERROR)

    return wrapper


def _print_error(error: ZoningError) -> None:
    """The message and what to do, each in Vietnamese with English on the next line (or English alone)."""
    hint = error.hint_pair or ("sửa điều được nêu ở trên rồi chạy lại", "correct what is named above and run again")
    console.print(f"[bold red]{say('Lỗi', 'Error')}:[/] {escape(_lines(error.message_vi, error.message_en))}", highlight=False)
    console.print(f"[yellow]→ {say('Cách sửa', 'What to do')}: {escape(_lines(*hint))}[/]", highlight=False)


def _lines(vi: str, en: str) -> str:
    """Vietnamese with English beneath (once when they are the same), or English alone with ``--lang en``."""
    return en if LANG["console"] == "en" or vi == en else f"{vi}\n  {en}"


@contextmanager
def progress_steps(title: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A rich progress bar; yields a callback ``advance(step_name)`` called as each step starts.

    When the console is not a terminal (a log file, a pipe) each step is a line of its own.
    """
    counted = [TextColumn("{task.completed}/{task.total}")] if total else []
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), *counted, TimeElapsedColumn()]
    live = console.is_terminal
    with Progress(*columns, console=console, transient=False, disable=not live) as bar:
        task = bar.add_task(title, total=total)
        done = [0]

        def advance(step: str) -> None:
            if done[0]:
                bar.advance(task)
            done[0] += 1
            bar.update(task, description=f"{title}: {step}")
            if not live:
                console.print(f"[{done[0]}{'/' + str(total) if total else ''}] {title}: {step}", highlight=False, markup=False)

        yield advance
        bar.update(task, completed=total or done[0], description=f"{title}: {say('xong', 'done')}")


def split_list(text: str | None) -> list[str] | None:
    """A comma-separated option: ``"01795,01558"`` → ``["01795", "01558"]`` (None when not given; ``",,"`` gives ``[]``)."""
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def version_callback(value: bool) -> None:
    """Print the version and stop (``--version``)."""
    if value:
        out.print(f"zoning {__version__}")
        raise typer.Exit()


class Language(str, Enum):
    """Language of the console."""

    vi = "vi"
    en = "en"


@app.callback()
def _root(
    version: Annotated[bool | None, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")] = None,
    lang: Annotated[Language | None, typer.Option("--lang", help="Language of the console: vi (Vietnamese first, English "
        "beside; the default) or en (English). Also ZONING_LANG.")] = None,
) -> None:
    """Environmental zoning under Decree 08/2022/NĐ-CP."""
    if lang is not None:
        LANG["console"] = lang.value


# ------------------------------------------------------------------------------ build


@app.command()
@friendly
def build(
    layers: Annotated[Path, typer.Option("--layers", "-l", help="Input layers: a GeoPackage whose layer names are layer "
        "kinds, or a folder of files named by kind (.gpkg, .shp, .zip, .geojson). See `zoning layers`.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The build GeoPackage to write (replaced atomically if it exists).")] = Path("build.gpkg"),
    rules: Annotated[Path | None, typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml.")] = None,
    province_rules: Annotated[Path | None, typer.Option("--province-rules", help="Province overlay: the name of a "
        "shipped one (cao-bang) or the path of your own YAML; it also sets the province CRS.")] = None,
    central_meridian: Annotated[float | None, typer.Option("--central-meridian", help="Central meridian of the "
        "province's VN-2000 / TM-3 CRS in decimal degrees (e.g. 105.75); overrides the overlay.")] = None,
    legacy_encoding: Annotated[str | None, typer.Option("--legacy-encoding", help="Convert text from an old Vietnamese "
        "font encoding: tcvn3 or vni.")] = None,
    province_extent: Annotated[str, typer.Option("--province-extent", help="What bounds the province: 'province' (its "
        "polygon; slivers outside every commune go to the commune sharing the longest edge) or 'communes' (the union of "
        "the communes).")] = "province",
) -> None:
    """Build the three zones of a province from its layers and the rules."""
    from zoning.builder import build as build_zones
    from zoning.builder.model import BUILD_SUFFIXES

    sources = (layers, rules, province_rules)
    check_output(out_path, sources, suffixes=BUILD_SUFFIXES)
    check_output(out_path.with_suffix(".manifest.json"), sources)
    with progress_steps(say("Xây dựng phân vùng", "Building zones")) as advance:
        result = build_zones(layers, rules, province_rules, central_meridian=central_meridian, legacy_encoding=legacy_encoding,
                             province_extent=province_extent, progress=advance)
        advance("writing")
        result.write(out_path)
    print_build_summary(result)


def print_build_summary(result) -> None:
    """Zones, QA, conflicts, features skipped, notes and honesty notices of a finished build."""
    manifest = result.manifest
    lang = LANG["console"]
    table = Table(title=f"{say('Kết quả phân vùng', 'Build')} {manifest['build_id']} — {result.path}", show_lines=False)
    for column in (say("Vùng", "Zone"), say("Diện tích (ha)", "Area (ha)"), say("Tỷ lệ", "Share")):
        table.add_column(column, justify="left" if not table.columns else "right")
    total = sum(result.zones["area_ha"])
    for _, row in result.zones.iterrows():
        name = row["name_en"] if lang == "en" else f"{row['name_vi']} / {row['name_en']}"
        table.add_row(name, num(row["area_ha"]), f"{num(100 * row['area_ha'] / total)} %")
    proposed = manifest.get("proposed") or {}
    if proposed.get("units"):
        table.add_section()
        table.add_row(say("Đề xuất, không tính vào các vùng", "Proposed, not counted in the zones"), num(proposed["area_ha"]),
                      f"{num(100 * proposed['area_ha'] / total)} %")
    out.print(table)
    qa = manifest["qa"]
    mark = f"[green]{say('đạt', 'passed')}[/]" if qa["passed"] else f"[red]{say('KHÔNG ĐẠT', 'FAILED')}[/]"
    out.print(f"{say('Kiểm tra độ phủ', 'QA coverage')} {mark}: {say('các vùng', 'zones')} {num(qa['zones_ha'])} ha / "
              f"{say('tỉnh', 'province')} {num(qa['province_ha'])} ha ({say('chênh lệch', 'difference')} {num(qa['difference_pct'], 5)} %, "
              f"{say('dung sai', 'tolerance')} {num(qa['tolerance_pct'])} %); {say('chồng lấn', 'overlaps')} {num(max(qa['overlap_m2'].values()), 3)} m²",
              highlight=False)
    print_commune_reconciliation(qa.get("communes"), result.communes)
    out.print(f"{say('Khu vực', 'Units')}: {manifest['counts']['units']}  ·  {say('dùng chiều rộng giả định', 'with assumed widths')}: "
              f"{manifest['assumed_units']}  ·  {say('hình học đã sửa', 'repairs')}: {len(manifest['repairs'])}  ·  {say('quy tắc', 'rules')}: "
              f"{manifest['ruleset']}", highlight=False)
    print_notices(result.notices("vi"), result.notices("en"))
    skipped = result.skipped
    if len(skipped):
        reasons = ["reason"] if lang == "en" or "reason_vi" not in skipped else ["reason_vi", "reason"]
        counts = "; ".join(f"{n} × {' / '.join(texts)}" for texts, n in skipped.groupby(reasons, sort=False).size().items())
        out.print(f"[yellow]{say('Đối tượng không dùng', 'Features skipped')} ({len(skipped)}):[/] {counts} — "
                  f"{say('xem bảng skipped', 'see the skipped table')}", highlight=False)
    for note in manifest.get("notes", []):
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)
    if manifest["unconfirmed_criteria"]:
        out.print(f"[yellow]{say('Tiêu chí chưa xác nhận (không phải quy định đã đối chiếu)', 'Unconfirmed criteria used (not confirmed law)')}:[/] "
                  f"{', '.join(manifest['unconfirmed_criteria'])}", highlight=False)
    if manifest["illustrative_notice"]:
        out.print(f"[yellow]{say('Dữ liệu minh họa', 'Illustrative data')}:[/] {manifest['illustrative_notice']}", highlight=False)


def print_commune_reconciliation(reconciliation: dict | None, communes) -> None:
    """How the communes were made to tile the province: slivers given to communes, the largest receivers."""
    if not reconciliation:  # a build made before the reconciliation
        return
    if reconciliation["province_extent"] == "communes":
        out.print(f"{say('Ranh giới tỉnh lấy theo hợp các xã', 'Province taken as the union of its communes')}: "
                  f"{num(reconciliation['province_layer_ha'])} ha {say('theo lớp tỉnh', 'in the province layer')}", highlight=False)
    if not reconciliation["slivers"]:
        return
    names = dict(zip(communes["code"].astype(str), communes["name"]))
    largest = ", ".join(f"{names.get(code, code)} {num(ha)} ha" for code, ha in list(reconciliation["moved_ha_by_commune"].items())[:3])
    nearest = (f"; {reconciliation['nearest_slivers']} {say('mảnh không giáp xã nào, giao cho xã gần nhất', 'touching no commune, given to the nearest')} "
               f"({num(reconciliation['nearest_ha'])} ha)") if reconciliation["nearest_slivers"] else ""
    out.print(f"{say('Đối soát ranh giới xã', 'Communes reconciled')}: {reconciliation['slivers']} "
        f"{say('mảnh ngoài mọi xã', 'slivers outside every commune')}, "
              f"{num(reconciliation['moved_ha'])} ha, {say('giao cho xã có cạnh chung dài nhất', 'given to the commune sharing the longest edge')} "
              f"({say('nhiều nhất', 'most')}: {largest}){nearest}", highlight=False)


# ------------------------------------------------------------------------ catalogues


@app.command("layers")
@friendly
def layers_command() -> None:
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


@app.command("rules")
@friendly
def rules_command(
    rules: Annotated[Path | None, typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml.")] = None,
    province_rules: Annotated[Path | None, typer.Option("--province-rules", help="Province overlay to include.")] = None,
) -> None:
    """List the criteria in force with their zone, citation and status."""
    from zoning.law.criteria import load_rules

    ruleset = load_rules(rules, province_rules)
    english = LANG["console"] == "en"
    table = Table(title=f"{say('Tiêu chí', 'Criteria')} — {ruleset.id}", show_lines=True)
    for column in (say("Mã", "Id"), say("Vùng", "Zone"), say("Lớp", "Layer"), say("Tiêu chí", "Criterion"), say("Căn cứ", "Citation"),
                   say("Trạng thái", "Status")):
        table.add_column(column)
    for c in ruleset.criteria:
        where = ruleset.selection(c)
        layer = c.layer + (f"\n{where}" if where else "")
        colour = "green" if c.status == "confirmed" else "yellow"
        status = f"[{colour}]{say(*terms.pair('statuses_short', c.status))}[/]"
        status += f"\n[yellow]{say(*terms.pair('statuses_short', 'proposed'))}[/]" if c.designation == "proposed" else ""
        title, citation = (c.title_en, c.citation_en) if english else (f"{c.title_vi}\n{c.title_en}", f"{c.citation_vi}\n{c.citation_en}")
        table.add_row(c.id, c.zone, layer, title, citation, status + (f"\n{c.note}" if c.note else ""))
    out.print(table)
    mapping = ruleset.urban_classes
    classes = ", ".join(f"{k}→{v}" for k, v in mapping.zone.items())
    urban_status = terms.pair("statuses_short", mapping.status)
    urban_en = (f"Urban class → zone (field '{mapping.field}', {mapping.classification_en}, from {mapping.in_force_from}): "
                f"{classes}  [{mapping.citation_en}, {mapping.status}]")
    urban_vi = (f"Loại đô thị → vùng (trường '{mapping.field}', {mapping.classification_vi}, từ {mapping.in_force_from}): "
                f"{classes}  [{mapping.citation_vi}, {urban_status[0]}]")
    out.print(urban_en if english else f"{urban_vi}\n  {urban_en}", highlight=False, markup=False)
    if mapping.provisional_en:
        provisional = mapping.provisional_en if english else both(mapping.provisional_vi or mapping.provisional_en, mapping.provisional_en)
        out.print(f"[yellow]{say('Tạm thời', 'Provisional')}:[/] {provisional}", highlight=False)


# ----------------------------------------------------------------------------- check


@app.command()
@friendly
def check(
    sites: Annotated[
        Path | None,
        typer.Argument(
            help="Sites to check: a GeoPackage or KML/KMZ (every layer, or --layer), "
            "shapefile, zipped shapefile, GeoJSON, MapInfo TAB/MIF, DGN v7 (with --crs), or a CSV or Excel .xlsx table with "
            "lon/lat (or x/y with --crs, or a wkt column). Leave out with --point or --wkt.",
            show_default=False,
        ),
    ] = None,
    zoning_build: Annotated[Path, typer.Option("--zoning", "-z", help="The zoning build to check against (from `zoning build` or `zoning demo`).")] = ...,  # type: ignore[assignment]  # required
    layer: Annotated[str | None, typer.Option("--layer", help="Only this layer of a sites GeoPackage or KML.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The sheet of an Excel site list (default: the first).")] = None,
    project_type: Annotated[str | None, typer.Option("--type", "-t", help="Project type of sites that have no 'type' attribute (see `zoning types`).")] = None,
    exclusion: Annotated[
        str | None,
        typer.Option(
            "--exclusion",
            help="The ND08 Appendix II exclusion of their type that "
            "sites without an 'exclusion' attribute fall under, e.g. rolling_from_billets (see `zoning types`).",
        ),
    ] = None,
    include_proposed: Annotated[
        bool,
        typer.Option("--include-proposed", help="Let proposed designations (no legal boundary yet) decide findings and verdicts as if they were in force."),
    ] = False,
    capacity: Annotated[
        float | None,
        typer.Option(
            "--capacity",
            help="Capacity of sites that have no 'capacity' "
            "attribute, in the unit of their type (e.g. m³/day for a wastewater plant): it picks the class of a "
            "safety-distance table.",
        ),
    ] = None,
    out_paths: Annotated[
        list[Path] | None, typer.Option("--out", "-o", help="Results file: .gpkg, .geojson, .json, .csv (UTF-8 for Excel) or .xlsx (repeat for several).")
    ] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="Folder for one HTML report per site and an index.html.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="One site as lon,lat (e.g. 106.25,22.66), or x,y with --crs.")] = None,
    wkt: Annotated[str | None, typer.Option("--wkt", help="One site as WKT text (a point, line or polygon).")] = None,
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="CRS of coordinates that have none: EPSG:4326 (default for lon/lat), EPSG:9210, or tm3:105.75 for VN-2000 / TM-3."),
    ] = None,
    distance: DistanceOption = None,
    distances_file: DistancesFileOption = None,
    upstream: Annotated[
        bool,
        typer.Option(
            "--upstream", help="The facilities must sit upstream of a water source or upwind of the town (× 1.5 where QCVN 01:2021/BXD Table 2.22 says so)."
        ),
    ] = False,
    search_distance: Annotated[
        float | None, typer.Option("--search-distance", help="List zoning units within this many metres of a site (default 1000).")
    ] = None,
    tolerance: Annotated[
        list[str] | None,
        typer.Option(
            "--tolerance",
            help="Positional tolerance of the source data in "
            "metres: 25, or per layer kind residential_areas=10 (repeat). Results this close to a boundary are flagged "
            "borderline.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help=f"One table row per site even for more than {SUMMARY_ABOVE} sites (otherwise a summary).")
    ] = False,
    against: Annotated[
        Path | None,
        typer.Option("--against", help="An earlier build of the same province: check the sites against it too and flag every site whose verdict changes."),
    ] = None,
) -> None:
    """Check project sites and waste-treatment locations against a zoning build."""
    from zoning.builder.model import read_build
    from zoning.checker import PART_SITES, check_parts
    from zoning.checker import check as check_sites
    from zoning.law.project_types import load_check_rules
    from zoning.law.safety import load_user_distances, parse_distance_option
    from zoning.outputs.report import write_reports
    from zoning.outputs.results import check_output_path, write_csv_parts, write_results

    sources = (sites, zoning_build, distances_file)
    outputs = list(dict.fromkeys(check_output_path(path, sources) for path in out_paths or []))  # a file named twice is written once
    if report_dir is not None:
        check_output_folder(report_dir, sources)
    rules = load_check_rules()
    user = dict(load_user_distances(distances_file, rules.facilities)) if distances_file else {}
    user.update(parse_distance_option(text, rules.facilities) for text in distance or [])
    written = []
    options: dict[str, Any] = dict(layer=layer, sheet=sheet, crs=crs, point=point, wkt=wkt, type=project_type, capacity=capacity, exclusion=exclusion,
                   distances=user, upstream=upstream, search_distance=search_distance, tolerance=_tolerance_option(tolerance),
                   include_proposed=include_proposed, rules=rules)
    # CSV results alone are written part by part: a million sites in bounded memory
    in_parts = bool(outputs) and all(path.suffix.lower() == ".csv" for path in outputs) and report_dir is None and against is None and not verbose
    with progress_steps(say("Kiểm tra địa điểm", "Checking sites"), total=4 + 4 * (against is not None) + len(outputs) + (1 if report_dir else 0)) as advance:
        build = read_build(zoning_build)
        if in_parts:
            count, parts = check_parts(sites, build, progress=advance, **options)
            in_parts = count > PART_SITES
            if in_parts:
                for path in outputs:
                    advance(f"{say('ghi', 'writing')} {path.name}")
                result = write_csv_parts(parts, outputs)
                written.extend(outputs)
            else:  # one part: the whole result
                result = next(parts)
        else:
            result = check_sites(sites, build, progress=advance, **options)
        if against is not None:
            from zoning.compare import verdict_changes

            result = verdict_changes(result, check_sites(sites, read_build(against), progress=advance, **options))
        for path in () if in_parts else outputs:
            advance(f"{say('ghi', 'writing')} {path.name}")
            written.append(write_results(result, path))
        if report_dir is not None:
            advance(say("ghi báo cáo", "writing reports"))
            written.extend(write_reports(result, report_dir, build=build))
    if verbose or len(result.sites) <= SUMMARY_ABOVE:
        print_check_table(result)
    print_check_summary(result, written)


def _tolerance_option(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    out: dict[str, float] = {}
    example = ("ví dụ --tolerance 25 hoặc --tolerance residential_areas=10", "e.g. --tolerance 25 or --tolerance residential_areas=10")
    for text in values:
        key, _, value = text.rpartition("=")
        try:
            out[key.strip() or "default"] = float(value)
        except ValueError:
            raise ZoningError((f"--tolerance '{text}': không phải số mét", f"--tolerance '{text}': not a number of metres"), example) from None
        if not (math.isfinite(out[key.strip() or "default"]) and out[key.strip() or "default"] >= 0):
            raise ZoningError((f"--tolerance '{text}': phải là số mét không âm", f"--tolerance '{text}': must be a number of metres, zero or more"), example)
    return out


VERDICT_COLOURS = {"conflict": "red", "needs_review": "yellow", "no_data": "magenta", "no_conflict_found": "green", "outside_province": "blue"}


def _verdict_name(verdict: str) -> str:
    vi, en = terms.pair("verdicts", verdict)
    return say(vi, en)


def print_check_table(result) -> None:
    """One table row per site: zones, communes, verdict and the main findings."""
    lang = LANG["console"]
    table = Table(title=f"{say('Kiểm tra địa điểm', 'Site check')} — build {result.meta['build_id']}", show_lines=True)
    for column in (
        say("Địa điểm", "Site"),
        say("Loại hình", "Type"),
        say("Vùng / xã", "Zones / communes"),
        say("Kết luận", "Verdict"),
        say("Phát hiện (xung đột, cần xem xét)", "Findings (conflict and review)"),
    ):
        table.add_column(column)
    findings = result.findings[result.findings["severity"].isin(["conflict", "review", "no_data", "outside"])]
    title = "title_en" if lang == "en" else "title_vi"
    by_site = findings.groupby("site_id", sort=False)[title].agg(lambda t: "\n".join(dict.fromkeys(t)))
    zone_names = terms.labels("zones", lang)
    for _, site in result.sites.iterrows():
        verdict = site["verdict"]
        flags = (" ±" if site["borderline"] else "") + (f"\n{say('thiếu dữ liệu', 'no data')}: {site['no_data_layers']}" if site["no_data_layers"] else "")
        zones = ", ".join(zone_names.get(z, z) for z in str(site["zones_touched"]).split(",") if z)
        table.add_row(
            f"{site['site_id']}\n{site['name']}",
            site["type"] or "—",
            f"{zones}\n{site['commune_names']}",
            f"[{VERDICT_COLOURS[verdict]}]{_verdict_name(verdict)}[/]{flags}",
            by_site.get(site["site_id"], ""),
        )
    out.print(table)


def print_check_summary(result, written: list[Path]) -> None:
    """Counts by verdict, the sites in conflict (the first few), notes and the files written."""
    sites = result.sites
    counts = ", ".join(f"{_verdict_name(v)}: {num(n, 0)}" for v, n in result.meta["verdicts"].items() if n)
    out.print(
        f"{num(len(sites), 0)} {say('địa điểm', 'site(s)')} — {counts}.  {say('Quy tắc', 'Rules')}: {result.meta['ruleset']} + {result.meta['check_rules']}",
        highlight=False,
    )
    if len(sites) > SUMMARY_ABOVE:
        conflicts = sites.loc[sites["verdict"] == "conflict", ["site_id", "name"]]
        if len(conflicts):
            shown = conflicts.head(LISTED_CONFLICTS)
            listed = "; ".join(f"{i} {n}" for i, n in zip(shown["site_id"], shown["name"]))
            more = f" {say('và', 'and')} {num(len(conflicts) - len(shown), 0)} {say('địa điểm khác', 'more')}" if len(conflicts) > len(shown) else ""
            out.print(f"[red]{say('Xung đột', 'Conflicts')}:[/] {listed}{more}", highlight=False)
        out.print(say("Chi tiết từng địa điểm trong các tệp kết quả (hoặc --verbose)", "Per-site details are in the files written (or use --verbose)"))
    if "against" in result.meta:
        changed = result.sites[result.sites["verdict_changed"]]
        out.print(
            f"{say('Kết luận thay đổi so với', 'Verdicts changed against')} {result.meta['against']['build_id']}: {num(len(changed), 0)}", highlight=False
        )
        for site in changed.head(LISTED_CONFLICTS).itertuples():
            out.print(f"  {site.site_id} {site.name}: {_verdict_name(site.verdict_before)} → {_verdict_name(site.verdict)}", highlight=False)
    notes = result.meta["notes"]
    for note in notes[:LISTED_CONFLICTS]:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)
    if len(notes) > LISTED_CONFLICTS:
        out.print(
            f"[yellow]{say('Ghi chú', 'Note')}:[/] … {num(len(notes) - LISTED_CONFLICTS, 0)} "
            f"{say('ghi chú khác trong tệp kết quả', 'more notes in the results')}"
        )
    print_notices(result.meta.get("law_notices_vi", []), result.meta.get("law_notices_en", []))
    if result.meta["illustrative_notice"]:
        out.print(f"[yellow]{say('Dữ liệu minh họa', 'Illustrative data')}:[/] {result.meta['illustrative_notice']}", highlight=False)
    for path in written[:LISTED_CONFLICTS] if len(written) > LISTED_CONFLICTS + 1 else written:
        out.print(f"  {say('đã ghi', 'written')}: {path}", highlight=False)
    if len(written) > LISTED_CONFLICTS + 1:
        out.print(
            f"  … {say('và', 'and')} {len(written) - LISTED_CONFLICTS} {say('tệp khác', 'more files')}; {say('mục lục', 'index')}: {written[-1]}",
            highlight=False,
        )


@app.command("types")
@friendly
def types_command() -> None:
    """List the project types: codes, ND08 Appendix II listing and safety distances."""
    from zoning.law.project_types import load_check_rules, type_catalogue

    rules = load_check_rules()
    lang = LANG["console"]
    table = Table(title=f"{say('Loại hình dự án', 'Project types')} — {rules.id}", show_lines=True)
    for column in (say("Mã", "Code"), say("Tên", "Name"), say("Phụ lục II NĐ 08", "ND08 Appendix II"), say("Khoảng cách an toàn", "Safety distances")):
        table.add_column(column)
    listed = {
        "listed": say("có trong danh mục", "on the list"),
        "not_listed": say("không có trong danh mục", "not on the list"),
        "unknown": say("chưa xác định", "not known"),
    }
    for _, row in type_catalogue(rules).iterrows():
        thresholds = []
        if _given(row["large_min"]):
            thresholds.append(f"{terms.label('capacity_classes', 'large', lang)} ≥ {num(row['large_min'], 0)} {row['risk_unit']}")
        if _given(row["small_below"]):
            thresholds.append(f"{terms.label('capacity_classes', 'small', lang)} < {num(row['small_below'], 0)} {row['risk_unit']}")
        colour = "green" if row["risk_status"] == "confirmed" else "yellow"
        status = f"[{colour}]{say(*terms.pair('statuses_short', row['risk_status']))}[/]"
        risk = (
            listed[row["pollution_risk"]]
            + (f", {say('dòng', 'row')} {row['risk_row']}" if row["risk_row"] else "")
            + (f"\n{'; '.join(thresholds)}" if thresholds else "")
            + f"\n{status}"
            + (f"\n{row['risk_note']}" if row["risk_note"] else "")
        )
        risk += f"\n{say('trường hợp loại trừ', 'exclusions')} (--exclusion): {row['exclusions']}" if row["exclusions"] else ""
        name = row["type_name_en"] if lang == "en" else f"{row['type_name_vi']}\n{row['type_name_en']}"
        table.add_row(row["type"], name, risk, row["safety_distances"].replace("; ", "\n"))
    out.print(table)
    out.print(
        f"{say('Khoảng cách an toàn', 'Safety distances')}: {rules.facilities.path.name}; "
        + say("nhập các giá trị chưa xác nhận bằng", "give unconfirmed ones with")
        + " `zoning check --distance TYPE=METRES`."
    )


def _given(value) -> bool:
    """Not None and not NaN."""
    return value is not None and value == value


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
        str | None, typer.Option("--province-name", help='Province name in the headers, e.g. "Cao Bằng". Default: the province of the build.')
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
    from zoning.outputs.annex import CoordinatePolicy, default_scale, parse_scale, write_annex
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


# ------------------------------------------------------------------------------- map


@app.command("map")
@friendly
def map_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    sites: Annotated[
        Path | None,
        typer.Option("--sites", help="Site-check results (from `zoning check --out results.gpkg`, .geojson, .json or .csv) to show, coloured by verdict."),
    ] = None,
    candidates: Annotated[
        Path | None,
        typer.Option(
            "--candidates",
            help="Candidate areas (the GeoPackage from `zoning "
            "siting --out`) to show with their rank, score, area and distances; the land left out can be switched on by "
            "reason.",
        ),
    ] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write (one file; replaced atomically if it exists).")] = Path("map.html"),
    offline: Annotated[
        bool, typer.Option("--offline", help="No basemap tiles: the file then opens with no network at all (zones and communes on a plain background).")
    ] = False,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the legend, popups and tools: vi (Vietnamese) or en (English).")] = Language.vi,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance", help="How much boundaries are simplified for display, in metres (the build keeps the exact geometry). 0 keeps every vertex."
        ),
    ] = 5.0,
    against: Annotated[
        Path | None, typer.Option("--against", help="An earlier build of the same province: show the land that changed zone since then, with why it moved.")
    ] = None,
) -> None:
    """Write an interactive map of a build (zones, units, communes, checked sites, candidate areas) as one HTML file
    that opens in any browser, with or without internet.
    """
    from zoning.outputs.map import MAP_SUFFIXES, write_map

    check_output(out_path, (build_path, sites, candidates, against), suffixes=MAP_SUFFIXES)
    with progress_steps(say("Bản đồ", "Map"), total=3 + (against is not None)) as advance:
        result = write_map(
            build_path, out_path, sites, lang=lang.value, offline=offline, tolerance_m=tolerance, progress=advance, candidates=candidates, against=against
        )
    counts = result.counts
    basemap = (
        say("không có nền, dùng không cần mạng", "offline, no basemap")
        if offline
        else say("nền OpenStreetMap khi có mạng", "OpenStreetMap basemap when online")
    )
    out.print(f"{say('Bản đồ', 'Map')}: {result.path} ({num(result.size_bytes / 1e6, 1)} MB; {basemap})", highlight=False)
    out.print(
        f"{say('Vùng', 'Zones')} {counts['zones']} · {say('khu vực', 'units')} {counts['units']} · {say('xã', 'communes')} {counts['communes']} · "
        f"{say('địa điểm', 'sites')} {counts['sites']} · {say('khu vực ứng viên', 'candidate areas')} {counts['candidates']}"
        + (f" · {say('phần thay đổi vùng', 'changed pieces')} {counts['transitions']}" if against is not None else ""),
        highlight=False,
    )


# ------------------------------------------------------------------------------ raster and siting


@app.command("raster")
@friendly
def raster_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    resolution: Annotated[float, typer.Option("--resolution", "-r", help="Cell size in metres (the grid's corners fall on whole multiples of it).")] = 10.0,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The GeoTIFF to write (replaced atomically if it exists).")] = Path("zones.tif"),
) -> None:
    """Write the zones as a GeoTIFF: 1 strict, 2 emission-limited, 3 other, 0 outside the province;
    compressed, tiled, with a colour table that GIS software shows as is.
    """
    from zoning.outputs.raster import RASTER_SUFFIXES, write_raster

    check_output(out_path, (build_path,), suffixes=RASTER_SUFFIXES)
    with progress_steps("Raster", total=3) as advance:
        result = write_raster(build_path, out_path, resolution, progress=advance)
    grid = result.grid
    out.print(
        f"Raster: {result.path} ({num(grid.width, 0)} × {num(grid.height, 0)} {say('ô', 'cells of')} {grid.resolution:g} m; {result.crs.name}; "
        f"build {result.build_id}; {num(result.seconds, 1)} s)",
        highlight=False,
    )
    table = Table(
        say("Vùng", "Zone"),
        say("Raster ha", "Raster ha"),
        say("Vector ha", "Vector ha"),
        say("Chênh lệch ha", "Difference ha"),
        say("Giới hạn sai số ha", "Bound ha"),
    )
    for zone in result.cells:
        diff = result.raster_ha[zone] - result.vector_ha[zone]
        table.add_row(
            terms.label("zones", zone, LANG["console"]),
            num(result.raster_ha[zone]),
            num(result.vector_ha[zone]),
            ("+" if diff >= 0 else "") + num(diff),
            num(result.bound_ha[zone], 1),
        )
    out.print(table)


@app.command("siting")
@friendly
def siting_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    facility: Annotated[
        str, typer.Option("--facility", "-f", help="Facility type, e.g. sanitary_landfill, incinerator, hazardous_waste (see `zoning types`).")
    ] = ...,  # type: ignore[assignment]  # required
    min_area: Annotated[float, typer.Option("--min-area", help="Smallest candidate area in hectares.")] = 5.0,
    communes: Annotated[str | None, typer.Option("--communes", help="Only these communes: 2025 codes separated by commas, e.g. 01558,01795,01318.")] = None,
    dem: Annotated[Path | None, typer.Option("--dem", help="An elevation raster (GeoTIFF, any CRS); only the study area is read.")] = None,
    max_slope: Annotated[float | None, typer.Option("--max-slope", help="Leave out land steeper than this many degrees (needs --dem).")] = None,
    distance: DistanceOption = None,
    distances_file: DistancesFileOption = None,
    capacity: Annotated[float | None, typer.Option("--capacity", help="Capacity in the facility's unit (picks the class of a distance table).")] = None,
    upstream: Annotated[
        bool, typer.Option("--upstream", help="The facility must sit upstream of a water source or upwind of the town (× 1.5 where the table says so).")
    ] = False,
    zones: Annotated[
        str | None, typer.Option("--zones", help="Zones to search, replacing the rule file's policy: e.g. other or emission_limited,other.")
    ] = None,
    include_proposed: Annotated[
        bool,
        typer.Option(
            "--include-proposed", help="Also leave out proposed designations (no legal boundary yet) of the zones not searched, as if they were in force."
        ),
    ] = False,
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="The GeoPackage to write: candidates, exclusions (with reasons), study_area, siting_info.")
    ] = Path("candidates.gpkg"),
) -> None:
    """Find candidate areas for a new waste-treatment facility: allowed zones, away from homes and
    water sources, not too steep, large enough; ranked by a stated score.
    """
    from zoning.law.safety import load_facilities, load_user_distances, parse_distance_option
    from zoning.outputs.candidates import CANDIDATE_SUFFIXES, write_candidates
    from zoning.siting import find_sites

    check_output(out_path, (build_path, dem, distances_file), suffixes=CANDIDATE_SUFFIXES)
    catalogue = load_facilities()
    user = dict(load_user_distances(distances_file, catalogue)) if distances_file else {}
    user.update(parse_distance_option(text, catalogue) for text in distance or [])
    with progress_steps(say("Tìm địa điểm", "Siting"), total=7) as advance:
        result = find_sites(
            build_path,
            facility,
            min_area_ha=min_area,
            communes=split_list(communes),
            dem=dem,
            max_slope=max_slope,
            user_distances=user,
            capacity=capacity,
            upstream=upstream,
            zones=split_list(zones),
            catalogue=catalogue,
            include_proposed=include_proposed,
            progress=advance,
        )
        advance(say("ghi", "writing"))
        path = write_candidates(result, out_path)
    info = result.info
    facility = info["facility_name_en"] if LANG["console"] == "en" else f"{info['facility_name_vi']} / {info['facility_name_en']}"
    out.print(
        f"{say('Khu vực ứng viên cho', 'Candidates for')} {facility}: {len(result.candidates)} {say('khu', 'area(s)')}, "
        f"{num(info['candidate_area_ha'], 1)} ha → {path}",
        highlight=False,
    )
    table = Table(
        say("Hạng", "Rank"),
        say("Diện tích ha", "Area ha"),
        say("Xã", "Communes"),
        say("Đến dân cư m", "To residential m"),
        say("Đến nguồn nước m", "To water m"),
        say("Độ dốc °", "Slope °"),
        say("Điểm", "Score"),
    )
    for row in result.candidates.head(20).itertuples():
        slope = getattr(row, "mean_slope_deg", float("nan"))
        table.add_row(
            str(row.rank), num(row.area_ha, 1), row.commune_names, num(row.dist_residential_m, 0), num(row.dist_water_m, 0), num(slope, 1), num(row.score, 3)
        )
    out.print(table)
    excl = Table(say("Đất loại trừ", "Land left out"), "ha", say("Trạng thái", "Status"))
    reason = "reason_en" if LANG["console"] == "en" or "reason_vi" not in result.exclusions else "reason_vi"
    for row in result.exclusions.itertuples():
        excl.add_row(getattr(row, reason), num(row.area_ha, 1), say(*terms.pair("statuses_short", row.status)))
    out.print(excl)
    out.print(f"{say('Điểm số', 'Score')}: {info['score_formula']}", highlight=False)
    for note in result.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)


# ----------------------------------------------------------------------------- serve


@app.command()
@friendly
def serve(
    builds: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Build files to serve (from `zoning build` or `zoning demo`); the Cao Bằng demo, built in memory, when left out.", show_default=False
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on. Anything but this computer (127.0.0.1, ::1, localhost) needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None, typer.Option("--token", help="Access token every request must carry (?token=… in the address, or an Authorization: Bearer header).")
    ] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.001, help="Largest file a planner may upload, in MB.")] = 50.0,
    offline: Annotated[bool, typer.Option("--offline", help="No basemap tiles: the page then needs no network at all.")] = False,
) -> None:
    """Start the local web application: check a site in the browser (click, draw, type coordinates,
    paste a marker table, upload a file), in Vietnamese with English; HTTP API at /docs.
    """
    from zoning.web.app import create_app, loopback

    if not loopback(host) and not token:
        raise ZoningError(
            (
                f"Không mở máy chủ trên địa chỉ {host} khi không có --token: mọi máy trong mạng sẽ dùng được nó.",
                f"Refusing to listen on {host} without --token: anyone on the network could use it.",
            ),
            ("thêm --token MÃ-BÍ-MẬT, hoặc để --host 127.0.0.1 (chỉ máy này)", "add --token SECRET, or keep --host 127.0.0.1 (this computer only)"),
        )
    import uvicorn

    with progress_steps("Starting the web application") as advance:
        if builds:
            sources: list[Path | Build] = list(builds)
        else:
            from zoning.builder import build as build_zones
            from zoning.demo import demo_paths

            demo = demo_paths()
            sources = [build_zones(demo.layers, province_rules=demo.province_rules, progress=advance)]
        application = create_app(sources, token=token, max_upload_mb=max_upload_mb, offline=offline, progress=advance)
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/" + (f"?token={token}" if token else "")
    out.print(f"Mở trong trình duyệt / Open in a browser: [bold]{address}[/]  (Ctrl+C để dừng / to stop)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


# ------------------------------------------------------------------------------ demo


@app.command()
@friendly
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for the demo outputs.")] = Path("demo-output"),
) -> None:
    """Run the whole job on the embedded Cao Bằng demo (works offline)."""
    from zoning.demo import demo_paths, run_demo

    shipped = demo_paths()
    check_output_folder(out_dir, (shipped.layers.parent, shipped.province_rules.parent), option="--out-dir")
    with progress_steps(say("Ví dụ Cao Bằng", "Cao Bằng demo")) as advance:
        results = run_demo(out_dir, progress=advance)
    print_build_summary(results.build)
    for label, path in results.outputs.items():
        out.print(f"  {label}: {path}")
    for note in results.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)


def main() -> None:
    """Entry point of the `zoning` command."""
    app()


if __name__ == "__main__":
    main()
