"""The gateway port: users' own endpoints (HTTP, REST and WebSocket APIs, function URLs).

Each kind of endpoint is a :class:`FrontDoor` that a component declares
(:meth:`Component.front_doors`). The gateway only picks the door; the door does the rest.
A request names its door and resource in one of two ways, both as AWS spells it locally:

- by host: ``{id}.{kind}.localhost`` or ``{id}.{kind}.{region}.localhost`` (for example
  ``a1b2c3.execute-api.localhost:8080`` or ``xyz.lambda-url.us-east-1.localhost:8080``);
- by path, for clients that cannot set a host: ``/_aws/{kind}/{id}/rest/of/path``.

The door receives the ASGI scope with ``stratus.resource_id`` (the ``{id}``) set and, for
the path form, ``path``/``raw_path`` stripped to what follows the id, so it serves both
forms alike. A request that names no door answers as API Gateway does for an unknown
route: 404 ``{"message":"Not Found"}``.

A door may also serve custom domain names (``api.example.com``): a request whose host
matches neither form is looked up, by name, in the door's ``hosts`` (one dict lookup, then
one more for a wildcard ``*.example.com``), and handed to its ``by_host`` app with
``stratus.domain`` set to what the lookup found.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

_NOT_FOUND = b'{"message":"Not Found"}'
_PATH_PREFIX = "/_aws/"


class AsgiApp(Protocol):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None: ...


@dataclass(frozen=True, slots=True)
class FrontDoor:
    """One kind of endpoint on the gateway port, keyed by the host label AWS uses for it
    (``execute-api``, ``lambda-url``)."""

    kind: str
    app: AsgiApp
    #: Custom domain names this door serves (lowercase name -> what ``by_host`` needs),
    #: a live mapping the door's service keeps current.
    hosts: Mapping[str, Any] | None = None
    by_host: AsgiApp | None = None


def split_host(host: str, kinds: Container[str] = ()) -> tuple[str, str] | None:
    """``("a1b2c3", "execute-api")`` for ``a1b2c3.execute-api[.region].localhost[:port]``.
    The id may hold dots (a bucket's name, ``www.example.com.s3-website.localhost``): it
    runs up to the first label that is one of ``kinds``."""
    name = host.partition(":")[0].lower()
    labels = name.split(".")
    if len(labels) < 3 or labels[-1].isdigit():  # an IPv4 address names no resource
        return None
    for index in range(1, len(labels) - 1):
        if labels[index] in kinds:
            return ".".join(labels[:index]), labels[index]
    return labels[0], labels[1]


def split_path(path: str) -> tuple[str, str, str] | None:
    """``("execute-api", "a1b2c3", "/prod/items")`` for ``/_aws/execute-api/a1b2c3/prod/items``."""
    if not path.startswith(_PATH_PREFIX):
        return None
    kind, _, rest = path[len(_PATH_PREFIX) :].partition("/")
    resource_id, slash, tail = rest.partition("/")
    if not kind or not resource_id:
        return None
    return kind, resource_id, slash + tail or "/"


class GatewayApp:
    def __init__(self, doors: Iterable[FrontDoor] = ()) -> None:
        doors = list(doors)
        self._doors = {door.kind: door.app for door in doors}
        self._hosts = [
            (door.hosts, door.by_host)
            for door in doors
            if door.hosts is not None and door.by_host is not None
        ]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return
        host = _header(scope, b"host")
        by_host = split_host(host, self._doors) if host else None
        if by_host is not None and by_host[1] in self._doors:
            resource_id, kind = by_host
            scope["stratus.resource_id"] = resource_id
            await self._doors[kind](scope, receive, send)
            return
        by_path = split_path(scope["path"])
        if by_path is not None and by_path[0] in self._doors:
            kind, resource_id, tail = by_path
            prefix_length = len(scope["path"]) - len(tail)
            scope["stratus.resource_id"] = resource_id
            scope["root_path"] = scope.get("root_path", "") + scope["path"][:prefix_length]
            scope["path"] = tail
            raw = scope.get("raw_path")
            if raw is not None:
                scope["raw_path"] = raw[prefix_length:] or b"/"
            await self._doors[kind](scope, receive, send)
            return
        if host and self._hosts:
            name = host.partition(":")[0].lower()
            wildcard = "*." + name.partition(".")[2]
            for hosts, domain_app in self._hosts:
                domain = hosts.get(name) or hosts.get(wildcard)
                if domain is not None:
                    scope["stratus.domain"] = domain
                    await domain_app(scope, receive, send)
                    return
        await _not_found(scope, send)


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _not_found(scope: dict[str, Any], send: Any) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_NOT_FOUND)).encode()),
                (b"x-amzn-errortype", b"NotFoundException"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _NOT_FOUND})
