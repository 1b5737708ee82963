"""What every response serializer shares: the interface, scalar encoding, error lookup.

A serializer turns a provider's output dict (model member names; timestamps as
``datetime`` or epoch numbers; blobs as ``bytes``) or a :class:`ServiceError` into the
:class:`HttpResponse` AWS would send for that protocol.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from stratus.aws.protocol.errors import ServiceError
from stratus.aws.protocol.http import HttpResponse
from stratus.aws.protocol.models import ServiceSpec

__all__ = ["ResponseSerializer", "encode_blob", "format_timestamp", "to_datetime"]


class ResponseSerializer:
    """Base of all serializers; one instance per (service, protocol)."""

    protocol: str = ""
    request_id_header = "x-amzn-RequestId"

    def __init__(self, service: ServiceSpec) -> None:
        self.service = service

    def serialize_response(
        self, operation: OperationModel, output: dict[str, Any] | None, request_id: str
    ) -> HttpResponse:
        """Serialize a provider's output for ``operation``."""
        raise NotImplementedError

    def serialize_error(
        self, error: ServiceError, operation: OperationModel | None, request_id: str
    ) -> HttpResponse:
        """Serialize an error in the protocol's error shape."""
        raise NotImplementedError

    # Errors.

    def error_shape(self, error: ServiceError) -> StructureShape | None:
        """The modeled shape for the error's code, if the service defines one."""
        return self.service.error_shape(error.code)

    def error_status(self, error: ServiceError, shape: StructureShape | None) -> int:
        """An explicit status wins; otherwise the model's ``httpStatusCode`` for the shape."""
        if not error.status_explicit and shape is not None:
            status = shape.metadata.get("error", {}).get("httpStatusCode")
            if status:
                return int(status)
        return error.status_code

    def sender_fault(self, error: ServiceError, shape: StructureShape | None) -> bool:
        """Whether the client is to blame (``Sender``) or the service (``Receiver``)."""
        if shape is not None and "senderFault" in shape.metadata.get("error", {}):
            return bool(shape.metadata["error"]["senderFault"])
        return error.sender_fault and error.status_code < 500

    @staticmethod
    def message_member(shape: StructureShape | None) -> str:
        """The member the message goes in, spelled as the shape spells it."""
        if shape is not None:
            for name in ("message", "Message"):
                if name in shape.members:
                    return name
        return "message"

    def status_for(self, operation: OperationModel) -> int:
        """The operation's modeled success status (``responseCode``), 200 by default."""
        return int(operation.http.get("responseCode", 200))


def to_datetime(value: Any) -> datetime:
    """Accept ``datetime`` (naive means UTC), epoch numbers, or ISO 8601 text."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise TypeError(f"not a timestamp: {value!r}")


def format_timestamp(value: Any, fmt: str) -> str | float | int:
    """Write a timestamp as ``iso8601``, ``rfc822`` or ``unixTimestamp``."""
    moment = to_datetime(value)
    if fmt == "unixTimestamp":
        epoch = moment.timestamp()
        return int(epoch) if epoch == int(epoch) else round(epoch, 3)
    if fmt == "rfc822":
        return format_datetime(moment.astimezone(UTC), usegmt=True)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def encode_blob(value: Any) -> str:
    """Blobs travel as base64 inside JSON and XML documents."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def scalar_text(shape: Shape, value: Any, default_timestamp: str = "iso8601") -> str:
    """A scalar as the text form used in headers, query strings and XML."""
    type_name = shape.type_name
    if type_name == "boolean":
        return "true" if value else "false"
    if type_name == "timestamp":
        fmt = shape.serialization.get("timestampFormat", default_timestamp)
        return str(format_timestamp(value, fmt))
    if type_name == "blob":
        return encode_blob(value)
    if type_name in ("float", "double"):
        return repr(float(value)) if not float(value).is_integer() else str(value)
    return str(value)
