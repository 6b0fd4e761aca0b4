"""An amending annex that would amend nothing: refused unless asked for.

``zoning annex NEW --against OLD`` where the two builds zone the province the same way
(the same build twice, or a rebuild from the same inputs) would write an annex of 0 ha
with no unit added, removed or changed. That is almost always the wrong ``--against``;
:func:`check_changes` refuses it, and with ``allow_empty`` writes it with a notice.
"""

from __future__ import annotations

import pandas as pd

from zoning.errors import ZoningError


def check_changes(changed_ha: float, unit_changes: pd.DataFrame, old_name: str, new_name: str, *, allow_empty: bool) -> list[str]:
    """Nothing when the amendment changes something; else a notice (``allow_empty``) or a :class:`ZoningError`.

    Parameters
    ----------
    changed_ha
        Land moved between the zones (ha).
    unit_changes
        One row per unit removed, added or changed.
    old_name, new_name
        The builds, as the message names them.
    allow_empty
        Write the annex of no change anyway, with a notice.
    """
    if changed_ha > 0 or len(unit_changes):
        return []
    if allow_empty:
        return [f"{old_name} và {new_name} phân vùng giống nhau: phụ lục ghi nhận không có thay đổi nào (0 ha) / "
                f"{old_name} and {new_name} zone the province alike: the annex records no change (0 ha)"]
    raise ZoningError(
        (f"{new_name} không điều chỉnh gì so với {old_name}: không có đất chuyển vùng (0 ha), không có khu vực nào được thêm, bỏ hay "
         "đổi ranh giới; phụ lục quyết định điều chỉnh sẽ trống",
         f"{new_name} amends nothing in {old_name}: no land moves between the zones (0 ha) and no unit is added, removed or changed; "
         "the amending annex would be empty"),
        ("kiểm tra --against: đó phải là bản phân vùng của quyết định được điều chỉnh, không phải chính bản mới; muốn ghi phụ lục "
         "trống thì thêm --allow-empty",
         "check --against: it must be the build of the decision being amended, not the revised build itself; to write the empty "
         "annex anyway, add --allow-empty"),
    )
