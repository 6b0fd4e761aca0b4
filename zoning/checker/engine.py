"""Check proposed project sites against a build: the stages, in order.

For each site: the zones and units it touches or lies near (with distances, overlap and
share), its 2025 communes, the findings of ``rules/project-types.yaml`` for its project
type, the sensitive elements (LEP Art. 28(1)(c); ND08 Art. 25(4)) it triggers, and for
waste and wastewater facilities the safety distances of ``rules/safety-distances.yaml``
to residential areas and water intakes. Each finding carries its citation and status;
each site gets one verdict:

``conflict``           a confirmed rule (or a distance the user gave) is broken;
``needs_review``       a finding needs a person: an unconfirmed rule, a missing value, a
                       result within the positional tolerance of the data (borderline);
``no_data``            nothing else was found, but a layer the check needs is absent
                       from the build: no data is not "no conflict";
``no_conflict_found``  none of the above, with the data in the build;
``outside_province``   the site lies wholly outside the province of the build.

Proposed designations (no legal boundary yet) are reported, but decide no verdict unless
``include_proposed`` is set.

Each stage is a function of its own module that takes what it needs and returns a value:
:mod:`~zoning.checker.locate` (units, zones, communes, outside the province),
:mod:`~zoning.checker.safety`, :mod:`~zoning.checker.sensitive`,
:mod:`~zoning.checker.findings`, then :mod:`~zoning.checker.rows` (findings and verdicts)
and :mod:`~zoning.checker.sitetable`.

Speed: the zone, unit and commune polygons are cut once into small pieces (a bounded
number of vertices each) and indexed; sites are matched against them with STRtree bulk
queries and vectorised shapely operations — no per-site loop over units.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from zoning.checker import findings as finders
from zoning.checker import locate
from zoning.checker.index import BuildIndex
from zoning.checker.result import CheckResult
from zoning.checker.rows import finding_table
from zoning.checker.safety import safety_distances
from zoning.checker.sensitive import sensitive_elements
from zoning.checker.sitearrays import SiteArrays, site_arrays
from zoning.checker.sitetable import Stages, check_meta, site_table
from zoning.errors import InputError
from zoning.inputs.sites import Sites
from zoning.law.project_types import CheckRules, load_check_rules
from zoning.law.safety import UserDistance

T = TypeVar("T")


def check_sites(
    sites: Sites,
    index: BuildIndex,
    rules: CheckRules | None = None,
    *,
    user_distances: Mapping[str, float | UserDistance] | None = None,
    upstream: bool = False,
    search_distance: float | None = None,
    include_proposed: bool = False,
    every_site_outside: bool = False,
) -> CheckResult:
    """Check sites against an indexed build.

    Parameters
    ----------
    sites
        Sites from :func:`zoning.sites.read_sites`, in the build CRS.
    index
        The build prepared by :func:`index_build`.
    rules
        Check rules; the shipped ones by default.
    user_distances
        Safety distances given by the user (see :func:`zoning.safety.safety_distance`).
    upstream
        Default for sites without an ``upstream`` attribute: the facility must sit
        upstream of a water source or upwind of the town (× 1.5 in Table 2.22).
    search_distance
        List units within this many metres (default: the rule file's setting).
    include_proposed
        Let proposed designations (no legal boundary yet) trigger site rules, borderline
        results and sensitive elements as if they were in force. By default a site in one
        gets an information finding only; the zone areas and shares of a site are always
        those of the zones in force.
    every_site_outside
        Accept sites that all lie outside the province (a part of a check in parts).

    Raises
    ------
    InputError
        When every site lies outside the province of the build.
    """
    started = time.perf_counter()
    rules = rules or load_check_rules()
    search = float(search_distance if search_distance is not None else rules.settings.search_distance_m)
    if not search > 0:
        raise InputError(("khoảng cách tìm kiếm phải là số mét dương", "the search distance must be a positive number of metres"),
                         ("ví dụ --search-distance 5000", "e.g. --search-distance 5000"))
    user = user_distances or {}
    steps: dict[str, float] = {}
    timed = functools.partial(_timed, steps)
    site = site_arrays(sites, index.build.crs, rules, upstream)
    units = timed("units", locate.units_near, site, index, search, include_proposed)
    zones = timed("zones", locate.zones, site, index, units)
    communes = timed("communes", locate.communes, site, index)
    outside = timed("outside", locate.outside, site, index, zones, every_site_outside)
    safety = timed("safety", safety_distances, site, index, rules, user, outside.wholly)
    sensitive = timed("sensitive", sensitive_elements, site, index, rules, units, outside.wholly, search, include_proposed)
    types = timed("type_findings", finders.type_findings, site, rules, safety.capacity_unit_ok, sensitive.pairs, outside.wholly)
    located = timed("location_findings", finders.location_findings, site, index, units)
    ruled = timed("rule_findings", finders.rule_findings, site, index, rules, units, outside.wholly)
    no_data = timed("no_data", finders.no_data, site, index, rules, outside.wholly)
    borderline = timed("borderline_findings", finders.borderline, site, index, rules, units, zones, safety.pairs, outside.wholly)
    stages = Stages(units, zones, communes, outside, safety, sensitive, types, located, ruled, no_data, borderline)
    result = timed("result", _result, site, index, rules, search, user, stages)
    result.meta["timings_s"] = {**index.timings, "check_s": round(time.perf_counter() - started, 3), "steps_s": steps}
    return result


def _timed(steps: dict[str, float], name: str, stage: Callable[..., T], *args) -> T:
    """``stage(*args)``, its time recorded in ``steps`` under ``name``."""
    before = time.perf_counter()
    value = stage(*args)
    steps[name] = round(time.perf_counter() - before, 3)
    return value


def _result(site: SiteArrays, index: BuildIndex, rules: CheckRules, search: float, user: dict, stages: Stages) -> CheckResult:
    """The findings in the order the stages made them, the verdicts, the tables and the metadata."""
    found = (finders.outside_findings(site, stages.outside) + stages.safety.findings + stages.types.findings + stages.location
             + stages.rules + stages.no_data.findings + stages.borderline.findings)
    findings = finding_table(found, site.ids, stages.outside.wholly)
    table = site_table(site, index, stages, findings)
    meta = check_meta(site, index, rules, search, user, table, stages.units.include_proposed)
    return CheckResult(table, stages.zones.table, stages.units.table, stages.communes.table, findings.table, stages.sensitive.table,
                       stages.safety.table, meta)
