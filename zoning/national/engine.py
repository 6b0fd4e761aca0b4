"""One national zoning: every province built with its own CRS and rules from the features of the
whole country that reach it, side by side on Dask, then assembled and checked across borders.

Steps: read ROOT (:mod:`~zoning.national.inputs`) → for each province its rules, its halo, its
features and the fingerprint of all three (:mod:`~zoning.national.resume`: a current build is
kept) → the builds on Dask (:mod:`~zoning.national.runner`) → the mosaic in EPSG:4756
(:mod:`~zoning.national.mosaic`) → the checks (:mod:`~zoning.national.consistency`) → the
tables (:mod:`~zoning.national.reports`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from zoning import __version__
from zoning.errors import InputError
from zoning.files import atomic_path, write_layers
from zoning.inputs.national_folder import built_provinces
from zoning.inputs.reference import Province, find_province, refuse_all_with_names
from zoning.law.criteria import load_rules
from zoning.national import consistency, mosaic, reports, resume, runner, webmap
from zoning.national.inputs import BOUNDARY_KINDS, NationalInputs, halo_metres, layers_digest, read_national, rules_digest
from zoning.resources import path as resource
from zoning.settings import settings


@dataclass
class NationalResult:
    """What a national run made: each province's outcome, the files written and the checks."""

    out: Path
    outcomes: list[runner.Outcome]
    consistency: consistency.Consistency
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def failed(self) -> list[runner.Outcome]:
        """The provinces whose build failed."""
        return [o for o in self.outcomes if o.error]

    @property
    def built(self) -> list[str]:
        """The provinces built in this run."""
        return [o.slug for o in self.outcomes if not o.error and not o.reused]

    @property
    def reused(self) -> list[str]:
        """The provinces whose build was current (not rebuilt)."""
        return [o.slug for o in self.outcomes if o.reused]


def build_national(
    layers: str | Path,
    out: str | Path,
    *,
    provinces: str | list[str] = "all",
    workers: int = runner.DEFAULT_WORKERS,
    scheduler: str | None = None,
    rules: str | Path | None = None,
    tolerance_m2: float = consistency.DEFAULT_TOLERANCE_M2,
    client=None,
    progress: Callable[[str], None] | None = None,
) -> NationalResult:
    """Build every province of ``layers`` on Dask, and assemble and check the national zoning in ``out``.

    Parameters
    ----------
    layers
        ROOT: a national layer set (GeoPackage or folder, each kind once for the country) or one
        folder per province named by slug (see :mod:`zoning.national.inputs`).
    out
        The output folder: ``provinces/<slug>.gpkg`` (ordinary builds, each with its
        ``<slug>.national.json``), ``vietnam.gpkg``, ``summary.xlsx``, ``consistency.xlsx`` and
        ``.html``, ``parquet/`` (GeoParquet by province, when pyarrow is installed).
    provinces
        ``"all"`` (every province with boundaries: given, or in the reference) or slugs, names or codes.
    workers, scheduler
        Workers of the embedded LocalCluster, or the address of a running Dask scheduler.
    rules
        The national rule file (the shipped Decree 08 criteria by default); each province adds its
        shipped overlay where one exists (``rules/provinces/<slug>.yaml``).
    tolerance_m2
        The gaps and overlaps of the national coverage allowed, in m².
    client
        A ``distributed.Client`` to use instead of making one.
    progress
        Called with a short text as each step starts and each province ends.

    Returns
    -------
    NationalResult
        A failed province is listed with its error; the others are built and assembled.

    Examples
    --------
    >>> import zoning
    >>> result = zoning.build_national("vietnam-layers.gpkg", "national", workers=2)  # doctest: +SKIP
    >>> result.consistency.gap_m2, result.consistency.overlap_m2, [o.slug for o in result.failed]  # doctest: +SKIP
    (0.0, 0.0, [])
    """
    start = time.perf_counter()
    step = progress or (lambda _: None)
    out = Path(out)
    step("đọc dữ liệu / reading the layers")
    inputs = read_national(layers)
    chosen = _chosen(inputs, provinces)
    folder = out / "provinces"
    tasks, outcomes = [], {}
    for province in chosen:
        task = _task(inputs, province, rules, folder)
        if resume.is_current(task.out, task.fingerprint):
            outcomes[province.slug] = runner.Outcome(province.slug, summary=resume.recorded_summary(task.out), reused=True)
            step(f"{province.slug}: không đổi, giữ bản cũ / unchanged, kept")
        else:
            tasks.append(task)
    if tasks:
        folder.mkdir(parents=True, exist_ok=True)
        step(f"xây dựng {len(tasks)} tỉnh trên Dask / building {len(tasks)} province{'s' if len(tasks) > 1 else ''} on Dask")
        if client is not None:
            done = runner.run(tasks, client, step)
        else:
            if not scheduler:  # the cores of this machine, shared by the LocalCluster's workers
                tasks = [replace(task, threads=max(1, settings.workers // max(workers, 1))) for task in tasks]
            with runner.dask_client(workers, scheduler) as made:
                done = runner.run(tasks, made, step)
        outcomes.update({o.slug: o for o in done})
    kept, stale = _earlier_builds(inputs, chosen, rules, folder)
    for province in kept:
        outcomes[province.slug] = runner.Outcome(province.slug, summary=resume.recorded_summary(folder / f"{province.slug}.gpkg"), reused=True)
    everyone = sorted([*chosen, *kept], key=lambda p: p.code)
    result = _assemble(out, [outcomes[p.slug] for p in everyone], {p.slug: p for p in everyone}, tolerance_m2, step)
    result.notes += inputs.notes
    if stale:
        names = ", ".join(stale)
        result.notes.append(f"{names}: bản dựng trước đây không còn khớp dữ liệu, quy tắc hoặc phần mềm, chưa đưa vào kết quả toàn quốc; dựng lại với "
                            f"--provinces {','.join(stale)} / {names}: built earlier from other layers, rules or software, left out of the national "
                            f"outputs; build them again with --provinces {','.join(stale)}")
    result.wall_s = round(time.perf_counter() - start, 3)
    return result


def _chosen(inputs: NationalInputs, provinces: str | list[str]) -> list[Province]:
    """The provinces to build, in code order."""
    if provinces == "all" or provinces == ["all"]:
        if inputs.form == "provinces":
            return sorted((find_province(slug) for slug in _folders(inputs)), key=lambda p: p.code)
        return inputs.available()
    names = [provinces] if isinstance(provinces, str) else provinces
    refuse_all_with_names(names)
    chosen = {p.slug: p for p in (find_province(name, "--provinces") for name in names)}
    if not chosen:
        raise InputError(("--provinces: chưa cho tỉnh nào", "--provinces: no province given"), ("cho all, hoặc tên tỉnh cách nhau bởi dấu phẩy",
                                                                                             "give all, or slugs separated by commas"))
    return sorted(chosen.values(), key=lambda p: p.code)


def _earlier_builds(inputs: NationalInputs, chosen: list[Province], rules: str | Path | None, folder: Path) -> tuple[list[Province], list[str]]:
    """The provinces built in ``folder`` by an earlier run and not chosen in this one: those still
    current (same layers, rules and software: assembled with this run's), and the slugs of the others.
    """
    chosen_slugs = {p.slug for p in chosen}
    available = {p.slug for p in inputs.available()} if inputs.form != "provinces" else set(_folders(inputs))
    kept, stale = [], []
    for province in built_provinces(folder.parent):
        if province.slug in chosen_slugs:
            continue
        if province.slug in available and resume.is_current(folder / f"{province.slug}.gpkg", _task(inputs, province, rules, folder).fingerprint):
            kept.append(province)
        else:
            stale.append(province.slug)
    return kept, stale


def _folders(inputs: NationalInputs) -> list[str]:
    return [p.name for p in sorted(inputs.root.iterdir()) if p.is_dir()]


def _task(inputs: NationalInputs, province: Province, rules: str | Path | None, folder: Path) -> runner.ProvinceTask:
    """One province's task: its rules (with its shipped overlay), halo, features and fingerprint."""
    shipped = resource("rules", "provinces") / f"{province.slug}.yaml"
    overlay_path = shipped if shipped.is_file() else None
    ruleset = load_rules(rules, overlay_path)
    halo = halo_metres(ruleset, inputs.features)
    layers = inputs.province_layers(province, halo)
    uses_reference = any(kind not in layers for kind in BOUNDARY_KINDS)
    wanted = resume.fingerprint(layers_digest(layers, uses_reference), rules_digest(list(ruleset.paths)), halo)
    return runner.ProvinceTask(slug=province.slug, code=province.code, layers=layers, rules=Path(rules) if rules else None, province_rules=overlay_path,
                               out=folder / f"{province.slug}.gpkg", fingerprint=wanted, halo_m=halo)


def _assemble(out: Path, outcomes: list[runner.Outcome], known: dict[str, Province], tolerance_m2: float,
              step: Callable[[str], None]) -> NationalResult:
    """The mosaic, the checks and the tables of the provinces that were built (or kept)."""
    good = [o for o in outcomes if not o.error]
    builds = {o.slug: out / "provinces" / f"{o.slug}.gpkg" for o in good}
    statuses = [_status(o) for o in outcomes]
    files: list[Path] = []
    notes: list[str] = []
    if not good:
        return NationalResult(out, outcomes, consistency.Consistency(tolerance_m2), files, notes)
    step("ghép cả nước / assembling the nation")
    national = mosaic.mosaic({slug: (path, known[slug].code) for slug, path in builds.items()})
    summaries = {o.slug: o.summary for o in good}
    step("kiểm tra ranh giới / checking the borders")
    lands = mosaic.province_extents(national)
    found = consistency.check(national, builds, summaries, tolerance_m2, lands)
    manifest = {"software": __version__, "crs": mosaic.NATIONAL_CRS, "provinces": statuses, "consistency": found.as_dict(),
                "crs_note": "VN-2000 geographic: every province's TM-3 build converts to it without a datum shift; areas are each province's own"}
    table = pd.DataFrame({"key": list(manifest), "value": [json.dumps(v, ensure_ascii=False) for v in manifest.values()]})
    status_table = pd.DataFrame(statuses)
    step("ghi kết quả / writing")
    with atomic_path(out / "vietnam.gpkg") as tmp:
        write_layers(tmp, {**national, "provinces": status_table, "manifest": table})
    files.append(out / "vietnam.gpkg")
    files.append(reports.write_summary(out / "summary.xlsx", national, statuses))
    files += reports.write_consistency(out, found)
    step("vẽ bản đồ toàn quốc / drawing the national map")
    overviews = {slug: kept for slug, path in builds.items() if (kept := webmap.read_overview(path)) is not None}
    files += webmap.write_national_map(out, national, lands, overviews)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        notes.append("không có pyarrow: chưa ghi GeoParquet (pip install pyarrow) / pyarrow is not installed: no GeoParquet written (pip install pyarrow)")
    else:
        files += mosaic.write_parquet(national, out / "parquet")
    return NationalResult(out, outcomes, found, files, notes)


def _status(outcome: runner.Outcome) -> dict:
    if outcome.error:
        state = ("lỗi", "failed")
    elif outcome.reused:
        state = ("không đổi, giữ bản cũ", "unchanged, kept")
    else:
        state = ("đã xây dựng", "built")
    return {"province": outcome.slug, "state_vi": state[0], "state_en": state[1], "error": outcome.error or "", "error_vi": outcome.error_vi or "",
            "ruleset": outcome.summary.get("ruleset", ""), "wall_s": outcome.summary.get("wall_s"), "cpu_s": outcome.summary.get("cpu_s"),
            "worker_peak_mb": outcome.summary.get("worker_peak_mb"), "worker": outcome.summary.get("worker", "")}
