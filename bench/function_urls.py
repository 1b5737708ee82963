"""Function URLs: requests per second and latency of a hello world behind a URL, and the
time to first byte of a streaming function against the same function buffered.

Figure (issue 8, item 6; issue 13, streaming): requests/s and p50/p99 latency of a
hello-world function behind a function URL, against a raw ASGI hello world on the same
server stack (uvicorn + httptools + uvloop, ``bench._hello_asgi``) measured in the same
run. The load generator is wrk (C, on the same machine, 2 threads, 16 connections); the
bench installs it from the OS packages (``apt-get install -y wrk``) when it is missing and
it may, and otherwise says it skipped those rows.

Streaming: a Node.js function writes a first piece, waits 200 ms, writes the rest. Behind
a RESPONSE_STREAM URL the client's first byte comes before the wait; behind a BUFFERED URL
only after the function returns. Both are timed with a raw socket from the request's
last byte to the first byte of the response body (median of a few runs).

    python -m bench.function_urls [--seconds 10] [--json PATH]
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from typing import Any

from bench._platform import HELLO_SOURCE, ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import lambda_client, raw_asgi_server, stratus_server

STREAMER = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("first piece\\n");
  await new Promise((r) => setTimeout(r, 200));
  responseStream.end("the rest\\n");
});
"""
# The same work answered the buffered way: the whole body once the function returns.
BUFFERED = """
exports.handler = async () => {
  await new Promise((r) => setTimeout(r, 200));
  return { statusCode: 200, body: "first piece\\nthe rest\\n" };
};
"""


def ensure_wrk() -> str | None:
    """wrk's path, installing it from the OS packages if missing and allowed."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or shutil.which("apt-get") is None:
        return found
    subprocess.run(
        ["apt-get", "install", "-y", "wrk"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return shutil.which("wrk")


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def run_wrk(
    wrk: str, url: str, host: str | None, seconds: float, script: str | None = None
) -> WrkResult:
    argv = [wrk, "-t2", "-c16", f"-d{int(seconds)}s", "--latency"]
    if host:
        argv += ["-H", f"Host: {host}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            argv += ["-s", lua.name]
        out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(rps, p50, p99, int(bad.group(1)) if bad else 0)


def public_url(client: Any, name: str, mode: str = "BUFFERED") -> str:
    url = client.create_function_url_config(FunctionName=name, AuthType="NONE", InvokeMode=mode)
    client.add_permission(
        FunctionName=name,
        StatementId="url",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    client.add_permission(
        FunctionName=name,
        StatementId="invoke",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )
    return str(url["FunctionUrl"])


def host_of(url: str) -> str:
    return url.split("//", 1)[1].rstrip("/")


def ttfb_ms(port: int, host: str, runs: int = 7) -> float:
    """Median time from sending a GET to the first byte of its response body."""
    times = []
    for _ in range(runs + 1):
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            start = time.perf_counter()
            sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            while not body:
                body = sock.recv(65536)
            times.append((time.perf_counter() - start) * 1000)
            if b" 200 " not in head.split(b"\r\n", 1)[0] + b" ":
                raise RuntimeError(f"bad streaming answer: {head[:200]!r}")
            while sock.recv(65536):
                pass
    return percentile(times[1:], 0.5)  # the first run is the cold start


def node_zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.js", source)
    return buffer.getvalue()


def measure(seconds: float) -> Figure:
    figure = Figure("function_urls", "Function URLs: hello world over wrk; streaming TTFB")
    wrk = ensure_wrk()
    with stratus_server() as stratus:
        client = lambda_client(stratus.endpoint)
        client.create_function(
            FunctionName="bench-url-hello",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": zip_of(HELLO_SOURCE)},
        )
        hello = host_of(public_url(client, "bench-url-hello"))
        gateway = f"http://127.0.0.1:{stratus.gateway_port}/"
        if wrk is None:
            figure.notes.append("wrk is not installed and could not be: throughput skipped")
        else:
            run_wrk(wrk, gateway, hello, 2)  # warm the environments and the connections
            ours = run_wrk(wrk, gateway, hello, seconds)
            with raw_asgi_server() as baseline:
                run_wrk(wrk, baseline.endpoint + "/", None, 2)
                base = run_wrk(wrk, baseline.endpoint + "/", None, seconds)
            target = ">= 50% of the raw hello world's throughput (the HTTP API target)"
            figure.add(
                Row(
                    "requests/s, hello world behind a function URL",
                    ours.requests_per_s,
                    "/s",
                    "raw ASGI hello world",
                    base.requests_per_s,
                    target,
                    ours.requests_per_s >= 0.5 * base.requests_per_s,
                )
            )
            figure.add(Row("p50 latency", ours.p50_ms, "ms", "raw ASGI p50", base.p50_ms))
            figure.add(Row("p99 latency", ours.p99_ms, "ms", "raw ASGI p99", base.p99_ms))
            # The same function through the Lambda API's Invoke, with the same load: what
            # the URL's own work (event, policy, response) adds to an invocation.
            invoke_url = f"{stratus.endpoint}/2015-03-31/functions/bench-url-hello/invocations"
            post = 'wrk.method = "POST"\nwrk.body = "{}"\n'
            run_wrk(wrk, invoke_url, None, 2, post)
            invoke = run_wrk(wrk, invoke_url, None, seconds, post)
            figure.add(
                Row(
                    "requests/s, function URL vs the Invoke API",
                    ours.requests_per_s,
                    "/s",
                    "Invoke over HTTP (unsigned POST)",
                    invoke.requests_per_s,
                )
            )
            if ours.errors:
                figure.notes.append(f"{ours.errors} non-2xx answers from the function URL")
        if shutil.which("node") is None:
            figure.notes.append("node is not installed: streaming TTFB skipped")
        else:
            for name, source in (("bench-url-stream", STREAMER), ("bench-url-buf", BUFFERED)):
                client.create_function(
                    FunctionName=name,
                    Runtime="nodejs20.x",
                    Role=ROLE,
                    Handler="index.handler",
                    Code={"ZipFile": node_zip(source)},
                )
            streamed = ttfb_ms(
                stratus.gateway_port,
                host_of(public_url(client, "bench-url-stream", "RESPONSE_STREAM")),
            )
            buffered = ttfb_ms(stratus.gateway_port, host_of(public_url(client, "bench-url-buf")))
            figure.add(
                Row(
                    "time to first byte, RESPONSE_STREAM (function waits 200 ms midway)",
                    streamed,
                    "ms",
                    "same function, BUFFERED",
                    buffered,
                    "first byte before the function's 200 ms wait ends",
                    streamed < 200.0 <= buffered,
                )
            )
    figure.notes.append(
        "load generator on the same machine as the servers (wrk, 2 threads, 16 connections)"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    emit(measure(args.seconds), args.json)


if __name__ == "__main__":
    main()
