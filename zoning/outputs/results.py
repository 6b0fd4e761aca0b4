"""Check results as files: GeoPackage, GeoJSON, JSON, CSV and Excel (documented in docs/check-results.md).

The CSV is UTF-8 with a byte-order mark, so that Excel on Windows shows Vietnamese; it
and the workbook carry the findings in Vietnamese beside English and the zone and verdict
names in Vietnamese beside their codes. :func:`read_results` reads back every format but
the workbook (a map can show the sites of a CSV or JSON written by ``zoning check``).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from zoning import terms
from zoning.checker.result import GPKG_LAYERS, TABLES, VERDICT_ORDER, CheckResult
from zoning.errors import InputError
from zoning.files import atomic_path, check_input_file, check_output, write_layers
from zoning.inputs.crs import WGS84, reproject
from zoning.inputs.layers import read_vector
from zoning.outputs.xlsx import TEXT_MARKER, Sheet, csv_safe, csv_safe_texts, formula_like, write_workbook
from zoning.terms import Lang

OUTPUT_SUFFIXES = (".gpkg", ".geojson", ".json", ".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_576  # rows of one worksheet, header included
MAX_JSON_BYTES = 2 << 30
CSV_BLOCK = 10_000  # sites per block of the CSV: bounds the memory its text takes
CSV_SPECIAL = (",", '"', "\n", "\r")
SHEET_NAMES = {"sites": "Địa điểm - Sites", "zones": "Vùng - Zones", "units": "Khu vực - Units", "communes": "Xã - Communes",
               "findings": "Phát hiện - Findings", "sensitive": "Yếu tố nhạy cảm - Sensitive", "safety": "Khoảng cách ATMT - Safety"}


def check_output_path(path: str | Path, inputs=()) -> Path:
    """The path of a results file, checked: its suffix names a format this module writes, and it replaces no input."""
    return check_output(path, inputs, suffixes=OUTPUT_SUFFIXES)


def write_results(result: CheckResult, path: str | Path) -> Path:
    """Write check results by suffix: ``.gpkg``, ``.geojson``, ``.json``, ``.csv`` or ``.xlsx`` (atomically).

    The format is documented in ``docs/check-results.md``.

    Parameters
    ----------
    result
        A check result (:func:`zoning.check`).
    path
        The file to write; its suffix chooses the format.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.check(zoning.demo_paths().sites, "build.gpkg")  # doctest: +SKIP
    >>> zoning.write_results(result, "results.gpkg")  # doctest: +SKIP
    PosixPath('results.gpkg')
    """
    path = check_output_path(path, result.sources)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheets = _workbook(result)
    with atomic_path(path, result.sources) as tmp:
        if suffix == ".gpkg":
            layers: dict[str, pd.DataFrame] = {"sites": result.sites}
            for name in TABLES:
                layers[GPKG_LAYERS[name]] = _gpkg_safe(result.table(name))
            meta = {k: v for k, v in result.meta.items() if k != "timings_s"}
            layers["check_manifest"] = pd.DataFrame({"key": list(meta), "value": [json.dumps(v, ensure_ascii=False, sort_keys=True) for v in meta.values()]})
            layers["sites"] = _gpkg_safe(result.sites)
            write_layers(tmp, layers)
        elif suffix in (".geojson", ".json"):
            tmp.write_text(_json_document(result, feature_collection=suffix == ".geojson"), encoding="utf-8")
        elif suffix == ".xlsx":
            result.meta.setdefault("notes", []).extend(f"{path.name}, {note}" for note in write_workbook(tmp, sheets))
        else:
            with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                for part in _csv_blocks(result):
                    handle.write(csv_text(part, header=handle.tell() == 0))
    return path


def write_csv_parts(parts: Iterable[CheckResult], paths: Sequence[str | Path]) -> CheckResult:
    """Write the results of a check in parts (:func:`zoning.checker.check_parts`) as CSV to
    each of ``paths`` (atomically), part after part: the files are those
    :func:`write_results` writes for the whole check, and one part is held at a time.

    Returns
    -------
    CheckResult
        A summary: the ``meta`` of the whole check (sites and verdicts counted over every
        part) and a site table of ``site_id``, ``name`` and ``verdict`` only (the long
        tables empty).
    """
    parts = iter(parts)
    first = next(parts)
    meta, sources = {k: v for k, v in first.meta.items() if k != "timings_s"}, first.sources
    targets = [check_output_path(path, sources) for path in paths]
    if any(path.suffix.lower() != ".csv" for path in targets):
        raise ValueError("write_csv_parts writes .csv files only")
    sites, verdicts, notices = [], dict.fromkeys(meta["verdicts"], 0), []
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(stack.enter_context(atomic_path(path, sources)).open("w", encoding="utf-8-sig", newline=""))
                   for path in targets]
        header = True
        result: CheckResult | None = first
        while result is not None:
            for block in _csv_blocks(result):
                text = csv_text(block, header=header)
                header = False
                for handle in handles:
                    handle.write(text)
            sites.append(pd.DataFrame(result.sites[["site_id", "name", "verdict"]]))
            verdicts = {v: n + result.meta["verdicts"][v] for v, n in verdicts.items()}
            notices.append(result.meta["illustrative_notice"])
            result = None  # this part is let go before the next is checked
            result = next(parts, None)
    meta.update(sites=sum(len(t) for t in sites), verdicts=verdicts, illustrative_notice=max(notices, key=len))
    empty = {name: pd.DataFrame(columns=columns) for name, columns in TABLES.items()}
    return CheckResult(gpd.GeoDataFrame(pd.concat(sites, ignore_index=True)), empty["zones"], empty["units"], empty["communes"],
                       empty["findings"], empty["sensitive"], empty["safety"], meta=meta, sources=sources)


def csv_text(table: pd.DataFrame, header: bool = True) -> str:
    """A table as CSV text for Excel: texts made safe as :func:`~zoning.outputs.xlsx.csv_safe` makes them (formula-like
    text marked as text), empty for missing values, quoted where needed.

    Columns are turned into text as wholes (numbers by ``repr``, like Python's csv module;
    each distinct text once), then joined by rows: a million rows take seconds, not
    minutes. Runs of columns that hold one value throughout are joined once.
    """
    parts: list[str | list[str]] = []
    for name in table.columns:
        fields = _csv_fields(table[name])
        if isinstance(fields, str) and parts and isinstance(parts[-1], str):
            parts[-1] += "," + fields
        else:
            parts.append(fields)
    n = len(table)
    if len(parts) == 1 and isinstance(parts[0], str):
        lines = [parts[0]] * n
    else:
        lines = [",".join(row) for row in zip(*(itertools.repeat(p, n) if isinstance(p, str) else p for p in parts))]
    if header:
        lines.insert(0, ",".join(_quoted([str(c) for c in table.columns])))
    return "\n".join(lines) + "\n" if lines else ""


def _csv_fields(column: pd.Series) -> list[str] | str:
    """The CSV fields of one column; one text when every row has the same (and the column is not empty)."""
    values = column.to_numpy()
    if isinstance(column.dtype, pd.CategoricalDtype) and all(v.__class__ is str for v in column.cat.categories.tolist()):
        column = column.cat.remove_unused_categories()  # a block of sites uses a few of the texts
        texts = column.cat.categories.tolist()  # the findings texts: each distinct list of findings made once
        return np.array(_quoted(csv_safe_texts(texts) or texts) + [""], dtype=object)[column.cat.codes.to_numpy()].tolist()
    if values.dtype.kind == "b":
        if len(values) and (values == values[0]).all():
            return "True" if values[0] else "False"
        return np.where(values, "True", "False").tolist()
    if values.dtype.kind in "iu":
        if len(values) and (values == values[0]).all():
            return str(values[0].item())
        return list(map(str, values.tolist()))
    if values.dtype.kind == "f":
        bits = values.view(f"i{values.itemsize}")  # bit for bit: -0.0 is not 0.0 in the text
        if len(values) and (bits == bits[0]).all():
            return "" if np.isnan(values[0]) else repr(values[0].item())
        texts = np.array(list(map(repr, values.tolist())), dtype=object)
        texts[np.isnan(values)] = ""
        return texts.tolist()
    values = column.to_numpy(object)
    codes, distinct = pd.factorize(values)
    texts = distinct.tolist()
    if all(v.__class__ is str for v in texts):  # texts and missing values: each distinct text made safe and quoted once
        fields = np.array(_quoted(csv_safe_texts(texts) or texts) + [""], dtype=object)[codes]  # code -1 (missing) takes the last, ""
        if len(fields) and len(distinct) + (codes < 0).any() == 1:
            return fields[0]
        return fields.tolist()
    return _quoted([v if v.__class__ is str else _csv_scalar(v) for v in csv_safe(pd.DataFrame({"v": values}))["v"].tolist()])


def _csv_scalar(value: object) -> str:
    """A value of a text column that is not text: empty when missing, else its text."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _quoted(texts: list[str]) -> list[str]:
    """Texts quoted where they hold a comma, a quote or a line break (``"`` doubled inside)."""
    joined = " ".join(texts)
    if not any(c in joined for c in CSV_SPECIAL):
        return texts
    return ['"' + t.replace('"', '""') + '"' if ("," in t or '"' in t or "\n" in t or "\r" in t) else t for t in texts]


def _csv_blocks(result: CheckResult):
    """The CSV table of :func:`_csv` in blocks of sites, so that the text of a million sites is never held at once."""
    n = len(result.sites)
    findings = _findings_texts(result)
    for start in range(0, max(n, 1), CSV_BLOCK):
        stop = min(start + CSV_BLOCK, n)
        yield _csv(result, slice(start, stop), {lang: text[start:stop] for lang, text in findings.items()})


def _gpkg_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns of mixed bool/None become text-free nullable values GDAL can store."""
    table = table.copy()
    for column in table.columns:
        if column == "geometry":
            continue
        if table[column].dtype == object and table[column].map(lambda v: isinstance(v, (bool, np.bool_)) or v is None).all():
            table[column] = pd.array([None if v is None else bool(v) for v in table[column]], dtype="boolean")
    return table


def _wgs84(result: CheckResult) -> np.ndarray:
    geometry = reproject(result.sites.geometry.to_numpy(), result.sites.crs, WGS84)
    return shapely.set_precision(geometry, 1e-7)


def _json_document(result: CheckResult, feature_collection: bool) -> str:
    meta = {k: v for k, v in result.meta.items() if k != "timings_s"}
    records = result.records()
    geometry = _wgs84(result)
    if feature_collection:
        features = [{"type": "Feature", "id": r["site_id"], "properties": r, "geometry": json.loads(shapely.to_geojson(g))} for r, g in zip(records, geometry)]
        document = {"type": "FeatureCollection", "name": "sites", "metadata": meta, "features": features}
    else:
        for record, g in zip(records, geometry):
            record["geometry"] = json.loads(shapely.to_geojson(g))
        document = {**meta, "geometry_crs": "EPSG:4326", "sites": records}
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _csv(result: CheckResult, rows: slice = slice(None), findings: dict[Lang, pd.Categorical] | None = None) -> pd.DataFrame:
    """The site table (``rows`` of it, with their ``findings`` texts) with a point in WGS 84 and the findings as text (English, then Vietnamese at the end)."""
    sites = result.sites.iloc[rows]
    findings = _findings_texts(result) if findings is None else findings
    table = pd.DataFrame(sites.drop(columns="geometry")).reset_index(drop=True)
    points = reproject(shapely.point_on_surface(sites.geometry.to_numpy()), result.sites.crs, WGS84)
    xy = shapely.get_coordinates(points)
    table.insert(2, "lon", np.round(xy[:, 0], 7))
    table.insert(3, "lat", np.round(xy[:, 1], 7))
    table["findings_en"] = findings["en"]
    table["build_id"] = result.meta["build_id"]
    table["ruleset"] = result.meta["ruleset"]
    table["check_rules"] = result.meta["check_rules"]
    table["software"] = result.meta["software"]
    table["verdict_vi"] = table["verdict"].map(terms.labels("verdicts", "vi")).fillna(table["verdict"])
    table["zones_touched_vi"] = _zone_names(table["zones_touched"])
    table["findings_vi"] = findings["vi"]
    return table


def _findings_texts(result: CheckResult) -> dict[Lang, pd.Categorical]:
    """Per language, per site its findings as ``[severity] title: detail (citation; status)`` joined by `` | ``.

    Each distinct finding is written once, and each distinct list of findings joined once
    (a million sites share a few thousand): the texts are shared, not rebuilt per site.
    """
    f, n = result.findings, len(result.sites)
    key = np.zeros(len(f), dtype=np.int64)
    for column in ["severity", "status", *(f"{field}_{lang}" for field in ("title", "detail", "citation") for lang in terms.LANGUAGES)]:
        codes, uniques = pd.factorize(f[column])
        key = pd.factorize(key * (len(uniques) + 1) + codes)[0]  # renumbered: the key stays small
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    # each site's list of distinct findings as a short key
    site = pd.Index(result.sites["site_id"].to_numpy()).get_indexer(f["site_id"].to_numpy())
    order = np.argsort(site, kind="stable")
    site, number = site[order], inverse.ravel()[order].astype(str).tolist()
    starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]]) if len(site) else np.zeros(0, int)
    keys = ["|".join(number[a:b]) for a, b in zip(starts.tolist(), np.r_[starts[1:], len(site)].tolist())]
    combination = np.zeros(n, dtype=np.int64)
    codes, lists = pd.factorize(np.array(keys, dtype=object))
    combination[site[starts]] = codes + 1
    lists = [[int(i) for i in k.split("|")] for k in lists.tolist()]
    out = {}
    for lang in terms.LANGUAGES:
        d = f.iloc[first]
        severity, status = d["severity"], d["status"]
        if lang == "vi":
            severity, status = severity.map(terms.labels("severities", "vi")).fillna(severity), status.map(terms.labels("statuses", "vi")).fillna(status)
        text = ("[" + severity + "] " + d[f"title_{lang}"] + np.where(d[f"detail_{lang}"] != "", ": " + d[f"detail_{lang}"], "")
                + np.where(d[f"citation_{lang}"] != "", " (" + d[f"citation_{lang}"] + "; " + status + ")", "")).to_numpy(object)
        joined = [""] + [" | ".join(text[i] for i in items) for items in lists]
        texts, category = np.unique(np.array(joined, dtype=object), return_inverse=True)  # lists of the same text are one category
        out[lang] = pd.Categorical.from_codes(category.ravel()[combination], categories=texts)
    return out


def _zone_names(codes: pd.Series) -> pd.Series:
    """``strict,other`` → ``Vùng bảo vệ nghiêm ngặt, Vùng khác`` (computed once per distinct value)."""
    names = terms.labels("zones", "vi")
    distinct = {value: ", ".join(names.get(code, code) for code in str(value).split(",") if code) for value in codes.unique()}
    return codes.map(distinct)


def _workbook(result: CheckResult) -> list[Sheet]:
    """The results as a workbook: the sites (as in the CSV) and one sheet per long table, headers in Vietnamese and English."""
    tables = {"sites": _csv(result).drop(columns=["build_id", "ruleset", "check_rules", "software"]), **{name: result.table(name) for name in TABLES}}
    too_long = [name for name, table in tables.items() if len(table) + 2 > EXCEL_MAX_ROWS]
    if too_long:
        raise InputError(
            (f"bảng {', '.join(too_long)} có quá {terms.number(EXCEL_MAX_ROWS, 0)} dòng của một trang tính Excel",
             f"table(s) {', '.join(too_long)}: too many rows for an Excel sheet (at most {EXCEL_MAX_ROWS:,})"),
            ("ghi kết quả ra .csv hoặc .gpkg", "write the results as .csv or .gpkg"),
        )
    meta = result.meta
    title = f"Kết quả kiểm tra địa điểm / Site check — build {meta['build_id']}, {meta['ruleset']} + {meta['check_rules']}"
    sheets = []
    for name, table in tables.items():
        header = [f"{terms.label('columns', c, 'vi')} / {terms.label('columns', c, 'en')}" for c in table.columns]
        rows = [[_cell(v) for v in row] for row in pd.DataFrame(table).drop(columns="geometry", errors="ignore").itertuples(index=False, name=None)]
        sheets.append(Sheet(SHEET_NAMES[name], rows, title=title, header=[h for h, c in zip(header, table.columns) if c != "geometry"],
                            wrap=False, freeze="A3", widths=[16] * len(header)))
    return sheets


def _cell(value):
    """A workbook cell: numbers as numbers, missing values empty, booleans as có/không."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "có / yes" if value else "không / no"
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_results(sites: CheckResult | gpd.GeoDataFrame | str | Path, findings: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Site-check results as a GeoDataFrame with one list of findings per site.

    Reads what :func:`write_results` writes: a GeoPackage whose
    spatial layer ``sites`` has one row per site and whose table ``findings`` has one row
    per finding (``site_id``, ``severity``, ``status``, ``title_*``, ``detail_*``,
    ``citation_*``), a GeoJSON whose features carry their findings as a list, the JSON
    document (``sites`` with a WGS 84 ``geometry`` each) or the CSV (a point per site from
    ``lon``/``lat``, the findings as text). Only ``verdict`` is required; ``site_id``,
    ``name``, findings and the other columns are used when present.

    Parameters
    ----------
    sites
        A check result, a GeoPackage or GeoJSON path, or a GeoDataFrame.
    findings
        A long table of findings keyed by ``site_id`` (e.g. ``CheckResult.findings``); it
        replaces whatever the sites carry.

    Raises
    ------
    InputError
        If the results have no CRS or no ``verdict`` column.

    Examples
    --------
    >>> import zoning
    >>> sites = zoning.read_results("sites-check.gpkg")  # doctest: +SKIP
    >>> sites[["site_id", "verdict"]]  # doctest: +SKIP
    """
    if isinstance(sites, CheckResult):
        sites, findings = sites.sites, findings if findings is not None else sites.findings
    if isinstance(sites, gpd.GeoDataFrame):
        frame, where = sites, "sites"
    else:
        path = Path(sites)
        where = str(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            frame = _read_csv_results(check_input_file(path, ("tệp kết quả", "results file")))
        elif suffix == ".json" and (document := _json_document_of(path)) is not None:
            frame, table = document
            findings = findings if findings is not None else table
        else:
            layer, stored = _result_layers(path)
            with warnings.catch_warnings():  # GDAL guessing whether a findings column is JSON
                warnings.simplefilter("ignore", UserWarning)
                frame = read_vector(path, layer)
            findings = findings if findings is not None else stored
    if frame.crs is None:
        raise InputError((f"{where}: các địa điểm không có hệ tọa độ (CRS)", f"{where}: the sites have no coordinate reference system"),
                         ("ghi kết quả kèm hệ tọa độ (ví dụ EPSG:4326 hoặc hệ tọa độ của bản phân vùng)", "write the results with a CRS "
                             "(e.g. EPSG:4326 or the build's)"))
    frame = frame.rename(columns={c: c.lower() for c in frame.columns if isinstance(c, str) and c != frame.geometry.name})
    if "verdict" not in frame:
        raise InputError(
            (f"{where}: không có cột 'verdict' — đây có phải kết quả của `zoning check`?", f"{where}: no 'verdict' column — "
                "is this the output of `zoning check`?"),
            (f"lớp địa điểm cần cột 'verdict' ({', '.join(VERDICT_ORDER)}); các cột có trong tệp: {', '.join(map(str, frame.columns))}",
             f"site layers need a 'verdict' ({', '.join(VERDICT_ORDER)}); columns found: {', '.join(map(str, frame.columns))}"),
        )
    if findings is not None and "site_id" in findings and "site_id" in frame:
        grouped = {key: group.to_dict("records") for key, group in findings.groupby(findings["site_id"].astype(str), sort=False)}
        frame = frame.assign(findings=[grouped.get(str(s), []) for s in frame["site_id"]])
    return frame[~frame.geometry.is_empty & frame.geometry.notna()]


def _read_csv_results(path: Path) -> gpd.GeoDataFrame:
    """The CSV of :func:`write_results`: one point per site at its ``lon``/``lat`` (WGS 84)."""
    try:
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError((f"{path}: không đọc được tệp CSV ({str(exc).strip()})", f"{path}: cannot be read as CSV ({str(exc).strip()})"),
                         ("chỉ ra tệp CSV do `zoning check --out results.csv` ghi ra", "give the CSV that `zoning check --out results.csv` wrote")) from None
    columns = {c.strip().lower(): c for c in table.columns}
    if "lon" not in columns or "lat" not in columns:
        raise InputError((f"{path}: không có cột lon và lat — đây có phải tệp CSV của `zoning check`?", f"{path}: no lon and lat columns "
            "— is this the CSV of `zoning check`?"),
                         (f"các cột có trong tệp: {', '.join(table.columns) or 'không có'}", f"columns found: {', '.join(table.columns) or 'none'}"))
    lon, lat = (pd.to_numeric(table[columns[c]], errors="coerce").to_numpy(float) for c in ("lon", "lat"))
    table = table.drop(columns=[columns["lon"], columns["lat"]])
    for column in table.columns:  # the text marker of write_csv
        marked = table[column].str.startswith(TEXT_MARKER) & table[column].str[1:].map(formula_like)
        table.loc[marked, column] = table.loc[marked, column].str[1:]
    return gpd.GeoDataFrame(table, geometry=shapely.points(lon, lat), crs=WGS84)


def _json_document_of(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame] | None:
    """The sites and findings of the JSON document of :func:`write_results` (None for another JSON, e.g. GeoJSON)."""
    check_input_file(path, ("tệp kết quả", "results file"), MAX_JSON_BYTES)
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError((f"{path}: không phải JSON hợp lệ ({exc})", f"{path}: not valid JSON ({exc})"),
                         ("chỉ ra tệp do `zoning check --out` ghi ra", "give the file that `zoning check --out` wrote")) from None
    if not isinstance(document, dict) or document.get("type") == "FeatureCollection":
        return None
    records = document.get("sites")
    if not isinstance(records, list) or not all(isinstance(r, dict) and isinstance(r.get("geometry"), dict) for r in records):
        raise InputError((f"{path}: không phải kết quả của `zoning check` (không có 'sites' kèm hình học của từng địa điểm)",
                          f"{path}: not the results of `zoning check` (no 'sites' with a geometry each)"),
                         ("chỉ ra tệp .json, .geojson, .gpkg hoặc .csv do `zoning check --out` ghi ra", "give the .json, .geojson, "
                             ".gpkg or .csv that `zoning check --out` wrote"))
    try:
        geometry = shapely.from_geojson([json.dumps(r["geometry"]) for r in records])
    except shapely.errors.GEOSException as exc:
        raise InputError((f"{path}: có hình học không đọc được ({exc})", f"{path}: a geometry cannot be read ({exc})"),
                         ("chỉ ra tệp do `zoning check --out` ghi ra, không sửa tay", "give the file that `zoning check --out` wrote, unedited")) from None
    findings = pd.DataFrame([{"site_id": r.get("site_id"), **f} for r in records for f in r.get("findings") or [] if isinstance(f, dict)])
    frame = pd.DataFrame([{k: v for k, v in r.items() if k not in ("geometry", *TABLES)} for r in records])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=str(document.get("geometry_crs") or "EPSG:4326")), findings


def _result_layers(path: Path) -> tuple[str | None, pd.DataFrame | None]:
    """The spatial layer of sites and the findings table of a results GeoPackage."""
    if path.suffix.lower() != ".gpkg" or not path.exists():
        return None, None
    try:
        listed = pyogrio.list_layers(path)
    except Exception:  # noqa: BLE001 - read_vector reports the unreadable file
        return None, None
    spatial = [str(name) for name, kind in listed if kind]
    names = [str(name) for name, _ in listed]
    layer = next((n for n in ("sites", "results") if n in spatial), spatial[0] if spatial else None)
    findings = pyogrio.read_dataframe(path, layer="findings", read_geometry=False) if "findings" in names else None
    return layer, findings
