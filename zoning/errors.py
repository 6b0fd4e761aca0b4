"""One exception family whose messages a planner can act on.

Every error a user can cause (a wrong file, a bad attribute value, a broken rule file)
is a :class:`ZoningError`: the CLI prints its message and hint and exits with code 2,
never a traceback.
"""

from __future__ import annotations


class ZoningError(Exception):
    """A problem with the user's input that they can fix.

    Parameters
    ----------
    message
        What is wrong, naming the file, layer, feature or key.
    hint
        What to do about it (optional).
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class InputError(ZoningError):
    """An input layer or file cannot be used as it is."""


class RuleError(ZoningError):
    """A rule file is missing, malformed or inconsistent."""


class BuildError(ZoningError):
    """A build file is missing or not a zoning build."""
