"""The policy grammar accepts what IAM accepts: real-world documents must pass.

Rejections are tested against the server (tests/aws/iam/test_policies.py); here the other
half: documents that deploy on AWS, from AWS's documentation examples and from the SAM
templates of ``../shared/conformance``, must never be refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from stratus.services.identity.errors import MalformedPolicy
from stratus.services.identity.policy import PolicyKind, parse_policy
from tests.conftest import CONFORMANCE

VALID_IDENTITY = [
    ("admin", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    ("statement-object-with-id", {"Version": "2012-10-17", "Id": "x", "Statement": {
        "Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": "arn:aws:logs:*:*:*"}}),
    ("not-action-not-resource", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::bucket/*"}]}),
    ("conditions", {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::bucket/*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]},
                      "Bool": {"aws:SecureTransport": "true"},
                      "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                      "NumericLessThanEquals": {"s3:max-keys": 10},
                      "ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]},
                      "StringLikeIfExists": {"aws:userid": "AIDA*"}}}]}),
    ("dynamodb-and-iam-resources", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*",
         "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Books/index/*"},
        {"Effect": "Allow", "Action": "iam:PassRole",
         "Resource": "arn:aws:iam::123456789012:role/service-role/*"}]}),
]  # fmt: skip

VALID_TRUST = [
    ("service", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
        "Action": "sts:AssumeRole"}]}),
    ("account", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "123456789012"}, "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {"StringEquals": {"sts:ExternalId": "x"}}}]}),
    ("github-oidc", {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}}}]}),
    ("everyone-2008", {"Version": "2008-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "sts:AssumeRole"}]}),
    ("role-and-root", {"Statement": [{"Effect": "Allow", "Principal": {"AWS": [
        "arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:role/path/r"]},
        "Action": "sts:AssumeRole"}]}),
]  # fmt: skip


@pytest.mark.parametrize(
    "document", [d for _, d in VALID_IDENTITY], ids=[n for n, _ in VALID_IDENTITY]
)
def test_identity_policies_iam_accepts(document: dict[str, Any]) -> None:
    parse_policy(json.dumps(document), PolicyKind.MANAGED)


@pytest.mark.parametrize("document", [d for _, d in VALID_TRUST], ids=[n for n, _ in VALID_TRUST])
def test_trust_policies_iam_accepts(document: dict[str, Any]) -> None:
    parse_policy(json.dumps(document), PolicyKind.TRUST)


# -- the SAM templates of the conformance material ------------------------------------------

_PLACEHOLDER_ARN = "arn:aws:sqs:us-east-1:123456789012:placeholder"


def _templates() -> list[Path]:
    root = CONFORMANCE / "sam"
    return sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]) if root.is_dir() else []


def _resolve(value: Any) -> Any:
    """Intrinsic functions (``!Sub``, ``Fn::GetAtt``...) become a placeholder ARN: they
    produce ARNs or names at deploy time, which the grammar treats alike."""
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)).startswith("Fn::") or "Ref" in value):
            return _PLACEHOLDER_ARN
        return {k: _resolve(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, date):  # YAML reads an unquoted Version as a date; CFN as text
        return value.isoformat()
    return value


def _documents(template: Any) -> Iterator[tuple[str, PolicyKind, Any]]:
    resources = template.get("Resources") if isinstance(template, dict) else None
    for name, resource in (resources or {}).items():
        if not isinstance(resource, dict):
            continue
        props = resource.get("Properties") or {}
        kind = resource.get("Type")
        if kind == "AWS::IAM::Role":
            if "AssumeRolePolicyDocument" in props:
                yield f"{name}.trust", PolicyKind.TRUST, props["AssumeRolePolicyDocument"]
            for policy in props.get("Policies") or []:
                yield (
                    f"{name}.{policy.get('PolicyName')}",
                    PolicyKind.INLINE,
                    policy.get("PolicyDocument"),
                )
        elif kind == "AWS::IAM::Policy":  # an inline policy of roles, users or groups
            yield name, PolicyKind.INLINE, props.get("PolicyDocument")
        elif kind == "AWS::IAM::ManagedPolicy":
            yield name, PolicyKind.MANAGED, props.get("PolicyDocument")


def test_sam_templates_policies_are_accepted() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the SAM templates")
    templates = _templates()
    if not templates:
        pytest.skip(f"conformance material not found at {CONFORMANCE}")

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader: Any, suffix: str, node: Any) -> str:
        return _PLACEHOLDER_ARN

    Loader.add_multi_constructor("!", tagged)
    checked = 0
    for path in templates:
        template = yaml.load(path.read_text(), Loader=Loader)
        for name, kind, document in _documents(template):
            if not isinstance(document, dict):
                continue
            try:
                parse_policy(json.dumps(_resolve(document)), kind)
            except MalformedPolicy as error:
                pytest.fail(f"{path.relative_to(CONFORMANCE)} {name}: {error.message}")
            checked += 1
    assert checked > 0, "no IAM policies found in the SAM templates"
