"""Our responses and errors, read by botocore's own parsers, give back what we wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aws_wire import botocore_parse, botocore_parse_error

from stratus.aws.protocol.errors import CommonServiceError, ServiceError
from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.serializers import create_serializer

WHEN = dt.datetime(2024, 5, 17, 10, 30, 12, tzinfo=dt.UTC)

OUTPUTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "lambda",
        "Invoke",
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "LogResult": "bG9n",
            "ExecutedVersion": "$LATEST",
            "Payload": b'{"errorMessage": "boom"}',
        },
    ),
    (
        "lambda",
        "GetFunction",
        {
            "Configuration": {
                "FunctionName": "f",
                "Runtime": "python3.12",
                "MemorySize": 128,
                "Environment": {"Variables": {"A": "1"}},
                "Architectures": ["x86_64"],
            },
            "Code": {"RepositoryType": "S3", "Location": "http://x"},
            "Tags": {"a": "b"},
        },
    ),
    (
        "lambda",
        "ListFunctions",
        {"Functions": [{"FunctionName": "a"}, {"FunctionName": "b"}], "NextMarker": "m"},
    ),
    (
        "sqs",
        "SendMessageBatch",
        {
            "Successful": [{"Id": "1", "MessageId": "m1", "MD5OfMessageBody": "abc"}],
            "Failed": [{"Id": "2", "SenderFault": True, "Code": "X", "Message": "bad"}],
        },
    ),
    (
        "sqs",
        "ReceiveMessage",
        {
            "Messages": [
                {
                    "MessageId": "m",
                    "ReceiptHandle": "r",
                    "Body": "b",
                    "Attributes": {"SenderId": "s"},
                    "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": b"\x00"}},
                }
            ]
        },
    ),
    ("sns", "Publish", {"MessageId": "123", "SequenceNumber": "1"}),
    (
        "sns",
        "ListTopics",
        {"Topics": [{"TopicArn": "arn:1"}, {"TopicArn": "arn:2"}], "NextToken": "n"},
    ),
    ("sns", "GetTopicAttributes", {"Attributes": {"Policy": "{}", "Owner": "0"}}),
    (
        "s3",
        "GetObject",
        {
            "Body": b"hello",
            "ContentLength": 5,
            "ContentType": "text/plain",
            "ETag": '"abc"',
            "LastModified": WHEN,
            "Metadata": {"owner": "me"},
        },
    ),
    (
        "s3",
        "ListObjectsV2",
        {
            "Name": "b",
            "Prefix": "p/",
            "KeyCount": 2,
            "MaxKeys": 1000,
            "IsTruncated": False,
            "Contents": [
                {"Key": "p/a b", "Size": 3, "LastModified": WHEN, "ETag": "e"},
                {"Key": "p/c", "Size": 4, "LastModified": WHEN, "ETag": "f"},
            ],
        },
    ),
    ("s3", "PutObject", {"ETag": '"e"', "VersionId": "v1"}),
    ("s3", "GetBucketTagging", {"TagSet": [{"Key": "k", "Value": "v"}]}),
    (
        "dynamodb",
        "Query",
        {
            "Items": [{"pk": {"S": "a"}, "b": {"B": b"\x01"}}],
            "Count": 1,
            "ScannedCount": 1,
            "LastEvaluatedKey": {"pk": {"S": "a"}},
        },
    ),
    ("stepfunctions", "StartExecution", {"executionArn": "arn:e", "startDate": WHEN}),
    ("events", "PutEvents", {"FailedEntryCount": 0, "Entries": [{"EventId": "1"}]}),
    ("cloudformation", "CreateStack", {"StackId": "arn:stack"}),
    (
        "cloudformation",
        "DescribeStacks",
        {
            "Stacks": [
                {
                    "StackName": "s",
                    "StackId": "i",
                    "CreationTime": WHEN,
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": "k", "OutputValue": "v"}],
                    "Tags": [{"Key": "a", "Value": "b"}],
                }
            ]
        },
    ),
    (
        "apigatewayv2",
        "CreateApi",
        {"ApiId": "a", "Name": "n", "ProtocolType": "HTTP", "CreatedDate": WHEN},
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "output"), OUTPUTS, ids=[f"{s}-{o}" for s, o, _ in OUTPUTS]
)
def test_botocore_reads_our_output(service: str, operation: str, output: dict[str, Any]) -> None:
    spec = load_service(service)
    response = create_serializer(spec).serialize_response(
        spec.model.operation_model(operation), output, "req-1"
    )
    parsed = botocore_parse(service, operation, response)
    for key in ("Body", "Payload"):  # outside an HTTP client botocore decodes raw payloads
        if isinstance(parsed.get(key), str):
            parsed[key] = parsed[key].encode()
    assert parsed == output


def test_request_id_header_per_protocol() -> None:
    s3 = load_service("s3")
    response = create_serializer(s3).serialize_response(
        s3.model.operation_model("PutObject"), {}, "rid"
    )
    assert ("x-amz-request-id", "rid") in response.headers
    response = create_serializer(s3).serialize_response(
        s3.model.operation_model("DeleteObject"), None, "rid"
    )
    assert response.status == 204 and response.body == b""
    lam = load_service("lambda")
    response = create_serializer(lam).serialize_response(
        lam.model.operation_model("CreateFunction"), {"FunctionName": "f"}, "rid"
    )
    assert response.status == 201
    assert ("x-amzn-RequestId", "rid") in response.headers


ERRORS: list[tuple[str, str, ServiceError, str, int]] = [
    (
        "lambda",
        "GetFunction",
        ServiceError("Function not found: f", code="ResourceNotFoundException"),
        "ResourceNotFoundException",
        404,
    ),
    (
        "lambda",
        "Invoke",
        CommonServiceError("TooManyRequestsException", "Rate exceeded", status_code=429),
        "TooManyRequestsException",
        429,
    ),
    (
        "dynamodb",
        "PutItem",
        ServiceError("Requested resource not found", code="ResourceNotFoundException"),
        "ResourceNotFoundException",
        400,
    ),
    (
        "sqs",
        "SendMessage",
        ServiceError("The specified queue does not exist.", code="QueueDoesNotExist"),
        "AWS.SimpleQueueService.NonExistentQueue",
        400,
    ),
    (
        "sns",
        "Publish",
        ServiceError("Topic does not exist", code="NotFoundException"),
        "NotFound",
        404,
    ),
    (
        "cloudformation",
        "CreateStack",
        CommonServiceError("ValidationError", "bad template"),
        "ValidationError",
        400,
    ),
    (
        "s3",
        "GetObject",
        ServiceError(
            "The specified key does not exist.",
            code="NoSuchKey",
            status_code=404,
            fields={"Key": "a/b"},
        ),
        "NoSuchKey",
        404,
    ),
    (
        "stepfunctions",
        "StartExecution",
        ServiceError("exists", code="ExecutionAlreadyExists"),
        "ExecutionAlreadyExists",
        400,
    ),
    (
        "events",
        "PutEvents",
        ServiceError("boom", code="InternalException", status_code=500),
        "InternalException",
        500,
    ),
]


@pytest.mark.parametrize(
    ("service", "operation", "error", "code", "status"),
    ERRORS,
    ids=[f"{s}-{c}" for s, _, _, c, _ in ERRORS],
)
def test_botocore_reads_our_errors(
    service: str, operation: str, error: ServiceError, code: str, status: int
) -> None:
    spec = load_service(service)
    response = create_serializer(spec).serialize_error(
        error, spec.model.operation_model(operation), "req-9"
    )
    assert response.status == status
    parsed = botocore_parse_error(service, operation, response)
    got = parsed["Error"].get("QueryErrorCode", parsed["Error"]["Code"])
    assert got == code
    assert parsed["Error"]["Message"] == error.message
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_lambda_error_carries_type_and_message_as_modeled() -> None:
    spec = load_service("lambda")
    response = create_serializer(spec).serialize_error(
        ServiceError("Function not found: x", code="ResourceNotFoundException"), None, "r"
    )
    assert response.body == b'{"Type":"User","Message":"Function not found: x"}'
    assert ("x-amzn-ErrorType", "ResourceNotFoundException") in response.headers


def test_s3_error_body_and_head_without_body() -> None:
    spec = load_service("s3")
    serializer = create_serializer(spec)
    error = ServiceError("nope", code="NoSuchKey", status_code=404, fields={"Key": "k"})
    body = serializer.serialize_error(error, spec.model.operation_model("GetObject"), "r").body
    assert b"<Error><Code>NoSuchKey</Code><Message>nope</Message><Key>k</Key>" in body
    head = serializer.serialize_error(error, spec.model.operation_model("HeadObject"), "r")
    assert head.status == 404 and head.body == b""


def test_s3_list_root_element_and_namespace() -> None:
    spec = load_service("s3")
    body = (
        create_serializer(spec)
        .serialize_response(
            spec.model.operation_model("ListObjectsV2"), {"Name": "b", "KeyCount": 0}, "r"
        )
        .body
    )
    assert b'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' in body
