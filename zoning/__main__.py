"""``python -m zoning``: the command line."""

from zoning.cli import main

main()
