"""The provinces built side by side on Dask (``dask.distributed``).

An embedded ``LocalCluster`` (one process per worker, one thread each: a province's build
already uses its own threads for GEOS) by default, or the scheduler of a real cluster
(``tcp://host:8786``). One task per province: it builds the province from the features
given, writes ``provinces/<slug>.gpkg`` and its manifest, and returns a summary with the
wall time, CPU-seconds and peak memory of the worker that ran it. A task that fails is
reported with its error; the others finish. Every worker must see DIR at the same path (a
shared folder on a cluster).
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from zoning.errors import InputError, ZoningError
from zoning.settings import settings

DEFAULT_WORKERS = 2
HALO_REASON = ("in the halo of {halo} m read around the province for its borders; it does not reach the province",
               "nằm trong vùng đệm {halo} m đọc quanh tỉnh để thống nhất ranh giới; không chạm tới tỉnh")
CONNECT_TIMEOUT_S = 30
KILLED_WORKER = ("tiến trình Dask xây dựng tỉnh này đã chết ở mỗi lần chạy, thường do hết bộ nhớ: cho mỗi worker nhiều bộ nhớ hơn "
                 "(--memory-limit của dask worker), ít worker hơn trên một máy, hoặc xây dựng riêng tỉnh này: --provinces {slug} --workers 1",
                 "the Dask worker building this province died each time it ran, most often out of memory: give each worker more memory "
                 "(dask worker's --memory-limit), fewer workers a machine, or build this province alone: --provinces {slug} --workers 1")


@dataclass
class ProvinceTask:
    """What one worker needs to build one province."""

    slug: str
    code: str
    layers: dict[str, gpd.GeoDataFrame]
    rules: Path | None
    province_rules: Path | None
    out: Path
    fingerprint: dict
    halo_m: float
    threads: int | None = None  # GEOS threads of the build: the worker's share of the machine's cores, where known


@dataclass
class Outcome:
    """The result of one province: its summary, or its error."""

    slug: str
    summary: dict = field(default_factory=dict)
    error: str | None = None
    error_vi: str | None = None
    reused: bool = False


def halo_reasons(skipped: pd.DataFrame, halo_m: float) -> pd.DataFrame:
    """Features of the halo that do not reach the province, said so (a single build would suspect their CRS)."""
    from zoning.builder.polygons import OUTSIDE

    if skipped.empty:
        return skipped
    skipped = skipped.copy()
    outside = skipped["reason"] == OUTSIDE[0]
    skipped.loc[outside, "reason"] = HALO_REASON[0].format(halo=f"{halo_m:,.0f}")
    skipped.loc[outside, "reason_vi"] = HALO_REASON[1].format(halo=f"{halo_m:,.0f}".replace(",", "."))
    return skipped


def build_province(task: ProvinceTask) -> dict:
    """Build one province, write it, its share of the national map and its manifest; return its summary (runs on a worker)."""
    from zoning.builder import build
    from zoning.builder.memory import peak_mb
    from zoning.inputs.national_folder import manifest_path
    from zoning.national.mosaic import province_frames
    from zoning.national.resume import record
    from zoning.national.webmap import write_province_map

    if task.threads:
        settings.workers = task.threads
    start, cpu = time.perf_counter(), time.process_time()
    manifest_path(task.out).unlink(missing_ok=True)  # a run cut short leaves no manifest beside files it did not finish
    result = build(task.layers, task.rules, task.province_rules, province=task.slug)
    result = replace(result, skipped=halo_reasons(result.skipped, task.halo_m))
    result.write(task.out)
    write_province_map(task.out.parent.parent, task.slug, task.out, province_frames(task.out, task.slug, task.code, ("zones", "units", "communes")))
    manifest = result.manifest
    summary = {
        "slug": task.slug,
        "ruleset": manifest["ruleset"],
        "rule_files": manifest["rule_files"],
        "crs": manifest["crs"],
        "zones_ha": {z: float(a) for z, a in zip(result.zones["zone"], result.zones["area_ha"])},
        "units": int(len(result.units)),
        "qa_passed": bool(manifest["qa"]["passed"]),
        "halo_m": task.halo_m,
        "features": {k: int(len(v)) for k, v in task.layers.items()},
        "wall_s": round(time.perf_counter() - start, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "worker_peak_mb": round(peak_mb(), 1),
        "threads": settings.workers,
        "worker": f"{os.uname().nodename}:{os.getpid()}",
    }
    record(task.out, task.fingerprint, summary)
    return summary


@contextmanager
def dask_client(workers: int = DEFAULT_WORKERS, scheduler: str | None = None) -> Iterator:
    """A ``distributed.Client``: of the scheduler at ``scheduler``, else of a new LocalCluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise InputError((f"--scheduler {scheduler}: không kết nối được bộ điều phối Dask ({exc})",
                              f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"),
                             ("khởi động `dask scheduler` trên máy chủ và `dask worker tcp://...:8786` trên từng máy, rồi chạy lại",
                              "start `dask scheduler` on the head machine and `dask worker tcp://...:8786` on each machine, then run again")) from None
        with client:
            yield client
        return
    if workers < 1:
        raise InputError((f"--workers {workers}: cần ít nhất 1", f"--workers {workers}: at least 1 is needed"),
                         ("cho --workers 1 hoặc hơn", "give --workers 1 or more"))
    # a province that fails is reported with its error (Outcome): the worker's own log of it ("Compute Failed" and a traceback) is not shown
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", scheduler_port=0,
                           dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    with cluster, Client(cluster) as client:
        yield client


def run(tasks: list[ProvinceTask], client, progress: Callable[[str], None] | None = None) -> list[Outcome]:
    """Submit one task per province, gather as they finish; a failed province keeps its error, the others finish."""
    from distributed import as_completed

    step = progress or (lambda _: None)
    futures = {}
    for task in tasks:  # each task's features sent to a worker first: in the task graph, a dense province's weighed tens of MB
        [data] = client.scatter([task], hash=False)
        futures[client.submit(build_province, data, key=f"zoning-province-{task.slug}-{time.time_ns()}", pure=False)] = task.slug
    outcomes: dict[str, Outcome] = {}
    for future in as_completed(list(futures)):
        slug = futures[future]
        if future.status == "finished":
            outcomes[slug] = Outcome(slug, summary=future.result())
            step(f"{slug}: xong / done")
        else:
            outcomes[slug] = _failure(slug, future.exception(), future.traceback())
            step(f"{slug}: lỗi / failed")
    return [outcomes[t.slug] for t in tasks]


def _failure(slug: str, exc: BaseException | None, tb) -> Outcome:
    """The error of a failed province, in both languages (a ZoningError's own texts; else the exception and where it arose)."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, ZoningError):
        return Outcome(slug, error=exc.message_en, error_vi=exc.message_vi)
    if isinstance(exc, KilledWorker):  # the worker process died under the task, each time it was tried
        return Outcome(slug, error=KILLED_WORKER[1].format(slug=slug), error_vi=KILLED_WORKER[0].format(slug=slug))
    where = "".join(traceback.format_tb(tb)[-1:]).strip() if tb is not None else ""
    text = f"{type(exc).__name__}: {exc}" + (f" ({where.splitlines()[0].strip()})" if where else "")
    return Outcome(slug, error=text, error_vi=f"lỗi không lường trước / unexpected error: {text}")
