"""SNS publishes per second through boto3, and pattern matches per second.

Against ``python -m stratus up``: one boto3 client alternates ``Publish`` to a topic with
one Lambda subscription (a filter policy on it that matches) with Lambda's
``GetAccountSettings`` (parsed, validated, routed and serialized like any call, no work
behind it), so both see the same machine at the same moment. A publish is answered after
its delivery is committed to the store (group commit); the invocation itself runs in the
background. The run then waits until every published message has reached the function.

In process: ``EventPattern.matches`` of a typical rule (source, detail-type, an
anything-but and a numeric range) against a typical event, next to the same test written
by hand in Python, in the same run.

    python -m bench.topic_fanout [--publishes 1500] [--matches 200000] [--json PATH]
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import boto3
import botocore.config

from bench._platform import ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import create_active, lambda_client, stratus_server
from stratus.services.patterns import EventPattern

COUNTER_SOURCE = """
import os
def handler(event, context):
    with open(os.path.join("/tmp", "seen"), "a") as f:
        f.write(event["Records"][0]["Sns"]["MessageId"] + "\\n")
    return None
"""

PATTERN = {
    "source": ["aws.ec2"],
    "detail-type": ["EC2 Instance State-change Notification"],
    "detail": {
        "state": [{"anything-but": ["pending", "stopping"]}],
        "cpu": [{"numeric": [">", 0, "<=", 100]}],
    },
}
EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "running", "cpu": 42},
}


def _by_hand(event: dict[str, Any]) -> bool:
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return False
    cpu = detail.get("cpu")
    return (
        event.get("source") == "aws.ec2"
        and event.get("detail-type") == "EC2 Instance State-change Notification"
        and "state" in detail
        and detail["state"] not in ("pending", "stopping")
        and isinstance(cpu, int | float)
        and 0 < cpu <= 100
    )


def sns_client(endpoint: str) -> Any:
    return boto3.client(
        "sns",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _ms(start: int) -> float:
    return (time.perf_counter_ns() - start) / 1e6


def measure_publishes(publishes: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {"publish": [], "noop": []}
    with stratus_server() as served:
        functions = lambda_client(served.endpoint)
        sns = sns_client(served.endpoint)
        name = f"bench-sub-{uuid.uuid4().hex[:6]}"
        create_active(functions, name, zip_of(COUNTER_SOURCE), ROLE)
        arn = functions.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        topic = sns.create_topic(Name="bench-fanout")["TopicArn"]
        sns.subscribe(
            TopicArn=topic,
            Protocol="lambda",
            Endpoint=arn,
            Attributes={"FilterPolicy": json.dumps({"kind": ["order"]})},
        )
        attributes = {"kind": {"DataType": "String", "StringValue": "order"}}
        for _ in range(50):  # connections open, environment warm
            sns.publish(TopicArn=topic, Message="warm-up", MessageAttributes=attributes)
            functions.get_account_settings()
        started = time.perf_counter()
        for index in range(publishes):
            start = time.perf_counter_ns()
            sns.publish(TopicArn=topic, Message=f"order {index}", MessageAttributes=attributes)
            times["publish"].append(_ms(start))
            start = time.perf_counter_ns()
            functions.get_account_settings()
            times["noop"].append(_ms(start))
        # Every message reaches the function: wait for the Event invocations to finish.
        expected = publishes + 50
        deadline = time.monotonic() + 120
        invoked = 0
        while time.monotonic() < deadline:
            invoked = _invocations(served.endpoint, name)
            if invoked >= expected:
                break
            time.sleep(0.2)
        drained_s = time.perf_counter() - started
    return {"times": times, "drained_s": drained_s, "invoked": invoked, "expected": expected}


def _invocations(endpoint: str, name: str) -> int:
    """Invocations of ``name`` so far, from the native API's metrics."""
    with urllib.request.urlopen(f"{endpoint}/_stratus/functions", timeout=5) as response:
        listing = json.loads(response.read())
    for function in listing["Functions"]:
        if function["FunctionName"] == name:
            return int(function["Metrics"]["Invocations"])
    return 0


def measure_matches(count: int) -> tuple[float, float]:
    pattern = EventPattern.compile(PATTERN)
    assert pattern.matches(EVENT) and _by_hand(EVENT)
    start = time.perf_counter()
    for _ in range(count):
        pattern.matches(EVENT)
    engine = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(count):
        _by_hand(EVENT)
    by_hand = count / (time.perf_counter() - start)
    return engine, by_hand


def measure(publishes: int, matches: int) -> Figure:
    figure = Figure("topic_fanout", "SNS publishes per second through boto3; pattern matches")
    run = measure_publishes(publishes)
    publish50 = percentile(run["times"]["publish"], 0.5)
    noop50 = percentile(run["times"]["noop"], 0.5)
    figure.add(
        Row(
            "Publish p50 (one Lambda subscription, filtered)",
            publish50,
            "ms",
            "GetAccountSettings p50",
            noop50,
        )
    )
    figure.add(
        Row(
            "Publish p99",
            percentile(run["times"]["publish"], 0.99),
            "ms",
            "GetAccountSettings p99",
            percentile(run["times"]["noop"], 0.99),
        )
    )
    figure.add(
        Row(
            "Publishes per second (one client)",
            1000 / publish50,
            "/s",
            "no-op calls per second",
            1000 / noop50,
        )
    )
    engine, by_hand = measure_matches(matches)
    figure.add(
        Row("EventPattern.matches, typical rule", engine, "/s", "the same test by hand", by_hand)
    )
    figure.notes.append(
        f"{publishes} publishes alternating with as many no-op calls; all "
        f"{run['invoked']}/{run['expected']} messages delivered to the function "
        f"{run['drained_s']:.1f} s after the first timed publish"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--publishes", type=int, default=1500)
    parser.add_argument("--matches", type=int, default=200_000)
    args = parser.parse_args()
    emit(measure(args.publishes, args.matches), args.json)


if __name__ == "__main__":
    main()
