"""A comparison of two builds: one value in memory, one GeoPackage on disk."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from zoning.files import atomic_path, write_layers
from zoning.terms import ZONE_ORDER

SCHEMA = "zoning-diff/1"


@dataclass
class ZoningDiff:
    """What moved between two zonings of one province, where, and why.

    Make one with :func:`zoning.diff`; save it with :meth:`write`, report it with
    :func:`zoning.write_diff_report`.

    Attributes
    ----------
    transitions
        Every piece of land that changed zone, in the new build's CRS: ``piece_id``,
        ``old_zone``, ``new_zone``, ``transition`` (``strict_to_other``, …),
        ``area_ha``, ``noise`` (a sliver under the threshold: not a change),
        ``commune_codes``, what held it (``held_before``, ``held_after``), the
        criteria its units' land meets (``lineage_before``, ``lineage_after``) and why
        it moved (``why_vi``, ``why_en``; empty for noise). Unchanged land is not listed.
    table
        One row per (old zone, new zone): ``area_ha`` moved (on the diagonal: the land
        that stayed), ``pieces``, and the noise set aside (``noise_ha``, ``noise_pieces``).
    reasons
        Per changed piece, each (criterion, layer, feature) added, removed or changed,
        with its cause (``cause_vi``, ``cause_en``) and sentence (``text_vi``, ``text_en``).
    rule_changes, input_changes
        The causes: rule files and criteria, input features; ``moved_ha`` is the area
        of the changed pieces each one holds before or after (0 for a change with no
        effect on the zones).
    communes
        Area of each transition in each 2025 commune where land moved.
    meta
        The two builds, the province, the CRS, the noise threshold and what it set
        aside, totals, notes and timings.
    """

    transitions: gpd.GeoDataFrame
    table: pd.DataFrame
    reasons: pd.DataFrame
    rule_changes: pd.DataFrame
    input_changes: pd.DataFrame
    communes: pd.DataFrame
    meta: dict[str, Any]

    @property
    def changes(self) -> gpd.GeoDataFrame:
        """The real changes: the pieces that are not noise."""
        return self.transitions[~self.transitions["noise"].to_numpy(bool)]

    @property
    def changed_ha(self) -> float:
        """Area that changed zone, noise left out (ha)."""
        return float(self.meta["changed_ha"])

    def matrix(self, noise: bool = False) -> pd.DataFrame:
        """The 3 × 3 table in hectares: a row per old zone, a column per new zone.

        With ``noise=True``, the area of the slivers set aside instead.
        """
        column = "noise_ha" if noise else "area_ha"
        wide = self.table.pivot(index="old_zone", columns="new_zone", values=column)
        return wide.reindex(index=list(ZONE_ORDER), columns=list(ZONE_ORDER))

    def layers(self) -> dict[str, pd.DataFrame]:
        """Every layer of the diff file, by layer name."""
        return {
            "transitions": self.transitions,
            "transition_table": self.table,
            "reasons": self.reasons,
            "rule_changes": self.rule_changes,
            "input_changes": self.input_changes,
            "commune_changes": self.communes,
            "diff_manifest": pd.DataFrame({"key": list(self.meta), "value": [json.dumps(v, ensure_ascii=False) for v in self.meta.values()]}),
        }

    def write(self, path: str | Path) -> Path:
        """Write the diff to a GeoPackage (layers as :meth:`layers`), atomically.

        Examples
        --------
        >>> import zoning
        >>> zoning.diff("before.gpkg", "after.gpkg").write("diff.gpkg")  # doctest: +SKIP
        PosixPath('diff.gpkg')
        """
        path = Path(path)
        with atomic_path(path) as tmp:
            write_layers(tmp, self.layers())
        return path
