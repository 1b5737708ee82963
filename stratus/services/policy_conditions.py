"""IAM's policy language matching, shared by every evaluator: S3 bucket policies
(``services.objects.policy``), IAM's policy simulator (``services.identity.simulator``),
function URLs' policies and API Gateway's (``services.policy_statements``).

Wildcards are IAM's ``*`` and ``?``. Condition operators follow
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html:
String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null, each with
``...IfExists``, and the set qualifiers ``ForAnyValue:``/``ForAllValues:`` for multivalued
keys. A request value is a list (a single-valued key is a list of one). An operator this
module does not know raises ``UnknownOperator``: the caller decides (a statement with one
never matches).

Missing keys, as IAM documents them: a positive operator is false, a negated one
(``StringNotEquals``, ``NotIpAddress``...) true, ``...IfExists`` true, ``ForAllValues``
true, ``ForAnyValue`` false; ``Null`` tests presence itself.
"""

from __future__ import annotations

import base64
import fnmatch
import ipaddress
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "Context",
    "UnknownOperator",
    "condition_keys",
    "conditions_hold",
    "glob",
    "listed",
    "lookup",
    "secure_transport",
]

#: Context keys (matched case-insensitively) and their values.
Context = Mapping[str, Sequence[str] | str]


class UnknownOperator(KeyError):
    """A condition operator IAM's language does not have (or this module does not know)."""


def listed(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, list):
        return [str(v).lower() if isinstance(v, bool) else str(v) for v in value]
    return [str(value)]


def glob(pattern: str, value: str, *, case: bool = True) -> bool:
    """IAM wildcards: ``*`` and ``?`` only (fnmatch's ``[...]`` taken literally)."""
    pattern = pattern.replace("[", "[[]")
    if case:
        return fnmatch.fnmatchcase(value, pattern)
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def _in_network(value: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(network, strict=False)
    except ValueError:
        return False


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(value: str, wanted: str) -> bool:
        a, b = _number(value), _number(wanted)
        return a is not None and b is not None and compare(a, b)

    return test


def _instant(text: str) -> float | None:
    """A date as IAM reads one: ISO 8601 (date, or date and time) or epoch seconds."""
    number = _number(text)
    if number is not None:
        return number
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _dated(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def test(value: str, wanted: str) -> bool:
        a, b = _instant(value), _instant(wanted)
        return a is not None and b is not None and compare(a, b)

    return test


def _binary(value: str, wanted: str) -> bool:
    try:
        return base64.b64decode(value, validate=True) == base64.b64decode(wanted, validate=True)
    except ValueError:
        return False


def _arn(value: str, wanted: str) -> bool:
    """ARNs compare per colon-separated part (the resource part keeps its colons), each
    part with wildcards: ``arn:aws:s3:::b*`` matches, but a ``*`` never spans a part."""
    have, want = value.split(":", 5), wanted.split(":", 5)
    if len(have) != 6 or len(want) != 6:
        return glob(wanted, value)
    return all(glob(w, h) for w, h in zip(want, have, strict=True))


#: operator -> (test of one request value against one policy value, negated?)
_TESTS: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (lambda v, p: glob(p, v), False),
    "StringNotLike": (lambda v, p: glob(p, v), True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "DateEquals": (_dated(lambda a, b: a == b), False),
    "DateNotEquals": (_dated(lambda a, b: a == b), True),
    "DateLessThan": (_dated(lambda a, b: a < b), False),
    "DateLessThanEquals": (_dated(lambda a, b: a <= b), False),
    "DateGreaterThan": (_dated(lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_dated(lambda a, b: a >= b), False),
    "Bool": (lambda v, p: v.lower() == p.lower(), False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_in_network, False),
    "NotIpAddress": (_in_network, True),
    "ArnEquals": (_arn, False),
    "ArnLike": (_arn, False),
    "ArnNotEquals": (_arn, True),
    "ArnNotLike": (_arn, True),
}


def lookup(context: Context, key: str) -> list[str] | None:
    """The values of ``key`` in the request (None: absent); keys ignore case, as in IAM."""
    lowered = key.lower()
    for name, value in context.items():
        if name.lower() == lowered:
            return [value] if isinstance(value, str) else list(value)
    return None


def condition_holds(operator: str, key: str, wanted: Any, context: Context) -> bool:
    values = lookup(context, key)
    wanted_values = listed(wanted)
    if operator == "Null":  # "true": the key must be absent
        return any((values is None) == (w.lower() == "true") for w in wanted_values)
    qualifier, _, base = operator.rpartition(":")
    if qualifier not in ("", "ForAnyValue", "ForAllValues"):
        raise UnknownOperator(operator)
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    if base not in _TESTS:
        raise UnknownOperator(operator)
    test, negated = _TESTS[base]

    def one(value: str) -> bool:
        return any(test(value, w) for w in wanted_values) != negated

    if qualifier == "ForAllValues":
        return all(one(v) for v in values or [])
    if values is None or (qualifier == "ForAnyValue" and not values):
        return if_exists or (negated and not qualifier)
    if negated and not qualifier:
        return all(one(v) for v in values)  # no value may match what is excluded
    return any(one(v) for v in values)


def conditions_hold(block: Any, context: Context) -> bool:
    """Every operator and key of a ``Condition`` block holds (an empty block: true)."""
    if not block:
        return True
    if not isinstance(block, dict):
        return False
    return all(
        isinstance(pairs, dict)
        and all(condition_holds(op, key, wanted, context) for key, wanted in pairs.items())
        for op, pairs in block.items()
    )


def condition_keys(block: Any) -> Iterable[str]:
    """The context keys a ``Condition`` block tests, in the order written."""
    if not isinstance(block, dict):
        return
    for pairs in block.values():
        if isinstance(pairs, dict):
            yield from (str(key) for key in pairs)


def secure_transport(scheme: str, client: str | None) -> str:
    """``aws:SecureTransport``: ``"true"`` over HTTPS, and for a caller on this machine's
    loopback interface, whose requests never cross a network (the "deny requests without
    TLS" statement that CDK's and SAM's staging buckets carry, and many teams' own, then
    lets their local tools in); ``"false"`` for anyone else over plain HTTP."""
    if scheme == "https":
        return "true"
    try:
        return "true" if client and ipaddress.ip_address(client).is_loopback else "false"
    except ValueError:
        return "false"
