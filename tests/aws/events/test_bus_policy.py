"""PutPermission and RemovePermission over boto3: the bus's policy as AWS writes it,
AWS's error for each bad input (nothing stored), and the policy kept across a restart."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name
from tests.conftest import ServerProcess

ACCOUNT = "000000000000"
OTHER = "111122223333"


def _bus(events: Any) -> tuple[str, str]:
    bus = name("bus")
    return bus, events.create_event_bus(Name=bus)["EventBusArn"]


def _policy(events: Any, bus: str) -> dict[str, Any] | None:
    text = events.describe_event_bus(Name=bus).get("Policy")
    return None if text is None else json.loads(text)


def _grant(events: Any, bus: str, sid: str, principal: str = OTHER, **extra: Any) -> None:
    events.put_permission(
        EventBusName=bus, Action="events:PutEvents", Principal=principal, StatementId=sid, **extra
    )


def test_statements_as_aws_writes_them(events: Any) -> None:
    bus, arn = _bus(events)
    assert "Policy" not in events.describe_event_bus(Name=bus)
    _grant(events, bus, "one")
    _grant(events, bus, "everyone", principal="*")
    _grant(
        events,
        bus,
        "org",
        principal="*",
        Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": "o-1234567890"},
    )
    assert _policy(events, bus) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "one",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
                "Action": "events:PutEvents",
                "Resource": arn,
            },
            {
                "Sid": "everyone",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": arn,
            },
            {
                "Sid": "org",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "events:PutEvents",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}},
            },
        ],
    }
    listed = events.list_event_buses(NamePrefix=bus)["EventBuses"][0]
    assert json.loads(listed["Policy"]) == _policy(events, bus)


def test_same_statement_id_replaces_in_place(events: Any) -> None:
    bus, _ = _bus(events)
    _grant(events, bus, "a")
    _grant(events, bus, "b")
    _grant(events, bus, "a", principal="*")
    policy = _policy(events, bus)
    assert policy is not None
    assert [(s["Sid"], s["Principal"]) for s in policy["Statement"]] == [
        ("a", "*"),
        ("b", {"AWS": f"arn:aws:iam::{OTHER}:root"}),
    ]


def test_whole_policy_document_replaces_the_policy(events: Any) -> None:
    bus, arn = _bus(events)
    _grant(events, bus, "gone")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "rules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    events.put_permission(EventBusName=bus, Policy=json.dumps(document))
    assert _policy(events, bus) == document
    _grant(events, bus, "added")  # a statement joins the document's
    policy = _policy(events, bus)
    assert policy is not None
    assert [s["Sid"] for s in policy["Statement"]] == ["rules", "added"]
    assert policy["Statement"][1]["Resource"] == arn


def test_remove_one_then_all(events: Any) -> None:
    bus, _ = _bus(events)
    _grant(events, bus, "a")
    _grant(events, bus, "b")
    events.remove_permission(EventBusName=bus, StatementId="a")
    policy = _policy(events, bus)
    assert policy is not None
    assert [s["Sid"] for s in policy["Statement"]] == ["b"]
    events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    assert _policy(events, bus) is None
    _grant(events, bus, "c")
    events.remove_permission(EventBusName=bus, StatementId="c")  # the last one: no policy
    assert _policy(events, bus) is None


def test_statements_put_at_once_all_land(server: ServerProcess) -> None:
    """An IaC tool creates a bus's permissions in parallel: none may be lost."""
    clients = [server.client("events") for _ in range(8)]
    bus, _ = _bus(clients[0])
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: _grant(clients[i % 8], bus, f"s{i:02d}"), range(24)))
    policy = _policy(clients[0], bus)
    assert policy is not None
    assert sorted(s["Sid"] for s in policy["Statement"]) == [f"s{i:02d}" for i in range(24)]


def test_default_bus_takes_a_policy(events: Any) -> None:
    sid = name("s").replace("-", "")
    events.put_permission(Action="events:PutEvents", Principal=OTHER, StatementId=sid)
    try:
        policy = _policy(events, "default")
        assert policy is not None
        assert sid in [s["Sid"] for s in policy["Statement"]]
    finally:
        events.remove_permission(StatementId=sid)


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"Action": "events:PutRule", "Principal": OTHER, "StatementId": "s"},
            "ValidationException",
            "Provided value in parameter 'action' is not supported.",
        ),
        (
            {
                "Action": "events:PutEvents",
                "Principal": "*",
                "StatementId": "s",
                "Condition": {"Type": "StringLike", "Key": "aws:PrincipalOrgID", "Value": "o-1"},
            },
            "ValidationException",
            "Provided value in parameter 'condition.type' is not supported.",
        ),
        (
            {
                "Action": "events:PutEvents",
                "Principal": "*",
                "StatementId": "s",
                "Condition": {"Type": "StringEquals", "Key": "aws:SourceAccount", "Value": "1"},
            },
            "ValidationException",
            "Provided value in parameter 'condition.key' is not supported.",
        ),
        (
            {"Action": "events:PutEvents", "Principal": OTHER},
            "ValidationException",
            "Parameter StatementId must be specified.",
        ),
        (
            {"Principal": OTHER, "StatementId": "s"},
            "ValidationException",
            "Parameter Action must be specified.",
        ),
        (
            {"Policy": '{"Statement": []}', "StatementId": "s"},
            "ValidationException",
            "Parameter Policy cannot be combined with Action, Principal, StatementId or Condition.",
        ),
        ({"Policy": "{not json"}, "ValidationException", "Policy is not valid JSON."),
        (
            {"Policy": '{"Version": "2012-10-17"}'},
            "ValidationException",
            "Policy is not valid. Reason: Statement is missing or not valid.",
        ),
        (
            {"Policy": json.dumps({"Statement": [{"Sid": "x" * 11000}]})},
            "PolicyLengthExceededException",
            "The policy size exceeds the maximum allowed size of 10 KB.",
        ),
    ],
    ids=[
        "action",
        "condition-type",
        "condition-key",
        "no-statement-id",
        "no-action",
        "policy-and-statement",
        "policy-not-json",
        "policy-no-statement",
        "policy-too-long",
    ],
)
def test_put_permission_refusals(
    events: Any, params: dict[str, Any], code: str, message: str
) -> None:
    bus, _ = _bus(events)
    _grant(events, bus, "kept")
    before = _policy(events, bus)
    assert aws_error(lambda: events.put_permission(EventBusName=bus, **params)) == (code, message)
    assert _policy(events, bus) == before


def test_model_constraints_refused_by_the_protocol(events: Any) -> None:
    bus, _ = _bus(events)
    code, message = aws_error(
        lambda: events.put_permission(
            EventBusName=bus, Action="events:PutEvents", Principal="123", StatementId="s"
        )
    )
    assert code == "ValidationException" and "at 'principal'" in message
    assert _policy(events, bus) is None


def test_statements_grow_until_the_size_limit(events: Any) -> None:
    bus, _ = _bus(events)
    code = ""
    for index in range(200):
        try:
            _grant(events, bus, f"statement-{index:03d}-" + "x" * 40)
        except Exception as error:  # the first refusal ends the loop
            code = getattr(error, "response", {}).get("Error", {}).get("Code", "")
            break
    assert code == "PolicyLengthExceededException"
    policy = _policy(events, bus)
    assert policy is not None and len(json.dumps(policy, separators=(",", ":"))) <= 10240


def test_missing_bus_and_statement(events: Any) -> None:
    missing = name("missing")
    assert aws_error(lambda: _grant(events, missing, "s")) == (
        "ResourceNotFoundException",
        f"Event bus {missing} does not exist.",
    )
    assert aws_error(lambda: events.remove_permission(EventBusName=missing, StatementId="s")) == (
        "ResourceNotFoundException",
        f"Event bus {missing} does not exist.",
    )
    bus, _ = _bus(events)
    assert aws_error(lambda: events.remove_permission(EventBusName=bus, StatementId="s")) == (
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
    )
    assert aws_error(
        lambda: events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
    ) == ("ResourceNotFoundException", "EventBus does not have a policy.")
    assert aws_error(lambda: events.remove_permission(EventBusName=bus)) == (
        "ValidationException",
        "Parameter StatementId must be specified.",
    )
    _grant(events, bus, "s")
    assert aws_error(lambda: events.remove_permission(EventBusName=bus, StatementId="t")) == (
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
    )
    policy = _policy(events, bus)
    assert policy is not None and [s["Sid"] for s in policy["Statement"]] == ["s"]


def test_policy_survives_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        events = first.client("events")
        events.create_event_bus(Name="kept")
        _grant(events, "kept", "a")
        _grant(events, "kept", "b", principal="*")
        events.remove_permission(EventBusName="kept", StatementId="a")
        written = _policy(events, "kept")
    finally:
        first.kill()
    second = ServerProcess(data).start()
    try:
        events = second.client("events")
        assert written is not None and _policy(events, "kept") == written
        assert [s["Sid"] for s in written["Statement"]] == ["b"]
    finally:
        second.stop()
