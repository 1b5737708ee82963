"""The EventBridge seam of bucket notifications: a bucket with an
``EventBridgeConfiguration`` hands each change to the installed hook, as the ``aws.s3``
event S3 puts on the owner's default bus (the bus component installs the real hook)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from stratus.aws.s3.component import ObjectsComponent
from stratus.platform import Platform, PlatformConfig


class RecordingHook:
    """Stands in for the event bus, which another component provides."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, dict[str, Any]]] = []
        self.arrived = asyncio.Event()

    async def put_s3_event(self, account: str, region: str, entry: dict[str, Any]) -> None:
        self.events.append((account, region, entry))
        self.arrived.set()


def test_changes_reach_the_eventbridge_hook(tmp_path: Path) -> None:
    async def scenario() -> list[tuple[str, str, dict[str, Any]]]:
        platform = Platform(PlatformConfig(data_dir=tmp_path / "data", port=0, gateway_port=0))
        hook = RecordingHook()
        platform.component(ObjectsComponent).delivery.eventbridge = hook
        await platform.start()
        try:
            calls = platform.context.aws_caller
            await calls.call("s3", "CreateBucket", {"Bucket": "bus-bucket"})
            await calls.call(
                "s3",
                "PutBucketNotificationConfiguration",
                {
                    "Bucket": "bus-bucket",
                    "NotificationConfiguration": {"EventBridgeConfiguration": {}},
                },
            )
            await calls.call(
                "s3", "PutObject", {"Bucket": "bus-bucket", "Key": "a b.txt", "Body": b"hi"}
            )
            async with asyncio.timeout(20):
                await hook.arrived.wait()
            return hook.events
        finally:
            await platform.stop()

    [(account, region, entry)] = asyncio.run(scenario())
    assert (account, region) == ("000000000000", "us-east-1")
    assert entry["Source"] == "aws.s3"
    assert entry["DetailType"] == "Object Created"
    assert entry["Resources"] == ["arn:aws:s3:::bus-bucket"]
    detail = entry["Detail"]
    assert detail["bucket"] == {"name": "bus-bucket"}
    assert detail["object"]["key"] == "a b.txt"
    assert detail["object"]["size"] == 2
    assert detail["reason"] == "PutObject"
