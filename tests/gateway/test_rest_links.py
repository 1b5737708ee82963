"""Client certificates (real self-signed PEMs), VPC links, GetModelTemplate and the SDK
operations of apigateway v1; certificates and links survive a kill -9."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509

from tests.conftest import ServerProcess

NLB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/my-nlb/1234567890abcdef"


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_client_certificates(apigw_v1: Any) -> None:
    made = apigw_v1.generate_client_certificate(description="backend", tags={"team": "a"})
    certificate = x509.load_pem_x509_certificate(made["pemEncodedCertificate"].encode())
    assert certificate.issuer == certificate.subject  # self-signed
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime == dt.timedelta(days=365)
    assert made["expirationDate"] - made["createdDate"] >= dt.timedelta(days=364)
    assert made["description"] == "backend" and made["tags"] == {"team": "a"}
    cert_id = made["clientCertificateId"]
    got = apigw_v1.get_client_certificate(clientCertificateId=cert_id)
    assert got["pemEncodedCertificate"] == made["pemEncodedCertificate"]
    listed = apigw_v1.get_client_certificates(limit=500)["items"]
    assert cert_id in {c["clientCertificateId"] for c in listed}
    updated = apigw_v1.update_client_certificate(
        clientCertificateId=cert_id,
        patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}],
    )
    assert updated["description"] == "renamed"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_client_certificate(
            clientCertificateId=cert_id,
            patchOperations=[{"op": "replace", "path": "/pemEncodedCertificate", "value": "x"}],
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid patch path '/pemEncodedCertificate' specified for op 'replace'. "
        "Must be one of: [/description]",
    )
    arn = f"arn:aws:apigateway:us-east-1::/clientcertificates/{cert_id}"
    apigw_v1.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw_v1.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
    apigw_v1.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert apigw_v1.get_client_certificate(clientCertificateId=cert_id)["tags"] == {"env": "dev"}
    api_id = apigw_v1.create_rest_api(name="with-certificate")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    stage = apigw_v1.update_stage(
        restApiId=api_id,
        stageName="s",
        patchOperations=[{"op": "replace", "path": "/clientCertificateId", "value": cert_id}],
    )
    assert stage["clientCertificateId"] == cert_id
    apigw_v1.delete_client_certificate(clientCertificateId=cert_id)
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_client_certificate(clientCertificateId=cert_id)
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid Client Certificate identifier specified",
    )


def test_vpc_links(apigw_v1: Any) -> None:
    link = apigw_v1.create_vpc_link(name="link", targetArns=[NLB], description="to the NLB")
    assert link["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert link["status"] == "AVAILABLE" and link["targetArns"] == [NLB]
    assert apigw_v1.get_vpc_link(vpcLinkId=link["id"])["name"] == "link"
    assert link["id"] in {v["id"] for v in apigw_v1.get_vpc_links()["items"]}
    updated = apigw_v1.update_vpc_link(
        vpcLinkId=link["id"],
        patchOperations=[{"op": "replace", "path": "/name", "value": "renamed"}],
    )
    assert updated["name"] == "renamed" and updated["description"] == "to the NLB"
    for arns, message in (
        ([NLB, NLB], "A VPC link must target exactly one network load balancer"),
        (["not-an-arn"], "Invalid network load balancer ARN: not-an-arn"),
    ):
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.create_vpc_link(name="bad", targetArns=arns)
        assert _error(excinfo) == ("BadRequestException", message)
    assert "bad" not in {v["name"] for v in apigw_v1.get_vpc_links(limit=500)["items"]}
    arn = f"arn:aws:apigateway:us-east-1::/vpclinks/{link['id']}"
    apigw_v1.tag_resource(resourceArn=arn, tags={"env": "dev"})
    assert apigw_v1.get_vpc_link(vpcLinkId=link["id"])["tags"] == {"env": "dev"}
    apigw_v1.delete_vpc_link(vpcLinkId=link["id"])
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_vpc_link(vpcLinkId=link["id"])
    assert _error(excinfo) == ("NotFoundException", "Invalid VPC link identifier specified")


def test_model_template(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="templates")["id"]
    apigw_v1.create_model(
        restApiId=api_id,
        name="Pet",
        contentType="application/json",
        schema=json.dumps(
            {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        ),
    )
    template = apigw_v1.get_model_template(restApiId=api_id, modelName="Pet")["value"]
    assert template == (
        "#set($inputRoot = $input.path('$'))\n"
        "{\n"
        '  "id" : $inputRoot.id,\n'
        '  "name" : "$inputRoot.name",\n'
        '  "tags" : [\n'
        "#foreach($elem in $inputRoot.tags)\n"
        '    "$elem"#if($foreach.hasNext),#end\n'
        "#end\n"
        "  ]\n"
        "}"
    )
    error = apigw_v1.get_model_template(restApiId=api_id, modelName="Error")["value"]
    assert '"message" : "$inputRoot.message"' in error
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_model_template(restApiId=api_id, modelName="Nope")
    assert _error(excinfo) == ("NotFoundException", "Invalid model name specified: Nope")


def test_sdk_types_and_get_sdk(apigw_v1: Any) -> None:
    types = apigw_v1.get_sdk_types()["items"]
    assert [t["id"] for t in types] == [
        "android",
        "javascript",
        "objectivec",
        "swift",
        "java",
        "ruby",
    ]
    android = apigw_v1.get_sdk_type(id="android")
    assert {p["name"] for p in android["configurationProperties"]} == {
        "groupId",
        "invokerPackage",
        "artifactId",
        "artifactVersion",
    }
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_sdk_type(id="cobol")
    assert _error(excinfo) == ("NotFoundException", "Invalid SDK type specified: cobol")
    api_id = apigw_v1.create_rest_api(name="sdk")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw_v1.create_deployment(restApiId=api_id, stageName="s")
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"restApiId": api_id, "stageName": "nostage", "sdkType": "javascript"},
            "NotFoundException",
            "Invalid Stage identifier specified",
        ),
        (
            {"restApiId": api_id, "stageName": "s", "sdkType": "android"},
            "BadRequestException",
            "Missing required SDK parameters: [groupId, invokerPackage, artifactId, "
            "artifactVersion]",
        ),
        (
            {"restApiId": api_id, "stageName": "s", "sdkType": "javascript"},
            "BadRequestException",
            "Stratus does not generate SDKs (JavaScript requested)",
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.get_sdk(**params)
        assert _error(excinfo) == (code, message)
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_sdk(restApiId=api_id, stageName="s", sdkType="cobol")
    assert _error(excinfo)[0] == "BadRequestException"


def test_certificates_and_links_survive_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw_v1 = server.client("apigateway")
        certificate = apigw_v1.generate_client_certificate(description="kept")
        link = apigw_v1.create_vpc_link(name="kept", targetArns=[NLB])
        apigw_v1.tag_resource(
            resourceArn=f"arn:aws:apigateway:us-east-1::/vpclinks/{link['id']}",
            tags={"kept": "yes"},
        )
        server.kill()
        server.start()
        apigw_v1 = server.client("apigateway")
        again = apigw_v1.get_client_certificate(
            clientCertificateId=certificate["clientCertificateId"]
        )
        assert again["pemEncodedCertificate"] == certificate["pemEncodedCertificate"]
        kept = apigw_v1.get_vpc_link(vpcLinkId=link["id"])
        assert kept["status"] == "AVAILABLE" and kept["tags"] == {"kept": "yes"}
    finally:
        server.stop()
