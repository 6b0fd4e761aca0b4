"""What goes out: check results, reports, maps, the annex, rasters, candidate sites, comparisons."""
