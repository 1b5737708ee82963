"""TestInvokeMethod and TestInvokeAuthorizer: one request through a REST API's pipeline
without a deployment.

The method runs as the API is now (its current resources, models, validators and gateway
responses, not a deployment's snapshot) in a stage named ``test-invoke-stage`` with the
caller's stage variables, through the same code a deployed stage uses
(:meth:`RestApiServer.answer`): request validation, mapping templates, the integration
(a Lambda function is really invoked) and its responses. As on API Gateway, a test
invocation bypasses throttling, API keys and authorization. An authorizer test always
invokes its function (no cached result) and reports what it answered.

Both answer with an execution log in API Gateway's style (``Execution log for request
...``, one timestamped line per step) and their latency in milliseconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import orjson

from stratus.gateway.events import ApiInfo
from stratus.gateway.metrics import StageFigures
from stratus.gateway.request import GatewayRequest
from stratus.gateway.rest_api import (
    AUTHORIZER_FAILED,
    UNAUTHORIZED,
    CompiledApi,
    RestApiServer,
    compile_stage,
)
from stratus.runtime.ids import new_request_id
from stratus.services.apis.rest_model import RestApi, RestAuthorizer

__all__ = ["AuthorizerTrial", "MethodTrial", "RestTestInvoke", "TestRequest"]

TEST_STAGE = "test-invoke-stage"
TEST_SOURCE_IP = "test-invoke-source-ip"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class TestRequest:
    """What the caller of a test invocation described."""

    path_with_query: str | None
    body: str | None
    headers: dict[str, str]
    multi_value_headers: dict[str, list[str]]
    stage_variables: dict[str, str]


@dataclass(frozen=True, slots=True)
class MethodTrial:
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    log: str
    latency_ms: int


@dataclass(frozen=True, slots=True)
class AuthorizerTrial:
    client_status: int
    log: str
    latency_ms: int
    principal_id: str | None = None
    policy: str | None = None


class _Log:
    """API Gateway's execution log: ``Tue Dec 06 06:01:02 UTC 2026 : message``."""

    def __init__(self, request_id: str) -> None:
        self.lines = [f"Execution log for request {request_id}"]

    def add(self, message: str) -> None:
        t = time.gmtime()
        stamp = (
            f"{_DAYS[t.tm_wday]} {_MONTHS[t.tm_mon - 1]} {t.tm_mday:02d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} UTC {t.tm_year}"
        )
        self.lines.append(f"{stamp} : {message}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _java_map(values: dict[str, Any] | None) -> str:
    """A map as API Gateway's logs print them: ``{id=42, x=1}``."""
    return "{" + ", ".join(f"{k}={v}" for k, v in (values or {}).items()) + "}"


def _request(api: RestApi, method: str, default_path: str, test: TestRequest) -> GatewayRequest:
    target = test.path_with_query or default_path
    path, _, query = target.partition("?")
    path = "/" + path.lstrip("/")
    headers: list[tuple[str, str]] = [(k.lower(), v) for k, v in test.headers.items()]
    for name, values in test.multi_value_headers.items():
        if name in test.headers:
            continue
        headers.extend((name.lower(), value) for value in values)
    host = next((v for k, v in headers if k == "host"), "")
    return GatewayRequest(
        method=method,
        path=unquote(path),
        raw_path=path,
        raw_query=query,
        headers=headers,
        body=(test.body or "").encode(),
        source_ip=TEST_SOURCE_IP,
        protocol="HTTP/1.1",
        host=host,
        request_id=new_request_id(),
        time_epoch_ms=int(time.time() * 1000),
        stage=TEST_STAGE,
        full_raw_path=f"/{TEST_STAGE}{path}",
    )


class RestTestInvoke:
    def __init__(self, server: RestApiServer) -> None:
        self._server = server

    async def method(
        self, api: RestApi, resource_id: str, http_method: str, test: TestRequest
    ) -> MethodTrial:
        """Run one method of ``api`` (which the caller checked exists) as it is now."""
        resource = api.resources[resource_id]
        stage, errors = compile_stage(
            api,
            TEST_STAGE,
            api.snapshot(),
            dict(test.stage_variables) or None,
            {},
            None,
            StageFigures(),
            only=(resource_id, http_method),
        )
        compiled = CompiledApi(api.revision, api, {TEST_STAGE: stage}, {TEST_STAGE: errors})
        request = _request(api, http_method, resource.path, test)
        log = _Log(request.request_id)
        started = time.perf_counter()
        log.add(f"Starting execution for request: {request.request_id}")
        log.add(f"HTTP Method: {http_method}, Resource Path: {request.path}")
        found = stage.table.match(request.method, request.path)
        assert found is not None  # the one method is also the table's default
        endpoint, parameters = found
        log.add(f"Method request path: {_java_map(parameters)}")
        query = {k: ",".join(v) for k, v in request.query_lists().items()}
        log.add(f"Method request query string: {_java_map(query)}")
        log.add(f"Method request headers: {_java_map(request.header_map())}")
        log.add(f"Method request body before transformations: {test.body or ''}")
        integration = endpoint.method.method_integration
        if integration is not None and integration.uri:
            log.add(f"Endpoint request URI: {integration.uri}")
        status, raw_headers, body, _, integration_ms = await self._server.answer(
            compiled, stage, request, chosen=(endpoint, parameters)
        )
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers]
        if integration is not None and integration.type != "MOCK":
            log.add(
                f"Received response. Status: {status}, Integration latency: {integration_ms:.0f} ms"
            )
        log.add(f"Method response body after transformations: {body.decode('utf-8', 'replace')}")
        log.add(f"Method response headers: {_java_map(dict(headers))}")
        if status < 500:
            log.add("Successfully completed execution")
        else:
            log.add(f"Execution failed: the method answered {status}")
        log.add(f"Method completed with status: {status}")
        latency = int((time.perf_counter() - started) * 1000)
        return MethodTrial(status, body, headers, log.text(), latency)

    async def authorizer(
        self, api: RestApi, authorizer: RestAuthorizer, test: TestRequest
    ) -> AuthorizerTrial:
        """Invoke ``authorizer`` for the described request and report its answer."""
        request = _request(api, "GET", "/", test)
        info = ApiInfo(
            api.id, api.account, api.region, request.host or f"{api.id}.execute-api.localhost"
        )
        arn = (
            f"arn:aws:execute-api:{api.region}:{api.account}:{api.id}/"
            f"ESTestInvoke-stage/{request.method}{request.path}"
        )
        log = _Log(request.request_id)
        started = time.perf_counter()
        log.add(f"Starting authorizer: {authorizer.id} for request: {request.request_id}")
        log.add(f"Incoming identity: {_java_map(request.header_map())}")
        if authorizer.authorizer_uri:
            log.add(f"Endpoint request URI: {authorizer.authorizer_uri}")
        answer = await self._server.authorizer_answer(
            authorizer,
            request,
            info,
            dict(test.stage_variables) or None,
            None,
            None,
            arn,
            cached=False,
        )
        latency = int((time.perf_counter() - started) * 1000)
        if answer is UNAUTHORIZED:
            log.add("The identity source is missing or does not match: Unauthorized")
            return AuthorizerTrial(401, log.text(), latency)
        if answer is AUTHORIZER_FAILED or not isinstance(answer, dict):
            log.add("Execution failed due to configuration error: Authorizer error")
            return AuthorizerTrial(500, log.text(), latency)
        policy = answer.get("policyDocument")
        if not isinstance(policy, dict):
            log.add("Execution failed due to configuration error: Invalid JSON in response")
            return AuthorizerTrial(500, log.text(), latency)
        log.add(f"Endpoint response body before transformations: {orjson.dumps(answer).decode()}")
        log.add(f"Authorizer result: principalId={answer.get('principalId')}")
        if isinstance(answer.get("context"), dict):
            log.add(f"Authorizer context: {_java_map(answer['context'])}")
        principal = answer.get("principalId")
        # "The HTTP status code that the client would have received. Value is 0 if the
        # authorizer succeeded." (TestInvokeAuthorizer's clientStatus)
        return AuthorizerTrial(
            0,
            log.text(),
            latency,
            str(principal) if principal is not None else None,
            orjson.dumps(policy).decode(),
        )
