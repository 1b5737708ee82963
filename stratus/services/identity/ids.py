"""Identifiers as IAM and STS make them.

Unique ids are a four-letter prefix naming the kind (``AROA`` role, ``AIDA`` user, ``AGPA``
group, ``ANPA`` managed policy, ``AIPA`` instance profile) and 17 characters of base32;
access key ids are ``AKIA`` (long-term) or ``ASIA`` (temporary) and 16 characters.
See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-prefixes
"""

from __future__ import annotations

import base64
import secrets

__all__ = [
    "ACCESS_KEY_PREFIX",
    "GROUP_PREFIX",
    "INSTANCE_PROFILE_PREFIX",
    "POLICY_PREFIX",
    "ROLE_PREFIX",
    "TEMPORARY_KEY_PREFIX",
    "USER_PREFIX",
    "new_access_key_id",
    "new_certificate_id",
    "new_secret_key",
    "new_session_token",
    "new_unique_id",
]

ROLE_PREFIX = "AROA"
USER_PREFIX = "AIDA"
GROUP_PREFIX = "AGPA"
POLICY_PREFIX = "ANPA"
INSTANCE_PROFILE_PREFIX = "AIPA"
ACCESS_KEY_PREFIX = "AKIA"
TEMPORARY_KEY_PREFIX = "ASIA"

_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _base32(length: int) -> str:
    return "".join(secrets.choice(_BASE32) for _ in range(length))


def new_unique_id(prefix: str) -> str:
    """``AROA`` + 17 characters: 21 in all, as IAM's ids are."""
    return prefix + _base32(17)


def new_access_key_id(prefix: str = ACCESS_KEY_PREFIX) -> str:
    """``AKIA``/``ASIA`` + 16 characters: 20 in all, as AWS's access key ids are."""
    return prefix + _base32(16)


def new_secret_key() -> str:
    """40 characters of base64, the shape of an AWS secret access key."""
    return base64.b64encode(secrets.token_bytes(30)).decode()


def new_session_token() -> str:
    """An opaque session token; AWS's are a few hundred characters of base64."""
    return "IQoJb3JpZ2luX2Vj" + base64.b64encode(secrets.token_bytes(240)).decode()


def new_certificate_id() -> str:
    """A signing certificate's id: 32 upper-case letters and digits, as IAM's are."""
    return _base32(32)
