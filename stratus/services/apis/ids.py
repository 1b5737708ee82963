"""Identifiers as API Gateway makes them: 10 lowercase alphanumerics for an API, 7 for
its routes, integrations, stages' deployments and authorizers."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_lowercase + string.digits


def new_id(length: int = 10) -> str:
    """A random id; ids need to be unique, not secret."""
    return "".join(random.choices(_ALPHABET, k=length))


def new_child_id() -> str:
    return new_id(7)
