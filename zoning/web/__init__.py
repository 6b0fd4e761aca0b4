"""The local web application of ``zoning serve``: a page where a planner checks a site
without the command line, and an HTTP API with OpenAPI documentation (``/docs``).

The web layer only translates HTTP into calls of the public API (``zoning.check``,
``zoning.read_sites``, ``zoning.write_results``, the site reports, the map
configuration); see :func:`create_app`.
"""

from zoning.web.app import create_app

__all__ = ["create_app"]
