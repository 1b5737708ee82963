"""AWS::Events::EventBusPolicy: each resource's statement joins the bus's policy under its
StatementId, an update rewrites it, and deleting the stack takes its statements away (and
leaves the ones it did not write)."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.cloudformation.conftest import stack_name, wait_stack
from tests.conftest import ServerProcess


def _template(principal: str) -> dict[str, Any]:
    bus_ref = {"Ref": "BusName"}
    return {
        "Parameters": {"BusName": {"Type": "String"}, "BusArn": {"Type": "String"}},
        "Resources": {
            "Account": {
                "Type": "AWS::Events::EventBusPolicy",
                "Properties": {
                    "EventBusName": bus_ref,
                    "StatementId": "account",
                    "Action": "events:PutEvents",
                    "Principal": principal,
                },
            },
            "Org": {
                "Type": "AWS::Events::EventBusPolicy",
                "DependsOn": "Account",
                "Properties": {
                    "EventBusName": bus_ref,
                    "StatementId": "org",
                    "Action": "events:PutEvents",
                    "Principal": "*",
                    "Condition": {
                        "Type": "StringEquals",
                        "Key": "aws:PrincipalOrgID",
                        "Value": "o-1234567890",
                    },
                },
            },
            "Whole": {
                "Type": "AWS::Events::EventBusPolicy",
                "DependsOn": "Org",
                "Properties": {
                    "EventBusName": bus_ref,
                    "StatementId": "whole",
                    "Statement": {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                        "Action": "events:PutEvents",
                        "Resource": {"Ref": "BusArn"},
                    },
                },
            },
        },
    }


def _statements(events: Any, bus: str) -> dict[str, Any]:
    text = events.describe_event_bus(Name=bus).get("Policy")
    return {} if text is None else {s["Sid"]: s for s in json.loads(text)["Statement"]}


def test_event_bus_policy_lifecycle(server: ServerProcess, cfn: Any) -> None:
    events = server.client("events")
    name = stack_name("buspolicy")
    bus = f"{name}-bus"
    arn = events.create_event_bus(Name=bus)["EventBusArn"]
    events.put_permission(
        EventBusName=bus, Action="events:PutEvents", Principal="999988887777", StatementId="own"
    )
    parameters = [
        {"ParameterKey": "BusName", "ParameterValue": bus},
        {"ParameterKey": "BusArn", "ParameterValue": arn},
    ]
    cfn.create_stack(
        StackName=name, TemplateBody=json.dumps(_template("111122223333")), Parameters=parameters
    )
    wait_stack(cfn, name)
    found = _statements(events, bus)
    assert list(found) == ["own", "account", "org", "whole"]
    assert found["account"]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert found["org"]["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}}
    assert found["whole"] == {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
        "Action": "events:PutEvents",
        "Resource": arn,
        "Sid": "whole",
    }

    cfn.update_stack(StackName=name, TemplateBody=json.dumps(_template("*")), Parameters=parameters)
    wait_stack(cfn, name, "stack_update_complete")
    assert _statements(events, bus)["account"]["Principal"] == "*"

    resources = cfn.describe_stack_resources(StackName=name)["StackResources"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    assert physical["Account"] == "account"

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert list(_statements(events, bus)) == ["own"]
