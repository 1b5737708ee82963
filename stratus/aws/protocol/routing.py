"""Tell which service, protocol and operation a request is for.

Order of evidence, as AWS's own front ends use it:

1. the SigV4 credential scope names a signing name (``lambda``, ``dynamodb``...);
   services sharing one (dynamodb/dynamodbstreams, apigateway/apigatewayv2) are told
   apart by ``X-Amz-Target``'s prefix or by which model's HTTP bindings match best;
2. unsigned: ``X-Amz-Target`` (json), ``Action=`` (query), then REST bindings, with
   S3 last because ``/{Bucket}/{Key+}`` matches nearly any path.

Routing decides, it does not act: :meth:`ServiceRouter.route` returns a
:class:`RouteMatch` (or ``None`` for a request that is no AWS call at all).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from botocore.model import OperationModel

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.models import ServiceSpec, load_service
from stratus.aws.protocol.rest_routes import RestMatch, RestRouteTable
from stratus.aws.protocol.sigv4 import CredentialScope

__all__ = ["RouteMatch", "ServiceRouter", "parse_form"]

#: Services whose REST paths are so generic that they only win when nothing else does.
_CATCH_ALL_SERVICES = frozenset({"s3"})

_FORM_TYPE = "application/x-www-form-urlencoded"
_S3_EXPRESS = "s3express"  # the signing name of S3 Express One Zone's control endpoint


@dataclass(slots=True)
class RouteMatch:
    """The outcome of routing one request.

    ``operation`` is ``None`` when the service is known but the operation is not
    (answered with the protocol's unknown-operation error); ``operation_name`` then holds
    what the request asked for. ``form`` carries the already decoded query-protocol
    parameters so the parser does not decode the body twice.
    """

    service: ServiceSpec
    protocol: str
    operation: OperationModel | None
    operation_name: str | None = None
    uri_params: Mapping[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None


def parse_form(request: HttpRequest) -> dict[str, str] | None:
    """Query-protocol parameters: the query string plus a form body, ``None`` if no Action."""
    params: dict[str, str] = {}
    if request.query_string:
        params.update(parse_qsl(request.query_string, keep_blank_values=True))
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith(_FORM_TYPE):
        params.update(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    return params if "Action" in params else None


class ServiceRouter:
    """Routing tables of a fixed set of services, computed once at construction."""

    def __init__(self, services: Iterable[str]) -> None:
        self._specs: dict[str, ServiceSpec] = {}
        self._by_signing_name: dict[str, list[ServiceSpec]] = {}
        self._by_target_prefix: dict[str, ServiceSpec] = {}
        self._rest_tables: dict[str, RestRouteTable] = {}
        self._query_services: list[ServiceSpec] = []
        for name in services:
            spec = load_service(name)
            self._specs[name] = spec
            self._by_signing_name.setdefault(spec.signing_name, []).append(spec)
            endpoint_prefix = spec.model.metadata.get("endpointPrefix")
            if endpoint_prefix and endpoint_prefix != spec.signing_name:
                self._by_signing_name.setdefault(endpoint_prefix, []).append(spec)
            if spec.target_prefix:
                self._by_target_prefix[spec.target_prefix] = spec
            if "query" in spec.protocols:
                self._query_services.append(spec)
            if spec.protocol in ("rest-json", "rest-xml"):
                operations = [spec.model.operation_model(op) for op in spec.model.operation_names]
                self._rest_tables[name] = RestRouteTable(operations)

    def service(self, name: str) -> ServiceSpec:
        """The spec of a routed service."""
        return self._specs[name]

    def route(self, request: HttpRequest, scope: CredentialScope | None) -> RouteMatch | None:
        """Route a request; ``None`` means it is not an AWS call of any service we serve."""
        if scope is not None and scope.service == _S3_EXPRESS and "s3" in self._specs:
            return self._express_control(request)
        if scope is not None and scope.service is not None:
            candidates = self._by_signing_name.get(scope.service)
            if candidates:
                return self._route_among(request, candidates)
            return None  # signed for a service we do not serve
        if scope is not None and scope.service is None and "s3" in self._specs:
            return self._route_among(request, [self._specs["s3"]])  # SigV2 is S3's
        return self._route_unsigned(request)

    def _express_control(self, request: HttpRequest) -> RouteMatch:
        """S3 Express One Zone's control calls are signed as ``s3express``. ListDirectoryBuckets
        is ``GET /`` like ListBuckets, told apart only by that signing name."""
        spec = self._specs["s3"]
        match = self._route_among(request, [spec])
        if match.operation is not None and match.operation.name == "ListBuckets":
            match.operation = spec.model.operation_model("ListDirectoryBuckets")
            match.operation_name = "ListDirectoryBuckets"
        return match

    def _route_among(self, request: HttpRequest, candidates: list[ServiceSpec]) -> RouteMatch:
        target = request.headers.get("x-amz-target")
        if target is not None:
            prefix, _, operation = target.rpartition(".")
            spec = self._by_target_prefix.get(prefix)
            if spec is not None and any(spec is c for c in candidates):
                return self._json_match(spec, operation)
        for spec in candidates:
            if "query" in spec.protocols and (
                spec.protocol == "query" or _looks_like_form(request)
            ):
                form = parse_form(request)
                if form is not None:
                    return self._query_match(spec, form)
        best: tuple[RestMatch, ServiceSpec] | None = None
        for spec in candidates:
            table = self._rest_tables.get(spec.name)
            if table is None:
                continue
            found = table.match(request.method, request.path, request.query_string, request.headers)
            if found is not None and (best is None or found.score > best[0].score):
                best = (found, spec)
        if best is not None:
            return RouteMatch(
                best[1],
                best[1].protocol,
                best[0].operation,
                best[0].operation.name,
                best[0].uri_params,
            )
        spec = candidates[0]
        requested = target.rpartition(".")[2] if target else None
        return RouteMatch(spec, spec.protocol, None, requested)

    def _route_unsigned(self, request: HttpRequest) -> RouteMatch | None:
        target = request.headers.get("x-amz-target")
        if target is not None:
            prefix, _, operation = target.rpartition(".")
            spec = self._by_target_prefix.get(prefix)
            if spec is not None:
                return self._json_match(spec, operation)
        if self._query_services:
            form = parse_form(request)
            if form is not None:
                action = form["Action"]
                for spec in self._query_services:
                    if action in spec.model.operation_names:
                        return self._query_match(spec, form)
                return self._query_match(self._query_services[0], form)
        best: tuple[tuple[int, ...], RestMatch, ServiceSpec] | None = None
        for name, table in self._rest_tables.items():
            found = table.match(request.method, request.path, request.query_string, request.headers)
            if found is None:
                continue
            rank = (int(name not in _CATCH_ALL_SERVICES), *found.score)
            if best is None or rank > best[0]:
                best = (rank, found, self._specs[name])
        if best is None:
            return None
        _, found, spec = best
        return RouteMatch(
            spec, spec.protocol, found.operation, found.operation.name, found.uri_params
        )

    @staticmethod
    def _json_match(spec: ServiceSpec, operation_name: str) -> RouteMatch:
        return RouteMatch(spec, "json", spec.operation(operation_name), operation_name)

    @staticmethod
    def _query_match(spec: ServiceSpec, form: dict[str, str]) -> RouteMatch:
        action = form["Action"]
        return RouteMatch(spec, "query", spec.operation(action), action, form=form)


def _looks_like_form(request: HttpRequest) -> bool:
    return request.headers.get("content-type", "").startswith(_FORM_TYPE) or (
        "Action=" in request.query_string
    )
