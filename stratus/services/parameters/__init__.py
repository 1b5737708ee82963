"""SSM Parameter Store: named, versioned values (docs/parameters.md)."""
