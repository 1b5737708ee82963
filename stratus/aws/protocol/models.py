"""botocore's service models, loaded once and indexed for the protocol layer.

Everything derived from a model that a request would otherwise recompute (protocols,
error shapes by code, the signing name) lives on one :class:`ServiceSpec` per service.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

__all__ = [
    "SUPPORTED_PROTOCOLS",
    "ServiceSpec",
    "iter_shape_tree",
    "load_service",
    "lower_first",
]

#: The botocore protocols we speak, in the order we prefer them when a model lists several.
SUPPORTED_PROTOCOLS = ("json", "rest-json", "rest-xml", "query")


@functools.cache
def _loader() -> Loader:
    return create_loader()


@dataclass(slots=True, eq=False)
class ServiceSpec:
    """One service model plus what routing and error serialization look up in it."""

    name: str
    model: ServiceModel
    protocols: tuple[str, ...]
    signing_name: str
    target_prefix: str | None
    error_shapes: dict[str, StructureShape] = field(default_factory=dict)

    @property
    def protocol(self) -> str:
        """The service's primary protocol (what botocore clients speak by default)."""
        return self.protocols[0]

    def error_shape(self, code: str) -> StructureShape | None:
        """The modeled error shape for a code (shape name or its query error code)."""
        return self.error_shapes.get(code)

    def operation(self, name: str) -> OperationModel | None:
        """The operation model by its API name, or ``None`` if the model has none."""
        if name not in self.model.operation_names:
            return None
        return self.model.operation_model(name)


@functools.cache
def load_service(name: str) -> ServiceSpec:
    """Load a botocore service model by its service name (``"lambda"``, ``"s3"``...)."""
    data = _loader().load_service_model(name, "service-2")
    model = ServiceModel(data, service_name=name)
    meta = model.metadata
    listed = meta.get("protocols") or [meta["protocol"]]
    protocols = [p for p in listed if p in SUPPORTED_PROTOCOLS]
    if not protocols:
        raise ValueError(f"service {name!r} speaks none of {SUPPORTED_PROTOCOLS}: {listed}")
    if "awsQueryCompatible" in meta and "query" not in protocols:
        # SQS moved to JSON but still answers its older query form.
        protocols.append("query")
    errors: dict[str, StructureShape] = {}
    for shape in model.error_shapes:
        errors[shape.name] = shape
        query_code = shape.metadata.get("error", {}).get("code")
        if query_code:
            errors.setdefault(query_code, shape)
    return ServiceSpec(
        name=name,
        model=model,
        protocols=tuple(protocols),
        signing_name=meta.get("signingName") or meta["endpointPrefix"],
        target_prefix=meta.get("targetPrefix"),
        error_shapes=errors,
    )


def iter_shape_tree(shape: Shape) -> Iterator[Shape]:
    """Every shape reachable from ``shape``, each named shape once (models are recursive)."""
    seen: set[str] = set()
    stack = [shape]
    while stack:
        current = stack.pop()
        yield current
        if current.name in seen:
            continue
        seen.add(current.name)
        type_name = current.type_name
        if type_name == "structure":
            stack.extend(current.members.values())
        elif type_name == "list":
            stack.append(current.member)
        elif type_name == "map":
            stack.append(current.key)
            stack.append(current.value)


def lower_first(name: str) -> str:
    """AWS's validation messages name members in lower camel case (``tableName``)."""
    return name[:1].lower() + name[1:]
