"""Array helpers of the check: overlaps, shares, per-site joins, all vectorised."""

from __future__ import annotations

import itertools
import string
from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from shapely import STRtree

from zoning import terms
from zoning.law.safety import normalise_unit
from zoning.terms import ZONE_ORDER


def overlap(sites: np.ndarray, pieces: np.ndarray, dim: np.ndarray, measure: np.ndarray, touching: np.ndarray) -> np.ndarray:
    """Area (polygons) or length (lines) of each site's part in each piece; 0 for points."""
    out = np.zeros(len(sites))
    todo = touching & (dim > 0)
    if not todo.any():
        return out
    idx = np.flatnonzero(todo)
    whole = shapely.contains_properly(pieces[idx], sites[idx])
    out[idx[whole]] = measure[idx[whole]]
    idx = idx[~whole]
    covered = (dim[idx] == 2) & shapely.contains_properly(sites[idx], pieces[idx])
    out[idx[covered]] = shapely.area(pieces[idx[covered]])
    idx = idx[~covered]
    if len(idx):
        part = shapely.intersection(sites[idx], pieces[idx])
        out[idx] = np.where(dim[idx] == 2, shapely.area(part), shapely.length(part))
    return out


def share(overlap: np.ndarray, measure: np.ndarray, dim: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """Share (%) of the site's area or length; 100 for a point inside; NaN where undefined."""
    share = np.where(measure > 0, 100 * overlap / np.where(measure > 0, measure, 1.0), np.nan)
    share = np.where(dim == 0, np.where(inside, 100.0, 0.0), share)
    return np.round(share, 2)


def numbers(values: ArrayLike, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as Vietnamese and as English text (:func:`zoning.terms.number`), object arrays; ``""`` for NaN."""
    floats = np.asarray(values, dtype=float).tolist()
    return np.array(terms.numbers(floats, decimals, "vi"), dtype=object), np.array(terms.numbers(floats, decimals, "en"), dtype=object)


def quantities(values: ArrayLike, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Quantities as Vietnamese and as English text with their unit and standard decimals
    (:func:`zoning.terms.quantity`), object arrays; ``""`` for NaN.
    """
    floats = np.asarray(values, dtype=float).tolist()
    return np.array(terms.quantities(floats, kind, "vi"), dtype=object), np.array(terms.quantities(floats, kind, "en"), dtype=object)


def formatted(template: str, n: int, **values: Any) -> np.ndarray:
    """``template`` filled row by row: each value is one text or ``n`` texts (an object array of ``n``)."""
    parts: list[str | list] = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if field is not None:
            if spec or conversion or field not in values:
                raise ValueError(f"template {template!r}: give '{field}' as a plain text placeholder")
            value = values[field]
            parts.append(value if isinstance(value, str) else np.asarray(value, dtype=object).tolist())
    if all(isinstance(p, str) for p in parts):
        return filled(n, "".join(str(p) for p in parts))
    out = np.empty(n, dtype=object)
    out[:] = shared(map("".join, zip(*(itertools.repeat(p, n) if isinstance(p, str) else p for p in parts))))
    return out


def shared(texts) -> list[str]:
    """The texts with equal ones as one object: a million rows of a few distinct texts hold a few texts, not a million."""
    seen: dict[str, str] = {}
    return [seen.setdefault(text, text) for text in texts]


def distinct(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row of each distinct combination of the columns' values, and the number
    of each row's combination: ``values[first][number]`` spreads what was computed once
    per combination to every row.
    """
    keys = pd.DataFrame(dict(enumerate(columns)))
    number = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(number))).groupby(number, sort=True).first().to_numpy()
    return first, number


def zone_index(zones: np.ndarray) -> np.ndarray:
    """Each zone code's position in ZONE_ORDER (strict first)."""
    return np.select([zones == z for z in ZONE_ORDER], list(range(len(ZONE_ORDER))), 0)


def join_by(site: np.ndarray, values: np.ndarray, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """Texts joined per site (in their order within each site): the sites and the joined texts."""
    site = np.asarray(site, dtype=int)
    values = np.asarray(values, dtype=object)
    if len(site) > 1 and (site[1:] < site[:-1]).any():
        order = np.argsort(site, kind="stable")
        site, values = site[order], values[order]
    if not len(site):
        return site, filled(0, "")
    starts = np.flatnonzero(np.r_[True, site[1:] != site[:-1]])
    ends = np.r_[starts[1:], len(site)]
    joined = values[starts].copy()  # a site with one text keeps it as it is
    several = np.flatnonzero(ends - starts > 1)
    listed = values.tolist()
    joined[several] = shared(sep.join(listed[a:b]) for a, b in zip(starts[several].tolist(), ends[several].tolist()))
    return site[starts], joined


def joined(site: ArrayLike, values: ArrayLike, n: int, sep: str = ",", distinct: bool = False) -> np.ndarray:
    """Per site (0 … n-1) its non-empty values joined (duplicates dropped unless ``distinct``); ``""`` for none."""
    sites, texts = np.asarray(site, dtype=int), np.asarray(values, dtype=object)
    given = (texts != "") & pd.notna(texts)
    sites, texts = sites[given], texts[given]
    if not distinct and len(sites):
        first = ~pd.DataFrame({"site": sites, "value": texts}).duplicated().to_numpy()
        sites, texts = sites[first], texts[first]
    out = filled(n, "")
    keys, joined = join_by(sites, texts, sep)
    out[keys] = joined
    return out


def same_unit(given: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Whether each given capacity unit matches the wanted one (empty on either side matches)."""
    def canonical(units: np.ndarray) -> np.ndarray:
        codes, names = pd.factorize(pd.Series(units, dtype=object))
        table = np.array([normalise_unit(u) if isinstance(u, str) else "" for u in names] + [""], dtype=object)
        return table[codes]  # code -1 (missing) takes the last entry, ""

    g, w = canonical(given), canonical(wanted)
    return (g == "") | (w == "") | (g == w)


def within(geometries: np.ndarray, tree: STRtree, tree_geometries: np.ndarray, distance: float | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (geometry, tree geometry) at most ``distance`` apart (one value or one per geometry), and their distances.

    Candidates come from the envelopes grown by the distance; each is measured once
    (cheaper than a prepared ``dwithin`` followed by the distance).
    """
    grow = np.broadcast_to(np.asarray(distance, dtype=float), (len(geometries),))
    xmin, ymin, xmax, ymax = shapely.bounds(geometries).T
    inputs, found = tree.query(shapely.box(xmin - grow, ymin - grow, xmax + grow, ymax + grow))
    measured = shapely.distance(geometries[inputs], tree_geometries[found])
    keep = measured <= grow[inputs]
    return inputs[keep], found[keep], measured[keep]


def filled(n: int, value: Any) -> np.ndarray:
    """An object array of ``n`` times ``value`` (far faster than ``np.full`` for objects)."""
    out = np.empty(n, dtype=object)
    out[:] = value
    return out


def scatter(n: int, position: np.ndarray, values: np.ndarray, fill, dtype) -> np.ndarray:
    """An array of ``n`` filled with ``fill``, with ``values`` put at ``position``."""
    out = np.full(n, fill, dtype=dtype)
    out[position] = values
    return out



def matched(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i, j) with ``left[i] == right[j]`` (an inner join of two key arrays), in the order of ``left``."""
    left, right = np.asarray(left), np.asarray(right)
    order = np.argsort(right, kind="stable")
    lo = np.searchsorted(right[order], left, "left")
    hi = np.searchsorted(right[order], left, "right")
    count = hi - lo
    i = np.repeat(np.arange(len(left)), count)
    j = order[np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)]
    return i, j
