"""The proposed designations of an annex, listed apart from the zones.

A designation the plan asks to establish but whose boundary is not yet decided (status
``proposed``) belongs to no zone: it is not numbered in the tables of Phụ lục I and II,
carries no zone and is listed in the explanatory part as "Các khu vực đề xuất (chưa tính
vào vùng)" with its name, kind (the criterion that would apply), area, basis and status.
"""

from __future__ import annotations

import pandas as pd

from zoning import terms
from zoning.outputs.annex_model import NOTE_ILLUSTRATIVE, AnnexTable

PROPOSED_CAPTION = "Các khu vực đề xuất (chưa tính vào vùng) / Proposed areas (not counted in any zone)"
PROPOSED_STATUS = "Đề xuất, chưa có ranh giới pháp lý"
PROPOSED_COLUMNS = ["STT", "Tên khu vực", "Loại khu vực", "Diện tích (ha)", "Trong đó chưa trùng khu vực đã có hiệu lực (ha)",
                    "Căn cứ đề xuất", "Tình trạng"]


def designation_areas(proposed: pd.DataFrame, lineage: pd.DataFrame) -> pd.Series:
    """Per proposed unit, the area of its whole designation in the province (ha): its own
    land plus the land it shares with the units that prevailed over it (the lineage rows
    of the same feature and criterion, which the disjoint units never count twice).
    """
    key = ["source_layer", "source_id", "criterion"]
    if not len(proposed):
        return pd.Series(dtype=float)
    rows = lineage.assign(source_id=lineage["source_id"].astype(str))
    whole = rows.groupby(key)["overlap_ha"].sum()
    index = pd.MultiIndex.from_arrays([proposed["source_layer"], proposed["source_id"].astype(str), proposed["criterion"]], names=key)
    return pd.Series(whole.reindex(index).to_numpy(), index=proposed.index).fillna(proposed["area_ha"].astype(float))


def proposed_table(proposed: pd.DataFrame, lineage: pd.DataFrame, criteria: pd.DataFrame) -> AnnexTable | None:
    """The list of the proposed designations (none: no table), with the area of each and its part outside the zones."""
    if not len(proposed):
        return None
    whole = designation_areas(proposed, lineage)
    rows: list[list] = []
    for number, unit in enumerate(proposed.itertuples(), start=1):
        known = unit.criterion in criteria.index
        kind = criteria.loc[unit.criterion, "title_vi"] if known else unit.criterion
        status = [f"{PROPOSED_STATUS}."]
        if known and criteria.loc[unit.criterion, "status"] != "confirmed":
            status.append("Tiêu chí chưa xác nhận.")
        if unit.illustrative:
            status.append(NOTE_ILLUSTRATIVE)
        rows.append([str(number), unit.name, kind, round(float(whole[unit.Index]), 2), round(float(unit.area_ha), 2), unit.citation_vi,
                     "\n".join(status)])
    rows.append(["", "Cộng", "", round(float(whole.sum()), 2), round(float(proposed["area_ha"].sum()), 2), "", ""])
    notes = [
        "Khu vực mà Kế hoạch, quy hoạch đề nghị xác lập nhưng chưa có ranh giới pháp lý: không thuộc vùng nào, không đánh số trong "
        "danh mục các khu vực của Phụ lục I, II và không tính vào diện tích vùng (Phụ lục III).",
        "Diện tích là diện tích khu vực đề xuất trong địa bàn; phần trùng với khu vực đã có hiệu lực thuộc vùng của khu vực đó và được "
        f"ghi ở cột Ghi chú của khu vực đó; phần còn lại ({terms.quantity(float(proposed['area_ha'].sum()), 'area_ha')}) thuộc vùng khác "
        "cho đến khi khu vực được xác lập.",
    ]
    return AnnexTable(PROPOSED_CAPTION, PROPOSED_COLUMNS, [11, 62, 45, 24, 30, 70, 40], rows, ["proposed"] * (len(rows) - 1) + ["total"],
                      "", notes)
