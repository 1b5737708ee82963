"""Custom domain names in templates: SAM's ``Domain`` on a REST API and an HTTP API, and
the CloudFormation types (with a CDK-style certificate) deployed, served by Host header
and deleted."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess

CERT = "arn:aws:acm:us-east-1:000000000000:certificate/12345678-1234-1234-1234-123456789012"
ECHO = (
    "import json\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 200, 'body': json.dumps(event)}\n"
)


def _domain() -> str:
    return f"d{uuid.uuid4().hex[:10]}.example.com"


def _sam_template(rest_domain: str, http_domain: str) -> dict[str, Any]:
    return {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "python3.11",
                    "Handler": "index.handler",
                    "InlineCode": ECHO,
                    "Events": {
                        "Rest": {
                            "Type": "Api",
                            "Properties": {
                                "RestApiId": {"Ref": "RestApi"},
                                "Path": "/items/{id}",
                                "Method": "get",
                            },
                        },
                        "Http": {
                            "Type": "HttpApi",
                            "Properties": {
                                "ApiId": {"Ref": "HttpApi"},
                                "Path": "/items/{id}",
                                "Method": "get",
                            },
                        },
                    },
                },
            },
            "RestApi": {
                "Type": "AWS::Serverless::Api",
                "Properties": {
                    "StageName": "prod",
                    "Domain": {
                        "DomainName": rest_domain,
                        "CertificateArn": CERT,
                        "EndpointConfiguration": "REGIONAL",
                        "BasePath": ["/", "/v1"],
                    },
                },
            },
            "HttpApi": {
                "Type": "AWS::Serverless::HttpApi",
                "Properties": {
                    "Domain": {
                        "DomainName": http_domain,
                        "CertificateArn": CERT,
                        "BasePath": ["orders"],
                    },
                },
            },
        },
        "Outputs": {
            "Rest": {"Value": {"Ref": "RestApi"}},
            "Http": {"Value": {"Ref": "HttpApi"}},
        },
    }


def _get(server: ServerProcess, host: str, path: str) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{server.gateway_port}{path}", headers={"host": host})


def test_sam_domains_deploy_and_serve(cfn: Any, server: ServerProcess) -> None:
    rest_domain, http_domain = _domain(), _domain()
    name = stack_name("samdom")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(_sam_template(rest_domain, http_domain)),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = wait_stack(cfn, name)
    ids = outputs(stack)
    types = {
        r["ResourceType"] for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
    }
    assert {
        "AWS::ApiGateway::DomainName",
        "AWS::ApiGateway::BasePathMapping",
        "AWS::ApiGatewayV2::DomainName",
        "AWS::ApiGatewayV2::ApiMapping",
    } <= types
    root = _get(server, rest_domain, "/items/1")
    assert root.status_code == 200, root.text
    assert root.json()["requestContext"]["apiId"] == ids["Rest"]
    versioned = _get(server, rest_domain, "/v1/items/2").json()
    assert versioned["path"] == "/v1/items/2" and versioned["pathParameters"] == {"id": "2"}
    http = _get(server, http_domain, "/orders/items/3")
    assert http.status_code == 200, http.text
    event = http.json()
    assert event["requestContext"]["apiId"] == ids["Http"]
    assert event["rawPath"] == "/orders/items/3"
    assert _get(server, http_domain, "/items/3").status_code == 403
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
    apigw = server.client("apigatewayv2")
    listed = {d["DomainName"] for d in apigw.get_domain_names()["Items"]}
    assert rest_domain not in listed and http_domain not in listed
    assert _get(server, rest_domain, "/items/1").status_code == 404


def test_cloudformation_domain_types_with_a_certificate(cfn: Any, server: ServerProcess) -> None:
    domain = _domain()
    template = {
        "Resources": {
            "Cert": {
                "Type": "AWS::CertificateManager::Certificate",
                "Properties": {"DomainName": domain, "ValidationMethod": "DNS"},
            },
            "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "cfn-dom"}},
            "Stage": {
                "Type": "AWS::ApiGatewayV2::Stage",
                "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "live"},
            },
            "Domain": {
                "Type": "AWS::ApiGatewayV2::DomainName",
                "Properties": {
                    "DomainName": domain,
                    "DomainNameConfigurations": [
                        {"CertificateArn": {"Ref": "Cert"}, "EndpointType": "REGIONAL"}
                    ],
                },
            },
            "Mapping": {
                "Type": "AWS::ApiGatewayV2::ApiMapping",
                "DependsOn": ["Stage", "Domain"],
                "Properties": {
                    "DomainName": domain,
                    "ApiId": {"Ref": "Api"},
                    "Stage": "live",
                    "ApiMappingKey": "svc",
                },
            },
            "Legacy": {
                "Type": "AWS::ApiGateway::DomainName",
                "Properties": {
                    "DomainName": f"legacy-{domain}",
                    "RegionalCertificateArn": {"Ref": "Cert"},
                    "EndpointConfiguration": {"Types": ["REGIONAL"]},
                },
            },
        },
        "Outputs": {
            "Cert": {"Value": {"Ref": "Cert"}},
            "Target": {"Value": {"Fn::GetAtt": ["Domain", "RegionalDomainName"]}},
            "Zone": {"Value": {"Fn::GetAtt": ["Domain", "RegionalHostedZoneId"]}},
            "Mapping": {"Value": {"Ref": "Mapping"}},
            "LegacyTarget": {"Value": {"Fn::GetAtt": ["Legacy", "RegionalDomainName"]}},
        },
    }
    name = stack_name("cfndom")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    values = outputs(wait_stack(cfn, name))
    assert values["Cert"].startswith("arn:aws:acm:us-east-1:")
    assert values["Target"].endswith(".execute-api.localhost")
    assert values["Zone"] == "Z1UJRXOUMOOFQ8"
    assert values["LegacyTarget"].endswith(".execute-api.localhost")
    apigw = server.client("apigatewayv2")
    mapping = apigw.get_api_mapping(DomainName=domain, ApiMappingId=values["Mapping"])
    assert mapping["ApiMappingKey"] == "svc" and mapping["Stage"] == "live"
    # A changed key updates the mapping in place.
    template["Resources"]["Mapping"]["Properties"]["ApiMappingKey"] = "svc2"  # type: ignore[index]
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_COMPLETE"
    mapping = apigw.get_api_mapping(DomainName=domain, ApiMappingId=values["Mapping"])
    assert mapping["ApiMappingKey"] == "svc2"
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})
    assert domain not in {d["DomainName"] for d in apigw.get_domain_names()["Items"]}


def test_bad_domain_fails_the_stack(cfn: Any) -> None:
    name = stack_name("baddom")
    template = {
        "Resources": {
            "Domain": {
                "Type": "AWS::ApiGatewayV2::DomainName",
                "Properties": {
                    "DomainName": "not a domain",
                    "DomainNameConfigurations": [{"CertificateArn": CERT}],
                },
            }
        }
    }
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cfn.describe_stack_events(StackName=name)["StackEvents"]
        if e["LogicalResourceId"] == "Domain" and e["ResourceStatus"] == "CREATE_FAILED"
    ]
    assert any("Invalid domain name specified" in r for r in reasons), reasons


def test_sam_domain_with_route53_and_cdk_style_records_deploy(
    cfn: Any, server: ServerProcess
) -> None:
    """SAM's ``Domain.Route53`` writes a RecordSetGroup aliasing the domain; the CDK's
    ``ARecord`` a RecordSet in a zone of the stack's own: both deploy as records (no DNS
    is served) and the domain serves by Host as without them."""
    rest_domain, http_domain = _domain(), _domain()
    template = _sam_template(rest_domain, http_domain)
    template["Resources"]["RestApi"]["Properties"]["Domain"]["Route53"] = {
        "HostedZoneId": "Z0123456789ABCDEFGHIJ"
    }
    template["Resources"]["Zone"] = {
        "Type": "AWS::Route53::HostedZone",
        "Properties": {"Name": "example.com"},
    }
    template["Resources"]["Record"] = {
        "Type": "AWS::Route53::RecordSet",
        "Properties": {
            "HostedZoneId": {"Ref": "Zone"},
            "Name": f"www.{http_domain}",
            "Type": "CNAME",
            "TTL": "300",
            "ResourceRecords": [http_domain],
        },
    }
    template["Outputs"]["Zone"] = {"Value": {"Ref": "Zone"}}
    template["Outputs"]["Servers"] = {
        "Value": {"Fn::Join": [",", {"Fn::GetAtt": ["Zone", "NameServers"]}]}
    }
    template["Outputs"]["Record"] = {"Value": {"Ref": "Record"}}
    name = stack_name("samr53")
    cfn.create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    stack = wait_stack(cfn, name)
    found = outputs(stack)
    assert found["Zone"].startswith("Z") and len(found["Servers"].split(",")) == 4
    assert found["Record"] == f"www.{http_domain}"
    types = {
        r["ResourceType"] for r in cfn.describe_stack_resources(StackName=name)["StackResources"]
    }
    assert "AWS::Route53::RecordSetGroup" in types
    assert _get(server, rest_domain, "/items/1").status_code == 200
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 0.2})


def test_a_bad_record_set_rolls_the_stack_back(cfn: Any) -> None:
    template = {
        "Resources": {
            "Record": {
                "Type": "AWS::Route53::RecordSet",
                "Properties": {
                    "HostedZoneId": "Z0123456789ABCDEFGHIJ",
                    "HostedZoneName": "example.com.",
                    "Name": "a.example.com",
                    "Type": "A",
                    "ResourceRecords": ["127.0.0.1"],
                },
            }
        }
    }
    name = stack_name("badr53")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = settle(cfn, name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    reasons = [
        e.get("ResourceStatusReason", "") for e in events if e["LogicalResourceId"] == "Record"
    ]
    assert any("Exactly one of [HostedZoneId, HostedZoneName]" in r for r in reasons), reasons
