"""Helpers for the S3 suite: clients and fresh buckets on the session's real server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def s3(server: ServerProcess) -> Any:
    return server.client("s3")


@pytest.fixture(scope="session")
def raw_s3(server: ServerProcess) -> Any:
    """A client that skips botocore's own parameter checks, so the server sees bad input."""
    return server.client("s3", parameter_validation=False)


def unique(prefix: str = "b") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def bucket(s3: Any) -> str:
    name = unique()
    s3.create_bucket(Bucket=name)
    return name


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The error a call fails with (botocore's ``Error``) plus the HTTP status."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    error = dict(info.value.response["Error"])
    error["Status"] = info.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error
