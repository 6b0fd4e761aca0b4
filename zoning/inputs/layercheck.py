"""The layers checked all at once, before a build: every problem of every layer in one run.

A build stops at the first problem it meets; :func:`check_layers` goes on and collects them
all (:class:`~zoning.inputs.layers.Problem`), with what a build would note (recognised
columns, columns not used, repairs). :func:`zoning.outputs.layer_report.write_layer_report`
writes them as a workbook and a web page, one row per problem and feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import CRS

from zoning.errors import InputError
from zoning.inputs.crs import describe, tm3_crs
from zoning.inputs.layers import InputLike, LayerSet, Problem, read_layers
from zoning.inputs.meridian import check_meridian

REQUIRED_KINDS = ("province", "communes")  # what a build needs besides the sensitive layers
ROW_FIELDS = ("layer", "source", "feature", "field", "value", "problem_vi", "problem_en", "hint_vi", "hint_en")


@dataclass
class LayerCheck:
    """Every problem of the input layers, and what was read and noted."""

    source: str
    crs: CRS | None
    problems: list[Problem] = field(default_factory=list)
    layers: LayerSet = field(default_factory=lambda: LayerSet(crs=None))
    notes: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        """Whether a build of these layers would refuse them."""
        return bool(self.problems)

    def rows(self) -> list[dict[str, str]]:
        """One row per problem and feature (one for a problem of a whole layer or file), as :data:`ROW_FIELDS`."""
        rows = []
        for problem in self.problems:
            features = problem.features or ("",)
            values = problem.values if len(problem.values) == len(features) else ("",) * len(features)
            for feature, value in zip(features, values):
                rows.append({"layer": problem.layer, "source": problem.origin, "feature": feature, "field": problem.field, "value": value,
                             "problem_vi": problem.message[0], "problem_en": problem.message[1], "hint_vi": problem.hint[0],
                             "hint_en": problem.hint[1]})
        return rows


def check_layers(
    source: InputLike,
    *,
    province: str | None = None,
    central_meridian: float | None = None,
    legacy_encoding: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LayerCheck:
    """Check every layer of ``source`` (a GeoPackage, a folder, a mapping file) and collect every problem.

    Parameters
    ----------
    source
        What ``zoning build --layers`` takes.
    province
        The province (slug, name or code; see ``zoning provinces``): the layers are then
        also reprojected to its VN-2000 / TM-3 CRS, as a build does, and checked there.
    central_meridian
        The central meridian instead of the province table's.
    legacy_encoding
        ``"tcvn3"`` or ``"vni"``, as for a build.

    Raises
    ------
    InputError
        For an unknown province (a problem of the command, not of the layers).

    Returns
    -------
    LayerCheck
        ``refused`` when a build would refuse the layers; ``rows()`` for the report.

    Examples
    --------
    >>> import zoning
    >>> demo = zoning.demo_paths()
    >>> check = zoning.check_layers(demo.layers, province=demo.province.slug)
    >>> check.refused, len(check.layers.layers), check.crs.to_epsg()
    (False, 10, 9210)
    """
    known = None
    if province is not None:
        from zoning.inputs.reference import find_province

        known = find_province(province)
    meridian = central_meridian if central_meridian is not None else known.central_meridian if known is not None else None
    crs = tm3_crs(meridian) if meridian is not None else None
    check = LayerCheck(str(source) if isinstance(source, (str, Path)) else "<layers>", crs)
    check.layers = read_layers(source, crs, legacy_encoding=legacy_encoding, progress=progress, problems=check.problems)
    read = {p.layer for p in check.problems} | set(check.layers.layers)
    missing = [kind for kind in REQUIRED_KINDS if kind not in read]
    if missing and known is not None:  # with a province, its reference boundaries stand for those the input lacks
        check.layers.notes.append(f"{', '.join(missing)}: bản phân vùng sẽ dùng ranh giới tham chiếu 2025 của {known.full_name} / "
                                  f"a build will use the 2025 reference boundaries of {known.full_name_en}")
    elif missing:
        check.problems.append(Problem(", ".join(missing), check.source,
                                      (f"dữ liệu đầu vào thiếu lớp {' và '.join(missing)}", f"the input has no {' or '.join(missing)} layer"),
                                      ("thêm lớp ranh giới tỉnh (province) và xã (communes), hoặc cho --province để dùng ranh giới tham chiếu 2025",
                                       "add the province and communes layers, or give --province to use the 2025 reference boundaries")))
    if meridian is not None:
        try:  # the same containment a build applies: a meridian whose 3° zone misses the province is refused
            check_meridian(meridian, check.layers, known, "user" if central_meridian is not None else "table")
        except InputError as refused:
            check.problems.append(Problem("province", check.source, (refused.message_vi, refused.message_en),
                                          (refused.hint_vi or "", refused.hint_en or "")))
    check.notes = list(check.layers.notes)
    check.notes += [f"{r.origin} ({r.kind}): đối tượng {r.feature_id}: đã sửa hình học ({r.reason}; diện tích thay đổi {r.area_change_pct:g} %) / "
                    f"feature {r.feature_id}: geometry repaired ({r.reason}; area changed by {r.area_change_pct:g} %)" for r in check.layers.repairs]
    if crs is None:
        check.notes.append("chưa cho --province: các lớp được kiểm tra theo hệ tọa độ của chúng, chưa chuyển về hệ tọa độ của tỉnh / "
                           "no --province: the layers were checked in their own CRS, not reprojected to the province's")
    else:
        check.notes.append(f"các lớp được chuyển về {describe(crs)} để kiểm tra / the layers were reprojected to {describe(crs)} to be checked")
    return check
