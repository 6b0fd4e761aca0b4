"""`zoning check` and `zoning types`."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from zoning import terms
from zoning.errors import ZoningError
from zoning.files import check_output_folder
from zoning.inputs.tables import DATA_ERROR, BadRow

if TYPE_CHECKING:
    pass


from zoning.cli.console import (
    LANG,
    LISTED_CONFLICTS,
    SUMMARY_ABOVE,
    DistanceOption,
    DistancesFileOption,
    app,
    friendly,
    num,
    out,
    print_notices,
    progress_steps,
    say,
)

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
    zoning_build: Annotated[Path, typer.Option("--zoning", "-z", help="The zoning build to check against (from `zoning build` or `zoning demo`), "
        "or a national output folder (`zoning national build --out DIR`): each site is checked against the province(s) it lies in.")] = ...,  # type: ignore[assignment]  # required
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
        typer.Option("--crs", help="CRS of coordinates that have none: lon/lat are read as EPSG:4326, x/y as the build's CRS; "
            "e.g. EPSG:9215 or tm3:107.25 for VN-2000 / TM-3."),
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
    from zoning.national.sitecheck import builds_by_province
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
    national = _national(zoning_build, against)
    in_parts = in_parts and national is None
    with progress_steps(say("Kiểm tra địa điểm", "Checking sites"), total=4 + 4 * (against is not None) + len(outputs) + (1 if report_dir else 0)) as advance:
        build = national if national is not None else read_build(zoning_build)
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
            written.extend(write_reports(result, report_dir, build=builds_by_province(national) if national is not None else build))
    if verbose or len(result.sites) <= SUMMARY_ABOVE:
        print_check_table(result)
    print_check_summary(result, written)


def _national(path: Path, against: Path | None):
    """The national output folder ``--zoning`` names, opened; None for a build file."""
    from zoning.inputs.national_folder import is_national
    from zoning.national.sitecheck import open_national

    if not (path.is_dir() and is_national(path)):
        return None
    if against is not None:
        raise ZoningError(("--against so sánh với bản phân vùng cũ của một tỉnh, không dùng với thư mục cả nước",
                           "--against compares with an earlier build of one province; it does not apply to a national folder"),
                          ("bỏ --against, hoặc cho --zoning provinces/<tỉnh>.gpkg của thư mục cả nước",
                           "leave out --against, or give --zoning DIR/provinces/<slug>.gpkg"))
    return open_national(path)


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
    title, detail = ("title_en", "detail_en") if lang == "en" else ("title_vi", "detail_vi")
    where = findings[detail].where((findings["severity"] == "outside") & (findings[detail] != ""), "")  # where a site outside the province lies
    shown = findings[title].str.cat(where.map(lambda d: f": {d}" if d else ""))
    by_site = shown.groupby(findings["site_id"], sort=False).agg(lambda t: "\n".join(dict.fromkeys(t)))
    zone_names = terms.labels("zones", lang)
    for _, site in result.sites.iterrows():
        verdict = site["verdict"]
        flags = (" ±" if site["borderline"] else "") + (f"\n{say('thiếu dữ liệu', 'no data')}: {site['no_data_layers']}" if site["no_data_layers"] else "")
        zones = ", ".join(zone_names.get(z, z) for z in str(site["zones_touched"]).split(",") if z)
        table.add_row(
            f"{site['site_id']}\n{site['name']}" + (f"\n{site['province_name']}" if "province_name" in site else ""),
            site["type"] or "—",
            f"{zones}\n{site['commune_names']}",
            f"[{VERDICT_COLOURS[verdict]}]{_verdict_name(verdict)}[/]{flags}",
            by_site.get(site["site_id"], ""),
        )
    for row in result.meta.get("rejected_rows", []):
        reason = row["reason_en"] if lang == "en" else f"{row['reason_vi']}\n{row['reason_en']}"
        table.add_row(f"{say('dòng', 'row')} {row['row']}", "—", f"{row['column']} = {row['value']}", f"[red]{say(*DATA_ERROR)}[/]", reason)
    out.print(table)


def print_check_summary(result, written: list[Path]) -> None:
    """Counts by verdict, the sites in conflict (the first few), notes and the files written."""
    sites = result.sites
    counts = ", ".join(f"{_verdict_name(v)}: {num(n, 0)}" for v, n in result.meta["verdicts"].items() if n)
    rejected = result.meta.get("rejected_rows", [])
    if rejected:
        counts += f"; {say(*DATA_ERROR)}: {num(len(rejected), 0)} {say('dòng không đọc được', 'row(s) not read')}"
    _print_counts(result, counts)
    if len(sites) > SUMMARY_ABOVE:  # else in the table
        _print_rejected(rejected)
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


def _print_counts(result, counts: str) -> None:
    """The sites by verdict; over a national folder, the sites by combined verdict, then the rows (site and province) by verdict."""
    if "verdicts_combined" not in result.meta:
        out.print(f"{num(len(result.sites), 0)} {say('địa điểm', 'site(s)')} — {counts}.  {say('Quy tắc', 'Rules')}: {result.meta['ruleset']} + "
                  f"{result.meta['check_rules']}", highlight=False)
        return
    combined = ", ".join(f"{_verdict_name(v)}: {num(n, 0)}" for v, n in result.meta["verdicts_combined"].items() if n)
    out.print(f"{num(result.sites['input_site_id'].nunique(), 0)} {say('địa điểm', 'site(s)')} — {say('kết luận chung', 'combined verdicts')}: "
              f"{combined}.  {num(len(result.sites), 0)} {say('dòng (địa điểm × tỉnh)', 'rows (site × province)')} — {counts}.", highlight=False)
    for province in result.meta["national"]["provinces"]:
        out.print(f"  {province['name']}: {num(province['rows'], 0)} {say('dòng', 'rows')}; {say('Quy tắc', 'Rules')}: {province['ruleset']}", highlight=False)


def _print_rejected(rejected: list[dict]) -> None:
    """The rows of a table that could not be read: number, column, value and why (the first few)."""
    for row in rejected[:LISTED_CONFLICTS]:
        bad = BadRow(**row)
        out.print(f"[red]{say(*DATA_ERROR)}:[/] {say(bad.text('vi'), bad.text('en'))}", highlight=False)
    if len(rejected) > LISTED_CONFLICTS:
        out.print(f"[red]{say(*DATA_ERROR)}:[/] … {num(len(rejected) - LISTED_CONFLICTS, 0)} {say('dòng khác trong tệp kết quả', 'more rows in the results')}")


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


