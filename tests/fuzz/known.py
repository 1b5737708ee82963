"""Findings not fixed yet, which the generators steer around until they are.

A fuzz run that fails on a known bug every time hides every new one behind it, so the
requests that hit a reported finding are left out here, each with the strict-xfail
reproducer in ``test_regressions`` that tells when its fix lands. Remove an entry
together with that reproducer's marker.
"""

from __future__ import annotations

from tests.fuzz.wire import WireRequest

__all__ = ["hits_known_finding"]


def hits_known_finding(request: WireRequest) -> bool:
    """Whether ``request`` would trip a finding already reported."""
    for name, value in request.headers:
        # F3: a Client-Context header that is not ASCII makes Invoke answer 500
        # (``test_f3_non_ascii_client_context_is_invalid_request_content``).
        if name.lower() == "x-amz-client-context" and not value.isascii():
            return True
    return False
