"""Problems of input layers: raised at the first (a build) or collected (a layer check).

:func:`zoning.inputs.layers.check_layer` reports each problem it finds through a
:class:`Report`: without a list to collect into, the problem is raised at once as the
:class:`~zoning.errors.InputError` a build has always raised; with one, it is appended and
the check goes on (:func:`zoning.inputs.layercheck.check_layers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zoning.errors import InputError, Text


@dataclass(frozen=True)
class Problem:
    """One problem of an input layer that a build refuses (see :func:`zoning.inputs.layers.read_layers` with ``problems``).

    ``features`` are the ids of the features concerned (none for a problem of the whole
    layer or file), ``values`` the value of ``field`` of each (empty, or as many as
    ``features``).
    """

    layer: str
    origin: str
    message: Text
    hint: Text
    field: str = ""
    features: tuple[str, ...] = ()
    values: tuple[str, ...] = ()

    def error(self) -> InputError:
        """The problem as the error a build raises."""
        return InputError(self.message, self.hint)


class LayerStopped(Exception):
    """A problem after which the rest of a layer cannot be checked (collected, not raised)."""


class Report:
    """Where the problems of one layer go: raised at once (a build), or collected (a layer check)."""

    def __init__(self, problems: list[Problem] | None, layer: str, origin: str) -> None:
        self.problems, self.layer, self.origin = problems, layer, origin

    def __call__(self, message: Text, hint: Text, *, field: str = "", features=(), values=(), stop: bool = False) -> None:
        """Raise the problem (a build), or collect it and go on (``stop``: with the next layer)."""
        problem = Problem(self.layer, self.origin, message, hint, field, tuple(map(str, features)), tuple(map(shown, values)))
        if self.problems is None:
            raise problem.error()
        self.problems.append(problem)
        if stop:
            raise LayerStopped


def shown(value: object) -> str:
    """A value as the report shows it (missing: empty)."""
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


