"""Connections and API destinations through boto3 against a real server, delivering to a
real local HTTP receiver: requests as AWS makes them, authorization of the three kinds,
retries and dead letters, the rate limit, secrets never answered back, AWS's refusals,
and hostile receivers (hanging, answering huge bodies)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name, new_queue, receive
from tests.aws.events.receiver import Answer, Received, Receiver
from tests.conftest import ROLE, ServerProcess


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def _connection(events: Any, kind: str = "API_KEY", **auth: Any) -> tuple[str, str]:
    connection = name("c")
    if not auth:
        auth = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}
    arn = events.create_connection(Name=connection, AuthorizationType=kind, AuthParameters=auth)[
        "ConnectionArn"
    ]
    return connection, arn


def _destination(
    events: Any, connection_arn: str, endpoint: str, method: str = "POST", **extra: Any
) -> str:
    return str(
        events.create_api_destination(
            Name=name("d"),
            ConnectionArn=connection_arn,
            InvocationEndpoint=endpoint,
            HttpMethod=method,
            **extra,
        )["ApiDestinationArn"]
    )


def _rule_to(events: Any, target: dict[str, Any]) -> str:
    """A rule on a fresh bus whose one target is ``target``; the bus's name."""
    bus = name("bus")
    events.create_event_bus(Name=bus)
    events.put_rule(Name="r", EventBusName=bus, EventPattern=json.dumps({"source": ["app"]}))
    events.put_targets(Rule="r", EventBusName=bus, Targets=[{"Id": "t", "RoleArn": ROLE, **target}])
    return bus


def _publish(events: Any, bus: str, detail: dict[str, Any], count: int = 1) -> list[str]:
    entries = [
        {"Source": "app", "DetailType": "order", "Detail": json.dumps(detail), "EventBusName": bus}
    ] * count
    answer = events.put_events(Entries=entries)
    assert answer["FailedEntryCount"] == 0
    return [e["EventId"] for e in answer["Entries"]]


def _wait_state(events: Any, connection: str, states: tuple[str, ...]) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = events.describe_connection(Name=connection)
        if found["ConnectionState"] in states:
            return dict(found)
        time.sleep(0.05)
    raise AssertionError(f"{connection} stayed {found['ConnectionState']}")


# -- connections -----------------------------------------------------------------------
def test_connection_secrets_are_never_answered(events: Any) -> None:
    connection, arn = _connection(
        events,
        "API_KEY",
        ApiKeyAuthParameters={"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"},
        InvocationHttpParameters={
            "HeaderParameters": [
                {"Key": "x-team", "Value": "blue", "IsValueSecret": False},
                {"Key": "x-token", "Value": "hidden", "IsValueSecret": True},
            ]
        },
    )
    assert arn.startswith(f"arn:aws:events:us-east-1:000000000000:connection/{connection}/")
    found = events.describe_connection(Name=connection)
    assert found["ConnectionState"] == "AUTHORIZED"
    assert found["AuthorizationType"] == "API_KEY"
    assert found["SecretArn"].startswith(
        f"arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection/{connection}/"
    )
    assert found["AuthParameters"] == {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"},
        "InvocationHttpParameters": {
            "HeaderParameters": [
                {"Key": "x-team", "Value": "blue", "IsValueSecret": False},
                {"Key": "x-token", "IsValueSecret": True},
            ]
        },
    }
    assert "s3cret" not in json.dumps(found, default=str)
    listed = events.list_connections(NamePrefix=connection)["Connections"]
    assert [(c["Name"], c["ConnectionState"]) for c in listed] == [(connection, "AUTHORIZED")]
    assert "s3cret" not in json.dumps(listed, default=str)


def test_connection_update_deauthorize_delete(events: Any, receiver: Receiver) -> None:
    connection, arn = _connection(
        events, "BASIC", BasicAuthParameters={"Username": "ada", "Password": "pw1"}
    )
    destination = _destination(events, arn, receiver.url + "/hook")
    described = events.describe_api_destination(Name=destination.split("/")[1])
    assert described["ApiDestinationState"] == "ACTIVE"
    # An update may give only what changes: the password stays.
    events.update_connection(
        Name=connection, AuthParameters={"BasicAuthParameters": {"Username": "grace"}}
    )
    bus = _rule_to(events, {"Arn": destination})
    _publish(events, bus, {"n": 1})
    [request] = receiver.wait(1)
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"grace:pw1").decode()

    answer = events.deauthorize_connection(Name=connection)
    assert answer["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name=connection)["ConnectionState"] == "DEAUTHORIZED"
    assert (
        events.describe_api_destination(Name=destination.split("/")[1])["ApiDestinationState"]
        == "INACTIVE"
    )
    events.update_connection(
        Name=connection, AuthParameters={"BasicAuthParameters": {"Password": "pw2"}}
    )
    assert events.describe_connection(Name=connection)["ConnectionState"] == "AUTHORIZED"

    assert events.delete_connection(Name=connection)["ConnectionState"] == "DELETING"
    assert aws_error(lambda: events.describe_connection(Name=connection)) == (
        "ResourceNotFoundException",
        f"Failed to describe the connection(s). Connection '{connection}' does not exist.",
    )


@pytest.mark.parametrize(
    ("kind", "auth", "message"),
    [
        (
            "BASIC",
            {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
            "BasicAuthParameters must be specified for AuthorizationType BASIC.",
        ),
        (
            "API_KEY",
            {},
            "ApiKeyAuthParameters must be specified for AuthorizationType API_KEY.",
        ),
    ],
    ids=["basic-without-basic", "api-key-without-key"],
)
def test_create_connection_refusals(
    events: Any, kind: str, auth: dict[str, Any], message: str
) -> None:
    connection = name("c")
    assert aws_error(
        lambda: events.create_connection(
            Name=connection, AuthorizationType=kind, AuthParameters=auth
        )
    ) == ("ValidationException", message)
    assert events.list_connections(NamePrefix=connection)["Connections"] == []


def test_huge_connection_parameters_are_refused(events: Any) -> None:
    connection = name("c")
    huge = [{"Key": f"k{i}", "Value": "v" * 1000} for i in range(100)]  # 100 KB of body
    code, message = aws_error(
        lambda: events.create_connection(
            Name=connection,
            AuthorizationType="API_KEY",
            AuthParameters={
                "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"},
                "InvocationHttpParameters": {"BodyParameters": huge},
            },
        )
    )
    assert (code, message) == (
        "ValidationException",
        "AuthParameters must not exceed 65536 bytes (a connection's secret, as Secrets "
        "Manager holds it).",
    )
    assert events.list_connections(NamePrefix=connection)["Connections"] == []


def test_duplicate_and_missing_resources(events: Any) -> None:
    connection, arn = _connection(events)
    assert aws_error(
        lambda: events.create_connection(
            Name=connection,
            AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}},
        )
    ) == ("ResourceAlreadyExistsException", f"Connection {connection} already exists.")
    gone = arn.replace(connection, connection + "-gone")
    assert aws_error(
        lambda: events.create_api_destination(
            Name=name("d"),
            ConnectionArn=gone,
            InvocationEndpoint="https://example.com",
            HttpMethod="POST",
        )
    ) == ("ResourceNotFoundException", f"Connection '{connection}-gone' does not exist.")
    assert aws_error(lambda: events.describe_api_destination(Name="never-" + connection)) == (
        "ResourceNotFoundException",
        f"Failed to describe the api-destination(s). An api-destination 'never-{connection}' "
        "does not exist.",
    )
    code, _ = aws_error(
        lambda: events.create_api_destination(
            Name=name("d"), ConnectionArn=arn, InvocationEndpoint="https://x", HttpMethod="TRACE"
        )
    )
    assert code == "ValidationException"


def test_api_destination_crud(events: Any) -> None:
    _, arn = _connection(events)
    destination_arn = _destination(
        events, arn, "https://example.com/a", "PUT", InvocationRateLimitPerSecond=7
    )
    destination = destination_arn.split("/")[1]
    found = events.describe_api_destination(Name=destination)
    assert found["InvocationEndpoint"] == "https://example.com/a"
    assert found["HttpMethod"] == "PUT"
    assert found["InvocationRateLimitPerSecond"] == 7
    assert found["ConnectionArn"] == arn
    events.update_api_destination(Name=destination, HttpMethod="PATCH")
    listed = events.list_api_destinations(NamePrefix=destination)["ApiDestinations"]
    assert [(d["Name"], d["HttpMethod"], d["ApiDestinationState"]) for d in listed] == [
        (destination, "PATCH", "ACTIVE")
    ]
    assert events.list_api_destinations(ConnectionArn=arn)["ApiDestinations"][0]["Name"] == (
        destination
    )
    events.delete_api_destination(Name=destination)
    assert events.list_api_destinations(NamePrefix=destination)["ApiDestinations"] == []


# -- delivery --------------------------------------------------------------------------
def test_request_as_aws_makes_it(events: Any, receiver: Receiver) -> None:
    _, arn = _connection(
        events,
        "API_KEY",
        ApiKeyAuthParameters={"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"},
        InvocationHttpParameters={
            "HeaderParameters": [{"Key": "x-from", "Value": "connection"}],
            "QueryStringParameters": [{"Key": "tenant", "Value": "acme"}],
            "BodyParameters": [{"Key": "extra", "Value": "yes"}],
        },
    )
    destination = _destination(events, arn, receiver.url + "/orders/*/items/*", "PUT")
    bus = _rule_to(
        events,
        {
            "Arn": destination,
            "HttpParameters": {
                "PathParameterValues": ["$.detail.order", "static"],
                "HeaderParameters": {
                    "x-from": "target",
                    "x-order": "$.detail.order",
                    "User-Agent": "mine",
                    "Via": "somewhere",
                },
                "QueryStringParameters": {"tenant": "other", "q": "$.detail.q"},
            },
            "InputTransformer": {
                "InputPathsMap": {"order": "$.detail.order"},
                "InputTemplate": '{"order": <order>}',
            },
        },
    )
    _publish(events, bus, {"order": "o-1/2", "q": "a b"})
    [request] = receiver.wait(1)
    assert request.method == "PUT"
    assert request.path == "/orders/o-1%2F2/items/static"
    assert request.query == {"tenant": "acme", "q": "a b"}  # the connection's value wins
    headers = request.headers
    assert headers["x-api-key"] == "s3cret"
    assert headers["x-from"] == "connection"
    assert headers["x-order"] == "o-1/2"
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"  # not overridable
    assert "via" not in headers  # removed, as AWS removes it
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["range"] == "bytes=0-1048575"
    assert request.json() == {"order": "o-1/2", "extra": "yes"}


@pytest.mark.parametrize(
    "value", ["o-1\r\nX-Evil: 1", "caf\u00e9 \u2615"], ids=["header-split", "not-latin-1"]
)
def test_event_value_that_cannot_be_a_header_is_dead_lettered(
    events: Any, sqs: Any, receiver: Receiver, value: str
) -> None:
    _, arn = _connection(events)
    dlq_url, dlq_arn = new_queue(sqs)
    bus = _rule_to(
        events,
        {
            "Arn": _destination(events, arn, receiver.url + "/hook"),
            "HttpParameters": {"HeaderParameters": {"x-order": "$.detail.order"}},
            "DeadLetterConfig": {"Arn": dlq_arn},
        },
    )
    _publish(events, bus, {"order": value})
    [dead] = receive(sqs, dlq_url, attributes=True)
    assert dead["body"]["detail"]["order"] == value
    assert dead["attributes"]["ERROR_CODE"]["StringValue"] == "INVALID_PARAMETER"
    assert receiver.requests == []  # nothing was sent, split or not


def test_oauth_client_credentials(events: Any, receiver: Receiver) -> None:
    def answer(request: Received) -> Answer:
        if request.path == "/token":
            return Answer(body=json.dumps({"access_token": "tok-1", "expires_in": 3600}).encode())
        return Answer()

    receiver.answer = answer
    connection, arn = _connection(
        events,
        "OAUTH_CLIENT_CREDENTIALS",
        OAuthParameters={
            "ClientParameters": {"ClientID": "id", "ClientSecret": "shh"},
            "AuthorizationEndpoint": receiver.url + "/token",
            "HttpMethod": "POST",
            "OAuthHttpParameters": {
                "BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}],
                "HeaderParameters": [{"Key": "x-oauth", "Value": "1"}],
            },
        },
    )
    found = _wait_state(events, connection, ("AUTHORIZED", "DEAUTHORIZED"))
    assert found["ConnectionState"] == "AUTHORIZED"
    assert "LastAuthorizedTime" in found
    assert found["AuthParameters"]["OAuthParameters"]["ClientParameters"] == {"ClientID": "id"}
    [token_request] = receiver.wait(1, path="/token")
    assert token_request.headers["authorization"] == "Basic " + base64.b64encode(b"id:shh").decode()
    assert token_request.body == b"grant_type=client_credentials"
    assert token_request.headers["x-oauth"] == "1"
    bus = _rule_to(events, {"Arn": _destination(events, arn, receiver.url + "/hook")})
    _publish(events, bus, {"n": 1}, count=3)
    hooks = receiver.wait(3, path="/hook")
    assert {r.headers["authorization"] for r in hooks} == {"Bearer tok-1"}
    assert len(receiver.wait(1, path="/token")) == 1  # the token is kept


def test_oauth_failure_deauthorizes(events: Any, receiver: Receiver) -> None:
    receiver.answer = lambda _: Answer(status=500)
    connection, _ = _connection(
        events,
        "OAUTH_CLIENT_CREDENTIALS",
        OAuthParameters={
            "ClientParameters": {"ClientID": "id", "ClientSecret": "shh"},
            "AuthorizationEndpoint": receiver.url + "/token",
            "HttpMethod": "GET",
        },
    )
    found = _wait_state(events, connection, ("DEAUTHORIZED", "AUTHORIZED"))
    assert found["ConnectionState"] == "DEAUTHORIZED"
    assert "HTTP 500" in found["StateReason"]


def test_retries_on_5xx_409_429_with_retry_after_then_delivers(
    events: Any, receiver: Receiver
) -> None:
    answers = iter(
        [
            Answer(status=503),
            Answer(status=409),
            Answer(status=429, headers={"Retry-After": "1"}),
            Answer(status=204),
        ]
    )
    receiver.answer = lambda _: next(answers)
    _, arn = _connection(events)
    bus = _rule_to(events, {"Arn": _destination(events, arn, receiver.url + "/hook")})
    _publish(events, bus, {"n": 1})
    requests = receiver.wait(4)
    assert len(requests) == 4
    assert requests[3].at - requests[2].at >= 0.9  # Retry-After: 1 was honoured
    time.sleep(1)
    assert len(receiver.requests) == 4  # delivered: no more attempts


def test_client_errors_go_to_the_dead_letter_queue_unretried(
    events: Any, sqs: Any, receiver: Receiver
) -> None:
    receiver.answer = lambda _: Answer(status=400)
    _, arn = _connection(events)
    destination = _destination(events, arn, receiver.url + "/hook")
    dlq_url, dlq_arn = new_queue(sqs)
    bus = _rule_to(events, {"Arn": destination, "DeadLetterConfig": {"Arn": dlq_arn}})
    [event_id] = _publish(events, bus, {"n": 1})
    [dead] = receive(sqs, dlq_url, attributes=True)
    assert dead["body"]["id"] == event_id
    attributes = {k: v["StringValue"] for k, v in dead["attributes"].items()}
    assert attributes["ERROR_CODE"] == "ERROR_FROM_TARGET"
    assert attributes["ERROR_MESSAGE"] == "The endpoint answered HTTP 400."
    assert attributes["TARGET_ARN"] == destination
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
    assert len(receiver.requests) == 1


def test_rate_limit_spaces_requests(events: Any, receiver: Receiver) -> None:
    _, arn = _connection(events)
    destination = _destination(events, arn, receiver.url + "/hook", InvocationRateLimitPerSecond=2)
    bus = _rule_to(events, {"Arn": destination})
    _publish(events, bus, {"n": 1}, count=8)
    requests = receiver.wait(8)
    assert len(requests) == 8
    # 2 per second: 8 requests cannot span less than 3 seconds (a lower bound only).
    assert requests[-1].at - requests[0].at >= 2.5


# -- hostile receivers -------------------------------------------------------------------
def _rss_kb(server: ServerProcess) -> int:
    assert server.process is not None
    with open(f"/proc/{server.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_hanging_receiver_times_out_and_dead_letters(
    events: Any, sqs: Any, receiver: Receiver, server: ServerProcess
) -> None:
    receiver.answer = lambda _: Answer(hang_s=30)
    _, arn = _connection(events)
    dlq_url, dlq_arn = new_queue(sqs)
    bus = _rule_to(
        events,
        {
            "Arn": _destination(events, arn, receiver.url + "/slow"),
            "DeadLetterConfig": {"Arn": dlq_arn},
            "RetryPolicy": {"MaximumRetryAttempts": 1},
        },
    )
    _publish(events, bus, {"n": 1})
    receiver.wait(1)
    with urllib.request.urlopen(f"{server.endpoint}/_stratus/health", timeout=2) as health:
        assert health.status == 200  # the server answers while its request hangs
    [dead] = receive(sqs, dlq_url, attributes=True, timeout=30)
    attributes = {k: v["StringValue"] for k, v in dead["attributes"].items()}
    assert attributes["ERROR_CODE"] == "TIMEOUT"
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert len(receiver.requests) == 2


def test_huge_answer_is_never_read(events: Any, receiver: Receiver, server: ServerProcess) -> None:
    receiver.answer = lambda _: Answer(huge_bytes=4 * 1024**3)  # 4 GiB announced and streamed
    _, arn = _connection(events)
    bus = _rule_to(events, {"Arn": _destination(events, arn, receiver.url + "/big")})
    before = _rss_kb(server)
    _publish(events, bus, {"n": 1}, count=5)
    assert len(receiver.wait(5)) == 5
    time.sleep(1)
    assert len(receiver.requests) == 5  # 200: delivered once each, not retried
    assert _rss_kb(server) - before < 200 * 1024  # no answer was held in memory


class _RawServer:
    """A TCP server that answers every connection with ``reply`` bytes (then, if
    ``endless``, the same bytes for ever): not HTTP, or an HTTP head that never ends."""

    def __init__(self, reply: bytes, endless: bool) -> None:
        self.connections = 0
        self._reply, self._endless = reply, endless
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self._reply)
                while self._endless and not self._stop.is_set():
                    conn.sendall(b"a" * 65536)
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


@pytest.mark.parametrize(
    ("reply", "endless"),
    [
        (b"HTTP/1.1 200 OK\r\nX-Endless: ", True),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", False),
    ],
    ids=["endless-head", "not-http"],
)
def test_receivers_that_break_http_fail_the_attempt(
    events: Any, sqs: Any, server: ServerProcess, reply: bytes, endless: bool
) -> None:
    raw = _RawServer(reply, endless)
    try:
        _, arn = _connection(events)
        dlq_url, dlq_arn = new_queue(sqs)
        bus = _rule_to(
            events,
            {
                "Arn": _destination(events, arn, raw.url + "/x"),
                "DeadLetterConfig": {"Arn": dlq_arn},
                "RetryPolicy": {"MaximumRetryAttempts": 0},
            },
        )
        before = _rss_kb(server)
        _publish(events, bus, {"n": 1})
        [dead] = receive(sqs, dlq_url, attributes=True, timeout=30)
        attributes = {k: v["StringValue"] for k, v in dead["attributes"].items()}
        assert attributes["ERROR_CODE"] in ("CONNECTION_FAILURE", "TIMEOUT")
        assert raw.connections == 1
        assert _rss_kb(server) - before < 200 * 1024
        assert events.list_event_buses(NamePrefix=bus)["EventBuses"][0]["Name"] == bus
    finally:
        raw.close()
