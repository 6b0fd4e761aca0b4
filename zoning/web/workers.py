"""Several server processes for an office (``zoning serve --workers N``).

Each worker process makes its own application from the settings the parent passes in
the environment (``ZONING_SERVE``, JSON): it reads and indexes the builds itself (or
builds the demo in memory), so that nothing mutable is shared between processes.
uvicorn's supervisor starts the workers, spreads the connections over them through the
one listening socket and restarts a worker that dies.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI

ENVIRONMENT = "ZONING_SERVE"


def worker_settings(builds: list[Path], token: str | None, max_upload_mb: float, offline: bool) -> str:
    """The settings of the workers as the JSON text of ``ZONING_SERVE``."""
    return json.dumps({"builds": [str(Path(b).resolve()) for b in builds], "token": token, "max_upload_mb": max_upload_mb, "offline": offline})


def app_from_environment() -> FastAPI:
    """The application of one worker process, made from ``ZONING_SERVE`` (uvicorn's ``factory``)."""
    from zoning.web.app import create_app

    settings = json.loads(os.environ[ENVIRONMENT])
    builds: list = [Path(b) for b in settings["builds"]]
    if not builds:
        from zoning.builder import build as build_zones
        from zoning.demo import demo_paths

        demo = demo_paths()
        builds = [build_zones(demo.layers, province_rules=demo.province_rules)]
    return create_app(builds, token=settings["token"], max_upload_mb=settings["max_upload_mb"], offline=settings["offline"])
