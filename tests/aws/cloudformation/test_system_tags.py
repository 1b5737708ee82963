"""CloudFormation's system tags (aws:cloudformation:stack-name, stack-id, logical-id) on
the resources a stack creates, read back through each service's own tag API; the user's
tags are kept beside them, and a client still may not write aws: keys itself."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.cloudformation.conftest import aws_error, stack_name, wait_stack
from tests.conftest import ServerProcess

ROLE = {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/r"}
USER = [{"Key": "team", "Value": "core"}]

RESOURCES: dict[str, Any] = {
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": USER}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": USER}},
    "Fn": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Role": ROLE,
            "Code": {"ZipFile": "def handler(e, c):\n    return e\n"},
            "Tags": USER,
        },
    },
    "Machine": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {
            "RoleArn": ROLE,
            "DefinitionString": json.dumps(
                {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
            ),
            "Tags": USER,
        },
    },
    "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "", "Tags": USER}},
    "Rule": {
        "Type": "AWS::Events::Rule",
        "Properties": {"EventPattern": {"source": ["app"]}},
    },
    "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "r"}},
    "Http": {
        "Type": "AWS::ApiGatewayV2::Api",
        "Properties": {"Name": "h", "ProtocolType": "HTTP", "Tags": {"team": "core"}},
    },
}


def system(name: str, stack_id: str, logical: str) -> dict[str, str]:
    return {
        "aws:cloudformation:stack-name": name,
        "aws:cloudformation:stack-id": stack_id,
        "aws:cloudformation:logical-id": logical,
    }


def test_system_tags_on_created_resources(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("tags")
    resources = json.loads(json.dumps(RESOURCES))
    resources["Bus"]["Properties"]["Name"] = name + "-bus"
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": resources}))
    stack = wait_stack(cfn, name)
    stack_id = stack["StackId"]

    def physical(logical: str) -> str:
        detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId=logical)
        return str(detail["StackResourceDetail"]["PhysicalResourceId"])

    def expect(logical: str, user: bool = True) -> dict[str, str]:
        return {**({"team": "core"} if user else {}), **system(name, stack_id, logical)}

    sqs, sns = server.client("sqs"), server.client("sns")
    assert sqs.list_queue_tags(QueueUrl=physical("Queue"))["Tags"] == expect("Queue")
    topic_tags = sns.list_tags_for_resource(ResourceArn=physical("Topic"))["Tags"]
    assert {t["Key"]: t["Value"] for t in topic_tags} == expect("Topic")
    lam = server.client("lambda")
    fn_arn = lam.get_function(FunctionName=physical("Fn"))["Configuration"]["FunctionArn"]
    assert lam.list_tags(Resource=fn_arn)["Tags"] == expect("Fn")
    sfn = server.client("stepfunctions")
    machine_tags = sfn.list_tags_for_resource(resourceArn=physical("Machine"))["tags"]
    assert {t["key"]: t["value"] for t in machine_tags} == expect("Machine")
    events = server.client("events")
    bus_arn = events.describe_event_bus(Name=physical("Bus"))["Arn"]
    bus_tags = events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in bus_tags} == expect("Bus")
    rule_arn = events.describe_rule(Name=physical("Rule"))["Arn"]
    rule_tags = events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"]
    assert {t["Key"]: t["Value"] for t in rule_tags} == expect("Rule", user=False)
    rest = server.client("apigateway").get_rest_api(restApiId=physical("Rest"))
    assert rest["tags"] == expect("Rest", user=False)
    http = server.client("apigatewayv2").get_api(ApiId=physical("Http"))
    assert http["Tags"] == expect("Http")
    cfn.delete_stack(StackName=name)


def test_system_tags_do_not_count_and_stay_reserved(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("tags")
    fifty = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    body = {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": fifty}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": fifty}},
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(body))
    wait_stack(cfn, name)  # 50 user tags and 3 system tags: within the quota
    url = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Queue")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    sqs = server.client("sqs")
    assert len(sqs.list_queue_tags(QueueUrl=url)["Tags"]) == 53
    # The user's 51st tag is still one too many; their own aws: keys are still refused.
    assert aws_error(lambda: sqs.tag_queue(QueueUrl=url, Tags={"one": "more"}))[0] == (
        "InvalidParameterValue"
    )
    assert aws_error(
        lambda: sqs.tag_queue(QueueUrl=url, Tags={"aws:cloudformation:stack-name": "x"})
    ) == ("InvalidParameterValue", "The tag key prefix 'aws:' is reserved for AWS use.")
    sns = server.client("sns")
    topic = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Topic")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert aws_error(
        lambda: sns.tag_resource(
            ResourceArn=topic, Tags=[{"Key": "aws:cloudformation:logical-id", "Value": "x"}]
        )
    ) == ("InvalidParameter", "Invalid parameter: Tags Reason: Tag keys must not start with aws:")
    cfn.delete_stack(StackName=name)


def test_stack_tags_reach_resources_and_theirs_win(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("tags")
    body = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": USER}}}}
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(body),
        Tags=[{"Key": "team", "Value": "stack"}, {"Key": "env", "Value": "dev"}],
    )
    stack_id = wait_stack(cfn, name)["StackId"]
    url = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Queue")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    assert server.client("sqs").list_queue_tags(QueueUrl=url)["Tags"] == {
        "team": "core",  # the resource's own tag wins over the stack's
        "env": "dev",
        **system(name, stack_id, "Queue"),
    }
    cfn.delete_stack(StackName=name)
