"""Lambda's REST operations as the fuzzer sees them, read from botocore's service model.

The model is the specification of what the control port must accept, so the fuzzer
takes every operation's method, ``requestUri`` and input shape from it instead of a
hand-written list: a new operation in botocore is fuzzed without touching this file.

What the fuzzer must know beyond the model is which calls could change stored data if
they succeeded by chance. Those are kept harmless in two ways (see :class:`Operation`):
their URI labels only ever name resources that do not exist, and the few that create a
resource named in the body (or in a label that need not exist yet) only get bodies that
cannot pass the model's own validation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from stratus.aws.lambda_.provider import LambdaProvider

__all__ = ["Operation", "lambda_model", "lambda_operations"]

_LABEL = re.compile(r"\{([^}+]+)\+?\}")

#: Operations that create a resource whose name need not exist beforehand: a
#: nonexistent name in a label does not make them fail, so only invalid bodies go there.
_CREATES_FROM_NOTHING = frozenset({"PublishLayerVersion"})


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation's HTTP binding and what the fuzzer may do with it.

    ``read_only`` operations (``Get*``/``List*``, all of them ``GET``) may name the
    protected resources; everything else is ``mutating``. A mutating operation is
    ``guarded`` when it has a URI label naming an existing resource it acts on, so a
    nonexistent name there makes it fail; unguarded ones (``CreateFunction``,
    ``PublishLayerVersion``...) only ever receive bodies that cannot validate.
    """

    name: str
    method: str
    path: str  # the requestUri's path, labels still in braces
    query: str  # the requestUri's literal query (``List=ALL``), may be empty
    labels: tuple[str, ...]
    input_shape: StructureShape | None
    read_only: bool
    guarded: bool
    served: bool  # Stratus's Lambda provider has a method for it

    @property
    def querystring_members(self) -> dict[str, tuple[str, Shape]]:
        """Wire name -> (member name, shape) of members bound to the query string."""
        return self._members_at("querystring")

    @property
    def header_members(self) -> dict[str, tuple[str, Shape]]:
        """Wire name -> (member name, shape) of members bound to headers."""
        return self._members_at("header")

    @property
    def payload(self) -> Shape | None:
        """The member that is the whole body (``Invoke``'s ``Payload``), if any."""
        shape = self.input_shape
        if shape is None:
            return None
        name = shape.serialization.get("payload")
        return shape.members[name] if name else None

    @property
    def body_members(self) -> dict[str, Shape]:
        """Members written into the JSON body (bound to nothing else)."""
        shape = self.input_shape
        if shape is None or self.payload is not None:
            return {}
        return {
            name: member
            for name, member in shape.members.items()
            if member.serialization.get("location") is None
        }

    @property
    def required_body_members(self) -> tuple[str, ...]:
        """Required members that live in the JSON body: dropping one must fail."""
        shape = self.input_shape
        if shape is None:
            return ()
        body = self.body_members
        return tuple(name for name in shape.required_members if name in body)

    def _members_at(self, location: str) -> dict[str, tuple[str, Shape]]:
        shape = self.input_shape
        if shape is None:
            return {}
        found: dict[str, tuple[str, Shape]] = {}
        for name, member in shape.members.items():
            if member.serialization.get("location") == location:
                found[member.serialization.get("name", name)] = (name, member)
        return found


@cache
def lambda_model() -> ServiceModel:
    """botocore's Lambda service model (the one boto3 in this venv speaks)."""
    return botocore.session.get_session().get_service_model("lambda")


def _operation(model: OperationModel) -> Operation:
    uri = model.http.get("requestUri", "/")
    path, _, query = uri.partition("?")
    method = model.http.get("method", "POST").upper()
    read_only = model.name.startswith(("Get", "List"))
    labels = tuple(_LABEL.findall(path))
    guarded = bool(labels) and model.name not in _CREATES_FROM_NOTHING
    if read_only != (method == "GET"):  # pragma: no cover - would break the safety argument
        raise AssertionError(
            f"{model.name} ({method}): the fuzzer assumes exactly the GET operations only read"
        )
    return Operation(
        name=model.name,
        method=method,
        path=path,
        query=query,
        labels=labels,
        input_shape=model.input_shape,
        read_only=read_only,
        guarded=guarded,
        served=callable(getattr(LambdaProvider, xform_name(model.name), None)),
    )


@cache
def lambda_operations() -> tuple[Operation, ...]:
    """Every Lambda operation of the model, sorted by name (stable for derandomized runs)."""
    model = lambda_model()
    return tuple(_operation(model.operation_model(name)) for name in sorted(model.operation_names))
