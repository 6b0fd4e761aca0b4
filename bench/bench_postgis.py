"""Benchmark the build against PostGIS: the same three zones in SQL, with a GiST index and tiles.

Runs when ``psql`` reaches a PostgreSQL database with PostGIS (the connection string of
``--dsn``, else the usual ``PG*`` environment variables); otherwise it prints why it
skipped and exits 0. The synthetic province of ``bench_build.py`` is loaded into a schema
of its own (dropped at the end); the load is not timed. Then, in interleaved rounds:

- PostGIS: the criterion polygons (buffers, the 20 m corridor within towns), a GiST
  index, then per 5 km tile the union of each zone's pieces clipped to the tile, split
  over ``--connections`` parallel connections (the tiles are not joined: a lower bound);
- the full build and the zones alone (``bench_build.py``'s child processes).

    python bench/bench_postgis.py [--features 100000] [--rounds 1] [--connections 2] [--dsn "host=… port=…"] [--smoke]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from bench_build import SMOKE_FEATURES, WIDTH_KM, X0, Y0, measure, synthetic_layers

SCHEMA = "zoning_bench"
TILE_M = 5_000

PIECES = f"""
SET search_path TO {SCHEMA}, public;
DROP TABLE IF EXISTS pieces;
CREATE TABLE pieces AS
  SELECT 'strict' AS zone, geom FROM urban WHERE cls IN ('special', 'I', 'II', 'III')
  UNION ALL SELECT 'strict', ST_Buffer(geom, coalesce(width, 20) / 2, 'quad_segs=8') FROM rivers
  UNION ALL SELECT 'strict', ST_Buffer(geom, 100, 'quad_segs=8') FROM relics
  UNION ALL SELECT 'limited', geom FROM urban WHERE cls IN ('IV', 'V')
  UNION ALL SELECT 'limited', ST_Buffer(ST_Buffer(geom, coalesce(width, 20) / 2, 'quad_segs=8'), coalesce(corridor, 15), 'quad_segs=8') FROM rivers
  UNION ALL SELECT 'limited', ST_Buffer(ST_Intersection(b.bed, u.geom), 20, 'quad_segs=8')
    FROM (SELECT ST_Buffer(geom, coalesce(width, 20) / 2, 'quad_segs=8') AS bed FROM rivers WHERE corridor IS NULL) b
    JOIN urban u ON ST_Intersects(b.bed, u.geom);
CREATE INDEX ON pieces USING gist (geom);
ANALYZE pieces;
DROP TABLE IF EXISTS tiles;
CREATE TABLE tiles AS
  SELECT row_number() OVER () AS id, ST_Intersection(g.geom, p.geom) AS geom
  FROM province p, ST_SquareGrid({TILE_M}, p.geom) g WHERE ST_Intersects(g.geom, p.geom);
DROP TABLE IF EXISTS tile_zones;
CREATE UNLOGGED TABLE tile_zones (id bigint, strict_m2 float8, limited_m2 float8, other_m2 float8);
"""

TILE_ZONES = """
SET search_path TO {schema}, public;
INSERT INTO tile_zones
SELECT t.id, ST_Area(z.s), ST_Area(ST_Difference(z.l, z.s)), ST_Area(t.geom) - ST_Area(ST_Union(z.s, z.l))
FROM tiles t
CROSS JOIN LATERAL (
  SELECT coalesce(ST_Union(ST_Intersection(p.geom, t.geom)) FILTER (WHERE p.zone = 'strict'), 'POLYGON EMPTY'::geometry) AS s,
         coalesce(ST_Union(ST_Intersection(p.geom, t.geom)) FILTER (WHERE p.zone = 'limited'), 'POLYGON EMPTY'::geometry) AS l
  FROM pieces p WHERE p.geom && t.geom AND ST_Intersects(p.geom, t.geom)
) z
WHERE t.id % {connections} = {part};
"""


def psql(dsn: str | None, sql: str, *, capture: bool = True) -> subprocess.CompletedProcess:
    """Run SQL through ``psql`` (stop at the first error)."""
    command = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + ([dsn] if dsn else [])
    return subprocess.run(command, input=sql, capture_output=capture, text=True, check=False)


def reachable(dsn: str | None) -> str | None:
    """Why PostGIS cannot be used, or None when it can."""
    if shutil.which("psql") is None:
        return "không có psql / psql is not installed"
    done = psql(dsn, "SELECT postgis_lib_version();")
    if done.returncode:
        reason = done.stderr.strip().splitlines()[-1].strip() if done.stderr.strip() else f"psql {done.returncode}"
        return f"không kết nối được PostgreSQL có PostGIS / no PostgreSQL with PostGIS reachable ({reason})"
    return None


def load(dsn: str | None, features: int, folder: Path) -> None:
    """The synthetic province into the bench schema, as CSV with hexadecimal WKB."""
    layers = synthetic_layers(features)
    tables = {
        "province": ("geom", layers["province"], []),
        "urban": ("id, cls, geom", layers["urban_areas"], ["urban_class"]),
        "rivers": ("id, width, corridor, geom", layers["water_supply_sources"], ["width_m", "corridor_m"]),
        "relics": ("id, geom", layers["relic_zones"], []),
    }
    script = [f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; SET search_path TO {SCHEMA}, public;",
              "CREATE TABLE province (geom geometry);", "CREATE TABLE urban (id int, cls text, geom geometry);",
              "CREATE TABLE rivers (id int, width float8, corridor float8, geom geometry);", "CREATE TABLE relics (id int, geom geometry);"]
    for table, (columns, frame, attributes) in tables.items():
        path = folder / f"{table}.csv"
        data = {} if table == "province" else {"id": np.arange(len(frame))}
        data |= {a: frame[a].to_numpy() for a in attributes}
        data["geom"] = shapely.to_wkb(frame.geometry.to_numpy(), hex=True)
        rows = zip(*data.values())
        path.write_text("".join(",".join("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in row) + "\n" for row in rows))
        script.append(f"\\copy {table} ({columns}) FROM '{path}' WITH (FORMAT csv)")
    script += [f"CREATE INDEX ON {table} USING gist (geom);" for table in ("urban", "rivers", "relics")]
    script.append("ANALYZE;")
    done = psql(dsn, "\n".join(script))
    if done.returncode:
        sys.exit(f"tải dữ liệu thất bại / loading failed:\n{done.stderr}")


def postgis_zones(dsn: str | None, connections: int) -> dict:
    """Criterion polygons, index and per-tile zones in SQL; wall time and zone areas."""
    started = time.perf_counter()
    done = psql(dsn, PIECES)
    if done.returncode:
        sys.exit(f"PostGIS: {done.stderr}")
    pieces_s = time.perf_counter() - started
    parts = [subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + ([dsn] if dsn else []), stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(connections)]
    for part, process in enumerate(parts):
        assert process.stdin is not None
        process.stdin.write(TILE_ZONES.format(schema=SCHEMA, connections=connections, part=part))
        process.stdin.close()
    failures = [process.stderr.read() for process in parts if process.wait() and process.stderr]
    if failures:
        sys.exit(f"PostGIS: {failures[0]}")
    wall = time.perf_counter() - started
    areas = psql(dsn, f"SELECT sum(strict_m2) / 1e4, sum(limited_m2) / 1e4, sum(other_m2) / 1e4 FROM {SCHEMA}.tile_zones;").stdout.strip()
    strict, limited, other = (float(v) for v in areas.split("|"))
    return {"wall_s": wall, "pieces_s": pieces_s, "zones_ha": {"strict": strict, "emission_limited": limited, "other": other}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--connections", type=int, default=2, help="parallel connections for the tiles")
    parser.add_argument("--dsn", help="a libpq connection string (default: the PG* environment variables)")
    parser.add_argument("--smoke", action="store_true", help=f"a quick run: {SMOKE_FEATURES:,} features")
    args = parser.parse_args()
    if args.smoke:
        args.features, args.rounds = SMOKE_FEATURES, 1
    why = reachable(args.dsn)
    if why:
        print(f"Bỏ qua phép so sánh với PostGIS / PostGIS comparison skipped: {why}")
        return
    assert WIDTH_KM * 1000 > TILE_M and X0 > 0 and Y0 > 0  # the tiles of both are 5 km squares over the same province
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o755)  # psql reads the files as this user; the server never does
        load(args.dsn, args.features, Path(tmp))
    print(f"Synthetic province, {args.features:,} features, {args.rounds} round(s), PostGIS on {args.connections} connection(s):", flush=True)
    rows = []
    try:
        for number in range(args.rounds):
            sql = postgis_zones(args.dsn, args.connections)
            build, zones = measure("build", args.features), measure("zones", args.features)
            rows.append((sql["wall_s"], build["wall_s"], zones["wall_s"]))
            print(f"  round {number + 1}: PostGIS zones {sql['wall_s']:7.2f} s wall (criterion polygons and index {sql['pieces_s']:.2f} s); "
                  f"build {build['wall_s']:7.2f} s wall ({build['cpu_s']:.1f} CPU-s); zones alone {zones['wall_s']:7.2f} s", flush=True)
        difference = max(abs(sql["zones_ha"][z] - build["zones_ha"][z]) for z in build["zones_ha"])
        areas = ", ".join(f"{z} {ha:,.2f}" for z, ha in sql["zones_ha"].items())
        print(f"  PostGIS zones ha: {areas} (largest difference from the build {difference:.4f} ha)")
        sql_s, build_s, zones_s = (float(np.median(column)) for column in zip(*rows))
        print(f"  median wall: PostGIS / build {sql_s / build_s:.2f}×, PostGIS / zones alone {sql_s / zones_s:.2f}×")
    finally:
        psql(args.dsn, f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE;")


if __name__ == "__main__":
    main()
