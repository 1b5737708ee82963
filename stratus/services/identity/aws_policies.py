"""AWS managed policies: attachable in every account without being created.

Real templates attach ``arn:aws:iam::aws:policy/...`` policies (Lambda's basic execution
role, AdministratorAccess) and never create them. AWS has over a thousand; the common
ones below have their real paths and documents, and any other ARN in the ``aws``
namespace is accepted as an AWS managed policy with an empty-looking document, so a
template written for AWS deploys unchanged (documented in docs/identity.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from stratus.services.identity.models import ManagedPolicy, PolicyVersion

__all__ = ["AWS_ACCOUNT", "aws_policy", "catalog"]

AWS_ACCOUNT = "aws"
_CREATED = 1423008000.0  # 2015-02-04: IAM's launch date of AWS managed policies
_ARN = re.compile(r"arn:aws:iam::aws:policy(/(?:[^/]+/)*)([\w+=,.@-]+)")


def _allow(actions: list[str] | str, resource: str | list[str] = "*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
        },
        indent=4,
    )


_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_KNOWN: dict[str, tuple[str, str]] = {
    # name: (path, document)
    "AdministratorAccess": ("/", _allow("*")),
    "PowerUserAccess": ("/", _allow("*")),
    "ReadOnlyAccess": ("/", _allow(["*:Get*", "*:List*", "*:Describe*"])),
    "IAMFullAccess": ("/", _allow("iam:*")),
    "AWSLambdaBasicExecutionRole": ("/service-role/", _allow(_LOGS)),
    "AWSLambdaExecute": ("/", _allow([*_LOGS, "s3:GetObject", "s3:PutObject"])),
    "AWSLambdaSQSQueueExecutionRole": (
        "/service-role/",
        _allow([*_LOGS, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]),
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        "/service-role/",
        _allow(
            [
                *_LOGS,
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ]
        ),
    ),
    "AWSLambdaVPCAccessExecutionRole": (
        "/service-role/",
        _allow([*_LOGS, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces"]),
    ),
    "AWSLambda_FullAccess": ("/", _allow(["lambda:*", "logs:*"])),
    "AWSLambdaRole": ("/service-role/", _allow("lambda:InvokeFunction")),
    "AmazonS3FullAccess": ("/", _allow(["s3:*"])),
    "AmazonS3ReadOnlyAccess": ("/", _allow(["s3:Get*", "s3:List*"])),
    "AmazonSQSFullAccess": ("/", _allow("sqs:*")),
    "AmazonSNSFullAccess": ("/", _allow("sns:*")),
    "AmazonDynamoDBFullAccess": ("/", _allow("dynamodb:*")),
    "AmazonEventBridgeFullAccess": ("/", _allow("events:*")),
    "AWSStepFunctionsFullAccess": ("/", _allow("states:*")),
    "CloudWatchLogsFullAccess": ("/", _allow("logs:*")),
    "AWSXrayWriteOnlyAccess": ("/", _allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])),
    "AmazonAPIGatewayPushToCloudWatchLogs": ("/service-role/", _allow(["logs:*"])),
}


def _stable_id(name: str) -> str:
    """``ANPA`` + 17 base32 characters, the same for a name in every account and run."""
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()
    return "ANPA" + digest[:17]


def _policy(name: str, path: str, document: str) -> ManagedPolicy:
    return ManagedPolicy(
        account=AWS_ACCOUNT,
        name=name,
        policy_id=_stable_id(name),
        path=path,
        created=_CREATED,
        updated=_CREATED,
        default_version="v1",
        versions=[PolicyVersion("v1", document, _CREATED)],
        next_version=2,
    )


_CATALOG = {f"arn:aws:iam::aws:policy{path}{name}": _policy(name, path, doc) for name, (path, doc) in _KNOWN.items()}  # fmt: skip


def catalog() -> list[ManagedPolicy]:
    """The AWS managed policies ListPolicies shows (Scope=AWS or All)."""
    return list(_CATALOG.values())


def aws_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy of ``arn``; ``None`` when the ARN is no AWS policy ARN."""
    known = _CATALOG.get(arn)
    if known is not None:
        return known
    match = _ARN.fullmatch(arn)
    if match is None:
        return None
    document = json.dumps({"Version": "2012-10-17", "Statement": []})
    return _policy(match.group(2), match.group(1), document)
