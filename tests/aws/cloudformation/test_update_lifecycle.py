"""An update's lifecycle against a real server: a failed resource updated back to its old
properties during the rollback (a custom resource gets that Update, as on AWS) unless it
failed before anything was applied, CancelUpdateStack, ContinueUpdateRollback and
DescribeAccountLimits."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.aws.cloudformation.conftest import aws_error, settle, stack_name, wait_stack
from tests.aws.cloudformation.test_custom_resources import HANDLER, requests_seen
from tests.conftest import ServerProcess

# The custom resources' provider, which also sleeps when asked (Sleep) and refuses the
# rollback of an update it failed while the old properties say Stuck.
PROVIDER_CODE = HANDLER.replace(
    '    if mode == "silent":\n',
    "    import time\n"
    '    time.sleep(float(props.get("Sleep", 0)))\n'
    '    old = event.get("OldResourceProperties") or {}\n'
    '    if old.get("Mode") == "fail" and props.get("Stuck") == "yes":\n'
    '        send(event, context, FAILED, {}, reason="stuck")\n'
    "        return\n"
    '    if mode == "silent":\n',
)

BASE = {
    "Log": {"Type": "AWS::SQS::Queue"},
    "Provider": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Timeout": 30,
            "Role": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/r"},
            "Code": {"ZipFile": PROVIDER_CODE},
        },
    },
}


def thing(**props: Any) -> dict[str, Any]:
    return {
        "Type": "Custom::Thing",
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]},
            "Log": {"Ref": "Log"},
            **props,
        },
    }


def template(**resources: Any) -> str:
    return json.dumps(
        {"Resources": {**BASE, **resources}, "Outputs": {"Log": {"Value": {"Ref": "Log"}}}}
    )


def log_url(cfn: Any, name: str) -> str:
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return str(next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "Log"))


def statuses(cfn: Any, name: str, logical: str) -> list[str]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [e["ResourceStatus"] for e in reversed(events) if e["LogicalResourceId"] == logical]


def test_failed_custom_update_gets_rollback_update(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("lc")
    cfn.create_stack(StackName=name, TemplateBody=template(Thing=thing(Value="v1")))
    wait_stack(cfn, name)
    log = log_url(cfn, name)
    assert [r["RequestType"] for r in requests_seen(server, log)] == ["Create"]
    cfn.update_stack(StackName=name, TemplateBody=template(Thing=thing(Value="v2", Mode="fail")))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    seen = requests_seen(server, log)
    assert [r["RequestType"] for r in seen] == ["Update", "Update"]
    assert seen[0]["ResourceProperties"]["Value"] == "v2"
    # The rollback: the old properties again, the failed ones as OldResourceProperties.
    assert seen[1]["ResourceProperties"]["Value"] == "v1"
    assert "Mode" not in seen[1]["ResourceProperties"]
    assert seen[1]["OldResourceProperties"]["Mode"] == "fail"
    assert seen[1]["PhysicalResourceId"] == seen[0]["PhysicalResourceId"]
    assert statuses(cfn, name, "Thing")[-4:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_FAILED",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]
    cfn.delete_stack(StackName=name)


def test_partly_applied_update_is_undone(cfn: Any, server: ServerProcess) -> None:
    """The topic's new DisplayName is set before its SignatureVersion is refused: the
    rollback updates the topic back, so the old name is what is left."""
    name = stack_name("lc")

    def topic(**props: Any) -> str:
        return json.dumps(
            {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": props}}}
        )

    cfn.create_stack(StackName=name, TemplateBody=topic(DisplayName="one"))
    wait_stack(cfn, name)
    arn = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Topic")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    cfn.update_stack(StackName=name, TemplateBody=topic(DisplayName="two", SignatureVersion="9"))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    sns = server.client("sns")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "one"
    assert statuses(cfn, name, "Topic")[-4:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_FAILED",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]
    cfn.delete_stack(StackName=name)


def test_failure_before_anything_applied_is_not_undone(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("lc")
    body = template(Topic={"Type": "AWS::SNS::Topic"}, Thing=thing(Value="v1"))
    cfn.create_stack(StackName=name, TemplateBody=body)
    wait_stack(cfn, name)
    log = log_url(cfn, name)
    requests_seen(server, log)
    moved = json.loads(body)
    moved["Resources"]["Thing"]["Properties"]["ServiceToken"] = {"Ref": "Topic"}
    moved["Resources"]["Thing"]["Properties"]["Value"] = "v2"
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(moved))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert requests_seen(server, log) == []  # no Update, neither forward nor back
    assert statuses(cfn, name, "Thing")[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_FAILED"]
    cfn.delete_stack(StackName=name)


def test_continue_update_rollback(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("lc")
    cfn.create_stack(StackName=name, TemplateBody=template(Thing=thing(Value="v1", Stuck="yes")))
    wait_stack(cfn, name)
    failing = template(Thing=thing(Value="v2", Mode="fail", Stuck="yes"))
    cfn.update_stack(StackName=name, TemplateBody=failing)
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
    assert aws_error(lambda: cfn.update_stack(StackName=name, TemplateBody=failing))[0] == (
        "ValidationError"
    )
    # Trying again fails the same way: the provider still refuses.
    cfn.continue_update_rollback(StackName=name)
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
    assert aws_error(
        lambda: cfn.continue_update_rollback(StackName=name, ResourcesToSkip=["Log"])
    ) == (
        "ValidationError",
        "Resource [Log] cannot be skipped: only resources in the UPDATE_FAILED state can be skipped",
    )
    cfn.continue_update_rollback(StackName=name, ResourcesToSkip=["Thing"])
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Thing")
    assert detail["StackResourceDetail"]["ResourceStatus"] == "UPDATE_COMPLETE"
    # The stack takes updates again.
    cfn.update_stack(StackName=name, TemplateBody=template(Thing=thing(Value="v3")))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert aws_error(lambda: cfn.continue_update_rollback(StackName=name)) == (
        "ValidationError",
        "ContinueUpdateRollback cannot be called from current stack status",
    )
    cfn.delete_stack(StackName=name)


def test_cancel_update_rolls_back(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("lc")
    first = thing(Value="a1")
    second = {**thing(Value="b1"), "DependsOn": "First"}
    cfn.create_stack(StackName=name, TemplateBody=template(First=first, Second=second))
    wait_stack(cfn, name)
    log = log_url(cfn, name)
    requests_seen(server, log)
    assert aws_error(lambda: cfn.cancel_update_stack(StackName=name)) == (
        "ValidationError",
        "CancelUpdateStack cannot be called from current stack status",
    )
    slow = thing(Value="a2", Sleep="2")
    later = {**thing(Value="b2"), "DependsOn": "First"}
    cfn.update_stack(StackName=name, TemplateBody=template(First=slow, Second=later))
    for _ in range(300):  # First is being updated (its provider sleeps): cancel now
        if statuses(cfn, name, "First")[-1] == "UPDATE_IN_PROGRESS":
            break
        time.sleep(0.05)
    cfn.cancel_update_stack(StackName=name)
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert any(
        e["ResourceStatus"] == "UPDATE_ROLLBACK_IN_PROGRESS"
        and e.get("ResourceStatusReason") == "Stack update cancelled"
        for e in events
    )
    seen = [
        (r["LogicalResourceId"], r["ResourceProperties"]["Value"])
        for r in requests_seen(server, log)
    ]
    assert seen == [("First", "a2"), ("First", "a1")]  # Second was never touched
    cfn.delete_stack(StackName=name)


def test_describe_account_limits(cfn: Any) -> None:
    limits = {
        limit["Name"]: limit["Value"] for limit in cfn.describe_account_limits()["AccountLimits"]
    }
    assert limits == {
        "ConcurrentResourcesLimit": 2500,
        "StackLimit": 2000,
        "StackOutputsLimit": 200,
    }


def test_failed_rollback_survives_kill(tmp_path: Path) -> None:
    """What the rollback could not undo is stored with the stack: after a kill -9,
    ContinueUpdateRollback still knows which resource to try again or skip."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn = server.client("cloudformation")
        cfn.create_stack(
            StackName="stuck", TemplateBody=template(Thing=thing(Value="v1", Stuck="yes"))
        )
        wait_stack(cfn, "stuck")
        failing = template(Thing=thing(Value="v2", Mode="fail", Stuck="yes"))
        cfn.update_stack(StackName="stuck", TemplateBody=failing)
        assert settle(cfn, "stuck")["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
        server.kill()
        server.start()
        cfn = server.client("cloudformation")
        assert cfn.describe_stacks(StackName="stuck")["Stacks"][0]["StackStatus"] == (
            "UPDATE_ROLLBACK_FAILED"
        )
        cfn.continue_update_rollback(StackName="stuck")
        assert settle(cfn, "stuck")["StackStatus"] == "UPDATE_ROLLBACK_FAILED"  # tried again
        cfn.continue_update_rollback(StackName="stuck", ResourcesToSkip=["Thing"])
        assert settle(cfn, "stuck")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    finally:
        server.stop()
