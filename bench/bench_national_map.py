"""Benchmark the national map on the reference boundaries in use: size, writing time, and in headless Chromium
the time to show the country and to load one province's detail.

Every province of the reference with communes is one "other" zone (the union of its communes)
and its communes; with a national reference (``ZONING_REFERENCE``, 3,321 communes) this is
the map's heaviest part at full scale. The baseline is the same layers as plain GeoJSON with
6 decimals (what a straightforward export writes).

    python bench/bench_national_map.py [--smoke] [--provinces N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zoning.inputs.reference import province_by_code, reference_layer, reference_path  # noqa: E402
from zoning.national.mosaic import NATIONAL_CRS  # noqa: E402
from zoning.national.webmap import DETAIL_FOLDER, DETAIL_TOLERANCE_M, PAGE, for_display, write_national_map  # noqa: E402
from zoning.outputs.mapdata import feature_collection, geojson_geometries  # noqa: E402
from zoning.outputs.webassets import safe_json  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")


def national_frames(limit: int | None) -> dict[str, pd.DataFrame]:
    """Zones (one "other" zone a province), empty units and the communes, as a national run assembles them."""
    communes = reference_layer("communes").to_crs(NATIONAL_CRS)
    codes = sorted(set(communes["province_code"]))[:limit]
    communes = communes[communes["province_code"].isin(codes)].copy()
    communes["province"] = [province_by_code(c).slug for c in communes["province_code"]]
    communes["area_ha"] = communes.get("area_km2", 0) * 100
    zones = communes.dissolve("province", as_index=False)[["province", "geometry"]]
    zones["zone"], zones["area_ha"] = "other", [communes.loc[communes["province"] == s, "area_ha"].sum() for s in zones["province"]]
    zones.geometry = shapely.make_valid(zones.geometry.to_numpy())
    units = communes.iloc[:0][["province", "geometry"]].assign(zone="", name="", citation_vi="", status="confirmed", area_ha=0.0)
    return {"zones": zones, "units": units, "communes": communes}


def in_browser(page: Path, slug: str) -> dict:
    """Seconds to the country drawn and to a province's detail shown, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 860})
        start = time.perf_counter()
        tab.goto(page.resolve().as_uri())
        tab.wait_for_function("window.zoningNational !== undefined")
        shown = time.perf_counter() - start
        start = time.perf_counter()
        tab.select_option("#national-pick", slug)
        tab.wait_for_function(f"zoningNational.shown().includes({json.dumps(slug)})", timeout=60_000)
        detail = time.perf_counter() - start
        browser.close()
    return {"country_s": round(shown, 2), "province_detail_s": round(detail, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one province, no browser")
    parser.add_argument("--provinces", type=int, default=None, help="the first N provinces of the reference only")
    args = parser.parse_args()
    frames = national_frames(1 if args.smoke else args.provinces)
    slugs = list(frames["zones"]["province"])
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        start = time.perf_counter()
        write_national_map(out, frames)
        written = time.perf_counter() - start
        detail_mb = sum(p.stat().st_size for p in (out / DETAIL_FOLDER).iterdir()) / 1e6
        largest = max((p.stat().st_size for p in (out / DETAIL_FOLDER).iterdir()), default=0) / 1e6
        communes = frames["communes"]
        geojson = safe_json(feature_collection(geojson_geometries(for_display(communes.geometry.to_numpy(), DETAIL_TOLERANCE_M), NATIONAL_CRS),
                                               [{"name": n} for n in communes["full_name"]]))
        result = {"reference": reference_path().name, "provinces": len(slugs), "communes": len(communes), "write_s": round(written, 2),
                  "page_mb": round((out / PAGE).stat().st_size / 1e6, 2), "detail_mb": round(detail_mb, 2), "largest_province_mb": round(largest, 2),
                  "baseline_geojson_mb": round(len(geojson.encode()) / 1e6, 2)}
        result["ratio_to_baseline"] = round(result["detail_mb"] / max(result["baseline_geojson_mb"], 1e-9), 2)
        if not args.smoke and CHROMIUM.exists():
            biggest = max(slugs, key=lambda s: (out / DETAIL_FOLDER / f"{s}.js").stat().st_size)
            result.update(in_browser(out / PAGE, biggest), browser_province=biggest)
        elif not args.smoke:
            result["browser"] = "bỏ qua: chưa cài Chromium (apt-get install chromium) / skipped: Chromium is not installed"
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
