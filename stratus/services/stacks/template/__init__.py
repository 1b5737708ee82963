"""Templates: parsing, intrinsic functions, conditions and the dependency graph."""
