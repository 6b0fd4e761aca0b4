"""The web application: one FastAPI app over the builds it serves.

:func:`create_app` reads and indexes every build once; the routes of :mod:`zoning.web.api`
and :mod:`zoning.web.page` share them. Around every request:

- the token, when one is set, is required (``Authorization: Bearer …``, an
  ``X-Zoning-Token`` header, or ``?token=`` for a browser opening the page);
- the body is read up to the upload limit (plus room for form fields) into a spool that
  is removed after the request, and refused beyond it with 413;
- every error is JSON ``{"error": {"vi": …, "en": …}}`` with a 4xx status naming what is
  wrong (an engine error adds ``"hint": {"vi": …, "en": …}``, what to do, also at the end
  of each text); an unexpected one is logged and answered with a 500 that carries no traceback.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import string
import tempfile
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zoning import __version__
from zoning.errors import ZoningError
from zoning.law.project_types import CheckRules, load_check_rules
from zoning.web import api, page
from zoning.web.inputs import Limits, RequestError
from zoning.web.served import BuildSource, ServedBuilds

log = logging.getLogger("zoning.web")
FORM_ROOM = 1024 * 1024  # multipart boundaries and form fields around an upload
SPOOL_IN_MEMORY = 1024 * 1024
HTTP_TEXTS = {
    401: ("Cần mã truy cập (token) hợp lệ: thêm ?token=… vào địa chỉ hoặc tiêu đề Authorization: Bearer ….",
          "A valid access token is needed: add ?token=… to the address or an Authorization: Bearer … header."),
    404: ("Không có trang hoặc địa chỉ API này.", "No such page or API address."),
    405: ("Địa chỉ này không nhận phương thức HTTP đó.", "This address does not accept that HTTP method."),
}


def create_app(
    builds: Sequence[BuildSource],
    token: str | None = None,
    max_upload_mb: float = 50,
    *,
    offline: bool = False,
    rules: CheckRules | None = None,
    progress: Callable[[str], None] | None = None,
) -> FastAPI:
    """The web application over ``builds``.

    Parameters
    ----------
    builds
        Builds (in memory) or build files; the first is shown first.
    token
        When given, every request must carry it.
    max_upload_mb
        Largest upload accepted, in MB.
    offline
        Maps without a basemap (no request leaves the machine).
    rules
        Check rules; the shipped ones by default.
    progress
        Called with the name of each start-up step.
    """
    if max_upload_mb <= 0:
        raise ValueError("max_upload_mb must be positive")
    check_token(token)
    rules = rules or load_check_rules()
    upload = int(max_upload_mb * 1024 * 1024)
    app = FastAPI(
        title="zoning – phân vùng môi trường / environmental zoning",
        version=__version__,
        description="Check project sites against a province's environmental zoning under Decree 08/2022/NĐ-CP: "
        "the same engine as `zoning check`. Errors are JSON `{\"error\": {\"vi\": …, \"en\": …}}`.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.served = ServedBuilds(builds, rules, progress)
    app.state.rules = rules
    app.state.limits = Limits(upload_bytes=upload, unzipped_bytes=max(Limits.unzipped_bytes, 4 * upload))
    app.state.offline = offline
    app.state.token = token
    app.include_router(api.router)
    app.include_router(page.router)
    _add_error_handlers(app)
    app.add_middleware(Guard, token=token, max_body=upload + FORM_ROOM)
    app.openapi = lambda: _openapi(app, bool(token))  # type: ignore[method-assign]  # FastAPI's documented way
    return app


TOKEN_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~+/=!#$%&*^")


def check_token(token: str | None) -> None:
    """Refuse a token a browser cannot send: letters outside ASCII (ư, đ, …), spaces or control characters.

    Raises
    ------
    ZoningError
        Naming the first character that cannot be used.
    """
    if token is None:
        return
    bad = next((ch for ch in token if ch not in TOKEN_CHARACTERS), None)
    if not token or bad is not None:
        shown = repr(bad) if bad is not None else "''"
        raise ZoningError(
            (f"--token không dùng được: ký tự {shown} không gửi được trong tiêu đề HTTP (trình duyệt từ chối)",
             f"--token cannot be used: the character {shown} cannot travel in an HTTP header (browsers refuse it)"),
            ("chỉ dùng chữ cái không dấu a–z, A–Z, chữ số và - . _ ~ + / =, ví dụ --token so-bi-mat-2026",
             "use only ASCII letters a–z, A–Z, digits and - . _ ~ + / =, e.g. --token secret-2026"),
        )


def loopback(host: str) -> bool:
    """Whether an address only reaches this computer (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ------------------------------------------------------------------------------ errors


def error_response(status: int, vi: str, en: str, hint: tuple[str, str] | None = None) -> JSONResponse:
    """``{"error": {"vi": …, "en": …}}``, with ``"hint": {"vi": …, "en": …}`` (what to do) when there is one."""
    error = {"vi": vi, "en": en} | ({"hint": {"vi": hint[0], "en": hint[1]}} if hint else {})
    return JSONResponse({"error": error}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestError)
    async def request_error(_: Request, error: RequestError) -> JSONResponse:
        return error_response(error.status, error.vi, error.en)

    @app.exception_handler(ZoningError)
    async def zoning_error(_: Request, error: ZoningError) -> JSONResponse:
        return error_response(422, error.text("vi"), error.text("en"), error.hint_pair)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = [(".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body", validation_text(e)) for e in error.errors()[:5]]
        vi, en = ("; ".join(f"{where}: {text[i]}" for where, text in problems) for i in (0, 1))
        return error_response(422, f"Yêu cầu không hợp lệ – {vi}", f"Invalid request – {en}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        vi, en = HTTP_TEXTS.get(error.status_code, (f"Lỗi HTTP {error.status_code}: {error.detail}", f"HTTP error {error.status_code}: {error.detail}"))
        return error_response(error.status_code, vi, en)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "Lỗi bất ngờ của máy chủ; yêu cầu chưa được xử lý. Chi tiết đã được ghi vào nhật ký máy chủ.",
                              "Unexpected server error; the request was not handled. The details are in the server log.")


def validation_text(error: dict) -> tuple[str, str]:
    """What is wrong with one field of a request, in Vietnamese and English (a NaN is "not a number", not "below 0")."""
    kind, limits = error.get("type", ""), error.get("ctx") or {}
    given = str(error.get("input", "")).strip().lower().lstrip("+-")
    if kind.startswith(("greater_than", "less_than")) and given in ("nan", "inf", "infinity"):
        kind = "finite_number"  # older pydantic compares a NaN with the bound instead of refusing it as not finite
    bound = next(iter(limits.values()), "")
    bound = f"{bound:g}" if isinstance(bound, (int, float)) else bound
    texts = {
        "finite_number": ("không phải là số (NaN hoặc vô hạn)", "not a number (NaN or infinite)"),
        "float_parsing": ("không phải là số", "not a number"),
        "int_parsing": ("không phải là số nguyên", "not a whole number"),
        "greater_than_equal": (f"phải lớn hơn hoặc bằng {bound}", f"must be {bound} or more"),
        "greater_than": (f"phải lớn hơn {bound}", f"must be more than {bound}"),
        "less_than_equal": (f"phải nhỏ hơn hoặc bằng {bound}", f"must be {bound} or less"),
        "missing": ("thiếu trường bắt buộc này", "this field is required"),
        "extra_forbidden": ("API không có trường này", "the API has no such field"),
    }
    message = str(error.get("msg", ""))
    return texts.get(kind, (message, message))


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["vi", "en"],
        "properties": {
            "vi": {"type": "string", "description": "What is wrong, in Vietnamese."},
            "en": {"type": "string", "description": "What is wrong, in English."},
            "hint": {"type": "object", "required": ["vi", "en"], "description": "What to do (errors of the engine).",
                     "properties": {"vi": {"type": "string"}, "en": {"type": "string"}}},
        },
    }},
    "example": {"error": {"vi": "Loại hình dự án 'casino' không có trong danh mục (GET /api/types).",
                          "en": "Project type 'casino' is not in the catalogue (GET /api/types)."}},
}


def _openapi(app: FastAPI, token: bool) -> dict:
    """The OpenAPI document: every error answer is the one the server really gives (``Error``),
    and, with a token, the bearer token every request needs.
    """
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        schemas["Error"] = ERROR_SCHEMA
        error = {"description": "Lỗi / Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["4XX"] = error
        if token:
            components["securitySchemes"] = {"token": {"type": "http", "scheme": "bearer"}}
            schema["security"] = [{"token": []}]
        app.openapi_schema = schema
    return app.openapi_schema


# -------------------------------------------------------------------------- middleware


class Guard:
    """ASGI middleware: the token, and a body spooled to a temporary file up to ``max_body`` bytes."""

    def __init__(self, app, token: str | None, max_body: int) -> None:
        self.app, self.token, self.max_body = app, token, max_body

    async def __call__(self, scope, receive, send) -> None:  # noqa: D102 (the ASGI interface)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token and not self._authorised(scope):
            await error_response(401, *HTTP_TEXTS[401])(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large()(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, prefix="zoning-body-") as spool:
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    await self._too_large()(scope, receive, send)
                    return
                spool.write(chunk)
                if not message.get("more_body", False):
                    break
            spool.seek(0)
            await self.app(scope, _replay(spool, size, receive), send)

    def _authorised(self, scope) -> bool:
        headers = dict(scope.get("headers") or [])
        given = []
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("bearer "):
            given.append(auth[7:].strip())
        given.append(headers.get(b"x-zoning-token", b"").decode("latin-1").strip())
        given += parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        expected = (self.token or "").encode("utf-8")
        return any(hmac.compare_digest(value.encode("utf-8"), expected) for value in given if value)

    def _too_large(self) -> JSONResponse:
        mb = (self.max_body - FORM_ROOM) / 1024 / 1024
        return error_response(413, f"Yêu cầu quá lớn: tệp tải lên tối đa {mb:.3g} MB.", f"The request is too large: uploads of at most {mb:.3g} MB.")


def _replay(spool, size: int, receive):
    """A ``receive`` that hands the spooled body back in chunks, then waits on the client."""
    done = False

    async def replayed():
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(1 << 16)
        done = spool.tell() >= size
        return {"type": "http.request", "body": chunk, "more_body": not done}

    return replayed
