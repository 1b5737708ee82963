"""A bucket's CORS rules applied to a request: which rule (if any) allows an origin, a
method and the request headers, and the headers the answer then carries.

See https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html ("How does Amazon S3
evaluate the CORS configuration on a bucket?"): the first rule whose origin, method and
headers all match applies; an origin or header may hold one ``*`` wildcard.
"""

from __future__ import annotations

import fnmatch
from typing import Any

__all__ = ["cors_headers", "matching_rule"]


def _matches(pattern: str, value: str, *, case: bool) -> bool:
    if not case:
        pattern, value = pattern.lower(), value.lower()
    if "*" not in pattern:
        return pattern == value
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


def matching_rule(
    rules: list[dict[str, Any]], origin: str, method: str, headers: list[str]
) -> dict[str, Any] | None:
    for rule in rules:
        if not any(_matches(o, origin, case=True) for o in rule.get("AllowedOrigins") or []):
            continue
        if method not in (rule.get("AllowedMethods") or []):
            continue
        allowed = rule.get("AllowedHeaders") or []
        if all(any(_matches(a, h, case=False) for a in allowed) for h in headers if h):
            return rule
    return None


def cors_headers(
    rule: dict[str, Any], origin: str, headers: list[str], preflight: bool
) -> list[tuple[str, str]]:
    """The Access-Control-* headers S3 writes for ``rule``."""
    wildcard = "*" in (rule.get("AllowedOrigins") or [])
    out = [("Access-Control-Allow-Origin", "*" if wildcard else origin)]
    out.append(("Access-Control-Allow-Methods", ", ".join(rule.get("AllowedMethods") or [])))
    if preflight and headers:
        out.append(("Access-Control-Allow-Headers", ", ".join(h for h in headers if h)))
    if rule.get("ExposeHeaders"):
        out.append(("Access-Control-Expose-Headers", ", ".join(rule["ExposeHeaders"])))
    if rule.get("MaxAgeSeconds") is not None:
        out.append(("Access-Control-Max-Age", str(rule["MaxAgeSeconds"])))
    if not wildcard:
        out.append(("Access-Control-Allow-Credentials", "true"))
    out.append(("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"))
    return out
