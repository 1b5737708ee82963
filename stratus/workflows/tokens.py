"""Task tokens: what `$$.Task.Token`, GetActivityTask and SendTask* carry.

A token names one task of one execution. It is derived deterministically from the
execution ARN and the core's task token (the core must stay pure and replayable), and is
opaque to users: URL-safe base64, like AWS's long opaque tokens.
"""

from __future__ import annotations

import base64
import binascii

_SEPARATOR = "\n"


class InvalidTaskToken(ValueError):
    """The text is not a task token Stratus issued."""


def encode(execution_arn: str, core_token: str) -> str:
    raw = f"stratus1{_SEPARATOR}{execution_arn}{_SEPARATOR}{core_token}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str) -> tuple[str, str]:
    """(execution ARN, core token) of a task token; InvalidTaskToken when it is none."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidTaskToken(token) from exc
    parts = text.split(_SEPARATOR)
    if len(parts) != 3 or parts[0] != "stratus1" or not parts[1] or not parts[2]:
        raise InvalidTaskToken(token)
    return parts[1], parts[2]
