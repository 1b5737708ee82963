"""``arn:aws:states:::dynamodb:getItem`` / ``putItem`` / ``updateItem`` / ``deleteItem``.

The call goes through the platform's in-process AWS caller, so it takes exactly the path
a boto3 call takes. What the task returns and how it fails is what Step Functions does,
as recorded on AWS in the conformance material (``TestTaskServiceDynamoDB``): the answer
as the AWS SDK for Java v1 saw it, with ``SdkHttpMetadata`` (DynamoDB's own headers:
``Server: Server``, ``x-amz-crc32``) and ``SdkResponseMetadata``; an error fails the task
as ``DynamoDB.<Code>`` for the exceptions that SDK models, else
``DynamoDB.AmazonDynamoDBException``, with the SDK's cause text.
"""

from __future__ import annotations

import base64
import uuid
import zlib
from typing import Any

import orjson

from stratus.services.scope import Scope
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import parse_service_resource
from stratus.workflows.integrations.base import AwsCaller, AwsCallFailed, TaskRequest
from stratus.workflows.integrations.metadata import http_date, sdk_metadata

__all__ = ["DynamoDbIntegration", "is_dynamodb_item_task"]

ACTIONS = {
    "getItem": "GetItem",
    "putItem": "PutItem",
    "updateItem": "UpdateItem",
    "deleteItem": "DeleteItem",
}
#: Error codes the Java SDK v1 has an exception class for.
_MODELED = frozenset(
    {
        "ConditionalCheckFailedException",
        "ResourceNotFoundException",
        "ResourceInUseException",
        "ProvisionedThroughputExceededException",
        "ItemCollectionSizeLimitExceededException",
        "TransactionConflictException",
        "RequestLimitExceeded",
        "InternalServerErrorException",
    }
)


def is_dynamodb_item_task(resource: str) -> bool:
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "dynamodb"
        and parsed.action in ACTIONS
        and parsed.pattern == ""
    )


class DynamoDbIntegration:
    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def run(self, request: TaskRequest) -> Any:
        parsed = parse_service_resource(request.resource)
        assert parsed is not None
        operation = ACTIONS[parsed.action]
        params = request.input if isinstance(request.input, dict) else {}
        scope = Scope.of_arn(request.execution_arn) or Scope()
        try:
            result = await self._caller.call(
                "dynamodb", operation, params, account_id=scope.account, region=scope.region
            )
        except AwsCallFailed as failure:
            raise _failed(failure) from None
        return _output(operation, result)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


def _output(operation: str, result: dict[str, Any]) -> dict[str, Any]:
    members = _jsonable({k: result[k] for k in sorted(result) if k != "ResponseMetadata"})
    body = orjson.dumps(members)
    request_id = str(uuid.uuid4())
    # As recorded: GetItem's answer names its request id header in lower case, first.
    id_header = ("x-amzn-requestid" if operation == "GetItem" else "x-amzn-RequestId", request_id)
    headers = [("Server", "Server")]
    headers += (
        [id_header, ("Connection", "keep-alive")]
        if operation == "GetItem"
        else [
            ("Connection", "keep-alive"),
            id_header,
        ]
    )
    headers += [
        ("x-amz-crc32", str(zlib.crc32(body))),
        ("Content-Length", str(len(body))),
        ("Date", http_date()),
        ("Content-Type", "application/x-amz-json-1.0"),
    ]
    return {**members, **sdk_metadata(200, headers, request_id)}


def _failed(failure: AwsCallFailed) -> StatesError:
    code = failure.code
    name = f"DynamoDB.{code}" if code in _MODELED else "DynamoDB.AmazonDynamoDBException"
    request_id = getattr(failure, "request_id", None) or str(uuid.uuid4())
    return StatesError(
        name,
        f"{failure.message} (Service: AmazonDynamoDBv2; Status Code: {failure.status}; Error "
        f"Code: {code}; Request ID: {request_id}; Proxy: null)",
    )
