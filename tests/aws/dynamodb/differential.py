"""A differential harness: the same boto3 calls against Stratus and against moto's
DynamoDB server, outcomes compared after normalizing what legitimately differs.

A *case* is a function of a :class:`Side` (one endpoint): it makes its tables through
``side.table(...)`` and records each call's outcome with ``side.call(op, **params)``
(a low-level client call) or ``side.record(label, fn)`` (anything else, e.g.
``boto3.resource``). Running a case on both sides gives two lists of outcomes: a
response with its volatile members removed, or an error's code and message. Where moto
is known to differ from AWS the case says so and pins AWS's answer instead (see
``AWS_OVERRIDES``), with the reason in a comment.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from tests.conftest import free_port

Outcome = dict[str, Any]

# Members of responses that differ by nature between two servers.
_VOLATILE = {
    "ResponseMetadata",
    "CreationDateTime",
    "TableArn",
    "TableId",
    "LatestStreamArn",
    "LatestStreamLabel",
    "IndexArn",
    "ConsumedCapacity",
    "LastDecreaseDateTime",
    "LastIncreaseDateTime",
    "NumberOfDecreasesToday",
    "TableSizeBytes",
    "IndexSizeBytes",
    "ItemCount",
    "TableStatus",
    "IndexStatus",
    "TableName",  # unique per side
    "BillingModeSummary",
    "ProvisionedThroughput",
    "TableClassSummary",
    "DeletionProtectionEnabled",
    "WarmThroughput",
    "StreamSpecification",
    "SSEDescription",
    "Backfilling",
    # stream records and shards: ids, positions and times are each server's own
    "eventID",
    "SequenceNumber",
    "ApproximateCreationDateTime",
    "NextShardIterator",
    "ShardIterator",
    "StreamArn",
    "StreamLabel",
    "ShardId",
    "SequenceNumberRange",
    "CreationRequestDateTime",
}


def normalize(value: Any, names: dict[str, str]) -> Any:
    """Drop volatile members, replace each side's table names by their case-local names,
    and make Decimal/set values comparable."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _VOLATILE:
                continue
            out[names.get(key, key)] = normalize(item, names)
        return out
    if isinstance(value, list):
        return [normalize(v, names) for v in value]
    if isinstance(value, set):
        return sorted((normalize(v, names) for v in value), key=repr)
    if isinstance(value, str):
        for real, local in names.items():
            value = value.replace(real, local)
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if hasattr(value, "value") and type(value).__name__ == "Binary":
        return bytes(value.value)
    return value


@dataclass
class Side:
    """One server as a case sees it."""

    endpoint: str
    names: dict[str, str] = field(default_factory=dict)  # real table name -> local name
    outcomes: list[tuple[str, Outcome]] = field(default_factory=list)
    _client: Any = None
    _resource: Any = None
    _streams: Any = None

    @property
    def streams(self) -> Any:
        if self._streams is None:
            self._streams = boto3.client(
                "dynamodbstreams",
                endpoint_url=self.endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=botocore.config.Config(retries={"max_attempts": 1}),
            )
        return self._streams

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = _client(self.endpoint)
        return self._client

    @property
    def resource(self) -> Any:
        if self._resource is None:
            self._resource = boto3.resource(
                "dynamodb",
                endpoint_url=self.endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=botocore.config.Config(retries={"max_attempts": 1}),
            )
        return self._resource

    def name(self, local: str) -> str:
        for real, known in self.names.items():
            if known == local:
                return real
        raise KeyError(local)

    def table(
        self,
        local: str = "T",
        *,
        hash_type: str = "S",
        range_key: str | None = "sk",
        range_type: str = "S",
        attrs: list[dict[str, str]] | None = None,
        **extra: Any,
    ) -> str:
        real = f"d{local}-{uuid.uuid4().hex[:8]}"
        self.names[real] = local
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        defs = [{"AttributeName": "pk", "AttributeType": hash_type}]
        if range_key:
            keys.append({"AttributeName": range_key, "KeyType": "RANGE"})
            defs.append({"AttributeName": range_key, "AttributeType": range_type})
        defs += attrs or []
        self.client.create_table(
            TableName=real,
            KeySchema=keys,
            AttributeDefinitions=defs,
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
        return real

    def call(self, op: str, **params: Any) -> Outcome:
        """A client call; ``TableName`` given as a local name is replaced by the real one."""
        if "TableName" in params and params["TableName"] in self.names.values():
            params["TableName"] = self.name(params["TableName"])
        return self.record(op, lambda: getattr(self.client, op)(**params))

    def record(self, label: str, fn: Callable[[], Any]) -> Outcome:
        try:
            answer = fn()
        except botocore.exceptions.ClientError as exc:
            error = exc.response["Error"]
            outcome: Outcome = {
                "error": error.get("Code"),
                "message": normalize(error.get("Message"), self.names),
            }
            if "CancellationReasons" in exc.response:
                outcome["reasons"] = normalize(exc.response["CancellationReasons"], self.names)
            if "Item" in exc.response:
                outcome["item"] = normalize(exc.response["Item"], self.names)
        else:
            outcome = {"ok": normalize(answer, self.names)}
        self.outcomes.append((label, outcome))
        return outcome


Case = Callable[[Side], None]


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


def run(case: Case, endpoint: str) -> list[tuple[str, Outcome]]:
    side = Side(endpoint)
    try:
        case(side)
    finally:
        for real in side.names:
            with contextlib.suppress(Exception):
                side.client.delete_table(TableName=real)
    return side.outcomes


def moto_available() -> bool:
    try:
        import moto.server  # noqa: F401
    except ImportError:
        return False
    return True


@contextlib.contextmanager
def moto_server(log_dir: Path) -> Iterator[str]:
    """moto's server (``python -m moto.server``) on a free port, as its users start it."""
    port = free_port()
    log = open(log_dir / "moto.log", "ab")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=log,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        process.wait(30)
        log.close()


__all__ = ["Case", "Decimal", "Side", "moto_available", "moto_server", "normalize", "run"]
