"""Stacks with AWS::ApiGateway::DocumentationPart, DocumentationVersion, ClientCertificate
and VpcLink: created through our API Gateway API, changed in place, deleted with the stack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/nlb/0123456789abcdef"


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _template(description: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "documented"}},
            "ApiDoc": {
                "Type": "AWS::ApiGateway::DocumentationPart",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Location": {"Type": "METHOD", "Path": "/pets", "Method": "GET"},
                    "Properties": json.dumps({"description": description}),
                },
            },
            "Version": {
                "Type": "AWS::ApiGateway::DocumentationVersion",
                "DependsOn": "ApiDoc",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "DocumentationVersion": "1.0",
                    "Description": description,
                },
            },
            "Certificate": {
                "Type": "AWS::ApiGateway::ClientCertificate",
                "Properties": {"Description": description},
            },
            "Link": {
                "Type": "AWS::ApiGateway::VpcLink",
                "Properties": {"Name": "link", "TargetArns": [NLB], "Description": description},
            },
        },
        "Outputs": {
            "ApiId": {"Value": {"Ref": "Api"}},
            "PartId": {"Value": {"Fn::GetAtt": ["ApiDoc", "DocumentationPartId"]}},
            "Version": {"Value": {"Ref": "Version"}},
            "CertificateId": {"Value": {"Ref": "Certificate"}},
            "LinkId": {"Value": {"Fn::GetAtt": ["Link", "VpcLinkId"]}},
        },
    }


def test_documentation_certificate_and_link_stack(cfn: Any, apigw_v1: Any) -> None:
    name = stack_name("apidocs")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(_template("first")))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", [
        e.get("ResourceStatusReason")
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if "FAILED" in e["ResourceStatus"]
    ]
    made = outputs(stack)
    api_id = made["ApiId"]
    part = apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=made["PartId"])
    assert part["location"] == {"type": "METHOD", "path": "/pets", "method": "GET"}
    assert made["Version"] == "1.0"
    certificate = apigw_v1.get_client_certificate(clientCertificateId=made["CertificateId"])
    assert certificate["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert apigw_v1.get_vpc_link(vpcLinkId=made["LinkId"])["status"] == "AVAILABLE"

    cfn.update_stack(StackName=name, TemplateBody=json.dumps(_template("second")))
    updated = wait_stack(cfn, name, "stack_update_complete")
    assert outputs(updated) == made  # every change was made in place
    part = apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=made["PartId"])
    assert json.loads(part["properties"]) == {"description": "second"}
    version = apigw_v1.get_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert version["description"] == "second"
    certificate = apigw_v1.get_client_certificate(clientCertificateId=made["CertificateId"])
    assert certificate["description"] == "second"
    assert apigw_v1.get_vpc_link(vpcLinkId=made["LinkId"])["description"] == "second"

    cfn.delete_stack(StackName=name)
    _wait_deleted(cfn, name)
    with pytest.raises(ClientError):
        apigw_v1.get_client_certificate(clientCertificateId=made["CertificateId"])
    with pytest.raises(ClientError):
        apigw_v1.get_vpc_link(vpcLinkId=made["LinkId"])
    with pytest.raises(ClientError):
        apigw_v1.get_rest_api(restApiId=api_id)


def _wait_deleted(cfn: Any, name: str) -> None:
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
