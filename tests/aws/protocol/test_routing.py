"""Requests reach the right service and operation, signed or not."""

from __future__ import annotations

from typing import Any

import pytest
from aws_wire import botocore_request

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.routing import ServiceRouter
from stratus.aws.protocol.sigv4 import parse_credential_scope

SERVICES = [
    "lambda",
    "sqs",
    "sns",
    "s3",
    "dynamodb",
    "dynamodbstreams",
    "events",
    "scheduler",
    "stepfunctions",
    "apigateway",
    "apigatewayv2",
    "cloudformation",
    "logs",
]

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("lambda", "Invoke", {"FunctionName": "f"}),
    ("lambda", "ListFunctions", {}),
    ("lambda", "CreateFunction", {"FunctionName": "f", "Role": "r", "Code": {}}),
    ("sqs", "ListQueues", {}),
    ("sns", "ListTopics", {}),
    ("s3", "ListBuckets", {}),
    ("s3", "ListObjectsV2", {"Bucket": "b"}),
    ("s3", "ListObjects", {"Bucket": "b"}),
    ("s3", "GetObject", {"Bucket": "b", "Key": "deep/key/x.txt"}),
    ("s3", "CreateMultipartUpload", {"Bucket": "b", "Key": "k"}),
    ("s3", "UploadPart", {"Bucket": "b", "Key": "k", "UploadId": "u", "PartNumber": 1}),
    ("s3", "GetBucketVersioning", {"Bucket": "b"}),
    ("s3", "CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "a/b"}),
    ("dynamodb", "PutItem", {"TableName": "t", "Item": {}}),
    ("dynamodbstreams", "ListStreams", {}),
    ("events", "PutEvents", {"Entries": [{"Source": "s"}]}),
    ("scheduler", "ListSchedules", {}),
    ("stepfunctions", "ListStateMachines", {}),
    ("apigateway", "GetRestApis", {}),
    ("apigatewayv2", "GetApis", {}),
    ("cloudformation", "DescribeStacks", {}),
    ("logs", "DescribeLogGroups", {}),
]


@pytest.fixture(scope="module")
def router() -> ServiceRouter:
    return ServiceRouter(SERVICES)


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "unsigned"])
@pytest.mark.parametrize(
    ("service", "operation", "params"), CASES, ids=[f"{s}-{o}" for s, o, _ in CASES]
)
def test_route(
    router: ServiceRouter, signed: bool, service: str, operation: str, params: dict[str, Any]
) -> None:
    request = botocore_request(service, operation, params, signing_name=None if signed else False)
    if service == "s3" and operation == "GetObject" and not signed:
        request.query_string = ""  # other SDKs do not send botocore's ``x-id`` hint
    match = router.route(request, parse_credential_scope(request))
    assert match is not None
    assert (match.service.name, match.operation and match.operation.name) == (service, operation)


def test_a_remembered_outcome_is_the_same_and_headers_still_decide(router: ServiceRouter) -> None:
    """Outcomes are remembered per method, path and query (``RestRouteTable``): a second
    call routes alike, labels are the path's own, and a header some rule requires still
    tells S3's CopyObject from PutObject on the same path, in either order."""
    for name in ("first", "second", "first"):
        request = botocore_request("lambda", "Invoke", {"FunctionName": name})
        match = router.route(request, parse_credential_scope(request))
        assert match is not None and match.operation is not None
        assert (match.operation.name, dict(match.uri_params)) == (
            "Invoke",
            {"FunctionName": name},
        )
    copy = {"Bucket": "b", "Key": "same", "CopySource": "a/b"}
    for operation, params in [("PutObject", {"Bucket": "b", "Key": "same"}), ("CopyObject", copy)]:
        for _ in range(2):
            request = botocore_request("s3", operation, params)
            request.query_string = ""  # the same path and query for both
            match = router.route(request, parse_credential_scope(request))
            assert match is not None and match.operation is not None
            assert match.operation.name == operation


def test_a_long_path_routes_without_being_remembered(router: ServiceRouter) -> None:
    key = "k" * 2000
    request = botocore_request("s3", "GetObject", {"Bucket": "b", "Key": key})
    match = router.route(request, parse_credential_scope(request))
    assert match is not None and match.operation is not None
    assert (match.operation.name, match.uri_params["Key"]) == ("GetObject", key)


def test_region_and_key_from_presigned_url() -> None:
    request = HttpRequest(
        "GET",
        "/b/k",
        "X-Amz-Credential=AKID%2F20240101%2Fap-south-1%2Fs3%2Faws4_request&X-Amz-Signature=00",
        {},
        b"",
    )
    scope = parse_credential_scope(request)
    assert scope is not None
    assert (scope.access_key, scope.region, scope.service) == ("AKID", "ap-south-1", "s3")


def test_unknown_target_is_unknown_operation(router: ServiceRouter) -> None:
    request = HttpRequest("POST", "/", "", {"x-amz-target": "AmazonSQS.Nope"}, b"{}")
    match = router.route(request, None)
    assert match is not None and match.service.name == "sqs"
    assert match.operation is None and match.operation_name == "Nope"


def test_signed_for_service_not_served_is_not_ours(router: ServiceRouter) -> None:
    request = HttpRequest(
        "POST",
        "/",
        "",
        {
            "authorization": (
                "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-1/kms/aws4_request, Signature=0"
            )
        },
        b"",
    )
    assert router.route(request, parse_credential_scope(request)) is None


def test_sqs_query_form() -> None:
    """The query form from the SQS API reference's SendMessageBatch example."""
    from stratus.aws.protocol.parsers import create_parser
    from stratus.aws.protocol.serializers import create_serializer

    body = (
        b"Action=SendMessageBatch&QueueUrl=https%3A%2F%2Fsqs.us-east-2.amazonaws.com%2F1%2Fq"
        b"&SendMessageBatchRequestEntry.1.Id=test_msg_001"
        b"&SendMessageBatchRequestEntry.1.MessageBody=test%20message%20body%201"
        b"&SendMessageBatchRequestEntry.2.Id=test_msg_002"
        b"&SendMessageBatchRequestEntry.2.MessageBody=test%20message%20body%202"
        b"&SendMessageBatchRequestEntry.2.DelaySeconds=60"
        b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=test_attribute_name_1"
        b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=test_value_1"
        b"&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=String"
        b"&Version=2012-11-05"
    )
    request = HttpRequest(
        "POST",
        "/",
        "",
        {
            "content-type": "application/x-www-form-urlencoded",
            "authorization": "AWS4-HMAC-SHA256 Credential=A/20240101/us-east-2/sqs/aws4_request",
        },
        body,
    )
    router = ServiceRouter(["sqs"])
    match = router.route(request, parse_credential_scope(request))
    assert match is not None and match.protocol == "query"
    params = create_parser(match.service, "query").parse(request, match)
    assert params == {
        "QueueUrl": "https://sqs.us-east-2.amazonaws.com/1/q",
        "Entries": [
            {"Id": "test_msg_001", "MessageBody": "test message body 1"},
            {
                "Id": "test_msg_002",
                "MessageBody": "test message body 2",
                "DelaySeconds": 60,
                "MessageAttributes": {
                    "test_attribute_name_1": {"StringValue": "test_value_1", "DataType": "String"}
                },
            },
        ],
    }
    assert match.operation is not None
    response = create_serializer(match.service, "query").serialize_response(
        match.operation,
        {"Successful": [{"Id": "test_msg_001", "MessageId": "m", "MD5OfMessageBody": "x"}]},
        "rid",
    )
    assert (
        b"<SendMessageBatchResult><SendMessageBatchResultEntry><Id>test_msg_001</Id>"
        in response.body
    )
