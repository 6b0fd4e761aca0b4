"""Office documents and HTML pages to PDF or Word through LibreOffice headless.

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

from zoning.errors import ZoningError
from zoning.files import atomic_path

EXECUTABLES = ("soffice", "libreoffice")
# LibreOffice export filter by (source kind, target suffix). HTML is opened as a Writer text
# document (HTML_IMPORT), not in Writer/Web: pages then start with the first line of the page
# (Writer/Web put a blank page first and lost the title's first line) and tables keep to the margins.
HTML_IMPORT = "HTML (StarWriter)"
FILTERS = {
    ("document", ".pdf"): "pdf:writer_pdf_Export",
    ("html", ".pdf"): "pdf:writer_pdf_Export",
    ("html", ".docx"): "docx:MS Word 2007 XML",
}
INSTALL_HINT = ("cài LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) và phông chữ có dấu "
    "tiếng Việt (fonts-liberation2, fonts-dejavu-core)",
                "install LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) and fonts with "
                    "Vietnamese glyphs (fonts-liberation2, fonts-dejavu-core)")


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
    return convert_document(source, target, timeout_s)


def convert_document(source: str | Path, target: str | Path, timeout_s: float = 600.0) -> Path:
    """Convert an office document to PDF, or an HTML page (e.g. a site report) to PDF or
    Word (.docx), with LibreOffice headless; the target's suffix says which. Parameters
    and return value as for :func:`convert_to_pdf`.
    """
    source, target = Path(source), Path(target)
    kind = "html" if source.suffix.lower() in (".html", ".htm") else "document"
    export = FILTERS.get((kind, target.suffix.lower()))
    if export is None:
        raise ZoningError((f"không chuyển được {source.name} sang {target.suffix or 'tệp không có phần mở rộng'}", f"cannot convert {source.name} "
            f"to {target.suffix or 'a file without suffix'}"),
                          ("chuyển sang .pdf, hoặc chuyển trang HTML sang .docx", "convert to .pdf, or an HTML page to .docx"))
    label = target.suffix.lower().lstrip(".").upper()
    program = soffice_executable()
    if program is None:
        raise ZoningError((f"không tìm thấy LibreOffice (soffice) nên không tạo được tệp {label}", "LibreOffice (soffice) was not "
            f"found, so no {label} can be made"), INSTALL_HINT)
    if not source.exists():
        raise ZoningError((f"không tìm thấy văn bản cần chuyển: {source}", f"document to convert not found: {source}"))
    with tempfile.TemporaryDirectory(prefix="zoning-office-") as work:
        work_dir = Path(work)
        out_dir = work_dir / "out"
        command = [
            program,
            f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            *([f"--infilter={HTML_IMPORT}"] if kind == "html" else []),
            "--convert-to",
            export,
            "--outdir",
            str(out_dir),
            str(source.resolve()),
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, cwd=work_dir)
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the process group started just above
            process.communicate()
            raise ZoningError(
                (f"LibreOffice chưa chuyển xong {source.name} sau {timeout_s:.0f} giây", "LibreOffice did not finish "
                    f"converting {source.name} within {timeout_s:.0f} s"),
                (f"chuyển tệp {source.suffix} bằng tay, hoặc cho thêm thời gian", f"convert the {source.suffix} by hand, or allow more time"),
            ) from None
        produced = out_dir / f"{source.stem}{target.suffix.lower()}"
        if process.returncode != 0 or not produced.exists():
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()[-3:]
            raise ZoningError(
                (f"LibreOffice không chuyển được {source.name} sang {label} (mã thoát {process.returncode}): {' '.join(detail)}",
                 f"LibreOffice could not convert {source.name} to {label} (exit code {process.returncode}): {' '.join(detail)}"),
                (f"mở tệp {source.suffix} bằng LibreOffice hoặc Word để xem lỗi; bản thân tệp {source.suffix} đã được ghi",
                 f"open the {source.suffix} in LibreOffice or Word to see what is wrong; the {source.suffix} itself was written"),
            )
        with atomic_path(target) as tmp:
            shutil.move(produced, tmp)
    return target


def pdf_page_count(path: str | Path) -> int:
    """Number of pages of a PDF written by LibreOffice (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(path).read_bytes()))
