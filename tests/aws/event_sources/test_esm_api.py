"""Event source mapping operations that need no queue: unknown UUIDs, sources Stratus
does not serve (answered as Lambda answers for a resource that does not exist), and
a missing function. The SQS mappings themselves are in ``test_sqs_mappings.py``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error
from tests.conftest import create_function

HELLO = "def handler(event, context):\n    return None\n"
NOT_FOUND = "The resource you requested does not exist."


@pytest.fixture(scope="module")
def function_name(lambda_client: Any) -> str:
    return create_function(lambda_client, HELLO)


@pytest.mark.parametrize("operation", ["get_event_source_mapping", "delete_event_source_mapping"])
def test_unknown_uuid(lambda_client: Any, operation: str) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        getattr(lambda_client, operation)(UUID=str(uuid.uuid4()))
    assert_error(error, "ResourceNotFoundException", NOT_FOUND, 404)


def test_update_unknown_uuid(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.update_event_source_mapping(UUID=str(uuid.uuid4()), BatchSize=5)
    assert_error(error, "ResourceNotFoundException", NOT_FOUND, 404)


def test_list_with_no_mappings(lambda_client: Any, function_name: str) -> None:
    listed = lambda_client.list_event_source_mappings(FunctionName=function_name)
    assert listed["EventSourceMappings"] == []
    listed = lambda_client.list_event_source_mappings(
        EventSourceArn="arn:aws:sqs:us-east-1:000000000000:nothing-here"
    )
    assert listed["EventSourceMappings"] == []


_ACCOUNT = "000000000000"


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (
            f"arn:aws:dynamodb:us-east-1:{_ACCOUNT}:table/t/stream/2024-01-01T00:00:00.000",
            "Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
        ),
        (
            f"arn:aws:kinesis:us-east-1:{_ACCOUNT}:stream/s",
            "Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListShards Actions on your stream in IAM.",
        ),
        (
            f"arn:aws:kafka:us-east-1:{_ACCOUNT}:cluster/c/abc",
            "Cannot access cluster {arn}: the cluster does not exist.",
        ),
        (
            f"arn:aws:mq:us-east-1:{_ACCOUNT}:broker:b:b-1234",
            "Cannot access broker {arn}: the broker does not exist.",
        ),
        (
            f"arn:aws:sns:us-east-1:{_ACCOUNT}:topic",
            "Unrecognized event source, must be kinesis, dynamodb stream or sqs.",
        ),
    ],
    ids=["dynamodb-stream", "kinesis", "msk", "mq", "sns"],
)
def test_sources_that_do_not_exist(
    lambda_client: Any, function_name: str, arn: str, message: str
) -> None:
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function_name, StartingPosition="LATEST"
        )
    assert_error(error, "InvalidParameterValueException", message.format(arn=arn), 400)
    assert lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"] == []


def test_missing_function(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.create_event_source_mapping(
            EventSourceArn=f"arn:aws:sqs:us-east-1:{_ACCOUNT}:q", FunctionName="no-such-function"
        )
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:{_ACCOUNT}:function:no-such-function",
        404,
    )


def test_tags_on_an_unknown_mapping(lambda_client: Any) -> None:
    arn = f"arn:aws:lambda:us-east-1:{_ACCOUNT}:event-source-mapping:{uuid.uuid4()}"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.list_tags(Resource=arn)
    assert_error(error, "ResourceNotFoundException", NOT_FOUND, 404)
