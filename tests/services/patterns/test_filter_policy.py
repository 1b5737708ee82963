"""SNS filter policies: the policy / message / verdict examples of AWS's SNS guide.

Each row is an example from https://docs.aws.amazon.com/sns/latest/dg/ (the pages on
string, numeric and key matching, AND/OR logic, IP address matching and payload-based
filtering), run on message attributes and, where the guide shows it, on the body.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stratus.services.patterns import FilterPolicy, InvalidPattern


def s(value: str) -> dict[str, str]:
    return {"Type": "String", "Value": value}


def n(value: str) -> dict[str, str]:
    return {"Type": "Number", "Value": value}


def arr(*values: Any) -> dict[str, str]:
    return {"Type": "String.Array", "Value": json.dumps(list(values))}


# (id, policy, message attributes, expected)
ATTRIBUTE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    (
        "exact-rugby",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": s("rugby")},
        True,
    ),
    (
        "exact-tennis",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": s("tennis")},
        True,
    ),
    (
        "exact-array",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": arr("rugby", "tennis")},
        True,
    ),
    (
        "exact-baseball",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": s("baseball")},
        False,
    ),
    (
        "exact-array-baseball",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": arr("baseball")},
        False,
    ),
    (
        "exact-case-sensitive",
        {"customer_interests": ["rugby"]},
        {"customer_interests": s("Rugby")},
        False,
    ),
    (
        "anything-but-baseball",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": s("baseball")},
        True,
    ),
    (
        "anything-but-football",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": s("football")},
        True,
    ),
    (
        "anything-but-array-mixed",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": arr("rugby", "baseball")},
        True,
    ),
    (
        "anything-but-rugby",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": s("rugby")},
        False,
    ),
    (
        "anything-but-absent",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"store": s("example_corp")},
        False,
    ),
    (
        "anything-but-or-absent",
        {"customer_interests": [{"anything-but": ["rugby"]}, {"exists": False}]},
        {"store": s("example_corp")},
        True,
    ),
    (
        "anything-but-prefix-baseball",
        {"customer_interests": [{"anything-but": {"prefix": "rug"}}]},
        {"customer_interests": s("baseball")},
        True,
    ),
    (
        "anything-but-prefix-tennis",
        {"customer_interests": [{"anything-but": {"prefix": "rug"}}]},
        {"customer_interests": s("tennis")},
        True,
    ),
    (
        "anything-but-prefix-rugby",
        {"customer_interests": [{"anything-but": {"prefix": "rug"}}]},
        {"customer_interests": s("rugby")},
        False,
    ),
    (
        "anything-but-suffix",
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": s("rugby")},
        True,
    ),
    (
        "anything-but-suffix-ball",
        {"customer_interests": [{"anything-but": {"suffix": "ball"}}]},
        {"customer_interests": s("baseball")},
        False,
    ),
    (
        "prefix-baseball",
        {"customer_interests": [{"prefix": "bas"}]},
        {"customer_interests": s("baseball")},
        True,
    ),
    (
        "prefix-basketball",
        {"customer_interests": [{"prefix": "bas"}]},
        {"customer_interests": s("basketball")},
        True,
    ),
    (
        "prefix-rugby",
        {"customer_interests": [{"prefix": "bas"}]},
        {"customer_interests": s("rugby")},
        False,
    ),
    (
        "suffix-baseball",
        {"customer_interests": [{"suffix": "ball"}]},
        {"customer_interests": s("baseball")},
        True,
    ),
    (
        "suffix-rugby",
        {"customer_interests": [{"suffix": "ball"}]},
        {"customer_interests": s("rugby")},
        False,
    ),
    (
        "ignore-case-TENNIS",
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": s("TENNIS")},
        True,
    ),
    (
        "ignore-case-Tennis",
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": s("Tennis")},
        True,
    ),
    (
        "ignore-case-rugby",
        {"customer_interests": [{"equals-ignore-case": "tennis"}]},
        {"customer_interests": s("rugby")},
        False,
    ),
    ("numeric-equals", {"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": n("301.5")}, True),
    (
        "numeric-equals-exponent",
        {"price_usd": [{"numeric": ["=", 301.5]}]},
        {"price_usd": n("3.015e2")},
        True,
    ),
    (
        "numeric-equals-string-type",
        {"price_usd": [{"numeric": ["=", 301.5]}]},
        {"price_usd": s("301.5")},
        False,
    ),
    (
        "numeric-anything-but-101",
        {"price": [{"anything-but": [100, 500]}]},
        {"price": n("101")},
        True,
    ),
    (
        "numeric-anything-but-100.1",
        {"price": [{"anything-but": [100, 500]}]},
        {"price": n("100.1")},
        True,
    ),
    (
        "numeric-anything-but-array",
        {"price": [{"anything-but": [100, 500]}]},
        {"price": {"Type": "Number.Array", "Value": "[100, 50]"}},
        True,
    ),
    (
        "numeric-anything-but-100",
        {"price": [{"anything-but": [100, 500]}]},
        {"price": n("100")},
        False,
    ),
    ("numeric-negative", {"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": n("-1")}, True),
    ("numeric-negative-zero", {"price_usd": [{"numeric": ["<", 0]}]}, {"price_usd": n("0")}, False),
    (
        "numeric-range-150",
        {"price_usd": [{"numeric": [">", 0, "<=", 150]}]},
        {"price_usd": n("150")},
        True,
    ),
    (
        "numeric-range-0",
        {"price_usd": [{"numeric": [">", 0, "<=", 150]}]},
        {"price_usd": n("0")},
        False,
    ),
    (
        "numeric-range-151",
        {"price_usd": [{"numeric": [">", 0, "<=", 150]}]},
        {"price_usd": n("150.5")},
        False,
    ),
    (
        "exists-true",
        {"store": [{"exists": True}]},
        {"store": s("fans"), "customer_interests": arr("baseball", "basketball")},
        True,
    ),
    (
        "exists-true-missing",
        {"store": [{"exists": True}]},
        {"customer_interests": arr("baseball", "basketball")},
        False,
    ),
    (
        "exists-false-present",
        {"store": [{"exists": False}]},
        {"store": s("fans"), "customer_interests": arr("baseball", "basketball")},
        False,
    ),
    (
        "exists-false-missing",
        {"store": [{"exists": False}]},
        {"customer_interests": arr("baseball", "basketball")},
        True,
    ),
    ("exists-false-no-attributes", {"store": [{"exists": False}]}, {}, False),
    (
        "and-both",
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": s("rugby"), "price_usd": n("101")},
        True,
    ),
    (
        "and-one",
        {"customer_interests": ["rugby"], "price_usd": [{"numeric": [">", 100]}]},
        {"customer_interests": s("rugby"), "price_usd": n("100")},
        False,
    ),
    (
        "or-values",
        {"customer_interests": ["rugby", "football", "baseball"]},
        {"customer_interests": s("football")},
        True,
    ),
    (
        "or-operator-metric",
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": s("aws.cloudwatch"), "metricName": s("CPUUtilization")},
        True,
    ),
    (
        "or-operator-namespace",
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": s("aws.cloudwatch"), "namespace": s("AWS/EC2")},
        True,
    ),
    (
        "or-operator-neither",
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": s("aws.cloudwatch"), "metricName": s("DiskReadOps")},
        False,
    ),
    (
        "or-operator-wrong-source",
        {
            "source": ["aws.cloudwatch"],
            "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        },
        {"source": s("aws.ec2"), "namespace": s("AWS/EC2")},
        False,
    ),
    ("cidr-in", {"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": s("10.0.0.0")}, True),
    ("cidr-top", {"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": s("10.0.0.255")}, True),
    ("cidr-out", {"source_ip": [{"cidr": "10.0.0.0/24"}]}, {"source_ip": s("10.1.1.0")}, False),
    (
        "cidr-not-an-ip",
        {"source_ip": [{"cidr": "10.0.0.0/24"}]},
        {"source_ip": s("example.com")},
        False,
    ),
    ("binary-ignored", {"blob": ["abc"]}, {"blob": {"Type": "Binary", "Value": "abc"}}, False),
    ("unlisted-attributes-ignored", {"store": ["a"]}, {"store": s("a"), "other": s("x")}, True),
    ("empty-policy", {}, {"anything": s("x")}, True),
]


@pytest.mark.parametrize(
    ("policy", "attributes", "expected"),
    [pytest.param(p, a, e, id=i) for i, p, a, e in ATTRIBUTE_CASES],
)
def test_attribute_policy(
    policy: dict[str, Any], attributes: dict[str, Any], expected: bool
) -> None:
    assert FilterPolicy.compile(json.dumps(policy)).matches_attributes(attributes) is expected


# (id, policy, message body, expected): the payload-based examples.
BODY_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    (
        "body-exact",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": "rugby"},
        True,
    ),
    (
        "body-exact-miss",
        {"customer_interests": ["rugby", "tennis"]},
        {"customer_interests": "baseball"},
        False,
    ),
    (
        "body-anything-but-array",
        {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]},
        {"customer_interests": ["rugby", "baseball"]},
        True,
    ),
    ("body-numeric", {"price_usd": [{"numeric": ["=", 301.5]}]}, {"price_usd": 3.015e2}, True),
    ("body-numeric-array", {"price": [{"anything-but": [100, 500]}]}, {"price": [100, 50]}, True),
    ("body-numeric-miss", {"price": [{"anything-but": [100, 500]}]}, {"price": 100}, False),
    (
        "body-exists",
        {"store": [{"exists": True}]},
        {"store": "fans", "customer_interests": ["baseball", "basketball"]},
        True,
    ),
    (
        "body-exists-missing",
        {"store": [{"exists": True}]},
        {"customer_interests": ["baseball", "basketball"]},
        False,
    ),
    ("body-exists-null", {"store": [{"exists": True}]}, {"store": None}, False),
    (
        "body-nested",
        {"store": {"location": ["NY"]}},
        {"store": {"location": "NY", "size": 3}},
        True,
    ),
    ("body-nested-miss", {"store": {"location": ["NY"]}}, {"store": {"location": "LA"}}, False),
    ("body-nested-deep", {"a": {"b": {"c": [{"prefix": "x"}]}}}, {"a": {"b": {"c": "xyz"}}}, True),
    ("body-dotted-key", {"store": {"location": ["NY"]}}, {"store.location": "NY"}, True),
    ("body-object-is-not-a-leaf", {"store": ["NY"]}, {"store": {"location": "NY"}}, False),
]


@pytest.mark.parametrize(
    ("policy", "body", "expected"),
    [pytest.param(p, b, e, id=i) for i, p, b, e in BODY_CASES],
)
def test_body_policy(policy: dict[str, Any], body: dict[str, Any], expected: bool) -> None:
    assert FilterPolicy.compile(policy, scope="MessageBody").matches_body(body) is expected


# (id, policy, scope, AWS's message)
INVALID: list[tuple[str, Any, str, str]] = [
    (
        "six-keys",
        {f"k{i}": ["v"] for i in range(6)},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
    ),
    (
        "151-combinations",
        {"store": [str(i) for i in range(151)]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    ),
    (
        "product-over-150",
        {"a": [str(i) for i in range(13)], "b": [str(i) for i in range(12)]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
    ),
    (
        "nested-attributes",
        {"store": {"location": ["NY"]}},
        "MessageAttributes",
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
    ),
    (
        "array-in-array",
        {"store": [["example_corp"]]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null",
    ),
    (
        "not-an-array",
        {"store": "example_corp"},
        "MessageAttributes",
        'Invalid parameter: FilterPolicy: "store" must be an object or an array',
    ),
    (
        "no-wildcard-in-sns",
        {"store": [{"wildcard": "a*"}]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Unrecognized match type wildcard",
    ),
    (
        "exists-not-bool",
        {"store": [{"exists": "yes"}]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: exists match pattern must be either true or false.",
    ),
    (
        "prefix-not-string",
        {"store": [{"prefix": 5}]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: prefix match pattern must be a string",
    ),
    (
        "numeric-not-array",
        {"price": [{"numeric": 5}]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Value of numeric must be an array.",
    ),
    (
        "numeric-empty",
        {"price": [{"numeric": []}]},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]",
    ),
    (
        "empty-array",
        {"store": []},
        "MessageAttributes",
        "Invalid parameter: FilterPolicy: Empty arrays are not allowed",
    ),
    (
        "bad-scope",
        {"store": ["a"]},
        "Body",
        "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes",
    ),
]


@pytest.mark.parametrize(
    ("policy", "scope", "message"), [pytest.param(p, sc, m, id=i) for i, p, sc, m in INVALID]
)
def test_invalid_policy(policy: Any, scope: str, message: str) -> None:
    with pytest.raises(InvalidPattern) as refused:
        FilterPolicy.compile(json.dumps(policy), scope=scope)
    assert refused.value.message == message


def test_combinations_count_nesting_depth_as_the_guide_does() -> None:
    # The guide's example: 4 values three levels down, 3 values two levels down:
    # 3 x 4 x 2 x 3 = 72, accepted; one more value at each end goes past 150.
    policy = {
        "key_a": {"key_b": {"key_c": ["1", "2", "3", "4"]}},
        "key_d": {"key_e": ["1", "2", "3"]},
    }
    FilterPolicy.compile(policy, scope="MessageBody")
    bigger = {
        "key_a": {"key_b": {"key_c": [str(i) for i in range(7)]}},
        "key_d": {"key_e": ["1", "2", "3", "4"]},
    }
    with pytest.raises(InvalidPattern, match="too complex"):
        FilterPolicy.compile(bigger, scope="MessageBody")


def test_policy_over_256_kib_is_refused() -> None:
    policy = json.dumps({"store": ["x" * (256 * 1024)]})
    with pytest.raises(InvalidPattern) as refused:
        FilterPolicy.compile(policy)
    assert refused.value.message == "Invalid parameter: FilterPolicy: Filter policy is too long"


def test_or_with_reserved_keywords_is_a_plain_field_name() -> None:
    # The guide: this is not an OR relationship, "$or" is an ordinary attribute name.
    with pytest.raises(InvalidPattern, match="Value of numeric must be an array"):
        FilterPolicy.compile({"$or": [{"numeric": 123}, {"prefix": "abc"}]})
    policy = FilterPolicy.compile({"$or": ["x"]})
    assert policy.matches_attributes({"$or": s("x")})


def test_empty_text_policy_accepts_everything() -> None:
    assert FilterPolicy.compile("").matches_attributes({"a": s("b")})
    assert FilterPolicy.compile("{}", scope="MessageBody").matches_body({"a": 1})
