"""The ``json`` protocol (1.0 and 1.1): ``POST /`` with ``X-Amz-Target`` and a JSON body.

:class:`JsonValueReader` checks a decoded JSON document against a shape and converts
timestamps and blobs; ``rest-json`` reuses it for its bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from botocore.model import Shape

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.parsers.base import (
    RequestParser,
    decode_base64,
    parse_timestamp,
)
from stratus.aws.protocol.routing import RouteMatch

__all__ = ["JsonRequestParser", "JsonValueReader"]

_JSON_KINDS = {
    "structure": "an object",
    "map": "an object",
    "list": "an array",
    "string": "a string",
    "integer": "an integer",
    "long": "an integer",
    "float": "a number",
    "double": "a number",
    "boolean": "a boolean",
    "timestamp": "a timestamp",
    "blob": "a base64 string",
}


#: Shapes whose JSON value is already the parsed value when it has exactly this type:
#: read without a call or an error path built for them (a bool is no integer).
_PLAIN: dict[str, type] = {"string": str, "integer": int, "long": int, "boolean": bool}

_WIRE_NAMES: dict[int, tuple[Mapping[str, Shape], dict[str, tuple[str, Shape]]]] = {}


def wire_members(members: Mapping[str, Shape]) -> dict[str, tuple[str, Shape]]:
    """JSON key -> (member name, shape), honouring ``locationName`` (API Gateway v2's
    ``protocolType``). Cached per members mapping, which botocore and we keep alive."""
    cached = _WIRE_NAMES.get(id(members))
    if cached is not None and cached[0] is members:
        return cached[1]
    table = {m.serialization.get("name", name): (name, m) for name, m in members.items()}
    _WIRE_NAMES[id(members)] = (members, table)
    return table


class JsonValueReader(RequestParser):
    """Decode and type-check JSON documents against shapes."""

    def load_json(self, body: bytes) -> Any:
        """``orjson.loads`` with AWS's error for a body that is not JSON."""
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise self.json_syntax_error(str(exc)) from None

    def json_syntax_error(self, detail: str) -> Exception:
        """The error for a body that is not JSON at all."""
        return self.serialization_error(f"Could not parse request body into json: {detail}")

    def read_members(self, members: Mapping[str, Shape], data: Any, path: str) -> dict[str, Any]:
        """Read an object's known members; unknown keys are ignored, as AWS does."""
        if not isinstance(data, dict):
            raise self._type_error("structure", path or "body", data)
        out: dict[str, Any] = {}
        table = wire_members(members)
        for key, value in data.items():
            found = table.get(key)
            if found is None or value is None:
                continue
            name, member = found
            if type(value) is _PLAIN.get(member.type_name):
                out[name] = value  # nothing to check or convert (most members)
            else:
                out[name] = self.read_value(member, value, f"{path}.{name}" if path else name)
        return out

    def read_value(self, shape: Shape, value: Any, path: str) -> Any:
        """Check one JSON value against its shape and convert it."""
        type_name = shape.type_name
        if type_name == "string":
            if isinstance(value, str):
                return value
        elif type_name == "structure":
            if shape.is_document_type:
                return value
            out = self.read_members(shape.members, value, path)
            self.check_required(shape, out, path)
            return out
        elif type_name == "list":
            if isinstance(value, list):
                member = shape.member
                return [self.read_value(member, item, f"{path}.member") for item in value]
        elif type_name == "map":
            if isinstance(value, dict):
                key_shape = shape.key
                value_shape = shape.value
                return {
                    self.read_value(key_shape, k, f"{path}.key"): self.read_value(
                        value_shape, v, f"{path}.{k}"
                    )
                    for k, v in value.items()
                    if v is not None
                }
        elif type_name in ("integer", "long"):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
        elif type_name in ("float", "double"):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
            if value in ("NaN", "Infinity", "-Infinity"):
                return float(value)
        elif type_name == "boolean":
            if isinstance(value, bool):
                return value
        elif type_name == "timestamp":
            if isinstance(value, int | float | str) and not isinstance(value, bool):
                try:
                    return parse_timestamp(value)
                except (ValueError, OverflowError, OSError):
                    pass
        elif type_name == "blob":
            if isinstance(value, str):
                try:
                    return decode_base64(value)
                except ValueError:
                    pass
        else:
            return value
        raise self._type_error(type_name, path, value)

    def _type_error(self, type_name: str, path: str, value: Any) -> Exception:
        kind = _JSON_KINDS.get(type_name, type_name)
        return self.serialization_error(
            f"Unexpected value at '{path}': expected {kind}, got {type(value).__name__}"
        )


class JsonRequestParser(JsonValueReader):
    """``json`` protocol requests: the whole body is the input shape."""

    protocol = "json"
    checks_required = False

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """Parse the JSON body (an empty body is an empty input) into the input shape."""
        assert match.operation is not None
        shape = match.operation.input_shape
        body = request.body
        data = self.load_json(body) if body.strip() else {}
        if shape is None:
            return {}
        out = self.read_members(shape.members, data, "")
        self.check_required(shape, out, "")
        return out
