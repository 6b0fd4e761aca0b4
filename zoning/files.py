"""Files on disk: inputs are checked before they are read, outputs are written safely.

Every output goes to a temporary file beside it and is moved into place only when
complete, so a failure never leaves a half-written file and never damages the file that
was there before. Before anything is written, :func:`check_output` refuses an output that
is, or would replace, an input (the same path, the same file through a link, a file in an
input folder), an output that is a folder or whose folder is a file, a folder where
nothing can be written, a name longer than the file system allows, and a suffix that names
a format the command does not write. Temporaries are named per output and per process
(``.<hash>-<pid>.part<suffix>``, short whatever the output's name) so that those left by a
killed run are found and removed by the next run writing the same output.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning.errors import InputError, Text

FIXED_TIMESTAMP = "2000-01-01T00:00:00Z"  # GeoPackage timestamps: same inputs → same file
TEMP_MARK = ".part"
MAX_TEMP_SUFFIX = 16  # a longer "suffix" is part of a name, not a format
# errors of the user's environment (not of the program): a clear message, no traceback; in Vietnamese by errno
ENVIRONMENT_ERRNOS = {
    errno.EACCES: "không có quyền truy cập", errno.EPERM: "không được phép thực hiện", errno.EROFS: "hệ thống tệp chỉ cho phép đọc",
    errno.ENOSPC: "đĩa đã đầy", errno.EDQUOT: "đã hết hạn mức dung lượng", errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EISDIR: "là một thư mục", errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENOENT: "không tìm thấy tệp hoặc thư mục", errno.ELOOP: "đường dẫn có liên kết vòng",
}

PathLike = str | os.PathLike


# ------------------------------------------------------------------------------ inputs


def check_input_file(path: PathLike, what: Text = ("tệp đầu vào", "input file"), max_bytes: int | None = None) -> Path:
    """A path that exists and is a regular file (not a folder, device or pipe), of at most ``max_bytes``.

    Checked before the file is opened, so that ``/dev/zero`` or a folder is refused at once.
    ``what`` names the file in the messages, ``(vietnamese, english)``.

    Raises
    ------
    InputError
        Naming the file and what it is instead.
    """
    path = Path(path)
    what_vi, what_en = what
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError((f"không tìm thấy {what_vi}: {path}", f"{what_en} not found: {path}"), ("kiểm tra đường dẫn", "check the path")) from None
    except OSError as exc:
        raise InputError((f"{path}: không đọc được {what_vi} ({exc.strerror})", f"{path}: cannot read the {what_en} ({exc.strerror})")) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError((f"{path}: là một thư mục, không phải tệp", f"{path}: is a folder, not a {what_en}"), ("chỉ ra chính tệp đó", "give the file itself"))
    if not stat.S_ISREG(info.st_mode):
        raise InputError((f"{path}: không phải tệp thông thường (thiết bị, ống dẫn…)", f"{path}: not a regular file (a device or a pipe)"),
                         (f"chỉ ra một {what_vi} trên đĩa", f"give a {what_en} on disk"))
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError((f"{path}: tệp quá lớn ({info.st_size:,} byte, tối đa {max_bytes:,})", f"{path}: file too large "
            f"({info.st_size:,} bytes, at most {max_bytes:,})"),
                         (f"kiểm tra đây có đúng là {what_vi} không", f"check that this is the {what_en}"))
    return path


def input_paths(values: Iterable[PathLike | None]) -> tuple[Path, ...]:
    """The paths among ``values`` that name files or folders on disk (a ``path:layer`` origin gives its path)."""
    out = []
    for value in values:
        if value is None or isinstance(value, (gpd.GeoDataFrame, pd.DataFrame)):
            continue
        path = Path(value)
        if not path.exists():
            head, sep, _ = str(value).rpartition(":")
            path = Path(head) if sep else path
        if path.exists():
            out.append(path)
    return tuple(dict.fromkeys(out))


# ----------------------------------------------------------------------------- outputs


def check_output(path: PathLike, inputs: Iterable[PathLike | None] = (), *, suffixes: Iterable[str] | None = None,
                 option: str = "--out") -> Path:
    """Check that ``path`` can be written as an output without harm, before any work is done.

    Parameters
    ----------
    path
        The output file.
    inputs
        Files and folders read by the same job: the output may not be one of them (also
        through a link), a file in one of those folders, or a sidecar of an input shapefile.
    suffixes
        The suffixes of the formats the job writes (e.g. ``(".gpkg",)``).
    option
        How the user named the output, for the messages.

    Raises
    ------
    InputError
        Naming the output (and the input it would replace) and what to do.
    """
    path = Path(path)
    folder, missing = _existing_folder(path, option)
    limit = _name_max(folder)
    for part in missing:
        size = len(os.fsencode(part))
        if size > limit:
            raise InputError(
                (f"{option} {path}: tên '{part[:40]}…' dài {size} byte, quá giới hạn {limit} byte của hệ thống tệp",
                 f"{option} {path}: the name is {size} bytes long, more than the file system's limit of {limit}"),
                ("đặt tên ngắn hơn", "choose a shorter name"),
            )
    if _is_dir(path):
        example = f"{option} {path / ('output' + (path.suffix or ''))}"
        raise InputError((f"{option} {path}: là một thư mục, không phải tệp", f"{option} {path}: is a folder, not a file"),
                         (f"đặt tên một tệp, ví dụ {example}", f"name a file, e.g. {example}"))
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if path.suffix.lower() not in allowed:
            example = f"{option} {path.with_suffix(allowed[0]).name}"
            raise InputError(
                (f"{option} {path}: lệnh này không ghi được định dạng '{path.suffix or '(không có phần mở rộng)'}'",
                 f"{option} {path}: '{path.suffix or '(no suffix)'}' is not a format this command writes"),
                (f"dùng một trong các định dạng {', '.join(allowed)} (ví dụ {example})", f"use one of: {', '.join(allowed)} (e.g. {example})"),
            )
    _check_not_input(path, input_paths(inputs), option)
    if folder == path.parent:
        _probe(path, option)
    else:
        _probe_folder(folder, path, option)
    return path


def check_output_folder(folder: PathLike, inputs: Iterable[PathLike | None] = (), *, option: str = "--report") -> Path:
    """Check a folder that will receive output files (created if needed): not a file, not an input."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        example = f"{option} {folder.with_suffix('')}-reports"
        raise InputError((f"{option} {folder}: đã có một tệp cùng tên; ở đây cần một thư mục", f"{option} {folder}: a file of "
            "that name exists; it must be a folder"),
                         (f"chọn tên thư mục khác, ví dụ {example}", f"choose another folder name, e.g. {example}"))
    _check_not_input(folder, input_paths(inputs), option)
    existing, _ = _existing_folder(folder / "index.html", option)
    if existing == folder:
        _probe(folder / "index.html", option)
    else:
        _probe_folder(existing, folder, option)
    return folder


@contextmanager
def atomic_path(path: PathLike, inputs: Iterable[PathLike | None] = ()) -> Iterator[Path]:
    """A temporary path beside ``path``, moved into place only if the block succeeds.

    The output is checked first (:func:`check_output`), the temporaries of the same output
    left by a killed run are removed, and an error of the file system (no permission, disk
    full) is an :class:`~zoning.errors.InputError` naming the output.

    Examples
    --------
    >>> with atomic_path(Path("out.txt")) as tmp:  # doctest: +SKIP
    ...     tmp.write_text("done")
    """
    path = check_output(path, inputs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(path, exc) from None
    remove_stale_temporaries(path)
    tmp = temporary_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _remove_temporaries(path, os.getpid())
        if exc.errno in ENVIRONMENT_ERRNOS:
            raise _write_error(path, exc) from None
        raise
    except BaseException:
        _remove_temporaries(path, os.getpid())
        raise


def temporary_path(path: Path, pid: int | None = None) -> Path:
    """The temporary file of ``path`` for this process: ``.<hash of the path>-<pid>.part<suffix>``."""
    suffix = path.suffix if len(path.suffix) <= MAX_TEMP_SUFFIX else ""
    return path.parent / f".{_output_key(path)}-{pid or os.getpid()}{TEMP_MARK}{suffix}"


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` left by processes that no longer run; return them."""
    removed = []
    for tmp in path.parent.glob(f".{_output_key(path)}-*{TEMP_MARK}*"):
        pid = tmp.name[len(_output_key(path)) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def write_text(path: PathLike, text: str, inputs: Iterable[PathLike | None] = (), encoding: str = "utf-8") -> Path:
    """Write a text file atomically; return its path."""
    with atomic_path(path, inputs) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def write_layers(path: Path, layers: Mapping[str, pd.DataFrame]) -> None:
    """Write frames (spatial or not) as the layers of one new GeoPackage.

    Not atomic by itself: write to the path given by :func:`atomic_path`.
    """
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists(), promote_to_multi=True)
            else:
                pyogrio.write_dataframe(pd.DataFrame(frame).reset_index(drop=True), path, layer=name, driver="GPKG", append=path.exists())
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def layer_names(path: Path) -> list[str]:
    """The layer names of a GeoPackage (or any file GDAL reads); an unreadable file raises."""
    return [str(name) for name, _ in pyogrio.list_layers(path)]


def environment_error(exc: OSError) -> InputError | None:
    """A clear error for an OSError caused by the user's environment (permission, disk full, …); None for others."""
    if exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    where = f"{exc.filename}: " if exc.filename else ""
    return InputError((f"{where}{ENVIRONMENT_ERRNOS[exc.errno]} (mã lỗi {exc.errno}: {exc.strerror})", f"{where}{exc.strerror} (errno {exc.errno})"),
                      ("kiểm tra quyền ghi, dung lượng đĩa và đường dẫn", "check the permissions, free disk space and the path"))


# ----------------------------------------------------------------------------- helpers


def _check_not_input(path: Path, inputs: tuple[Path, ...], option: str) -> None:
    target = _resolved(path)
    for source in inputs:
        protected = _protected_files(source)
        same = any(_same_file(path, p) or target == _resolved(p) for p in protected)
        inside = source.is_dir() and _is_within(target, _resolved(source))
        if same or inside:
            how_vi, how_en = ("là tệp đầu vào", "is the input") if same else ("nằm trong thư mục đầu vào", "is inside the input folder")
            raise InputError(
                (f"{option} {path} {how_vi} {source}: dữ liệu đầu vào không bao giờ bị ghi đè", f"{option} {path} {how_en} "
                    f"{source}: inputs are never overwritten"),
                ("ghi kết quả ra tệp khác, ngoài các thư mục đầu vào", "write the output to another file, outside the input folders"),
            )


def _protected_files(source: Path) -> list[Path]:
    """An input and, for a shapefile or MapInfo table, its sidecar files."""
    if source.suffix.lower() in (".shp", ".tab") and source.parent.is_dir():
        return [source, *(p for p in source.parent.glob(source.stem + ".*") if p != source)]
    return [source]


def _existing_folder(path: Path, option: str) -> tuple[Path, list[str]]:
    """The nearest existing ancestor of ``path`` and the names below it still to create; an error when it is a file."""
    missing, folder = [path.name], path.parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder.name)
        folder = folder.parent
    if not folder.is_dir():
        raise InputError((f"{option} {path}: {folder} là một tệp, không phải thư mục", f"{option} {path}: {folder} is a file, not a folder"),
                         ("chọn đường dẫn nằm trong một thư mục", "choose a path inside a folder"))
    return folder, missing


def _probe(path: Path, option: str) -> None:
    """Create and remove this process's temporary beside ``path``: the folder accepts new files."""
    tmp = temporary_path(path)
    try:
        tmp.touch(exist_ok=True)
        tmp.unlink()
    except OSError as exc:
        raise InputError(
            (f"{option} {path}: không ghi được vào thư mục {path.parent} ({exc.strerror})", f"{option} {path}: cannot write "
                f"in folder {path.parent} ({exc.strerror})"),
            ("chọn một thư mục có quyền ghi", "choose a folder you can write to"),
        ) from None


def _probe_folder(folder: Path, path: Path, option: str) -> None:
    """Create and remove a folder in ``folder``: the folders of ``path`` can be made there."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{_output_key(path)}-", suffix=TEMP_MARK, dir=folder))
    except OSError as exc:
        raise InputError(
            (f"{option} {path}: không tạo được thư mục trong {folder} ({exc.strerror})", f"{option} {path}: cannot write in folder {folder} ({exc.strerror})"),
            ("chọn một thư mục có quyền ghi", "choose a folder you can write to"),
        ) from None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _write_error(path: Path, exc: OSError) -> InputError:
    return InputError((f"{path}: không ghi được tệp ({exc.strerror})", f"{path}: cannot be written ({exc.strerror})"),
                      ("kiểm tra quyền ghi và dung lượng đĩa", "check the permissions and the free disk space"))


def _remove_temporaries(path: Path, pid: int) -> None:
    for tmp in path.parent.glob(temporary_path(path, pid).name.removesuffix(path.suffix) + "*"):
        tmp.unlink(missing_ok=True)


def _output_key(path: Path) -> str:
    return hashlib.sha256(str(_resolved(path)).encode("utf-8", "surrogateescape")).hexdigest()[:12]


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return path != folder


def _name_max(folder: Path) -> int:
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255
