"""A toy queue service, written only against the component seam.

It proves what ``docs/adding-a-service.md`` promises: a service is its own package plus one
line in the platform's component list. Nothing in ``stratus/`` knows it exists.
"""
