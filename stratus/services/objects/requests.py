"""The records a request hands the object store (who asks, what integrity, which
preconditions) and the small rules shared by plain and multipart writes."""

from __future__ import annotations

import base64
import binascii
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from stratus.services.objects import errors as oe
from stratus.services.objects.bytestore import WrittenFile
from stratus.services.objects.model import ObjectVersion

MAX_PUT_BYTES = 5 * 1024**3  # a single PUT, and a part: 5 GiB

__all__ = [
    "MAX_PUT_BYTES",
    "Checks",
    "Conditions",
    "Requester",
    "Written",
    "new_version_id",
    "now_s",
    "verify",
]


@dataclass(frozen=True, slots=True)
class Requester:
    """Who made the request (for ownership and the event record)."""

    account: str
    region: str
    request_id: str
    principal: str = ""


@dataclass(slots=True)
class Checks:
    """Integrity a client asked for on an upload: Content-MD5 and checksums whose
    expected values may arrive only after the body (aws-chunked trailers)."""

    content_md5: str | None = None
    algorithms: tuple[str, ...] = ()
    expected: Callable[[], dict[str, str]] = field(default=dict)


@dataclass(slots=True)
class Conditions:
    """HTTP preconditions of a read (or a conditional write)."""

    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: float | None = None
    if_unmodified_since: float | None = None


@dataclass(slots=True)
class Written:
    """What a write made: the version (with its ETag and checksums)."""

    version: ObjectVersion


def now_s() -> float:
    return round(time.time(), 3)


def new_version_id() -> str:
    # Time-ordered like S3's, URL-safe, 32 characters.
    return f"{time.time_ns():x}{secrets.token_hex(8)}"[:32]


def verify(written: WrittenFile, checks: Checks) -> None:
    if checks.content_md5 is not None:
        try:
            expected = base64.b64decode(checks.content_md5, validate=True)
        except (binascii.Error, ValueError):
            raise oe.InvalidDigest() from None
        if len(expected) != 16:
            raise oe.InvalidDigest()
        if expected != written.md5:
            raise oe.BadDigest()
    for algorithm, value in checks.expected().items():
        if written.checksums.get(algorithm) != value:
            raise oe.BadDigest(
                f"The {algorithm} you specified did not match the calculated checksum."
            )
