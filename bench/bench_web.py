"""Benchmark: the web application (``zoning serve``) over HTTP on loopback, demo build.

Starts ``python -m zoning serve --offline`` (the Cao Bằng demo, built in memory) in its own
process on a free port, then measures from this process, with keep-alive HTTP clients:

1. one-point checks, one after the other: p50/p95/p99 (target p95 < 100 ms);
2. one 50 ha polygon (a randomly placed and turned square): p50/p95/max (target < 200 ms);
3. 10,000 points in one request (target < 2 s);
4. ``--clients`` concurrent clients for ``--duration`` seconds, each sending checks back to
   back (nine points for every 50 ha polygon): requests per second, p50/p95/p99 and the
   number of errors (target: zero).

Sites are random points and squares inside the province (a fixed seed), so no answer can
come from a cache. Each answer is checked for a verdict; any other status is an error.

Run:  python bench/bench_web.py [--duration 60] [--clients 20] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zoning.builder import build as build_zoning  # noqa: E402
from zoning.demo import demo_paths  # noqa: E402
from zoning.inputs.crs import WGS84, reproject  # noqa: E402

TARGET_POINT_P95_MS = 100.0
TARGET_POLYGON_MS = 200.0
TARGET_MANY_S = 2.0
SIDE_50_HA = math.sqrt(500_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """``zoning serve`` in its own process; returns once it answers."""
    process = subprocess.Popen([sys.executable, "-m", "zoning", "serve", "--port", str(port), "--offline"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not start within 180 s")


class Sites:
    """Random points and 50 ha squares inside the province, in WGS 84 as the page sends them."""

    def __init__(self, build, seed: int = 2026):
        self.rng = np.random.default_rng(seed)
        province = build.zones.geometry.union_all()
        self.inner = shapely.buffer(province, -SIDE_50_HA)  # squares stay inside the province
        shapely.prepare(self.inner)
        shapely.prepare(province)
        self.province, self.crs = province, build.crs

    def _inside(self, shape, n: int) -> np.ndarray:
        xmin, ymin, xmax, ymax = shape.bounds
        out = np.empty((0, 2))
        while len(out) < n:
            xy = np.column_stack([self.rng.uniform(xmin, xmax, 4 * n), self.rng.uniform(ymin, ymax, 4 * n)])
            out = np.vstack([out, xy[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])]])
        return out[:n]

    def points(self, n: int) -> np.ndarray:
        """[lon, lat] of ``n`` points."""
        return shapely.get_coordinates(reproject(shapely.points(self._inside(self.province, n)), self.crs, WGS84))

    def squares(self, n: int) -> list[dict]:
        """GeoJSON polygons of ``n`` 50 ha squares, turned at random."""
        centres, angles = self._inside(self.inner, n), self.rng.uniform(0, np.pi / 2, n)
        half = SIDE_50_HA / 2
        corners = np.array([[-half, -half], [half, -half], [half, half], [-half, half], [-half, -half]])
        rings = []
        for (x, y), a in zip(centres, angles):
            turn = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
            rings.append(corners @ turn.T + [x, y])
        polygons = reproject(shapely.polygons(np.array(rings)), self.crs, WGS84)
        return [json.loads(text) for text in shapely.to_geojson(polygons)]


def point_body(lon: float, lat: float) -> dict:
    return {"sites": {"type": "Point", "coordinates": [float(lon), float(lat)]}}


def timed_post(client: httpx.Client, body: dict) -> tuple[float, bool]:
    started = time.perf_counter()
    response = client.post("/api/check", json=body)
    elapsed = time.perf_counter() - started
    ok = response.status_code == 200 and "verdict" in response.json()["sites"][0]
    return elapsed, ok


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {"n": len(ms), "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)), "p99": float(np.percentile(ms, 99)), "max": float(ms.max())}


def show(label: str, stats: dict[str, float], target: str) -> None:
    print(f"{label:<34} n={stats['n']:>5}  p50 {stats['p50']:7.1f} ms  p95 {stats['p95']:7.1f} ms  p99 {stats['p99']:7.1f} "
        f"ms  max {stats['max']:7.1f} ms   {target}")


def load(base: str, sites: Sites, clients: int, duration: float) -> dict:
    """``clients`` threads posting checks back to back for ``duration`` seconds."""
    points, squares = sites.points(20_000), sites.squares(2_000)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    stop = time.monotonic() + duration

    def run(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            i = k
            while time.monotonic() < stop:
                body = {"sites": squares[i % len(squares)]} if i % 10 == 9 else point_body(*points[i % len(points)])
                try:
                    elapsed, ok = timed_post(client, body)
                except httpx.HTTPError as error:
                    errors.append(repr(error))
                    continue
                latencies[k].append(elapsed)
                if not ok:
                    errors.append("bad answer")
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    flat = [s for per in latencies for s in per]
    return {**percentiles(flat), "requests_per_s": len(flat) / wall, "errors": len(errors), "wall_s": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the concurrent load")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--points", type=int, default=300, help="one-point checks, one after the other")
    parser.add_argument("--polygons", type=int, default=60, help="50 ha polygon checks, one after the other")
    parser.add_argument("--many", type=int, default=10_000, help="points in one request")
    parser.add_argument("--smoke", action="store_true", help="a quick run: 2 clients for 2 s, 20 points, 5 polygons, 200 points in one request")
    args = parser.parse_args()
    if args.smoke:
        args.duration, args.clients, args.points, args.polygons, args.many = 2.0, 2, 20, 5, 200

    demo = demo_paths()
    sites = Sites(build_zoning(demo.layers, province_rules=demo.province_rules))
    port = free_port()
    started = time.perf_counter()
    server = start_server(port)
    print(f"zoning serve started in {time.perf_counter() - started:.1f} s (demo build in memory, indexed); {os.cpu_count()} CPU(s)")
    base = f"http://127.0.0.1:{port}"
    failures = 0
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for lon, lat in sites.points(20):  # warm up
                timed_post(client, point_body(lon, lat))
            runs = [timed_post(client, point_body(lon, lat)) for lon, lat in sites.points(args.points)]
            one = percentiles([s for s, _ in runs])
            failures += sum(not ok for _, ok in runs)
            show("one point", one, f"target p95 < {TARGET_POINT_P95_MS:.0f} ms: {'met' if one['p95'] < TARGET_POINT_P95_MS else 'NOT met'}")
            runs = [timed_post(client, {"sites": square}) for square in sites.squares(args.polygons)]
            polygon = percentiles([s for s, _ in runs])
            failures += sum(not ok for _, ok in runs)
            show("one 50 ha polygon", polygon, f"target < {TARGET_POLYGON_MS:.0f} ms (p95): {'met' if polygon['p95'] < TARGET_POLYGON_MS else 'NOT met'}")
            xy = sites.points(args.many)
            body = {"sites": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"id": f"p{i}"}, "geometry": {"type": "Point", "coordinates": [float(x), float(y)]}}
                for i, (x, y) in enumerate(xy)]}}
            size = len(json.dumps(body)) / 1e6
            many = []
            for _ in range(3):
                started = time.perf_counter()
                response = client.post("/api/check", json=body)
                many.append(time.perf_counter() - started)
                failures += response.status_code != 200 or len(response.json()["sites"]) != args.many
            print(f"{f'{args.many:,} points in one request':<34} best {min(many):.2f} s, median {np.median(many):.2f} s over 3 "
                  f"(request {size:.1f} MB, answer {len(response.content) / 1e6:.1f} MB)   target < {TARGET_MANY_S:.0f} s: "
                      f"{'met' if min(many) < TARGET_MANY_S else 'NOT met'}")
        stats = load(base, sites, args.clients, args.duration)
        print(f"{args.clients} clients for {args.duration:.0f} s{'':<14} n={stats['n']:>5}  p50 {stats['p50']:7.1f} ms  p95 {stats['p95']:7.1f} ms  "
              f"p99 {stats['p99']:7.1f} ms  max {stats['max']:7.1f} ms   {stats['requests_per_s']:.1f} requests/s, {stats['errors']} errors")
        failures += stats["errors"]
    finally:
        server.terminate()  # the process started above
        server.wait(timeout=30)
    print("all answers were checks" if not failures else f"{failures} failed request(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
