"""Shared fixtures: a small square province in VN-2000 / TM-3 105-45 whose expected
zone areas can be computed by hand."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from zoning.builder import build as build_zoning
from zoning.demo import demo_paths
from zoning.inputs.crs import tm3_crs

CRS = tm3_crs(105.75)  # EPSG:9210
X0, Y0 = 500_000.0, 2_500_000.0  # south-west corner of the 10 km × 10 km province
SIDE = 10_000.0


def square(x: float, y: float, size: float):
    """A size × size square with its south-west corner at (X0 + x, Y0 + y)."""
    return box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def frame(rows: list[dict], crs=CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def admin_layers() -> dict[str, gpd.GeoDataFrame]:
    """Province (100 km²) and four 25 km² communes (quadrants)."""
    half = SIDE / 2
    communes = [
        {"code": "00001", "name": "Tây Nam", "geometry": square(0, 0, half)},
        {"code": "00002", "name": "Đông Nam", "geometry": square(half, 0, half)},
        {"code": "00003", "name": "Tây Bắc", "geometry": square(0, half, half)},
        {"code": "00004", "name": "Đông Bắc", "geometry": square(half, half, half)},
    ]
    return {
        "province": frame([{"code": "99", "name": "Tỉnh Thử", "geometry": square(0, 0, SIDE)}]),
        "communes": frame(communes),
    }


def sensitive_layers() -> dict[str, gpd.GeoDataFrame]:
    """Sensitive layers with hand-computable areas (see test_build.py)."""
    return {
        # 1 km² class II town in the south-west commune → 100 ha strict
        "urban_areas": frame([
            {"id": "u1", "name": "Thị xã A", "urban_class": "II", "class_2026": "II", "geometry": square(1000, 1000, 1000)},
            # class IV town half inside the reserve core: 2 km × 1 km, 1 km² outside the core
            {"id": "u2", "name": "Thị trấn B", "urban_class": "IV", "class_2026": "III", "geometry": box(X0 + 5000, Y0 + 6000, X0 + 7000, Y0 + 7000)},
        ]),
        # straight river across the province at y = 2,503,000, 20 m wide, 15 m corridor
        "water_supply_sources": frame([
            {"id": "r1", "name": "Sông C", "water_body": "river", "width_m": 20.0, "corridor_m": 15.0,
             "geometry": LineString([(X0 - 500, Y0 + 3000), (X0 + SIDE + 500, Y0 + 3000)])},
        ]),
        # 2 km × 2 km core with a 1 km buffer ring drawn as its own polygon
        "nature_reserves": frame([
            {"id": "n1", "name": "Khu bảo tồn D", "part": "core", "geometry": square(6000, 6000, 2000)},
            {"id": "n2", "name": "Khu bảo tồn D", "part": "buffer", "geometry": square(5000, 5000, 4000).difference(square(6000, 6000, 2000))},
        ]),
        # a relic given as a point: default 100 m circle (an assumption)
        "relic_zones": frame([
            {"id": "d1", "name": "Di tích E", "protection_zone": "I", "geometry": Point(X0 + 2000, Y0 + 8000)},
        ]),
    }


@pytest.fixture
def admin() -> dict[str, gpd.GeoDataFrame]:
    return admin_layers()


@pytest.fixture
def sensitive() -> dict[str, gpd.GeoDataFrame]:
    return sensitive_layers()


@pytest.fixture(scope="session")
def small_build_path(tmp_path_factory) -> Path:
    """A build of the hand-made province (areas in test_build.py), written once."""
    path = tmp_path_factory.mktemp("small") / "small-build.gpkg"
    build_zoning({**admin_layers(), **sensitive_layers()}, central_meridian=105.75).write(path)
    return path


@pytest.fixture(scope="session")
def demo_build_path(tmp_path_factory) -> Path:
    """The Cao Bằng demo build, written once per test session."""
    path = tmp_path_factory.mktemp("demo") / "cao-bang-build.gpkg"
    build_zoning(demo_paths().layers, province_rules=demo_paths().province_rules).write(path)
    return path


@pytest.fixture(scope="session")
def national_root(tmp_path_factory) -> Path:
    """ROOT of the national fixtures (Cao Bằng and Lạng Sơn, one folder each), written once."""
    from tests.national_fixtures import province_folders

    return province_folders(tmp_path_factory.mktemp("national") / "root")


@pytest.fixture(scope="session")
def national_run(national_root, tmp_path_factory):
    """The national build of ``national_root`` on an embedded LocalCluster of one worker, made once per session."""
    pytest.importorskip("distributed")
    from zoning.national import build_national

    return build_national(national_root, tmp_path_factory.mktemp("one") / "out", workers=1)


@contextmanager
def running_server(app) -> Iterator[str]:
    """A real uvicorn server for ``app`` on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def invoke(args: list) -> object:
    """Run the command line in process, arguments as text (the console language reset afterwards)."""
    from typer.testing import CliRunner

    from zoning import cli

    try:
        return CliRunner().invoke(cli.app, [str(a) for a in args], catch_exceptions=True)
    finally:
        cli.LANG["console"] = "vi"
