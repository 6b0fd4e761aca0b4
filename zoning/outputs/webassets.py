"""Web assets of the maps and of the web application, inlined so that a page needs no network.

The vendored Leaflet, plugin and proj4 files (``maps/vendor/``, pinned, sha256-checked)
and the project's own ``zoning.js`` and ``zoning.css`` become one block of ``<style>`` and
``<script>`` elements. CSS images become ``data:`` URIs; a reference to anything outside
the package is refused, so no page can load code or images from a server. The web
application's page (``page="app"``) adds its drawing plugin and its own ``app.js`` and
``app.css``; the files of its API documentation (``pages: [docs]``) are served as they are
(:func:`vendored_file`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from zoning.resources import path as resource

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_OWN_FILES = {"map": ("zoning.css", "zoning.js"), "app": ("zoning.css", "zoning.js", "app.css", "app.js", "app-results.js")}
DEFAULT_PAGES = ("map", "app")


@dataclass(frozen=True)
class WebAssets:
    """Inline ``<style>``/``<script>`` HTML and the default marker icons as data URIs."""

    head_html: str
    icons: dict[str, str]
    versions: dict[str, str]


def safe_json(value: object) -> str:
    r"""JSON that can sit inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\u003c`` etc. (same JSON value), so data such as
    ``</script>`` can never close the element; U+2028/U+2029 are escaped for old engines.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def data_uri(path: Path) -> str:
    """A ``data:`` URI with the file's bytes (base64)."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(path: Path) -> str:
    """CSS text with every relative ``url(...)`` replaced by a data URI."""
    text = path.read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#", "%23")):  # %23: an SVG fragment inside a data URI
            return match.group(0)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.IGNORECASE):
            raise RuntimeError(f"{path}: refers to an outside resource {target!r}; maps must not load anything")
        file = (path.parent / target).resolve()
        if not file.is_file():
            raise RuntimeError(f"{path}: image {target!r} is missing from the vendored files")
        return f'url("{data_uri(file)}")'

    text = _CSS_COMMENT.sub("", text)  # comments only carry notes and links to bug trackers
    return _CSS_URL.sub(replace, text)


def _script(text: str, where: str) -> str:
    if re.search(r"</script", text, re.IGNORECASE):
        raise RuntimeError(f"{where}: contains '</script' and cannot be inlined")
    return f"<script>\n{text}\n</script>"


def _comment(text: str) -> str:
    return "<!--\n" + text.replace("--", "- -") + "\n-->"


def _manifest() -> list[dict]:
    """The packages of ``assets.yaml``, each file's sha256 checked."""
    vendor = resource("maps", "vendor")
    manifest = yaml.safe_load((vendor / "assets.yaml").read_text(encoding="utf-8"))
    for package in manifest["packages"]:
        for name, expected in package["files"].items():
            digest = hashlib.sha256((vendor / name).read_bytes()).hexdigest()
            if digest != expected:
                raise RuntimeError(f"vendored file maps/vendor/{name} was changed (sha256 {digest}, expected {expected})")
    return manifest["packages"]


@lru_cache(maxsize=2)
def web_assets(page: str = "map") -> WebAssets:
    """Read, check and inline the web assets of a map (``"map"``) or of the web application's page (``"app"``), cached."""
    if page not in _OWN_FILES:
        raise ValueError(f"unknown page {page!r}: use map or app")
    vendor = resource("maps", "vendor")
    styles: list[str] = []
    scripts: list[str] = []
    licences: list[str] = []
    versions: dict[str, str] = {}
    for package in _manifest():
        if page not in package.get("pages", DEFAULT_PAGES):
            continue
        versions[package["name"]] = str(package["version"])
        banner = f"{package['name']} {package['version']} — {package['licence']}, {package['copyright']}"
        licences.append(banner + "\n\n" + (vendor / package["licence_file"]).read_text(encoding="utf-8").strip())
        styles += [f"/* {banner} */\n" + _inline_css(vendor / name) for name in package["css"]]
        scripts += [_script(f"/* {banner} */\n" + (vendor / name).read_text(encoding="utf-8"), name) for name in package["js"]]
    for name in _OWN_FILES[page]:
        own = resource("maps", name)
        if name.endswith(".css"):
            styles.append(_inline_css(own))
        else:
            scripts.append(_script(own.read_text(encoding="utf-8"), name))
    head = "\n".join(
        [_comment("Third-party software inlined in this page:\n\n" + "\n\n".join(licences))]
        + [f"<style>\n{css}\n</style>" for css in styles]
        + scripts
    )
    images = vendor / "leaflet" / "images"
    icons = {
        "icon": data_uri(images / "marker-icon.png"),
        "icon2x": data_uri(images / "marker-icon-2x.png"),
        "shadow": data_uri(images / "marker-shadow.png"),
    }
    return WebAssets(head, icons, versions)


@lru_cache(maxsize=1)
def _docs_files() -> dict[str, tuple[bytes, str]]:
    vendor = resource("maps", "vendor")
    files = {}
    for package in _manifest():
        if "docs" in package.get("pages", DEFAULT_PAGES):
            for name in (*package["css"], *package["js"]):
                files[name] = ((vendor / name).read_bytes(), mimetypes.guess_type(name)[0] or "application/octet-stream")
    return files


def vendored_file(name: str) -> tuple[bytes, str] | None:
    """Bytes and media type of a vendored file of the API documentation, by its name in
    ``assets.yaml`` (e.g. ``swagger-ui/swagger-ui.css``); None for any other name.
    """
    return _docs_files().get(name)
