"""Static website hosting: the checks of a website configuration and what a website
endpoint does with a request path (pure: no HTTP, no store).

The rules are S3's (https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html):
a request either redirects (``RedirectAllRequestsTo``, a routing rule whose condition
holds, a key ending in ``/`` asked without it) or names a key, the index document
appended to a "folder"; an error (403, 404) may still be turned into a redirect by a rule
on ``HttpErrorCodeReturnedEquals``, or answered with the error document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from stratus.services.objects import errors as oe

__all__ = ["Redirect", "error_redirect", "resolve", "validate"]

MAX_RULES = 50
_PROTOCOL = (
    "Invalid protocol, protocol can be http or https. If not defined the protocol will be "
    "selected automatically."
)


@dataclass(frozen=True, slots=True)
class Redirect:
    """An answer of 3xx with ``Location``."""

    location: str
    status: int = 301


def _check_protocol(redirect: dict[str, Any]) -> None:
    protocol = redirect.get("Protocol")
    if protocol is not None and protocol not in ("http", "https"):
        raise oe.InvalidRequest(_PROTOCOL)


def validate(config: dict[str, Any]) -> dict[str, Any]:
    """S3's checks of a PutBucketWebsite body (its words); the configuration to keep."""
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all:
        if len([k for k, v in config.items() if v]) > 1:
            raise oe.InvalidArgument(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
                "RedirectAllRequestsTo",
                "not null",
            )
        if not redirect_all.get("HostName"):
            raise oe.MalformedXML()
        _check_protocol(redirect_all)
        return {"RedirectAllRequestsTo": redirect_all}
    index = config.get("IndexDocument")
    if not index:
        raise oe.InvalidArgument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
            "IndexDocument",
            "null",
        )
    suffix = index.get("Suffix")
    if not suffix or "/" in suffix:
        raise oe.InvalidArgument(
            "The IndexDocument Suffix is not well formed", "IndexDocument", suffix or None
        )
    kept: dict[str, Any] = {"IndexDocument": {"Suffix": suffix}}
    if "ErrorDocument" in config:
        if not (config["ErrorDocument"] or {}).get("Key"):
            raise oe.MalformedXML()
        kept["ErrorDocument"] = {"Key": config["ErrorDocument"]["Key"]}
    if "RoutingRules" in config:
        rules = config["RoutingRules"] or []
        if not rules:
            raise oe.MalformedXML()
        if len(rules) > MAX_RULES:
            raise oe.InvalidRequest(
                f"{len(rules)} routing rules provided, the number of routing rules in a website "
                f"configuration is limited to {MAX_RULES}."
            )
        for rule in rules:
            redirect = rule.get("Redirect")
            if not isinstance(redirect, dict):
                raise oe.MalformedXML()
            if "ReplaceKeyPrefixWith" in redirect and "ReplaceKeyWith" in redirect:
                raise oe.InvalidRequest(
                    "You can only define ReplaceKeyPrefix or ReplaceKey but not both."
                )
            if "Condition" in rule and not rule["Condition"]:
                raise oe.InvalidRequest(
                    "Condition cannot be empty. To redirect all requests without a condition, "
                    "the condition element shouldn't be present."
                )
            code = redirect.get("HttpRedirectCode")
            if code is not None and (not str(code).isdigit() or not 301 <= int(code) <= 399):
                raise oe.InvalidRequest(
                    f"The provided HTTP redirect code ({code}) is not valid. Valid codes are 3XX "
                    "except 300."
                )
            _check_protocol(redirect)
        kept["RoutingRules"] = rules
    return kept


def _target(rule: dict[str, Any], key: str, host: str, scheme: str) -> Redirect:
    """Where a rule's ``Redirect`` sends ``key`` (a replaced prefix is the one its
    condition matched)."""
    redirect = rule["Redirect"]
    if "ReplaceKeyWith" in redirect:
        key = redirect["ReplaceKeyWith"] or ""
    elif "ReplaceKeyPrefixWith" in redirect:
        prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
        key = (redirect["ReplaceKeyPrefixWith"] or "") + key[len(prefix) :]
    protocol = redirect.get("Protocol") or scheme
    target_host = redirect.get("HostName") or host
    status = int(redirect.get("HttpRedirectCode") or 301)
    return Redirect(f"{protocol}://{target_host}/{quote(key, safe='/')}", status)


def _rule_for(config: dict[str, Any], key: str, error_code: int | None) -> dict[str, Any] | None:
    """The first routing rule whose condition holds (``error_code`` None: before the
    object is read, so only rules without an error condition may match)."""
    rules: list[dict[str, Any]] = config.get("RoutingRules") or []
    for rule in rules:
        condition = rule.get("Condition") or {}
        prefix = condition.get("KeyPrefixEquals")
        wanted = condition.get("HttpErrorCodeReturnedEquals")
        if prefix is not None and not key.startswith(prefix):
            continue
        if wanted is not None and (error_code is None or str(wanted) != str(error_code)):
            continue
        if wanted is None and error_code is not None:
            continue
        return rule
    return None


def resolve(config: dict[str, Any], path_key: str, host: str, scheme: str) -> Redirect | str:
    """A redirect, or the key to read, for a request of ``/{path_key}``."""
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all:
        protocol = redirect_all.get("Protocol") or scheme
        return Redirect(f"{protocol}://{redirect_all['HostName']}/{quote(path_key, safe='/')}")
    rule = _rule_for(config, path_key, None)
    if rule is not None:
        return _target(rule, path_key, host, scheme)
    suffix = str(config["IndexDocument"]["Suffix"])
    if path_key == "" or path_key.endswith("/"):
        return path_key + suffix
    return path_key


def error_redirect(
    config: dict[str, Any], path_key: str, status: int, host: str, scheme: str
) -> Redirect | None:
    """A routing rule that turns an error answer into a redirect."""
    rule = _rule_for(config, path_key, status)
    return _target(rule, path_key, host, scheme) if rule is not None else None
