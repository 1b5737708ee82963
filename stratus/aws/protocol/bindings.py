"""Where each member of a REST shape lives on the wire, computed once per shape.

Used by the REST parsers (input shapes) and serializers (output shapes): URI labels,
headers, header maps (``x-amz-meta-*``), query string, the status code, the payload
member, and the members left for the body.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from botocore.model import Shape, StructureShape

__all__ = ["Binding", "RestBindings", "rest_bindings"]


@dataclass(frozen=True, slots=True)
class Binding:
    """One member bound outside the body: its name, shape and wire name."""

    member: str
    shape: Shape
    wire: str  # header names lower-cased for lookup; ``wire_case`` keeps the model's case
    wire_case: str


@dataclass(slots=True)
class RestBindings:
    """The HTTP bindings of one structure shape."""

    uri: list[Binding] = field(default_factory=list)
    headers: list[Binding] = field(default_factory=list)
    header_maps: list[Binding] = field(default_factory=list)
    query: list[Binding] = field(default_factory=list)
    query_maps: list[Binding] = field(default_factory=list)
    status_code: str | None = None
    payload: Binding | None = None
    body_members: dict[str, Shape] = field(default_factory=dict)

    @property
    def raw_payload(self) -> bool:
        """Whether the payload member is the raw body (blob or string), not a document."""
        return self.payload is not None and self.payload.shape.type_name in ("blob", "string")


@functools.lru_cache(maxsize=4096)
def _bindings_for(shape: StructureShape) -> RestBindings:
    result = RestBindings()
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        binding = Binding(name, member, wire.lower() if location == "header" else wire, wire)
        if location == "uri":
            result.uri.append(binding)
        elif location == "header":
            (result.header_maps if member.type_name == "map" else result.headers).append(binding)
        elif location == "headers":
            result.header_maps.append(Binding(name, member, wire.lower(), wire))
        elif location == "querystring":
            (result.query_maps if member.type_name == "map" else result.query).append(binding)
        elif location == "statusCode":
            result.status_code = name
        elif name == payload_name:
            result.payload = binding
        else:
            result.body_members[name] = member
    return result


def rest_bindings(shape: StructureShape) -> RestBindings:
    """The (cached) bindings of a structure; shapes are cached per operation by botocore."""
    return _bindings_for(shape)
