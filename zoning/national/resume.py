"""What makes a province's build current: its manifest beside the build, ``<slug>.national.json``,
written last (after the build GeoPackage), with the SHA-256 of every input it read, of its
rule files and of the build file itself, and the software version.

A run killed half-way leaves either no manifest (the province is built again) or a manifest
whose build file is missing or differs (built again too); a province whose inputs, rules and
software are unchanged is not rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path

from zoning import __version__
from zoning.files import write_text
from zoning.inputs.layers import file_digest

SUFFIX = ".national.json"
REBUILD_HINT = ("chạy lại `zoning national build --layers ROOT --out THƯ-MỤC` (chỉ tỉnh thiếu hoặc hỏng được xây dựng lại), và không sửa tay "
                "thư mục provinces/", "run `zoning national build --layers ROOT --out DIR` again (only the missing or damaged provinces are built "
                "again), and do not edit the provinces/ folder by hand")


def manifest_path(build_path: Path) -> Path:
    """``provinces/lang-son.gpkg`` → ``provinces/lang-son.national.json``."""
    return build_path.with_name(build_path.stem + SUFFIX)


def fingerprint(inputs: dict[str, str], rules: str, halo_m: float) -> dict:
    """What must be unchanged for a build to stay current."""
    return {"inputs": inputs, "rules": rules, "halo_m": round(halo_m, 6), "software": __version__}


def is_current(build_path: Path, wanted: dict) -> bool:
    """Whether the build at ``build_path`` was made from the same inputs, rules and software, and is whole."""
    path = manifest_path(build_path)
    if not path.is_file() or not build_path.is_file():
        return False
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("fingerprint") != wanted:
        return False
    return recorded.get("build_sha256") == file_digest(build_path)


def record(build_path: Path, wanted: dict, summary: dict) -> Path:
    """Write the manifest of a finished build (atomically, after the build file)."""
    body = {"fingerprint": wanted, "build_sha256": file_digest(build_path), "summary": summary}
    return write_text(manifest_path(build_path), json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True))


def recorded_summary(build_path: Path) -> dict:
    """The summary stored with a current build."""
    return json.loads(manifest_path(build_path).read_text(encoding="utf-8"))["summary"]
