"""The bucket-policy evaluator on its own: effects, principals, wildcards, conditions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stratus.services.objects.policy import Decision, decide

ARN = "arn:aws:s3:::b/k"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(**extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        **extra,
    }


def test_effects_and_deny_wins() -> None:
    assert decide(_doc(_allow()), None, "s3:GetObject", ARN) is Decision.ALLOW
    assert decide(_doc(_allow()), None, "s3:PutObject", ARN) is Decision.NONE
    deny = {**_allow(), "Effect": "Deny"}
    assert decide(_doc(_allow(), deny), None, "s3:GetObject", ARN) is Decision.DENY
    assert decide("not json", None, "s3:GetObject", ARN) is Decision.NONE
    assert decide("[1]", None, "s3:GetObject", ARN) is Decision.NONE


def test_principals() -> None:
    named = _allow(Principal={"AWS": "arn:aws:iam::111122223333:root"})
    assert decide(_doc(named), None, "s3:GetObject", ARN) is Decision.NONE
    assert decide(_doc(named), "111122223333", "s3:GetObject", ARN) is Decision.ALLOW
    assert decide(_doc(named), "999999999999", "s3:GetObject", ARN) is Decision.NONE
    anyone = _allow(Principal={"AWS": ["*"]})
    assert decide(_doc(anyone), None, "s3:GetObject", ARN) is Decision.ALLOW


def test_wildcards_are_iam_not_fnmatch() -> None:
    odd = _allow(Resource="arn:aws:s3:::b/[ab]")
    assert decide(_doc(odd), None, "s3:GetObject", "arn:aws:s3:::b/a") is Decision.NONE
    assert decide(_doc(odd), None, "s3:GetObject", "arn:aws:s3:::b/[ab]") is Decision.ALLOW
    actions = _allow(Action="s3:Get*")
    assert decide(_doc(actions), None, "s3:getobject", ARN) is Decision.ALLOW


def test_conditions() -> None:
    ctx = {
        "aws:SourceIp": "192.168.1.7",
        "aws:SecureTransport": "false",
        "s3:prefix": "pub/x",
        "s3:max-keys": "5",
    }
    cases: list[tuple[dict[str, Any], Decision]] = [
        ({"IpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, Decision.ALLOW),
        ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.1.7"]}}, Decision.ALLOW),
        ({"NotIpAddress": {"aws:SourceIp": "192.168.0.0/16"}}, Decision.NONE),
        ({"IpAddress": {"aws:SourceIp": "not-a-net"}}, Decision.NONE),
        ({"Bool": {"aws:SecureTransport": "true"}}, Decision.NONE),
        ({"Bool": {"aws:securetransport": "false"}}, Decision.ALLOW),  # keys: any case
        ({"StringLike": {"s3:prefix": "pub/*"}}, Decision.ALLOW),
        ({"StringEquals": {"s3:prefix": "pub/"}}, Decision.NONE),
        ({"StringNotEquals": {"s3:prefix": "priv/"}}, Decision.ALLOW),
        ({"StringEqualsIgnoreCase": {"s3:prefix": "PUB/X"}}, Decision.ALLOW),
        ({"StringEquals": {"aws:Referer": "x"}}, Decision.NONE),  # absent key
        ({"StringEqualsIfExists": {"aws:Referer": "x"}}, Decision.ALLOW),
        ({"StringNotLike": {"aws:Referer": "x*"}}, Decision.ALLOW),  # absent, negated
        ({"Null": {"aws:Referer": "true"}}, Decision.ALLOW),
        ({"Null": {"aws:SourceIp": "true"}}, Decision.NONE),
        ({"NumericLessThan": {"s3:max-keys": "10"}}, Decision.ALLOW),
        ({"NumericGreaterThan": {"s3:max-keys": "10"}}, Decision.NONE),
        ({"NumericLessThan": {"s3:delimiter": "10"}}, Decision.NONE),  # absent key
        ({"StringSounds": {"s3:prefix": "pub"}}, Decision.NONE),  # no such operator
        (
            {"StringLike": {"s3:prefix": "pub/*"}, "Bool": {"aws:SecureTransport": "true"}},
            Decision.NONE,  # every operator must hold
        ),
    ]
    for condition, expected in cases:
        got = decide(_doc(_allow(Condition=condition)), None, "s3:GetObject", ARN, ctx)
        assert got is expected, condition


def test_not_elements_never_match() -> None:
    statement = {**_allow(), "NotResource": "arn:aws:s3:::other/*"}
    assert decide(_doc(statement), None, "s3:GetObject", ARN) is Decision.NONE


def test_hostile_patterns_and_shapes() -> None:
    """Star-heavy globs against long keys answer (no backtracking blow-up); odd shapes
    never match instead of failing."""
    stars = _allow(Resource="arn:aws:s3:::b/" + "*a" * 200 + "b")
    key = "arn:aws:s3:::b/" + "a" * 1000
    assert decide(_doc(stars), None, "s3:GetObject", key) is Decision.NONE
    for odd in (
        {"Condition": ["x"]},
        {"Condition": {"StringEquals": ["x"]}},
        {"Action": 5},
        {"Principal": ["*"]},
    ):
        assert decide(_doc(_allow(**odd)), None, "s3:GetObject", ARN) is Decision.NONE, odd
    assert decide(json.dumps({"Statement": "x"}), None, "s3:GetObject", ARN) is Decision.NONE


@pytest.mark.parametrize(
    ("scheme", "client", "secure"),
    [
        ("https", "203.0.113.9", "true"),
        ("http", "127.0.0.1", "true"),  # never crosses a network
        ("http", "127.9.8.7", "true"),
        ("http", "::1", "true"),
        ("http", "203.0.113.9", "false"),
        ("http", "10.0.0.5", "false"),
        ("http", None, "false"),
        ("http", "not-an-address", "false"),
    ],
)
def test_secure_transport(scheme: str, client: str | None, secure: str) -> None:
    from stratus.services.objects.policy import secure_transport

    assert secure_transport(scheme, client) == secure
