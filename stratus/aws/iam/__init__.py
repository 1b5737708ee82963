"""The IAM API adapter (query protocol) and the identity component (IAM + STS)."""
