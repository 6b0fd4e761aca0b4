"""The hostile battery's inputs and cases for what used to pass silently or end in a traceback:
damaged builds and uploads, dates, invisible characters, geometry that changes meaning on
reprojection, silent cuts and empty results (used by ``tests/test_hostile.py``).
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Polygon

from .conftest import admin_layers, frame, sensitive_layers, square

DIAGONAL = [(106.0, 22.55), (106.03, 22.56), (106.06, 22.57), (106.0, 22.55)]  # on one line in lon/lat: 0.12 ha reprojected
LONG_NAME = "Khu đất" + " rất dài" * 5000  # 40,007 characters: over Excel's 32,767 per cell


# ------------------------------------------------------------------------- the inputs


def without_layer(source: Path, target: Path, layer: str) -> Path:
    """A copy of a build with one layer deleted, as QGIS's "Delete layer" leaves it."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE name LIKE ? AND sql LIKE 'CREATE VIRTUAL%'", (f"rtree_{layer}_%",)).fetchall():
            db.execute(f'DROP TABLE "{name}"')
        db.execute(f'DROP TABLE "{layer}"')
        for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents"):
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
                db.execute(f"DELETE FROM {table} WHERE table_name = ?", (layer,))
    return target


def without_column(source: Path, target: Path, layer: str, column: str) -> Path:
    """A copy of a build with one column of one layer deleted."""
    shutil.copyfile(source, target)
    with sqlite3.connect(target) as db:
        db.execute(f'ALTER TABLE "{layer}" DROP COLUMN "{column}"')
    return target


def reserves(core: object = None, other: object = None, **attributes) -> gpd.GeoDataFrame:
    """The reserve core n1, its buffer n2, and a second core n3 overlapping n1 by 225 ha, with their decision dates."""
    rows = [
        {"id": "n1", "name": "Khu bảo tồn D", "part": "core", "decision_date": core, "geometry": square(6000, 6000, 2000)},
        {"id": "n2", "name": "Khu bảo tồn D", "part": "buffer", "decision_date": None,
         "geometry": square(5000, 5000, 4000).difference(square(6000, 6000, 2000))},
        {"id": "n3", "name": "Khu bảo tồn F", "part": "core", "decision_date": other, "geometry": square(6500, 6500, 2000)},
    ]
    for key, values in attributes.items():
        for row, value in zip(rows, values):
            row[key] = value
    return frame(rows)


DATES = {  # key: (n1's decision date, n3's)
    "day_first": ("03/05/2001", "2001-04-01"),
    "dotted": ("3.5.2001", "1-4-2001"),
    "serial_text": ("37000", "2001-04-01"),
    "serial_number": (37000.0, 2001.0),
    "datetime": (pd.Timestamp("2001-05-03"), pd.Timestamp("2001-04-01")),
    "year_alone": ("2001", "2001-06-01"),
    "impossible": ("31/02/2001", "2001-04-01"),
    "decision_number": ("12/QĐ-UBND", "2001-04-01"),
    "month_first": ("03/25/2001", "2001-04-01"),
    "two_digit_year": ("5/3/01", "2001-04-01"),
}


def silent_world(paths: dict[str, Path], root: Path, write_gpkg: Callable, invoke: Callable) -> None:
    """Add this battery's inputs to the world of ``tests/test_hostile.py`` (made once, never changed)."""
    admin = admin_layers()
    build = paths["build"]
    paths["build_no_communes"] = without_layer(build, root / "no-communes.gpkg", "communes")
    paths["build_no_criteria"] = without_layer(build, root / "no-criteria.gpkg", "criteria")
    paths["build_no_lineage"] = without_layer(build, root / "no-lineage.gpkg", "lineage")
    paths["build_no_commune_name"] = without_column(build, root / "no-commune-name.gpkg", "communes", "name")
    paths["build_no_unit_zone"] = without_column(build, root / "no-unit-zone.gpkg", "units", "zone")
    paths["build_no_input"] = without_layer(build, root / "no-input.gpkg", "input_nature_reserves")
    paths["build_no_input_id"] = without_column(build, root / "no-input-id.gpkg", "input_nature_reserves", "source_id")
    paths["build_copy"] = root / "b-copy.gpkg"
    shutil.copyfile(build, paths["build_copy"])
    paths["shapefile_parts"] = root / "shapefile-parts"
    paths["shapefile_parts"].mkdir()
    pyogrio.write_dataframe(pyogrio.read_dataframe(paths["sites_gpkg"]), paths["shapefile_parts"] / "sites.shp")

    for key, (core, other) in DATES.items():
        layer = reserves(core, other)
        if key == "datetime":
            layer["decision_date"] = pd.to_datetime(layer["decision_date"])
        paths[f"dates_{key}"] = write_gpkg(root / f"dates-{key}.gpkg", {**admin, "nature_reserves": layer})

    def reserve_layers(name: str, layer: gpd.GeoDataFrame, **others) -> None:
        paths[name] = write_gpkg(root / f"{name}.gpkg", {**admin, "nature_reserves": layer, **others})

    base = sensitive_layers()["nature_reserves"]
    reserve_layers("zwsp_value", base.assign(part=["core\u200b", "\ufeffbuffer"]))
    reserve_layers("nbsp_value", base.assign(part=["co\u00a0re", "buffer"]))
    reserve_layers("zwj_name", base.assign(name=["Khu bảo\u200d tồn D", "Khu bảo\u200d tồn D"]))
    reserve_layers("nfd_zwj_name", base.assign(name=[unicodedata.normalize("NFD", "Khu bảo\u200b tồn D")] * 2))
    reserve_layers("zwsp_column", base.rename(columns={"name": "name\u200b"}))
    paths["zwsp_layer_name"] = write_gpkg(root / "zwsp-layer-name.gpkg", {**admin, "nature_reserves\u200b": base})
    towns = sensitive_layers()["urban_areas"].assign(name=["\u202eThị xã A", "Thị trấn B"])
    reserve_layers("rlo_name", base, urban_areas=towns)

    lonlat_admin = {k: v.to_crs(4326) for k, v in admin.items()}
    flat = frame([{"id": "slant", "name": "Khu xiên", "part": "core", "geometry": Polygon(DIAGONAL)}], crs="EPSG:4326")
    paths["diagonal_layers"] = write_gpkg(root / "diagonal.gpkg", {**lonlat_admin, "nature_reserves": flat})
    paths["diagonal_sites"] = root / "diagonal-sites.geojson"
    paths["diagonal_sites"].write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "slant"}, "geometry": {"type": "Polygon", "coordinates": [DIAGONAL]}}]}), encoding="utf-8")

    rows = pd.read_csv(paths["csv"])
    paths["long_name_csv"] = root / "long-name.csv"
    rows.iloc[:2].assign(name=[LONG_NAME, "Ngắn"]).to_csv(paths["long_name_csv"], index=False)
    paths["nan_capacity_csv"] = root / "nan-capacity.csv"
    rows.iloc[:2].assign(type="wastewater_treatment", capacity=["nan", "500"]).to_csv(paths["nan_capacity_csv"], index=False)
    paths["zwsp_header_csv"] = root / "zwsp-header.csv"
    rows.rename(columns={"lat": "lat\u200b"}).assign(lon=[f"{v}\u200b" for v in rows["lon"]]).to_csv(paths["zwsp_header_csv"], index=False)
    paths["zwsp_type_csv"] = root / "zwsp-type.csv"
    rows.iloc[:2].assign(type=["sanitary_landfill\u200b", "\ufeffsanitary_landfill"], name=["A\u200bB", "C"]).to_csv(paths["zwsp_type_csv"], index=False)


# ------------------------------------------------------------------------- the checks


def units_of(path: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer="units", read_geometry=False)


def core_winner(winner: str, loser: str) -> Callable:
    """The core whose decision is the most recent keeps the 225 ha both cores cover (400 ha); the other keeps 175 ha."""
    def check(world, out, result) -> None:
        cores = units_of(out / "b.gpkg").query("criterion == 'nd08-22-2-c'").groupby("source_id")["area_ha"].sum()
        assert cores[winner] == pytest.approx(400, rel=1e-6) and cores[loser] == pytest.approx(175, rel=1e-6), cores.to_dict()

    return check


def stored_dates(expected: dict[str, object]) -> Callable:
    """The dates as the build carries them (``input_nature_reserves``: ISO text, a year alone as the year), and the winner."""
    def check(world, out, result) -> None:
        stored = pyogrio.read_dataframe(out / "b.gpkg", layer="input_nature_reserves", read_geometry=False).set_index("source_id")["decision_date"]
        assert {k: stored[k] for k in expected} == expected
        core_winner(*(("n1", "n3") if expected.get("n1", "") > (expected.get("n3") or "") else ("n3", "n1")))(world, out, result)

    return check


def strict_core(world, out, result) -> None:
    units = units_of(out / "b.gpkg")
    core = units[units["source_id"] == "n1"]
    assert core["zone"].tolist() == ["strict"] and core["area_ha"].sum() == pytest.approx(400, rel=1e-6)  # "core\u200b" read as core
    assert not units["name"].str.contains("[\u200b\ufeff]").any()


def by_name_selects(world, out, result) -> None:
    """The rule's composed name without a joiner selects both features whose names carry one (see check_nfd_matches)."""
    lineage = pyogrio.read_dataframe(out / "b.gpkg", layer="lineage", read_geometry=False)
    assert sorted(lineage.loc[lineage["criterion"] == "by-name", "source_id"]) == ["n1", "n2"]  # the core: the rule held back by the conflict
    conflicts = pyogrio.read_dataframe(out / "b.gpkg", layer="conflicts", read_geometry=False)
    assert conflicts["criterion_emission_limited"].str.contains("by-name").any()
    names = units_of(out / "b.gpkg")["name"]
    assert names.map(lambda n: unicodedata.is_normalized("NFC", n) and "\u200b" not in n and "\u200d" not in n).all()


def no_override(world, out, result) -> None:
    names = units_of(out / "b.gpkg")["name"]
    assert "Nội thành, nội thị Thị xã A" in set(names) or names.str.contains("Thị xã A").any(), names.tolist()
    assert not names.str.contains("\u202e").any()


def names_from_clean_column(world, out, result) -> None:
    names = units_of(out / "b.gpkg").query("source_layer == 'nature_reserves'")["name"]
    assert names.str.contains("Khu bảo tồn D").all() and len(names) == 2


def long_name_marked(world, out, result) -> None:
    from openpyxl import load_workbook

    sheet = load_workbook(out / "r.xlsx").worksheets[0]
    header = [c.value for c in sheet[2]]
    names = [row[header.index("Tên / Name")] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(names[0]) == 32_767 and names[0].startswith(LONG_NAME[:1000])
    assert names[0].endswith(f"[đã cắt, bản đầy đủ {len(LONG_NAME):,} ký tự".replace(",", ".") + f" / cut, {len(LONG_NAME):,} characters in full]")
    assert names[1] == "Ngắn"


def clean_types(world, out, result) -> None:
    rows = list(pd.read_csv(out / "r.csv", encoding="utf-8-sig", dtype=str).itertuples())
    assert [r.type for r in rows] == ["sanitary_landfill", "sanitary_landfill"] and rows[0].name == "AB"


def nan_capacity_row(world, out, result) -> None:
    text = " ".join(result.stdout.split())
    assert "Lỗi dữ liệu / Data error" in text and "công suất không phải là số" in text and "capacity = nan" in text


def same_verdicts(world, out, result) -> None:
    expected = {r["site_id"]: r["verdict"] for r in pd.read_csv(world["results_csv"], encoding="utf-8-sig", dtype=str).to_dict("records")}
    assert {r["site_id"]: r["verdict"] for r in pd.read_csv(out / "r.csv", encoding="utf-8-sig", dtype=str).to_dict("records")} == expected


def decision_clean(world, out, result) -> None:
    from docx import Document

    text = "\n".join(p.text for p in Document(out / "a.docx").paragraphs)
    assert "số 7/QĐ-UBND ngày 1/1/2027" in text and "\u200b" not in text


def no_change(world, out, result) -> None:
    transitions = pyogrio.read_dataframe(out / "d.gpkg", layer="transitions", read_geometry=False)
    assert len(transitions) == 0


def empty_amendment(world, out, result) -> None:
    from docx import Document

    tables = Document(out / "a.docx").tables
    assert any("Không có diện tích chuyển vùng." in c.text for t in tables for row in t.rows for c in row.cells)


# ------------------------------------------------------------------------- the cases


def silent_cases(case: type, w: Callable[[str], str]) -> list:
    """The command-line cases of this battery, as ``Case`` values of ``tests/test_hostile.py``."""
    build = ["--central-meridian", "105.75", "-o", "{out}/b.gpkg"]
    remake = ("zoning build",)
    cases = []
    for key, missing in (("build_no_communes", "communes"), ("build_no_criteria", "criteria"), ("build_no_lineage", "lineage")):
        name = key.removeprefix("build_")
        cases += [
            case(f"diff-old-{name}", ["diff", w(key), w("build")], says=(missing, *remake)),
            case(f"diff-new-{name}", ["diff", w("build"), w(key), "-o", "{out}/d.gpkg"], says=(missing, *remake)),
            case(f"map-{name}", ["map", w(key), "-o", "{out}/m.html"], says=(missing, *remake)),
            case(f"check-{name}", ["check", w("csv"), "-z", w(key), "-o", "{out}/r.csv"], says=(missing, *remake)),
            case(f"annex-against-{name}", ["annex", w("build"), "--against", w(key), "-o", "{out}/a.docx"], says=(missing, *remake)),
        ]
    cases += [
        case("map-against-no-communes", ["map", w("build"), "--against", w("build_no_communes"), "-o", "{out}/m.html"], says=("communes",)),
        case("check-against-no-communes", ["check", w("csv"), "-z", w("build"), "--against", w("build_no_communes")], says=("communes",)),
        case("raster-no-communes", ["raster", w("build_no_communes"), "-o", "{out}/z.tif"], says=("communes", *remake)),
        case("siting-no-communes", ["siting", w("build_no_communes"), "-f", "sanitary_landfill", "-d", "1000", "-o", "{out}/c.gpkg"], says=("communes",)),
        case("annex-no-commune-name", ["annex", w("build_no_commune_name"), "-o", "{out}/a.docx"], says=("'communes'", "name", *remake)),
        case("diff-no-unit-zone", ["diff", w("build"), w("build_no_unit_zone")], says=("'units'", "zone", *remake)),
        case("check-no-unit-zone", ["check", w("csv"), "-z", w("build_no_unit_zone")], says=("'units'", "zone")),
        case("check-build-without-input-layer", ["check", w("csv"), "-z", w("build_no_input")], says=("input_nature_reserves", *remake)),
        case("map-build-without-input-layer", ["map", w("build_no_input"), "-o", "{out}/m.html"], says=("input_nature_reserves",)),
        case("check-input-layer-without-ids", ["check", w("csv"), "-z", w("build_no_input_id"), "-o", "{out}/r.csv"],
             says=("input_nature_reserves", "source_id", *remake)),
        # ------------------------------------------------------------------- dates
        case("build-date-day-first", ["build", "--layers", w("dates_day_first"), *build], expect="ok",
             check=stored_dates({"n1": "2001-05-03", "n3": "2001-04-01"})),
        case("build-date-dotted", ["build", "--layers", w("dates_dotted"), *build], expect="ok", check=stored_dates({"n1": "2001-05-03", "n3": "2001-04-01"})),
        case("build-date-excel-serial-text", ["build", "--layers", w("dates_serial_text"), *build], expect="ok",
             check=stored_dates({"n1": "2001-04-19", "n3": "2001-04-01"})),
        case("build-date-excel-serial-number", ["build", "--layers", w("dates_serial_number"), *build], expect="ok", says=("approximate",),
             check=stored_dates({"n1": "2001-04-19", "n3": "2001"})),
        case("build-date-datetime-cells", ["build", "--layers", w("dates_datetime"), *build], expect="ok",
             check=stored_dates({"n1": "2001-05-03", "n3": "2001-04-01"})),
        case("build-date-year-alone", ["build", "--layers", w("dates_year_alone"), *build], expect="ok",
             says=("n1", "is a year alone", "taken as 1 January", "approximate"), check=stored_dates({"n1": "2001", "n3": "2001-06-01"})),
        case("build-date-impossible", ["build", "--layers", w("dates_impossible"), *build],
             says=("feature n1", "'decision_date'", "'31/02/2001'", "no such day", "05/03/2001")),
        case("build-date-decision-number", ["build", "--layers", w("dates_decision_number"), *build],
             says=("nature_reserves", "feature n1", "'12/QĐ-UBND'", "is not a date", "decision number in another column")),
        case("build-date-month-first", ["build", "--layers", w("dates_month_first"), *build],
             says=("'03/25/2001'", "never month first", "25/03/2001")),
        case("build-date-two-digit-year", ["build", "--layers", w("dates_two_digit_year"), *build], says=("'5/3/01'", "two-digit year")),
        # ---------------------------------------------------- invisible characters
        case("build-zwsp-after-allowed-value", ["build", "--layers", w("zwsp_value"), *build], expect="ok", check=strict_core,
             says=("invisible characters (U+200B, U+FEFF) removed from column 'part'",)),
        case("build-nbsp-in-value-shown", ["build", "--layers", w("nbsp_value"), *build], says=("co[U+00A0]re", "allowed values: core")),
        case("build-zwj-in-name-rule-matches", ["build", "--layers", w("zwj_name"), "--province-rules", w("by_name_overlay"), *build],
             expect="ok", check=by_name_selects, says=("U+200D",)),
        case("build-nfd-zwsp-name-rule-matches", ["build", "--layers", w("nfd_zwj_name"), "--province-rules", w("by_name_overlay"), *build],
             expect="ok", check=by_name_selects),
        case("build-rlo-in-unit-name", ["build", "--layers", w("rlo_name"), *build], expect="ok", check=no_override, says=("U+202E",)),
        case("build-zwsp-in-column-name", ["build", "--layers", w("zwsp_column"), *build], expect="ok", check=names_from_clean_column,
             says=("'name[U+200B]' → 'name'",)),
        case("build-zwsp-in-layer-name", ["build", "--layers", w("zwsp_layer_name"), *build], expect="ok", check=strict_core,
             says=("'nature_reserves[U+200B]'", "U+200B")),
        case("check-zwsp-in-type", ["check", w("zwsp_type_csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=clean_types,
             says=("U+200B", "U+FEFF")),
        case("check-zwsp-in-header-and-coordinates", ["check", w("zwsp_header_csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok",
             check=same_verdicts),
        case("annex-zwsp-in-decision", ["annex", w("build"), "-o", "{out}/a.docx", "--decision", "số 7/QĐ-UBND\u200b ngày 1/1/2027"], expect="ok",
             check=decision_clean, says=("--decision", "U+200B")),
        # ---------------------------------------------- geometry judged as drawn
        case("build-diagonal-flat-in-lonlat", ["build", "--layers", w("diagonal_layers"), *build], says=("slant", "area as drawn is zero", "one line")),
        case("check-diagonal-flat-site", ["check", w("diagonal_sites"), "-z", w("build")], says=("slant", "area as drawn is zero")),
        # ------------------------------------------------ silent cuts, empty results
        case("check-xlsx-name-over-cell-limit", ["check", w("long_name_csv"), "-z", w("build"), "-o", "{out}/r.xlsx"], expect="ok",
             check=long_name_marked, says=("40,007 characters cut to Excel's 32,767-character cell limit",)),
        case("annex-against-itself", ["annex", w("build"), "--against", w("build"), "-o", "{out}/a.docx"], says=("amends nothing", "0 ha", "--allow-empty")),
        case("annex-against-same-build-copy", ["annex", w("build"), "--against", w("build_copy"), "-o", "{out}/a.docx", "--xlsx"],
             says=("amends nothing", "--allow-empty")),
        case("annex-against-itself-allowed", ["annex", w("build"), "--against", w("build"), "-o", "{out}/a.docx", "--allow-empty"], expect="ok",
             check=empty_amendment, says=("records no change (0 ha)",)),
        case("annex-allow-empty-without-against", ["annex", w("build"), "-o", "{out}/a.docx", "--allow-empty"], says=("--allow-empty goes with --against",)),
        case("diff-build-with-itself", ["diff", w("build"), w("build"), "-o", "{out}/d.gpkg"], expect="ok", check=no_change),
        case("diff-out-is-old-build", ["diff", w("build"), w("build_copy"), "-o", w("build")], says=("b.gpkg",)),
        # a bad row is set aside as a data error and the other rows are checked (the officer's files, one bad row)
        case("check-capacity-column-nan", ["check", w("nan_capacity_csv"), "-z", w("build")], expect="ok", check=nan_capacity_row),
        case("check-capacity-nan-not-a-number", ["check", w("csv"), "-z", w("build"), "--capacity", "nan"], says=("--capacity nan: not a number",)),
        case("siting-capacity-nan-not-a-number", ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--capacity", "nan", "-o", "{out}/c.gpkg"],
             says=("--capacity nan: not a number",)),
    ]
    return cases


# --------------------------------------------------------------------- the web cases


@dataclass
class WebCase:
    """One request to the web application: ``status`` expected, ``says`` in the answer (both languages for an error)."""

    id: str
    path: str
    json: dict | None = None
    files: Callable[[dict], dict] | None = None
    data: dict | None = None
    status: int = 422
    says: tuple[str, ...] = ()
    check: Callable[[dict], None] | None = None
    raw: bytes | None = None


def damaged_zip(name: str, payload: bytes) -> bytes:
    """A zip whose headers misstate the member's CRC-32 (as a cut or badly written KMZ does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)
    data = bytearray(buffer.getvalue())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    data[local + 14 : local + 18] = data[central + 16 : central + 20] = b"\x00\x00\x00\x00"
    return bytes(data)


def point(lon: float, lat: float, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def web_cases(world_sites: list[dict], kml: str) -> list[WebCase]:
    """The web application's cases; ``world_sites`` are the five good sites (lon/lat), ``kml`` them as Google Earth saves them."""
    lon, lat = world_sites[4]["lon"], world_sites[4]["lat"]
    csv_text = "id,name,lon,lat\n" + "".join(f"{r['id']},{r['name']},{r['lon']},{r['lat']}\n" for r in world_sites)
    workbook = io.BytesIO()
    pd.DataFrame(world_sites).to_excel(workbook, index=False)

    def answer_types(types: list[str]) -> Callable[[dict], None]:
        def check(answer: dict) -> None:
            assert [s["type"] for s in answer["sites"]] == types and answer["sites"][0]["verdict"]

        return check

    def names(expected: list[str]) -> Callable[[dict], None]:
        def check(answer: dict) -> None:
            assert [s["name"] for s in answer["sites"]] == expected

        return check

    return [
        WebCase("web-kmz-bad-crc", "/api/check/upload", files=lambda _: {"file": ("sites.kmz", damaged_zip("doc.kml", kml.encode()))},
                says=("KMZ", "doc.kml", "Bad CRC-32", "damaged")),
        WebCase("web-zip-shapefile-bad-crc", "/api/check/upload", files=lambda w: {"file": ("sites.zip", shapefile_zip(w, damage=True))},
                says=("zip", "damaged")),
        WebCase("web-xlsx-bad-crc", "/api/check/upload", files=lambda _: {"file": ("sites.xlsx", damaged_zip("xl/workbook.xml", b"<workbook/>" * 50))},
                says=("sites.xlsx",)),
        WebCase("web-kmz-good", "/api/check/upload", files=lambda _: {"file": ("sites.kmz", zipped("doc.kml", kml.encode()))}, status=200,
                check=lambda a: assert_count(a, 5)),
        WebCase("web-capacity-nan-form", "/api/check/upload", files=lambda _: {"file": ("s.csv", csv_text.encode())}, data={"capacity": "nan"},
                says=("capacity", "not a number", "không phải là số")),
        WebCase("web-capacity-inf-form", "/api/check/upload", files=lambda _: {"file": ("s.csv", csv_text.encode())}, data={"capacity": "inf"},
                says=("capacity", "not a number")),
        WebCase("web-search-distance-nan", "/api/check/upload", files=lambda _: {"file": ("s.csv", csv_text.encode())},
                data={"search_distance": "nan"}, says=("search_distance", "not a number")),
        WebCase("web-capacity-nan-json", "/api/check", raw=json.dumps({"sites": point(lon, lat), "capacity": float("nan")}).encode(),
                says=("capacity", "not a number")),
        WebCase("web-capacity-negative-json", "/api/check", json={"sites": point(lon, lat), "capacity": -1}, says=("capacity", "must be 0 or more")),
        WebCase("web-unknown-type-names-field", "/api/check", json={"sites": point(lon, lat, type="nope")}, says=("'sites'", "'type'", "nope")),
        WebCase("web-capacity-text-names-field", "/api/check", json={"sites": point(lon, lat, capacity="abc")},
                says=("'sites'", "'capacity' is not a number")),
        WebCase("web-invisible-type-cleaned", "/api/check", json={"sites": point(lon, lat, type="sanitary_landfill\u200b")}, status=200,
                check=answer_types(["sanitary_landfill"])),
        WebCase("web-override-in-name-removed", "/api/check/upload",
                files=lambda _: {"file": ("s.csv", csv_text.replace("Địa điểm s1", "\u202eĐịa điểm s1").encode())}, status=200,
                check=names([r["name"] for r in world_sites])),
        WebCase("web-diagonal-polygon-refused", "/api/check",
                json={"sites": {"type": "Feature", "properties": {"id": "slant"}, "geometry": {"type": "Polygon", "coordinates": [DIAGONAL]}}},
                says=("slant", "area as drawn is zero")),
        WebCase("web-xlsx-upload", "/api/check/upload", files=lambda _: {"file": ("s.xlsx", workbook.getvalue())}, status=200,
                check=lambda a: assert_count(a, 5)),
    ]


def zipped(name: str, payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, payload)
    return buffer.getvalue()


def shapefile_zip(world: dict, damage: bool = False) -> bytes:
    """The good sites as a zipped shapefile; ``damage`` misstates the CRC-32 of its .shp."""
    folder = world["shapefile_parts"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    data = bytearray(buffer.getvalue())
    if damage:
        start = 0
        while (local := data.find(b"PK\x03\x04", start)) >= 0:
            if data[local + 30 : local + 30 + 9] == b"sites.shp":
                data[local + 14 : local + 18] = b"\x00\x00\x00\x00"
            start = local + 4
        start = 0
        while (central := data.find(b"PK\x01\x02", start)) >= 0:
            if data[central + 46 : central + 46 + 9] == b"sites.shp":
                data[central + 16 : central + 20] = b"\x00\x00\x00\x00"
            start = central + 4
    return bytes(data)


def assert_count(answer: dict, count: int) -> None:
    assert len(answer["sites"]) == count and sum(answer["verdicts"].values()) == count
