"""Benchmark: ``zoning serve --workers N`` (an office server) under concurrent load, 1 and 4 workers in one run.

For each number of workers, starts ``python -m zoning serve BUILD --workers N --offline``
on a free loopback port (127.0.0.1 only), waits until every worker answers, then runs
``--clients`` concurrent clients for ``--duration`` seconds, each posting checks back to
back (nine random points for every random 50 ha polygon, as in ``bench_web.py``), and
stops the server. Prints requests per second, p50/p95/p99, the errors (target: zero), the
memory of each worker process (resident set size), and the ratio of the throughputs.
The load is bounded: one run per setting, a fixed duration, a fixed number of clients.

Run:  .venv/bin/python bench/bench_web_workers.py [--duration 60] [--clients 50] [--workers 1 4]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import Sites, free_port, load  # noqa: E402

from zoning.builder import build as build_zoning  # noqa: E402
from zoning.demo import demo_paths  # noqa: E402


def start(build: Path, port: int, workers: int) -> subprocess.Popen:
    """``zoning serve BUILD --workers N`` on loopback; returns once it answers and every worker is up."""
    process = subprocess.Popen([sys.executable, "-m", "zoning", "serve", str(build), "--host", "127.0.0.1", "--port", str(port),
                                "--offline", "--workers", str(workers)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               start_new_session=True)
    deadline = time.monotonic() + 300
    seen: set[int] = set()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            answer = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
            if answer.status_code == 200:
                seen.add(answer.json()["process"])
                if len(worker_pids(process.pid)) >= (workers if workers > 1 else 0) and len(seen) >= min(workers, 1):
                    time.sleep(2 * workers)  # the other workers finish reading the build
                    return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop(process)
    raise RuntimeError("the server did not start within 300 s")


def worker_pids(parent: int) -> list[int]:
    """The child processes of the server (uvicorn's workers; none with one worker)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True).stdout
    children = [int(p) for p in out.split()]
    # multiprocessing's resource tracker is a child too: keep the processes that listen (the workers)
    return [p for p in children if "zoning" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace") or
            "spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)  # the server's own process group: the supervisor and its workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per setting")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4], help="numbers of worker processes to compare")
    args = parser.parse_args()

    demo = demo_paths()
    built = build_zoning(demo.layers, province_rules=demo.province_rules)
    sites = Sites(built)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as work:
        path = Path(work) / "cao-bang.gpkg"
        built.write(path)
        for workers in args.workers:
            port = free_port()
            server = start(path, port, workers)
            try:
                pids = worker_pids(server.pid) if workers > 1 else [server.pid]
                stats = load(f"http://127.0.0.1:{port}", sites, args.clients, args.duration)
                memory = [rss_mb(p) for p in pids]
                supervisor = rss_mb(server.pid) if workers > 1 else 0.0
            finally:
                stop(server)
            results[workers] = stats
            print(f"{workers} worker(s), {args.clients} clients, {args.duration:.0f} s: {stats['requests_per_s']:.1f} requests/s, "
                  f"p50 {stats['p50']:.0f} ms, p95 {stats['p95']:.0f} ms, p99 {stats['p99']:.0f} ms, max {stats['max']:.0f} ms, "
                  f"{stats['n']} answers, {stats['errors']} errors; memory per worker "
                  + ", ".join(f"{m:.0f}" for m in memory) + " MB" + (f" (+ supervisor {supervisor:.0f} MB)" if workers > 1 else ""))
    first, last = args.workers[0], args.workers[-1]
    ratio = results[last]["requests_per_s"] / results[first]["requests_per_s"]
    print(f"throughput {last} workers / {first}: {ratio:.2f}×  ({os.cpu_count()} CPU(s) on this machine)")
    return 1 if any(r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
