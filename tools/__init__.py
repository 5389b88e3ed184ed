"""Tools around the product, not part of it: the benchmark (``make bench``)."""
