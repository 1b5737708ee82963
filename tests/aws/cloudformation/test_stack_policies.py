"""Stack policies against a real server: Set/GetStackPolicy (in the call or from our S3),
CreateStack's policy, UpdateStack's during-update policy, and updates the policy refuses
failing the resource and rolling the stack back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.aws.cloudformation.conftest import aws_error, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

ALLOW_ALL = {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Statement": list(statements)})


def deny(action: str, resource: str = "LogicalResourceId/Kept", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Principal": "*", "Resource": resource, **extra}


def queues(kept_timeout: int = 30, other_timeout: int = 30, **more: Any) -> str:
    resources: dict[str, Any] = {
        "Kept": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": kept_timeout}},
        "Other": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": other_timeout}},
        **more,
    }
    return json.dumps({"Resources": resources})


def failed_reasons(cfn: Any, name: str) -> dict[str, str]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return {
        e["LogicalResourceId"]: e["ResourceStatusReason"]
        for e in events
        if e["ResourceStatus"] == "UPDATE_FAILED"
    }


def timeout(server: ServerProcess, cfn: Any, name: str, logical: str) -> str:
    url = cfn.describe_stack_resource(StackName=name, LogicalResourceId=logical)[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    attributes = server.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["VisibilityTimeout"]
    )
    return str(attributes["Attributes"]["VisibilityTimeout"])


def test_set_and_get_policy(cfn: Any) -> None:
    name = stack_name("pol")
    cfn.create_stack(StackName=name, TemplateBody=queues())
    wait_stack(cfn, name)
    assert "StackPolicyBody" not in cfn.get_stack_policy(StackName=name)
    body = policy(ALLOW_ALL, deny("Update:Delete"))
    cfn.set_stack_policy(StackName=name, StackPolicyBody=body)
    assert json.loads(cfn.get_stack_policy(StackName=name)["StackPolicyBody"]) == json.loads(body)
    cfn.delete_stack(StackName=name)


def test_policy_from_s3_url(cfn: Any, server: ServerProcess) -> None:
    s3 = server.client("s3")
    bucket = stack_name("polb")
    s3.create_bucket(Bucket=bucket)
    body = policy(ALLOW_ALL)
    s3.put_object(Bucket=bucket, Key="policy.json", Body=body.encode())
    name = stack_name("pol")
    cfn.create_stack(
        StackName=name,
        TemplateBody=queues(),
        StackPolicyURL=f"{server.endpoint}/{bucket}/policy.json",
    )
    wait_stack(cfn, name)
    assert cfn.get_stack_policy(StackName=name)["StackPolicyBody"] == body
    cfn.set_stack_policy(StackName=name, StackPolicyURL=f"s3://{bucket}/policy.json")
    assert cfn.get_stack_policy(StackName=name)["StackPolicyBody"] == body
    cfn.delete_stack(StackName=name)


def test_bad_policies_are_refused(cfn: Any) -> None:
    name = stack_name("pol")
    cfn.create_stack(StackName=name, TemplateBody=queues())
    wait_stack(cfn, name)
    invalid = ("ValidationError", "Error validating stack policy: Invalid stack policy")
    for bad in (
        "not json",
        json.dumps({"Statement": "x"}),
        policy({**ALLOW_ALL, "Principal": "arn:aws:iam::1:root"}),
        policy({**ALLOW_ALL, "Action": "Update:Everything"}),
        policy({**ALLOW_ALL, "Effect": "Maybe"}),
    ):
        assert aws_error(lambda b=bad: cfn.set_stack_policy(StackName=name, StackPolicyBody=b)) == (
            invalid
        )
    assert aws_error(
        lambda: cfn.set_stack_policy(
            StackName=name, StackPolicyBody=policy(ALLOW_ALL), StackPolicyURL="s3://b/k"
        )
    ) == ("ValidationError", "You cannot specify both StackPolicyURL and StackPolicyBody")
    assert aws_error(lambda: cfn.set_stack_policy(StackName="nope-none")) == (
        "ValidationError",
        "Stack with id nope-none does not exist",
    )
    assert (
        aws_error(
            lambda: cfn.create_stack(
                StackName=stack_name("pol"), TemplateBody=queues(), StackPolicyBody="{"
            )
        )
        == invalid
    )
    assert "StackPolicyBody" not in cfn.get_stack_policy(StackName=name)
    cfn.delete_stack(StackName=name)


def test_denied_modify_fails_and_rolls_back(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("pol")
    cfn.create_stack(
        StackName=name,
        TemplateBody=queues(),
        StackPolicyBody=policy(ALLOW_ALL, deny("Update:Modify")),
    )
    wait_stack(cfn, name)
    cfn.update_stack(StackName=name, TemplateBody=queues(kept_timeout=45, other_timeout=50))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert failed_reasons(cfn, name)["Kept"] == (
        "Action denied by stack policy: Statement [#2] does not allow [Update:Modify] "
        "for resource [LogicalResourceId/Kept]"
    )
    assert timeout(server, cfn, name, "Kept") == "30"
    assert timeout(server, cfn, name, "Other") == "30"  # rolled back too
    # What the policy allows still goes through.
    cfn.update_stack(StackName=name, TemplateBody=queues(other_timeout=50))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert timeout(server, cfn, name, "Other") == "50"
    cfn.delete_stack(StackName=name)


def test_policy_without_allow_protects_everything(cfn: Any) -> None:
    name = stack_name("pol")
    cfn.create_stack(StackName=name, TemplateBody=queues())
    wait_stack(cfn, name)
    cfn.set_stack_policy(
        StackName=name,
        StackPolicyBody=policy(
            {
                "Effect": "Allow",
                "Action": "Update:*",
                "Principal": "*",
                "NotResource": "LogicalResourceId/Other",
            }
        ),
    )
    cfn.update_stack(StackName=name, TemplateBody=queues(other_timeout=50))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert failed_reasons(cfn, name)["Other"] == (
        "Action not allowed by stack policy: No statement allows [Update:Modify] "
        "for resource [LogicalResourceId/Other]"
    )
    cfn.delete_stack(StackName=name)


def test_denied_replace_and_delete_by_type(cfn: Any) -> None:
    name = stack_name("pol")
    topic = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "one"}}}
    cfn.create_stack(
        StackName=name,
        TemplateBody=queues(**topic),
        StackPolicyBody=policy(
            ALLOW_ALL,
            deny(
                ["Update:Replace", "Update:Delete"],
                "*",
                Condition={"StringEquals": {"ResourceType": ["AWS::SNS::Topic"]}},
            ),
        ),
    )
    wait_stack(cfn, name)
    topic_arn = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Topic")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    # An in-place change of the topic is allowed.
    changed = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "two"}}}
    cfn.update_stack(StackName=name, TemplateBody=queues(**changed))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    # A rename replaces it: denied.
    renamed = {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name + "-t"}}}
    cfn.update_stack(StackName=name, TemplateBody=queues(**renamed))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert failed_reasons(cfn, name)["Topic"] == (
        "Action denied by stack policy: Statement [#2] does not allow [Update:Replace] "
        "for resource [LogicalResourceId/Topic]"
    )
    # Removing it deletes it: denied, and the topic is still there.
    cfn.update_stack(StackName=name, TemplateBody=queues())
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert any(
        e["ResourceStatus"] == "UPDATE_FAILED"
        and e.get("ResourceStatusReason", "").endswith(
            "does not allow [Update:Delete] for resource [LogicalResourceId/Topic]"
        )
        for e in events
    )
    attributes = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Topic")
    assert attributes["StackResourceDetail"]["PhysicalResourceId"] == topic_arn
    cfn.delete_stack(StackName=name)  # a policy never protects from DeleteStack
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    assert aws_error(lambda: cfn.describe_stacks(StackName=name))[0] == "ValidationError"


def test_during_update_policy_applies_to_that_update_only(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("pol")
    locked = policy(deny("Update:*", "*"))
    cfn.create_stack(StackName=name, TemplateBody=queues(), StackPolicyBody=locked)
    wait_stack(cfn, name)
    cfn.update_stack(
        StackName=name,
        TemplateBody=queues(kept_timeout=45),
        StackPolicyDuringUpdateBody=policy(ALLOW_ALL),
    )
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert timeout(server, cfn, name, "Kept") == "45"
    assert cfn.get_stack_policy(StackName=name)["StackPolicyBody"] == locked
    cfn.update_stack(StackName=name, TemplateBody=queues(kept_timeout=60))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert "Update:Modify" in failed_reasons(cfn, name)["Kept"]
    # UpdateStack's StackPolicyBody replaces the stack's policy from then on.
    cfn.update_stack(
        StackName=name, TemplateBody=queues(kept_timeout=60), StackPolicyBody=policy(ALLOW_ALL)
    )
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    assert cfn.get_stack_policy(StackName=name)["StackPolicyBody"] == policy(ALLOW_ALL)
    cfn.delete_stack(StackName=name)


def test_policy_survives_kill(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn = server.client("cloudformation")
        body = policy(ALLOW_ALL, deny("Update:Modify"))
        cfn.create_stack(StackName="guarded", TemplateBody=queues(), StackPolicyBody=body)
        wait_stack(cfn, "guarded")
        server.kill()
        server.start()
        cfn = server.client("cloudformation")
        assert cfn.get_stack_policy(StackName="guarded")["StackPolicyBody"] == body
        cfn.update_stack(StackName="guarded", TemplateBody=queues(kept_timeout=45))
        assert settle(cfn, "guarded")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    finally:
        server.stop()
