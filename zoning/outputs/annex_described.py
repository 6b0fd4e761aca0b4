"""Units described by their rule in Phụ lục IV instead of a coordinate table.

A unit defined by a distance from a line or a point (a water-source corridor, a river
channel of assumed width, a circle around a point, a buffer of a recorded width) has two
long edges that follow the feature: listing them point by point fills pages and adds
nothing the rule does not say. Such a unit is described by its rule (the feature, the
communes it crosses, the width and the line it is measured from); its boundary is in the
digital dataset. Units whose boundary is itself the designation (reserves, relic zones,
inner urban areas) keep their coordinate tables.
"""

from __future__ import annotations

import json

import pandas as pd

DISTANCE_KEYS = ("line_width", "distance")  # a geometry spec with one of these is drawn from a line or a core by a width
MEASURED_FROM = {
    "line_width": "lòng dẫn tính từ đường tim dòng chảy sang mỗi bên",
    "distance": "bề rộng tính từ mép ngoài của {base}",
    "point_radius": "bán kính tính từ vị trí điểm của đối tượng",
}


def described_units(units: pd.DataFrame, criteria: pd.DataFrame, point_sources: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """The units described by rule: unit_id and the Vietnamese description of the rule.

    ``criteria``: the build's criteria indexed by id, with ``geometry_spec`` (JSON);
    ``point_sources``: (layer, id) of the source features that are points (a circle drawn
    around them); when None, a unit of a point-radius criterion counts as a circle when its
    assumption says so.
    """
    rows = []
    for unit in units.itertuples():
        spec = _spec(criteria, unit.criterion)
        assumption = str(getattr(unit, "assumption", "") or "")
        if any(key in spec for key in DISTANCE_KEYS):
            measured = [MEASURED_FROM[k].format(name=unit.name, base="lòng dẫn" if "line_width" in spec else "vùng lõi")
                        for k in DISTANCE_KEYS if k in spec]
        elif "point_radius" in spec and (
            (point_sources is not None and (unit.source_layer, str(unit.source_id)) in point_sources)
            or "vòng tròn" in assumption  # the default circle around a point says so
        ):
            measured = [MEASURED_FROM["point_radius"].format(name=unit.name)]
        else:
            continue
        widths = assumption.rstrip(".") if assumption else "bề rộng theo số liệu ghi trên đối tượng"
        rows.append({
            "unit_id": unit.unit_id,
            "rule": f"{widths}; {'; '.join(measured)}",
        })
    return pd.DataFrame(rows, columns=["unit_id", "rule"])


def _spec(criteria: pd.DataFrame, criterion: str) -> dict:
    if "geometry_spec" not in criteria or criterion not in criteria.index:
        return {}
    text = criteria.loc[criterion, "geometry_spec"]
    try:
        return json.loads(text) if isinstance(text, str) and text else {}
    except ValueError:
        return {}
