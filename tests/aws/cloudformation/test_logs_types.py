"""AWS::Logs::LogGroup, LogStream, SubscriptionFilter, MetricFilter and QueryDefinition in
a stack: real groups with their retention and tags, updated in place, a subscription that
delivers, metric filters and saved queries changed in place, and all of it gone with the
stack."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.aws.cloudformation.conftest import stack_name, wait_stack
from tests.conftest import ServerProcess

RECORDER = """
import base64, gzip, json, os

def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    with open(os.environ["OUT"], "a") as out:
        out.write(json.dumps(data) + "\\n")
"""


def _template(out: Path, retention: int, tags: dict[str, str]) -> str:
    return json.dumps(
        {
            "Resources": {
                "Group": {
                    "Type": "AWS::Logs::LogGroup",
                    "Properties": {
                        "RetentionInDays": retention,
                        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                    },
                },
                "Stream": {
                    "Type": "AWS::Logs::LogStream",
                    "Properties": {"LogGroupName": {"Ref": "Group"}, "LogStreamName": "app"},
                },
                "Reader": {
                    "Type": "AWS::Lambda::Function",
                    "Properties": {
                        # The server's own runtime: a second one starts its interpreter
                        # (and, on a new data directory, installs its packages) at the
                        # first delivery, which a loaded test run once took past the
                        # test's minute.
                        "Runtime": "python3.11",
                        "Handler": "index.handler",
                        "Role": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/r"},
                        "Code": {"ZipFile": RECORDER},
                        "Timeout": 30,  # Lambda's 3 s default is tight for a loaded run
                        "Environment": {"Variables": {"OUT": str(out)}},
                    },
                },
                "Subscription": {
                    "Type": "AWS::Logs::SubscriptionFilter",
                    "Properties": {
                        "LogGroupName": {"Ref": "Group"},
                        "FilterPattern": "ERROR",
                        "DestinationArn": {"Fn::GetAtt": ["Reader", "Arn"]},
                    },
                },
            },
            "Outputs": {
                "Group": {"Value": {"Ref": "Group"}},
                "Arn": {"Value": {"Fn::GetAtt": ["Group", "Arn"]}},
                "Filter": {"Value": {"Ref": "Subscription"}},
            },
        }
    )


def test_a_stack_with_a_log_group(cfn: Any, server: ServerProcess, tmp_path: Path) -> None:
    logs = server.client("logs")
    out = tmp_path / "deliveries.jsonl"
    name = stack_name("logs")
    cfn.create_stack(StackName=name, TemplateBody=_template(out, 7, {"team": "a"}))
    stack = wait_stack(cfn, name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    group = outputs["Group"]
    assert group.startswith(f"{name}-Group-")
    assert outputs["Arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert view["retentionInDays"] == 7
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"team": "a"}
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["app"]
    filters = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [f["filterName"] for f in filters] == [outputs["Filter"]]

    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="app",
        logEvents=[
            {"timestamp": now, "message": "INFO all good"},
            {"timestamp": now, "message": "ERROR from the stack"},
        ],
    )
    deadline = time.monotonic() + 60  # (a whole line: the file may exist before it is written)
    while time.monotonic() < deadline and not (out.exists() and out.read_text().endswith("\n")):
        time.sleep(0.1)
    delivered = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["message"] for d in delivered for e in d["logEvents"]] == ["ERROR from the stack"]

    cfn.update_stack(StackName=name, TemplateBody=_template(out, 30, {"team": "b"}))
    wait_stack(cfn, name, "stack_update_complete")
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert view["retentionInDays"] == 30  # the same group, changed in place
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"team": "b"}
    assert logs.filter_log_events(logGroupName=group)["events"]

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []


def _filters_template(pattern: str, query: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Group": {"Type": "AWS::Logs::LogGroup"},
                "Errors": {
                    "Type": "AWS::Logs::MetricFilter",
                    "Properties": {
                        "LogGroupName": {"Ref": "Group"},
                        "FilterPattern": pattern,
                        "MetricTransformations": [
                            {
                                "MetricName": "Errors",
                                "MetricNamespace": "App",
                                "MetricValue": "1",
                                "Dimensions": [{"Key": "Level", "Value": "$.level"}],
                                "Unit": "Count",
                            }
                        ],
                    },
                },
                "Saved": {
                    "Type": "AWS::Logs::QueryDefinition",
                    "Properties": {
                        "Name": {"Fn::Sub": "${AWS::StackName}/errors"},
                        "QueryString": query,
                        "LogGroupNames": [{"Ref": "Group"}],
                    },
                },
            },
            "Outputs": {
                "Group": {"Value": {"Ref": "Group"}},
                "Filter": {"Value": {"Ref": "Errors"}},
                "Query": {"Value": {"Ref": "Saved"}},
                "QueryId": {"Value": {"Fn::GetAtt": ["Saved", "QueryDefinitionId"]}},
            },
        }
    )


def test_metric_filters_and_query_definitions_in_a_stack(cfn: Any, server: ServerProcess) -> None:
    logs = server.client("logs")
    name = stack_name("logsq")
    cfn.create_stack(
        StackName=name,
        TemplateBody=_filters_template('{ $.level = "ERROR" }', "fields @message | limit 5"),
    )
    outputs = {o["OutputKey"]: o["OutputValue"] for o in wait_stack(cfn, name)["Outputs"]}
    group = outputs["Group"]
    found = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterName"] for f in found] == [outputs["Filter"]]
    assert found[0]["filterPattern"] == '{ $.level = "ERROR" }'
    assert found[0]["metricTransformations"] == [
        {
            "metricName": "Errors",
            "metricNamespace": "App",
            "metricValue": "1",
            "dimensions": {"Level": "$.level"},
            "unit": "Count",
        }
    ]
    assert outputs["Query"] == outputs["QueryId"]
    definitions = logs.describe_query_definitions(queryDefinitionNamePrefix=name)
    assert [
        (d["queryDefinitionId"], d["queryString"], d["logGroupNames"])
        for d in definitions["queryDefinitions"]
    ] == [(outputs["Query"], "fields @message | limit 5", [group])]

    cfn.update_stack(
        StackName=name, TemplateBody=_filters_template("ERROR", "stats count(*) by @logStream")
    )
    wait_stack(cfn, name, "stack_update_complete")
    found = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [(f["filterName"], f["filterPattern"]) for f in found] == [(outputs["Filter"], "ERROR")]
    definitions = logs.describe_query_definitions(queryDefinitionNamePrefix=name)
    assert [
        (d["queryDefinitionId"], d["queryString"]) for d in definitions["queryDefinitions"]
    ] == [(outputs["Query"], "stats count(*) by @logStream")]

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert logs.describe_query_definitions(queryDefinitionNamePrefix=name)["queryDefinitions"] == []
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []


def _policy_template(policy: str, service: str) -> str:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            }
        ],
    }
    return json.dumps(
        {
            "Resources": {
                "Policy": {
                    "Type": "AWS::Logs::ResourcePolicy",
                    # As templates usually give it: the document as a JSON string.
                    "Properties": {"PolicyName": policy, "PolicyDocument": json.dumps(document)},
                }
            },
            "Outputs": {"Name": {"Value": {"Ref": "Policy"}}},
        }
    )


def test_a_resource_policy_in_a_stack(cfn: Any, server: ServerProcess) -> None:
    logs = server.client("logs")
    name = stack_name("logsp")
    policy = f"{name}-events"
    cfn.create_stack(StackName=name, TemplateBody=_policy_template(policy, "events.amazonaws.com"))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in wait_stack(cfn, name)["Outputs"]}
    assert outputs["Name"] == policy

    def document() -> dict[str, Any]:
        found = logs.describe_resource_policies(limit=50)["resourcePolicies"]
        return dict(
            json.loads(next(p for p in found if p["policyName"] == policy)["policyDocument"])
        )

    assert document()["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}

    cfn.update_stack(
        StackName=name, TemplateBody=_policy_template(policy, "delivery.logs.amazonaws.com")
    )
    wait_stack(cfn, name, "stack_update_complete")
    assert document()["Statement"][0]["Principal"] == {"Service": "delivery.logs.amazonaws.com"}

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    names = [p["policyName"] for p in logs.describe_resource_policies()["resourcePolicies"]]
    assert policy not in names


def _keyed_template(key: str | None, protection: dict[str, Any] | None) -> str:
    props: dict[str, Any] = {}
    if key:
        props["KmsKeyId"] = key
    if protection:
        props["DataProtectionPolicy"] = protection
    return json.dumps(
        {
            "Resources": {"Group": {"Type": "AWS::Logs::LogGroup", "Properties": props}},
            "Outputs": {"Group": {"Value": {"Ref": "Group"}}},
        }
    )


def test_a_groups_key_and_data_protection_change_in_place(cfn: Any, server: ServerProcess) -> None:
    logs = server.client("logs")
    first = "arn:aws:kms:us-east-1:000000000000:key/11111111-aaaa"
    second = "arn:aws:kms:us-east-1:000000000000:key/22222222-bbbb"
    protection = {
        "Name": "protect",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Audit": {"FindingsDestination": {}}},
            }
        ],
    }
    name = stack_name("logsk")
    cfn.create_stack(StackName=name, TemplateBody=_keyed_template(first, protection))
    outputs = {o["OutputKey"]: o["OutputValue"] for o in wait_stack(cfn, name)["Outputs"]}
    group = outputs["Group"]
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert view["kmsKeyId"] == first and view["dataProtectionStatus"] == "ACTIVATED"
    document = logs.get_data_protection_policy(logGroupIdentifier=group)["policyDocument"]
    assert json.loads(document) == protection

    cfn.update_stack(StackName=name, TemplateBody=_keyed_template(second, None))
    wait_stack(cfn, name, "stack_update_complete")
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]  # same group
    assert view["kmsKeyId"] == second and "dataProtectionStatus" not in view

    cfn.update_stack(StackName=name, TemplateBody=_keyed_template(None, None))
    wait_stack(cfn, name, "stack_update_complete")
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert "kmsKeyId" not in view

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
