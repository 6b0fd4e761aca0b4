"""The `zoning` command line: a thin layer over the library.

Every user mistake ends with a message that says what to fix and exit code 2, never a
traceback. Outputs are checked before any work is done: a path that is, or would replace,
an input, a folder, or a suffix the command does not write is refused at once. The console
speaks Vietnamese first with English beside (``zoning --lang en`` for English only), with
the numbers of the language.
"""


from __future__ import annotations

from zoning.cli import annex, build, check, layers, national, outputs, serve  # noqa: F401  (each registers its commands)
from zoning.cli.console import LANG, app

__all__ = ["LANG", "app", "main"]


def main() -> None:
    """Entry point of the `zoning` command."""
    app()


if __name__ == "__main__":
    main()
