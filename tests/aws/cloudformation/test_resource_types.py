"""Resource types a template may use, each provisioned through our own API and checked
there: Lambda versions, aliases, URLs, layers and permissions, buses, schedules, explicit
API Gateway v1 and v2 resources, S3 notifications, managed policies."""

from __future__ import annotations

import io
import json
import time
import urllib.request
import uuid
import zipfile
from typing import Any

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

HANDLER = """
import json, os
import boto3
def handler(event, context):
    if "Records" in event and event["Records"][0].get("eventSource") == "aws:s3":
        sqs = boto3.client("sqs")
        sqs.send_message(QueueUrl=os.environ["PROBE"], MessageBody=json.dumps(event["Records"][0]["s3"]))
    return {"statusCode": 200, "body": json.dumps({"version": context.function_version})}
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _template(code_bucket: str, probe_arn: str, probe_url: str, bucket_name: str) -> dict[str, Any]:
    role = {"Fn::GetAtt": ["Role", "Arn"]}
    fn_arn = {"Fn::GetAtt": ["Fn", "Arn"]}
    return {
        "Resources": {
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": [
                        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
                    ],
                },
            },
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
                    },
                    "Roles": [{"Ref": "Role"}],
                },
            },
            "Layer": {
                "Type": "AWS::Lambda::LayerVersion",
                "Properties": {
                    "Content": {"S3Bucket": code_bucket, "S3Key": "layer.zip"},
                    "CompatibleRuntimes": ["python3.11"],
                },
            },
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.11",
                    "Handler": "app.handler",
                    "Role": role,
                    "Code": {"S3Bucket": code_bucket, "S3Key": "app.zip"},
                    "Layers": [{"Ref": "Layer"}],
                    "Environment": {"Variables": {"PROBE": probe_url}},
                    "Timeout": 30,
                },
            },
            "Version": {
                "Type": "AWS::Lambda::Version",
                "Properties": {"FunctionName": {"Ref": "Fn"}},
            },
            "Alias": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {
                    "FunctionName": {"Ref": "Fn"},
                    "Name": "live",
                    "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]},
                },
            },
            "Url": {
                "Type": "AWS::Lambda::Url",
                "Properties": {"TargetFunctionArn": {"Ref": "Alias"}, "AuthType": "NONE"},
            },
            "UrlPermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "Alias"},
                    "Action": "lambda:InvokeFunctionUrl",
                    "Principal": "*",
                    "FunctionUrlAuthType": "NONE",
                },
            },
            "UrlInvokePermission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": {"Ref": "Alias"},
                    "Action": "lambda:InvokeFunction",
                    "Principal": "*",
                    "InvokedViaFunctionUrl": True,
                },
            },
            "S3Permission": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "FunctionName": fn_arn,
                    "Action": "lambda:InvokeFunction",
                    "Principal": "s3.amazonaws.com",
                    "SourceArn": f"arn:aws:s3:::{bucket_name}",
                },
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "DependsOn": "S3Permission",
                "Properties": {
                    "BucketName": bucket_name,
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "Id": "old",
                                "Status": "Enabled",
                                "Prefix": "logs/",
                                "ExpirationInDays": 7,
                            }
                        ]
                    },
                    "WebsiteConfiguration": {
                        "IndexDocument": "index.html",
                        "ErrorDocument": "error.html",
                    },
                    "NotificationConfiguration": {
                        "LambdaConfigurations": [
                            {
                                "Event": "s3:ObjectCreated:*",
                                "Function": fn_arn,
                                "Filter": {
                                    "S3Key": {"Rules": [{"Name": "suffix", "Value": ".txt"}]}
                                },
                            }
                        ]
                    },
                },
            },
            "Bus": {
                "Type": "AWS::Events::EventBus",
                "Properties": {"Name": {"Fn::Sub": "${AWS::StackName}-bus"}},
            },
            "BusRule": {
                "Type": "AWS::Events::Rule",
                "Properties": {
                    "EventBusName": {"Ref": "Bus"},
                    "EventPattern": {"source": ["orders"]},
                    "Targets": [{"Id": "probe", "Arn": probe_arn}],
                },
            },
            "Schedule": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {"Arn": probe_arn, "RoleArn": role},
                },
            },
            "HttpApi": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {"Name": "explicit", "ProtocolType": "HTTP"},
            },
            "HttpIntegration": {
                "Type": "AWS::ApiGatewayV2::Integration",
                "Properties": {
                    "ApiId": {"Ref": "HttpApi"},
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": fn_arn,
                    "PayloadFormatVersion": "2.0",
                    "ResponseParameters": {
                        "200": {
                            "ResponseParameters": [
                                {"Destination": "overwrite:statuscode", "Source": "203"}
                            ]
                        }
                    },
                },
            },
            "HttpRoute": {
                "Type": "AWS::ApiGatewayV2::Route",
                "Properties": {
                    "ApiId": {"Ref": "HttpApi"},
                    "RouteKey": "GET /v",
                    "Target": {"Fn::Join": ["/", ["integrations", {"Ref": "HttpIntegration"}]]},
                },
            },
            "HttpStage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {
                    "ApiId": {"Ref": "HttpApi"},
                    "StageName": "$default",
                    "AutoDeploy": True,
                },
            },
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "explicit-rest"}},
            "RestResource": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ParentId": {"Fn::GetAtt": ["Rest", "RootResourceId"]},
                    "PathPart": "v",
                },
            },
            "RestMethod": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ResourceId": {"Ref": "RestResource"},
                    "HttpMethod": "GET",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "AWS_PROXY",
                        "IntegrationHttpMethod": "POST",
                        "Uri": {
                            "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
                        },
                    },
                },
            },
            "RestDeployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": "RestMethod",
                "Properties": {"RestApiId": {"Ref": "Rest"}},
            },
            "RestStage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "StageName": "v1",
                    "DeploymentId": {"Ref": "RestDeployment"},
                },
            },
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": {"Fn::Sub": "/stratus/${AWS::StackName}"}},
            },
        },
        "Outputs": {
            "Function": {"Value": {"Ref": "Fn"}},
            "Version": {"Value": {"Fn::GetAtt": ["Version", "Version"]}},
            "Alias": {"Value": {"Ref": "Alias"}},
            "Url": {"Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}},
            "Layer": {"Value": {"Ref": "Layer"}},
            "Bus": {"Value": {"Fn::GetAtt": ["Bus", "Arn"]}},
            "Rule": {"Value": {"Ref": "BusRule"}},
            "Schedule": {"Value": {"Ref": "Schedule"}},
            "HttpApi": {"Value": {"Ref": "HttpApi"}},
            "Rest": {"Value": {"Ref": "Rest"}},
            "LogArn": {"Value": {"Fn::GetAtt": ["Logs", "Arn"]}},
            "Managed": {"Value": {"Ref": "Managed"}},
        },
    }


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_many_types_end_to_end(cfn: Any, server: ServerProcess) -> None:
    s3 = server.client("s3")
    sqs = server.client("sqs")
    code_bucket = f"code-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=code_bucket)
    s3.put_object(Bucket=code_bucket, Key="app.zip", Body=_zip({"app.py": HANDLER}))
    s3.put_object(Bucket=code_bucket, Key="layer.zip", Body=_zip({"python/shared.py": "X = 1\n"}))
    probe_url = sqs.create_queue(QueueName=f"probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    probe_arn = sqs.get_queue_attributes(QueueUrl=probe_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    bucket_name = f"notify-{uuid.uuid4().hex[:8]}"
    name = stack_name("types")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(_template(code_bucket, probe_arn, probe_url, bucket_name)),
        Capabilities=["CAPABILITY_IAM"],
    )
    stack = settle(cfn, name)
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert stack["StackStatus"] == "CREATE_COMPLETE", [
        e.get("ResourceStatusReason") for e in events if "FAILED" in e["ResourceStatus"]
    ]
    out = outputs(stack)
    lam = server.client("lambda")
    alias = lam.get_alias(FunctionName=out["Function"], Name="live")
    assert alias["FunctionVersion"] == out["Version"] == "1" and alias["AliasArn"] == out["Alias"]
    config = lam.get_function_configuration(FunctionName=out["Function"])
    assert [layer["Arn"] for layer in config["Layers"]] == [out["Layer"]]
    # The function URL serves the alias (version 1).
    status, body = _url(server, out["Url"])
    assert status == 200 and json.loads(body) == {"version": "1"}, body
    # The explicit HTTP API and REST API reach the function.
    status, body = _get(
        f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{out['HttpApi']}/v"
    )
    # (its integration's ResponseParameters, CloudFormation's form, made 200 a 203)
    assert status == 203 and json.loads(body) == {"version": "$LATEST"}
    status, body = _get(
        f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{out['Rest']}/v1/v"
    )
    assert status == 200 and json.loads(body) == {"version": "$LATEST"}
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=bucket_name)["Rules"]
    assert (rule["ID"], rule["Expiration"], rule["Filter"]) == (
        "old",
        {"Days": 7},
        {"Prefix": "logs/"},
    )
    assert s3.get_bucket_website(Bucket=bucket_name)["IndexDocument"] == {"Suffix": "index.html"}
    # The bucket notifies the function of .txt objects only.
    s3.put_object(Bucket=bucket_name, Key="skip.bin", Body=b"x")
    s3.put_object(Bucket=bucket_name, Key="doc.txt", Body=b"x")
    message = sqs.receive_message(QueueUrl=probe_url, WaitTimeSeconds=10)["Messages"][0]
    assert json.loads(message["Body"])["object"]["key"] == "doc.txt"
    sqs.delete_message(QueueUrl=probe_url, ReceiptHandle=message["ReceiptHandle"])
    # The rule on the stack's own bus delivers to the probe queue.
    events_client = server.client("events")
    events_client.put_events(
        Entries=[
            {"EventBusName": f"{name}-bus", "Source": "orders", "DetailType": "d", "Detail": "{}"}
        ]
    )
    message = sqs.receive_message(QueueUrl=probe_url, WaitTimeSeconds=10)["Messages"][0]
    assert json.loads(message["Body"])["source"] == "orders"
    assert out["Rule"].startswith(f"{name}-bus|")
    scheduler = server.client("scheduler")
    assert scheduler.get_schedule(Name=out["Schedule"])["ScheduleExpression"] == "rate(1 day)"
    assert out["LogArn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:/stratus/{name}:*"
    assert (
        server.client("iam").get_policy(PolicyArn=out["Managed"])["Policy"]["AttachmentCount"] == 1
    )

    s3.delete_object(Bucket=bucket_name, Key="skip.bin")
    s3.delete_object(Bucket=bucket_name, Key="doc.txt")
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    assert lam.list_functions()["Functions"] == [] or all(
        f["FunctionName"] != out["Function"] for f in lam.list_functions()["Functions"]
    )
    assert all(b["Name"] != bucket_name for b in s3.list_buckets()["Buckets"])
    assert events_client.list_event_buses(NamePrefix=f"{name}-bus")["EventBuses"] == []


def _url(server: ServerProcess, url: str) -> tuple[int, bytes]:
    """A function URL (``https://<id>.lambda-url.<region>.on.aws/``) on the gateway port."""
    url_id = url.split("//", 1)[1].split(".", 1)[0]
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.gateway_port}/_aws/lambda-url/{url_id}/"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_update_failure_rolls_back_to_the_old_state(cfn: Any, server: ServerProcess) -> None:
    """An update that changes a queue then fails on a new one leaves the first queue as it
    was and removes the new one (UPDATE_ROLLBACK_COMPLETE)."""
    name = stack_name()
    first = {
        "Resources": {"Kept": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 30}}}
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(first))
    url = (
        outputs(wait_stack(cfn, name))
        or cfn.describe_stack_resource(StackName=name, LogicalResourceId="Kept")[
            "StackResourceDetail"
        ]["PhysicalResourceId"]
    )
    second = {
        "Resources": {
            "Kept": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 90}},
            "Added": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{name}-added"}},
            "Broken": {
                "Type": "AWS::SQS::Queue",
                "DependsOn": ["Added", "Kept"],
                "Properties": {"QueueName": "no spaces allowed"},
            },
        }
    }
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(second))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    sqs = server.client("sqs")
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"][
            "VisibilityTimeout"
        ]
        == "30"
    )
    assert [
        r["LogicalResourceId"]
        for r in cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    ] == ["Kept"]
    assert all(
        not u.endswith(f"{name}-added")
        for u in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
    )
    # botocore hands a JSON TemplateBody back parsed
    assert cfn.get_template(StackName=name, TemplateStage="Processed")["TemplateBody"] == first
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    time.sleep(0)


def _table(name: str, **extra: Any) -> str:
    props = {
        "TableName": name,
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        **extra,
    }
    return json.dumps(
        {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": props}}}
    )


def test_table_updates_in_place_and_refuses_a_named_replacement(
    cfn: Any, server: ServerProcess
) -> None:
    name = stack_name()
    table = f"{name}-table"
    dynamodb = server.client("dynamodb")
    cfn.create_stack(StackName=name, TemplateBody=_table(table))
    wait_stack(cfn, name)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "kept"}, "g": {"S": "x"}})
    cfn.update_stack(
        StackName=name,
        TemplateBody=_table(
            table,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byG",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            StreamSpecification={"StreamViewType": "NEW_IMAGE"},
        ),
    )
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    described = dynamodb.describe_table(TableName=table)["Table"]
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byG"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "kept"}})["Item"]["g"] == {"S": "x"}

    cfn.update_stack(
        StackName=name,
        TemplateBody=_table(
            table,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "pk2", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "pk2", "AttributeType": "S"},
            ],
        ),
    )
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason")
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["ResourceStatus"] == "UPDATE_FAILED"
    ]
    assert reasons[0] == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        f"Rename {table} and update the stack again."
    )
    assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "kept"}})["Item"]["g"] == {"S": "x"}
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
