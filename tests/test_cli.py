"""The command line as a planner uses it: help, a build, and user mistakes without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys

import pyogrio
import pytest

from zoning.resources import path as resource

from .conftest import admin_layers, sensitive_layers


def zoning(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoning", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def input_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("input")
    for kind, layer in {**admin_layers(), **sensitive_layers()}.items():
        layer.to_file(folder / f"{kind}.geojson")
    return folder


def test_help_explains_every_option():
    result = zoning("build", "--help")
    assert result.returncode == 0
    for option in ("--layers", "--out", "--rules", "--province-rules", "--central-meridian", "--legacy-encoding"):
        assert option in result.stdout


def test_build_from_a_folder(input_folder, tmp_path):
    out = tmp_path / "build.gpkg"
    result = zoning("build", "--layers", input_folder, "--central-meridian", "105.75", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Kiểm tra độ phủ / QA coverage đạt / passed" in result.stdout
    zones = pyogrio.read_dataframe(out, layer="zones")
    assert zones["zone"].tolist() == ["strict", "emission_limited", "other"]
    assert zones["area_ha"].sum() == pytest.approx(10_000, rel=1e-9)
    manifest = json.loads(out.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    assert manifest["crs"]["epsg"] == 9210 and manifest["qa"]["passed"]
    assert {i["kind"] for i in manifest["inputs"]} == {"province", "communes", "urban_areas", "water_supply_sources", "nature_reserves", "relic_zones"}
    assert not list(tmp_path.glob(".*part*"))  # no temporary file left behind


@pytest.mark.parametrize(
    "args,expected",
    [
        (["build", "--layers", "/no/such/folder", "--central-meridian", "105.75"], "input not found"),
        (["build", "--layers", "{input}"], "the province CRS is unknown"),
        (["build", "--layers", "{input}", "--rules", "/no/rules.yaml", "--central-meridian", "105.75"], "rule file not found"),
        (["build", "--layers", "{input}", "--central-meridian", "105.75", "--legacy-encoding", "utf-16"], "unknown legacy encoding"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(input_folder, tmp_path, args, expected):
    result = zoning(*[a.replace("{input}", str(input_folder)) for a in args], "--out", tmp_path / "b.gpkg")
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "b.gpkg").exists()


def test_a_failed_build_keeps_the_previous_output(input_folder, tmp_path):
    out = tmp_path / "build.gpkg"
    assert zoning("build", "--layers", input_folder, "--central-meridian", "105.75", "--out", out).returncode == 0
    before = out.read_bytes()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "province.geojson").write_text("{not json", encoding="utf-8")
    result = zoning("build", "--layers", broken, "--central-meridian", "105.75", "--out", out)
    assert result.returncode == 2 and "cannot be read" in result.stderr
    assert out.read_bytes() == before


def test_layers_and_rules_catalogues():
    layers = zoning("layers")
    assert layers.returncode == 0 and "water_supply_sources" in layers.stdout and "geopark_level_1" in layers.stdout
    rules = zoning("rules", "--province-rules", resource("rules", "provinces", "cao-bang.yaml"))
    assert rules.returncode == 0
    assert "điểm c khoản 2 Điều 22" in rules.stdout and "unconfirmed" in rules.stdout and "cb-geopark-level-1" in rules.stdout


def test_rules_state_the_urban_classification():
    rules = zoning("rules", "--province-rules", resource("rules", "provinces", "cao-bang.yaml"))
    assert "field 'urban_class', urban classes before 1 January 2026" in rules.stdout and "from 2022-01-10" in rules.stdout
    assert "Tạm thời / Provisional:" in rules.stdout


def test_check_options_for_exclusions_and_proposed_designations(small_build_path, tmp_path):
    town = "501500,2501500"  # town A of conftest.py, strict
    excluded = zoning("check", "--zoning", small_build_path, "--point", town, "--crs", "EPSG:9210", "--type", "iron_steel",
                      "--exclusion", "rolling_from_billets", "--out", tmp_path / "r.json")
    assert excluded.returncode == 0, excluded.stderr
    (site,) = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["sites"]
    assert site["pollution_risk"] == "excluded" and "pollution_risk_excluded" in {f["finding"] for f in site["findings"]}
    wrong = zoning("check", "--zoning", small_build_path, "--point", town, "--crs", "EPSG:9210", "--type", "iron_steel", "--exclusion", "nope")
    assert wrong.returncode == 2 and "exclusions of 'iron_steel': rolling_from_billets" in wrong.stderr and "Traceback" not in wrong.stderr
    assert "--include-proposed" in zoning("check", "--help").stdout and "--include-proposed" in zoning("siting", "--help").stdout
