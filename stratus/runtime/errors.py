"""Errors of the runtime layer (invoking functions), mapped to AWS codes at the edge.

    InvocationError
     +-- Throttled            no concurrency left: TooManyRequestsException (429)
     +-- RuntimeUnavailable   the platform cannot start an environment (no interpreter...)

A handler's own failure, a timeout, a crash or an init error is not an exception here:
Lambda reports those as a 200 with ``X-Amz-Function-Error``, so they are data in
:class:`~stratus.runtime.invoker.InvocationResult`.
"""

from __future__ import annotations


class InvocationError(Exception):
    """Base of invocation failures the caller sees as an API error."""


class Throttled(InvocationError):
    """The function or the account is at its concurrency limit."""

    def __init__(self, reason: str) -> None:
        # Lambda's Reason values: ReservedFunctionConcurrentInvocationLimitExceeded,
        # ConcurrentInvocationLimitExceeded.
        self.reason = reason
        super().__init__("Rate Exceeded.")


class RuntimeUnavailable(InvocationError):
    """No execution environment could be started for reasons that are not the user's code."""
