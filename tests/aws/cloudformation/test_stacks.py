"""Stacks through boto3's cloudformation client against a real server: lifecycle, events,
outputs and exports, parameters, change sets, AWS's errors, rollback and hostile input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.cloudformation.conftest import aws_error, outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

QUEUE_TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Description: a queue and a function
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Secret:
    Type: String
    NoEcho: true
    Default: hunter2
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  Sizes:
    dev: {Timeout: 40}
    prod: {Timeout: 60}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !FindInMap [Sizes, !Ref Env, Timeout]
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.11
      Handler: index.handler
      Role: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/r"
      Environment:
        Variables:
          QUEUE: !Ref Queue
          JOINED: !Join ["-", [!Select [1, !Split [",", "a,b,c"]], !If [IsProd, p, d]]]
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {"queue": os.environ["QUEUE"], "joined": os.environ["JOINED"]}
Outputs:
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt Queue.Arn
    Export:
      Name: !Sub "${AWS::StackName}-queue-arn"
  FnName:
    Value: !Ref Fn
"""


def test_create_describe_invoke_delete(cfn: Any, server: ServerProcess) -> None:
    name = stack_name()
    stack_id = cfn.create_stack(StackName=name, TemplateBody=QUEUE_TEMPLATE)["StackId"]
    assert stack_id.startswith(f"arn:aws:cloudformation:us-east-1:000000000000:stack/{name}/")
    stack = wait_stack(cfn, name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["Description"] == "a queue and a function"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Env": "dev", "Secret": "****"}
    out = outputs(stack)
    sqs = server.client("sqs")
    attrs = sqs.get_queue_attributes(QueueUrl=out["QueueUrl"], AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "40" and attrs["QueueArn"] == out["QueueArn"]
    answer = server.client("lambda").invoke(FunctionName=out["FnName"])
    assert json.loads(answer["Payload"].read()) == {"queue": out["QueueUrl"], "joined": "b-d"}
    resources = {
        r["LogicalResourceId"]: r
        for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    assert set(resources) == {"Queue", "Fn"}  # ProdOnly's condition is false
    detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Fn")[
        "StackResourceDetail"
    ]
    assert (
        detail["PhysicalResourceId"] == out["FnName"]
        and detail["ResourceStatus"] == "CREATE_COMPLETE"
    )
    exports = {e["Name"]: e["Value"] for e in cfn.list_exports()["Exports"]}
    assert exports[f"{name}-queue-arn"] == out["QueueArn"]
    statuses = [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
    ]
    assert statuses[0] == (name, "CREATE_COMPLETE") and statuses[-1] == (name, "CREATE_IN_PROGRESS")
    assert ("Queue", "CREATE_COMPLETE") in statuses
    assert "AWSTemplateFormatVersion" in cfn.get_template(StackName=name)["TemplateBody"]

    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    assert aws_error(lambda: sqs.get_queue_attributes(QueueUrl=out["QueueUrl"]))[0].endswith(
        "NonExistentQueue"
    )
    assert aws_error(lambda: cfn.describe_stacks(StackName=name)) == (
        "ValidationError",
        f"Stack with id {name} does not exist",
    )
    assert cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    listed = {s["StackId"]: s["StackStatus"] for s in cfn.list_stacks()["StackSummaries"]}
    assert listed[stack_id] == "DELETE_COMPLETE"


def test_update_changes_in_place_and_removes(cfn: Any, server: ServerProcess) -> None:
    name = stack_name()
    cfn.create_stack(StackName=name, TemplateBody=QUEUE_TEMPLATE)
    before = outputs(wait_stack(cfn, name))
    cfn.update_stack(
        StackName=name,
        TemplateBody=QUEUE_TEMPLATE,
        Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}],
    )
    stack = wait_stack(cfn, name, "stack_update_complete")
    after = outputs(stack)
    assert after["QueueUrl"] == before["QueueUrl"]  # updated in place
    attrs = server.client("sqs").get_queue_attributes(
        QueueUrl=after["QueueUrl"], AttributeNames=["VisibilityTimeout"]
    )
    assert attrs["Attributes"]["VisibilityTimeout"] == "60"
    logical = {
        r["LogicalResourceId"]
        for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    assert logical == {"Queue", "Fn", "ProdOnly"}
    assert aws_error(
        lambda: cfn.update_stack(
            StackName=name,
            TemplateBody=QUEUE_TEMPLATE,
            Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}],
        )
    ) == ("ValidationError", "No updates are to be performed.")
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )


def test_change_sets(cfn: Any) -> None:
    name = stack_name()
    made = cfn.create_change_set(
        StackName=name, ChangeSetName="first", ChangeSetType="CREATE", TemplateBody=QUEUE_TEMPLATE
    )
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    cfn.get_waiter("change_set_create_complete").wait(
        ChangeSetName=made["Id"], WaiterConfig={"Delay": 0.2}
    )
    described = cfn.describe_change_set(ChangeSetName="first", StackName=name)
    assert described["Status"] == "CREATE_COMPLETE" and described["ExecutionStatus"] == "AVAILABLE"
    assert sorted(c["ResourceChange"]["LogicalResourceId"] for c in described["Changes"]) == [
        "Fn",
        "Queue",
    ]  # ProdOnly: its condition is false
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]] == [
        "first"
    ]
    cfn.execute_change_set(ChangeSetName="first", StackName=name)
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    same = cfn.create_change_set(StackName=name, ChangeSetName="same", TemplateBody=QUEUE_TEMPLATE)
    failed = cfn.describe_change_set(ChangeSetName=same["Id"])
    assert failed["Status"] == "FAILED"
    assert (
        failed["StatusReason"]
        == "The submitted information didn't contain changes. Submit different information to create a change set."
    )
    cfn.delete_change_set(ChangeSetName=same["Id"])
    assert aws_error(lambda: cfn.describe_change_set(ChangeSetName="nope", StackName=name)) == (
        "ChangeSetNotFound",
        "ChangeSet [nope] does not exist",
    )
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param("{not json", "Template format error: JSON not well-formed.", id="bad-json"),
        pytest.param(
            "Resources: [a",
            "Template format error: YAML not well-formed. (line 1, column 14)",
            id="bad-yaml",
        ),
        pytest.param(
            "Outputs: {}",
            "Template format error: At least one Resources member must be defined.",
            id="no-resources",
        ),
        pytest.param(
            "Resources: {}\nBogus: 1",
            "Template format error: Invalid template property or properties [Bogus]",
            id="bad-section",
        ),
        pytest.param(
            "Resources:\n  A:\n    Type: AWS::Foo::Bar",
            "Template format error: Unrecognized resource types: [AWS::Foo::Bar]",
            id="unknown-type",
        ),
        pytest.param(
            "Resources:\n  A:\n    Properties: {}",
            "Template format error: [/Resources/A] Every Resources object must contain a Type member.",
            id="no-type",
        ),
        pytest.param(
            "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Nothing",
            "Template format error: Unresolved resource dependencies [Nothing] in the Resources block of the template",
            id="unresolved",
        ),
        pytest.param(
            "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B.QueueName\n"
            "  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${A.QueueName}x'",
            "Circular dependency between resources: [A, B]",
            id="cycle",
        ),
        pytest.param(
            "Parameters:\n  P: {Type: String}\nResources:\n  A: {Type: AWS::SQS::Queue}",
            "Parameters: [P] must have values",
            id="missing-parameter",
        ),
    ],
)
def test_template_errors_store_nothing(cfn: Any, template: str, message: str) -> None:
    name = stack_name("bad")
    assert aws_error(lambda: cfn.create_stack(StackName=name, TemplateBody=template)) == (
        "ValidationError",
        message,
    )
    assert (
        aws_error(lambda: cfn.describe_stacks(StackName=name))[1]
        == f"Stack with id {name} does not exist"
    )


def test_parameter_checks_and_already_exists(cfn: Any) -> None:
    name = stack_name()
    assert aws_error(
        lambda: cfn.create_stack(
            StackName=name,
            TemplateBody=QUEUE_TEMPLATE,
            Parameters=[{"ParameterKey": "Env", "ParameterValue": "qa"}],
        )
    ) == ("ValidationError", "Parameter 'Env' must be one of AllowedValues")
    assert aws_error(
        lambda: cfn.create_stack(
            StackName=name,
            TemplateBody=QUEUE_TEMPLATE,
            Parameters=[{"ParameterKey": "Nope", "ParameterValue": "x"}],
        )
    ) == ("ValidationError", "Parameters: [Nope] do not exist in the template")
    cfn.create_stack(StackName=name, TemplateBody=QUEUE_TEMPLATE)
    assert aws_error(lambda: cfn.create_stack(StackName=name, TemplateBody=QUEUE_TEMPLATE)) == (
        "AlreadyExistsException",
        f"Stack [{name}] already exists",
    )
    wait_stack(cfn, name)
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )


def test_iam_needs_capability(cfn: Any) -> None:
    template = "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}"
    assert aws_error(lambda: cfn.create_stack(StackName=stack_name(), TemplateBody=template)) == (
        "InsufficientCapabilitiesException",
        "Requires capabilities : [CAPABILITY_IAM]",
    )


def test_failed_resource_rolls_back_everything(cfn: Any, server: ServerProcess) -> None:
    """The second queue's name is invalid: the first queue, already made, is deleted again."""
    name = stack_name()
    first = f"{name}-first"
    template = {
        "Resources": {
            "First": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": first}},
            "Second": {
                "Type": "AWS::SQS::Queue",
                "DependsOn": "First",
                "Properties": {"QueueName": "bad name!"},
            },
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "Second" in stack["StackStatusReason"]
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    failed = next(e for e in events if e["ResourceStatus"] == "CREATE_FAILED")
    assert (
        failed["LogicalResourceId"] == "Second" and "Error Code" in failed["ResourceStatusReason"]
    )
    assert ("First", "DELETE_COMPLETE") in [
        (e["LogicalResourceId"], e["ResourceStatus"]) for e in events
    ]
    assert cfn.list_stack_resources(StackName=name)["StackResourceSummaries"] == []
    code, _ = aws_error(lambda: server.client("sqs").get_queue_url(QueueName=first))
    assert code.endswith("NonExistentQueue")
    assert (
        aws_error(lambda: cfn.update_stack(StackName=name, TemplateBody=json.dumps(template)))[0]
        == "ValidationError"
    )
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )


def test_hostile_templates_leave_server_healthy(cfn: Any, server: ServerProcess) -> None:
    # 1 MB in the call: CloudFormation's 51,200-byte limit for TemplateBody.
    huge = "Resources:\n  A: {Type: AWS::SQS::Queue}\n#" + "x" * 1_000_000
    code, message = aws_error(lambda: cfn.create_stack(StackName=stack_name(), TemplateBody=huge))
    assert code == "ValidationError" and "51200" in message
    # 1 MB through S3 (TemplateURL): over the 1,000,000-byte limit.
    s3 = server.client("s3")
    bucket = stack_name("tpl")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="big.yaml", Body=huge.encode())
    assert aws_error(
        lambda: cfn.create_stack(
            StackName=stack_name(), TemplateURL=f"{server.endpoint}/{bucket}/big.yaml"
        )
    ) == ("ValidationError", "Template may not exceed 1000000 bytes in size.")
    # Deeply nested intrinsics: refused, not a crashed server.
    nested = '{"Fn::Join": ["", [' * 5000 + '"x"' + "]]}" * 5000
    deep = f'{{"Resources": {{"A": {{"Type": "AWS::SQS::Queue", "Properties": {{"QueueName": {nested}}}}}}}}}'
    s3.put_object(Bucket=bucket, Key="deep.json", Body=deep.encode())
    code, message = aws_error(
        lambda: cfn.create_stack(
            StackName=stack_name(), TemplateURL=f"{server.endpoint}/{bucket}/deep.json"
        )
    )
    assert code == "ValidationError" and "nested deeper" in message
    # The server still works.
    name = stack_name()
    cfn.create_stack(StackName=name, TemplateBody="Resources:\n  A: {Type: AWS::SQS::Queue}")
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    cfn.delete_stack(StackName=name)


def test_import_value_and_export_in_use(cfn: Any) -> None:
    exporter = stack_name("exp")
    cfn.create_stack(StackName=exporter, TemplateBody=QUEUE_TEMPLATE)
    arn = outputs(wait_stack(cfn, exporter))["QueueArn"]
    importer = stack_name("imp")
    template = {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"Seen": {"Value": {"Fn::ImportValue": f"{exporter}-queue-arn"}}},
    }
    cfn.create_stack(StackName=importer, TemplateBody=json.dumps(template))
    assert outputs(wait_stack(cfn, importer))["Seen"] == arn
    assert cfn.list_imports(ExportName=f"{exporter}-queue-arn")["Imports"] == [importer]
    assert aws_error(lambda: cfn.delete_stack(StackName=exporter)) == (
        "ValidationError",
        f"Export {exporter}-queue-arn cannot be deleted as it is in use by {importer}",
    )
    for name in (importer, exporter):
        cfn.delete_stack(StackName=name)
        cfn.get_waiter("stack_delete_complete").wait(
            StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
        )


def test_validate_and_summary(cfn: Any) -> None:
    answer = cfn.validate_template(TemplateBody=QUEUE_TEMPLATE)
    assert answer["Description"] == "a queue and a function"
    assert {p["ParameterKey"] for p in answer["Parameters"]} == {"Env", "Secret"}
    summary = cfn.get_template_summary(TemplateBody=QUEUE_TEMPLATE)
    assert summary["ResourceTypes"] == ["AWS::Lambda::Function", "AWS::SQS::Queue"]
    assert aws_error(lambda: cfn.validate_template(TemplateBody="{")) == (
        "ValidationError",
        "Template format error: JSON not well-formed.",
    )


def test_unknown_attribute_fails_its_resource(cfn: Any) -> None:
    name = stack_name()
    template = {
        "Resources": {
            "A": {"Type": "AWS::SQS::Queue"},
            "B": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": {"Fn::GetAtt": ["A", "Nope"]}},
            },
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = [
        e
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [
        ("B", "Template error: resource A does not support attribute type Nope in Fn::GetAtt")
    ]
    assert cfn.list_stack_resources(StackName=name)["StackResourceSummaries"] == []


def test_request_limits(cfn: Any) -> None:
    many = {"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(501)}}
    assert aws_error(
        lambda: cfn.create_stack(
            StackName=stack_name(), TemplateBody=json.dumps(many, separators=(",", ":"))
        )
    ) == (
        "ValidationError",
        "Template format error: Number of resources, 501, is greater than maximum allowed, 500",
    )
    code, message = aws_error(
        lambda: cfn.create_stack(StackName="1-starts-with-a-digit", TemplateBody=QUEUE_TEMPLATE)
    )
    assert (
        code == "ValidationError"
        and "stackName" in message
        and "failed to satisfy constraint" in message
    )


def test_yaml_alias_bomb_and_include_loop(cfn: Any, server: ServerProcess) -> None:
    """A few hundred bytes of YAML aliases standing for 10^9 values, and an AWS::Include
    document that includes itself: both refused, the server unharmed."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    bomb = (
        "Metadata:\n"
        + "\n".join("  " + line for line in lines)
        + "\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: *a9\n"
    )
    code, message = aws_error(lambda: cfn.create_stack(StackName=stack_name(), TemplateBody=bomb))
    assert code == "ValidationError" and "more than 1000000 elements" in message

    s3 = server.client("s3")
    bucket = stack_name("loop")
    s3.create_bucket(Bucket=bucket)
    loop = json.dumps(
        {
            "Fn::Transform": {
                "Name": "AWS::Include",
                "Parameters": {"Location": f"s3://{bucket}/loop.json"},
            }
        }
    )
    s3.put_object(Bucket=bucket, Key="loop.json", Body=loop.encode())
    template = json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": json.loads(loop)}}}}
    )
    name = stack_name()
    assert aws_error(lambda: cfn.create_stack(StackName=name, TemplateBody=template)) == (
        "ValidationError",
        "Template format error: AWS::Include nested deeper than 5 levels",
    )
    assert aws_error(lambda: cfn.describe_stacks(StackName=name))[0] == "ValidationError"
    other = stack_name()
    cfn.create_stack(StackName=other, TemplateBody="Resources:\n  A: {Type: AWS::SQS::Queue}")
    assert wait_stack(cfn, other)["StackStatus"] == "CREATE_COMPLETE"
    cfn.delete_stack(StackName=other)


def test_concurrent_operations_on_one_stack(cfn: Any, server: ServerProcess) -> None:
    """Two updates at once: one is accepted, the other refused; a delete right after a
    create waits for it and leaves nothing behind."""
    import concurrent.futures

    name = stack_name()
    template = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: {}\n"
    cfn.create_stack(StackName=name, TemplateBody=template.format(30))
    wait_stack(cfn, name)

    def update(timeout: int) -> str:
        try:
            cfn.update_stack(StackName=name, TemplateBody=template.format(timeout))
            return "accepted"
        except cfn.exceptions.ClientError as exc:
            return str(exc.response["Error"]["Code"])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(update, [40, 50, 60, 70]))
    assert answers.count("accepted") >= 1 and set(answers) <= {"accepted", "ValidationError"}
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    events = [
        e["ResourceStatus"]
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["LogicalResourceId"] == name
    ]
    assert events.count("UPDATE_COMPLETE") == answers.count("accepted")

    fast = stack_name()
    cfn.create_stack(
        StackName=fast,
        TemplateBody="Resources:\n"
        + "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n" for i in range(20)),
    )
    cfn.delete_stack(StackName=fast)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=fast, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    assert server.client("sqs").list_queues(QueueNamePrefix=fast).get("QueueUrls", []) == []
    cfn.delete_stack(StackName=name)


def test_calls_that_name_no_stack_are_refused(cfn: Any) -> None:
    """GetTemplate and DescribeStackResources take their stack as optional members: with
    none they answer ValidationError, never a server error."""
    code, message = aws_error(cfn.get_template)
    assert (code, message) == ("ValidationError", "Stack with id null does not exist")
    code, message = aws_error(cfn.describe_stack_resources)
    assert code == "ValidationError"
    assert message == "Either StackName or PhysicalResourceId must be specified."
    code, _ = aws_error(lambda: cfn.describe_stack_resources(PhysicalResourceId="no-such-thing"))
    assert code == "ValidationError"
