"""Requests written by botocore's serializer parse back to the same parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aws_wire import botocore_request

from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.parsers import create_parser
from stratus.aws.protocol.routing import ServiceRouter
from stratus.aws.protocol.sigv4 import parse_credential_scope

UTC = dt.UTC
WHEN = dt.datetime(2024, 5, 17, 10, 30, 12, tzinfo=UTC)

CASES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "lambda",
        "CreateFunction",
        {
            "FunctionName": "hello",
            "Runtime": "python3.12",
            "Role": "arn:aws:iam::000000000000:role/r",
            "Handler": "app.handler",
            "Code": {"ZipFile": b"PK\x03\x04 zip bytes"},
            "Timeout": 30,
            "MemorySize": 256,
            "Publish": True,
            "Environment": {"Variables": {"A": "1", "B": "two"}},
            "Tags": {"team": "core"},
            "Architectures": ["arm64"],
        },
    ),
    (
        "lambda",
        "Invoke",
        {
            "FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:hello",
            "InvocationType": "RequestResponse",
            "LogType": "Tail",
            "Payload": b'{"key": "value"}',
            "Qualifier": "$LATEST",
        },
    ),
    ("lambda", "ListFunctions", {"MaxItems": 10, "Marker": "abc"}),
    ("lambda", "GetFunction", {"FunctionName": "hello", "Qualifier": "3"}),
    (
        "sqs",
        "SendMessageBatch",
        {
            "QueueUrl": "http://localhost/000000000000/q",
            "Entries": [
                {
                    "Id": "1",
                    "MessageBody": "hi",
                    "DelaySeconds": 2,
                    "MessageAttributes": {
                        "n": {"DataType": "Number", "StringValue": "1"},
                        "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                    },
                },
                {"Id": "2", "MessageBody": "there"},
            ],
        },
    ),
    (
        "sns",
        "Publish",
        {
            "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
            "Message": "hello",
            "Subject": "s",
            "MessageAttributes": {
                "color": {"DataType": "String", "StringValue": "red"},
                "bin": {"DataType": "Binary", "BinaryValue": b"\xff\x00"},
            },
        },
    ),
    (
        "s3",
        "PutObject",
        {
            "Bucket": "my-bucket",
            "Key": "dir/sub dir/ünï+code.txt",
            "Body": b"hello world",
            "ContentType": "text/plain",
            "Metadata": {"owner": "me", "purpose": "test"},
            "Expires": WHEN,
            "StorageClass": "STANDARD",
        },
    ),
    (
        "s3",
        "ListObjectsV2",
        {"Bucket": "my-bucket", "Prefix": "dir/", "MaxKeys": 5, "ContinuationToken": "tok"},
    ),
    (
        "s3",
        "GetObject",
        {"Bucket": "my-bucket", "Key": "a/b/c.txt", "Range": "bytes=0-9", "IfModifiedSince": WHEN},
    ),
    (
        "s3",
        "PutBucketTagging",
        {
            "Bucket": "b",
            "Tagging": {"TagSet": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}]},
        },
    ),
    (
        "s3",
        "DeleteObjects",
        {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y/z"}], "Quiet": True}},
    ),
    (
        "dynamodb",
        "PutItem",
        {
            "TableName": "t",
            "Item": {
                "pk": {"S": "a"},
                "n": {"N": "1"},
                "b": {"B": b"\x01"},
                "m": {"M": {"l": {"L": [{"S": "x"}, {"NULL": True}]}}},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        },
    ),
    (
        "dynamodb",
        "Query",
        {
            "TableName": "t",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}},
            "Limit": 3,
            "ScanIndexForward": False,
        },
    ),
    (
        "stepfunctions",
        "StartExecution",
        {
            "stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:m",
            "name": "run-1",
            "input": '{"a": 1}',
        },
    ),
    (
        "events",
        "PutEvents",
        {
            "Entries": [
                {
                    "Source": "my.app",
                    "DetailType": "thing",
                    "Detail": '{"x": 1}',
                    "Time": WHEN,
                    "Resources": ["arn:1"],
                },
            ]
        },
    ),
    (
        "cloudformation",
        "CreateStack",
        {
            "StackName": "s",
            "TemplateBody": "{}",
            "Parameters": [{"ParameterKey": "A", "ParameterValue": "1"}],
            "Capabilities": ["CAPABILITY_IAM"],
            "Tags": [{"Key": "k", "Value": "v"}],
            "TimeoutInMinutes": 5,
        },
    ),
    (
        "apigatewayv2",
        "CreateApi",
        {
            "Name": "api",
            "ProtocolType": "HTTP",
            "CorsConfiguration": {"AllowOrigins": ["*"], "MaxAge": 5},
        },
    ),
    ("apigateway", "GetResources", {"restApiId": "abc", "limit": 5, "embed": ["methods"]}),
    (
        "scheduler",
        "CreateSchedule",
        {
            "Name": "s",
            "ScheduleExpression": "rate(1 minute)",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:lambda:us-east-1:000000000000:function:f", "RoleArn": "r"},
            "StartDate": WHEN,
        },
    ),
    ("dynamodbstreams", "GetRecords", {"ShardIterator": "it", "Limit": 10}),
]


@pytest.mark.parametrize(
    ("service", "operation", "params"), CASES, ids=[f"{s}-{o}" for s, o, _ in CASES]
)
def test_botocore_request_parses_back(service: str, operation: str, params: dict[str, Any]) -> None:
    request = botocore_request(service, operation, params)
    router = ServiceRouter([service])
    match = router.route(request, parse_credential_scope(request))
    assert match is not None and match.operation is not None
    assert match.operation.name == operation
    parsed = create_parser(load_service(service), match.protocol).parse(request, match)
    if "ContentLength" in parsed and "ContentLength" not in params:
        # the Content-Length header botocore's HTTP layer adds binds to this member
        assert parsed.pop("ContentLength") == len(request.body)
    assert parsed == params


@pytest.mark.parametrize("value", ["1e400", "-1e300", "nan", "inf", 1e400, -1e300])
def test_timestamps_no_date_has_are_value_errors(value: object) -> None:
    """Found by the control port's fuzzing: ``StartedAfter=1e400`` was a server error."""
    from stratus.aws.protocol.parsers.base import parse_timestamp

    with pytest.raises(ValueError):
        parse_timestamp(value)  # type: ignore[arg-type]
