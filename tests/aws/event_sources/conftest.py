"""Helpers for the event source mapping suite: queues, recording functions, waiting."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import wait_for
from tests.conftest import ServerProcess, create_function

ACCOUNT = "000000000000"
REGION = "us-east-1"

# Writes each event it receives to a file of its own in $OUT, then answers per $MODE:
# "ok" (null), "fail" (raises), "report" (batchItemFailures for bodies containing "bad").
RECORDER = """
import json, os, uuid
def handler(event, context):
    path = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(path + ".part", "w") as f:
        json.dump(event, f)
    os.replace(path + ".part", path)  # whole, never seen half-written
    mode = os.environ.get("MODE", "ok")
    if mode == "fail":
        raise RuntimeError("always fails")
    if mode == "report":
        return {"batchItemFailures": [
            {"itemIdentifier": r["messageId"]} for r in event["Records"] if "bad" in r["body"]
        ]}
    return None
"""


@pytest.fixture(scope="session")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


@pytest.fixture(autouse=True)
def _delete_mappings_after(lambda_client: Any) -> Iterator[None]:
    """Each test's mappings go with it, so their pollers do not keep polling (and their
    functions' environments running) under the rest of the session's tests."""
    yield
    for mapping in lambda_client.list_event_source_mappings(MaxItems=10000)["EventSourceMappings"]:
        if mapping["State"] not in ("Deleting", "Creating", "Updating", "Enabling", "Disabling"):
            try:
                lambda_client.delete_event_source_mapping(UUID=mapping["UUID"])
            except lambda_client.exceptions.ResourceNotFoundException:
                pass
        elif mapping["State"] != "Deleting":
            wait_for(
                lambda uuid_=mapping["UUID"]: (
                    lambda_client.get_event_source_mapping(UUID=uuid_)["State"]
                    in ("Enabled", "Disabled")
                ),
                timeout=30,
            )
            lambda_client.delete_event_source_mapping(UUID=mapping["UUID"])


@pytest.fixture(scope="session")
def raw_client(server: ServerProcess) -> Any:
    """A Lambda client without botocore's own parameter checks (the server must refuse)."""
    return server.client("lambda", parameter_validation=False)


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"


def make_queue(sqs: Any, *, fifo: bool = False, **attributes: str) -> tuple[str, str]:
    """A fresh queue: (url, arn)."""
    name = f"q-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
    if fifo:
        attributes = {"FifoQueue": "true", **attributes}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, queue_arn(name)


def recorder(lambda_client: Any, out: Path, mode: str = "ok", **kwargs: Any) -> str:
    return create_function(
        lambda_client,
        RECORDER,
        Environment={"Variables": {"OUT": str(out), "MODE": mode}},
        **kwargs,
    )


def events(out: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted(out.glob("*.json")):
        try:
            found.append(json.loads(path.read_text()))
        except ValueError:
            continue  # still being written
    return found


def bodies(out: Path) -> list[str]:
    return sorted(r["body"] for e in events(out) for r in e["Records"])


def wait_state(lambda_client: Any, uuid_: str, state: str, timeout: float = 30) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        mapping: dict[str, Any] = lambda_client.get_event_source_mapping(UUID=uuid_)
        return mapping if mapping["State"] == state else None

    result: dict[str, Any] = wait_for(check, timeout=timeout)
    return result


def queue_counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def wait_empty(sqs: Any, url: str, timeout: float = 30) -> None:
    wait_for(lambda: queue_counts(sqs, url) == (0, 0), timeout=timeout)
