"""Bucket naming rules and key limits, as S3 states them.

See https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
"""

from __future__ import annotations

import re

from stratus.services.objects.errors import InvalidBucketName, KeyTooLong

__all__ = ["MAX_KEY_BYTES", "check_bucket_name", "check_key"]

MAX_KEY_BYTES = 1024
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket_name(name: str) -> None:
    """Raise InvalidBucketName unless ``name`` follows the general purpose bucket rules."""
    if (
        not _NAME.match(name)
        or ".." in name
        or ".-" in name
        or "-." in name
        or _IP.match(name)
        or name.startswith(_PREFIXES)
        or name.endswith(_SUFFIXES)
    ):
        raise InvalidBucketName(name)


def check_key(key: str) -> None:
    """Raise KeyTooLong for a key over 1,024 bytes of UTF-8."""
    if len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise KeyTooLong()
