"""The STS API adapter (query protocol)."""
