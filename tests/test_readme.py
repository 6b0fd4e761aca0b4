"""The README's "Your province in five minutes" runs as written: each command of its block,
in order, with one reserve drawn in QGIS's stead after `zoning init`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import box
from typer.testing import CliRunner

import zoning
from zoning.cli import app
from zoning.inputs.crs import tm3_crs

README = Path(__file__).resolve().parents[1] / "README.md"


def five_minute_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Tỉnh của bạn trong năm phút / Your province in five minutes", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    lines = [line.split("  #")[0].strip() for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("zoning ")]


def test_the_five_minute_commands_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = five_minute_commands()
    assert [c[0] for c in commands] == ["provinces", "init", "layers", "build", "annex"]
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, f"zoning {' '.join(args)}\n{result.output}"
        if args[0] == "init":
            folder = Path(args[2])
            reserve = gpd.GeoDataFrame({"name": ["Khu bảo tồn vẽ thử"], "part": ["core"]},
                                       geometry=[box(575_000, 2_505_000, 577_000, 2_506_000)], crs=tm3_crs(105.75))
            pyogrio.write_dataframe(reserve, folder / f"{args[1]}-layers.gpkg", layer="nature_reserves", append=True)
    built = zoning.read_build(tmp_path / "cao-bang-ws" / "build.gpkg")
    assert built.zones.set_index("zone")["area_ha"]["strict"] == pytest.approx(200.0, abs=1e-6)
    assert (tmp_path / "cao-bang-ws" / "phu-luc.docx").stat().st_size > 10_000
    assert (tmp_path / "cao-bang-ws" / "phu-luc.xlsx").exists()
