"""What CloudFormation does with a template's values before a resource's API sees them:
strings converted to the numbers and booleans the API wants (a ``Number`` parameter is a
string once ``Ref``'d), and a REST API method's responses created with it."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from typing import Any

from tests.aws.cloudformation.conftest import outputs, stack_name, wait_stack
from tests.conftest import ServerProcess

ROLE = "arn:aws:iam::000000000000:role/lambda"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _template(bucket: str) -> dict[str, Any]:
    return {
        "Parameters": {
            "Timeout": {"Type": "Number", "Default": "7"},
            "Memory": {"Type": "Number", "Default": 256},
            "Tracing": {"Type": "String", "Default": "true"},
        },
        "Resources": {
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "app.handler",
                    "Role": ROLE,
                    "Code": {"S3Bucket": bucket, "S3Key": "app.zip"},
                    "Timeout": {"Ref": "Timeout"},
                    "MemorySize": {"Ref": "Memory"},
                },
            },
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "typed"}},
            "Mock": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ResourceId": {"Fn::GetAtt": ["Rest", "RootResourceId"]},
                    "HttpMethod": "GET",
                    "AuthorizationType": "NONE",
                    "Integration": {
                        "Type": "MOCK",
                        "RequestTemplates": {"application/json": '{"statusCode": 201}'},
                        "IntegrationResponses": [
                            {
                                "StatusCode": 201,  # a number where the API wants a string
                                "ResponseTemplates": {
                                    "application/json": '{"made": "by the template"}'
                                },
                                "ResponseParameters": {"method.response.header.X-Made": "'yes'"},
                            }
                        ],
                    },
                    "MethodResponses": [
                        {
                            "StatusCode": "201",
                            "ResponseParameters": {"method.response.header.X-Made": True},
                        }
                    ],
                },
            },
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": "Mock",
                "Properties": {"RestApiId": {"Ref": "Rest"}, "StageName": "v1"},
            },
        },
        "Outputs": {"Fn": {"Value": {"Ref": "Fn"}}, "Rest": {"Value": {"Ref": "Rest"}}},
    }


def test_template_values_take_the_types_the_api_wants(cfn: Any, server: ServerProcess) -> None:
    s3 = server.client("s3")
    bucket = stack_name("code")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="app.zip", Body=_zip())
    name = stack_name("typed")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(_template(bucket)))
    stack = wait_stack(cfn, name)
    out = outputs(stack)
    config = server.client("lambda").get_function_configuration(FunctionName=out["Fn"])
    assert (config["Timeout"], config["MemorySize"]) == (7, 256)
    url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{out['Rest']}/v1/"
    request = urllib.request.Request(url, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        status, headers, body = exc.code, exc.headers, exc.read()
    assert status == 201, body
    assert json.loads(body) == {"made": "by the template"}
    assert headers["X-Made"] == "yes"
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
