"""The service seam: a toy service plugs in through the component list alone.

The toy (``tests/components/toy``) is written only against ``stratus.aws.component``; the
platform is built with ``(*BASE, ToyComponent)`` (the built-in list without the real
queues, whose SQS API the toy stands in for) and served over real HTTP, and the
toy's migrations, AWS API, error table, Step Functions integration, background task and
shutdown all take effect without a line of ``stratus/`` naming it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import boto3
import botocore.config
import pytest
import uvicorn
from botocore.exceptions import ClientError

from stratus.platform import COMPONENTS, Platform, PlatformConfig
from tests.conftest import free_port

from .toy.component import SEND_MESSAGE, ToyComponent

T = TypeVar("T")

#: The built-in components but the real queues, whose SQS API the toy stands in for.
BASE = tuple(c for c in COMPONENTS if c.name != "queues")


class ServedPlatform:
    """A Platform with extra components, served by uvicorn on 127.0.0.1 in a thread."""

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        config = PlatformConfig(data_dir=data_dir, port=self.port, gateway_port=0)
        self.platform = Platform(config, components=(*BASE, ToyComponent))
        self.run(self.platform.start())
        self.server = uvicorn.Server(
            uvicorn.Config(self.platform.app, host="127.0.0.1", port=self.port, log_level="error")
        )
        self.serving = asyncio.run_coroutine_threadsafe(self.server.serve(), self.loop)
        while not self.server.started:
            time.sleep(0.01)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=f"http://127.0.0.1:{self.port}",
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )

    def close(self) -> None:
        self.server.should_exit = True
        self.serving.result(30)
        self.run(self.platform.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedPlatform]:
    served = ServedPlatform(tmp_path / "data")
    try:
        yield served
    finally:
        if served.thread.is_alive():
            served.close()


def test_toy_component_plugs_in_through_the_list(served: ServedPlatform, tmp_path: Path) -> None:
    toy = served.platform.component(ToyComponent)
    sqs = served.client("sqs")

    # Its AWS API is routed, and its own exception leaves through its error table.
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url.endswith("/000000000000/orders")
    assert sqs.send_message(QueueUrl=url, MessageBody="hello")["MessageId"]
    with pytest.raises(ClientError) as missing:
        sqs.send_message(QueueUrl=url.replace("orders", "nope"), MessageBody="x")
    # The model's error shape decides the wire code (SQS's query-compatible one).
    assert missing.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert missing.value.response["Error"]["Message"] == "The specified queue does not exist."

    # Its Step Functions integration is registered beside the built-in ones.
    sfn = served.client("stepfunctions")
    definition = {
        "StartAt": "Send",
        "States": {
            "Send": {
                "Type": "Task",
                "Resource": SEND_MESSAGE,
                "Parameters": {"QueueUrl": url, "MessageBody.$": "$.text"},
                "End": True,
            }
        },
    }
    machine = sfn.create_state_machine(
        name="toy", definition=json.dumps(definition), roleArn="arn:aws:iam::000000000000:role/r"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input='{"text": "from a workflow"}')
    deadline = time.monotonic() + 30
    while (status := sfn.describe_execution(executionArn=execution["executionArn"])["status"]) == (
        "RUNNING"
    ) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert status == "SUCCEEDED"
    assert served.run(toy.queues.bodies("orders")) == ["hello", "from a workflow"]

    # Its background task runs; the built-in services are untouched beside it.
    assert toy.ticks > 0
    assert served.client("lambda").list_functions()["Functions"] == []

    # Shutdown reaches it; its migration recorded its own schema version.
    served.close()
    assert toy.stopped
    with sqlite3.connect(tmp_path / "data" / "stratus.db") as conn:
        versions = dict(conn.execute("SELECT component, version FROM schema_versions"))
        built_in = {c.name: len(c.migrations) for c in BASE if c.migrations}
        assert versions == {**built_in, "toy": 1}
        assert conn.execute("SELECT count(*) FROM toy_messages").fetchone() == (2,)


def test_toy_state_survives_a_restart(tmp_path: Path) -> None:
    first = ServedPlatform(tmp_path / "data")
    url = first.client("sqs").create_queue(QueueName="kept")["QueueUrl"]
    first.close()
    second = ServedPlatform(tmp_path / "data")
    try:
        assert second.client("sqs").send_message(QueueUrl=url, MessageBody="again")["MessageId"]
    finally:
        second.close()
