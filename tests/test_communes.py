"""Every hectare in a commune: the slivers of the province outside every commune are
given to communes, on a hand-made province whose slivers are measured by hand.

Province (metres from X0, Y0): the rectangle 3,000 × 1,000 and an exclave 100 × 100 at
x 3,100–3,200 = 301 ha. Communes:

- A (00001) 0–1,000 × 0–990: leaves a strip 1,000 × 10 along the top (1 ha), sharing
  1,000 m with A and 10 m with B → A.
- B (00002) 1,000–2,000 × 0–1,000 less a notch 1,400–1,600 × 0–50 at the border (1 ha),
  sharing 50 + 200 + 50 m with B only → B.
- C (00003) 2,010–3,050 × 200–1,000 and 2,000–3,050 × 0–200: leaves a gap 2,000–2,010 ×
  200–1,000 (0.8 ha) sharing 800 m with B and 800 + 10 m with C → C; overshoots the
  province by 50 × 1,000 (5 ha, cut off). The exclave (1 ha) touches no commune: the
  nearest is C, 50 m away.

A reserve core 400–600 × 900–1,100 is 2 ha in the province, 0.2 ha of it in A's strip.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from zoning.builder.communes import by_commune
from zoning.builder.engine import build_zones
from zoning.demo import demo_paths
from zoning.errors import BuildError
from zoning.inputs.layers import read_layers
from zoning.law.criteria import load_rules
from zoning.settings import settings

from .conftest import CRS, X0, Y0, admin_layers, frame, square
from .test_cli import zoning as run_cli
from .test_overlay import pinched_pieces


def at(x0: float, y0: float, x1: float, y1: float):
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


MOVED_HA = {"00001": 1.0, "00002": 1.0, "00003": 0.8 + 1.0}
PROVINCE_HA = 300 + 1
COMMUNE_HA = {"00001": 99 + 1, "00002": 100 - 1 + 1, "00003": (990 * 800 + 1000 * 200) / 1e4 + 1.8}


def sliver_layers() -> dict:
    province = shapely.union(at(0, 0, 3000, 1000), at(3100, 0, 3200, 100))
    communes = [
        {"code": "00001", "name": "A", "geometry": at(0, 0, 1000, 990)},
        {"code": "00002", "name": "B", "geometry": at(1000, 0, 2000, 1000).difference(at(1400, 0, 1600, 50))},
        {"code": "00003", "name": "C", "geometry": shapely.union(at(2010, 200, 3050, 1000), at(2000, 0, 3050, 200))},
    ]
    return {
        "province": frame([{"code": "99", "name": "Tỉnh Thử", "geometry": province}]),
        "communes": frame(communes),
        "nature_reserves": frame([{"id": "n1", "name": "Khu bảo tồn D", "part": "core", "geometry": at(400, 900, 600, 1100)}]),
    }


def run(province_extent: str = "province"):
    return build_zones(read_layers(sliver_layers(), CRS), load_rules(), province_extent=province_extent)


@pytest.fixture(scope="module")
def result():
    return run()


def test_each_sliver_goes_to_the_commune_sharing_the_longest_edge(result):
    reconciliation = result.qa["communes"]
    assert reconciliation["province_extent"] == "province"
    assert reconciliation["slivers"] == 4
    assert reconciliation["moved_ha"] == pytest.approx(sum(MOVED_HA.values()), abs=1e-6)
    assert reconciliation["moved_ha_by_commune"] == pytest.approx(MOVED_HA, abs=1e-6)
    assert list(reconciliation["moved_ha_by_commune"]) == ["00003", "00001", "00002"]  # largest first
    assert (reconciliation["nearest_slivers"], reconciliation["nearest_ha"]) == (1, pytest.approx(1.0, abs=1e-6))
    communes = result.communes.set_index("code")
    assert communes["area_ha"].to_dict() == pytest.approx(COMMUNE_HA, abs=1e-6)
    assert communes.loc["00003"].geometry.contains(shapely.Point(X0 + 3150, Y0 + 50))  # the exclave
    assert communes.loc["00003"].geometry.contains(shapely.Point(X0 + 2005, Y0 + 600))  # the gap
    assert communes.loc["00001"].geometry.contains(shapely.Point(X0 + 500, Y0 + 995))  # the strip


def test_the_communes_tile_the_province_and_zones_are_unchanged(result):
    communes = result.communes.geometry.to_numpy()
    province = shapely.union(at(0, 0, 3000, 1000), at(3100, 0, 3200, 100))
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(communes), province)) < 1e-3  # m²
    assert shapely.area(communes).sum() == pytest.approx(province.area, abs=1e-3)
    zones = result.zones.set_index("zone")["area_ha"]
    assert zones.to_dict() == pytest.approx({"strict": 2.0, "emission_limited": 0.0, "other": PROVINCE_HA - 2.0}, abs=1e-6)
    assert result.qa["passed"], result.qa


def test_no_row_outside_every_commune(result):
    summary = result.commune_summary.set_index("commune_code")
    assert list(summary.index) == ["00001", "00002", "00003"]
    assert summary.loc["00001", "strict_ha"] == pytest.approx(2.0, abs=1e-6)  # 0.2 ha of it in the strip
    assert summary["total_ha"].to_dict() == pytest.approx(COMMUNE_HA, abs=1e-6)
    assert summary["other_ha"].sum() == pytest.approx(PROVINCE_HA - 2.0, abs=1e-6)


def test_land_left_outside_every_commune_is_a_fault(result):
    without_c = result.communes[result.communes["code"] != "00003"].reset_index(drop=True)
    with pytest.raises(BuildError, match="outside every commune"):
        by_commune(result.units, result.zones, without_c)


def test_a_zone_pinched_at_a_tile_seam_keeps_every_hectare(monkeypatch):
    # The 10 km province of conftest.py in 5 km tiles. A reserve buffer zone crossing the
    # seam y = 5,000 whose boundary the join would pinch in two (see test_overlay.py), and
    # a reserve crossing the seam x = 5,000: a 400 m square buffer around a 100 m core.
    monkeypatch.setattr(settings, "tile_m", 5_000.0)
    above, below = pinched_pieces(X0 + 4000, Y0 + 4900)
    layers = {**admin_layers(), "nature_reserves": frame([
        {"id": "n1", "name": "Khu bảo tồn A", "part": "core", "geometry": square(4850, 2100, 100)},
        {"id": "n2", "name": "Khu bảo tồn A", "part": "buffer", "geometry": square(4800, 2000, 400).difference(square(4850, 2100, 100))},
        {"id": "n3", "name": "Khu bảo tồn B", "part": "buffer", "geometry": shapely.union(above, below)},
    ])}
    result = build_zones(read_layers(layers, CRS), load_rules())
    # field 1,075 m² above the seam (commune 00003) and 240 m² below (00001); the buffer
    # 70,000 m² west of x = 5,000 (00001) and 80,000 m² east (00002)
    limited = {"00001": 7.024, "00002": 8.0, "00003": 0.1075, "00004": 0.0}
    zones = result.zones.set_index("zone")
    assert zones["area_ha"].to_dict() == pytest.approx({"strict": 1.0, "emission_limited": sum(limited.values()),
                                                         "other": 10_000 - 1.0 - sum(limited.values())}, abs=1e-6)
    province = shapely.union_all(layers["province"].geometry.to_numpy())
    assert shapely.area(shapely.symmetric_difference(shapely.union_all(zones.geometry.to_numpy()), province)) < 1.0  # m²
    units = result.units
    for zone in ("strict", "emission_limited"):
        pieces = units.loc[units["zone"] == zone].geometry.to_numpy()
        left, right = shapely.STRtree(pieces).query(pieces)
        assert (shapely.area(shapely.intersection(pieces[left[left < right]], pieces[right[left < right]])) < 1.0).all()
        assert shapely.area(pieces).sum() / 1e4 == pytest.approx(zones.loc[zone, "area_ha"], abs=0.01)
    summary = result.commune_summary.set_index("commune_code")
    assert summary["emission_limited_ha"].to_dict() == pytest.approx(limited, abs=1e-6)
    assert summary.loc["00001", "strict_ha"] == pytest.approx(1.0, abs=1e-6)
    assert result.qa["passed"], result.qa


def test_province_taken_as_the_union_of_communes():
    result = run("communes")
    reconciliation = result.qa["communes"]
    union_ha = 99 + 99 + 104.2  # A, B and the whole of C: nothing is cut off, nothing left over
    assert reconciliation["province_extent"] == "communes"
    assert reconciliation["slivers"] == 0 and reconciliation["moved_ha"] == 0
    assert reconciliation["province_layer_ha"] == pytest.approx(PROVINCE_HA, abs=1e-6)
    assert result.zones["area_ha"].sum() == pytest.approx(union_ha, abs=1e-6)
    assert result.qa["province_ha"] == pytest.approx(union_ha, abs=1e-6)
    assert result.communes.set_index("code")["area_ha"].to_dict() == pytest.approx({"00001": 99, "00002": 99, "00003": 104.2}, abs=1e-6)
    assert result.qa["passed"]
    assert result.build_id != run().build_id  # the choice is part of the build's identity


def test_cli_states_the_reconciliation_and_the_option(tmp_path):
    folder = tmp_path / "input"
    folder.mkdir()
    for kind, layer in sliver_layers().items():
        layer.to_file(folder / f"{kind}.geojson")
    out = tmp_path / "build.gpkg"
    done = run_cli("build", "--layers", folder, "--central-meridian", "105.75", "--out", out)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    assert "Đối soát ranh giới xã / Communes reconciled: 4 mảnh ngoài mọi xã / slivers outside every commune, 3,80 ha" in text
    assert "C 1,80 ha" in text and "1 mảnh không giáp xã nào" in text
    manifest = json.loads(out.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    assert manifest["qa"]["communes"]["moved_ha_by_commune"] == pytest.approx(MOVED_HA, abs=1e-6)
    done = run_cli("build", "--layers", folder, "--central-meridian", "105.75", "--out", out, "--province-extent", "communes")
    assert done.returncode == 0, done.stderr
    assert "Ranh giới tỉnh lấy theo hợp các xã" in done.stdout
    assert np.isclose(json.loads(out.with_suffix(".manifest.json").read_text(encoding="utf-8"))["qa"]["zones_ha"], 302.2)
    done = run_cli("build", "--layers", folder, "--central-meridian", "105.75", "--out", tmp_path / "x.gpkg", "--province-extent", "wards")
    assert done.returncode == 2 and "--province-extent wards" in done.stderr and "Traceback" not in done.stderr


def test_the_annex_refuses_a_build_with_land_outside_every_commune(result, tmp_path):
    import pandas as pd

    from zoning.outputs.annex import write_annex

    outside = {"commune_code": "", "commune_name": "Ngoài ranh giới xã", "strict_ha": 0.0, "emission_limited_ha": 0.0, "other_ha": 3.8, "total_ha": 3.8}
    old = dataclasses.replace(result, commune_summary=pd.concat([result.commune_summary, pd.DataFrame([outside])], ignore_index=True))
    with pytest.raises(BuildError, match="3.80 ha outside every commune"):
        write_annex(old, tmp_path / "annex.docx", map_figure=False)
    assert not (tmp_path / "annex.docx").exists()


ARTEFACTS = Path(__file__).parent / "artefacts"
needs_office = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")) or not shutil.which("pdftoppm"),
                                  reason="LibreOffice and poppler-utils are not installed")


def test_demo_build_summary_states_the_area_moved(tmp_path):
    demo = demo_paths()
    done = run_cli("build", "--layers", demo.layers, "--province-rules", demo.province_rules, "--out", tmp_path / "cao-bang.gpkg")
    assert done.returncode == 0, done.stderr
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "demo-build-summary.txt").write_text(done.stdout, encoding="utf-8")
    text = " ".join(done.stdout.split())
    assert "Đối soát ranh giới xã / Communes reconciled: 226 mảnh ngoài mọi xã / slivers outside every commune, 4.697,76 ha" in text
    assert "Ngoài ranh giới" not in text


@needs_office
def test_demo_annex_pages_have_every_hectare_in_a_commune(demo_build_path, tmp_path):
    from zoning.outputs.office import convert_to_pdf

    pdf = convert_to_pdf(write_annex_of(demo_build_path, tmp_path / "annex.docx"), tmp_path / "annex.pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    assert not any("Ngoài ranh giới" in page for page in pages)
    summary = [i + 1 for i, page in enumerate(pages) if "theo xã, phường" in page or "Toàn tỉnh" in page]
    sketch = 1 + next(i for i, page in enumerate(pages) if "Hình 1." in page)
    ARTEFACTS.mkdir(exist_ok=True)
    for page, name in ((summary[0], "annex-communes-first"), (summary[-1], "annex-communes-last"), (sketch, "annex-sketch-page")):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(ARTEFACTS / name)], check=True)
    last = " ".join(pages[summary[-1] - 1].split())
    assert "Toàn tỉnh 21.857,85" in last  # the province row follows the last commune: no row outside every commune


def write_annex_of(build_path: Path, out: Path) -> Path:
    from zoning.outputs.annex import write_annex

    return write_annex(build_path, out).docx
