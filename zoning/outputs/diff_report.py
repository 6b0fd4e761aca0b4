"""The HTML report of a comparison of two zonings, Vietnamese first with English beside.

One self-contained page (``diff_report.html.j2``): the two builds, the changed area and
the noise set aside with its threshold, the 3 × 3 table of transitions in hectares, the
changed pieces with why they moved, the rule and input changes that caused them, and the
area moved in each 2025 commune. Long lists stop at :data:`MAX_ROWS` rows; the diff's
GeoPackage holds them all. No timestamps: the same diff gives the same file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zoning import terms
from zoning.compare.model import ZoningDiff
from zoning.compare.transitions import TRANSITIONS, transition_key
from zoning.files import write_text
from zoning.outputs.report import environment
from zoning.terms import ZONE_ORDER

MAX_ROWS = 300


def render_diff_report(diff: ZoningDiff) -> str:
    """The HTML text of the report of a diff."""
    env = environment()
    env.globals["quantity"] = terms.quantity
    names = dict(zip(diff.communes["commune_code"].astype(str), diff.communes["commune_name"].astype(str)))
    changes = diff.changes
    shown = changes.drop(columns="geometry").head(MAX_ROWS)
    reasons = diff.reasons[diff.reasons["piece_id"].isin(shown["piece_id"])]
    why = {piece: group[["change", "text_vi", "text_en"]].to_dict("records") for piece, group in reasons.groupby("piece_id", sort=False)}
    pieces = [
        {**row, "communes": ", ".join(names.get(c, c) for c in str(row["commune_codes"]).split(",") if c), "reasons": why.get(row["piece_id"], [])}
        for row in shown.to_dict("records")
    ]
    moved = [transition_key(a, b) for a, b in TRANSITIONS if diff.communes[f"{transition_key(a, b)}_ha"].sum() > 0] if len(diff.communes) else []
    return env.get_template("diff_report.html.j2").render(
        meta=diff.meta,
        zones=list(ZONE_ORDER),
        matrix=_matrix_rows(diff),
        pieces=pieces,
        pieces_total=len(changes),
        rules=diff.rule_changes.to_dict("records"),
        inputs=diff.input_changes.head(MAX_ROWS).to_dict("records"),
        inputs_total=len(diff.input_changes),
        communes=diff.communes.to_dict("records"),
        commune_columns=[(key, *key.split("_to_")) for key in moved],
        max_rows=MAX_ROWS,
    )


def write_diff_report(diff: ZoningDiff, path: str | Path) -> Path:
    """Write the HTML report of a diff (atomically), Vietnamese first with English beside.

    Parameters
    ----------
    diff
        The comparison of two builds (:func:`zoning.diff`).
    path
        The HTML file to write.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import zoning
    >>> change = zoning.diff("before.gpkg", "after.gpkg")  # doctest: +SKIP
    >>> zoning.write_diff_report(change, "diff.html")  # doctest: +SKIP
    PosixPath('diff.html')
    """
    return write_text(Path(path), render_diff_report(diff))


def _matrix_rows(diff: ZoningDiff) -> list[dict]:
    """The 3 × 3 table with the zone totals of each build (hectares)."""
    matrix = diff.matrix().astype(float)
    old_total, new_total = matrix.sum(axis=1), matrix.sum(axis=0)
    rows = [{"zone": z, "cells": [(n, float(matrix.at[z, n])) for n in ZONE_ORDER], "total": float(old_total[z])} for z in ZONE_ORDER]
    rows.append({"zone": "", "cells": [(n, float(new_total[n])) for n in ZONE_ORDER], "total": float(pd.Series(new_total).sum())})
    return rows
