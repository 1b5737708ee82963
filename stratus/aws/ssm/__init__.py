"""The SSM (Parameter Store) API adapter."""
