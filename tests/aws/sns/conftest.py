"""Helpers for the SNS suite: clients, topics, and a real HTTP endpoint to deliver to.

Everything talks to a real Stratus server over HTTP with boto3; the HTTP subscriber is a
real ``http.server`` on 127.0.0.1 in the test process.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess


@pytest.fixture(scope="session")
def sns(server: ServerProcess) -> Any:
    return server.client("sns")


def new_topic(sns: Any, prefix: str = "t", **kwargs: Any) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    if kwargs.get("Attributes", {}).get("FifoTopic") == "true":
        name += ".fifo"
    return str(sns.create_topic(Name=name, **kwargs)["TopicArn"])


def aws_error(call: Callable[[], Any]) -> tuple[str, str, int]:
    """Code, message and HTTP status of the error ``call`` raises."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    status = raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error["Code"], error["Message"], status


def wait_for(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll until ``condition()`` is truthy; its value, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.05)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Endpoint:
    """An HTTP endpoint SNS posts to; ``fail_first`` answers 500 that many times,
    ``silent`` never answers (the connection stays open)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    fail_first: int = 0
    status: int = 200
    silent: bool = False
    _failures: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _release: threading.Event = field(default_factory=threading.Event)
    _server: Any = None

    def record(self, item: Received) -> int | None:
        with self._lock:
            self.received.append(item)
            if self.silent:
                return None
            if self._failures < self.fail_first:
                self._failures += 1
                return 500
            return self.status

    def of_type(self, kind: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.headers.get("x-amz-sns-message-type") == kind]


class RunningEndpoint(Endpoint):
    """An Endpoint served by a real HTTP server until ``close``."""

    def close(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


def listening_endpoint() -> RunningEndpoint:
    target = RunningEndpoint()
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            status = target.record(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            if status is None:
                release.wait(60)
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    target.url = f"http://127.0.0.1:{server.server_address[1]}/sns"
    target._release = release
    target._server = server
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return target


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    target = listening_endpoint()
    yield target
    target.close()


def confirm(sns: Any, endpoint: Endpoint, topic_arn: str) -> str:
    """Wait for the SubscriptionConfirmation and confirm with its token."""
    message = wait_for(lambda: endpoint.of_type("SubscriptionConfirmation"))[-1].json()
    return str(
        sns.confirm_subscription(TopicArn=topic_arn, Token=message["Token"])["SubscriptionArn"]
    )


def own_account(server: ServerProcess, service: str = "sns") -> tuple[Any, str]:
    """A client acting as an account of its own (a 12-digit access key), and that account:
    listings then show only what the test made."""
    account = f"{uuid.uuid4().int % 10**12:012d}"
    return server.client(service, access_key=account), account


def sent_messages(server: ServerProcess, **query: str) -> list[dict[str, Any]]:
    """The messages Stratus recorded for devices and phones (``/_stratus/sns/sent``)."""
    import urllib.parse
    import urllib.request

    url = f"{server.endpoint}/_stratus/sns/sent?{urllib.parse.urlencode(query)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return list(json.loads(response.read())["Messages"])
