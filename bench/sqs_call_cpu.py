"""Server CPU per SQS call through the real HTTP path, and what each call costs its client.

A fixed number of calls of each operation (SendMessage, ReceiveMessage, DeleteMessage, then
SendMessageBatch, ReceiveMessage of 10, DeleteMessageBatch, each entry a 512-byte body)
is made against ``stratus up`` by ``--clients`` client processes, every phase between two
barriers; the server's process CPU time (user + system, all its threads, from ``/proc``)
is read at each barrier, so each operation's server CPU per call is the difference over
the calls of that phase alone. CPU time, not wall time: the machine is shared, and CPU
time barely moves with the load where wall-clock figures double.

The clients send the JSON requests boto3 sends (same target header, body and credential
scope) through urllib3, so the server does the same work at a fraction of boto3's CPU;
``--boto3`` makes them boto3 clients instead and reports each call's client CPU as well
(the clients' own ``process_time``), the figure that bounds what 2 cores can reach.

The baseline, measured in the same run: a raw ASGI hello world (uvicorn, httptools,
uvloop) answering the same SendMessage request. ``--before PATH`` also measures the
server of another checkout (its ``stratus`` first on the path, this environment's
packages), alternating with this one ``--rounds`` times, so before and after share the
same minutes.

    python -m bench.sqs_call_cpu [--calls 2000] [--clients 1] [--boto3] [--before PATH]
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import orjson
import urllib3

from bench._report import Figure, Row, argument_parser, emit
from bench._server import Served, raw_asgi_server, stratus_server

BODY = "x" * 512
BATCH = 10
PHASES = (
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "SendMessageBatch",
    "ReceiveMessage (10)",
    "DeleteMessageBatch",
)


class _RawSqs:
    """boto3's JSON requests, written with urllib3 (one kept-alive connection)."""

    def __init__(self, endpoint: str) -> None:
        host, port = endpoint.removeprefix("http://").split(":")
        self._pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=1, retries=False)

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        response = self._pool.request(
            "POST",
            "/",
            body=orjson.dumps(params),
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": f"AmazonSQS.{operation}",
                "X-Amz-Date": "20240101T000000Z",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/"
                "aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
            },
        )
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {response.data[:200]!r}")
        answer: dict[str, Any] = orjson.loads(response.data)
        return answer


class _Boto3Sqs:
    """The same calls through a boto3 client, as users make them."""

    def __init__(self, endpoint: str) -> None:
        self._client = boto3.client(
            "sqs",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
        )

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        method = getattr(self._client, _snake(operation))
        answer: dict[str, Any] = method(**params)
        return answer


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


@dataclass(frozen=True, slots=True)
class _Plan:
    endpoint: str
    url: str
    calls: dict[str, int]  # phase -> calls per client
    boto3: bool
    baseline: bool  # the hello world: every call is a SendMessage, answers are ignored


def _client(
    plan: _Plan,
    barrier: multiprocessing.synchronize.Barrier,
    results: Any,
) -> None:
    """One client process: each phase's calls between two barriers; its own CPU per phase."""
    client = _Boto3Sqs(plan.endpoint) if plan.boto3 else _RawSqs(plan.endpoint)
    url = plan.url
    for _ in range(20):  # warm the connection and the client's own caches
        client.call("SendMessage", {"QueueUrl": url, "MessageBody": BODY})
    handles: list[str] = []
    mine: dict[str, tuple[int, float]] = {}
    entries = [{"Id": str(i), "MessageBody": BODY} for i in range(BATCH)]
    for phase in PHASES:
        count = plan.calls[phase]
        barrier.wait()
        cpu = time.process_time()
        made = 0
        if plan.baseline or phase == "SendMessage":
            for _ in range(count):
                client.call("SendMessage", {"QueueUrl": url, "MessageBody": BODY})
            made = count
        elif phase == "SendMessageBatch":
            for _ in range(count):
                client.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
            made = count
        elif phase.startswith("ReceiveMessage"):
            size = 1 if phase == "ReceiveMessage" else BATCH
            handles = []
            while len(handles) < count * size and made < count * 4:
                answer = client.call(
                    "ReceiveMessage",
                    {"QueueUrl": url, "MaxNumberOfMessages": size, "WaitTimeSeconds": 0},
                )
                handles.extend(m["ReceiptHandle"] for m in answer.get("Messages", []))
                made += 1
        elif phase == "DeleteMessage":
            for handle in handles:
                client.call("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": handle})
                made += 1
        else:
            for i in range(0, len(handles), BATCH):
                batch = [
                    {"Id": str(n), "ReceiptHandle": h} for n, h in enumerate(handles[i : i + BATCH])
                ]
                client.call("DeleteMessageBatch", {"QueueUrl": url, "Entries": batch})
                made += 1
        mine[phase] = (made, time.process_time() - cpu)
    barrier.wait()
    results.put(mine)


@dataclass(frozen=True, slots=True)
class PhaseCost:
    calls: int
    server_us: float  # server CPU per call
    loop_us: float  # of which the main (event loop) thread
    client_us: float  # client CPU per call


def _thread_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of the main thread and of the whole process (every thread)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def read(path: str) -> float:
        text = Path(path).read_text()
        fields = text[text.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    return read(f"/proc/{pid}/task/{pid}/stat"), read(f"/proc/{pid}/stat")


def measure_server(
    served: Served, url: str, calls: int, clients: int, boto3_clients: bool, baseline: bool
) -> dict[str, PhaseCost]:
    per_client = max(1, calls // clients)
    plan = _Plan(
        served.endpoint,
        url,
        dict.fromkeys(PHASES, per_client),
        boto3_clients,
        baseline,
    )
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_client, args=(plan, barrier, results), daemon=True)
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    marks: list[tuple[float, float]] = []
    for _ in range(len(PHASES) + 1):
        barrier.wait(timeout=600)
        marks.append(_thread_cpu(served.pid))
    reports = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(10)
    out: dict[str, PhaseCost] = {}
    for i, phase in enumerate(PHASES):
        made = sum(r[phase][0] for r in reports)
        client_cpu = sum(r[phase][1] for r in reports)
        loop = marks[i + 1][0] - marks[i][0]
        total = marks[i + 1][1] - marks[i][1]
        n = max(made, 1)
        out[phase] = PhaseCost(made, total / n * 1e6, loop / n * 1e6, client_cpu / n * 1e6)
    return out


def _stratus(root: Path | None) -> Callable[[], AbstractContextManager[Served]]:
    def start() -> AbstractContextManager[Served]:
        return stratus_server(root) if root is not None else stratus_server()

    return start


def _queue(served: Served) -> str:
    raw = _RawSqs(served.endpoint)
    url: str = raw.call("CreateQueue", {"QueueName": "bench"})["QueueUrl"]
    return url


def _runs(
    starts: dict[str, Callable[[], AbstractContextManager[Served]]],
    rounds: int,
    calls: int,
    clients: int,
    boto3_clients: bool,
) -> Iterator[tuple[str, dict[str, PhaseCost]]]:
    for _ in range(rounds):
        for name, start in starts.items():
            with start() as served:
                url = _queue(served)
                yield name, measure_server(served, url, calls, clients, boto3_clients, False)


def measure(
    calls: int, clients: int, boto3_clients: bool, before: Path | None, rounds: int
) -> Figure:
    figure = Figure("sqs_call_cpu", "SQS: server CPU per call through HTTP, per operation")
    with raw_asgi_server() as hello:
        base = measure_server(hello, f"{hello.endpoint}/000000000000/bench", calls, 1, False, True)
    base_us = sum(c.server_us for c in base.values()) / len(base)
    starts = {"after": _stratus(None)}
    if before is not None:
        starts = {"before": _stratus(before), **starts}
    found: dict[str, list[dict[str, PhaseCost]]] = {}
    for name, costs in _runs(starts, rounds, calls, clients, boto3_clients):
        found.setdefault(name, []).append(costs)
    kind = "boto3" if boto3_clients else "raw JSON"
    for name, runs in found.items():
        tag = f"{name}: " if before is not None else ""
        for phase in PHASES:
            server = min(r[phase].server_us for r in runs)
            loop = min(r[phase].loop_us for r in runs)
            figure.add(
                Row(
                    f"{tag}{phase}: server CPU per call ({clients} {kind} clients; loop "
                    f"thread {loop:.0f} us)",
                    server,
                    "us",
                    "raw ASGI hello world, same request",
                    base_us,
                )
            )
            if boto3_clients:
                client = min(r[phase].client_us for r in runs)
                figure.add(Row(f"{tag}{phase}: boto3 client CPU per call", client, "us"))
    figure.notes.append(
        f"{calls} calls per phase over {clients} client process(es); the least of {rounds} "
        f"round(s); {os.cpu_count()} cores shared with other work"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--boto3", action="store_true")
    parser.add_argument("--before", type=Path, default=None)
    args = parser.parse_args()
    if args.calls <= 0 or args.clients <= 0 or args.rounds <= 0:
        parser.error("--calls, --clients and --rounds must be > 0")
    emit(measure(args.calls, args.clients, args.boto3, args.before, args.rounds), args.json)


if __name__ == "__main__":
    main()
