"""The data shipped inside the package: rule files, the layer catalogue, the demo data and
the web assets of the maps.

``rules/``      the criteria, project types, safety distances and siting rules (YAML);
``catalogue.yaml``  the layer kinds;
``terms.yaml``  words, colours and number formats of every output;
``demo/``       the Cao Bằng demo layers and sites, with their sources and licences;
``neighbours/`` Cao Bằng and its neighbouring provinces, simplified, for location sketches;
``web/``        map style, templates, the project's JavaScript and the vendored libraries.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The path of a shipped data file, e.g. ``path("rules", "nd08.yaml")``.

    Raises
    ------
    FileNotFoundError
        When the file is not part of the installed package.
    """
    target = ROOT.joinpath(*parts)
    if not target.exists():
        raise FileNotFoundError(f"shipped data file not found: {'/'.join(parts)}")
    return target
