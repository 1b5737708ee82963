"""Errors of the pattern engine.

PatternError
 +-- InvalidPattern   a pattern or filter policy that AWS would refuse; ``reason`` is the
                      bare sentence (AWS's wording where known), ``message`` the full text
                      the dialect's API answers with
"""

from __future__ import annotations


class PatternError(Exception):
    """Base of the pattern engine's errors."""


class InvalidPattern(PatternError):
    """A pattern AWS refuses.

    ``reason`` is Event Ruler's sentence ("Empty arrays are not allowed"); ``message`` is
    how the dialect's API words the whole error ("Event pattern is not valid. Reason: ..."
    for EventBridge, "Invalid parameter: FilterPolicy: ..." for SNS). Callers that answer
    with another wording (Lambda's FilterCriteria, SNS's Subscribe) re-wrap ``reason``.
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        self.message = message
        self.reason = reason if reason is not None else message
        super().__init__(message)


class Refusal(Exception):
    """Raised inside the compiler with the bare reason; the dialect words it at the edge."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
