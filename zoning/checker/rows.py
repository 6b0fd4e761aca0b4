"""Finding rows: the one value type every stage of the check returns its findings in,
their texts from ``maps/messages.yaml``, and the findings table with each site's verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zoning import terms
from zoning.checker import arrays
from zoning.checker.result import FINDING_COLUMNS, SEVERITY_RANK, VERDICTS

Pair = tuple  # (Vietnamese, English): two texts, or two arrays of texts


@dataclass(frozen=True)
class Findings:
    """Finding rows as batches of columns (site index, then ``FINDING_COLUMNS[1:]``); ``+`` joins two."""

    batches: tuple[tuple[np.ndarray, ...], ...] = ()

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.batches + other.batches)

    def columns(self) -> list[np.ndarray]:
        """The rows of every batch, in the order they were made: one array per column."""
        if not self.batches:
            return [np.zeros(0, dtype=int if i == 0 else object) for i in range(len(FINDING_COLUMNS))]
        return [np.concatenate([batch[i] for batch in self.batches]) for i in range(len(FINDING_COLUMNS))]


def finding(site, code, severity, status, title: Pair, detail: Pair, citation: Pair = ("", "")) -> Findings:
    """Findings for the sites ``site`` (indices); every other value is one text or one per site.

    ``title``, ``detail`` and ``citation`` are (Vietnamese, English) pairs.
    """
    site = np.asarray(site, dtype=int)
    if not len(site):
        return Findings()
    values = (code, severity, status, title[0], title[1], detail[0], detail[1], citation[0], citation[1])
    columns = [arrays.filled(len(site), v) if isinstance(v, str) else np.asarray(v, dtype=object) for v in values]
    return Findings(((site, *columns),))


def texts(code: str, field: str, n: int | None = None, **values) -> Pair:
    """The Vietnamese and English texts of ``field`` of ``code`` in ``messages.yaml``.

    A value given as a (Vietnamese, English) tuple fills each text with its own form.
    With ``n``, values may be arrays of ``n`` texts and the texts are arrays of ``n``.
    """
    if n is None:
        return terms.message_pair(code, field, **values)
    return tuple(
        arrays.formatted(terms.template(code, f"{field}_{lang}"), n, **{k: v[i] if isinstance(v, tuple) else v for k, v in values.items()})
        for i, lang in enumerate(terms.LANGUAGES)
    )


@dataclass(frozen=True)
class FindingTable:
    """The ``findings`` table of the result and, per site, its verdict and counts."""

    table: pd.DataFrame
    verdict: np.ndarray
    conflicts: np.ndarray
    reviews: np.ndarray
    counts: np.ndarray


def finding_table(findings: Findings, ids: np.ndarray, wholly_outside: np.ndarray) -> FindingTable:
    """Findings sorted per site, most severe first, then by code (rows of one code in the
    order they were made), and the verdict of each site from its most severe finding.

    A site wholly outside the province keeps only its ``outside`` finding.
    """
    n = len(ids)
    columns = findings.columns()
    site, code, severity = columns[0], columns[1], columns[2]
    rank = np.select([severity == k for k in SEVERITY_RANK], list(SEVERITY_RANK.values()), 0)
    keep = ~(wholly_outside[site] & (severity != "outside"))
    code_number, _ = pd.factorize(code, sort=True)
    order = np.lexsort((np.arange(len(site)), code_number, -rank, site))
    order = order[keep[order]]
    site, rank, severity = site[order], rank[order], severity[order]
    worst = np.ones(n, int)
    np.maximum.at(worst, site, rank)
    table = pd.DataFrame({"site_id": ids[site], **{name: column[order] for name, column in zip(FINDING_COLUMNS[1:], columns[1:])}})
    return FindingTable(
        table=table,
        verdict=np.array([VERDICTS[w] for w in worst], dtype=object),
        conflicts=np.bincount(site, weights=severity == "conflict", minlength=n).astype(int),
        reviews=np.bincount(site, weights=severity == "review", minlength=n).astype(int),
        counts=np.bincount(site, minlength=n),
    )
