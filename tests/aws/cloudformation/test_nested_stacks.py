"""Nested stacks against a real server: a child made from a template in our S3, its
outputs read with Fn::GetAtt, shown with ParentId and RootId, deleted with its parent,
and a child's failure failing (and rolling back) the parent."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

CHILD = {
    "Parameters": {"Size": {"Type": "Number"}, "Label": {"Type": "String", "Default": "x"}},
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": {"Ref": "Size"}}}
    },
    "Outputs": {
        "QueueUrl": {"Value": {"Ref": "Queue"}},
        "Label": {"Value": {"Fn::Sub": "${Label}-${Size}"}},
    },
}

BROKEN_CHILD = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Bad": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 999999}},
    }
}


def upload(server: ServerProcess, document: dict[str, Any]) -> str:
    s3 = server.client("s3")
    bucket = f"nested-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="child.json", Body=json.dumps(document).encode())
    return f"https://{bucket}.s3.amazonaws.com/child.json"


def parent(url: str, size: int = 30) -> str:
    return json.dumps(
        {
            "Resources": {
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {
                        "TemplateURL": url,
                        "Parameters": {"Size": size, "Label": "lbl"},
                        "TimeoutInMinutes": 5,
                    },
                }
            },
            "Outputs": {
                "Label": {"Value": {"Fn::GetAtt": ["Child", "Outputs.Label"]}},
                "QueueUrl": {"Value": {"Fn::GetAtt": ["Child", "Outputs.QueueUrl"]}},
                "ChildId": {"Value": {"Ref": "Child"}},
            },
        }
    )


def test_create_update_delete(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("nest")
    url = upload(server, CHILD)
    cfn.create_stack(StackName=name, TemplateBody=parent(url))
    stack = wait_stack(cfn, name)
    out = outputs(stack)
    assert out["Label"] == "lbl-30"
    child_id = out["ChildId"]
    child = cfn.describe_stacks(StackName=child_id)["Stacks"][0]
    assert child["StackName"].startswith(f"{name}-Child-")
    assert child["ParentId"] == stack["StackId"] and child["RootId"] == stack["StackId"]
    assert child["StackStatus"] == "CREATE_COMPLETE"
    listed = {s["StackId"]: s for s in cfn.list_stacks()["StackSummaries"]}
    assert listed[child_id]["ParentId"] == stack["StackId"]
    sqs = server.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"], AttributeNames=["All"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "30"

    cfn.update_stack(StackName=name, TemplateBody=parent(url, size=45))
    out2 = outputs(wait_stack(cfn, name, "stack_update_complete"))
    assert out2["Label"] == "lbl-45" and out2["ChildId"] == child_id
    attrs = sqs.get_queue_attributes(QueueUrl=out2["QueueUrl"], AttributeNames=["All"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "45"

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
    assert cfn.describe_stacks(StackName=child_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def test_child_failure_rolls_back_the_parent(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("nest")
    body = json.dumps(
        {
            "Resources": {
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {"TemplateURL": upload(server, BROKEN_CHILD)},
                }
            }
        }
    )
    cfn.create_stack(StackName=name, TemplateBody=body)
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Child"
    assert (
        "was not successfully created: The following resource(s) failed to create: [Bad]"
        in (failed[0]["ResourceStatusReason"])
    )
    # The child is gone with the rollback: no live stack has the parent as its parent.
    parent_id = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
    assert not [s for s in cfn.describe_stacks()["Stacks"] if s.get("ParentId") == parent_id]


def test_missing_template_fails_the_resource(cfn: Any) -> None:
    name = stack_name("nest")
    body = parent("https://no-such-bucket-here.s3.amazonaws.com/child.json")
    cfn.create_stack(StackName=name, TemplateBody=body)
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["ResourceStatusReason"].startswith("S3 error: Unable to get object")


def test_child_update_failure_rolls_back_both(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("nest")
    cfn.create_stack(StackName=name, TemplateBody=parent(upload(server, CHILD)))
    child_id = outputs(wait_stack(cfn, name))["ChildId"]
    broken = {**CHILD, "Resources": {**CHILD["Resources"], **BROKEN_CHILD["Resources"]}}
    cfn.update_stack(StackName=name, TemplateBody=parent(upload(server, broken)))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Child"
    assert "was not successfully updated" in failed[0]["ResourceStatusReason"]
    child = cfn.describe_stacks(StackName=child_id)["Stacks"][0]
    assert child["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    resources = cfn.describe_stack_resources(StackName=child_id)["StackResources"]
    assert [r["LogicalResourceId"] for r in resources] == ["Queue"]
    cfn.delete_stack(StackName=name)
