"""Step Functions' ``arn:aws:states:::apigateway:invoke`` task: a request to one of our
APIs, made in-process through the ``execute-api`` door (the path a client's takes).

Parameters and output are Step Functions' (docs: "Call API Gateway with Step Functions"):
``ApiEndpoint`` (``{api-id}.execute-api...``), ``Method``, ``Stage``, ``Path``,
``QueryParameters`` and ``Headers`` (lists of values), ``RequestBody``; the result holds
``Headers``, ``ResponseBody`` (parsed when JSON), ``StatusCode`` and ``StatusText``. An
answer of 400 or more fails the task with ``ApiGateway.{status}``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from stratus.gateway.app import AsgiApp
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import TaskRequest


def is_apigateway_invoke(resource: str) -> bool:
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "apigateway"
        and parsed.action == "invoke"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


class ApiGatewayInvoke:
    def __init__(self, door: AsgiApp) -> None:
        self._door = door

    async def invoke(self, request: TaskRequest) -> Any:
        raw = request.input if isinstance(request.input, dict) else {}
        endpoint = str(raw.get("ApiEndpoint") or "")
        host = endpoint.split("://", 1)[-1].split("/", 1)[0]
        api_id = host.split(".", 1)[0]
        if not api_id or ".execute-api." not in host:
            raise StatesError(
                "States.Runtime", f"ApiEndpoint is not an API Gateway endpoint: {endpoint}"
            )
        method = str(raw.get("Method") or "GET").upper()
        stage = raw.get("Stage")
        path = str(raw.get("Path") or "")
        full_path = (f"/{stage}" if stage and stage != "$default" else "") + "/" + path.lstrip("/")
        query_pairs: list[tuple[str, str]] = []
        for name, values in (raw.get("QueryParameters") or {}).items():
            for value in values if isinstance(values, list) else [values]:
                query_pairs.append((name, str(value)))
        headers: list[tuple[bytes, bytes]] = [(b"host", host.encode())]
        for name, values in (raw.get("Headers") or {}).items():
            for value in values if isinstance(values, list) else [values]:
                headers.append((name.lower().encode(), str(value).encode()))
        body_value = raw.get("RequestBody")
        if body_value is None:
            body = b""
        elif isinstance(body_value, str):
            body = body_value.encode()
        else:
            body = orjson.dumps(body_value)
            headers.append((b"content-type", b"application/json"))
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": method,
            "path": full_path,
            "raw_path": quote(full_path).encode(),
            "query_string": urlencode(query_pairs).encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 0),
            "server": ("127.0.0.1", 0),
            "stratus.resource_id": api_id,
        }
        sent: dict[str, Any] = {"status": 500, "headers": [], "body": []}
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
                sent["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                sent["body"].append(message.get("body", b""))

        await self._door(scope, receive, send)
        status = int(sent["status"])
        payload = b"".join(sent["body"])
        response_headers: dict[str, list[str]] = {}
        for name, value in sent["headers"]:
            response_headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
        try:
            response_body: Any = orjson.loads(payload) if payload else None
        except orjson.JSONDecodeError:
            response_body = payload.decode("utf-8", "replace")
        result = {
            "Headers": response_headers,
            "ResponseBody": response_body,
            "StatusCode": status,
            "StatusText": HTTPStatus(status).phrase
            if status in HTTPStatus._value2member_map_
            else "",
        }
        if status >= 400:
            raise StatesError(f"ApiGateway.{status}", orjson.dumps(result).decode())
        return result
