"""Tags AWS itself puts on resources: CloudFormation's ``aws:cloudformation:stack-name``,
``aws:cloudformation:stack-id`` and ``aws:cloudformation:logical-id``.

A client may not write an ``aws:`` key, and such keys do not count against a resource's
tag quota. Only the platform's own provisioning writes them: the stacks service makes its
calls inside :func:`provisioning`, a context variable a client's request (another task)
can never set, and a service asks :func:`reserved` whether a key is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

__all__ = ["CLOUDFORMATION_PREFIX", "counted", "provisioning", "reserved"]

CLOUDFORMATION_PREFIX = "aws:cloudformation:"

_PROVISIONING: ContextVar[bool] = ContextVar("stratus_system_provisioning", default=False)


@contextlib.contextmanager
def provisioning() -> Iterator[None]:
    """Calls made in this block are CloudFormation's: they may write its system tags."""
    token = _PROVISIONING.set(True)
    try:
        yield
    finally:
        _PROVISIONING.reset(token)


def reserved(key: str) -> bool:
    """Whether this call may not write tag ``key``: any ``aws:`` key, except
    CloudFormation's own while the platform provisions a stack's resource."""
    lowered = key.lower()
    if not lowered.startswith("aws:"):
        return False
    return not (_PROVISIONING.get() and lowered.startswith(CLOUDFORMATION_PREFIX))


def counted(tags: Mapping[str, str]) -> int:
    """How many of ``tags`` count against a resource's quota (``aws:`` keys do not)."""
    return sum(1 for key in tags if not key.lower().startswith("aws:"))
