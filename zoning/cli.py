"""The `zoning` command line: a thin layer over the library.

Every user mistake ends with a message that says what to fix and exit code 2, never a
traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
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
PIPE_WIDTH = 160  # tables piped to a file are not cut at 80 columns
console = Console(stderr=True, width=None if sys.stderr.isatty() else PIPE_WIDTH)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
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
    from zoning.builder import build as build_zones

    with progress_steps("Building zones", total=10) as advance:
        result = build_zones(layers, rules, province_rules, central_meridian=central_meridian, legacy_encoding=legacy_encoding, progress=advance)
        advance("writing")
        result.write(out_path)
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
    from zoning.inputs.catalogue import load_catalogue

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
    from zoning.law.criteria import load_rules

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


# ----------------------------------------------------------------------------- check


@app.command()
@friendly
def check(
    sites: Annotated[Optional[Path], typer.Argument(help="Sites to check: a GeoPackage (every layer, or --layer), shapefile, zipped shapefile, GeoJSON, or a CSV with lon/lat (or x/y with --crs, or a wkt column). Leave out with --point or --wkt.", show_default=False)] = None,
    zoning_build: Annotated[Path, typer.Option("--zoning", "-z", help="The zoning build to check against (from `zoning build` or `zoning demo`).")] = ...,
    layer: Annotated[Optional[str], typer.Option("--layer", help="Only this layer of a sites GeoPackage.")] = None,
    project_type: Annotated[Optional[str], typer.Option("--type", "-t", help="Project type of sites that have no 'type' attribute (see `zoning types`).")] = None,
    out_paths: Annotated[Optional[list[Path]], typer.Option("--out", "-o", help="Results file: .gpkg, .geojson, .json or .csv (repeat for several).")] = None,
    report_dir: Annotated[Optional[Path], typer.Option("--report", help="Folder for one HTML report per site and an index.html.")] = None,
    point: Annotated[Optional[str], typer.Option("--point", help="One site as lon,lat (e.g. 106.25,22.66), or x,y with --crs.")] = None,
    wkt: Annotated[Optional[str], typer.Option("--wkt", help="One site as WKT text (a point, line or polygon).")] = None,
    crs: Annotated[Optional[str], typer.Option("--crs", help="CRS of coordinates that have none: EPSG:4326 (default for lon/lat), EPSG:9210, or tm3:105.75 for VN-2000 / TM-3.")] = None,
    distance: Annotated[Optional[list[str]], typer.Option("--distance", "-d", help="A safety distance in metres where the rules have no confirmed value: sanitary_landfill=1000, sanitary_landfill:water_intake=2000, or a bare 1000 for every unknown one (repeat).")] = None,
    distances_file: Annotated[Optional[Path], typer.Option("--distances", help="A province file of safety distances (YAML: id, version, distances: [{facility, receptor, distance_m, citation_vi, citation_en}]).")] = None,
    upstream: Annotated[bool, typer.Option("--upstream", help="The facilities must sit upstream of a water source or upwind of the town (× 1.5 where QCVN 01:2021/BXD Table 2.22 says so).")] = False,
    search_distance: Annotated[Optional[float], typer.Option("--search-distance", help="List zoning units within this many metres of a site (default 1000).")] = None,
    tolerance: Annotated[Optional[list[str]], typer.Option("--tolerance", help="Positional tolerance of the source data in metres: 25, or per layer kind residential_areas=10 (repeat). Results this close to a boundary are flagged borderline.")] = None,
    against: Annotated[Optional[Path], typer.Option("--against", help="An earlier build of the same province: check the sites against it too and flag every site whose verdict changes.")] = None,
) -> None:
    """Check project sites and waste-treatment locations against a zoning build."""
    from zoning.checker import check as check_sites
    from zoning.law.project_types import load_check_rules
    from zoning.outputs.report import write_reports
    from zoning.builder.model import read_build
    from zoning.outputs.results import check_output_path, write_results
    from zoning.law.safety import load_user_distances, parse_distance_option

    rules = load_check_rules()
    user = dict(load_user_distances(distances_file, rules.facilities)) if distances_file else {}
    user.update(parse_distance_option(text, rules.facilities) for text in distance or [])
    outputs = [check_output_path(path) for path in out_paths or []]
    written = []
    options = dict(layer=layer, crs=crs, point=point, wkt=wkt, type=project_type, distances=user, upstream=upstream,
                   search_distance=search_distance, tolerance=_tolerance_option(tolerance), rules=rules)
    with progress_steps("Checking sites", total=4 + 4 * (against is not None) + len(outputs) + (1 if report_dir else 0)) as advance:
        build = read_build(zoning_build)
        result = check_sites(sites, build, progress=advance, **options)
        if against is not None:
            from zoning.compare import verdict_changes

            result = verdict_changes(result, check_sites(sites, read_build(against), progress=advance, **options))
        for path in outputs:
            advance(f"writing {path.name}")
            written.append(write_results(result, path))
        if report_dir is not None:
            advance("writing reports")
            written.extend(write_reports(result, report_dir, build=build))
    print_check_summary(result, written)


def _tolerance_option(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    out: dict[str, float] = {}
    for text in values:
        key, _, value = text.rpartition("=")
        try:
            out[key.strip() or "default"] = float(value)
        except ValueError:
            raise ZoningError(f"--tolerance '{text}': not a number of metres", "e.g. --tolerance 25 or --tolerance residential_areas=10") from None
    return out


def print_check_summary(result, written: list[Path]) -> None:
    """One line per site: zones, communes, verdict and the main findings; then notices."""
    from zoning import terms

    colours = {"conflict": "red", "needs_review": "yellow", "no_data": "magenta", "no_conflict_found": "green", "outside_province": "blue"}
    table = Table(title=f"Site check / Kiểm tra địa điểm — build {result.meta['build_id']}", show_lines=True)
    for column in ("Site", "Type", "Zones / communes", "Verdict", "Findings (conflict and review)"):
        table.add_column(column)
    findings = result.findings[result.findings["severity"].isin(["conflict", "review", "no_data", "outside"])]
    by_site = findings.groupby("site_id", sort=False)["title_en"].agg(lambda t: "\n".join(dict.fromkeys(t)))
    for _, site in result.sites.iterrows():
        verdict = site["verdict"]
        flags = (" ±" if site["borderline"] else "") + (f"\nno data: {site['no_data_layers']}" if site["no_data_layers"] else "")
        table.add_row(
            f"{site['site_id']}\n{site['name']}", site["type"] or "—", f"{site['zones_touched']}\n{site['commune_names']}",
            f"[{colours[verdict]}]{terms.label('verdicts', verdict, 'en')}[/]{flags}", by_site.get(site["site_id"], ""),
        )
    out.print(table)
    counts = ", ".join(f"{terms.label('verdicts', v, 'en').lower()}: {n}" for v, n in result.meta["verdicts"].items() if n)
    out.print(f"{len(result.sites)} site(s) — {counts}.  Rules: {result.meta['ruleset']} + {result.meta['check_rules']}")
    if "against" in result.meta:
        changed = result.sites[result.sites["verdict_changed"]]
        out.print(f"Kết luận thay đổi / verdicts changed against build {result.meta['against']['build_id']}: {len(changed)}", highlight=False)
        for site in changed.itertuples():
            out.print(f"  {site.site_id} {site.name}: {terms.label('verdicts', site.verdict_before, 'en')} → {terms.label('verdicts', site.verdict, 'en')}", highlight=False)
    for note in result.meta["notes"]:
        out.print(f"[yellow]Note / Ghi chú:[/] {note}", highlight=False)
    if result.meta["illustrative_notice"]:
        out.print(f"[yellow]Illustrative data:[/] {result.meta['illustrative_notice']}")
    for path in written:
        out.print(f"  written: {path}")


@app.command("types")
@friendly
def types_command() -> None:
    """List the project types: codes, ND08 Appendix II listing and safety distances."""
    from zoning.law.project_types import load_check_rules, type_catalogue

    rules = load_check_rules()
    table = Table(title=f"Project types / Loại hình dự án — {rules.id}", show_lines=True)
    for column in ("Code", "Name", "ND08 Appendix II", "Safety distances (ATMT)"):
        table.add_column(column)
    for _, row in type_catalogue(rules).iterrows():
        listed = {"listed": "on the list", "not_listed": "not on the list", "unknown": "not known"}[row["pollution_risk"]]
        thresholds = []
        if _given(row["large_min"]):
            thresholds.append(f"large ≥ {row['large_min']:,.0f} {row['risk_unit']}")
        if _given(row["small_below"]):
            thresholds.append(f"small < {row['small_below']:,.0f} {row['risk_unit']}")
        status = "[green]confirmed[/]" if row["risk_status"] == "confirmed" else "[yellow]unconfirmed[/]"
        risk = f"{listed}" + (f", row {row['risk_row']}" if row["risk_row"] else "") + (f"\n{'; '.join(thresholds)}" if thresholds else "") + f"\n{status}" + (f"\n{row['risk_note']}" if row["risk_note"] else "")
        table.add_row(row["type"], f"{row['type_name_vi']}\n{row['type_name_en']}", risk, row["safety_distances"].replace("; ", "\n"))
    out.print(table)
    out.print(f"Safety distances: {rules.facilities.path.name}; give unconfirmed ones with `zoning check --distance TYPE=METRES`.")


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
    decision: Annotated[Optional[str], typer.Option("--decision", help='Number and date of the decision, e.g. "số 12/QĐ-UBND ngày 15/3/2027". Left blank to fill in by default.')] = None,
    province_name: Annotated[Optional[str], typer.Option("--province-name", help='Province name in the headers, e.g. "Cao Bằng". Default: the province of the build.')] = None,
    max_vertices: Annotated[int, typer.Option("--max-vertices", help="Most points listed per boundary ring in the coordinate tables; longer rings are simplified (the tolerance is printed with each table).")] = 200,
) -> None:
    """Write the annexes of the provincial decision on the zones' location and boundaries (ND08 Art. 23(3)):
    the units of each zone, areas per commune, boundary coordinates and a map."""
    from zoning.outputs.annex import write_annex

    with progress_steps("Decision annexes", total=5 + pdf + xlsx) as advance:
        result = write_annex(build_path, out_path, pdf=pdf, xlsx=xlsx, decision=decision, province_name=province_name,
                             max_vertices=max_vertices, progress=advance)
    print_annex_summary(result)


def print_annex_summary(result) -> None:
    """Files written, their size, and the honesty notices of an annex."""
    for label, path in (("Word", result.docx), ("Excel", result.xlsx), ("PDF", result.pdf)):
        if path is not None:
            pages = f", {result.pages} pages" if label == "PDF" and result.pages else ""
            out.print(f"{label}: {path} ({path.stat().st_size / 1024:,.0f} KB{pages})", highlight=False)
    for notice in result.notices:
        out.print(f"[yellow]Lưu ý / Notice:[/] {notice}", highlight=False)


# ------------------------------------------------------------------------------ diff


@app.command("diff")
@friendly
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier build GeoPackage (e.g. the draft plan's).")],
    new: Annotated[Path, typer.Argument(help="The later build GeoPackage of the same province.")],
    out_path: Annotated[Optional[Path], typer.Option("--out", "-o", help="GeoPackage to write: the changed pieces (layer transitions) with why they moved, the transition table, reasons, rule and input changes, areas by commune.")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="HTML report to write (Vietnamese first, English beside).")] = None,
    min_area: Annotated[float, typer.Option("--min-area", min=0, help="Pieces smaller than this many hectares are slivers of re-digitising, not changes.")] = 0.01,
    min_width: Annotated[float, typer.Option("--min-width", min=0, help="Pieces thinner than this many metres everywhere are slivers, not changes.")] = 1.0,
) -> None:
    """Compare two zonings of the same province: what moved between the zones, where, and why."""
    from zoning.compare import diff
    from zoning.outputs.diff_report import write_diff_report

    written = []
    with progress_steps("Comparing zonings", total=4 + (out_path is not None) + (report is not None)) as advance:
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
        cells = [f"[bold]{v:,.2f}[/]" if zone != other and v > 0 else f"{v:,.2f}" for other, v in matrix.loc[zone].items()]
        table.add_row(f"{terms.label('zones', zone)} / {terms.label('zones', zone, 'en')}", *cells)
    out.print(table)
    threshold = meta["threshold"]
    out.print(f"Chuyển vùng / changed: {meta['changed_ha']:,.2f} ha in {meta['changed_pieces']} piece(s) · "
              f"bỏ qua / set aside as noise (< {threshold['min_area_ha']:g} ha or < {threshold['min_width_m']:g} m wide): "
              f"{meta['noise_ha']:,.4f} ha in {meta['noise_pieces']} piece(s)", highlight=False)
    for note in meta["notes"]:
        out.print("[yellow]Ghi chú / Note:[/] " + escape(note), highlight=False)
    for row in result.rule_changes.itertuples():
        moved = f" — {row.moved_ha:,.2f} ha" if row.kind == "criterion" else ""
        out.print(f"Quy tắc / Rule: {row.detail_vi}{moved}\n    {row.detail_en}", highlight=False, markup=False)
    inputs = result.input_changes
    if len(inputs):
        counts = inputs.groupby(["layer", "change"]).size()
        out.print("Dữ liệu đầu vào / Inputs: " + "; ".join(f"{layer} {terms.label('changes', change, 'en')} {n}" for (layer, change), n in counts.items()), highlight=False, markup=False)
    for row in result.communes.head(5).itertuples():
        out.print(f"  {row.commune_name} {row.commune_code}: {row.moved_ha:,.2f} ha", highlight=False, markup=False)
    for path in written:
        out.print(f"  written: {path}")


# ------------------------------------------------------------------------------- map


class MapLanguage(str, Enum):
    vi = "vi"
    en = "en"


@app.command("map")
@friendly
def map_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    sites: Annotated[Optional[Path], typer.Option("--sites", help="Site-check results (from `zoning check --out results.gpkg` or .geojson) to show, coloured by verdict.")] = None,
    candidates: Annotated[Optional[Path], typer.Option("--candidates", help="Candidate areas (the GeoPackage from `zoning siting --out`) to show with their rank, score, area and distances; the land left out can be switched on by reason.")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write (one file; replaced atomically if it exists).")] = Path("map.html"),
    offline: Annotated[bool, typer.Option("--offline", help="No basemap tiles: the file then opens with no network at all (zones and communes on a plain background).")] = False,
    lang: Annotated[MapLanguage, typer.Option("--lang", help="Language of the legend, popups and tools: vi (Vietnamese) or en (English).")] = MapLanguage.vi,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0, help="How much boundaries are simplified for display, in metres (the build keeps the exact geometry). 0 keeps every vertex.")] = 5.0,
    against: Annotated[Optional[Path], typer.Option("--against", help="An earlier build of the same province: show the land that changed zone since then, with why it moved.")] = None,
) -> None:
    """Write an interactive map of a build (zones, units, communes, checked sites, candidate areas) as one HTML file
    that opens in any browser, with or without internet."""
    from zoning.outputs.map import write_map

    with progress_steps("Map", total=3 + (against is not None)) as advance:
        result = write_map(build_path, out_path, sites, lang=lang.value, offline=offline, tolerance_m=tolerance, progress=advance,
                           candidates=candidates, against=against)
    counts = result.counts
    out.print(f"Map: {result.path} ({result.size_bytes / 1e6:,.1f} MB; {'offline, no basemap' if offline else 'OpenStreetMap basemap when online'})", highlight=False)
    out.print(f"Zones {counts['zones']} · units {counts['units']} · communes {counts['communes']} · sites {counts['sites']} · candidate areas {counts['candidates']}"
              + (f" · changed pieces {counts['transitions']}" if against is not None else ""), highlight=False)


# ------------------------------------------------------------------------------ raster and siting


@app.command("raster")
@friendly
def raster_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    resolution: Annotated[float, typer.Option("--resolution", "-r", min=0.01, help="Cell size in metres (the grid's corners fall on whole multiples of it).")] = 10.0,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The GeoTIFF to write (replaced atomically if it exists).")] = Path("zones.tif"),
) -> None:
    """Write the zones as a GeoTIFF: 1 strict, 2 emission-limited, 3 other, 0 outside the province;
    compressed, tiled, with a colour table that GIS software shows as is."""
    from zoning.outputs.raster import write_raster

    with progress_steps("Raster", total=3) as advance:
        result = write_raster(build_path, out_path, resolution, progress=advance)
    grid = result.grid
    out.print(f"Raster: {result.path} ({grid.width:,} × {grid.height:,} cells of {grid.resolution:g} m; {result.crs.name}; build {result.build_id}; {result.seconds:.1f} s)", highlight=False)
    table = Table("Zone", "Raster ha", "Vector ha", "Difference ha", "Bound ha")
    for zone in result.cells:
        diff = result.raster_ha[zone] - result.vector_ha[zone]
        table.add_row(zone, f"{result.raster_ha[zone]:,.2f}", f"{result.vector_ha[zone]:,.2f}", f"{diff:+,.2f}", f"{result.bound_ha[zone]:,.1f}")
    out.print(table)


@app.command("siting")
@friendly
def siting_command(
    build_path: Annotated[Path, typer.Argument(help="The build GeoPackage (from `zoning build` or `zoning demo`).")],
    facility: Annotated[str, typer.Option("--facility", "-f", help="Facility type, e.g. sanitary_landfill, incinerator, hazardous_waste (see `zoning types`).")] = ...,
    min_area: Annotated[float, typer.Option("--min-area", help="Smallest candidate area in hectares.")] = 5.0,
    communes: Annotated[Optional[str], typer.Option("--communes", help="Only these communes: 2025 codes separated by commas, e.g. 01558,01795,01318.")] = None,
    dem: Annotated[Optional[Path], typer.Option("--dem", help="An elevation raster (GeoTIFF, any CRS); only the study area is read.")] = None,
    max_slope: Annotated[Optional[float], typer.Option("--max-slope", help="Leave out land steeper than this many degrees (needs --dem).")] = None,
    distance: Annotated[Optional[list[str]], typer.Option("--distance", "-d", help="A safety distance in metres where the rules have no confirmed value: sanitary_landfill=1000, sanitary_landfill:water_intake=2000, or a bare 1000 for every unknown one (repeat).")] = None,
    distances_file: Annotated[Optional[Path], typer.Option("--distances", help="A province file of safety distances (YAML: id, version, distances: [{facility, receptor, distance_m, citation_vi, citation_en}]).")] = None,
    capacity: Annotated[Optional[float], typer.Option("--capacity", help="Capacity in the facility's unit (picks the class of a distance table).")] = None,
    upstream: Annotated[bool, typer.Option("--upstream", help="The facility must sit upstream of a water source or upwind of the town (× 1.5 where the table says so).")] = False,
    zones: Annotated[Optional[str], typer.Option("--zones", help="Zones to search, replacing the rule file's policy: e.g. other or emission_limited,other.")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The GeoPackage to write: candidates, exclusions (with reasons), study_area, siting_info.")] = Path("candidates.gpkg"),
) -> None:
    """Find candidate areas for a new waste-treatment facility: allowed zones, away from homes and
    water sources, not too steep, large enough; ranked by a stated score."""
    from zoning.law.safety import load_facilities, load_user_distances, parse_distance_option
    from zoning.siting import find_sites, split_list

    catalogue = load_facilities()
    user = dict(load_user_distances(distances_file, catalogue)) if distances_file else {}
    user.update(parse_distance_option(text, catalogue) for text in distance or [])
    with progress_steps("Siting", total=7) as advance:
        result = find_sites(
            build_path, facility, min_area_ha=min_area, communes=split_list(communes), dem=dem, max_slope=max_slope,
            user_distances=user, capacity=capacity, upstream=upstream, zones=split_list(zones), out=out_path,
            catalogue=catalogue, progress=advance,
        )
    info = result.info
    out.print(f"Candidates for {info['facility_name_en']} / {info['facility_name_vi']}: {len(result.candidates)} area(s), {info['candidate_area_ha']:,.1f} ha → {result.path}", highlight=False)
    table = Table("Rank", "Area ha", "Communes", "To residential m", "To water m", "Slope °", "Score")
    for row in result.candidates.head(20).itertuples():
        slope = getattr(row, "mean_slope_deg", float("nan"))
        table.add_row(str(row.rank), f"{row.area_ha:,.1f}", row.commune_names, f"{row.dist_residential_m:,.0f}", f"{row.dist_water_m:,.0f}", "" if slope != slope else f"{slope:.1f}", f"{row.score:.3f}")
    out.print(table)
    excl = Table("Land left out", "ha", "Status")
    for row in result.exclusions.itertuples():
        excl.add_row(row.reason_en, f"{row.area_ha:,.1f}", row.status)
    out.print(excl)
    out.print(f"Score: {info['score_formula']}", highlight=False)
    for note in result.notes:
        out.print(f"[yellow]Note:[/] {note}", highlight=False)


# ------------------------------------------------------------------------------ demo


@app.command()
@friendly
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for the demo outputs.")] = Path("demo-output"),
) -> None:
    """Run the whole job on the embedded Cao Bằng demo (works offline)."""
    from zoning.demo import run_demo

    with progress_steps("Cao Bằng demo", total=16) as advance:
        results = run_demo(out_dir, progress=advance)
    print_build_summary(results.build)
    for label, path in results.outputs.items():
        out.print(f"  {label}: {path}")
    for note in results.notes:
        out.print(f"[yellow]Note:[/] {note}", highlight=False)


def main() -> None:
    """Entry point of the `zoning` command."""
    app()


if __name__ == "__main__":
    sys.exit(main())
