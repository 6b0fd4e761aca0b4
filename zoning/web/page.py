"""The page a planner opens, the API documentation, and the files the documentation loads.

The page is one HTML document with every script and style inlined
(:func:`zoning.outputs.webassets.web_assets`, ``page="app"``): the same Leaflet, plugins,
``zoning.js`` and ``zoning.css`` as the maps of ``zoning map``, the drawing plugin, and the
page's own ``app.js`` and ``app.css``. Its texts come from ``maps/app.yaml`` and
``maps/terms.yaml``; everything else it shows comes from the API as JSON and is put into
the page as text, never as HTML.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from zoning import __version__, terms
from zoning.law.project_types import type_catalogue
from zoning.outputs.map import LANGUAGES
from zoning.outputs.office import soffice_executable
from zoning.outputs.report import environment
from zoning.outputs.webassets import safe_json, vendored_file, web_assets
from zoning.resources import path as resource
from zoning.terms import Lang
from zoning.web.inputs import RequestError

router = APIRouter(include_in_schema=False)
DOWNLOAD_TEXTS = ("download_failed", "download_network", "download_server")
TYPE_COLUMNS = ("type", "type_name_vi", "type_name_en", "facility", "capacity_unit", "capacity_needed", "pollution_risk")


@lru_cache(maxsize=1)
def app_texts() -> dict[str, dict[str, str]]:
    """The page's texts by language (``maps/app.yaml``), checked to have the same keys."""
    texts = yaml.safe_load(resource("maps", "app.yaml").read_text(encoding="utf-8"))["texts"]
    if set(texts["vi"]) != set(texts["en"]):
        raise RuntimeError(f"app.yaml: texts differ between vi and en: {sorted(set(texts['vi']) ^ set(texts['en']))}")
    return texts


@router.get("/", response_class=HTMLResponse)
def index(request: Request, lang: str = "vi", build: str | None = None, token: str | None = None) -> HTMLResponse:
    language: Lang = "en" if lang == "en" else "vi"
    served = request.app.state.served
    entry = served.get(build)
    texts = app_texts()[language]
    builds = [entry_.info() for entry_ in served]
    for info in builds:
        info["label"] = texts["zoning_option"].format(
            province=info[f"province_{language}"] or info["build_id"], ruleset=info["ruleset"], date=info["date"],
            illustrative=texts["zoning_illustrative_mark"] if info["illustrative"] else "",
        )
    rules = request.app.state.rules
    types = type_catalogue(rules)
    config = {
        "lang": language,
        "locale": LANGUAGES[language],
        "version": __version__,
        "texts": texts,
        # a failed download is told in both languages, Vietnamese first, whatever the page's language
        "download_texts": {lang_: {k: app_texts()[lang_][k] for k in DOWNLOAD_TEXTS} for lang_ in ("vi", "en")},
        "terms": {group: terms.labels(group, language) for group in ("zones", "verdicts", "severities", "statuses", "relations", "capacity_classes")},
        "verdict_colours": {v: terms.colour("verdicts", v) for v in terms.labels("verdicts")},
        "decimals": terms.catalogue()["numbers"]["decimals"],
        "builds": builds,
        "build": entry.key,
        "types": [
            {k: (None if v != v else v) for k, v in row.items()}  # NaN → null
            for row in types[list(TYPE_COLUMNS)].astype(object).to_dict("records")
        ],
        "facilities": {code: {"name": getattr(f, f"name_{language}"), "capacity_unit": f.capacity_unit} for code, f in rules.facilities.facilities.items()},
        "receptors": {code: getattr(r, f"name_{language}") for code, r in rules.facilities.receptors.items()},
        "office": soffice_executable() is not None,
        "max_upload_mb": request.app.state.limits.upload_bytes / 1024 / 1024,
        "offline": request.app.state.offline,
        "token": token if request.app.state.token else None,
    }
    page = environment().get_template("app.html.j2").render(
        lang=language, t=texts, other_lang="en" if language == "vi" else "vi", builds=builds, build=entry.key,
        assets=web_assets("app").head_html, config_json=safe_json(config), token=config["token"], version=__version__,
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/docs", response_class=HTMLResponse)
def docs(token: str | None = None) -> HTMLResponse:
    suffix = f"?token={quote(token, safe='')}" if token else ""
    return get_swagger_ui_html(
        openapi_url=f"/openapi.json{suffix}", title="zoning – API",
        swagger_js_url=f"/vendor/swagger-ui/swagger-ui-bundle.js{suffix}", swagger_css_url=f"/vendor/swagger-ui/swagger-ui.css{suffix}",
        swagger_favicon_url="data:,",
    )


@router.get("/vendor/{name:path}")
def vendor(name: str) -> Response:
    found = vendored_file(name)
    if found is None:
        raise RequestError(404, "Không có tệp này.", "No such file.")
    content, media_type = found
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
