"""``stratus up``: serve the platform in the foreground until Ctrl-C or SIGTERM.

Two uvicorn servers share one event loop: the control port (AWS APIs, native API) and
the gateway port (users' HTTP APIs). Both hold clients to the servers' own limits
(``stratus.serving``): one connection count and one budget of request bodies between
them, so that a hostile client cannot exhaust the process through either. Signals are ours, not uvicorn's: the first one asks
both servers to stop accepting and lets in-flight requests finish, then the platform
drains invocations, kills environments and closes the store; a second one forces exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import resource
import signal
import socket
import sys
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import uvicorn

from stratus.aws.accounts import DEFAULT_ACCOUNT_ID
from stratus.aws.apigatewayv2.component import ApisComponent
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.cli.demo import DEMO_NAME, deploy_demo, deploy_demo_api
from stratus.platform import Platform, PlatformConfig
from stratus.serving import (
    BodyBudget,
    BodyLimit,
    ConnectionGuard,
    GuardedHttpToolsProtocol,
    HttpLimits,
    connection_cap,
)
from stratus.serving.bodies import AsgiApp

log = logging.getLogger("stratus")

#: API Gateway's largest WebSocket message (128 KB).
_WS_MAX_MESSAGE_BYTES = 128 * 1024


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to ``stratus up``."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass(frozen=True, slots=True)
class _Guards:
    """What both servers share: the limits, the connection count, the body budget."""

    limits: HttpLimits
    connections: ConnectionGuard
    bodies: BodyBudget

    @classmethod
    def for_process(cls, limits: HttpLimits) -> _Guards:
        fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if fd_limit == resource.RLIM_INFINITY:
            fd_limit = 1 << 20
        cap = connection_cap(limits, fd_limit)
        if cap < limits.max_connections:
            log.warning(
                "at most %d connections: half of this process's %d file descriptors "
                "(raise them with ulimit -n to allow %d)",
                cap,
                fd_limit,
                limits.max_connections,
            )
        return cls(limits, ConnectionGuard(cap), BodyBudget(limits.body_budget_bytes))


def _server(
    app: object,
    host: str,
    port: int,
    grace_s: float,
    guards: _Guards,
    streams: Callable[[MutableMapping[str, Any]], bool] | None = None,
    *,
    server_header: bool = True,
) -> _Server:
    protocol = functools.partial(
        GuardedHttpToolsProtocol, guard=guards.connections, limits=guards.limits, streams=streams
    )
    config = uvicorn.Config(
        BodyLimit(cast(AsgiApp, app), guards.bodies, guards.limits, streams=streams),
        host=host,
        port=port,
        loop="none",
        http=protocol,  # type: ignore[arg-type]
        ws="websockets-sansio",  # WebSocket APIs on the gateway port (the websockets library)
        ws_max_size=_WS_MAX_MESSAGE_BYTES,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(grace_s),
        server_header=server_header,
    )
    return _Server(config)


class PortInUse(Exception):
    """A port ``stratus up`` needs is taken (another Stratus, LocalStack ...)."""


def _listen(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), reuse_port=False, backlog=2048)
    except OSError as exc:
        raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from exc


async def serve(config: PlatformConfig, *, demo: bool = False) -> None:
    # Bind first: a taken port is a one-line error before anything else starts.
    control_socket = _listen(config.host, config.port)
    try:
        gateway_socket = _listen(config.host, config.gateway_port)
    except PortInUse:
        control_socket.close()
        raise
    guards = _Guards.for_process(config.http)
    platform = Platform(config)
    await platform.start()
    try:
        demo_url = None
        if demo:
            if await deploy_demo(platform.component(FunctionsComponent).registry, config.region):
                log.info("deployed the demo function %r", DEMO_NAME)
            demo_api = await deploy_demo_api(
                platform.component(ApisComponent).http_apis, DEFAULT_ACCOUNT_ID, config.region
            )
            demo_url = f"http://{demo_api.api_id}.execute-api.localhost:{config.gateway_port}/"
        # What start-up built (botocore's service models, routes, validators: ~100,000
        # objects) lives as long as the process: out of the collector's sight, a full
        # collection no longer walks it (measured: a 58 ms pause every ~6,000 requests).
        gc.freeze()
        grace = config.shutdown_grace_s
        # No "server: uvicorn" on AWS's APIs: SQS answers with x-amzn-RequestId,
        # Content-Length, Date and Content-Type alone (AWS's "Interpreting Amazon SQS JSON
        # API responses"), and every SDK call parses every header (boto3 through
        # http.client's email parser, ~10 us of client CPU a header).
        control = _server(
            platform.app,
            config.host,
            config.port,
            grace,
            guards,
            platform.app.streams_body,
            server_header=False,
        )
        gateway = _server(platform.gateway, config.host, config.gateway_port, grace, guards)
        servers = (control, gateway)
        loop = asyncio.get_running_loop()

        def request_exit() -> None:
            platform.begin_shutdown()
            for server in servers:
                if server.should_exit:
                    server.force_exit = True
                server.should_exit = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, request_exit)
        serving = asyncio.gather(
            control.serve(sockets=[control_socket]), gateway.serve(sockets=[gateway_socket])
        )
        await _announce(control, config, demo_url)
        await serving
    finally:
        guards.connections.close()
        await platform.stop()
        log.info("Stratus stopped")


async def _announce(control: _Server, config: PlatformConfig, demo_url: str | None) -> None:
    while not control.started and not control.should_exit:
        await asyncio.sleep(0.01)
    if not control.started:
        return
    lines = [
        f"Stratus is up: AWS APIs on {config.endpoint_url}",
        f"  API Gateway APIs on http://{{api-id}}.execute-api.localhost:{config.gateway_port} "
        f"(or http://{config.host}:{config.gateway_port}/_aws/execute-api/{{api-id}}/)",
        f"  function URLs on http://{{url-id}}.lambda-url.{config.region}.localhost:"
        f"{config.gateway_port}",
        f"  data: {config.data_dir}",
    ]
    if demo_url is not None:
        lines.append(
            f"  demo: aws --endpoint-url {config.endpoint_url} lambda invoke "
            f"--function-name {DEMO_NAME} out.json"
        )
        lines.append(f"  demo: curl {demo_url}?name=Ada")
    lines.append("  Ctrl-C to stop")
    print("\n".join(lines), file=sys.stderr, flush=True)


def run(config: PlatformConfig, *, demo: bool = False) -> None:
    try:
        import uvloop

        uvloop.run(serve(config, demo=demo))
    except ImportError:  # pragma: no cover - platforms without uvloop
        asyncio.run(serve(config, demo=demo))
