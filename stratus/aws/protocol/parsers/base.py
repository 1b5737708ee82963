"""What every request parser shares: the interface, scalar decoding, and AWS's errors.

Parsers turn an :class:`HttpRequest` already routed to an operation into the operation's
input shape as a plain dict keyed by model member names, with timestamps as aware
``datetime`` objects and blobs as ``bytes`` (what botocore's own serializer takes).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.model import OperationModel, Shape

from stratus.aws.protocol.errors import (
    RequestSerializationError,
    RequestValidationError,
    ServiceError,
)
from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.models import ServiceSpec, lower_first
from stratus.aws.protocol.routing import RouteMatch

__all__ = ["RequestParser", "decode_base64", "parse_timestamp"]


class RequestParser:
    """Base of all parsers; one instance per (service, protocol), reused for every call."""

    protocol: str = ""
    #: Whether :meth:`check_required` raises. Protocols validated by
    #: :mod:`stratus.aws.protocol.validation` leave required members to it, which reports
    #: them together with every other violation, as AWS does.
    checks_required: bool = True

    def __init__(self, service: ServiceSpec) -> None:
        self.service = service

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """Parse a routed request into the operation's input parameters."""
        raise NotImplementedError

    # Errors: subclasses for services that word them differently override these.

    def serialization_error(self, detail: str) -> ServiceError:
        """The body or a value cannot be read (malformed JSON/XML, wrong type)."""
        return RequestSerializationError(detail)

    def validation_error(self, path: str) -> ServiceError:
        """A required member is missing, worded as AWS's Coral validator does."""
        return RequestValidationError(
            f"1 validation error detected: Value null at '{path}' failed to satisfy "
            "constraint: Member must not be null"
        )

    def check_required(self, shape: Shape, params: dict[str, Any], path: str) -> None:
        """Raise the validation error for the first required member ``params`` lacks."""
        if not self.checks_required:
            return
        for name in shape.required_members:
            if name not in params:
                raise self.validation_error(_join(path, lower_first(name)))

    # Scalars given as text (headers, query strings, query protocol, XML).

    def text_value(
        self, shape: Shape, text: str, path: str, timestamp_format: str = "iso8601"
    ) -> Any:
        """Decode one scalar written as text by the shape's type."""
        type_name = shape.type_name
        try:
            if type_name == "string":
                return text
            if type_name in ("integer", "long"):
                return int(text)
            if type_name in ("float", "double"):
                return float(text)
            if type_name == "boolean":
                lowered = text.lower()
                if lowered == "true":
                    return True
                if lowered == "false":
                    return False
                raise ValueError(text)
            if type_name == "timestamp":
                return parse_timestamp(text)
            if type_name == "blob":
                return decode_base64(text)
        except ValueError:
            raise self.serialization_error(
                f"Cannot read {text!r} at '{path}' as {type_name}"
            ) from None
        return text

    def operation_input(self, operation: OperationModel) -> Shape | None:
        """The input shape (``None`` for operations that take nothing)."""
        return operation.input_shape


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def parse_timestamp(value: str | int | float) -> datetime:
    """Any of AWS's timestamp formats (epoch seconds, ISO 8601, RFC 822) as aware UTC.

    Raises ValueError for anything else, including numbers no date has (``1e400``,
    ``nan``): the caller answers the client's error, never a server error."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return _from_epoch(seconds)
    if text[:1].isdigit():
        iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        parsed = datetime.fromisoformat(iso)
    else:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, IndexError) as exc:
            raise ValueError(value) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"timestamp out of range: {seconds!r}") from exc


def decode_base64(text: str | bytes) -> bytes:
    """Strict base64, tolerating missing padding as some SDKs send it."""
    if isinstance(text, str):
        text = text.encode("ascii", "strict")
    missing = -len(text) % 4
    if missing:
        text += b"=" * missing
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc
