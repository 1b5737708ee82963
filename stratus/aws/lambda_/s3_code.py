"""Function code and layer content given as an S3 object (``S3Bucket``/``S3Key``/
``S3ObjectVersion``), read through our own S3 API in-process, as Lambda reads it.

Lambda's answer when the object cannot be read, from AWS:
``InvalidParameterValueException: Error occurred while GetObject. S3 Error Code:
NoSuchKey. S3 Error Message: The specified key does not exist.``
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.aws_calls import AwsCaller, AwsCallFailed
from stratus.services.functions.errors import InvalidParameter

__all__ = ["S3CodeReader"]


class S3CodeReader:
    """Reads a zip from S3 for CreateFunction, UpdateFunctionCode, PublishLayerVersion."""

    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def read(self, ctx: RequestContext, source: dict[str, Any], limit: int) -> bytes:
        """The object's bytes (``source`` holds S3Bucket, S3Key, maybe S3ObjectVersion)."""
        bucket, key = source.get("S3Bucket"), source.get("S3Key")
        if not bucket or not key:
            raise InvalidParameter("Please provide a source for function code.")
        params: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if source.get("S3ObjectVersion"):
            params["VersionId"] = source["S3ObjectVersion"]
        try:
            answer = await self._caller.call(
                "s3", "GetObject", params, account_id=ctx.account_id, region=ctx.region
            )
        except AwsCallFailed as failure:
            code, message = failure.code, failure.message
            raise InvalidParameter(
                f"Error occurred while GetObject. S3 Error Code: {code}. S3 Error Message: "
                f"{message}"
            ) from None
        body = answer.get("Body", b"")
        data = body if isinstance(body, bytes) else bytes(body)
        if len(data) > limit:
            raise InvalidParameter(f"Unzipped size must be smaller than {limit} bytes")
        return data
