"""Lifecycle rules: S3's checks of a configuration, and which rule acts on which version
(pure; the sweep that acts is ``lifecycle.py``).

Actions applied: ``Expiration`` (``Days``, ``Date``, ``ExpiredObjectDeleteMarker``),
``NoncurrentVersionExpiration`` (``NoncurrentDays``, ``NewerNoncurrentVersions``) and
``AbortIncompleteMultipartUpload``. ``Transitions`` and ``NoncurrentVersionTransitions``
are checked, kept and answered, but move nothing: there is one storage class here.
Filters: prefix, one tag, tags (``And``), object size bounds. See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
"""

from __future__ import annotations

import base64
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.model import ObjectVersion

__all__ = ["DAY_S", "Filter", "expiry", "rule_filter", "validate"]

DAY_S = 86_400.0
MAX_RULES = 1000
_ACTIONS = (
    "Expiration",
    "Transitions",
    "NoncurrentVersionExpiration",
    "NoncurrentVersionTransitions",
    "AbortIncompleteMultipartUpload",
)
_CLASSES = (
    "GLACIER",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
)
_FILTER_ELEMENTS = ("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan", "And")


@dataclass(frozen=True, slots=True)
class Filter:
    """What a rule applies to."""

    prefix: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    larger_than: int | None = None
    smaller_than: int | None = None

    def matches_key(self, key: str) -> bool:
        return key.startswith(self.prefix)

    def matches(self, version: ObjectVersion) -> bool:
        if not version.key.startswith(self.prefix):
            return False
        if self.larger_than is not None and not version.size > self.larger_than:
            return False
        if self.smaller_than is not None and not version.size < self.smaller_than:
            return False
        return all(version.tags.get(k) == v for k, v in self.tags.items())


def rule_filter(rule: dict[str, Any]) -> Filter:
    flt = rule.get("Filter") or {}
    and_ = flt.get("And") or {}
    tags = {t["Key"]: t.get("Value", "") for t in and_.get("Tags") or []}
    if flt.get("Tag"):
        tags[flt["Tag"]["Key"]] = flt["Tag"].get("Value", "")
    return Filter(
        prefix=and_.get("Prefix") or flt.get("Prefix") or rule.get("Prefix") or "",
        tags=tags,
        larger_than=and_.get("ObjectSizeGreaterThan", flt.get("ObjectSizeGreaterThan")),
        smaller_than=and_.get("ObjectSizeLessThan", flt.get("ObjectSizeLessThan")),
    )


def _plain(value: Any) -> Any:
    """Dates as epoch seconds, the way the configuration is stored and answered."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _positive(value: Any, message: str) -> None:
    if value is not None and (not isinstance(value, int) or value <= 0):
        raise oe.InvalidArgument(message)


def _midnight(value: Any) -> None:
    if value is not None and float(value) % DAY_S:
        raise oe.InvalidArgument("'Date' must be at midnight GMT")


def _check_filter(rule: dict[str, Any]) -> None:
    if "Filter" in rule and "Prefix" in rule:
        raise oe.MalformedXML()
    flt = rule.get("Filter")
    if flt is None:
        return
    if len([k for k in _FILTER_ELEMENTS if flt.get(k) is not None]) > 1:
        raise oe.MalformedXML()
    chosen = rule_filter(rule)
    if (
        chosen.larger_than is not None
        and chosen.smaller_than is not None
        and chosen.larger_than >= chosen.smaller_than
    ):
        raise oe.InvalidArgument(
            "The maximum object size must be larger than the minimum object size"
        )


def _check_rule(rule: dict[str, Any]) -> None:
    if rule.get("Status") not in ("Enabled", "Disabled"):
        raise oe.MalformedXML()
    if len(rule.get("ID") or "") > 255:
        raise oe.InvalidArgument("ID length should not exceed allowed limit of 255")
    _check_filter(rule)
    if not any(rule.get(action) for action in _ACTIONS):
        raise oe.InvalidRequest("At least one action needs to be specified in a rule")
    expiration = rule.get("Expiration") or {}
    given = [k for k in ("Days", "Date", "ExpiredObjectDeleteMarker") if k in expiration]
    if "ExpiredObjectDeleteMarker" in given and len(given) > 1:
        raise oe.InvalidArgument(
            "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle "
            "Expiration Policy."
        )
    if expiration and len(given) != 1:
        raise oe.MalformedXML()
    _positive(expiration.get("Days"), "'Days' for Expiration action must be a positive integer")
    _midnight(expiration.get("Date"))
    noncurrent = rule.get("NoncurrentVersionExpiration") or {}
    if noncurrent:
        days = noncurrent.get("NoncurrentDays")
        _positive(
            days if days is not None else 0,
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        )
        newer = noncurrent.get("NewerNoncurrentVersions")
        if newer is not None and not 1 <= newer <= 100:
            raise oe.InvalidArgument(
                "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be an "
                "integer between 1 and 100"
            )
    abort = rule.get("AbortIncompleteMultipartUpload") or {}
    if abort:
        _positive(
            abort.get("DaysAfterInitiation") or 0,
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
            "integer",
        )
        if rule_filter(rule).tags:
            raise oe.InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.")
    for transition in rule.get("Transitions") or []:
        _check_transition(transition, "Days", "Transition")
        _midnight(transition.get("Date"))
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        _check_transition(transition, "NoncurrentDays", "NoncurrentVersionTransition")


def _check_transition(transition: dict[str, Any], days_name: str, action: str) -> None:
    storage_class = transition.get("StorageClass")
    if storage_class not in _CLASSES:
        raise oe.MalformedXML()
    days = transition.get(days_name)
    if days is not None and days < 0:
        raise oe.InvalidArgument(f"'{days_name}' for {action} action must be nonnegative")
    if days is not None and storage_class in ("STANDARD_IA", "ONEZONE_IA") and days < 30:
        raise oe.InvalidArgument(
            f"'{days_name}' in {action} action must be greater than or equal to 30 for "
            f"storageClass '{storage_class}'"
        )


def validate(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """S3's checks of PutBucketLifecycleConfiguration's rules; the rules to keep."""
    if not rules or len(rules) > MAX_RULES:
        raise oe.MalformedXML()
    stored = [_plain(rule) for rule in rules]
    # A rule's own Prefix is the first lifecycle API's (PutBucketLifecycle); S3 keeps
    # one configuration in one of the two forms.
    if any("Prefix" in r for r in stored) and any("Filter" in r for r in stored):
        raise oe.InvalidRequest("Filter element can only be used in Lifecycle V2.")
    ids = [r.get("ID") for r in stored if r.get("ID")]
    if len(ids) != len(set(ids)):
        raise oe.InvalidArgument(
            "Rule ID must be unique. Found same ID for more than one rule", "ID", None
        )
    for rule in stored:
        _check_rule(rule)
        if not rule.get("ID"):
            # S3 names a rule given without an ID, so GET answers one for every rule.
            rule["ID"] = base64.urlsafe_b64encode(str(uuid.uuid4()).encode()).decode().rstrip("=")
    return stored


def expiry(rules: list[dict[str, Any]], version: ObjectVersion) -> tuple[float, str] | None:
    """When S3 announces a current version will expire, and by which rule's ID: the
    earliest of the enabled ``Expiration`` rules that apply to it. ``Days`` count from
    the version's creation and round up to the next midnight UTC, as S3 announces them
    (``x-amz-expiration``)."""
    soonest: tuple[float, str] | None = None
    for rule in rules:
        expiration = rule.get("Expiration") or {}
        days, date = expiration.get("Days"), expiration.get("Date")
        if rule.get("Status") != "Enabled" or (days is None and date is None):
            continue
        if not rule_filter(rule).matches(version):
            continue
        if days is not None:
            when = (math.floor(version.modified / DAY_S) + int(days) + 1) * DAY_S
        elif date is not None:
            when = float(date)
        if soonest is None or when < soonest[0]:
            soonest = (when, str(rule.get("ID") or ""))
    return soonest
