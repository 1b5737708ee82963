"""EventBridge: pattern matches per second as rules grow, and PutEvents -> target latency.

In process: N rules (10, 100, 1,000, 10,000 in the same run) on one bus, each a typical
rule naming its own ``source`` and ``detail-type`` with a content filter on ``detail``,
plus 5 rules that name no exact source (a prefix, an ``$or``) and are always tested. An
event is matched against all of them through the rule index (``PatternIndex.matching``)
and, as the baseline, by testing every rule in turn. The index's cost should stay flat
as the rules grow; the scan's grows linearly.

Against ``python -m stratus up``: one rule with one SQS target; the time from a boto3
``PutEvents`` to the event being received from the queue by a long-polling boto3 client,
against the same path without the bus (``SendMessage`` to the queue, then receive).

    python -m bench.events [--events 20000] [--latency 200] [--json PATH]
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import botocore.config

from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import stratus_server
from stratus.services.patterns import EventPattern
from stratus.services.patterns.index import PatternIndex

SIZES = (10, 100, 1_000, 10_000)


def _rule(index: int) -> dict[str, Any]:
    return {
        "source": [f"com.example.service{index}"],
        "detail-type": ["Order Placed", "Order Updated"],
        "detail": {"amount": [{"numeric": [">", 100]}], "state": [{"anything-but": "test"}]},
    }


UNINDEXED = [
    {"source": [{"prefix": "com.example.service1"}], "detail": {"state": ["never"]}},
    {"$or": [{"source": ["x"]}, {"detail-type": ["Order Placed"], "detail": {"vip": [True]}}]},
    {"detail": {"amount": [{"numeric": [">", 1_000_000]}]}},
    {"resources": [{"wildcard": "arn:aws:s3:::nope/*"}]},
    {"account": [{"anything-but": "000000000000"}], "detail-type": ["x"]},
]


def _event(index: int) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "1",
        "detail-type": "Order Placed",
        "source": f"com.example.service{index}",
        "account": "000000000000",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"amount": 250, "state": "paid", "vip": False},
    }


def measure_matching(size: int, count: int) -> tuple[float, float]:
    index: PatternIndex[int] = PatternIndex()
    patterns: list[tuple[int, EventPattern]] = []
    for number in range(size):
        pattern = EventPattern.compile(_rule(number))
        index.add(number, pattern)
        patterns.append((number, pattern))
    for offset, document in enumerate(UNINDEXED):
        pattern = EventPattern.compile(document)
        index.add(size + offset, pattern)
        patterns.append((size + offset, pattern))
    events = [_event(number % size) for number in range(0, size, max(size // 50, 1))]
    for event in events:  # same answer both ways
        assert index.matching(event) == [k for k, p in patterns if p.matches(event)]
    start = time.perf_counter()
    for step in range(count):
        index.matching(events[step % len(events)])
    indexed = count / (time.perf_counter() - start)
    scans = max(count * 10 // (size + 5), 20)
    start = time.perf_counter()
    for step in range(scans):
        event = events[step % len(events)]
        [k for k, p in patterns if p.matches(event)]
    scanned = scans / (time.perf_counter() - start)
    return indexed, scanned


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _latencies(send: Any, sqs: Any, url: str, samples: int) -> list[float]:
    """ms from ``send(n)`` being called to message ``n`` being received."""
    received: dict[int, float] = {}
    done = threading.Event()

    def receiver() -> None:
        while not done.is_set():
            answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            now = time.perf_counter()
            for message in answer.get("Messages", []):
                body = json.loads(message["Body"])
                received[int(body.get("detail", body)["n"])] = now
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    thread = threading.Thread(target=receiver, daemon=True)
    thread.start()
    sent: dict[int, float] = {}
    for n in range(samples):
        sent[n] = time.perf_counter()
        send(n)
        deadline = time.monotonic() + 10
        while n not in received and time.monotonic() < deadline:
            time.sleep(0.0005)
    done.set()
    thread.join(5)
    return [(received[n] - sent[n]) * 1000 for n in sent if n in received]


def measure_latency(samples: int) -> tuple[list[float], list[float]]:
    with stratus_server() as served:
        events, sqs = _client("events", served.endpoint), _client("sqs", served.endpoint)
        bus_url = sqs.create_queue(QueueName="bench-bus")["QueueUrl"]
        direct_url = sqs.create_queue(QueueName="bench-direct")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=bus_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name="bench", EventPattern=json.dumps({"source": ["bench"]}))
        events.put_targets(Rule="bench", Targets=[{"Id": "q", "Arn": arn}])

        def put(n: int) -> None:
            events.put_events(
                Entries=[{"Source": "bench", "DetailType": "t", "Detail": json.dumps({"n": n})}]
            )

        def send(n: int) -> None:
            sqs.send_message(QueueUrl=direct_url, MessageBody=json.dumps({"n": n}))

        _latencies(put, sqs, bus_url, 20)  # warm-up
        _latencies(send, sqs, direct_url, 20)
        via_bus = _latencies(put, sqs, bus_url, samples)
        direct = _latencies(send, sqs, direct_url, samples)
    return via_bus, direct


def measure(count: int, samples: int) -> Figure:
    figure = Figure(
        "events",
        "EventBridge: pattern matches per second by rule count; PutEvents -> target latency",
    )
    flat: dict[int, float] = {}
    for size in SIZES:
        indexed, scanned = measure_matching(size, count)
        flat[size] = indexed
        figure.add(
            Row(
                f"events matched per second, {size:,} rules (+5 unindexed), indexed",
                indexed,
                "/s",
                "every rule tested in turn",
                scanned,
            )
        )
    figure.add(
        Row(
            "indexed cost at 10,000 rules vs at 10 rules",
            flat[10] / flat[10_000],
            "x",
            target="does not grow linearly with the rule count (1,000x rules)",
            met=flat[10] / flat[10_000] < 10,
        )
    )
    via_bus, direct = measure_latency(samples)
    figure.add(
        Row(
            "PutEvents -> received from the target queue, p50",
            percentile(via_bus, 0.5),
            "ms",
            "SendMessage -> received, p50",
            percentile(direct, 0.5),
        )
    )
    figure.add(
        Row(
            "PutEvents -> received from the target queue, p99",
            percentile(via_bus, 0.99),
            "ms",
            "SendMessage -> received, p99",
            percentile(direct, 0.99),
        )
    )
    figure.notes.append(
        f"{count} events per rule count; {samples} latency samples each way, "
        "one at a time, boto3 over HTTP, durable (group commit)"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--latency", type=int, default=200)
    args = parser.parse_args()
    emit(measure(args.events, args.latency), args.json)


if __name__ == "__main__":
    main()
