"""Helpers for the DynamoDB suite: clients and fresh tables on the session's real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def ddb(server: ServerProcess) -> Any:
    return server.client("dynamodb")


@pytest.fixture(scope="session")
def streams(server: ServerProcess) -> Any:
    return server.client("dynamodbstreams")


@pytest.fixture(scope="session")
def resource(server: ServerProcess) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_table(
    ddb: Any, *, range_key: str | None = "sk", range_type: str = "S", **extra: Any
) -> str:
    name = unique()
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
        attrs.append({"AttributeName": range_key, "AttributeType": range_type})
    attrs.extend(extra.pop("ExtraAttributes", []))
    ddb.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=attrs,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


@pytest.fixture
def table(ddb: Any) -> str:
    return make_table(ddb)


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return dict(info.value.response["Error"]) | {"_response": info.value.response}
