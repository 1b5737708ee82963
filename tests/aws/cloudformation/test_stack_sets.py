"""StackSets (SELF_MANAGED) against the real server: each instance is a real stack in its
own account and region, seen by that account's clients; operations, their results,
failure tolerance, AWS's errors, and state across a restart."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.cloudformation.conftest import aws_error, stack_name
from tests.conftest import ServerProcess

TEMPLATE = """
Parameters:
  Suffix: {Type: String, Default: one}
Resources:
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !Ref Suffix
Outputs:
  Name: {Value: !Ref Param}
"""

BROKEN = """
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      DelaySeconds: 100000
"""


def _account() -> str:
    return str(random.randrange(10**11, 10**12))


def _wait(cfn: Any, name: str, operation_id: str) -> dict[str, Any]:
    for _ in range(600):
        op = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)[
            "StackSetOperation"
        ]
        if op["Status"] not in ("RUNNING", "QUEUED", "STOPPING"):
            return dict(op)
        time.sleep(0.1)
    raise AssertionError(f"operation {operation_id} still running")


@pytest.fixture
def admin(server: ServerProcess) -> Any:
    return server.client("cloudformation", access_key=_account())


def _instance_stack(server: ServerProcess, account: str, region: str, stack_id: str) -> Any:
    cfn = server.client("cloudformation", access_key=account, region=region)
    return cfn.describe_stacks(StackName=stack_id)["Stacks"][0]


def test_stack_set_lifecycle_across_accounts_and_regions(server: ServerProcess, admin: Any) -> None:
    name = stack_name("ss")
    a1, a2 = _account(), _account()
    set_id = admin.create_stack_set(
        StackSetName=name,
        TemplateBody=TEMPLATE,
        Description="demo",
        Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "base"}],
        Tags=[{"Key": "team", "Value": "blue"}],
    )["StackSetId"]
    assert set_id.startswith(f"{name}:")
    described = admin.describe_stack_set(StackSetName=name)["StackSet"]
    assert described["Status"] == "ACTIVE"
    assert described["PermissionModel"] == "SELF_MANAGED"
    assert described["StackSetARN"].endswith(f":stackset/{set_id}")
    assert described["Parameters"] == [{"ParameterKey": "Suffix", "ParameterValue": "base"}]
    assert described["ExecutionRoleName"] == "AWSCloudFormationStackSetExecutionRole"
    assert admin.describe_stack_set(StackSetName=set_id)["StackSet"]["StackSetName"] == name
    assert name in [s["StackSetName"] for s in admin.list_stack_sets()["Summaries"]]

    op = admin.create_stack_instances(
        StackSetName=name,
        Accounts=[a1, a2],
        Regions=["us-west-2", "eu-west-1"],
        ParameterOverrides=[{"ParameterKey": "Suffix", "ParameterValue": "over"}],
        OperationPreferences={"RegionOrder": ["eu-west-1", "us-west-2"]},
    )["OperationId"]
    done = _wait(admin, name, op)
    assert done["Status"] == "SUCCEEDED" and done["Action"] == "CREATE"
    results = admin.list_stack_set_operation_results(StackSetName=name, OperationId=op)["Summaries"]
    assert [(r["Region"], r["Status"]) for r in results] == [
        ("eu-west-1", "SUCCEEDED"),
        ("eu-west-1", "SUCCEEDED"),
        ("us-west-2", "SUCCEEDED"),
        ("us-west-2", "SUCCEEDED"),
    ]
    instances = admin.list_stack_instances(StackSetName=name)["Summaries"]
    assert len(instances) == 4
    assert {(i["Status"], i["StackInstanceStatus"]["DetailedStatus"]) for i in instances} == {
        ("CURRENT", "SUCCEEDED")
    }
    one = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=a2, StackInstanceRegion="eu-west-1"
    )["StackInstance"]
    assert one["ParameterOverrides"] == [{"ParameterKey": "Suffix", "ParameterValue": "over"}]
    assert one["LastOperationId"] == op
    stack = _instance_stack(server, a2, "eu-west-1", one["StackId"])
    assert stack["StackName"].startswith(f"StackSet-{name}-")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {"Key": "team", "Value": "blue"} in stack["Tags"]
    # The stack is the account's own: its resources live in that account and region.
    ssm = server.client("ssm", access_key=a2, region="eu-west-1")
    param = next(o for o in stack["Outputs"] if o["OutputKey"] == "Name")["OutputValue"]
    assert ssm.get_parameter(Name=param)["Parameter"]["Value"] == "over"
    # ... and no one else's.
    other = server.client("cloudformation", access_key=a1, region="us-east-1")
    assert stack["StackName"] not in [s["StackName"] for s in other.describe_stacks()["Stacks"]]

    # Filters on the listing
    assert (
        len(
            admin.list_stack_instances(StackSetName=name, StackInstanceRegion="us-west-2")[
                "Summaries"
            ]
        )
        == 2
    )
    assert (
        len(admin.list_stack_instances(StackSetName=name, StackInstanceAccount=a1)["Summaries"])
        == 2
    )
    assert (
        admin.list_stack_instances(
            StackSetName=name, Filters=[{"Name": "DETAILED_STATUS", "Values": "FAILED"}]
        )["Summaries"]
        == []
    )

    # UpdateStackSet: a new parameter value everywhere the override does not set it
    op2 = admin.update_stack_set(
        StackSetName=name,
        UsePreviousTemplate=True,
        Parameters=[{"ParameterKey": "Suffix", "ParameterValue": "two"}],
    )["OperationId"]
    assert _wait(admin, name, op2)["Status"] == "SUCCEEDED"
    assert admin.describe_stack_set(StackSetName=name)["StackSet"]["Parameters"] == [
        {"ParameterKey": "Suffix", "ParameterValue": "two"}
    ]
    # UpdateStackInstances drops the override in one region: the set's value applies
    op3 = admin.update_stack_instances(
        StackSetName=name, Accounts=[a1], Regions=["us-west-2"], ParameterOverrides=[]
    )["OperationId"]
    assert _wait(admin, name, op3)["Status"] == "SUCCEEDED"
    updated = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=a1, StackInstanceRegion="us-west-2"
    )["StackInstance"]
    assert updated["ParameterOverrides"] == []
    stack = _instance_stack(server, a1, "us-west-2", updated["StackId"])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["Parameters"] == [{"ParameterKey": "Suffix", "ParameterValue": "two"}]

    operations = admin.list_stack_set_operations(StackSetName=name)["Summaries"]
    assert [o["OperationId"] for o in operations] == [op3, op2, op]

    # Not empty: DeleteStackSet refuses
    assert aws_error(lambda: admin.delete_stack_set(StackSetName=name)) == (
        "StackSetNotEmptyException",
        "StackSet is not empty",
    )
    # Delete two instances keeping their stacks, the others with theirs
    kept = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=a1, StackInstanceRegion="eu-west-1"
    )["StackInstance"]["StackId"]
    op4 = admin.delete_stack_instances(
        StackSetName=name, Accounts=[a1], Regions=["eu-west-1"], RetainStacks=True
    )["OperationId"]
    assert _wait(admin, name, op4)["Status"] == "SUCCEEDED"
    assert _instance_stack(server, a1, "eu-west-1", kept)["StackStatus"] == "CREATE_COMPLETE"
    gone = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=a2, StackInstanceRegion="us-west-2"
    )["StackInstance"]["StackId"]
    op5 = admin.delete_stack_instances(
        StackSetName=name,
        Accounts=[a1, a2],
        Regions=["us-west-2", "eu-west-1"],
        RetainStacks=False,
    )["OperationId"]
    assert _wait(admin, name, op5)["Status"] == "SUCCEEDED"
    assert _instance_stack(server, a2, "us-west-2", gone)["StackStatus"] == "DELETE_COMPLETE"
    assert admin.list_stack_instances(StackSetName=name)["Summaries"] == []
    assert (
        admin.describe_stack_set_operation(StackSetName=name, OperationId=op5)["StackSetOperation"][
            "RetainStacks"
        ]
        is False
    )

    admin.delete_stack_set(StackSetName=name)
    assert aws_error(lambda: admin.describe_stack_set(StackSetName=name)) == (
        "StackSetNotFoundException",
        f"StackSet {name} not found",
    )
    deleted = admin.list_stack_sets(Status="DELETED")["Summaries"]
    assert [s["StackSetId"] for s in deleted] == [set_id]
    assert admin.list_stack_sets(Status="ACTIVE")["Summaries"] == []
    # The name is free again
    admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)


def test_failed_instance_is_outdated_and_tolerance_cancels_the_rest(admin: Any) -> None:
    name = stack_name("ss")
    admin.create_stack_set(StackSetName=name, TemplateBody=BROKEN)
    account = _account()
    op = admin.create_stack_instances(
        StackSetName=name, Accounts=[account], Regions=["us-east-1", "us-east-2"]
    )["OperationId"]
    done = _wait(admin, name, op)
    assert done["Status"] == "FAILED"
    assert done["StatusDetails"]["FailedStackInstancesCount"] == 1
    results = admin.list_stack_set_operation_results(StackSetName=name, OperationId=op)["Summaries"]
    assert [r["Status"] for r in results] == ["FAILED", "CANCELLED"]
    assert results[0]["StatusReason"]
    first = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=account, StackInstanceRegion="us-east-1"
    )["StackInstance"]
    assert first["Status"] == "OUTDATED"
    assert first["StackInstanceStatus"]["DetailedStatus"] == "FAILED"
    second = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=account, StackInstanceRegion="us-east-2"
    )["StackInstance"]
    assert second["StackInstanceStatus"]["DetailedStatus"] == "CANCELLED"
    assert "StackId" not in second
    failed = admin.list_stack_instances(
        StackSetName=name, Filters=[{"Name": "DETAILED_STATUS", "Values": "FAILED"}]
    )["Summaries"]
    assert [i["Region"] for i in failed] == ["us-east-1"]

    # With a tolerance of one, every target is tried and one failure is tolerated.
    op2 = admin.update_stack_set(
        StackSetName=name,
        UsePreviousTemplate=True,
        OperationPreferences={"FailureToleranceCount": 1},
        Accounts=[account],
        Regions=["us-east-2"],
    )["OperationId"]
    done = _wait(admin, name, op2)
    assert done["Status"] == "SUCCEEDED"
    assert done["OperationPreferences"]["FailureToleranceCount"] == 1
    assert [
        r["Status"]
        for r in admin.list_stack_set_operation_results(StackSetName=name, OperationId=op2)[
            "Summaries"
        ]
    ] == ["FAILED"]
    # The instance outside the update is no longer what the set describes.
    assert (
        admin.describe_stack_instance(
            StackSetName=name, StackInstanceAccount=account, StackInstanceRegion="us-east-1"
        )["StackInstance"]["Status"]
        == "OUTDATED"
    )

    # A fixed template replaces the stack whose create rolled back.
    failed_stack = first["StackId"]
    op3 = admin.update_stack_set(StackSetName=name, TemplateBody=TEMPLATE)["OperationId"]
    assert _wait(admin, name, op3)["Status"] == "SUCCEEDED"
    fixed = admin.describe_stack_instance(
        StackSetName=name, StackInstanceAccount=account, StackInstanceRegion="us-east-1"
    )["StackInstance"]
    assert fixed["Status"] == "CURRENT" and fixed["StackId"] != failed_stack
    assert fixed["StackInstanceStatus"]["DetailedStatus"] == "SUCCEEDED"


def test_errors(admin: Any) -> None:
    name = stack_name("ss")
    missing = stack_name("none")
    assert aws_error(lambda: admin.describe_stack_set(StackSetName=missing)) == (
        "StackSetNotFoundException",
        f"StackSet {missing} not found",
    )
    assert aws_error(
        lambda: admin.create_stack_instances(
            StackSetName=missing, Accounts=[_account()], Regions=["us-east-1"]
        )
    ) == ("StackSetNotFoundException", f"StackSet {missing} not found")
    assert aws_error(lambda: admin.delete_stack_set(StackSetName=missing))[0] == (
        "StackSetNotFoundException"
    )
    assert aws_error(
        lambda: admin.create_stack_set(StackSetName=name, TemplateBody="Resources: [")
    )[0] == ("ValidationError")
    assert aws_error(lambda: admin.create_stack_set(StackSetName=name)) == (
        "ValidationError",
        "Either Template URL or Template Body must be specified.",
    )
    assert aws_error(
        lambda: admin.create_stack_set(
            StackSetName=name, TemplateBody=TEMPLATE, PermissionModel="SERVICE_MANAGED"
        )
    ) == (
        "ValidationError",
        "You must enable organizations access to operate a service managed stack set",
    )
    for bad in ("1st", "under_score", "a" * 129):
        assert aws_error(
            lambda bad=bad: admin.create_stack_set(StackSetName=bad, TemplateBody=TEMPLATE)
        ) == (
            "ValidationError",
            f"1 validation error detected: Value '{bad}' at 'stackSetName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*",
        )
    assert admin.list_stack_sets(Status="ACTIVE")["Summaries"] == []  # nothing stored

    admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    assert aws_error(lambda: admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)) == (
        "NameAlreadyExistsException",
        f"StackSet {name} already exists",
    )
    account = _account()
    assert aws_error(
        lambda: admin.describe_stack_instance(
            StackSetName=name, StackInstanceAccount=account, StackInstanceRegion="us-east-1"
        )
    ) == (
        "StackInstanceNotFoundException",
        f"Stack instance with account {account} and region us-east-1 not found in StackSet {name}",
    )
    assert aws_error(
        lambda: admin.update_stack_instances(
            StackSetName=name, Accounts=[account], Regions=["us-east-1"]
        )
    )[0] == ("StackInstanceNotFoundException")
    assert aws_error(
        lambda: admin.create_stack_instances(StackSetName=name, Regions=["us-east-1"])
    ) == (
        "ValidationError",
        "Accounts or DeploymentTargets must be specified",
    )
    assert aws_error(
        lambda: admin.create_stack_instances(
            StackSetName=name,
            DeploymentTargets={"OrganizationalUnitIds": ["ou-abcd-12345678"]},
            Regions=["us-east-1"],
        )
    ) == (
        "ValidationError",
        "StackSets with SELF_MANAGED permission model can only have accounts as target",
    )
    assert aws_error(
        lambda: admin.describe_stack_set_operation(StackSetName=name, OperationId="nope")
    ) == ("OperationNotFoundException", "Operation nope not found")
    assert admin.list_stack_instances(StackSetName=name)["Summaries"] == []

    # One operation at a time; an operation id once.
    op = admin.create_stack_instances(
        StackSetName=name,
        DeploymentTargets={"Accounts": [account]},
        Regions=["us-east-1", "us-east-2", "us-west-1"],
        OperationId="first-op",
    )["OperationId"]
    assert op == "first-op"
    arn = admin.describe_stack_set(StackSetName=name)["StackSet"]["StackSetARN"]
    assert aws_error(
        lambda: admin.create_stack_instances(
            StackSetName=name, Accounts=[account], Regions=["eu-west-1"]
        )
    ) == ("OperationInProgressException", f"Another Operation on StackSet {arn} is in progress")
    assert aws_error(lambda: admin.delete_stack_set(StackSetName=name))[0] == (
        "OperationInProgressException"
    )
    _wait(admin, name, op)
    assert aws_error(
        lambda: admin.update_stack_set(
            StackSetName=name, UsePreviousTemplate=True, OperationId="first-op"
        )
    ) == ("OperationIdAlreadyExistsException", "An Operation with id first-op already exists")
    assert aws_error(lambda: admin.stop_stack_set_operation(StackSetName=name, OperationId=op)) == (
        "InvalidOperationException",
        f"Operation {op} is not in a stoppable state",
    )
    assert aws_error(lambda: admin.update_stack_set(StackSetName=name)) == (
        "ValidationError",
        "Either Template URL or Template Body must be specified.",
    )
    assert len(admin.list_stack_instances(StackSetName=name)["Summaries"]) == 3


def test_stop_operation_cancels_the_remaining_targets(admin: Any) -> None:
    name = stack_name("ss")
    admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
    op = admin.create_stack_instances(StackSetName=name, Accounts=[_account()], Regions=regions)[
        "OperationId"
    ]
    admin.stop_stack_set_operation(StackSetName=name, OperationId=op)
    done = _wait(admin, name, op)
    assert done["Status"] == "STOPPED"
    statuses = [
        r["Status"]
        for r in admin.list_stack_set_operation_results(StackSetName=name, OperationId=op)[
            "Summaries"
        ]
    ]
    assert statuses[-1] == "CANCELLED"
    assert set(statuses) <= {"SUCCEEDED", "CANCELLED"}


def test_stack_sets_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        account, target = _account(), _account()
        cfn = server.client("cloudformation", access_key=account)
        cfn.create_stack_set(StackSetName="durable", TemplateBody=TEMPLATE)
        op = cfn.create_stack_instances(
            StackSetName="durable", Accounts=[target], Regions=["us-west-2"]
        )["OperationId"]
        _wait(cfn, "durable", op)
        before = cfn.describe_stack_instance(
            StackSetName="durable", StackInstanceAccount=target, StackInstanceRegion="us-west-2"
        )["StackInstance"]
        server.kill()
        server.start()
        cfn = server.client("cloudformation", access_key=account)
        assert cfn.describe_stack_set(StackSetName="durable")["StackSet"]["TemplateBody"] == (
            TEMPLATE
        )
        after = cfn.describe_stack_instance(
            StackSetName="durable", StackInstanceAccount=target, StackInstanceRegion="us-west-2"
        )["StackInstance"]
        assert after == before and after["Status"] == "CURRENT"
        assert (
            cfn.describe_stack_set_operation(StackSetName="durable", OperationId=op)[
                "StackSetOperation"
            ]["Status"]
            == "SUCCEEDED"
        )
        op2 = cfn.delete_stack_instances(
            StackSetName="durable", Accounts=[target], Regions=["us-west-2"], RetainStacks=False
        )["OperationId"]
        assert _wait(cfn, "durable", op2)["Status"] == "SUCCEEDED"
        stack = _instance_stack(server, target, "us-west-2", after["StackId"])
        assert stack["StackStatus"] == "DELETE_COMPLETE"
        cfn.delete_stack_set(StackSetName="durable")
    finally:
        server.stop()


def test_listings_page(admin: Any) -> None:
    names = [stack_name("ss") for _ in range(3)]
    for name in names:
        admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    first = admin.list_stack_sets(MaxResults=2)
    assert [s["StackSetName"] for s in first["Summaries"]] == names[:2]
    rest = admin.list_stack_sets(MaxResults=2, NextToken=first["NextToken"])
    assert [s["StackSetName"] for s in rest["Summaries"]] == names[2:]
    assert "NextToken" not in rest
    op = admin.create_stack_instances(
        StackSetName=names[0], Accounts=[_account()], Regions=["us-east-1", "us-east-2"]
    )["OperationId"]
    _wait(admin, names[0], op)
    results = admin.list_stack_set_operation_results(
        StackSetName=names[0], OperationId=op, MaxResults=1
    )
    assert len(results["Summaries"]) == 1 and results["NextToken"]
    instances = [
        i["Region"]
        for p in admin.get_paginator("list_stack_instances").paginate(
            StackSetName=names[0], PaginationConfig={"PageSize": 1}
        )
        for i in p["Summaries"]
    ]
    assert sorted(instances) == ["us-east-1", "us-east-2"]


def test_a_long_set_name_fits_its_stacks_names(server: ServerProcess, admin: Any) -> None:
    name = "L" + "o" * 127
    admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    account = _account()
    op = admin.create_stack_instances(StackSetName=name, Accounts=[account], Regions=["us-east-1"])[
        "OperationId"
    ]
    assert _wait(admin, name, op)["Status"] == "SUCCEEDED"
    stack_id = admin.list_stack_instances(StackSetName=name)["Summaries"][0]["StackId"]
    stack = _instance_stack(server, account, "us-east-1", stack_id)
    assert len(stack["StackName"]) == 128
    assert stack["StackName"].startswith("StackSet-Looo")


def _result_statuses(cfn: Any, name: str, operation_id: str) -> list[tuple[str, str]]:
    return [
        (r["Region"], r["Status"])
        for r in cfn.list_stack_set_operation_results(StackSetName=name, OperationId=operation_id)[
            "Summaries"
        ]
    ]


def test_failure_tolerance_counts_per_region(admin: Any) -> None:
    name = stack_name("ss")
    admin.create_stack_set(StackSetName=name, TemplateBody=BROKEN)
    a, b = sorted([_account(), _account()])
    # One failure per region is within a tolerance of one: every region is tried.
    op = admin.create_stack_instances(
        StackSetName=name,
        Accounts=[a],
        Regions=["us-east-1", "us-east-2"],
        OperationPreferences={"FailureToleranceCount": 1},
    )["OperationId"]
    done = _wait(admin, name, op)
    assert done["Status"] == "SUCCEEDED"
    assert done["StatusDetails"]["FailedStackInstancesCount"] == 2
    assert _result_statuses(admin, name, op) == [("us-east-1", "FAILED"), ("us-east-2", "FAILED")]
    # 50% of a region's two accounts is one: the second failure stops the operation,
    # and the later region is not attempted.
    op2 = admin.create_stack_instances(
        StackSetName=name,
        Accounts=[a, b],
        Regions=["us-west-1", "us-west-2"],
        OperationPreferences={"FailureTolerancePercentage": 50},
    )["OperationId"]
    assert _wait(admin, name, op2)["Status"] == "FAILED"
    assert _result_statuses(admin, name, op2) == [
        ("us-west-1", "FAILED"),
        ("us-west-1", "FAILED"),
        ("us-west-2", "CANCELLED"),
        ("us-west-2", "CANCELLED"),
    ]


@pytest.mark.parametrize(
    ("preferences", "message"),
    [
        (
            {"FailureToleranceCount": 1, "FailureTolerancePercentage": 10},
            "You must specify either FailureToleranceCount or FailureTolerancePercentage, "
            "but not both",
        ),
        (
            {"MaxConcurrentCount": 1, "MaxConcurrentPercentage": 10},
            "You must specify either MaxConcurrentCount or MaxConcurrentPercentage, but not both",
        ),
    ],
    ids=["tolerance", "concurrency"],
)
def test_conflicting_preferences(admin: Any, preferences: dict[str, int], message: str) -> None:
    name = stack_name("ss")
    admin.create_stack_set(StackSetName=name, TemplateBody=TEMPLATE)
    assert aws_error(
        lambda: admin.create_stack_instances(
            StackSetName=name,
            Accounts=[_account()],
            Regions=["us-east-1"],
            OperationPreferences=preferences,
        )
    ) == ("ValidationError", message)
    assert admin.list_stack_instances(StackSetName=name)["Summaries"] == []
    assert admin.list_stack_set_operations(StackSetName=name)["Summaries"] == []


def test_an_operation_the_server_stopped_during_ends_failed(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        account = _account()
        cfn = server.client("cloudformation", access_key=account)
        cfn.create_stack_set(StackSetName="cut", TemplateBody=TEMPLATE)
        regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
        op = cfn.create_stack_instances(StackSetName="cut", Accounts=[account], Regions=regions)[
            "OperationId"
        ]
        server.kill()
        server.start()
        cfn = server.client("cloudformation", access_key=account)
        described = cfn.describe_stack_set_operation(StackSetName="cut", OperationId=op)[
            "StackSetOperation"
        ]
        assert described["Status"] == "FAILED"
        assert described["StatusReason"] == (
            "The server stopped while the operation was in progress"
        )
        statuses = _result_statuses(cfn, "cut", op)
        assert ("eu-west-2", "FAILED") in statuses  # the last target never ran
        instances = cfn.list_stack_instances(StackSetName="cut")["Summaries"]
        assert len(instances) == len(regions)
        assert all(
            i["StackInstanceStatus"]["DetailedStatus"] in ("SUCCEEDED", "FAILED") for i in instances
        )
        # The set takes new operations: retrying brings every instance up to date.
        op2 = cfn.update_stack_set(StackSetName="cut", UsePreviousTemplate=True)["OperationId"]
        assert _wait(cfn, "cut", op2)["Status"] == "SUCCEEDED"
        assert {i["Status"] for i in cfn.list_stack_instances(StackSetName="cut")["Summaries"]} == {
            "CURRENT"
        }
    finally:
        server.stop()


def test_template_from_s3_and_capabilities(server: ServerProcess) -> None:
    account = _account()
    admin = server.client("cloudformation", access_key=account)
    s3 = server.client("s3", access_key=account)
    bucket = stack_name("tpl")
    s3.create_bucket(Bucket=bucket)
    role = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
"""
    s3.put_object(Bucket=bucket, Key="role.yaml", Body=role.encode())
    name = stack_name("ss")
    admin.create_stack_set(StackSetName=name, TemplateURL=f"{server.endpoint}/{bucket}/role.yaml")
    assert admin.describe_stack_set(StackSetName=name)["StackSet"]["TemplateBody"] == role
    # Without CAPABILITY_IAM each instance fails with CloudFormation's reason.
    op = admin.create_stack_instances(StackSetName=name, Accounts=[account], Regions=["us-east-1"])[
        "OperationId"
    ]
    assert _wait(admin, name, op)["Status"] == "FAILED"
    result = admin.list_stack_set_operation_results(StackSetName=name, OperationId=op)["Summaries"][
        0
    ]
    assert result["StatusReason"] == "Requires capabilities : [CAPABILITY_IAM]"
    op2 = admin.update_stack_set(
        StackSetName=name, UsePreviousTemplate=True, Capabilities=["CAPABILITY_IAM"]
    )["OperationId"]
    assert _wait(admin, name, op2)["Status"] == "SUCCEEDED"
    assert admin.describe_stack_set(StackSetName=name)["StackSet"]["Capabilities"] == [
        "CAPABILITY_IAM"
    ]
    missing = f"{server.endpoint}/{bucket}/missing.yaml"
    code, _ = aws_error(
        lambda: admin.create_stack_set(StackSetName=stack_name("ss"), TemplateURL=missing)
    )
    assert code == "ValidationError"
