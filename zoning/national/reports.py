"""The national tables: ``summary.xlsx`` (zone areas by province, by region and nationally; by
criterion; by status; assumed and illustrative shares; a chart) and ``consistency.xlsx`` /
``consistency.html`` (the checks across borders). Headers in Vietnamese and English.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from zoning.files import atomic_path, write_text
from zoning.inputs.reference import find_province
from zoning.national.consistency import Consistency
from zoning.national.mosaic import regions
from zoning.outputs.xlsx import Sheet, write_workbook

ZONES = ("strict", "emission_limited", "other")
ZONE_HEADERS = ["Vùng bảo vệ nghiêm ngặt (ha) / Strict (ha)", "Vùng hạn chế phát thải (ha) / Emission-limited (ha)",
                "Vùng khác (ha) / Other (ha)", "Tổng (ha) / Total (ha)", "Tỷ lệ nghiêm ngặt (%) / Strict share (%)",
                "Tỷ lệ hạn chế phát thải (%) / Emission-limited share (%)"]


def zone_table(zones: pd.DataFrame) -> pd.DataFrame:
    """Zone areas (ha, each province's own TM-3 figure) by province, with region; one row per province in code order."""
    table = zones.pivot_table(index=["province_code", "province", "region"], columns="zone", values="area_ha", aggfunc="sum", fill_value=0.0)
    table = table.reindex(columns=list(ZONES), fill_value=0.0).reset_index().sort_values("province_code")
    table["total"] = table[list(ZONES)].sum(axis=1)
    return table.reset_index(drop=True)


def _shares(row) -> list:
    total = row["total"] or 1.0
    return [row["strict"], row["emission_limited"], row["other"], row["total"], 100 * row["strict"] / total, 100 * row["emission_limited"] / total]


def write_summary(path: Path, national: dict[str, pd.DataFrame], statuses: list[dict]) -> Path:
    """``summary.xlsx``: provinces, regions, the nation, criteria, statuses and shares, the provinces' run status."""
    table = zone_table(national["zones"])
    names = {p: find_province(p) for p in table["province"]}
    region_names = regions()
    rows = [[r["province_code"], names[r["province"]].full_name, region_names[r["region"]][0], *_shares(r)] for _, r in table.iterrows()]
    by_region = table.groupby("region", sort=True)[[*ZONES, "total"]].sum().reset_index()
    region_rows = [[region_names[r["region"]][0], region_names[r["region"]][1], *_shares(r)] for _, r in by_region.iterrows()]
    nation = table[[*ZONES, "total"]].sum()
    units = national["units"]
    total = float(nation["total"]) or 1.0
    criteria = units.groupby(["criterion", "zone"])["area_ha"].sum().reset_index()
    status = units.groupby("status")["area_ha"].sum()
    assumed = float(units.loc[units["assumption"].fillna("").astype(str) != "", "area_ha"].sum())
    illustrative = float(units.loc[units["illustrative"].fillna(False).astype(bool), "area_ha"].sum())
    sheets = [
        Sheet("Tinh - Provinces", rows, title="Diện tích các vùng theo tỉnh / Zone areas by province",
              header=["Mã / Code", "Tỉnh / Province", "Vùng KT-XH / Region", *ZONE_HEADERS], freeze="A3"),
        Sheet("Vung - Regions", region_rows, title="Theo vùng kinh tế – xã hội / By socio-economic region",
              header=["Vùng / Region", "Region (en)", *ZONE_HEADERS], freeze="A3",
              notes=["Vùng theo Nghị quyết 81/2023/QH15; vùng của tỉnh hợp nhất năm 2025 là cách đọc của phần mềm (chưa xác nhận) / "
                     "Regions of Resolution 81/2023/QH15; the region of a province merged in 2025 is this software's reading (unconfirmed)"]),
        Sheet("Ca nuoc - Nation", [["Cả nước / Nation", *_shares(nation)]], title="Cả nước / Nation", header=["", *ZONE_HEADERS],
              notes=["Diện tích lấy từ bản phân vùng của từng tỉnh, đo trong hệ VN-2000 / TM-3 của tỉnh / Areas from each province's own "
                     "build, measured in its VN-2000 / TM-3 CRS"]),
        Sheet("Tieu chi - Criteria", [[r["criterion"], r["zone"], r["area_ha"], 100 * r["area_ha"] / total] for _, r in criteria.iterrows()],
              title="Diện tích khu vực theo tiêu chí / Unit area by criterion",
              header=["Tiêu chí / Criterion", "Vùng / Zone", "Diện tích (ha) / Area (ha)", "Tỷ lệ (%) / Share (%)"]),
        Sheet("Trang thai - Statuses", [[k, float(v), 100 * float(v) / total] for k, v in status.items()]
              + [["giả định chiều rộng / assumed width", assumed, 100 * assumed / total],
                 ["minh họa / illustrative", illustrative, 100 * illustrative / total]],
              title="Theo trạng thái căn cứ; phần giả định và minh họa / By status of the basis; assumed and illustrative shares",
              header=["Trạng thái / Status", "Diện tích (ha) / Area (ha)", "Tỷ lệ (%) / Share (%)"]),
        Sheet("Chay - Run", [[s["province"], s["state_vi"], s["state_en"], s.get("error_vi") or "", s.get("error") or ""] for s in statuses],
              title="Tình trạng từng tỉnh / Each province's run",
              header=["Tỉnh / Province", "Tình trạng", "State", "Lỗi", "Error"], wrap=True, widths=[14, 22, 22, 50, 50]),
    ]
    with atomic_path(path) as tmp:
        write_workbook(tmp, sheets)
        _chart(tmp, len(region_rows))
    return path


def _chart(path: Path, rows: int) -> None:
    """A stacked bar chart of the zones by region on the regions sheet."""
    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    workbook = load_workbook(path)
    sheet = workbook["Vung - Regions"]
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = "Diện tích các vùng theo vùng KT-XH / Zone areas by region (ha)"
    chart.add_data(Reference(sheet, min_col=3, max_col=5, min_row=2, max_row=2 + rows), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + rows))
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, "J3")
    workbook.save(path)


def consistency_sheets(found: Consistency) -> list[Sheet]:
    """The checks as worksheets."""
    verdict = ("đạt / clean" if found.clean else "KHÔNG ĐẠT / NOT clean")
    return [
        Sheet("Do phu - Coverage", [["Đất cả nước (m²) / National land (m²)", found.land_m2], ["Hở (m²) / Gaps (m²)", found.gap_m2],
                                    ["Chồng lấn (m²) / Overlaps (m²)", found.overlap_m2], ["Dung sai (m²) / Tolerance (m²)", found.tolerance_m2],
                                    ["Kết luận / Verdict", verdict]],
              title="Độ phủ của các vùng cả nước / Coverage of the national zones", header=["", ""],
              notes=["Diện tích trắc địa trên elipxoit VN-2000 / Geodesic areas on the VN-2000 ellipsoid"]),
        Sheet("Cap tinh - Pairs", found.pairs.to_numpy().tolist(), title="Các cặp tỉnh giáp nhau / Neighbouring provinces",
              header=["Tỉnh A / Province A", "Tỉnh B / Province B", "Ranh giới chung (km) / Shared border (km)", "Chồng lấn (m²) / Overlap (m²)",
                      "Trong dung sai / Within tolerance"]),
        Sheet("Khac nhau - Differences", found.differences.to_numpy().tolist(), title="Đối tượng cho vùng khác nhau hai bên ranh giới / "
              "Features zoned differently across a border", header=["Lớp / Layer", "Mã / Id", "Tỉnh A / Province A", "Vùng A / Zones A",
                                                                    "Tỉnh B / Province B", "Vùng B / Zones B", "Nguyên nhân", "Cause"], wrap=True),
        Sheet("Vat ranh gioi - Crossing", found.crossing.to_numpy().tolist(), title="Đối tượng vắt qua ranh giới tỉnh / Features across a border",
              header=["Lớp / Layer", "Mã / Id", "Tên / Name", "Tỉnh / Province", "Vùng / Zone", "Diện tích (ha) / Area (ha)", "Tổng (ha) / Total (ha)"]),
        Sheet("Quy tac - Rules", found.rules.to_numpy().tolist(), title="Bộ quy tắc của từng tỉnh / Each province's rules"
              + (" — PHIÊN BẢN KHÁC NHAU / VERSIONS DIFFER" if found.rule_versions_differ else ""),
              header=["Tỉnh / Province", "Bộ quy tắc / Rule set", "Tệp / File", "Phiên bản / Version", "SHA-256", "Khác phiên bản / Differs"]),
    ]


def write_consistency(folder: Path, found: Consistency) -> list[Path]:
    """``consistency.xlsx`` and ``consistency.html``."""
    sheets = consistency_sheets(found)
    xlsx = folder / "consistency.xlsx"
    with atomic_path(xlsx) as tmp:
        write_workbook(tmp, sheets)
    parts = ["<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Tính nhất quán giữa các tỉnh / Consistency across provinces</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #bbb;"
             "padding:3px 6px;font-size:13px}th{background:#eee}</style></head><body>",
             "<h1>Tính nhất quán giữa các tỉnh / Consistency across provinces</h1>"]
    for sheet in sheets:
        header = "".join(f"<th>{html.escape(str(h))}</th>" for h in sheet.header or [])
        parts.append(f"<h2>{html.escape(sheet.title or sheet.name)}</h2><table><tr>{header}</tr>")
        for row in sheet.rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>")
        parts.append("</table>" + "".join(f"<p>{html.escape(n)}</p>" for n in sheet.notes))
    parts.append("</body></html>")
    page = write_text(folder / "consistency.html", "\n".join(parts))
    return [xlsx, page]


def _cell(value) -> str:
    return f"{value:,.3f}" if isinstance(value, float) else str(value)
