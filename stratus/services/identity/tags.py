"""Tags on IAM roles, users, policies and instance profiles: at most 50, keys 1..128."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.services.identity.errors import InvalidInput, LimitExceeded
from stratus.services.identity.names import check_length

__all__ = ["MAX_TAGS", "merge_tags", "remove_tags"]

MAX_TAGS = 50


def merge_tags(current: Mapping[str, str], new: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``current`` with ``new`` added or overwritten, checked against IAM's limits."""
    merged = dict(current)
    seen: set[str] = set()
    for key, value in new:
        check_length(key, "tags.member.key", 1, 128)
        check_length(value, "tags.member.value", 0, 256)
        if key.lower() in seen:
            raise InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive."
            )
        seen.add(key.lower())
        merged[key] = value
    if len(merged) > MAX_TAGS:
        raise LimitExceeded("The number of tags has reached the maximum limit.")
    return merged


def remove_tags(current: Mapping[str, str], keys: Iterable[str]) -> dict[str, str]:
    gone = set(keys)
    return {k: v for k, v in current.items() if k not in gone}
