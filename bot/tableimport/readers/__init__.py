"""One reader per format, each turning bytes into Grids (rows of cell strings, merged cells expanded)."""
