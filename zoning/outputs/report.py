"""Per-site HTML reports of a check, for a planner to attach to a file.

One self-contained page per site (``<site_id>.html``) and an index (``index.html``): the
site, the verdict, every finding with its citation and status, zones, units, communes,
sensitive elements, safety distances, data gaps, and the provenance (build id, rule
sets, software version). No timestamps: the same check gives the same files.

Templates live in ``maps/templates/`` (``site_report.html.j2``, ``site_index.html.j2``).
The report template has a ``site_map`` block; pass ``map_html`` to fill it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import shapely
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from zoning import terms
from zoning.builder.model import Build, BuildLike, as_build
from zoning.checker.result import SEVERITY_RANK, CheckResult
from zoning.files import check_output_folder, input_paths, write_text
from zoning.inputs.crs import WGS84, reproject
from zoning.outputs.map import site_map_html
from zoning.outputs.site_sketch import SKETCH_PX, site_sketch_img
from zoning.resources import path as resource


def environment() -> Environment:
    """The Jinja environment of the shipped templates (autoescaped, strict)."""
    env = Environment(
        loader=FileSystemLoader(str(resource("maps", "templates"))),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _number
    env.globals["term"] = terms.label
    env.filters["yesno"] = lambda v: "" if v is None else ("có / yes" if v else "không / no")
    return env


def report_file_names(site_ids) -> list[str]:
    """A safe, unique file name per site id (``wt-01.html``; ``a_b.html`` for ``a/b``)."""
    names, seen = [], set()
    for site_id in site_ids:
        base = re.sub(r"[^0-9A-Za-z_.-]+", "_", str(site_id)).strip("._") or "site"
        name, k = f"{base}.html", 2
        while name.lower() in seen:
            name, k = f"{base}-{k}.html", k + 1
        seen.add(name.lower())
        names.append(name)
    return names


DETAIL_SHOWN = 120  # a finding's detail longer than this goes to the annex (left out of a point's report)
# the badge colours of the report's style sheet, given again as cell colours that word processors keep
REPORT_VERDICT_COLOURS = {"conflict": ("#c62828", "#ffffff"), "needs_review": ("#f9a825", "#111111"), "no_data": ("#6d4c41", "#ffffff"),
                          "no_conflict_found": ("#2e7d32", "#ffffff"), "outside_province": ("#546e7a", "#ffffff")}


def render_site(record: dict, meta: dict, *, map_html: str = "", sketch_html: str = "", index_name: str | None = "index.html") -> str:
    """The HTML report of one site (a record of :meth:`CheckResult.records`); ``map_html`` is the
    interactive map shown on screen, ``sketch_html`` the static map that is printed.
    """
    findings = sorted(record["findings"], key=lambda f: -SEVERITY_RANK.get(f["severity"], 0))
    template = environment().get_template("site_report.html.j2")
    fill, ink = REPORT_VERDICT_COLOURS.get(record["verdict"], ("#8c8c8c", "#ffffff"))
    return template.render(
        site=record, meta=meta, findings=findings, map_html=map_html, sketch_html=sketch_html, index_name=index_name,
        verdict_colour=fill, verdict_ink=ink, annex=record["geometry_type"] != "point", DETAIL_SHOWN=DETAIL_SHOWN,
        SKETCH_WIDTH=SKETCH_PX, statuses_used=_statuses_explained(record, findings),
    )


def write_reports(
    result: CheckResult,
    out_dir: str | Path,
    build: BuildLike | Mapping[str, BuildLike] | None = None,
) -> list[Path]:
    """Write one report per site and an index into ``out_dir`` (each file atomically).

    Parameters
    ----------
    result
        A check result.
    out_dir
        Folder for the reports (created if needed).
    build
        The build the sites were checked against: each report then carries a small
        offline map of the site and the land around it. For a check over a national
        folder, the builds by province slug (each site's map from its row's province).

    Returns
    -------
    list of Path
        The files written, the index last.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.check(zoning.demo_paths().sites, "build.gpkg")  # doctest: +SKIP
    >>> zoning.write_reports(result, "reports", build="build.gpkg")  # doctest: +SKIP
    """
    builds = {slug: as_build(b) for slug, b in build.items()} if isinstance(build, Mapping) else {"": as_build(build)} if build is not None else {}
    sources = input_paths([*result.sources, *(p for b in builds.values() for p in b.sources())])
    out_dir = check_output_folder(out_dir, sources)
    map_html = _small_maps(result, builds) if builds else None
    sketches = _sketches(result, builds) if builds else None
    records = _located_records(result)
    names = report_file_names(r["site_id"] for r in records)
    meta = result.meta
    written = []
    for record, name in zip(records, names):
        html = render_site(record, meta, map_html=map_html(record) if map_html else "", sketch_html=sketches(record) if sketches else "")
        written.append(write_text(out_dir / name, html, sources))
    index = environment().get_template("site_index.html.j2").render(
        sites=list(zip(records, names)), meta=meta,
    )
    written.append(write_text(out_dir / "index.html", index, sources))
    return written


def site_report(result: CheckResult, site_id: str, build: BuildLike | None = None, *, interactive: bool = True) -> str:
    """The HTML report of one site of a check, as a page of its own (no link to an index).

    With ``build`` it carries the printed sketch of the site and, when ``interactive``, the
    small offline map, as in :func:`write_reports` (a page made into PDF or Word needs no map
    that runs scripts).

    Raises
    ------
    KeyError
        If the check has no site ``site_id``.
    """
    records = [r for r in _located_records(result) if r["site_id"] == site_id]
    if not records:
        raise KeyError(site_id)
    builds = {"": as_build(build)} if build is not None else {}
    map_html = _small_maps(result, builds)(records[0]) if builds and interactive else ""
    sketch_html = _sketches(result, builds)(records[0]) if builds else ""
    return render_site(records[0], result.meta, map_html=map_html, sketch_html=sketch_html, index_name=None)


def _located_records(result: CheckResult) -> list[dict]:
    """The nested records of a check, each with ``lon``/``lat``: a point on the site in WGS 84."""
    records = result.records()
    points = reproject(shapely.point_on_surface(result.sites.geometry.to_numpy()), result.sites.crs, WGS84)
    xy = np.round(shapely.get_coordinates(points), 6)
    for record, (lon, lat) in zip(records, xy):
        record["lon"], record["lat"] = float(lon), float(lat)
    return records


def _small_maps(result: CheckResult, builds: dict[str, Build]) -> Callable[[dict], str]:
    """Site record → HTML of a small map of the site and the land around it: in the build keyed ``""``,
    or in that of the record's province (a check over a national folder; none for a site in no province built).
    """

    def small_map(record: dict) -> str:
        build = builds[""] if "" in builds else builds.get(record.get("province", ""))
        if build is None:
            return ""
        site = result.sites[result.sites["site_id"] == record["site_id"]]
        return site_map_html(build, site, findings=result.findings)

    return small_map


def _statuses_explained(record: dict, findings: list[dict]) -> list[str]:
    """The statuses other than confirmed that the report's tables name by their short label."""
    rows = [*findings, *record["units"], *record["sensitive"], *record["safety"]]
    return [key for key in ("unconfirmed", "proposed", "user") if any(row.get("status") == key for row in rows)]


def _sketches(result: CheckResult, builds: dict[str, Build]) -> Callable[[dict], str]:
    """Site record → the ``<img>`` of its printed sketch (zones around it, scale, north arrow), in the build
    keyed ``""`` or in that of the record's province (none for a site in no province built).
    """

    def sketch(record: dict) -> str:
        build = builds[""] if "" in builds else builds.get(record.get("province", ""))
        if build is None:
            return ""
        site = result.sites[result.sites["site_id"].astype(str) == str(record["site_id"])]
        return site_sketch_img(build, reproject(site.geometry.to_numpy(), result.sites.crs, build.crs)[0])

    return sketch


def _number(value: float | None, digits: int = 2, unit: str = "") -> str:
    """A number in the Vietnamese convention with its unit; ``""`` for a missing value."""
    text = terms.number(value, digits)
    return f"{text} {unit}".strip() if text else ""
