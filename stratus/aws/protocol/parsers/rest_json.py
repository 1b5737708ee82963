"""The ``rest-json`` protocol: HTTP bindings plus a JSON body (Lambda, API Gateway...)."""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from stratus.aws.protocol.errors import CommonServiceError, ServiceError
from stratus.aws.protocol.parsers.json_ import JsonValueReader
from stratus.aws.protocol.parsers.rest import RestRequestParser

__all__ = ["LambdaRequestParser", "RestJsonRequestParser"]


class RestJsonRequestParser(RestRequestParser, JsonValueReader):
    """Bodies are JSON objects of the unbound members (or the structure payload)."""

    protocol = "rest-json"
    checks_required = False

    def read_body(self, body: bytes, members: dict[str, Shape], shape: Shape) -> dict[str, Any]:
        """The JSON object of the members not bound to the URI, headers or query."""
        return self.read_members(members, self.load_json(body), "")

    def read_payload_document(self, body: bytes, shape: Shape) -> Any:
        """A structure payload is the whole JSON body."""
        return self.read_value(shape, self.load_json(body), shape.name)


class LambdaRequestParser(RestJsonRequestParser):
    """Lambda reports unreadable bodies as ``InvalidRequestContentException``.

    See the error list of https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html
    """

    def serialization_error(self, detail: str) -> ServiceError:
        """Lambda's wording: "Could not parse request body into json: ..."."""
        if not detail.startswith("Could not parse request body into json"):
            detail = f"Could not parse request body into json: {detail}"
        return CommonServiceError("InvalidRequestContentException", detail, fields={"Type": "User"})
