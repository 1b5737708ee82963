"""The gateway port picks a front door by host or by path and leaves the rest to it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from stratus.gateway.app import FrontDoor, GatewayApp, split_host, split_path


class _Recorder:
    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(dict(scope))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _request(app: GatewayApp, host: str, path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "headers": [(b"host", host.encode())],
    }
    asyncio.run(app(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("a1b2c3.execute-api.localhost:8080", ("a1b2c3", "execute-api")),
        ("XYZ.lambda-url.us-east-1.localhost", ("xyz", "lambda-url")),
        ("127.0.0.1:8080", None),
        ("localhost", None),
    ],
)
def test_split_host(host: str, expected: tuple[str, str] | None) -> None:
    assert split_host(host) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/_aws/execute-api/a1/prod/items", ("execute-api", "a1", "/prod/items")),
        ("/_aws/execute-api/a1", ("execute-api", "a1", "/")),
        ("/_aws/execute-api/", None),
        ("/items", None),
    ],
)
def test_split_path(path: str, expected: tuple[str, str, str] | None) -> None:
    assert split_path(path) == expected


def test_host_and_path_forms_reach_the_same_door_with_the_same_path() -> None:
    door = _Recorder()
    app = GatewayApp([FrontDoor("execute-api", door)])
    _request(app, "a1.execute-api.localhost:8080", "/prod/items")
    _request(app, "127.0.0.1:8080", "/_aws/execute-api/a1/prod/items")
    by_host, by_path = door.scopes
    assert by_host["stratus.resource_id"] == by_path["stratus.resource_id"] == "a1"
    assert by_host["path"] == by_path["path"] == "/prod/items"
    assert by_path["raw_path"] == b"/prod/items"
    assert by_path["root_path"] == "/_aws/execute-api/a1"


def test_a_request_for_no_door_is_api_gateways_not_found() -> None:
    app = GatewayApp([FrontDoor("execute-api", _Recorder())])
    for host, path in [("127.0.0.1:8080", "/x"), ("a.lambda-url.localhost", "/")]:
        start, body = _request(app, host, path)
        assert start["status"] == 404
        assert body["body"] == b'{"message":"Not Found"}'
