"""AWS::ApiGateway::GatewayResponse, AWS::ApiGateway::Account and SAM's ``GatewayResponses``
on AWS::Serverless::Api: deployed by CloudFormation, checked through boto3 and by HTTP
requests to the deployed stage."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

MOCK_GET = {
    "Type": "AWS::ApiGateway::Method",
    "Properties": {
        "RestApiId": {"Ref": "Rest"},
        "ResourceId": {"Fn::GetAtt": ["Rest", "RootResourceId"]},
        "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        "Integration": {
            "Type": "MOCK",
            "RequestTemplates": {"application/json": '{"statusCode": 200}'},
            "IntegrationResponses": [{"StatusCode": "200"}],
        },
    },
}


def _template(status: str, header: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "gr-stack"}},
            "Get": MOCK_GET,
            "Missing": {
                "Type": "AWS::ApiGateway::GatewayResponse",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ResponseType": "MISSING_AUTHENTICATION_TOKEN",
                    "StatusCode": status,
                    "ResponseParameters": {"gatewayresponse.header.x-from-stack": f"'{header}'"},
                    "ResponseTemplates": {
                        "application/json": '{"gone": "$context.error.responseType"}'
                    },
                },
            },
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["Get", "Missing"],
                "Properties": {"RestApiId": {"Ref": "Rest"}, "StageName": "live"},
            },
            "Account": {
                "Type": "AWS::ApiGateway::Account",
                "Properties": {"CloudWatchRoleArn": "arn:aws:iam::000000000000:role/apigw-cw"},
            },
        },
        "Outputs": {"Api": {"Value": {"Ref": "Rest"}}},
    }


def test_gateway_response_and_account_resources(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("gr")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(_template("404", "one")))
    stack = wait_stack(cfn, name)
    api_id = outputs(stack)["Api"]
    apigw = server.client("apigateway")
    put = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert put["statusCode"] == "404" and put["defaultResponse"] is False
    assert apigw.get_account()["cloudwatchRoleArn"] == "arn:aws:iam::000000000000:role/apigw-cw"
    url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/live/nothing"
    answer = httpx.get(url)
    assert answer.status_code == 404 and answer.headers["x-from-stack"] == "one"
    assert answer.json() == {"gone": "MISSING_AUTHENTICATION_TOKEN"}
    # An update puts the response again in place.
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(_template("410", "two")))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    updated = apigw.get_gateway_response(
        restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN"
    )
    assert updated["statusCode"] == "410"
    assert updated["responseParameters"] == {"gatewayresponse.header.x-from-stack": "'two'"}
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_bad_gateway_response_fails_the_stack(cfn: Any) -> None:
    template = _template("404", "one")
    template["Resources"]["Missing"]["Properties"]["ResponseParameters"] = {
        "gatewayresponse.header.x": "unquoted"
    }
    name = stack_name("grbad")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["LogicalResourceId"] == "Missing" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert any("Invalid mapping expression specified: unquoted" in r for r in reasons)


SAM_TEMPLATE = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "Api": {
            "Type": "AWS::Serverless::Api",
            "Properties": {
                "StageName": "prod",
                "GatewayResponses": {
                    "DEFAULT_4XX": {
                        "ResponseParameters": {"Headers": {"Access-Control-Allow-Origin": "'*'"}}
                    },
                    "MISSING_AUTHENTICATION_TOKEN": {
                        "StatusCode": 404,
                        "ResponseTemplates": {"application/json": '{"message": "no such route"}'},
                    },
                },
                "DefinitionBody": {
                    "swagger": "2.0",
                    "info": {"title": "sam-responses"},
                    "paths": {
                        "/ping": {
                            "get": {
                                "x-amazon-apigateway-integration": {
                                    "type": "mock",
                                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                                    "responses": {
                                        "default": {
                                            "statusCode": "200",
                                            "responseTemplates": {"application/json": "pong"},
                                        }
                                    },
                                }
                            }
                        }
                    },
                },
            },
        }
    },
    "Outputs": {"Api": {"Value": {"Ref": "Api"}}},
}


def test_sam_gateway_responses(cfn: Any, server: ServerProcess) -> None:
    name = stack_name("samgr")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(SAM_TEMPLATE),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    api_id = outputs(wait_stack(cfn, name))["Api"]
    base = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}/prod"
    assert httpx.get(f"{base}/ping").text == "pong"
    missing = httpx.get(f"{base}/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"message": "no such route"}
    # DEFAULT_4XX's header reaches MISSING_AUTHENTICATION_TOKEN only through inheritance
    # when that type is not customised; customised, it has only its own parameters.
    assert "access-control-allow-origin" not in missing.headers
    wrong_method = httpx.post(f"{base}/ping")
    assert wrong_method.status_code == 404  # no POST: also MISSING_AUTHENTICATION_TOKEN
    apigw = server.client("apigateway")
    inherited = apigw.get_gateway_response(restApiId=api_id, responseType="UNAUTHORIZED")
    assert inherited["responseParameters"] == {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"
    }
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_cdk_shaped_rest_api(cfn: Any, server: ServerProcess) -> None:
    """What CDK's ``RestApi`` with ``addGatewayResponse`` synthesizes: a CloudWatch role,
    the Account resource naming it, a separate Deployment and Stage, and a gateway
    response with quoted header values."""
    template = {
        "Resources": {
            "ApiCloudWatchRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "apigateway.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": [
                        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
                    ],
                },
            },
            "ApiAccount": {
                "Type": "AWS::ApiGateway::Account",
                "DependsOn": ["Rest"],
                "Properties": {"CloudWatchRoleArn": {"Fn::GetAtt": ["ApiCloudWatchRole", "Arn"]}},
            },
            "Rest": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "cdk-api"}},
            "Get": MOCK_GET,
            "ApiUnauthorized": {
                "Type": "AWS::ApiGateway::GatewayResponse",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "ResponseType": "DEFAULT_4XX",
                    "ResponseParameters": {
                        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
                        "gatewayresponse.header.Access-Control-Allow-Headers": "'*'",
                    },
                },
            },
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["Get", "ApiUnauthorized"],
                "Properties": {"RestApiId": {"Ref": "Rest"}, "Description": "Automatically"},
            },
            "Stage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": {"Ref": "Rest"},
                    "DeploymentId": {"Ref": "Deployment"},
                    "StageName": "prod",
                },
            },
        },
        "Outputs": {
            "Api": {"Value": {"Ref": "Rest"}},
            "Role": {"Value": {"Fn::GetAtt": ["ApiCloudWatchRole", "Arn"]}},
        },
    }
    name = stack_name("cdkgr")
    cfn.create_stack(
        StackName=name, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"]
    )
    values = outputs(wait_stack(cfn, name))
    assert server.client("apigateway").get_account()["cloudwatchRoleArn"] == values["Role"]
    url = f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{values['Api']}/prod/nope"
    answer = httpx.get(url)
    assert answer.status_code == 403
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.json() == {"message": "Missing Authentication Token"}
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
