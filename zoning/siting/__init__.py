"""Siting: candidate areas for a new waste-treatment facility, found from a build (see
:mod:`zoning.siting.search`).
"""

from zoning.siting.search import SitingResult, find_sites

__all__ = ["SitingResult", "find_sites"]
