"""Environmental zoning of Vietnamese provinces under Decree 08/2022/NĐ-CP.

Layers and rules go into a build (one GeoPackage); everything downstream reads the build.
"""

__version__ = "0.1.0"
