"""Array helpers of the check: overlaps, shares, per-site joins, all vectorised."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely import STRtree


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


def amounts(table: pd.DataFrame, dim: np.ndarray, lang: str) -> np.ndarray:
    """``, overlap 1.2345 ha (10%)`` for polygons, ``…  m`` for lines, ``""`` for points."""
    word = {"vi": "chiếm", "en": "overlap"}[lang]
    out = filled(len(dim), "")
    for d, column, digits, unit in ((2, "overlap_ha", 4, "ha"), (1, "overlap_m", 1, "m")):
        rows = np.flatnonzero(dim == d)
        if len(rows):
            share = " (" + general(table["share_pct"].to_numpy(float)[rows]) + "%)"
            out[rows] = f", {word} " + fixed(table[column].to_numpy(float)[rows], digits) + f" {unit}" + share
    return out


def fixed(values: np.ndarray, digits: int) -> np.ndarray:
    """Numbers as text with ``digits`` decimals (object array)."""
    return np.array([f"{v:.{digits}f}" for v in np.asarray(values, dtype=float).tolist()], dtype=object)


def general(values: np.ndarray) -> np.ndarray:
    """Numbers as short text (``:g``), object array."""
    return np.array([f"{v:g}" for v in np.asarray(values, dtype=float).tolist()], dtype=object)


def zone_index(zones: np.ndarray) -> np.ndarray:
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
    joined[several] = [sep.join(listed[a:b]) for a, b in zip(starts[several].tolist(), ends[several].tolist())]
    return site[starts], joined


def joined(site: np.ndarray, values: np.ndarray, n: int, sep: str = ",", distinct: bool = False) -> np.ndarray:
    """Per site (0 … n-1) its non-empty values joined (duplicates dropped unless ``distinct``); ``""`` for none."""
    site, values = np.asarray(site, dtype=int), np.asarray(values, dtype=object)
    given = (values != "") & pd.notna(values)
    site, values = site[given], values[given]
    if not distinct and len(site):
        first = ~pd.DataFrame({"site": site, "value": values}).duplicated().to_numpy()
        site, values = site[first], values[first]
    out = filled(n, "")
    keys, joined = join_by(site, values, sep)
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
    out = np.full(n, fill, dtype=dtype)
    out[position] = values
    return out

