"""Global endpoints over boto3: each operation with AWS's shapes, the refusals, and the
records kept across a restart."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name
from tests.conftest import ServerProcess

ROLE = "arn:aws:iam::000000000000:role/replication"
ROUTING = {
    "FailoverConfig": {
        "Primary": {
            "HealthCheck": "arn:aws:route53:::healthcheck/0a1b2c3d-0000-1111-2222-333344445555"
        },
        "Secondary": {"Route": "us-west-2"},
    }
}


def _buses(bus: str = "orders") -> list[dict[str, str]]:
    return [
        {"EventBusArn": f"arn:aws:events:us-east-1:000000000000:event-bus/{bus}"},
        {"EventBusArn": f"arn:aws:events:us-west-2:000000000000:event-bus/{bus}"},
    ]


def _create(events: Any, endpoint: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": endpoint,
        "RoutingConfig": ROUTING,
        "EventBuses": _buses(),
        "RoleArn": ROLE,
        **extra,
    }
    return dict(events.create_endpoint(**params))


def test_endpoint_lifecycle(events: Any) -> None:
    endpoint = name("ep")
    arn = f"arn:aws:events:us-east-1:000000000000:endpoint/{endpoint}"
    created = _create(events, endpoint, Description="orders failover")
    created.pop("ResponseMetadata")
    assert created == {
        "Name": endpoint,
        "Arn": arn,
        "RoutingConfig": ROUTING,
        "ReplicationConfig": {"State": "ENABLED"},
        "EventBuses": _buses(),
        "RoleArn": ROLE,
        "State": "ACTIVE",
    }
    described = events.describe_endpoint(Name=endpoint)
    assert described["Description"] == "orders failover" and described["State"] == "ACTIVE"
    assert re.fullmatch(r"[a-z0-9]{10}\.[a-z0-9]{3}", described["EndpointId"])
    assert described["EndpointUrl"] == (
        f"https://{described['EndpointId']}.endpoint.events.amazonaws.com"
    )
    assert isinstance(described["CreationTime"], dt.datetime)
    assert described["LastModifiedTime"] >= described["CreationTime"]
    assert events.describe_endpoint(Name=endpoint, HomeRegion="us-east-1")["Arn"] == arn

    updated = events.update_endpoint(
        Name=endpoint, ReplicationConfig={"State": "DISABLED"}, Description="now quiet"
    )
    assert updated["ReplicationConfig"] == {"State": "DISABLED"}
    assert updated["EndpointId"] == described["EndpointId"] and updated["State"] == "ACTIVE"
    assert events.describe_endpoint(Name=endpoint)["Description"] == "now quiet"

    listed = events.list_endpoints(NamePrefix=endpoint)["Endpoints"]
    assert [e["Name"] for e in listed] == [endpoint]
    assert listed[0]["EndpointUrl"] == described["EndpointUrl"]
    assert events.list_endpoints(NamePrefix=endpoint, HomeRegion="eu-west-1")["Endpoints"] == []

    events.delete_endpoint(Name=endpoint)
    assert aws_error(lambda: events.describe_endpoint(Name=endpoint)) == (
        "ResourceNotFoundException",
        f"Endpoint {endpoint} does not exist.",
    )


def test_list_endpoints_pages(events: Any) -> None:
    prefix = name("page")
    for index in range(3):
        _create(events, f"{prefix}-{index}")
    first = events.list_endpoints(NamePrefix=prefix, MaxResults=2)
    assert [e["Name"] for e in first["Endpoints"]] == [f"{prefix}-0", f"{prefix}-1"]
    rest = events.list_endpoints(NamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    assert [e["Name"] for e in rest["Endpoints"]] == [f"{prefix}-2"]
    assert "NextToken" not in rest


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"EventBuses": _buses()},
            "Parameter RoleArn must be specified when ReplicationConfig State is ENABLED.",
        ),
        (
            {"EventBuses": [_buses("a")[0], _buses("b")[1]], "RoleArn": ROLE},
            "Parameter EventBuses is not valid. Reason: event bus names must match.",
        ),
    ],
    ids=["replication-without-role", "bus-names-differ"],
)
def test_create_refusals(events: Any, params: dict[str, Any], message: str) -> None:
    endpoint = name("bad")
    assert aws_error(
        lambda: events.create_endpoint(Name=endpoint, RoutingConfig=ROUTING, **params)
    ) == ("ValidationException", message)
    assert aws_error(lambda: events.describe_endpoint(Name=endpoint))[0] == (
        "ResourceNotFoundException"
    )


def test_other_refusals(server: ServerProcess, events: Any) -> None:
    endpoint = name("ep")
    _create(events, endpoint)
    assert aws_error(lambda: _create(events, endpoint)) == (
        "ResourceAlreadyExistsException",
        f"Endpoint {endpoint} already exists.",
    )
    unchecked = server.client("events", parameter_validation=False)
    code, message = aws_error(
        lambda: unchecked.create_endpoint(
            Name=name("one"), RoutingConfig=ROUTING, EventBuses=_buses()[:1], RoleArn=ROLE
        )
    )
    assert code == "ValidationException" and "at 'eventBuses'" in message, message
    quiet = name("quiet")
    events.create_endpoint(
        Name=quiet,
        RoutingConfig=ROUTING,
        EventBuses=_buses(),
        ReplicationConfig={"State": "DISABLED"},
    )
    assert aws_error(
        lambda: events.update_endpoint(Name=quiet, ReplicationConfig={"State": "ENABLED"})
    ) == (
        "ValidationException",
        "Parameter RoleArn must be specified when ReplicationConfig State is ENABLED.",
    )
    assert events.describe_endpoint(Name=quiet)["ReplicationConfig"] == {"State": "DISABLED"}
    missing = name("missing")
    for call in (
        lambda: events.update_endpoint(Name=missing, Description="x"),
        lambda: events.delete_endpoint(Name=missing),
        lambda: events.describe_endpoint(Name=endpoint, HomeRegion="eu-west-1"),
    ):
        assert aws_error(call)[0] == "ResourceNotFoundException"


def test_endpoints_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        events = first.client("events")
        _create(events, "kept", Description="survives")
        events.update_endpoint(Name="kept", ReplicationConfig={"State": "DISABLED"})
        before = events.describe_endpoint(Name="kept")
    finally:
        first.kill()
    second = ServerProcess(data).start()
    try:
        after = second.client("events").describe_endpoint(Name="kept")
        for key in ("EndpointId", "EndpointUrl", "ReplicationConfig", "Description", "Arn"):
            assert after[key] == before[key]
    finally:
        second.stop()
