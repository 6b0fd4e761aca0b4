"""The workbook of a regional siting (``zoning siting DIR --provinces …``): the candidates ranked with
their provinces, each province's pieces ranked, and the regional summary; headers in Vietnamese and English.
"""

from __future__ import annotations

from pathlib import Path

from zoning.files import atomic_path, check_output
from zoning.outputs.xlsx import Sheet, write_workbook
from zoning.siting.region import province_summary
from zoning.siting.search import SitingResult

REGIONAL_SUFFIXES = (".xlsx",)


def write_regional_workbook(result: SitingResult, out: str | Path) -> Path:
    """Write the candidates (one ranked table with a province column), the candidates by province and the regional
    summary to one workbook, atomically.
    """
    out = check_output(out, result.sources, suffixes=REGIONAL_SUFFIXES)
    info = result.info
    facility = f"{info['facility_name_vi']} / {info['facility_name_en']}"
    candidates = result.candidates
    rows = [[r["rank"], r["candidate_id"], r["province_names"], r["area_ha"], r["province_areas"], r["commune_names"],
             r.get("dist_residential_m"), r.get("dist_water_m"), r["score"]] for _, r in candidates.iterrows()]
    split = result.split
    pieces = []
    if split is not None and len(split):
        for _, part in split.groupby("province", sort=False):
            part = part.sort_values("rank", kind="stable")
            pieces += [[r["province_name"], i, r["candidate_id"], r["rank"], r["area_ha"], r["share_pct"], r["crs_of_area"]]
                       for i, (_, r) in enumerate(part.iterrows(), start=1)]
    summary = province_summary(result)
    sheets = [
        Sheet("Ung vien - Candidates", rows, title=f"Khu vực ứng viên cấp vùng: {facility} / Regional candidate areas: {facility}",
              header=["Hạng / Rank", "Mã / Id", "Tỉnh / Province", "Diện tích (ha) / Area (ha)", "Diện tích theo tỉnh / Area by province",
                      "Xã / Communes", "Đến khu dân cư (m) / To residential (m)", "Đến nguồn nước (m) / To water (m)", "Điểm / Score"],
              freeze="A3", wrap=True, widths=[8, 8, 22, 14, 40, 40, 14, 14, 8],
              notes=[f"Công thức điểm / Score: {info['score_formula']}"]),
        Sheet("Theo tinh - By province", pieces, title="Khu vực ứng viên theo tỉnh / Candidate areas by province",
              header=["Tỉnh / Province", "Hạng trong tỉnh / Rank in province", "Mã / Id", "Hạng chung / Overall rank",
                      "Diện tích trong tỉnh (ha) / Area in province (ha)", "Tỷ lệ của khu (%) / Share of the candidate (%)",
                      "Hệ tọa độ đo diện tích / CRS of the area"], freeze="A3"),
        Sheet("Tong hop vung - Region", [[r["province_name"], r["candidates"], r["across_border"], r["area_ha"]] for _, r in summary.iterrows()],
              title="Tổng hợp cấp vùng / Regional summary", bold_rows=[False] * (len(summary) - 1) + [True],
              header=["Tỉnh / Province", "Số khu ứng viên / Candidates", "Khu vắt qua ranh giới tỉnh / Across a provincial border",
                      "Diện tích ứng viên (ha) / Candidate area (ha)"],
              notes=[info.get("crs_note", ""), *result.notes], widths=[24, 14, 18, 18]),
    ]
    with atomic_path(out, result.sources) as tmp:
        write_workbook(tmp, sheets)
    return out
