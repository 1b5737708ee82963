"""The gateway: requests per second and latency of users' APIs, against a raw ASGI hello
world on the same server stack measured in the same run.

Figures (issue 8), each driven by wrk (a C load generator, on this same machine, so the
client shares the cores with the server; installed from the OS packages by this script
when missing, skipped with a message when it cannot be):

- a hello-world function behind an HTTP API route (quick create, payload 2.0);
  target: at least 50% of the raw hello world's throughput;
- the same route behind a JWT authorizer (RS256, JWKS from a local issuer) and behind a
  Lambda REQUEST authorizer whose answers are cached (TTL 300 s);
- WebSocket: messages per second round trip through a function (a Python client with 8
  connections; it, not the server, may be the limit, hence reported without a target).

The baseline is ``bench._hello_asgi`` served by ``bench._guarded_hello``: the gateway port's
own server (``stratus up``'s uvicorn config: httptools with the serving guards, uvloop). Each wrk run: 2 threads, 32 connections, ``--seconds`` long, after a warm-up
of the same shape (so every environment the load needs is started before it is measured).

    python -m bench.gateway [--seconds 5] [--json PATH]
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from bench._platform import HELLO_SOURCE, ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit
from bench._server import _child, create_active, free_port, lambda_client, stratus_server

AUTHORIZER_SOURCE = (
    "def handler(event, context):\n"
    "    return {'isAuthorized': event['headers'].get('authorization') == 'allow',"
    " 'context': {'user': 'bench'}}\n"
)
WS_SOURCE = (
    "def handler(event, context):\n"
    "    return {'statusCode': 200, 'body': event.get('body') or ''}\n"
)


@dataclass(slots=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found:
        return found
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"], check=True, capture_output=True, timeout=300
        )
    return shutil.which("wrk")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(
    wrk: str,
    url: str,
    seconds: float,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> WrkResult:
    argv = [wrk, "-t2", "-c32", f"-d{max(1, int(seconds))}s", "--latency", url]
    if script is not None:
        argv[1:1] = ["-s", script]
    for name, value in (headers or {}).items():
        argv[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(rps, p50, p99, int(bad.group(1)) if bad else 0)


@contextlib.contextmanager
def guarded_hello() -> Iterator[str]:
    """``bench._guarded_hello``: the hello world on the gateway port's own server stack."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        port = free_port()
        argv = [sys.executable, "-m", "bench._guarded_hello", str(port)]
        url = f"http://127.0.0.1:{port}/"
        with _child(argv, url, Path(tmp) / "hello.log"):
            yield url


class Issuer:
    """A local OpenID issuer: configuration and JWKS over HTTP, one signed token."""

    def __init__(self) -> None:
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        public.update({"kid": "k1", "alg": "RS256"})
        documents = {
            "/.well-known/openid-configuration": {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/jwks",
            },
            "/jwks": {"keys": [public]},
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = json.dumps(documents.get(self.path, {})).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        now = int(time.time())
        self.token = jwt.encode(
            {"iss": self.url, "aud": "bench", "sub": "u", "iat": now, "exp": now + 3600},
            key,
            algorithm="RS256",
            headers={"kid": "k1"},
        )


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _route(apigw: Any, api_id: str, integration: str, key: str, **auth: Any) -> None:
    apigw.create_route(ApiId=api_id, RouteKey=key, Target=f"integrations/{integration}", **auth)


async def websocket_round_trips(url: str, seconds: float, connections: int = 8) -> float:
    import websockets

    count = 0
    deadline = time.monotonic() + seconds

    async def one() -> None:
        nonlocal count
        async with websockets.connect(url) as ws:
            while time.monotonic() < deadline:
                await ws.send("ping")
                await ws.recv()
                count += 1

    started = time.monotonic()
    await asyncio.gather(*(one() for _ in range(connections)))
    return count / (time.monotonic() - started)


async def in_process_overhead(rounds: int = 5, runs: int = 1000) -> tuple[float, float]:
    """Microseconds per request through the execute-api door (scope in, response out, a
    warm function behind it) and per ``Invocations.invoke`` of the same event: their
    difference is the gateway's own work, without HTTP parsing or a load generator."""
    from bench._platform import create_function, running_platform
    from stratus.aws.apigatewayv2.component import ApisComponent
    from stratus.aws.lambda_.component import FunctionsComponent

    async with running_platform() as platform:
        await create_function(platform, "hello", HELLO_SOURCE)
        apis = platform.component(ApisComponent)
        api = await apis.http_apis.create(
            "000000000000",
            "us-east-1",
            {"name": "b", "protocol_type": "HTTP"},
            target="arn:aws:lambda:us-east-1:000000000000:function:hello",
            route_key="GET /hello",
        )
        invocations = platform.component(FunctionsComponent).invocations
        arn = "arn:aws:lambda:us-east-1:000000000000:function:hello"
        path = f"/_aws/execute-api/{api.api_id}/hello"
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8080"), (b"user-agent", b"bench")],
            "client": ("127.0.0.1", 5555),
            "server": ("127.0.0.1", 8080),
        }
        event: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            pass

        async def through_door() -> None:
            await platform.gateway(dict(scope), receive, send)

        payload = json.dumps({"version": "2.0", "routeKey": "GET /hello", **event}).encode()

        async def direct() -> None:
            await invocations.invoke(arn, None, payload)

        door_us: list[float] = []
        direct_us: list[float] = []
        for _ in range(200):
            await through_door()
            await direct()
        for _ in range(rounds):
            for call, out in ((through_door, door_us), (direct, direct_us)):
                start = time.perf_counter()
                for _ in range(runs):
                    await call()
                out.append((time.perf_counter() - start) / runs * 1e6)
        return sorted(door_us)[len(door_us) // 2], sorted(direct_us)[len(direct_us) // 2]


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    figure = Figure("gateway", "Gateway: HTTP API requests/s and latency, WebSocket round trips")
    wrk = ensure_wrk()
    if wrk is None:
        print("wrk is not installed and could not be installed (apt-get install -y wrk): skipped")
        figure.notes.append("skipped: wrk unavailable")
        emit(figure, args.json)
        return
    seconds = args.seconds
    with guarded_hello() as raw_url:
        run_wrk(wrk, raw_url, 1)
        baseline = run_wrk(wrk, raw_url, seconds)
    issuer = Issuer()
    with stratus_server() as served:
        endpoint, gateway_port = served.endpoint, served.gateway_port
        functions = lambda_client(endpoint)
        create_active(functions, "bench-hello", zip_of(HELLO_SOURCE), ROLE)
        create_active(functions, "bench-authorizer", zip_of(AUTHORIZER_SOURCE), ROLE)
        create_active(functions, "bench-ws", zip_of(WS_SOURCE), ROLE)
        arn = "arn:aws:lambda:us-east-1:000000000000:function:"
        apigw = _client("apigatewayv2", endpoint)
        api = apigw.create_api(
            Name="bench", ProtocolType="HTTP", Target=arn + "bench-hello", RouteKey="GET /hello"
        )
        api_id = api["ApiId"]
        integration = apigw.get_integrations(ApiId=api_id)["Items"][0]["IntegrationId"]
        jwt_auth = apigw.create_authorizer(
            ApiId=api_id,
            Name="jwt",
            AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Issuer": issuer.url, "Audience": ["bench"]},
        )["AuthorizerId"]
        lambda_auth = apigw.create_authorizer(
            ApiId=api_id,
            Name="lambda",
            AuthorizerType="REQUEST",
            AuthorizerUri=arn + "bench-authorizer",
            AuthorizerPayloadFormatVersion="2.0",
            EnableSimpleResponses=True,
            IdentitySource=["$request.header.Authorization"],
            AuthorizerResultTtlInSeconds=300,
        )["AuthorizerId"]
        _route(
            apigw, api_id, integration, "GET /jwt", AuthorizationType="JWT", AuthorizerId=jwt_auth
        )
        _route(
            apigw,
            api_id,
            integration,
            "GET /cached",
            AuthorizationType="CUSTOM",
            AuthorizerId=lambda_auth,
        )
        base = f"http://127.0.0.1:{gateway_port}/_aws/execute-api/{api_id}"
        cases = [
            (
                "hello-world function behind an HTTP API route",
                "/hello",
                {},
                "ratio >= 0.5 of the raw hello world",
            ),
            (
                "the same behind a JWT authorizer",
                "/jwt",
                {"Authorization": f"Bearer {issuer.token}"},
                "",
            ),
            (
                "the same behind a Lambda authorizer (cached)",
                "/cached",
                {"Authorization": "allow"},
                "",
            ),
        ]
        for label, path, headers, target in cases:
            run_wrk(wrk, base + path, 2, headers)  # warm-up: environments for 32 clients
            result = run_wrk(wrk, base + path, seconds, headers)
            ratio = result.requests_per_s / baseline.requests_per_s
            figure.add(
                Row(
                    label,
                    result.requests_per_s,
                    "req/s",
                    "raw ASGI hello world",
                    baseline.requests_per_s,
                    target,
                    (ratio >= 0.5) if target else None,
                )
            )
            figure.add(
                Row(
                    f"  p50 / p99 latency ({label.split(' ')[0]}...)",
                    result.p50_ms,
                    "ms",
                    "raw p50",
                    baseline.p50_ms,
                )
            )
            figure.notes.append(
                f"{path}: p99 {result.p99_ms:.2f} ms (raw {baseline.p99_ms:.2f} ms), "
                f"non-2xx {result.non_2xx}"
            )
        # Context, not a target: the same function through Lambda's Invoke on the control
        # port (an unsigned POST, as wrk sends it), so the gateway's share shows.
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write('wrk.method = "POST"\nwrk.body = "{}"\n')
        invoke_url = f"{endpoint}/2015-03-31/functions/bench-hello/invocations"
        run_wrk(wrk, invoke_url, 2, script=lua.name)
        invoked = run_wrk(wrk, invoke_url, seconds, script=lua.name)
        Path(lua.name).unlink()
        figure.add(
            Row(
                "the same function through Lambda Invoke over HTTP (control port)",
                invoked.requests_per_s,
                "req/s",
                "raw ASGI hello world",
                baseline.requests_per_s,
            )
        )
        ws_api = apigw.create_api(
            Name="ws", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
        )["ApiId"]
        ws_integration = apigw.create_integration(
            ApiId=ws_api, IntegrationType="AWS_PROXY", IntegrationUri=arn + "bench-ws"
        )["IntegrationId"]
        ws_route = apigw.create_route(
            ApiId=ws_api,
            RouteKey="$default",
            Target=f"integrations/{ws_integration}",
            RouteResponseSelectionExpression="$default",
        )["RouteId"]
        # two-way: the function's answer comes back only through a route response
        apigw.create_route_response(ApiId=ws_api, RouteId=ws_route, RouteResponseKey="$default")
        apigw.create_stage(ApiId=ws_api, StageName="prod", AutoDeploy=True)
        ws_url = f"ws://127.0.0.1:{gateway_port}/_aws/execute-api/{ws_api}/prod"
        asyncio.run(websocket_round_trips(ws_url, 1))
        per_s = asyncio.run(websocket_round_trips(ws_url, seconds))
        figure.add(
            Row(
                "WebSocket round trips through a function (8 connections)",
                per_s,
                "msg/s",
                "raw ASGI hello world req/s",
                baseline.requests_per_s,
            )
        )
    issuer.server.shutdown()
    door_us, direct_us = asyncio.run(in_process_overhead())
    figure.add(
        Row(
            "in-process: a request through the execute-api door to a warm function",
            door_us,
            "us",
            "Invocations.invoke of the same function",
            direct_us,
        )
    )
    figure.notes.append(
        f"the gateway's own work per request (door minus invoke): {door_us - direct_us:.0f} us"
    )
    figure.notes.append(
        "wrk -t2 -c32 on the same machine as the servers (2 cores shared by client, server "
        "and function environments); the WebSocket client is Python (websockets)"
    )
    emit(figure, args.json)


if __name__ == "__main__":
    main()
