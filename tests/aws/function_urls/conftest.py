"""Helpers for function URL tests: a public URL for a function, requests by host or path."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.aws.lambda_.conftest import raw_client  # noqa: F401 - a fixture, shared
from tests.conftest import ServerProcess, create_function

REGION = "us-east-1"


def public_grants(client: Any, name: str, qualifier: str | None = None) -> None:
    """The two statements AWS requires of a new NONE URL (October 2025 onward)."""
    extra = {"Qualifier": qualifier} if qualifier else {}
    client.add_permission(
        FunctionName=name,
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
        **extra,
    )
    client.add_permission(
        FunctionName=name,
        StatementId="FunctionURLInvokeAllowPublicAccess",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
        **extra,
    )


def url_id(url: str) -> str:
    return url.split("//", 1)[1].split(".", 1)[0]


class UrlClient:
    """Requests to one function URL through the gateway port, by host (as AWS's form) or
    by the path form."""

    def __init__(self, server: ServerProcess, url: str) -> None:
        self.url = url
        self.id = url_id(url)
        self.base = f"http://127.0.0.1:{server.gateway_port}"
        self.host = f"{self.id}.lambda-url.{REGION}.localhost:{server.gateway_port}"
        self.http = httpx.Client(timeout=60)

    def request(self, method: str, path: str = "/", **kwargs: Any) -> httpx.Response:
        given = kwargs.pop("headers", None) or {}
        pairs = list(given.items()) if isinstance(given, dict) else list(given)
        headers = httpx.Headers([("host", self.host), *pairs])
        return self.http.request(method, self.base + path, headers=headers, **kwargs)

    def by_path(self, method: str, path: str = "/", **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"{self.base}/_aws/lambda-url/{self.id}{path}", **kwargs)


def make_url(
    server: ServerProcess,
    client: Any,
    source: str,
    *,
    public: bool = True,
    runtime: str = "python3.11",
    handler: str = "app.handler",
    files: dict[str, str | bytes] | None = None,
    function: dict[str, Any] | None = None,
    **url_params: Any,
) -> tuple[str, UrlClient]:
    """A function, its URL (``url_params``: AuthType, Cors, InvokeMode) and, for NONE,
    the public grants; ``function`` holds more CreateFunction parameters."""
    name = create_function(
        client, source, runtime=runtime, handler=handler, files=files, **(function or {})
    )
    url_params.setdefault("AuthType", "NONE")
    created = client.create_function_url_config(FunctionName=name, **url_params)
    if public and url_params["AuthType"] == "NONE":
        public_grants(client, name)
    return name, UrlClient(server, created["FunctionUrl"])


@pytest.fixture()
def unique() -> str:
    return uuid.uuid4().hex[:8]
