"""The HTTP API: check sites as GeoJSON, typed coordinates or an uploaded file; list the
builds, project types and criteria; export results and site reports.

Each route turns the request into a call of the public API (``zoning.check``,
``zoning.read_sites``, ``zoning.write_results``, the site report) on a build held in
memory (:mod:`zoning.web.served`) and returns its answer. A check's answer carries the
request in a canonical form (``request``): posted again, it gives the same check; the
page uses it to export results, make reports and links that reopen a check.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, Body, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyproj import CRS

from zoning.checker import check
from zoning.checker.result import CheckResult
from zoning.demo import demo_paths
from zoning.errors import ZoningError
from zoning.inputs.sites import Sites, parse_crs, read_sites
from zoning.law.project_types import CheckRules, type_catalogue
from zoning.law.safety import UserDistance
from zoning.outputs.map import sites_config
from zoning.outputs.office import convert_document, soffice_executable
from zoning.outputs.report import site_report
from zoning.outputs.results import write_results
from zoning.terms import Lang
from zoning.web.inputs import SITE_PROPERTIES, UPLOAD_PREFIX, Limits, RequestError, coordinate_sites, geojson_sites, saved_upload
from zoning.web.nation import ServedNation
from zoning.web.served import ServedBuild, ServedBuilds

WEB_ORIGIN = ("trang web", "web page")  # where a user distance came from, in the check's basis texts
DETAIL_LIMIT = 200  # sites up to which a check answers with every finding by default
# the site columns of an answer without detail: what a table of many sites shows
SUMMARY_COLUMNS = ["site_id", "name", "type", "capacity", "geometry_type", "area_ha", "length_m", "zones_touched", "commune_names",
                   "strict_pct", "emission_limited_pct", "other_pct", "outside_pct", "verdict", "borderline", "conflicts", "reviews", "illustrative"]
# the columns a check over the whole country adds: the province of each row, the site's provinces and its combined verdict
NATIONAL_COLUMNS = ["province_name", "province", "input_site_id", "site_provinces", "verdict_combined"]
RESULT_FORMATS = {"gpkg": "application/geopackage+sqlite3", "csv": "text/csv; charset=utf-8",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "geojson": "application/geo+json", "json": "application/json"}
REPORT_FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
                  "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

router = APIRouter(prefix="/api")
log = logging.getLogger("zoning.web")


# ------------------------------------------------------------------------------ models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Options(_Model):
    """What the project is and how to check it."""

    build: str | None = Field(None, description="Id of a served zoning (see GET /api/builds); the first one when left out.")
    type: str | None = Field(None, description="Project type code (see GET /api/types) of the sites that carry none.")
    capacity: float | None = Field(None, ge=0, allow_inf_nan=False, description="Capacity of the sites that carry none, in the unit of their type.")
    upstream: bool = Field(False, description="The facility must sit upstream of a water source or upwind of the town (× 1.5 where the table says so).")
    distances: dict[str, float] = Field(default_factory=dict, description="Safety distances in metres where the rules "
        "have no confirmed value, keyed `facility` or `facility:receptor`, e.g. {\"sanitary_landfill\": 1000}.")
    search_distance: float | None = Field(None, gt=0, le=50_000, description="List zoning units within this many metres (default 1000).")
    detail: bool | None = Field(None, description="Answer with every site's zones, units, findings, sensitive elements "
        f"and safety distances; by default when there are at most {DETAIL_LIMIT} sites.")


class Coordinates(_Model):
    """Typed coordinates, one point per line (a name may start a line)."""

    text: str = Field(description="E.g. `22.6656, 106.2522`, `22°39′56″B 106°15′08″Đ`, or a pasted marker table `Mốc | X (m) | Y (m)`.")
    system: Literal["wgs84", "dms", "vn2000"] = Field("wgs84", description="wgs84: latitude, longitude in decimal "
        "degrees; dms: degrees, minutes, seconds; vn2000: X (northing), Y (easting) in metres on `meridian`.")
    shape: Literal["point", "line", "polygon"] = Field("point", description="point: each line a site; line or polygon: the points in order form one site.")
    meridian: float | None = Field(None, description="Central meridian of VN-2000 / TM-3 coordinates, decimal degrees (e.g. 107.25 for 107°15′).")


class RejectedRow(_Model):
    """A row of an uploaded table that could not be read ("Lỗi dữ liệu"), carried so that exports list it."""

    row: int = Field(description="The row's number in the file (the header is row 1).")
    column: str
    value: str
    reason_vi: str
    reason_en: str


class CheckRequest(Options):
    """Sites to check — exactly one of `sites` (GeoJSON) and `coordinates` — and the options."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sites": {"type": "Point", "coordinates": [106.2522, 22.6656]}, "type": "sanitary_landfill"},
        {"coordinates": {"text": "22.6656, 106.2522", "system": "wgs84", "shape": "point"}},
    ]})


    sites: dict[str, Any] | None = Field(None, description="A GeoJSON geometry, Feature or FeatureCollection; properties "
        "`id`, `name`, `type`, `capacity`, `capacity_unit`, `upstream` are read.")
    crs: str | None = Field(None, description="CRS of the `sites` coordinates (`EPSG:9215`, `tm3:107.25`); WGS 84 when left out.")
    coordinates: Coordinates | None = None
    name: str | None = Field(None, max_length=500, description="Name of a single drawn or typed site.")
    rejected_rows: list[RejectedRow] = Field(default_factory=list, max_length=100_000, description="Rows of an uploaded table "
        "that could not be read, as the upload's answer gave them in `request`: exports list them as \"Lỗi dữ liệu\" rows.")


# the examples the API page (/docs) fills in: each gives an answer as it is
EXAMPLES = {
    "point": {"summary": "Một điểm (GeoJSON) / One point (GeoJSON)",
              "value": {"sites": {"type": "Point", "coordinates": [106.2522, 22.6656]}, "type": "sanitary_landfill"}},
    "typed": {"summary": "Tọa độ nhập / Typed coordinates",
              "value": {"coordinates": {"text": "22.6656, 106.2522", "system": "wgs84", "shape": "point"}}},
    "markers": {"summary": "Bảng mốc VN-2000 / VN-2000 marker table",
                "value": {"coordinates": {"text": "STT\tSố hiệu\tX (m)\tY (m)\n1\tM1\t2507400\t584700\n2\tM2\t2507400\t585400\n"
                                                  "3\tM3\t2508100\t585400", "system": "vn2000", "shape": "polygon",
                                                  "meridian": demo_paths().province.central_meridian}}},
}
CheckBody = Annotated[CheckRequest, Body(openapi_examples=EXAMPLES)]


# ------------------------------------------------------------------------------ routes


@router.get("/health", summary="The server is up")
def health(request: Request) -> dict:
    return {"status": "ok", "builds": [entry.key for entry in _served(request)], "process": os.getpid()}


@router.get("/builds", summary="The zonings served: province, rules, date, illustrative or not")
def builds(request: Request) -> list[dict]:
    return [entry.info() for entry in _served(request)]


@router.get("/builds/{build}/map", summary="The map of a zoning as zoning.js draws it (WGS 84 GeoJSON, styles, texts)")
def build_map(
    request: Request, build: str, lang: Lang = "vi", offline: bool | None = Query(None, description="No basemap; the server's setting by default.")
) -> Response:
    entry = _served(request).get(build)
    offline = request.app.state.offline if offline is None else offline
    return Response(entry.map_json(lang, offline), media_type="application/json")


@router.get("/builds/{build}/criteria", summary="The criteria of a zoning with their citation, status and number of units")
def build_criteria(request: Request, build: str) -> list[dict]:
    entry = _served(request).get(build)
    return _json_rows(entry.criteria())


@router.get("/types", summary="The project types: names, facility type, capacity unit, safety distances")
def types(request: Request) -> dict:
    rules: CheckRules = request.app.state.rules
    receptors = {code: {"name_vi": r.name_vi, "name_en": r.name_en} for code, r in rules.facilities.receptors.items()}
    facilities = {code: {"name_vi": f.name_vi, "name_en": f.name_en, "capacity_unit": f.capacity_unit} for code, f in rules.facilities.facilities.items()}
    return {"rules": rules.id, "types": _json_rows(type_catalogue(rules)), "facilities": facilities, "receptors": receptors}


@router.post("/check", summary="Check sites given as GeoJSON or typed coordinates")
def check_json(request: Request, body: CheckBody, lang: Lang = "vi") -> Response:
    """Answer: `verdicts` (counts), `sites` (one record per site; with `detail` the nested
    `zones`, `units`, `communes`, `findings`, `sensitive`, `safety`), `meta` (build, rules,
    notes, illustrative notice), `map` (`sites` and safety-distance `buffers` as GeoJSON in
    WGS 84) and `request` (this request in canonical form).
    """
    entry, limits = _served(request).get(body.build), request.app.state.limits
    frame = _request_sites(body, limits)
    result = _check(request, entry, frame, body)
    return _json(_answer(entry, result, frame, body, lang))


@router.post("/check/upload", summary="Check the sites of an uploaded file (GeoJSON, KML/KMZ, zipped shapefile, GeoPackage, CSV, Excel)")
def check_upload(
    request: Request,
    file: Annotated[UploadFile, File(description="One file: .geojson/.json, .kml, .kmz, .zip (shapefile), .gpkg, .csv/.txt or .xlsx.")],
    build: Annotated[str | None, Form()] = None,
    type: Annotated[str | None, Form()] = None,
    capacity: Annotated[float | None, Form(ge=0, allow_inf_nan=False)] = None,
    upstream: Annotated[bool, Form()] = False,
    distances: Annotated[str | None, Form(description="JSON object of safety distances, as in POST /api/check.")] = None,
    search_distance: Annotated[float | None, Form(gt=0, le=50_000, allow_inf_nan=False)] = None,
    detail: Annotated[bool | None, Form()] = None,
    crs: Annotated[str | None, Form(description="CRS of x/y columns or of a file without one (`tm3:107.25`, `EPSG:9215`; the build's when left out).")] = None,
    layer: Annotated[str | None, Form(description="Only this layer of a GeoPackage or KML.")] = None,
    lang: Lang = "vi",
) -> Response:
    try:
        options = Options(
            build=build,
            type=type or None,
            capacity=capacity,
            upstream=upstream,
            distances=_distances_form(distances),
            search_distance=search_distance,
            detail=detail,
        )
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
    entry, limits = _served(request).get(options.build), request.app.state.limits
    name = _display_name(file.filename)
    with saved_upload(file.file, file.filename, limits) as path:
        try:
            sites = read_sites(path, entry.crs, layer=layer or None, crs=_crs(crs), types=request.app.state.rules.type_names)
        except ZoningError as error:
            raise _located(error, path, name) from None
        except (RequestError, MemoryError):
            raise
        except Exception as error:  # noqa: BLE001 - a file a reader chokes on is a bad upload, not a server fault
            log.warning("upload %s could not be read", name, exc_info=True)
            raise RequestError(
                422,
                f"Không đọc được tệp {name} ({_error_text(error)}): hãy lưu lại tệp bằng QGIS hoặc Excel rồi thử lại.",
                f"The file {name} cannot be read ({_error_text(error)}): save it again from QGIS or Excel and retry.",
            ) from None
    if len(sites) > limits.sites:
        raise RequestError(
            413,
            f"Quá nhiều địa điểm trong tệp ({len(sites):,}; tối đa {limits.sites:,}).",
            f"Too many sites in the file ({len(sites):,}; at most {limits.sites:,}).",
        )
    sites.origin = f"upload: {name}"
    sites.notes[:] = [note.replace(str(path), name) for note in sites.notes]
    result = _check(request, entry, sites, options)
    frame = sites.frame.rename(columns={"site_id": "id"})
    return _json(_answer(entry, result, frame, options, lang))


@router.post("/export/{fmt}", summary="The results of a check as a file: GeoPackage, CSV, Excel, GeoJSON or JSON")
def export(request: Request, fmt: Literal["gpkg", "csv", "xlsx", "geojson", "json"], body: CheckBody) -> Response:
    entry = _served(request).get(body.build)
    result = _check(request, entry, _request_sites(body, request.app.state.limits), body)
    with tempfile.TemporaryDirectory(prefix="zoning-export-") as work:
        path = write_results(result, Path(work) / f"results.{fmt}")
        content = path.read_bytes()
    return _attachment(content, RESULT_FORMATS[fmt], f"zoning-check-{entry.key}.{fmt}")


@router.post("/report/{fmt}", summary="The report of one site: HTML (with its map), PDF or Word (through LibreOffice)")
def report(
    request: Request,
    fmt: Literal["html", "pdf", "docx"],
    body: CheckBody,
    site: str | None = Query(None, description="Id of the site; the first site by default."),
) -> Response:
    if fmt != "html" and soffice_executable() is None:
        raise RequestError(
            501,
            "Máy chủ không có LibreOffice nên không tạo được PDF hoặc Word; hãy tải phiếu HTML.",
            "LibreOffice is not installed on the server, so no PDF or Word can be made; download the HTML report.",
        )
    entry = _served(request).get(body.build)
    result = _check(request, entry, _request_sites(body, request.app.state.limits), body)
    site_id = site if site is not None else str(result.sites["site_id"].iloc[0])
    rows = result.sites[result.sites["site_id"] == site_id]
    province = str(rows["province"].iloc[0]) if "province" in rows and len(rows) else ""
    try:
        page = site_report(result, site_id, build=entry.report_build(province), interactive=fmt == "html")
    except KeyError:
        raise RequestError(404, f"Không có địa điểm '{site_id}' trong kết quả kiểm tra.", f"No site '{site_id}' in the check.") from None
    name = f"zoning-site-{_file_stem(site_id)}"
    if fmt == "html":
        return _attachment(page.encode("utf-8"), REPORT_FORMATS[fmt], f"{name}.html")
    with tempfile.TemporaryDirectory(prefix="zoning-report-") as work:
        source = Path(work) / "report.html"
        source.write_text(page, encoding="utf-8")
        content = convert_document(source, Path(work) / f"report.{fmt}", timeout_s=120).read_bytes()
    return _attachment(content, REPORT_FORMATS[fmt], f"{name}.{fmt}")


# ----------------------------------------------------------------------------- helpers


def _served(request: Request) -> ServedBuilds:
    return request.app.state.served


def _request_sites(body: CheckRequest, limits: Limits) -> gpd.GeoDataFrame:
    """The sites of a JSON request as a GeoDataFrame in their own CRS."""
    if (body.sites is None) == (body.coordinates is None):
        raise RequestError(
            422,
            "Hãy gửi đúng một trong hai: 'sites' (GeoJSON) hoặc 'coordinates' (tọa độ nhập).",
            "Send exactly one of 'sites' (GeoJSON) and 'coordinates' (typed coordinates).",
        )
    if body.sites is not None:
        frame = geojson_sites(body.sites, _crs(body.crs), limits, body.name)
    else:
        c = body.coordinates
        assert c is not None  # one of the two is given: checked above
        frame = coordinate_sites(c.text, c.system, c.shape, limits, meridian=c.meridian, name=body.name)
    frame.attrs["origin"] = "'sites'" if body.sites is not None else "'coordinates'"  # what the engine's messages name
    return frame


def _crs(text: str | None) -> CRS | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_crs(text)
    except ZoningError as error:
        raise RequestError(422, f"Hệ tọa độ '{text[:80]}' không đọc được: {error.text('vi')}",
                           f"The coordinate system '{text[:80]}' cannot be read: {error.text('en')}") from None


def _check(request: Request, entry: ServedBuild | ServedNation, sites: gpd.GeoDataFrame | Sites, options: Options) -> CheckResult:
    rules: CheckRules = request.app.state.rules
    if options.type and options.type not in rules.types:
        raise RequestError(
            422,
            f"Loại hình dự án '{options.type}' không có trong danh mục (GET /api/types).",
            f"Project type '{options.type}' is not in the catalogue (GET /api/types).",
        )
    given: dict[str, Any] = dict(type=options.type, capacity=options.capacity, distances=_distances(options.distances, rules),
                                 upstream=options.upstream, search_distance=options.search_distance, rules=rules)
    if isinstance(entry, ServedNation):  # the whole country: each site to the province(s) it lies in
        result = check(sites, entry.national, **given)
    else:
        result = check(sites, entry.build, index=entry.index, **given)
    if isinstance(options, CheckRequest) and options.rejected_rows:
        result.meta["rejected_rows"] = [row.model_dump() for row in options.rejected_rows]
    return result


def _distances(given: dict[str, float], rules: CheckRules) -> dict[str, UserDistance]:
    for key, metres in given.items():
        facility, _, receptor = key.partition(":")
        if facility not in rules.facilities or (receptor and receptor not in rules.facilities.receptors):
            raise RequestError(
                422,
                f"Khoảng cách '{key}': không có loại công trình hoặc đối tượng này (GET /api/types).",
                f"Distance '{key}': unknown facility type or receptor (see GET /api/types).",
            )
        if not (isinstance(metres, (int, float)) and math.isfinite(metres) and metres > 0):
            raise RequestError(422, f"Khoảng cách '{key}' phải là số mét dương.", f"Distance '{key}' must be a positive number of metres.")
    return {key: UserDistance(float(metres), origin=WEB_ORIGIN) for key, metres in given.items()}


def _distances_form(text: str | None) -> dict[str, float]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise RequestError(
            422,
            "'distances' phải là một đối tượng JSON, ví dụ {\"sanitary_landfill\": 1000}.",
            "'distances' must be a JSON object, e.g. {\"sanitary_landfill\": 1000}.",
        )
    return value


def _answer(entry: ServedBuild | ServedNation, result: CheckResult, frame: gpd.GeoDataFrame, options: Options, lang: Lang) -> dict:
    detail = options.detail if options.detail is not None else len(result.sites) <= DETAIL_LIMIT
    meta = {key: value for key, value in result.meta.items() if key != "timings_s"}
    province = {}
    if isinstance(entry, ServedNation) or entry.in_nation:  # the province picked (or the whole country), named in every answer
        info = entry.info()
        province = {"province": {"id": entry.key, "vi": info["province_vi"], "en": info["province_en"]}}
    return {
        "build": entry.key,
        **province,
        "verdicts": result.meta["verdicts"],
        "detail": detail,
        "meta": meta,
        "sites": _page_records(result.records()) if detail else _json_rows(result.sites[SUMMARY_COLUMNS + [c for c in NATIONAL_COLUMNS if c in result.sites]]),
        "map": sites_config(result, entry.build, lang, findings=False),  # the panel shows the findings
        "request": canonical_request(entry, frame.assign(id=_input_ids(result)), options, result.meta.get("rejected_rows")),
    }


def _input_ids(result: CheckResult) -> np.ndarray:
    """The id the check gave each site, in site order (a check over the whole country has a row per site and province)."""
    if "input_site_id" in result.sites:
        return result.sites["input_site_id"].drop_duplicates().to_numpy()
    return result.sites["site_id"].to_numpy()


# the command line's words in the engine's texts, said as the page says them
PAGE_WORDS = [
    (re.compile(r"nhập bằng --distance \S+=MÉT"), "nhập khoảng cách ở mục Khoảng cách an toàn bên dưới"),
    (re.compile(r"give it with --distance \S+=METRES"), "give it under Safety distances below"),
    (re.compile(r"nhập cột 'type' hoặc --type \(xem `zoning types`\)"), "chọn loại hình ở mục 2. Dự án"),
    (re.compile(r"give a 'type' attribute or --type \(see `zoning types`\)"), "choose the project type under 2. Project"),
    (re.compile(r" \((?:dùng|use) --include-proposed [^)]*\)"), ""),
    (re.compile(r" \((?:nhập 'exclusion' hoặc --exclusion|give 'exclusion' or --exclusion)\)"), ""),
    (re.compile(r",? ?(?:theo lựa chọn|as) --include-proposed(?: asks)?"), ""),
    (re.compile(r"\bm3/day\b"), "m³/day"),
    (re.compile(r",? (?:tiêu chí|criterion) [a-z0-9]+(?:-[a-z0-9]+)+"), ""),  # rule ids: the citation says it in words
]


def page_words(text: str) -> str:
    """An engine text without command-line words (``--distance``, ``--type``) or ASCII units, for the page."""
    if "--" not in text and "m3/" not in text and "ti" not in text and "crit" not in text:
        return text
    for pattern, words in PAGE_WORDS:
        text = pattern.sub(words, text)
    return text


def _page_records(records: list[dict]) -> list[dict]:
    for record in records:
        for finding in record.get("findings", []):
            for key in ("title_vi", "title_en", "detail_vi", "detail_en"):
                if isinstance(finding.get(key), str):
                    finding[key] = page_words(finding[key])
    return records


def canonical_request(entry: ServedBuild | ServedNation, frame: gpd.GeoDataFrame, options: Options, rejected: list[dict] | None = None) -> dict:
    """A JSON check request that gives the same check: the sites as read (before any
    default type or capacity, with the ids the check gave them), in their CRS, with the
    options.
    """
    properties = _json_rows(frame[[c for c in SITE_PROPERTIES if c in frame]])
    geometries = json.loads("[" + ",".join(shapely.to_geojson(frame.geometry.to_numpy())) + "]")
    features = [{"type": "Feature", "properties": {k: v for k, v in p.items() if v is not None}, "geometry": g} for p, g in zip(properties, geometries)]
    crs = CRS(frame.crs)
    code = crs.to_epsg()
    request = {key: value for key, value in options.model_dump(exclude_none=True).items() if key in Options.model_fields and key != "detail"}
    request.update(build=entry.key, sites={"type": "FeatureCollection", "features": features}, crs=f"EPSG:{code}" if code else crs.to_wkt())
    if rejected:
        request["rejected_rows"] = rejected
    return request


def _error_text(error: Exception) -> str:
    """The kind of an error and its first line, for a message."""
    text = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_rows(table: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain values, None for missing ones (numpy scalars are left to :func:`_json`)."""
    table = pd.DataFrame(table.drop(columns=["geometry"], errors="ignore"))
    return table.astype(object).where(table.notna(), None).to_dict("records")


def _json(payload: dict, status: int = 200) -> Response:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain)
    return Response(text.encode("utf-8"), status_code=status, media_type="application/json")


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _display_name(filename: str | None) -> str:
    """The upload's own name, for messages only (never a path on the server)."""
    name = PurePosixPath((filename or "upload").replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:120] or "upload"


def _file_stem(text: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text).strip("._")
    return stem[:80] or "site"


def _located(error: ZoningError, path: Path, name: str) -> ZoningError:
    """The engine's message about an upload, naming the uploaded file instead of the temporary one."""
    root = next(p for p in path.parents if p.name.startswith(UPLOAD_PREFIX))
    temporary = re.compile(re.escape(str(root)) + r"[^\s:'\"]*")
    named = lambda text: temporary.sub(lambda _: name, text)  # noqa: E731
    return type(error)((named(error.message_vi), named(error.message_en)), error.hint_en and (named(error.hint_vi), named(error.hint_en)))
