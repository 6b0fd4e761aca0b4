"""What the annexes of a zoning decision hold, apart from how they are written: their
constants and marks, the tables (:class:`AnnexTable`), the whole annex (:class:`AnnexData`)
and the coordinate policy of the map scale (:class:`CoordinatePolicy`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from zoning import terms
from zoning.errors import ZoningError
from zoning.outputs.dataset import DigitalDataset


def crs_label_vi(crs) -> str:
    """The CRS as a Vietnamese map states it ("VN-2000, múi chiếu 3°, kinh tuyến trục 105°45′"): no English name, no registry code."""
    operation = crs.coordinate_operation
    params = {p.name: float(p.value) for p in operation.params} if operation else {}
    meridian = params.get("Longitude of natural origin")
    datum = (crs.geodetic_crs.name if crs.geodetic_crs else crs.name).replace("WGS 84", "WGS-84")
    if meridian is None:
        return datum
    degrees, minutes = int(meridian), round((meridian - int(meridian)) * 60)
    zone = "múi chiếu 3°" if abs(params.get("Scale factor at natural origin", 0) - 0.9999) < 1e-9 else "múi chiếu 6°"
    return f"{datum}, {zone}, kinh tuyến trục {degrees}°{minutes:02d}′"


ANNEX_NUMBERS = {"strict": "I", "emission_limited": "II"}  # zone → its annex, in the order of the annexes
ANNEX_ZONES = tuple(ANNEX_NUMBERS)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX")
DEFAULT_SCALE = 50_000  # of the map the decision adopts, when the province rules give none
MIN_SCALE, MAX_SCALE = 500, 1_000_000
GRAPHIC_ACCURACY_MM = 0.2  # on the map: the accuracy of a boundary drawn at its scale
COVERAGE_BISECTIONS = 10
DECISION_BLANK = "số …/QĐ-UBND ngày … tháng … năm …"
NOTE_UNCONFIRMED = "Tiêu chí chưa xác nhận (chưa đối chiếu văn bản hoặc nguồn là dự thảo)."
NOTE_ILLUSTRATIVE = "Dữ liệu minh họa."
CREDIT_RULE = (  # the order of zoning.builder.polygons.PRECEDENCE, in words
    "Phần diện tích đáp ứng nhiều tiêu chí được tính cho một khu vực duy nhất, theo thứ tự: khu vực đã có hiệu lực trước khu vực "
    "đề xuất; vùng bảo vệ nghiêm ngặt trước vùng hạn chế phát thải; trong một vùng, theo thứ tự các mục (tiêu chí) của bảng; cùng một "
    "tiêu chí, khu vực có cấp hạng cao hơn (vườn quốc gia, khu dự trữ thiên nhiên, khu bảo tồn loài - sinh cảnh, khu bảo vệ cảnh quan; "
    "di tích quốc gia đặc biệt, quốc gia, cấp tỉnh), rồi khu vực có quyết định mới hơn (khu vực có ngày quyết định trước khu vực không "
    "ghi ngày), rồi thứ tự trong dữ liệu. Các tiêu chí khác mà khu vực đáp ứng ghi ở cột “Đồng thời thuộc tiêu chí”; phần diện tích "
    "trùng với khu vực khác ghi một lần ở cột Ghi chú (“Trong đó … ha trùng với …”)."
)
DRAFT_MARK = "DỰ THẢO"
DRAFT_TITLE = "DỰ THẢO – CHƯA ĐỦ ĐIỀU KIỆN BAN HÀNH. Lý do:"
AREA_COLUMN = 4  # of the zone tables
STATUS_MARKS = {"unconfirmed": " (chưa xác nhận)", "proposed": " (đề xuất)"}  # after a citation in a unit row


# ---------------------------------------------------------------------------- tables


@dataclass
class AnnexTable:
    """One table of the annexes: cells are text, numbers (printed with two decimals) or None.

    ``kinds`` names each row: ``unit``, ``group`` (criterion subtotal), ``commune``,
    ``outside`` (land outside the commune polygons), ``total`` and ``proposed`` (a
    proposed designation, in the list of its own). ``annex`` is the number of the annex
    the table is in (``I``, ``II``, ``III``; empty for the list of proposed designations).
    """

    caption: str
    columns: list[str]
    widths_mm: list[float]
    rows: list[list[str | float | None]]
    kinds: list[str]
    annex: str
    notes: list[str] = field(default_factory=list)

    @property
    def sheet(self) -> str:
        """``Phụ lục <annex>``: the name of its sheet in the workbook."""
        return f"Phụ lục {self.annex}"


@dataclass
class AnnexData:
    """Everything the annexes show, computed once from a build."""

    province: str
    decision: str
    zone_tables: dict[str, AnnexTable]
    zone_area_ha: dict[str, float]
    summary: AnnexTable
    units: pd.DataFrame  # the units in force of the annexes in table order, with stt, location and annex
    proposed: pd.DataFrame  # the proposed units (no legal boundary yet), listed apart and given no coordinates
    proposed_table: AnnexTable | None  # their list in the explanatory part (none without proposed units)
    coordinates: pd.DataFrame  # of the listed units: unit_id, part, ring (0 = outer), point, northing, easting (m, policy's decimals)
    simplification: pd.DataFrame  # unit_id, vertices, points, tolerance_m, deviation_m, listed
    crs_text: str
    crs_short: str
    notices: list[str]
    conventions: list[str]
    illustrative: bool
    build_id: str
    policy: CoordinatePolicy
    technical_note: list[str]  # the software's provenance: at the end of the document, never in a table
    draft_reasons: list[str] = field(default_factory=list)  # why the annex is a draft; none: it may be issued
    draft_covered: int = 0  # the first notices (illustrative data, unconfirmed criteria), which the draft box states
    dataset: DigitalDataset | None = None  # the full-precision boundaries, once written
    described: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["unit_id", "rule"]))  # units given by their rule, no coordinates

    @property
    def scale_text(self) -> str:
        """``1:50.000``."""
        return f"1:{terms.number(self.policy.scale, 0)}"

    @property
    def coordinate_conventions(self) -> list[str]:
        """How to read the coordinate tables (Phụ lục IV): system, precision, the policy, the digital dataset."""
        policy = self.policy
        tolerance = metres(policy.tolerance_m)
        precision = "1 m" if policy.decimals == 0 else f"{terms.number(10 ** -policy.decimals, policy.decimals)} m"
        lines = [
            f"Tọa độ theo {self.crs_text}, là hệ tọa độ của kết quả phân vùng; đơn vị mét, làm tròn đến {precision}.",
            "X là tọa độ theo hướng Bắc, Y là tọa độ theo hướng Đông, theo quy ước của bản đồ địa chính.",
            "Mỗi khu vực gồm một hoặc nhiều phần (đa giác) rời nhau; mỗi phần có một đường bao ngoài và có thể có các đường bao "
            "trong (phần diện tích nằm bên trong nhưng không thuộc khu vực). Điểm được đánh số liên tục trong từng khu vực theo thứ tự "
            "trên đường bao; mỗi đường bao khép kín từ điểm cuối về điểm đầu của nó.",
            f"Ranh giới các khu vực được thể hiện theo bản đồ tỷ lệ {self.scale_text}; độ chính xác đồ họa "
            f"{terms.number(GRAPHIC_ACCURACY_MM, 1)} mm trên bản đồ, tương ứng {tolerance} trên thực địa. Các điểm liệt kê là điểm "
            f"của ranh giới đầy đủ, được lược bớt sao cho đường nối các điểm cách ranh giới đầy đủ không quá {tolerance} "
            "(kể cả sai số làm tròn); cùng một dung sai cho mọi khu vực; đoạn ranh giới chung của hai khu vực được lược bớt như nhau "
            "ở cả hai khu vực. Số điểm và dung sai của từng khu vực ghi dưới tên bảng tọa độ của khu vực. Không dùng bảng tọa độ "
            "để tính lại diện tích.",
        ]
        described = len(self.described)
        if described:
            lines.append(f"Bảng tọa độ lập cho các khu vực mà ranh giới chính là đối tượng được xác định (khu bảo tồn, khu vực bảo vệ "
                         f"di tích, nội thành, nội thị…); {described} khu vực xác định theo khoảng cách tới một đường hoặc một điểm "
                         "(hành lang bảo vệ nguồn nước, lòng sông, vòng tròn quanh một điểm, vùng đệm theo bề rộng) được mô tả theo "
                         "quy tắc xác định (đối tượng, các xã, phường đi qua, bề rộng và đường tính bề rộng); ranh giới của các khu vực "
                         "này theo bộ dữ liệu số kèm theo Quyết định.")
        unlisted = int((~self.simplification["listed"]).sum()) - described
        if unlisted > 0 and policy.list_under_ha is not None:
            lines.append(f"Bảng tọa độ chỉ lập cho các khu vực có diện tích dưới {terms.quantity(policy.list_under_ha, 'area_ha')}; "
                         f"tọa độ ranh giới của {unlisted} khu vực còn lại theo bộ dữ liệu số kèm theo Quyết định.")
        if self.dataset is not None:
            lines.append(
                "Ranh giới đầy đủ của các khu vực là bộ dữ liệu số kèm theo Quyết định, gồm tệp "
                f"{self.dataset.gpkg.name} (ranh giới các khu vực) có mã kiểm tra SHA-256 {self.dataset.gpkg_sha256} và tệp "
                f"{self.dataset.xlsx.name} (tọa độ mọi điểm ranh giới) có mã kiểm tra SHA-256 {self.dataset.xlsx_sha256}. "
                "Tệp có mã kiểm tra khác không phải là bộ dữ liệu kèm theo Quyết định này."
            )
        return lines

    @property
    def draft(self) -> bool:
        """A draft carries "DỰ THẢO" on every page and the reasons on its first page."""
        return bool(self.draft_reasons)

    @property
    def territory(self) -> str:
        """``tỉnh X`` (or ``thành phố X`` for a centrally governed city)."""
        if self.province.lower().startswith("thành phố "):
            return f"thành phố {self.province[len('thành phố '):]}"
        return f"tỉnh {self.province}"

    @property
    def committee(self) -> str:
        """``Ủy ban nhân dân tỉnh X`` (or ``thành phố X``): who issues the decision."""
        return f"Ủy ban nhân dân {self.territory}"


@dataclass(frozen=True)
class CoordinatePolicy:
    """How the annex lists boundary coordinates: tied to the scale of the map the decision adopts.

    The boundaries are simplified with one tolerance for every unit, the graphic
    accuracy :data:`GRAPHIC_ACCURACY_MM` at that scale (10 m at 1:50.000), never above
    it, and printed to the precision that tolerance warrants (whole metres when it is
    metres). ``list_under_ha``: list the coordinates of the units smaller than this only;
    the digital dataset stands for the others.
    """

    scale: int = DEFAULT_SCALE
    list_under_ha: float | None = None

    def __post_init__(self) -> None:
        if not MIN_SCALE <= self.scale <= MAX_SCALE:
            raise ZoningError((f"--scale 1:{self.scale}: tỷ lệ bản đồ phải từ 1:{MIN_SCALE} đến 1:{MAX_SCALE}",
                               f"--scale 1:{self.scale}: the map scale must be between 1:{MIN_SCALE} and 1:{MAX_SCALE}"),
                              ("ví dụ --scale 1:50000", "e.g. --scale 1:50000"))
        if self.list_under_ha is not None and self.list_under_ha <= 0:
            raise ZoningError((f"--list-under {self.list_under_ha:g}: phải lớn hơn 0 ha", f"--list-under {self.list_under_ha:g}: must be more than 0 ha"))

    @property
    def tolerance_m(self) -> float:
        """The largest distance between a printed boundary and the real one, in metres."""
        return GRAPHIC_ACCURACY_MM * self.scale / 1000

    @property
    def decimals(self) -> int:
        """Decimals of the printed coordinates: none for a tolerance of metres, one for decimetres, and so on."""
        return max(0, math.ceil(-math.log10(self.tolerance_m)))

    @property
    def rounding_m(self) -> float:
        """The largest shift of a point by printing it to :attr:`decimals` (half a unit on both axes)."""
        return 0.5 * 10 ** -self.decimals * math.sqrt(2)


def metres(value: float) -> str:
    """``10 m``, ``0,2 m``: a length without trailing zeros."""
    return f"{terms.number(value, 2).rstrip('0').rstrip(',')} m"


def parse_scale(text: str | int | None) -> int | None:
    """``"1:50000"``, ``"1:50.000"``, ``"50000"`` → 50000; None stays None."""
    if text is None or isinstance(text, int):
        return text
    digits = text.strip().removeprefix("1:").replace(".", "").replace(",", "").replace(" ", "")
    if not digits.isdigit():
        raise ZoningError((f"--scale {text}: không đọc được tỷ lệ bản đồ", f"--scale {text}: not a map scale"), ("ví dụ --scale 1:50000",
                                                                                                                 "e.g. --scale 1:50000"))
    return int(digits)
