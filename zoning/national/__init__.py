"""One national zoning: the 34 provinces built side by side on Dask, assembled and checked across borders.

    import zoning

    result = zoning.build_national("vietnam-layers.gpkg", "national-out", workers=2)
    result.consistency.gap_m2, result.consistency.overlap_m2

Modules, one job each: :mod:`~zoning.national.inputs` (ROOT read and cut by province with a
halo), :mod:`~zoning.national.resume` (a province's fingerprint: unchanged ones are not
rebuilt), :mod:`~zoning.national.runner` (the Dask tasks), :mod:`~zoning.national.mosaic` (the
national layers in EPSG:4756), :mod:`~zoning.national.consistency` (the checks across
borders), :mod:`~zoning.national.reports` (the tables), :mod:`~zoning.national.engine` (the
steps in order).
"""

from __future__ import annotations

from zoning.national.engine import NationalResult, build_national

__all__ = ["NationalResult", "build_national"]
