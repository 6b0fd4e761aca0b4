"""The console of the `zoning` command: the Typer application, Vietnamese-first texts and numbers,
progress bars, and the turning of user mistakes into a message and exit code 2.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zoning import __version__, terms
from zoning.errors import ZoningError
from zoning.files import environment_error

if TYPE_CHECKING:
    pass

# Options that `check` and `siting` share.
DistanceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--distance",
        "-d",
        help="A safety distance in metres where the rules have no confirmed value: sanitary_landfill=1000 (every source of it), "
        "sanitary_landfill:water_intake=2000, one source sanitary_landfill@qcvn-01-2021-bxd-solid-waste=1000, "
        "or a bare 1000 for every unknown one (repeat). The largest value of a receptor's sources applies.",
    ),
]
DistancesFileOption = Annotated[
    Path | None,
    typer.Option(
        "--distances",
        help="A province file of safety distances (YAML: id, version, distances: [{facility, receptor, source, distance_m, citation_vi, citation_en}]).",
    ),
]

app = typer.Typer(
    name="zoning",
    help="Environmental zoning under Decree 08/2022/NĐ-CP: build the strict protection, emission-limited "
    "and other zones of a province; list the layer kinds and the criteria.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
PIPE_WIDTH = 160  # tables piped to a file are not cut at 80 columns
console = Console(stderr=True, width=None if sys.stderr.isatty() else PIPE_WIDTH)
out = Console(width=None if sys.stdout.isatty() else PIPE_WIDTH)
EXIT_USER_ERROR = 2
SUMMARY_ABOVE = 30  # more sites than this: a summary instead of one table row per site (--verbose for all)
LISTED_CONFLICTS = 20
LANG: dict[str, terms.Lang] = {"console": "en" if os.environ.get("ZONING_LANG") == "en" else "vi"}


def say(vi: str, en: str) -> str:
    """A console text in the console's language: ``vi / en`` (Vietnamese first), or English alone with ``--lang en``."""
    return en if LANG["console"] == "en" else f"{vi} / {en}"


def print_notices(vietnamese: list[str], english: list[str]) -> None:
    """Notices in the console's language: Vietnamese with English beneath, or English alone."""
    for vi, en in zip(vietnamese, english):
        out.print(f"[yellow]{en}[/]" if LANG["console"] == "en" else f"[yellow]{vi}[/]\n  {en}", highlight=False)


def num(value: float | None, decimals: int = 2) -> str:
    """A number in the console's language (``1.234,56`` in Vietnamese, ``1,234.56`` in English)."""
    return terms.number(value, decimals, LANG["console"])


def friendly(command: Callable) -> Callable:
    """Turn a ZoningError, or a file-system error of the user's environment, into a clear message and exit code 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ZoningError as error:
            _print_error(error)
        except OSError as exc:  # permission, read-only or full disk, …: the user's to fix; anything else is a bug
            problem = environment_error(exc)
            if problem is None:
                raise
            _print_error(problem)
        raise typer.Exit(EXIT_USER_ERROR)

    return wrapper


def _print_error(error: ZoningError) -> None:
    """The message and what to do, each in Vietnamese with English on the next line (or English alone)."""
    hint = error.hint_pair or ("sửa điều được nêu ở trên rồi chạy lại", "correct what is named above and run again")
    console.print(f"[bold red]{say('Lỗi', 'Error')}:[/] {escape(_lines(error.message_vi, error.message_en))}", highlight=False)
    console.print(f"[yellow]→ {say('Cách sửa', 'What to do')}: {escape(_lines(*hint))}[/]", highlight=False)


def _lines(vi: str, en: str) -> str:
    """Vietnamese with English beneath (once when they are the same), or English alone with ``--lang en``."""
    return en if LANG["console"] == "en" or vi == en else f"{vi}\n  {en}"


@contextmanager
def progress_steps(title: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A rich progress bar; yields a callback ``advance(step_name)`` called as each step starts.

    When the console is not a terminal (a log file, a pipe) each step is a line of its own.
    """
    counted = [TextColumn("{task.completed}/{task.total}")] if total else []
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), *counted, TimeElapsedColumn()]
    live = console.is_terminal
    with Progress(*columns, console=console, transient=False, disable=not live) as bar:
        task = bar.add_task(title, total=total)
        done = [0]

        def advance(step: str) -> None:
            if done[0]:
                bar.advance(task)
            done[0] += 1
            bar.update(task, description=f"{title}: {step}")
            if not live:
                console.print(f"[{done[0]}{'/' + str(total) if total else ''}] {title}: {step}", highlight=False, markup=False)

        yield advance
        bar.update(task, completed=total or done[0], description=f"{title}: {say('xong', 'done')}")


def split_list(text: str | None) -> list[str] | None:
    """A comma-separated option: ``"01795,01558"`` → ``["01795", "01558"]`` (None when not given; ``",,"`` gives ``[]``)."""
    if text is None:
        return None
    return [c.strip() for c in text.split(",") if c.strip()]


def version_callback(value: bool) -> None:
    """Print the version and stop (``--version``)."""
    if value:
        out.print(f"zoning {__version__}")
        raise typer.Exit()


class Language(str, Enum):
    """Language of the console."""

    vi = "vi"
    en = "en"


@app.callback()
def _root(
    version: Annotated[bool | None, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")] = None,
    lang: Annotated[Language | None, typer.Option("--lang", help="Language of the console: vi (Vietnamese first, English "
        "beside; the default) or en (English). Also ZONING_LANG.")] = None,
) -> None:
    """Environmental zoning under Decree 08/2022/NĐ-CP."""
    if lang is not None:
        LANG["console"] = lang.value


