"""What ``rest-json`` and ``rest-xml`` share: URI labels, headers, query string, payload.

Subclasses only say how a body document is read (:meth:`RestRequestParser.read_body`).
Header timestamps default to RFC 822, query string ones to ISO 8601, as the
Smithy HTTP binding traits define.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qs

import orjson
from botocore.model import Shape, StructureShape

from stratus.aws.protocol.bindings import Binding, RestBindings, rest_bindings
from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.parsers.base import RequestParser
from stratus.aws.protocol.routing import RouteMatch

__all__ = ["RestRequestParser"]


class RestRequestParser(RequestParser):
    """Bindings common to the REST protocols; the body is left to subclasses."""

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """Read URI labels, headers and query string, then the payload or body."""
        assert match.operation is not None
        shape = match.operation.input_shape
        if shape is None:
            return {}
        bindings = rest_bindings(shape)
        params: dict[str, Any] = {}
        for binding in bindings.uri:
            raw = match.uri_params.get(binding.wire)
            if raw is not None:
                params[binding.member] = self.text_value(binding.shape, raw, binding.member)
        if bindings.headers or bindings.header_maps:
            self._read_headers(request.headers, bindings, params)
        if (bindings.query or bindings.query_maps) and request.query_string:
            self._read_query(request.query_string, bindings, params)
        self._read_payload(request, shape, bindings, params)
        self.check_required(shape, params, "")
        return params

    def read_body(self, body: bytes, members: dict[str, Shape], shape: Shape) -> dict[str, Any]:
        """Read a body document holding ``members`` (the unbound members of ``shape``)."""
        raise NotImplementedError

    def read_payload_document(self, body: bytes, shape: Shape) -> Any:
        """Read a body that is one structure member (``payload`` naming a structure)."""
        raise NotImplementedError

    def _read_payload(
        self,
        request: HttpRequest,
        shape: StructureShape,
        bindings: RestBindings,
        params: dict[str, Any],
    ) -> None:
        body = request.body
        payload = bindings.payload
        if payload is not None:
            if not body:
                return
            if payload.shape.type_name == "blob":
                params[payload.member] = body
            elif payload.shape.type_name == "string":
                params[payload.member] = body.decode("utf-8", "replace")
            else:
                params[payload.member] = self.read_payload_document(body, payload.shape)
        elif bindings.body_members and body.strip():
            params.update(self.read_body(body, bindings.body_members, shape))

    def _read_headers(
        self, headers: dict[str, str], bindings: RestBindings, params: dict[str, Any]
    ) -> None:
        for binding in bindings.headers:
            raw = headers.get(binding.wire)
            if raw is not None:
                params[binding.member] = self._header_value(binding, raw)
        for binding in bindings.header_maps:
            prefix = binding.wire
            found = {
                name[len(prefix) :]: value
                for name, value in headers.items()
                if name.startswith(prefix)
            }
            if found:
                params[binding.member] = found

    def _header_value(self, binding: Binding, raw: str) -> Any:
        shape = binding.shape
        if shape.type_name == "list":
            items = [item.strip() for item in raw.split(",")] if raw else []
            return [self.text_value(shape.member, item, binding.member) for item in items]
        if shape.type_name == "string" and shape.serialization.get("jsonvalue"):
            try:
                return orjson.loads(base64.b64decode(raw))
            except (binascii.Error, orjson.JSONDecodeError, ValueError):
                raise self.serialization_error(
                    f"Header {binding.wire_case} is not base64-encoded JSON"
                ) from None
        return self.text_value(shape, raw, binding.member, "rfc822")

    def query_value(self, shape: Shape, text: str, binding: Binding) -> Any:
        """One query-string value; a hook for services that word a bad one their own way."""
        return self.text_value(shape, text, binding.member)

    def _read_query(
        self, query_string: str, bindings: RestBindings, params: dict[str, Any]
    ) -> None:
        query = parse_qs(query_string, keep_blank_values=True)
        for binding in bindings.query:
            values = query.get(binding.wire)
            if values is None:
                continue
            shape = binding.shape
            if shape.type_name == "list":
                params[binding.member] = [
                    self.query_value(shape.member, v, binding) for v in values
                ]
            else:
                params[binding.member] = self.query_value(shape, values[-1], binding)
        if bindings.query_maps:
            named = {b.wire for b in bindings.query}
            for binding in bindings.query_maps:
                value_shape = binding.shape.value
                found: dict[str, Any] = {}
                for key, values in query.items():
                    if key in named:
                        continue
                    if value_shape.type_name == "list":
                        found[key] = list(values)
                    else:
                        found[key] = values[-1]
                if found:
                    params[binding.member] = found
