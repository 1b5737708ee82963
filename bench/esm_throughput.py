"""SQS -> Lambda through an event source mapping: messages per second end to end.

Figure (the messaging issue): "above 5,000 messages/s end to end from SendMessageBatch to
a function that counts them (batches of 10..100) on this 2-core box".

Through an in-process ``Platform`` (the real composition root, minus the socket):
SendMessageBatch requests (batches of 10) are serialized by botocore *before* the clock
starts, as a client would in its own process, and answered by the platform's ``AwsApp``
(routing, the model's validation, the SQS provider, the queue service, group commit),
``--senders`` requests in flight at once. The function counts the records of each batch
it gets; the run ends when the mapping's poller has acknowledged (deleted) every
message. The baseline, measured in the same run, is SendMessageBatch alone into a queue
no mapping reads: sending is part of the end-to-end work and both share the two cores,
so the end-to-end rate stays below it.

    python -m bench.esm_throughput [--messages 20000] [--senders 8] [--json PATH]
"""

from __future__ import annotations

import asyncio
import time
import uuid

import orjson

from bench._platform import create_function, running_platform
from bench._report import Figure, Row, argument_parser, emit
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.models import load_service
from stratus.aws.sdk_caller import SdkCaller
from stratus.platform import Platform
from stratus.services.event_sources.model import MappingSettings
from stratus.services.scope import Scope

COUNTING_SOURCE = (
    "COUNT = 0\n"
    "def handler(event, context):\n"
    "    global COUNT\n"
    "    COUNT += len(event['Records'])\n"
    "    return {'count': COUNT}\n"
)
TARGET_PER_S = 5000.0


async def _queue(platform: Platform) -> tuple[str, str]:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    answer = await platform.context.aws_caller.call("sqs", "CreateQueue", {"QueueName": name})
    arn = f"arn:aws:sqs:{platform.config.region}:000000000000:{name}"
    return str(answer["QueueUrl"]), arn


def _requests(platform: Platform, url: str, messages: int) -> list[HttpRequest]:
    """SendMessageBatch requests of 10 messages (of 100 bytes), as a client sends them."""
    writer = SdkCaller(platform.app, region=platform.config.region)
    spec = load_service("sqs")
    body = "x" * 100
    requests = []
    for index, start in enumerate(range(0, messages, 10)):
        entries = [
            {"Id": str(i), "MessageBody": f"{index}-{i}-{body}"}
            for i in range(min(10, messages - start))
        ]
        # The platform caller's request writer (botocore's serializer): the client's share
        # of the work, done here before the clock starts.
        params = {"QueueUrl": url, "Entries": entries}
        requests.append(writer._request(spec, "SendMessageBatch", params, None, None))
    return requests


async def _send(platform: Platform, url: str, messages: int, senders: int) -> float:
    """Send ``messages`` in batches of 10 with ``senders`` requests in flight; seconds."""
    pending = iter(_requests(platform, url, messages))

    async def sender() -> None:
        for request in pending:
            response = await platform.app.handle(request)
            if response is None or response.status != 200:
                raise RuntimeError(f"SendMessageBatch failed: {response}")
            if orjson.loads(response.body).get("Failed"):
                raise RuntimeError(f"SendMessageBatch failed: {response.body[:300]!r}")

    start = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(senders)))
    return time.perf_counter() - start


async def _mapping(platform: Platform, arn: str, function_id: str, batch_size: int) -> str:
    engine = platform.component(FunctionsComponent).event_sources
    settings = MappingSettings(batch_size=batch_size, window_s=1 if batch_size > 10 else 0)
    given = {"BatchSize"} | ({"MaximumBatchingWindowInSeconds"} if batch_size > 10 else set())
    mapping = await engine.create(
        Scope(region=platform.config.region),
        arn,
        function_id,
        None,
        settings,
        given,
        batch_size=batch_size,
    )
    return mapping.uuid


async def _wait_processed(platform: Platform, uuid_: str, count: int, timeout_s: float) -> None:
    supervisor = platform.component(FunctionsComponent).event_sources.supervisor
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        stats = supervisor.statistics(uuid_)
        if stats is not None and stats.records_succeeded >= count:
            return
        await asyncio.sleep(0.005)
    raise RuntimeError(f"the mapping processed {stats} of {count} within {timeout_s} s")


async def _end_to_end(
    platform: Platform, function_id: str, batch_size: int, messages: int, senders: int
) -> tuple[float, int, int]:
    """(messages/s, invocations, most lanes) sending and consuming at once."""
    url, arn = await _queue(platform)
    uuid_ = await _mapping(platform, arn, function_id, batch_size)
    await _send(platform, url, 200, senders)  # warm: environments, lanes
    await _wait_processed(platform, uuid_, 200, 60)
    supervisor = platform.component(FunctionsComponent).event_sources.supervisor
    before = supervisor.statistics(uuid_)
    assert before is not None
    start = time.perf_counter()
    await _send(platform, url, messages, senders)
    await _wait_processed(platform, uuid_, 200 + messages, 300)
    elapsed = time.perf_counter() - start
    after = supervisor.statistics(uuid_)
    assert after is not None
    return messages / elapsed, after.invocations - before.invocations, after.max_lanes


async def measure(messages: int, senders: int) -> Figure:
    figure = Figure(
        "esm_throughput",
        "SQS -> Lambda via an event source mapping: messages/s end to end (Python API)",
    )
    async with running_platform() as platform:
        function = await create_function(
            platform, f"bench-count-{uuid.uuid4().hex[:8]}", COUNTING_SOURCE
        )
        url, _ = await _queue(platform)
        await _send(platform, url, 1000, senders)  # warm the send path
        url, _ = await _queue(platform)
        send_s = await _send(platform, url, messages, senders)
        raw = messages / send_s
        for batch_size in (10, 100):
            rate, invocations, lanes = await _end_to_end(
                platform, function.arn, batch_size, messages, senders
            )
            figure.add(
                Row(
                    f"end to end, BatchSize {batch_size} ({messages:,} messages)",
                    rate,
                    "msg/s",
                    "SendMessageBatch alone",
                    raw,
                    target="> 5,000 msg/s",
                    met=rate > TARGET_PER_S,
                )
            )
            figure.notes.append(
                f"BatchSize {batch_size}: {invocations} invocations "
                f"({messages / max(invocations, 1):.1f} messages each), up to {lanes} lanes"
            )
        figure.add(Row("SendMessageBatch alone (batches of 10)", raw, "msg/s"))
    figure.notes.append(
        f"{senders} SendMessageBatch calls in flight; sending and consuming share the cores"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--senders", type=int, default=8)
    args = parser.parse_args()
    try:
        import uvloop

        figure = uvloop.run(measure(args.messages, args.senders))
    except ImportError:  # pragma: no cover
        figure = asyncio.run(measure(args.messages, args.senders))
    emit(figure, args.json)


if __name__ == "__main__":
    main()
