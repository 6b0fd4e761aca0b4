"""`zoning build`, `zoning rules` and `zoning provinces`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from zoning import terms
from zoning.errors import ZoningError, both
from zoning.files import check_output

if TYPE_CHECKING:
    pass


from zoning.cli.console import (
    LANG,
    app,
    friendly,
    num,
    out,
    print_notices,
    progress_steps,
    say,
)

# ------------------------------------------------------------------------------ build


@app.command()
@friendly
def build(
    layers: Annotated[Path | None, typer.Option("--layers", "-l", help="Input layers: a GeoPackage whose layer names are layer "
        "kinds, a folder of files named by kind (.gpkg, .shp, .zip, .geojson), or a mapping file (.yaml). See `zoning layers`.")] = None,
    province: Annotated[str | None, typer.Option("--province", "-p", help="The province: slug (lang-son), Vietnamese name or "
        "2-digit code (see `zoning provinces`). Its 2025 reference boundaries stand for the province and communes layers "
        "you do not give, and the table gives its CRS.")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="The build GeoPackage to write (replaced atomically if it exists).")] = Path("build.gpkg"),
    rules: Annotated[Path | None, typer.Option("--rules", help="National rule file. Default: the shipped rules/nd08.yaml.")] = None,
    province_rules: Annotated[Path | None, typer.Option("--province-rules", help="Province overlay: the name of a "
        "shipped one (cao-bang) or the path of your own YAML; it also sets the province CRS.")] = None,
    central_meridian: Annotated[float | None, typer.Option("--central-meridian", help="Central meridian of the "
        "province's VN-2000 / TM-3 CRS in decimal degrees (e.g. 107.25 for 107°15'); overrides the overlay and the province table "
        "(a warning, and the annex stays a draft).")] = None,
    legacy_encoding: Annotated[str | None, typer.Option("--legacy-encoding", help="Convert text from an old Vietnamese "
        "font encoding: tcvn3 or vni.")] = None,
    province_extent: Annotated[str, typer.Option("--province-extent", help="What bounds the province: 'province' (its "
        "polygon; slivers outside every commune go to the commune sharing the longest edge) or 'communes' (the union of "
        "the communes).")] = "province",
    without_draft: Annotated[bool, typer.Option("--without-draft", help="Bỏ các tiêu chí lấy từ văn bản dự thảo / leave out the "
        "criteria taken from a draft source (a decision cannot cite a draft).")] = False,
) -> None:
    """Build the three zones of a province from its layers and the rules."""
    from zoning.builder import build as build_zones
    from zoning.builder.model import BUILD_SUFFIXES

    if layers is None and province is None:
        raise ZoningError(("chưa cho dữ liệu đầu vào", "no input given"),
                          ("cho --layers (tệp hoặc thư mục các lớp), hoặc --province để dùng ranh giới tham chiếu của tỉnh",
                           "give --layers (a file or folder of layers), or --province to use the province's reference boundaries"))
    sources = tuple(p for p in (layers, rules, province_rules) if p is not None) + mapped_files(layers)
    check_output(out_path, sources, suffixes=BUILD_SUFFIXES)
    check_output(out_path.with_suffix(".manifest.json"), sources)
    with progress_steps(say("Xây dựng phân vùng", "Building zones")) as advance:
        result = build_zones(layers, rules, province_rules, province=province, central_meridian=central_meridian, legacy_encoding=legacy_encoding,
                             province_extent=province_extent, progress=advance, without_draft=without_draft)
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


def mapped_files(layers: Path | None) -> tuple[Path, ...]:
    """The data files a mapping file given as ``--layers`` names (inputs too: no output may replace them)."""
    from zoning.inputs.layers import MAPPING_SUFFIXES
    from zoning.inputs.mapping import input_files

    if layers is None or layers.suffix.lower() not in MAPPING_SUFFIXES or not layers.is_file():
        return ()
    return tuple(input_files(layers))


# ------------------------------------------------------------------------ catalogues


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
        status += f"\n[yellow]{say(*terms.pair('statuses_short', 'proposed'))}[/]" if c.legal_status == "proposed" else ""
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




@app.command("provinces")
@friendly
def provinces_command() -> None:
    """List the 34 provinces of 2025: code, name, kind, region, central meridian and CRS, neighbours."""
    from zoning.inputs.crs import describe, tm3_crs
    from zoning.inputs.reference import format_meridian, provinces, reference_layer, table

    english = LANG["console"] == "en"
    neighbours = reference_layer("neighbours")
    communes = reference_layer("communes")["province_code"].value_counts()
    names = {p.code: (p.name_en if english else p.name) for p in provinces()}
    regions = table()["regions"]
    listing = Table(title=say("Tỉnh, thành phố (2025)", "Provinces (2025)"), show_lines=False)
    for column in (say("Mã", "Code"), say("Tên (--province)", "Name (--province)"), say("Loại", "Kind"), say("Vùng", "Region"),
                   say("Kinh tuyến trục", "Central meridian"), say("Hệ tọa độ", "CRS"), say("Xã, phường", "Communes"),
                   say("Giáp", "Neighbours")):
        listing.add_column(column)
    for p in provinces():
        near = neighbours.loc[neighbours["province_code"] == p.code, "neighbour_code"]
        across = [c[1] if english else c[0] for c in p.countries]
        listing.add_row(p.code, f"{p.full_name_en if english else p.full_name}\n{p.slug}", say(*p.word), regions[p.region]["en" if english else "vi"],
                        format_meridian(p.central_meridian), describe(tm3_crs(p.central_meridian)),
                        str(int(communes.get(p.code, 0))) or "–", ", ".join([names.get(c, c) for c in near] + across))
    out.print(listing)
    basis = table()["meridian_basis"]
    out.print(f"[yellow]{say('Kinh tuyến trục', 'Central meridians')}:[/] "
              f"{basis['note_en'] if english else basis['note_vi'] + chr(10) + '  ' + basis['note_en']}", highlight=False)
    out.print(say("Xã, phường và giáp ranh theo ranh giới tham chiếu đang dùng (0: chưa có trong dữ liệu đi kèm).",
                  "Communes and neighbours from the reference boundaries in use (0: not in the shipped data)."), highlight=False)


@app.command("init")
@friendly
def init_command(
    province: Annotated[str, typer.Argument(help="The province: slug (lang-son), Vietnamese name or 2-digit code.")],
    folder: Annotated[Path, typer.Argument(help="A new or empty folder for the workspace.")],
) -> None:
    """Make a province's workspace: its reference boundaries, a GeoPackage of every layer kind to draw in QGIS,
    a mapping-file template, an overlay template and a short guide in Vietnamese.
    """
    from zoning.inputs.reference import find_province
    from zoning.outputs.workspace import write_workspace

    known = find_province(province)
    written = write_workspace(known, folder)
    out.print(f"{say('Đã tạo không gian làm việc của', 'Workspace made for')} {known.full_name}: {folder}", highlight=False)
    for path in written:
        out.print(f"  {path}", highlight=False)
    out.print(say(f"Đọc {folder / 'HUONG-DAN.md'}: các bước tiếp theo", f"Read {folder / 'HUONG-DAN.md'}: the next steps"), highlight=False)
