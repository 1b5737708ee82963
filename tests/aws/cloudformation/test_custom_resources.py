"""Custom resources against a real server: a cfn-response style function (and a topic)
as the ServiceToken, answering with a PUT to the ResponseURL as on AWS."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

# AWS's cfn-response module, as functions inline it (its send(), with urllib instead of
# urllib3), and a provider driven by its properties: Mode fail|silent, Id, Value, Log.
HANDLER = """
import json
import urllib.request

import boto3

SUCCESS = "SUCCESS"
FAILED = "FAILED"


def send(event, context, status, data, physical_id=None, reason=None):
    body = json.dumps({
        "Status": status,
        "Reason": reason or "See the details in CloudWatch Log Stream: " + context.log_stream_name,
        "PhysicalResourceId": physical_id or context.log_stream_name,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": data,
    }).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT",
        headers={"content-type": "", "content-length": str(len(body))},
    )
    with urllib.request.urlopen(request) as answer:
        print("Status code:", answer.status)


def handler(event, context):
    if "Records" in event:  # through a topic
        event = json.loads(event["Records"][0]["Sns"]["Message"])
    props = event["ResourceProperties"]
    if props.get("Log"):
        boto3.client("sqs").send_message(QueueUrl=props["Log"], MessageBody=json.dumps(event))
    mode = props.get("Mode", "ok")
    if event["RequestType"] == "Delete":
        if props.get("DeleteMode") == "silent":
            return
        send(event, context, SUCCESS, {}, event["PhysicalResourceId"])
        return
    if mode == "silent":
        return
    if mode == "fail":
        send(event, context, FAILED, {}, reason="the provider said no")
        return
    if mode == "big":
        send(event, context, SUCCESS, {"Blob": "x" * 5000}, "big")
        return
    physical = props.get("Id") or event.get("PhysicalResourceId") or "res-" + event["RequestId"]
    send(event, context, SUCCESS, {"Echo": props.get("Value", ""), "Kind": event["RequestType"]},
         physical)
"""

PROVIDER = {
    "Log": {"Type": "AWS::SQS::Queue"},
    "Provider": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Role": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/r"},
            "Code": {"ZipFile": HANDLER},
        },
    },
}


def template(resources: dict[str, Any], outputs_: dict[str, Any] | None = None) -> str:
    return json.dumps(
        {
            "Resources": {**PROVIDER, **resources},
            "Outputs": outputs_ or {"Log": {"Value": {"Ref": "Log"}}},
        }
    )


def custom(kind: str = "Custom::Thing", **props: Any) -> dict[str, Any]:
    return {
        "Type": kind,
        "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]},
            "Log": {"Ref": "Log"},
            **props,
        },
    }


def requests_seen(server: ServerProcess, queue_url: str) -> list[dict[str, Any]]:
    sqs = server.client("sqs")
    seen = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        if not got.get("Messages"):
            return seen
        for message in got["Messages"]:
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def test_lifecycle_with_cfn_response(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("cr")
    body = template(
        {"Thing": custom(Value="one")},
        {
            "Echo": {"Value": {"Fn::GetAtt": ["Thing", "Echo"]}},
            "Id": {"Value": {"Ref": "Thing"}},
            "Log": {"Value": {"Ref": "Log"}},
        },
    )
    cfn.create_stack(StackName=name, TemplateBody=body)
    stack = wait_stack(cfn, name)
    out = outputs(stack)
    assert out["Echo"] == "one" and out["Id"].startswith("res-")
    (create,) = requests_seen(server, out["Log"])
    assert create["RequestType"] == "Create"
    assert create["ResourceType"] == "Custom::Thing"
    assert create["LogicalResourceId"] == "Thing"
    assert create["StackId"] == stack["StackId"]
    assert create["ResourceProperties"]["Value"] == "one"
    assert "PhysicalResourceId" not in create and "OldResourceProperties" not in create
    assert create["ResponseURL"].startswith(server.endpoint)

    cfn.update_stack(StackName=name, TemplateBody=body.replace('"one"', '"two"'))
    out2 = outputs(wait_stack(cfn, name, "stack_update_complete"))
    assert out2["Echo"] == "two" and out2["Id"] == out["Id"]
    (update,) = requests_seen(server, out["Log"])
    assert update["RequestType"] == "Update"
    assert update["PhysicalResourceId"] == out["Id"]
    assert update["OldResourceProperties"]["Value"] == "one"
    assert update["ResourceProperties"]["Value"] == "two"

    cfn.delete_stack(StackName=name)
    # The queue goes with the stack, so the Delete request is checked by its event.
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
    events = cfn.describe_stack_events(StackName=stack["StackId"])["StackEvents"]
    assert any(
        e["LogicalResourceId"] == "Thing" and e["ResourceStatus"] == "DELETE_COMPLETE"
        for e in events
    )


def test_new_physical_id_on_update_deletes_the_old(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("cr")
    body = template({"Thing": custom("AWS::CloudFormation::CustomResource", Id="first")})
    cfn.create_stack(StackName=name, TemplateBody=body)
    log = outputs(wait_stack(cfn, name))["Log"]
    cfn.update_stack(StackName=name, TemplateBody=body.replace('"first"', '"second"'))
    wait_stack(cfn, name, "stack_update_complete")
    seen = [(r["RequestType"], r.get("PhysicalResourceId")) for r in requests_seen(server, log)]
    assert seen[1:] == [("Update", "first"), ("Delete", "first")]
    resource = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Thing")
    assert resource["StackResourceDetail"]["PhysicalResourceId"] == "second"
    cfn.delete_stack(StackName=name)


def test_failed_response_rolls_back_with_reason(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("cr")
    log = server.client("sqs").create_queue(QueueName=f"{name}-log")["QueueUrl"]
    cfn.create_stack(StackName=name, TemplateBody=template({"Thing": custom(Mode="fail", Log=log)}))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    # As on AWS, the rollback sends a Delete for the id the FAILED response named.
    seen = [(r["RequestType"], r.get("PhysicalResourceId")) for r in requests_seen(server, log)]
    assert seen[0] == ("Create", None)
    assert seen[1][0] == "Delete" and seen[1][1]
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Thing"
    assert failed[0]["ResourceStatusReason"] == (
        "Received response status [FAILED] from custom resource. "
        "Message returned: the provider said no"
    )
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_response_over_4_kib_fails_the_resource(cfn: Any) -> None:
    name = stack_name("cr")
    cfn.create_stack(StackName=name, TemplateBody=template({"Thing": custom(Mode="big")}))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["ResourceStatusReason"] == "Response object is too long."


def test_no_response_fails_after_service_timeout(cfn: Any) -> None:
    name = stack_name("cr")
    body = template({"Thing": custom(Mode="silent", ServiceTimeout=1)})
    cfn.create_stack(StackName=name, TemplateBody=body, DisableRollback=True)
    assert settle(cfn, name)["StackStatus"] == "CREATE_FAILED"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [
        e
        for e in events
        if e["ResourceStatus"] == "CREATE_FAILED" and e["LogicalResourceId"] == "Thing"
    ]
    assert failed[0]["ResourceStatusReason"].startswith(
        "CloudFormation did not receive a response from your Custom Resource."
    )
    # Deleting the stack with its failed custom resource completes.
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_service_token_that_is_no_function_or_topic(cfn: Any) -> None:
    name = stack_name("cr")
    resources = {
        "Thing": {
            "Type": "Custom::Thing",
            "Properties": {"ServiceToken": "arn:aws:sqs:us-east-1:000000000000:q"},
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": resources}))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["ResourceStatusReason"] == "Invalid service token"


def test_service_token_cannot_change(cfn: Any) -> None:
    name = stack_name("cr")
    body = template({"Topic": {"Type": "AWS::SNS::Topic"}, "Thing": custom(Value="v")})
    cfn.create_stack(StackName=name, TemplateBody=body)
    wait_stack(cfn, name)
    moved = json.loads(body)
    moved["Resources"]["Thing"]["Properties"]["ServiceToken"] = {"Ref": "Topic"}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(moved))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed[0]["ResourceStatusReason"] == "Modifying service token is not allowed."
    cfn.delete_stack(StackName=name)


def test_topic_as_service_token(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("cr")
    resources = {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Permission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "FunctionName": {"Ref": "Provider"},
                "Action": "lambda:InvokeFunction",
                "Principal": "sns.amazonaws.com",
                "SourceArn": {"Ref": "Topic"},
            },
        },
        "Subscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "Topic"},
                "Protocol": "lambda",
                "Endpoint": {"Fn::GetAtt": ["Provider", "Arn"]},
            },
        },
        "Thing": {
            "Type": "Custom::ViaTopic",
            "DependsOn": ["Subscription", "Permission"],
            "Properties": {"ServiceToken": {"Ref": "Topic"}, "Value": "by topic"},
        },
    }
    body = template(resources, {"Echo": {"Value": {"Fn::GetAtt": ["Thing", "Echo"]}}})
    cfn.create_stack(StackName=name, TemplateBody=body)
    assert outputs(wait_stack(cfn, name))["Echo"] == "by topic"
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_response_url_refuses_unknown_tokens(server: ServerProcess) -> None:
    request = urllib.request.Request(
        f"{server.endpoint}/_stratus/cloudformation/responses/nothing-pending",
        data=b'{"Status": "SUCCESS"}',
        method="PUT",
    )
    try:
        urllib.request.urlopen(request)
    except urllib.error.HTTPError as exc:
        assert exc.code == 403
        assert b"<Code>AccessDenied</Code>" in exc.read()
    else:
        raise AssertionError("an unknown token was accepted")


def test_wait_survives_a_restart(tmp_path: Path) -> None:
    """The server is killed while a stack waits for a custom resource: once restarted,
    the stack keeps waiting, and the PUT to the same ResponseURL completes it."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn = server.client("cloudformation")
        body = template({"Thing": custom(Mode="silent", ServiceTimeout=3600)})
        cfn.create_stack(StackName="waits", TemplateBody=body)
        log = None
        for _ in range(600):  # the queue is made first; its URL is in the stack's resources
            resources = cfn.describe_stack_resources(StackName="waits")["StackResources"]
            log = next(
                (
                    r["PhysicalResourceId"]
                    for r in resources
                    if r["LogicalResourceId"] == "Log" and r["PhysicalResourceId"]
                ),
                None,
            )
            if log:
                break
            time.sleep(0.1)
        assert log, "the stack never made its queue"
        (request,) = requests_seen_until(server, log)
        server.kill()
        server.start()
        cfn = server.client("cloudformation")
        assert cfn.describe_stacks(StackName="waits")["Stacks"][0]["StackStatus"] == (
            "CREATE_IN_PROGRESS"
        )
        answer = json.dumps(
            {
                "Status": "SUCCESS",
                "PhysicalResourceId": "made-after-restart",
                "StackId": request["StackId"],
                "RequestId": request["RequestId"],
                "LogicalResourceId": "Thing",
                "Data": {"Echo": "late"},
            }
        ).encode()
        put = urllib.request.Request(request["ResponseURL"], data=answer, method="PUT")
        with urllib.request.urlopen(put) as response:
            assert response.status == 200
        assert wait_stack(cfn, "waits")["StackStatus"] == "CREATE_COMPLETE"
        resource = cfn.describe_stack_resource(StackName="waits", LogicalResourceId="Thing")
        assert resource["StackResourceDetail"]["PhysicalResourceId"] == "made-after-restart"
    finally:
        server.stop()


def test_delete_wait_survives_a_stop(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn = server.client("cloudformation")
        body = template({"Thing": custom(DeleteMode="silent", ServiceTimeout=3600)})
        cfn.create_stack(StackName="deletes", TemplateBody=body)
        log = outputs(wait_stack(cfn, "deletes"))["Log"]
        requests_seen_until(server, log)  # the Create
        cfn.delete_stack(StackName="deletes")
        (request,) = requests_seen_until(server, log)
        assert request["RequestType"] == "Delete"
        # A graceful stop does not wait for the answer: the wait resumes at the next start.
        assert server.stop() == 0
        server.start()
        cfn = server.client("cloudformation")
        stack = cfn.describe_stacks(StackName="deletes")["Stacks"][0]
        assert stack["StackStatus"] == "DELETE_IN_PROGRESS"
        answer = json.dumps(
            {
                "Status": "SUCCESS",
                "PhysicalResourceId": request["PhysicalResourceId"],
                "StackId": request["StackId"],
                "RequestId": request["RequestId"],
                "LogicalResourceId": "Thing",
            }
        ).encode()
        put = urllib.request.Request(request["ResponseURL"], data=answer, method="PUT")
        with urllib.request.urlopen(put) as response:
            assert response.status == 200
        cfn.get_waiter("stack_delete_complete").wait(
            StackName=stack["StackId"], WaiterConfig={"Delay": 0.2}
        )
    finally:
        server.stop()


def requests_seen_until(server: ServerProcess, queue_url: str) -> list[dict[str, Any]]:
    """The requests logged once at least one arrived."""
    for _ in range(120):
        seen = requests_seen(server, queue_url)
        if seen:
            return seen
    raise AssertionError("the provider never received the request")
