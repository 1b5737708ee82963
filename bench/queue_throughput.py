"""Queue throughput: the store alone, SendMessage over HTTP, and end to end through boto3.

Figures (the SQS issue):

(a) messages per second through the queue service and its store alone (in-process: send,
    receive and delete in batches of 10, by 8 concurrent tasks), against raw SQLite
    inserting and deleting rows of the same size in transactions of 10, measured in the
    same run on the same kind of database (WAL, ``synchronous=NORMAL``: the default
    ``--durability normal``, where a commit survives any crash of our processes but not a
    power loss; no fsync per commit). Plus the store's write amplification: bytes the
    process writes (``wchar`` from ``/proc/self/io``) per message for each step, with
    256 KiB bodies, against the body's size;
(b) boto3 SendMessage round trips per second with 8 client threads against
    ``stratus up``, against a raw ASGI hello world served the same way (uvicorn,
    httptools, uvloop) answering the same boto3 call;
(c) end to end: each message sent, received and deleted, by 8 client processes each with
    its own boto3 client, one message at a time (target >= 1,000 messages/s) and in
    batches of 10 (target >= 5,000 messages/s). Every send and delete is acknowledged
    only once committed (durable as above). The same again with clients that send the
    JSON requests boto3 sends through urllib3 (no boto3 CPU): what the server sustains.

Clients and server share the machine; boto3 costs about a millisecond of CPU per call,
so on 2 cores the clients are often the limit in (b) and (c): the server's CPU per
message is reported beside each throughput.

    python -m bench.queue_throughput [--seconds 5] [--json PATH]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import orjson
import urllib3

from bench._report import Figure, Row, argument_parser, emit
from bench._server import Served, raw_asgi_server, stratus_server
from stratus.services.queues.messages import new_message
from stratus.services.queues.model import QueueKey
from stratus.services.queues.service import QueueService
from stratus.services.queues.sqlite import QUEUES_MIGRATIONS, SQLiteQueueStore
from stratus.store.sqlite.database import SQLiteDatabase

BODY_BYTES = 512
BATCH = 10
TASKS = 8
CLIENTS = 8
KEY = QueueKey("000000000000", "us-east-1", "bench")


# -- (a) the store alone ------------------------------------------------------------------
async def _service(path: Path, durability: str = "normal") -> tuple[SQLiteDatabase, QueueService]:
    db = SQLiteDatabase(path, durability=durability)
    await db.open({"queues": QUEUES_MIGRATIONS})
    service = QueueService(SQLiteQueueStore(db))
    await service.load()
    await service.registry.create(KEY, {}, {})
    return db, service


async def _store_rate(path: Path, seconds: float, durability: str = "normal") -> float:
    db, service = await _service(path, durability)
    body = "x" * BODY_BYTES
    done = [0]
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await service.send(KEY, [new_message(body) for _ in range(BATCH)], "bench")
            received = await service.receive(KEY, BATCH, visibility_timeout=30)
            await service.delete_messages(KEY, [m.receipt_handle for m in received])
            done[0] += len(received)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(TASKS)))
    elapsed = time.perf_counter() - start
    await db.close()
    return done[0] / elapsed


def store_rate(seconds: float, durability: str = "normal") -> float:
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        return asyncio.run(_store_rate(Path(tmp) / "q.db", seconds, durability))


def raw_sqlite_rate(seconds: float) -> float:
    """Rows of the same size inserted, then deleted, 10 per transaction, one connection."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        conn = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE m (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        body = "x" * BODY_BYTES
        seq = 0
        done = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            rows = [(seq + i, body) for i in range(BATCH)]
            seq += BATCH
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO m VALUES (?, ?)", rows)
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            conn.executemany("DELETE FROM m WHERE seq = ?", [(r[0],) for r in rows])
            conn.execute("COMMIT")
            done += BATCH
        elapsed = time.perf_counter() - start
        conn.close()
        return done / elapsed


def _written() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


async def _amplification(path: Path, count: int, size: int) -> dict[str, float]:
    """Bytes written per message by each step, with ``size``-byte bodies."""
    db, service = await _service(path)
    body = "y" * size
    out: dict[str, float] = {}
    before = _written()
    for _ in range(count // BATCH):
        await service.send(KEY, [new_message(body) for _ in range(BATCH)], "bench")
    out["send"] = (_written() - before) / count
    before = _written()
    handles: list[str] = []
    while len(handles) < count:
        received = await service.receive(KEY, BATCH, visibility_timeout=300)
        handles.extend(m.receipt_handle for m in received)
    out["receive"] = (_written() - before) / count
    before = _written()
    for i in range(0, count, BATCH):
        await service.delete_messages(KEY, handles[i : i + BATCH])
    out["delete"] = (_written() - before) / count
    await db.close()
    return out


def amplification(count: int = 200, size: int = 256 * 1024) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as tmp:
        return asyncio.run(_amplification(Path(tmp) / "amp.db", count, size))


# -- (b) and (c): over HTTP -------------------------------------------------------------------
def sqs_client(endpoint: str, pool: int = 10) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=pool
        ),
    )


def send_rate(served: Served, url: str, seconds: float, threads: int = 8) -> tuple[float, float]:
    """SendMessage calls per second of ``threads`` boto3 clients; server CPU us per call."""
    clients = [sqs_client(served.endpoint) for _ in range(threads)]
    counts = [0] * threads
    errors: list[BaseException] = []
    body = "x" * BODY_BYTES
    barrier = threading.Barrier(threads + 1)
    deadline = [0.0]

    def worker(i: int) -> None:
        client = clients[i]
        try:
            for _ in range(20):
                client.send_message(QueueUrl=url, MessageBody=body)
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                client.send_message(QueueUrl=url, MessageBody=body)
                counts[i] += 1
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    deadline[0] = time.perf_counter() + seconds + 60  # set for real once all are warm
    barrier.wait()
    cpu = served.cpu_seconds()
    start = time.perf_counter()
    deadline[0] = start + seconds
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} client errors, first: {errors[0]!r}")
    total = sum(counts)
    return total / elapsed, (served.cpu_seconds() - cpu) / total * 1e6


def _e2e_client(endpoint: str, url: str, batch: int, start_at: float, stop_at: float) -> int:
    """One client process: send, receive and delete ``batch`` messages at a time."""
    client = sqs_client(endpoint)
    body = "x" * BODY_BYTES
    done = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        if batch == 1:
            client.send_message(QueueUrl=url, MessageBody=body)
            messages = client.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
            for message in messages:
                client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        else:
            entries = [{"Id": str(i), "MessageBody": body} for i in range(batch)]
            client.send_message_batch(QueueUrl=url, Entries=entries)
            messages = client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=batch, WaitTimeSeconds=1
            ).get("Messages", [])
            if messages:
                client.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
        done += len(messages)
    return done


class RawSqs:
    """The JSON requests boto3 sends (same target header, body and credential scope),
    written with urllib3: the same work for the server at a fraction of boto3's CPU."""

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
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/"
                "aws4_request, SignedHeaders=host;x-amz-date, Signature=0",
            },
        )
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {response.data[:200]!r}")
        answer: dict[str, Any] = orjson.loads(response.data)
        return answer


def _raw_client(endpoint: str, url: str, batch: int, start_at: float, stop_at: float) -> int:
    client = RawSqs(endpoint)
    body = "x" * BODY_BYTES
    done = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        if batch == 1:
            client.call("SendMessage", {"QueueUrl": url, "MessageBody": body})
        else:
            entries = [{"Id": str(i), "MessageBody": body} for i in range(batch)]
            client.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries})
        messages = client.call(
            "ReceiveMessage",
            {"QueueUrl": url, "MaxNumberOfMessages": batch, "WaitTimeSeconds": 1},
        ).get("Messages", [])
        if batch == 1:
            for message in messages:
                client.call(
                    "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": message["ReceiptHandle"]}
                )
        elif messages:
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ]
            client.call("DeleteMessageBatch", {"QueueUrl": url, "Entries": entries})
        done += len(messages)
    return done


def end_to_end(
    served: Served, url: str, batch: int, seconds: float, raw: bool = False
) -> tuple[float, float]:
    """Messages per second sent, received and deleted by CLIENTS processes."""
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 2.0  # every process is up and has its client by then
    stop_at = start_at + seconds
    client = _raw_client if raw else _e2e_client
    with context.Pool(CLIENTS) as pool:
        pending = pool.starmap_async(
            client, [(served.endpoint, url, batch, start_at, stop_at)] * CLIENTS
        )
        while time.time() < start_at:
            time.sleep(0.001)
        cpu = served.cpu_seconds()
        counts = pending.get(timeout=seconds + 120)
        cpu = served.cpu_seconds() - cpu
    total = sum(counts)
    return total / seconds, cpu / max(total, 1) * 1e6


def measure(seconds: float) -> Figure:
    figure = Figure("queue_throughput", "Queues: store, SendMessage over HTTP, end to end")
    ours = store_rate(seconds)
    raw = raw_sqlite_rate(seconds)
    figure.add(
        Row(
            f"store alone: send+receive+delete, batches of {BATCH}, {BODY_BYTES} B bodies",
            ours,
            "msg/s",
            "raw SQLite insert+delete",
            raw,
        )
    )
    full = store_rate(seconds, "full")
    figure.add(
        Row(
            "store alone, --durability full (fsync per group commit)",
            full,
            "msg/s",
            "durability normal",
            ours,
        )
    )
    amp = amplification()
    body = 256 * 1024
    for step in ("send", "receive", "delete"):
        figure.add(
            Row(
                f"bytes written per message, {step}, 256 KiB bodies",
                amp[step],
                "B",
                "body size",
                float(body),
            )
        )
    with raw_asgi_server() as baseline:
        base_send, base_cpu = send_rate(
            baseline, f"{baseline.endpoint}/000000000000/bench", seconds
        )
    with stratus_server() as stratus:
        url = sqs_client(stratus.endpoint).create_queue(QueueName="bench")["QueueUrl"]
        send, send_cpu = send_rate(stratus, url, seconds)
        sqs_client(stratus.endpoint).purge_queue(QueueUrl=url)
        one, one_cpu = end_to_end(stratus, url, 1, seconds)
        ten, ten_cpu = end_to_end(stratus, url, BATCH, seconds)
        raw_one, raw_one_cpu = end_to_end(stratus, url, 1, seconds, raw=True)
        raw_ten, raw_ten_cpu = end_to_end(stratus, url, BATCH, seconds, raw=True)
    figure.add(Row("SendMessage/s, 8 boto3 threads", send, "/s", "raw ASGI", base_send))
    figure.add(Row("server CPU per SendMessage", send_cpu, "us", "raw ASGI", base_cpu))
    figure.add(
        Row(
            f"end to end one at a time, {CLIENTS} boto3 processes",
            one,
            "msg/s",
            target=">= 1,000 msg/s",
            met=one >= 1000,
        )
    )
    figure.add(Row("server CPU per message, one at a time", one_cpu, "us"))
    figure.add(
        Row(
            f"end to end in batches of {BATCH}, {CLIENTS} boto3 processes",
            ten,
            "msg/s",
            target=">= 5,000 msg/s",
            met=ten >= 5000,
        )
    )
    figure.add(Row("server CPU per message, batches of 10", ten_cpu, "us"))
    figure.add(Row(f"end to end one at a time, {CLIENTS} raw JSON clients", raw_one, "msg/s"))
    figure.add(Row("server CPU per message, one at a time, raw clients", raw_one_cpu, "us"))
    figure.add(
        Row(f"end to end in batches of {BATCH}, {CLIENTS} raw JSON clients", raw_ten, "msg/s")
    )
    figure.add(Row("server CPU per message, batches of 10, raw clients", raw_ten_cpu, "us"))
    figure.notes.append(
        f"{seconds:g} s per row; durability normal (WAL, synchronous=NORMAL, no fsync per "
        f"commit); {os.cpu_count()} cores shared by clients, server and other work"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if args.seconds <= 0:
        parser.error("--seconds must be > 0")
    emit(measure(args.seconds), args.json)


if __name__ == "__main__":
    main()
