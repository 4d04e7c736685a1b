"""`make bench`: our load path against the physical floor and what users would otherwise run."""
