"""Office documents to PDF through LibreOffice headless.

Each conversion runs in its own throw-away LibreOffice profile, so it neither disturbs
nor waits for a LibreOffice the user has open, and it is stopped after a time limit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from zoning.files import atomic_path
from zoning.errors import ZoningError

EXECUTABLES = ("soffice", "libreoffice")
INSTALL_HINT = "install LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) and fonts with Vietnamese glyphs (fonts-liberation2, fonts-dejavu-core)"


def soffice_executable() -> str | None:
    """Path of the LibreOffice program, or None when it is not installed."""
    for name in EXECUTABLES:
        path = shutil.which(name)
        if path:
            return path
    return None


def convert_to_pdf(source: str | Path, target: str | Path, timeout_s: float = 600.0) -> Path:
    """Convert an office document (e.g. .docx) to PDF with LibreOffice headless.

    Parameters
    ----------
    source
        The document to convert (left untouched).
    target
        The PDF to write; replaced atomically, never left half-written.
    timeout_s
        LibreOffice is stopped and a :class:`ZoningError` raised after this many seconds.

    Returns
    -------
    Path
        ``target``.
    """
    source, target = Path(source), Path(target)
    program = soffice_executable()
    if program is None:
        raise ZoningError("LibreOffice (soffice) was not found, so no PDF can be made", INSTALL_HINT)
    if not source.exists():
        raise ZoningError(f"document to convert not found: {source}")
    with tempfile.TemporaryDirectory(prefix="zoning-office-") as work:
        work_dir = Path(work)
        out_dir = work_dir / "out"
        command = [
            program, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export",
            "--outdir", str(out_dir), str(source.resolve()),
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=work_dir)
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the process group started just above
            process.communicate()
            raise ZoningError(
                f"LibreOffice did not finish converting {source.name} within {timeout_s:.0f} s",
                "convert the .docx by hand, or allow more time",
            ) from None
        produced = out_dir / f"{source.stem}.pdf"
        if process.returncode != 0 or not produced.exists():
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ZoningError(
                f"LibreOffice could not convert {source.name} to PDF (exit code {process.returncode}): {' '.join(detail)}",
                "open the .docx in LibreOffice or Word to see what is wrong; the .docx itself was written",
            )
        with atomic_path(target) as tmp:
            shutil.move(produced, tmp)
    return target


def pdf_page_count(path: str | Path) -> int:
    """Number of pages of a PDF written by LibreOffice (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(path).read_bytes()))
