"""What comes in: layers, sites, coordinate systems, the layer catalogue, legacy encodings, rasters."""
