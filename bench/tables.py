"""Tables: GetItem, PutItem and Query (10 items) per second through boto3, against moto's
DynamoDB server driven the same way in the same run and against raw SQLite; stream
records per second from write to a trigger's function.

Figures (the tables issue):

(a) operations per second through boto3 with 8 client threads (each its own client),
    against ``stratus up`` and against ``moto_server`` (moto's DynamoDB, in memory, no
    durability) started the same way, each on its own table of 1,000 items of ~200 bytes
    (target: at least 5x moto); every Stratus PutItem is acknowledged only once committed
    (WAL, ``synchronous=NORMAL``: survives any crash of our processes);
(b) the ceiling: raw SQLite reads by primary key and single-row write transactions of
    rows of the same size, 8 threads, same kind of database, in this process;
(c) stream records per second from BatchWriteItem (25 items a call, 8 calls in flight,
    through the in-process platform) to a function counting them through an event source
    mapping (BatchSize 100): the run ends when the mapping has processed every record.

Clients and servers share the machine's cores, so (a) is often limited by the clients'
CPU (boto3 costs about a millisecond per call): the servers' CPU per operation is shown.

    python -m bench.tables [--seconds 5] [--records 5000] [--json PATH]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config

from bench._platform import create_function, running_platform
from bench._report import Figure, Row, argument_parser, emit
from bench._server import Served, _wait_until_answering, free_port, stratus_server
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.services.event_sources.model import MappingSettings
from stratus.services.scope import Scope

THREADS = 8
ITEMS = 1000
PAYLOAD = "x" * 160
TARGET_RATIO = 5.0


@contextlib.contextmanager
def moto_server() -> Iterator[Served]:
    """moto's server (``moto.server``) on a free port, as its users start it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="moto-bench-") as tmp:
        log = Path(tmp) / "moto.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=out,
            )
        try:
            _wait_until_answering(f"http://127.0.0.1:{port}/moto-api/", process, log)
            yield Served(f"http://127.0.0.1:{port}", process.pid)
        finally:
            process.terminate()
            process.wait(30)


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=2),
    )


def _prepare(endpoint: str) -> str:
    client = _client(endpoint)
    name = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, ITEMS, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": _item(f"k{i}", "0", i)}}
                    for i in range(start, min(ITEMS, start + 25))
                ]
            }
        )
    for i in range(10):
        client.put_item(TableName=name, Item=_item("q", f"{i:02d}", i))
    return name


def _item(pk: str, sk: str, n: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": str(n)}, "payload": {"S": PAYLOAD}}


def _rate(endpoint: str, name: str, seconds: float, op: Callable[[Any, str], None]) -> float:
    done = [0] * THREADS
    deadline = time.perf_counter() + seconds
    clients = [_client(endpoint) for _ in range(THREADS)]
    for client in clients:
        op(client, name)  # warm the connection

    def worker(index: int) -> None:
        client = clients[index]
        while time.perf_counter() < deadline:
            op(client, name)
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - start)


def _get(client: Any, name: str) -> None:
    client.get_item(
        TableName=name, Key={"pk": {"S": f"k{random.randrange(ITEMS)}"}, "sk": {"S": "0"}}
    )


def _put(client: Any, name: str) -> None:
    client.put_item(TableName=name, Item=_item(f"k{random.randrange(ITEMS)}", "0", 1))


def _query(client: Any, name: str) -> None:
    answer = client.query(
        TableName=name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "q"}},
    )
    assert answer["Count"] == 10


OPS: dict[str, Callable[[Any, str], None]] = {
    "GetItem": _get,
    "PutItem": _put,
    "Query (10 items)": _query,
}


# -- (b) raw SQLite ---------------------------------------------------------------------
def _sqlite_rates(seconds: float) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="sqlite-bench-") as tmp:
        path = Path(tmp) / "raw.db"
        setup = sqlite3.connect(path)
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute(
            "CREATE TABLE t (hk BLOB, rk BLOB, item BLOB, PRIMARY KEY (hk, rk)) WITHOUT ROWID"
        )
        row = os.urandom(200)
        setup.executemany(
            "INSERT INTO t VALUES (?, ?, ?)", [(f"k{i}".encode(), b"0", row) for i in range(ITEMS)]
        )
        setup.commit()
        setup.close()

        def reader(conn: sqlite3.Connection) -> None:
            conn.execute(
                "SELECT item FROM t WHERE hk = ? AND rk = ?",
                (f"k{random.randrange(ITEMS)}".encode(), b"0"),
            ).fetchone()

        lock = threading.Lock()

        def writer(conn: sqlite3.Connection) -> None:
            with lock:  # SQLite has one writer: threads take turns, as with a writer thread
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "INSERT OR REPLACE INTO t VALUES (?, ?, ?)",
                    (f"k{random.randrange(ITEMS)}".encode(), b"0", row),
                )
                conn.execute("COMMIT")

        rates = []
        for op in (reader, writer):
            done = [0] * THREADS
            deadline = time.perf_counter() + seconds

            threads = [
                threading.Thread(target=_sqlite_worker, args=(path, op, deadline, done, i))
                for i in range(THREADS)
            ]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rates.append(sum(done) / (time.perf_counter() - start))
        return rates[0], rates[1]


def _sqlite_worker(
    path: Path,
    op: Callable[[sqlite3.Connection], None],
    deadline: float,
    done: list[int],
    index: int,
) -> None:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA synchronous=NORMAL")
    while time.perf_counter() < deadline:
        op(conn)
        done[index] += 1
    conn.close()


# -- (c) stream records to a trigger ------------------------------------------------------
async def _stream_rate(records: int) -> tuple[float, int]:
    async with running_platform() as platform:
        caller = platform.context.aws_caller
        function = await create_function(
            platform,
            f"bench-stream-{uuid.uuid4().hex[:8]}",
            "def handler(event, context):\n    return None\n",
        )
        name = f"bench-{uuid.uuid4().hex[:8]}"
        created = await caller.call(
            "dynamodb",
            "CreateTable",
            {
                "TableName": name,
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            },
        )
        stream_arn = created["TableDescription"]["LatestStreamArn"]
        engine = platform.component(FunctionsComponent).event_sources
        settings = MappingSettings(batch_size=100, stream={"StartingPosition": "TRIM_HORIZON"})
        mapping = await engine.create(
            Scope(region=platform.config.region),
            stream_arn,
            function.arn,
            None,
            settings,
            {"BatchSize", "StartingPosition"},
            batch_size=100,
        )
        calls = [
            [
                {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "payload": {"S": PAYLOAD}}}}
                for i in range(start, min(records, start + 25))
            ]
            for start in range(0, records, 25)
        ]
        pending = iter(calls)

        async def writer() -> None:
            for batch in pending:
                await caller.call("dynamodb", "BatchWriteItem", {"RequestItems": {name: batch}})

        start = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(THREADS)))
        supervisor = engine.supervisor
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            stats = supervisor.statistics(mapping.uuid)
            if stats is not None and stats.records_succeeded >= records:
                break
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - start
        stats = supervisor.statistics(mapping.uuid)
        return records / elapsed, stats.invocations if stats else 0


def measure(seconds: float, records: int) -> Figure:
    figure = Figure(
        "tables", "Tables: boto3 operations/s against moto and raw SQLite; stream records/s"
    )
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for label, server in (("stratus", stratus_server), ("moto", moto_server)):
        with server() as served:
            name = _prepare(served.endpoint)
            results[label] = {}
            for op_name, op in OPS.items():
                cpu = served.cpu_seconds()
                rate = _rate(served.endpoint, name, seconds, op)
                used = served.cpu_seconds() - cpu
                results[label][op_name] = (rate, used / max(rate * seconds, 1) * 1e6)
    for op_name in OPS:
        ours, cpu = results["stratus"][op_name]
        theirs, their_cpu = results["moto"][op_name]
        figure.add(
            Row(
                f"{op_name}, 8 boto3 threads",
                ours,
                "ops/s",
                "moto_server",
                theirs,
                target=">= 5x moto",
                met=ours >= TARGET_RATIO * theirs,
            )
        )
        figure.notes.append(f"{op_name}: server CPU {cpu:.0f} us/op (moto {their_cpu:.0f} us/op)")
    read, write = _sqlite_rates(seconds)
    get_rate = results["stratus"]["GetItem"][0]
    put_rate = results["stratus"]["PutItem"][0]
    figure.add(
        Row(
            "GetItem against raw SQLite reads (ceiling)", get_rate, "ops/s", "raw SQLite read", read
        )
    )
    figure.add(
        Row(
            "PutItem against raw SQLite write transactions (ceiling)",
            put_rate,
            "ops/s",
            "raw SQLite write",
            write,
        )
    )
    stream_rate, invocations = asyncio.run(_stream_rate(records))
    figure.add(
        Row(
            f"stream records from BatchWriteItem to the trigger ({records:,})",
            stream_rate,
            "records/s",
        )
    )
    figure.notes.append(f"stream: {invocations} invocations (BatchSize 100)")
    figure.notes.append(
        f"{seconds:g} s per row; {os.cpu_count()} cores shared by clients, servers and other work"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--records", type=int, default=5000)
    args = parser.parse_args()
    emit(measure(args.seconds, args.records), args.json)


if __name__ == "__main__":
    main()
