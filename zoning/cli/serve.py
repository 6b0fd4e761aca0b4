"""`zoning serve` and `zoning demo`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from zoning.errors import ZoningError
from zoning.files import check_output_folder

if TYPE_CHECKING:
    from zoning.builder.model import Build


from zoning.cli.build import print_build_summary
from zoning.cli.console import (
    app,
    friendly,
    out,
    progress_steps,
    say,
)

# ----------------------------------------------------------------------------- serve


@app.command()
@friendly
def serve(
    builds: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Build files to serve (from `zoning build` or `zoning demo`), or a national output folder (`zoning national build --out DIR`: "
            "each province, and the whole country, whose checks go to the province each site lies in); the demo province, built in memory, "
            "when left out.", show_default=False
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on. Anything but this computer (127.0.0.1, ::1, localhost) needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None, typer.Option("--token", help="Access token every request must carry (?token=… in the address, or an Authorization: Bearer header).")
    ] = None,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", min=0.001, help="Largest file a planner may upload, in MB.")] = 50.0,
    offline: Annotated[bool, typer.Option("--offline", help="No basemap tiles: the page then needs no network at all.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (an office server: each reads the builds itself; about 1 per CPU core).")
    ] = 1,
) -> None:
    """Start the local web application: check a site in the browser (click, draw, type coordinates,
    paste a marker table, upload a file), in Vietnamese with English; HTTP API at /docs.
    """
    from zoning.web.app import check_token, create_app, loopback

    check_token(token)  # before anything is built: a browser could not send it
    if not loopback(host) and not token:
        raise ZoningError(
            (
                f"Không mở máy chủ trên địa chỉ {host} khi không có --token: mọi máy trong mạng sẽ dùng được nó.",
                f"Refusing to listen on {host} without --token: anyone on the network could use it.",
            ),
            ("thêm --token MÃ-BÍ-MẬT, hoặc để --host 127.0.0.1 (chỉ máy này)", "add --token SECRET, or keep --host 127.0.0.1 (this computer only)"),
        )
    import uvicorn

    if workers > 1:  # each worker process reads (or builds) and indexes the builds itself: nothing mutable is shared
        import os

        from zoning.web.workers import ENVIRONMENT, worker_settings

        for path in builds or []:
            if not (path.is_file() or _national(path)):
                raise ZoningError((f"không tìm thấy bản phân vùng: {path}", f"build not found: {path}"), ("kiểm tra đường dẫn", "check the path"))
        os.environ[ENVIRONMENT] = worker_settings(list(builds or []), token, max_upload_mb, offline)
        address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/" + (f"?token={token}" if token else "")
        out.print(f"{workers} {say('tiến trình phục vụ', 'server processes')}; "
                  f"Mở trong trình duyệt / Open in a browser: [bold]{address}[/]  (Ctrl+C để dừng / to stop)", highlight=False)
        uvicorn.run("zoning.web.workers:app_from_environment", factory=True, workers=workers, host=host, port=port, log_level="warning")
        return
    with progress_steps("Starting the web application") as advance:
        if builds:
            sources: list[Path | Build] = list(builds)
        else:
            from zoning.builder import build as build_zones
            from zoning.demo import demo_paths

            demo = demo_paths()
            sources = [build_zones(demo.layers, province_rules=demo.province_rules, progress=advance)]
        application = create_app(sources, token=token, max_upload_mb=max_upload_mb, offline=offline, progress=advance)
    address = f"http://{'[' + host + ']' if ':' in host else host}:{port}/" + (f"?token={token}" if token else "")
    out.print(f"Mở trong trình duyệt / Open in a browser: [bold]{address}[/]  (Ctrl+C để dừng / to stop)", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


def _national(path: Path) -> bool:
    from zoning.inputs.national_folder import is_national

    return path.is_dir() and is_national(path)


# ------------------------------------------------------------------------------ demo


@app.command()
@friendly
def demo(
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for the demo outputs.")] = Path("demo-output"),
) -> None:
    """Run the whole job on the embedded demo province: real 2025 boundaries, illustrative layers (works offline)."""
    from zoning.demo import demo_paths, run_demo

    shipped = demo_paths()
    check_output_folder(out_dir, (shipped.layers.parent, shipped.province_rules.parent), option="--out-dir")
    name = shipped.province.name
    with progress_steps(say(f"Ví dụ {name}", f"{name} demo")) as advance:
        results = run_demo(out_dir, progress=advance)
    print_build_summary(results.build)
    for label, path in results.outputs.items():
        out.print(f"  {label}: {path}")
    for note in results.notes:
        out.print(f"[yellow]{say('Ghi chú', 'Note')}:[/] {note}", highlight=False)
