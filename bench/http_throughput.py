"""Invokes per second through boto3 over HTTP, against a raw ASGI hello world served alike.

Figure (issue 3): "invokes per second through boto3 over HTTP with 8 client threads,
against a raw ASGI hello world served the same way", plus the single-client latency of a
warm invoke through boto3 (MiniStack answered one in about 54 ms; we aim for >10x faster).

Servers: ``python -m stratus up`` on free ports with a temporary data directory, serving
a hello-world function; the baseline is ``bench._hello_asgi`` under uvicorn + httptools +
uvloop (what ``stratus up`` runs on), each in its own process.

Clients, and why: the baseline answers Lambda's Invoke response shape (200, a JSON body),
so the *same* boto3 ``lambda.invoke`` call works against both servers and the client's
cost is identical on both sides: the ratio is the server's work alone. But boto3 costs
about a millisecond of CPU per call (serializing, signing, parsing, its event hooks), and
8 threads in one interpreter share one GIL on a 2-core machine that also runs the server,
so a boto3 client may saturate before either server does. The second pair of rows
therefore replays the exact request boto3 sent (method, path, signed headers, body;
captured once through botocore's ``before-send`` event) with raw urllib3 connection
pools, one per thread: the same bytes on the wire for a fraction of the client CPU. The
server's CPU per invoke (its process tree from /proc: server, zygote, workers) is
reported beside each throughput, since on a shared 2-core machine it is the more stable
figure.

    python -m bench.http_throughput [--seconds 5] [--threads 8] [--json PATH]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import urllib3

from bench._platform import HELLO_SOURCE, ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import Served, lambda_client, raw_asgi_server, stratus_server

NAME = "bench-http-hello"
MINISTACK_WARM_MS = 54.0  # issue 3: MiniStack's warm invoke through boto3 on this machine kind


@dataclass(slots=True)
class Load:
    invokes_per_s: float
    server_cpu_us_per_invoke: float


Call = Callable[[], None]


def boto3_caller(endpoint: str) -> Call:
    client = lambda_client(endpoint)

    def call() -> None:
        response = client.invoke(FunctionName=NAME, Payload=b"{}")
        body = response["Payload"].read()
        if response["StatusCode"] != 200 or "FunctionError" in response or not body:
            raise RuntimeError(f"bad invoke response: {response}")

    return call


@dataclass(frozen=True, slots=True)
class CapturedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def capture_invoke_request(endpoint: str) -> CapturedRequest:
    """The request boto3 sends for ``invoke``, as bytes to replay (taken from Stratus itself)."""
    client = lambda_client(endpoint)
    captured: list[Any] = []
    client.meta.events.register(
        "before-send.lambda.Invoke", lambda request, **_: captured.append(request)
    )
    client.invoke(FunctionName=NAME, Payload=b"{}")
    request = captured[0]
    path = request.url.split(endpoint, 1)[1]
    body = request.body if isinstance(request.body, bytes) else (request.body or b"")
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    return CapturedRequest(request.method, path, headers, body)


def raw_caller(endpoint: str, captured: CapturedRequest) -> Call:
    host, port = endpoint.removeprefix("http://").split(":")
    pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1, retries=False)

    def call() -> None:
        response = pool.request(
            captured.method, captured.path, body=captured.body, headers=captured.headers
        )
        if response.status != 200 or not response.data:
            raise RuntimeError(f"bad response {response.status}: {response.data[:200]!r}")

    return call


def throughput(served: Served, make_call: Callable[[], Call], threads: int, seconds: float) -> Load:
    """Invokes per second of ``threads`` clients calling in a loop for ``seconds``."""
    calls = [make_call() for _ in range(threads)]
    counts = [0] * threads
    errors: list[BaseException] = []
    ready = threading.Barrier(threads + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        call = calls[index]
        try:
            for _ in range(20):
                call()
        except BaseException as exc:
            errors.append(exc)
        ready.wait()
        try:
            while time.perf_counter() < deadline[0]:
                call()
                counts[index] += 1
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    cpu_before = served.cpu_seconds()
    start = time.perf_counter()
    deadline[0] = start + seconds
    ready.wait()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - start
    cpu = served.cpu_seconds() - cpu_before
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]!r}")
    total = sum(counts)
    return Load(total / elapsed, cpu / total * 1e6)


def latency_ms(call: Call, runs: int) -> list[float]:
    """One client, one call at a time: what a script calling a function sees."""
    for _ in range(50):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        call()
        times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def measure(seconds: float, threads: int, runs: int) -> Figure:
    figure = Figure(
        "http_throughput",
        f"HTTP invoke throughput ({threads} client threads) and warm latency, through boto3",
    )
    with raw_asgi_server() as baseline:
        base_boto = throughput(baseline, lambda: boto3_caller(baseline.endpoint), threads, seconds)
        base_latency = latency_ms(boto3_caller(baseline.endpoint), runs)
        with stratus_server() as stratus:
            lambda_client(stratus.endpoint).create_function(
                FunctionName=NAME,
                Runtime="python3.11",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": zip_of(HELLO_SOURCE)},
            )
            ours_boto = throughput(
                stratus, lambda: boto3_caller(stratus.endpoint), threads, seconds
            )
            ours_latency = latency_ms(boto3_caller(stratus.endpoint), runs)
            captured = capture_invoke_request(stratus.endpoint)
            ours_raw = throughput(
                stratus, lambda: raw_caller(stratus.endpoint, captured), threads, seconds
            )
            ours_raw_latency = latency_ms(raw_caller(stratus.endpoint, captured), runs)
        base_raw = throughput(
            baseline, lambda: raw_caller(baseline.endpoint, captured), threads, seconds
        )
        base_raw_latency = latency_ms(raw_caller(baseline.endpoint, captured), runs)

    figure.add(
        Row(
            "invokes/s, boto3 clients",
            ours_boto.invokes_per_s,
            "/s",
            "raw ASGI",
            base_boto.invokes_per_s,
        )
    )
    figure.add(
        Row(
            "invokes/s, raw urllib3 clients",
            ours_raw.invokes_per_s,
            "/s",
            "raw ASGI",
            base_raw.invokes_per_s,
        )
    )
    figure.add(
        Row(
            "server CPU per invoke, boto3 clients",
            ours_boto.server_cpu_us_per_invoke,
            "us",
            "raw ASGI",
            base_boto.server_cpu_us_per_invoke,
        )
    )
    figure.add(
        Row(
            "server CPU per invoke, raw clients",
            ours_raw.server_cpu_us_per_invoke,
            "us",
            "raw ASGI",
            base_raw.server_cpu_us_per_invoke,
        )
    )
    target_ms = MINISTACK_WARM_MS / 10
    p50 = percentile(ours_latency, 0.5)
    figure.add(
        Row(
            "warm invoke p50, one boto3 client",
            p50,
            "ms",
            "raw ASGI",
            percentile(base_latency, 0.5),
            target=f"p50 < {target_ms:.1f} ms (MiniStack ~{MINISTACK_WARM_MS:.0f} ms / 10)",
            met=p50 < target_ms,
        )
    )
    figure.add(
        Row(
            "warm invoke p99, one boto3 client",
            percentile(ours_latency, 0.99),
            "ms",
            "raw ASGI",
            percentile(base_latency, 0.99),
        )
    )
    figure.add(
        Row(
            "warm invoke p50, one raw client",
            percentile(ours_raw_latency, 0.5),
            "ms",
            "raw ASGI",
            percentile(base_raw_latency, 0.5),
        )
    )
    figure.add(
        Row(
            "warm invoke p99, one raw client",
            percentile(ours_raw_latency, 0.99),
            "ms",
            "raw ASGI",
            percentile(base_raw_latency, 0.99),
        )
    )
    figure.notes.append(
        f"{seconds:g} s of load per row after 20 warm-up calls per thread; latency over {runs} "
        "sequential calls after 50 warm-up calls; client and server share the machine"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--runs", type=int, default=500, help="sequential calls for latency")
    args = parser.parse_args()
    if args.seconds <= 0 or args.threads < 1 or args.runs < 10:
        parser.error("--seconds must be > 0, --threads >= 1, --runs >= 10")
    emit(measure(args.seconds, args.threads, args.runs), args.json)


if __name__ == "__main__":
    main()
