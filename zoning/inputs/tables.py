"""Tables of sites (CSV, Excel): columns recognised by their English or Vietnamese names,
every row read on its own.

A row that cannot be used (a coordinate that is empty, not a number or impossible, a
capacity that is not a number, an unknown project type, WKT that does not read) is set
aside as a :class:`BadRow` naming its row number in the file, the column, the value and
the reason; the other rows are checked. A table is refused only when no row can be read.

Column names are matched without diacritics, in any case, with a unit in brackets
ignored (``X (m)``): ``Tên``, ``Tên dự án``, ``Tên công trình`` (name), ``Loại hình``,
``Loại hình dự án`` (type, by code or by its Vietnamese or English name), ``Công suất``
(capacity), ``Đơn vị`` (capacity unit), ``Mã``, ``Số hiệu``, ``STT`` (id), ``Kinh độ``,
``Vĩ độ`` (lon, lat), ``X``, ``Y``. Columns not used are named in a note; duplicate site
ids are reported and made unique.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from zoning.errors import InputError, Text
from zoning.inputs.crs import WGS84, describe
from zoning.inputs.text import clean_column, has_format_codes, invisible_codes, visible

CSV_DELIMITERS = ",;\t|"
ROW = "__row__"  # the row number in the file (the header is row 1)
# roles of the columns, each with its names (without diacritics, lower case), the first found wins
ROLES: dict[str, tuple[str, ...]] = {
    "id": ("id", "ma", "ma dia diem", "ma du an", "ma so", "so hieu", "so hieu diem", "code", "stt", "tt", "so tt", "so thu tu"),
    "name": ("name", "ten", "ten du an", "ten cong trinh", "ten dia diem", "ten co so", "ten khu"),
    "name_en": ("name en", "ten tieng anh"),
    "type": ("type", "loai hinh", "loai hinh du an", "loai du an", "loai hinh cong trinh", "loai cong trinh"),
    "exclusion": ("exclusion", "truong hop loai tru"),
    "capacity": ("capacity", "cong suat", "quy mo cong suat", "quy mo"),
    "capacity_unit": ("capacity unit", "don vi", "don vi tinh", "don vi cong suat", "dvt"),
    "upstream": ("upstream", "thuong nguon"),
    "illustrative": ("illustrative", "minh hoa"),
    "lon": ("lon", "lng", "long", "longitude", "kinh do"),
    "lat": ("lat", "latitude", "vi do"),
    "x": ("x", "easting", "east", "toa do x"),
    "y": ("y", "northing", "north", "toa do y"),
    "wkt": ("wkt", "geometry", "geom", "hinh hoc"),
}
COORDINATE_ROLES = ("lon", "lat", "x", "y", "wkt")
VN_LON = (100.0, 112.0)
VN_LAT = (7.0, 25.0)
TM_EASTING = (100_000.0, 900_000.0)
TM_NORTHING = (900_000.0, 2_700_000.0)
LISTED_BAD_ROWS = 10
DATA_ERROR: Text = ("Lỗi dữ liệu", "Data error")


@dataclass(frozen=True)
class BadRow:
    """A row of a table that could not be used: its number in the file, the column, the value and why."""

    row: int
    column: str
    value: str
    reason_vi: str
    reason_en: str

    def record(self) -> dict:
        """The row as a plain dict (results, JSON answers)."""
        return {"row": self.row, "column": self.column, "value": self.value, "reason_vi": self.reason_vi, "reason_en": self.reason_en}

    def text(self, lang: str = "vi") -> str:
        """``dòng 7, cột 'Kinh độ' = '1062512': …`` in one language."""
        if lang == "en":
            return f"row {self.row}, column '{self.column}' = '{self.value}': {self.reason_en}"
        return f"dòng {self.row}, cột '{self.column}' = '{self.value}': {self.reason_vi}"


def plain(text: object) -> str:
    """A column name or a value without diacritics, lower case, units in brackets and punctuation dropped."""
    value = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    value = "".join(ch for ch in value if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf").lower()  # no invisible characters
    value = re.sub(r"\(.*?\)|\[.*?\]", " ", value)
    return re.sub(r"[\s_\-.:/]+", " ", value).strip()


def column_roles(columns: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The column playing each role (by its name in the table) and the columns not used."""
    by_plain: dict[str, str] = {}
    for column in columns:
        by_plain.setdefault(plain(column), column)
    roles: dict[str, str] = {}
    for role, names in ROLES.items():
        found = next((by_plain[n] for n in names if n in by_plain and by_plain[n] not in roles.values()), None)
        if found is not None:
            roles[role] = found
    used = set(roles.values())
    return roles, [c for c in columns if c not in used]


# ------------------------------------------------------------------------------ reading


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV table as text with each row's number in the file; its delimiter (``, ; tab |``) guessed from the first line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
        if not first.strip():
            raise InputError(
                (f"{path}: tệp CSV rỗng", f"{path}: the CSV is empty"),
                ("cho một dòng tiêu đề (ví dụ id,name,lon,lat) và mỗi địa điểm một dòng", "give a header line (e.g. id,name,lon,lat) and one line per site"),
            )
        counts = {d: first.count(d) for d in CSV_DELIMITERS}
        delimiter = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
        table = pd.read_csv(path, sep=delimiter, dtype=str, encoding="utf-8-sig", keep_default_na=False, skipinitialspace=True,
                            skip_blank_lines=False)
    except UnicodeDecodeError as exc:
        raise InputError(
            (f"{path}: không phải văn bản UTF-8 ({exc.reason})", f"{path}: not UTF-8 text ({exc.reason})"),
            ("lưu lại dưới dạng CSV UTF-8 (Excel: Save as ▸ CSV UTF-8)", "save it as UTF-8 CSV (Excel: Save as ▸ CSV UTF-8)"),
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            (f"{path}: không đọc được tệp CSV ({str(exc).strip()})", f"{path}: cannot be read as CSV ({str(exc).strip()})"),
            (
                "lưu lại dưới dạng CSV UTF-8 với một dòng tiêu đề và cùng số cột trên mọi dòng",
                "save it as UTF-8 CSV with one header line and the same number of columns on every line",
            ),
        ) from None
    table[ROW] = np.arange(2, len(table) + 2)
    blank = (table.drop(columns=ROW).astype(str).apply(lambda c: c.str.strip()) == "").all(axis=1)
    return table[~blank].reset_index(drop=True)


def read_xlsx(path: Path, sheet: str | None) -> pd.DataFrame:
    """An Excel sheet (the first, or ``sheet``) as a table of text, with each row's number in the sheet."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise InputError(
            (f"{path}: không đọc được tệp Excel ({type(exc).__name__})", f"{path}: cannot be read as an Excel workbook ({type(exc).__name__})"),
            ("lưu lại dưới dạng .xlsx (Excel Workbook), hoặc CSV UTF-8", "save it again as .xlsx (Excel Workbook), or as CSV UTF-8"),
        ) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            sheets = ", ".join(workbook.sheetnames)
            raise InputError((f"{path}: không có trang tính '{sheet}'", f"{path}: no sheet '{sheet}'"), (f"các trang tính: {sheets}", f"sheets: {sheets}"))
        rows = workbook[sheet or workbook.sheetnames[0]].iter_rows(values_only=True)
        header = next(rows, None)
        body, numbers = [], []
        for number, row in enumerate(rows, start=2):
            if any(v is not None and str(v).strip() != "" for v in row):
                body.append(["" if v is None else str(v) for v in row])
                numbers.append(number)
    finally:
        workbook.close()
    if header is None or all(v is None for v in header):
        raise InputError(
            (f"{path}: trang tính rỗng", f"{path}: the sheet is empty"),
            ("cho một hàng tiêu đề (ví dụ id, name, lon, lat) và mỗi địa điểm một hàng", "give a header row (e.g. id, name, lon, lat) and one row per site"),
        )
    columns = [str(v).strip() if v is not None else f"column_{i + 1}" for i, v in enumerate(header)]
    table = pd.DataFrame([row[: len(columns)] + [""] * (len(columns) - len(row)) for row in body], columns=columns, dtype=object)
    table[ROW] = numbers
    return table


# ------------------------------------------------------------------------------- sites


def table_sites(table: pd.DataFrame, path: Path, xy_crs: CRS, notes: dict[str, Text], file_notes: list[str],
                types: Mapping[str, str] | Sequence[str] | None = None) -> tuple[gpd.GeoDataFrame, list[BadRow]]:
    """Sites from a table of text, and the rows set aside.

    lon/lat (WGS 84), x/y in ``xy_crs`` (``--crs``, else the build's), or a wkt column;
    ``types`` (codes, or codes with their names) turns project-type names into codes.

    Raises
    ------
    InputError
        When the table has no coordinate columns or no row can be read.
    """
    if ROW not in table:
        table = table.assign(**{ROW: np.arange(2, len(table) + 2)})
    if table.empty:
        raise InputError(
            (f"{path}: bảng không có dòng nào", f"{path}: the table has no rows"),
            ("dưới dòng tiêu đề, mỗi địa điểm một dòng", "give one row per site under the header"),
        )
    columns = [str(c) for c in table.columns if c != ROW]
    table = _without_invisible(table.set_axis([str(c) for c in table.columns], axis=1), path, file_notes)
    roles, unused = column_roles(columns)
    if unused:
        listed = ", ".join(f"'{c}'" for c in unused)
        file_notes.append(f"{path.name}: các cột không dùng: {listed} / columns not used: {listed}")
    rows = table[ROW].to_numpy(int)
    bad: list[BadRow] = []
    ids = _site_ids(table, roles.get("id"), rows, path, file_notes)
    lon, lat, x, y, wkt = (roles.get(r) for r in COORDINATE_ROLES)
    if wkt is not None:
        text = table[wkt].astype(str).str.strip()
        geometry = shapely.from_wkt(text.replace("", None).to_numpy(), on_invalid="ignore")
        for i in np.flatnonzero(shapely.is_missing(geometry) | shapely.is_empty(geometry)):
            bad.append(_bad(rows[i], wkt, text.iloc[i], ("trống", "empty") if text.iloc[i] == "" else
                            ("không phải hình học WKT, ví dụ POINT (106.25 22.66)", "not WKT geometry, e.g. POINT (106.25 22.66)")))
        source_crs = xy_crs if looks_projected(geometry) else WGS84
    elif (lon is not None and lat is not None) or (x is not None and y is not None):
        projected = not (lon is not None and lat is not None)
        first_name, second_name = (x, y) if projected else (lon, lat)
        assert first_name is not None and second_name is not None
        source_crs = xy_crs if projected else WGS84
        if projected:
            file_notes.append(f"{path.name}: tọa độ x/y đọc theo {describe(xy_crs, 'vi')} / x/y read as {describe(xy_crs)}")
        a, bad_a = _numbers(table[first_name], rows, first_name)
        b, bad_b = _numbers(table[second_name], rows, second_name)
        bad += bad_a + bad_b
        good = ~(np.isnan(a) | np.isnan(b))
        a, b = unswap(a, b, source_crs, ids, notes)
        bad += _impossible(a, b, good, source_crs, rows, (first_name, second_name), table)
        geometry = shapely.points(a, b)
    else:
        found = ", ".join(columns)
        raise InputError(
            (f"{path}: không có cột tọa độ (các cột: {found})", f"{path}: no coordinate columns (found: {found})"),
            (
                "đặt tên cột là lon và lat (hoặc Kinh độ, Vĩ độ — WGS 84), hoặc x và y (VN-2000) kèm --crs, hoặc cho một cột wkt",
                "name them lon and lat (or their Vietnamese names — WGS 84), or x and y (VN-2000) with --crs, or give a wkt column",
            ),
        )
    attributes = pd.DataFrame({role: table[column].to_numpy(object) for role, column in roles.items()
                               if role not in COORDINATE_ROLES and role != "id"}, index=table.index)
    attributes.insert(0, "id", ids)
    bad += _attribute_rows(attributes, table, roles, rows, types)
    rejected = {b.row for b in bad}
    keep = ~np.isin(rows, list(rejected))
    bad.sort(key=lambda b: (b.row, columns.index(b.column) if b.column in columns else 0))
    if not keep.any():
        shown = bad[:LISTED_BAD_ROWS]
        more = len(bad) - len(shown)
        raise InputError(
            (f"{path}: không đọc được dòng nào trong bảng:\n" + "\n".join(f"  {b.text('vi')}" for b in shown)
             + (f"\n  … và {more} lỗi khác" if more > 0 else ""),
             f"{path}: no row of the table can be read:\n" + "\n".join(f"  {b.text('en')}" for b in shown)
             + (f"\n  … and {more} more" if more > 0 else "")),
            ("sửa các ô nêu trên trong bảng (tọa độ bằng số thập phân, ví dụ 106.25 và 22.66), rồi tải lại",
             "correct the cells named above (coordinates as decimal numbers, e.g. 106.25 and 22.66), then try again"),
        )
    frame = gpd.GeoDataFrame(attributes[keep].reset_index(drop=True), geometry=np.asarray(geometry)[keep], crs=source_crs)
    return frame, bad


def _bad(row: int, column: str, value: object, reason: Text) -> BadRow:
    text = str(value).strip()
    return BadRow(int(row), column, text[:80] + ("…" if len(text) > 80 else ""), reason[0], reason[1])


def _site_ids(table: pd.DataFrame, column: str | None, rows: np.ndarray, path: Path, file_notes: list[str]) -> list[str]:
    """The ids given (whole numbers written 1.0 read as 1), the row's place where none; duplicates reported and made unique."""
    if column is None:
        return [str(i + 1) for i in range(len(table))]
    given = [_integral(v) for v in table[column].astype(str).str.strip()]
    ids = [value or str(i + 1) for i, value in enumerate(given)]
    counts = pd.Series(ids).value_counts()
    duplicated = counts[counts > 1]
    if duplicated.empty:
        return ids
    seen: dict[str, int] = {}
    out = []
    for value in ids:
        seen[value] = seen.get(value, 0) + 1
        out.append(value if seen[value] == 1 else f"{value}-{seen[value]}")
    for value in duplicated.index:
        where = ", ".join(str(rows[i]) for i, v in enumerate(ids) if v == value)
        file_notes.append(f"{path.name}: mã địa điểm '{value}' bị trùng (các dòng {where}); các dòng sau được đặt mã '{value}-2', … / "
                          f"site id '{value}' is given more than once (rows {where}); the later rows are named '{value}-2', …")
    return out


def _integral(value: str) -> str:
    return value[:-2] if re.fullmatch(r"-?\d+\.0", value) else value


def _numbers(column: pd.Series, rows: np.ndarray, name: str) -> tuple[np.ndarray, list[BadRow]]:
    """The numbers of a column (written the Vietnamese or the English way) and the rows where there is none."""
    try:  # the usual case, in C: plain decimal numbers
        values = np.asarray(pd.to_numeric(column.to_numpy(object)), dtype=float)
    except (ValueError, TypeError):
        text = column.astype(str).str.strip().str.replace(",", ".", regex=False)
        values = np.array(pd.to_numeric(text, errors="coerce"), dtype=float)  # a writable copy
        for i in np.flatnonzero(np.isnan(values)):  # 2.506.123,45 or 2 506 123,45 (a table from Word)
            parsed = parse_number(str(column.iloc[i]))
            values[i] = np.nan if parsed is None else parsed
    values = np.where(np.isfinite(values), values, np.nan)
    bad = []
    for i in np.flatnonzero(np.isnan(values)):
        value = str(column.iloc[i]).strip()
        reason = ("ô trống", "the cell is empty") if value == "" else ("không phải là số", "not a number")
        bad.append(_bad(rows[i], name, value, reason))
    return values, bad


def parse_number(text: str) -> float | None:
    """A number written the Vietnamese or the English way: ``2.506.123,45``, ``2 506 123,45``, ``2,506,123.45``, ``2506123.45``."""
    value = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if not re.fullmatch(r"[-+]?[\d.,]*\d[\d.,]*", value):
        return None
    commas, dots = value.count(","), value.count(".")
    if commas and dots:  # the last separator marks the decimals
        decimal, thousands = (",", ".") if value.rfind(",") > value.rfind(".") else (".", ",")
        value = value.replace(thousands, "").replace(decimal, ".")
    elif commas > 1 or dots > 1:  # thousands only
        value = value.replace(",", "").replace(".", "")
    else:
        value = value.replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None



def _impossible(a: np.ndarray, b: np.ndarray, good: np.ndarray, crs: CRS, rows: np.ndarray, names: tuple[str, str],
                table: pd.DataFrame) -> list[BadRow]:
    """Coordinates that cannot be what their column says: a longitude beyond ±180, a latitude beyond ±90, a VN-2000 X/Y far outside Việt Nam."""
    bad = []
    if crs.is_geographic:
        checks = ((a, names[0], 180, ("kinh độ", "longitude")), (b, names[1], 90, ("vĩ độ", "latitude")))
        for values, name, limit, (vi, en) in checks:
            for i in np.flatnonzero(good & (np.abs(np.nan_to_num(values)) > limit)):
                value = str(table[name].iloc[i]).strip()
                guess = _decimal_guess(value, VN_LON if limit == 180 else VN_LAT)
                bad.append(_bad(rows[i], name, value, (
                    f"không phải {vi}: {vi} nằm trong khoảng −{limit}…{limit}" + (f" (có phải {guess}?)" if guess else ""),
                    f"not a {en}: a {en} lies within −{limit}…{limit}" + (f" (did you mean {guess}?)" if guess else ""))))
    elif "VN-2000" in crs.name:
        inside = _between(a, TM_EASTING) & _between(b, TM_NORTHING)
        for i in np.flatnonzero(good & ~inside):
            for values, name, bounds in ((a, names[0], TM_EASTING), (b, names[1], TM_NORTHING)):
                if not _between(values[i:i + 1], bounds)[0]:
                    km = f"{bounds[0] / 1000:.0f}–{bounds[1] / 1000:.0f} km"
                    bad.append(_bad(rows[i], name, table[name].iloc[i], (
                        f"ngoài phạm vi tọa độ VN-2000 của Việt Nam ({km})", f"outside the VN-2000 coordinates of Việt Nam ({km})")))
                    break
    return bad


def _decimal_guess(value: str, bounds: tuple[float, float]) -> str:
    """``1062512`` → ``106.2512`` when a decimal point seems lost (the result falls in Việt Nam)."""
    digits = value.strip().lstrip("+")
    if not digits.isdigit():
        return ""
    for width in (3, 2):
        guess = f"{digits[:width]}.{digits[width:]}"
        if len(digits) > width and bounds[0] <= float(guess) <= bounds[1]:
            return guess
    return ""


def _attribute_rows(attributes: pd.DataFrame, table: pd.DataFrame, roles: dict[str, str], rows: np.ndarray,
                    types: Mapping[str, str] | Sequence[str] | None) -> list[BadRow]:
    """Capacities that are not numbers or negative, and project types not in the catalogue (turned into codes in place)."""
    bad = []
    if "capacity" in attributes:
        text = attributes["capacity"].astype(str).str.strip()
        values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
        for i in np.flatnonzero((text != "").to_numpy() & ~(np.isfinite(values) & (values >= 0))):
            reason = (("công suất không phải là số", "the capacity is not a number") if not np.isfinite(values[i]) else
                      ("công suất phải là số không âm", "the capacity must be a number, zero or more"))
            bad.append(_bad(rows[i], roles["capacity"], text.iloc[i], reason))
        attributes["capacity"] = text.str.replace(",", ".", regex=False).where(text != "", None).astype(object)
    if "type" in attributes and types is not None:
        names = type_names(types)
        text = attributes["type"].astype(str).str.strip()
        codes = text.map(lambda v: names.get(plain(v)) if v else None)
        for i in np.flatnonzero((text != "").to_numpy() & codes.isna().to_numpy()):
            bad.append(_bad(rows[i], roles["type"], text.iloc[i], ("loại hình dự án không có trong danh mục (xem danh sách loại hình)",
                                                                   "not a project type of the catalogue (see the list of types)")))
        attributes["type"] = codes.where(codes.notna(), None).astype(object)
    return bad


def _without_invisible(table: pd.DataFrame, path: Path, file_notes: list[str]) -> pd.DataFrame:
    """The table's text with control and format characters removed, each column's removal noted (as ``U+200B``)."""
    for column in table.columns:
        if column == ROW:
            continue
        cleaned, mask = clean_column(table[column])
        if mask.any():
            found = invisible_codes(table.loc[mask, column].astype(str).tolist())
            codes, rows = ", ".join(found), int(mask.sum())
            kind = ("vô hình", "invisible") if has_format_codes(found) else ("điều khiển", "control")
            file_notes.append(f"{path.name}: đã bỏ ký tự {kind[0]} ({codes}) ở cột '{visible(column)}', {rows} dòng / "
                              f"{kind[1]} characters removed from column '{visible(column)}' ({codes}; {rows} row(s))")
            table[column] = cleaned
    return table


def type_names(types: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
    """Project-type codes by their code and their names, without diacritics (``bai chon lap chat thai ran`` → code)."""
    names: dict[str, str] = {}
    items = types.items() if isinstance(types, Mapping) else ((code, "") for code in types)
    for code, name in items:
        names[plain(code)] = code
        names[code.lower()] = code
        for text in str(name or "").split("|"):
            if text.strip():
                names.setdefault(plain(text), code)
    return names


# ------------------------------------------------------------------------ coordinates


def looks_projected(geometry: np.ndarray) -> bool:
    """Coordinates in metres (any beyond ±360), not longitude/latitude."""
    coords = shapely.get_coordinates(geometry[~shapely.is_missing(geometry)])
    return bool(len(coords)) and bool((np.abs(coords) > 360).any())


def unswap(a: np.ndarray, b: np.ndarray, crs: CRS, ids: Sequence[str], notes: dict[str, Text]) -> tuple[np.ndarray, np.ndarray]:
    """Swap coordinate pairs given in the wrong order, and say so (a note per site id)."""
    with np.errstate(invalid="ignore"):
        if crs.is_geographic:
            inside = _between(a, VN_LON) & _between(b, VN_LAT)
            swapped = ((np.abs(b) > 90) & (np.abs(a) <= 90) & (np.abs(b) <= 180)) | (~inside & _between(b, VN_LON) & _between(a, VN_LAT))
            what = (
                "vĩ độ và kinh độ bị đổi chỗ cho nhau (đã đọc là kinh độ {a:g}, vĩ độ {b:g})",
                "latitude and longitude were swapped (read as lon {a:g}, lat {b:g})",
            )
        elif crs.is_projected:
            inside = _between(a, TM_EASTING) & _between(b, TM_NORTHING)
            swapped = ~inside & _between(b, TM_EASTING) & _between(a, TM_NORTHING)
            what = (
                "x (hướng Đông) và y (hướng Bắc) bị đổi chỗ cho nhau — trong tọa độ đo đạc của Việt Nam, X là tọa độ hướng Bắc "
                "(đã đọc là x {a:.2f}, y {b:.2f})",
                "x (easting) and y (northing) were swapped — Vietnamese survey coordinates put the northing in X (read as x {a:.2f}, y {b:.2f})",
            )
        else:
            return a, b
    if not swapped.any():
        return a, b
    a, b = np.where(swapped, b, a), np.where(swapped, a, b)
    for index in np.flatnonzero(swapped):
        vi, en = (t.format(a=a[index], b=b[index]) for t in what)
        notes[str(ids[int(index)])] = join_notes(notes.get(str(ids[int(index)])), (vi, en))
    return a, b


def join_notes(first: Text | None, second: Text) -> Text:
    """Two notes on one site, in each language."""
    return (f"{first[0]}; {second[0]}", f"{first[1]}; {second[1]}") if first else second


def _between(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (values >= bounds[0]) & (values <= bounds[1])
