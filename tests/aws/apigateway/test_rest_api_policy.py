"""A REST API's resource policy on the management API: CreateRestApi's ``policy``,
UpdateRestApi's ``/policy``, an OpenAPI definition's ``x-amazon-apigateway-policy`` and
CloudFormation's ``Policy``, answered JSON-escaped as AWS answers it; bad, oversized and
hostile documents refused with BadRequestException and nothing stored."""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess

INVALID = (
    "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)
TOO_LONG = "The resource policy exceeds the maximum length of 8192 characters."


@pytest.fixture(scope="module")
def apigw(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ALLOW_IPS = _policy(
    {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.1/32"]}},
    }
)


def _unescaped(answered: str) -> Any:
    """What terraform's provider does with GetRestApi's policy: read it as the inside of
    a JSON string, then as JSON."""
    return json.loads(json.loads(f'"{answered}"'))


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_create_get_and_list_answer_the_policy_as_aws_does(apigw: Any) -> None:
    text = json.dumps(ALLOW_IPS, indent=2)
    made = apigw.create_rest_api(name="policed", policy=text)
    api_id = made["id"]
    answered = apigw.get_rest_api(restApiId=api_id)["policy"]
    assert made["policy"] == answered
    # AWS's form: minified, escaped as a JSON string's inside, "/" escaped too.
    assert answered.startswith('{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{')
    assert "\\/" in answered and "/" not in answered.replace("\\/", "")
    expected = json.loads(json.dumps(ALLOW_IPS))
    expected["Statement"][0]["Resource"] = f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*"
    assert _unescaped(answered) == expected
    listed = {a["id"]: a for a in apigw.get_rest_apis(limit=500)["items"]}
    assert listed[api_id]["policy"] == answered
    plain = apigw.create_rest_api(name="unpoliced")
    assert "policy" not in plain and "policy" not in apigw.get_rest_api(restApiId=plain["id"])


def test_one_principal_in_a_list_is_answered_as_that_principal(apigw: Any) -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::111111111111:root"]},
            "Action": ["execute-api:Invoke"],
            "Resource": ["execute-api:/prod/GET/*", "arn:aws:execute-api:*:*:*/x"],
        }
    )
    api_id = apigw.create_rest_api(name="principal", policy=json.dumps(policy))["id"]
    statement = _unescaped(apigw.get_rest_api(restApiId=api_id)["policy"])["Statement"][0]
    assert statement["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert statement["Resource"] == [
        f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/prod/GET/*",
        "arn:aws:execute-api:*:*:*/x",
    ]


def test_update_rest_api_replaces_and_removes_the_policy(apigw: Any) -> None:
    api_id = apigw.create_rest_api(name="updated")["id"]
    replaced = apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[
            {"op": "replace", "path": "/policy", "value": json.dumps(ALLOW_IPS)},
            {"op": "replace", "path": "/description", "value": "with a policy"},
        ],
    )
    assert replaced["description"] == "with a policy"
    assert _unescaped(replaced["policy"])["Statement"][0]["Effect"] == "Allow"
    # terraform's aws_api_gateway_rest_api_policy deletes with a replace by ""
    cleared = apigw.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": ""}]
    )
    assert "policy" not in cleared
    apigw.update_rest_api(
        restApiId=api_id,
        patchOperations=[{"op": "replace", "path": "/policy", "value": json.dumps(ALLOW_IPS)}],
    )
    removed = apigw.update_rest_api(
        restApiId=api_id, patchOperations=[{"op": "remove", "path": "/policy"}]
    )
    assert "policy" not in removed


BAD_POLICIES = {
    "not-json": '{"Version": "2012-10-17", "Statement": [',
    "not-an-object": '["execute-api:Invoke"]',
    "no-statement": '{"Version": "2012-10-17"}',
    "no-statements": '{"Version": "2012-10-17", "Statement": []}',
    "bad-effect": json.dumps(
        _policy({"Effect": "Maybe", "Principal": "*", "Action": "*", "Resource": "*"})
    ),
    "no-principal": json.dumps(_policy({"Effect": "Allow", "Action": "*", "Resource": "*"})),
    "invalid-principal": json.dumps(
        _policy({"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "*", "Resource": "*"})
    ),
    "unknown-operator": json.dumps(
        _policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"IpAddressish": {"aws:SourceIp": "10.0.0.0/8"}},
            }
        )
    ),
    "nested-condition": json.dumps(
        _policy(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:UserAgent": [["x"]]}},
            }
        )
    ),
    "both-action-and-not-action": json.dumps(
        _policy(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "NotAction": "x",
                "Resource": "*",
            }
        )
    ),
    "unknown-element": json.dumps(
        _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Extra": 1})
    ),
    "deeply-nested": "[" * 30_000 + "]" * 30_000,
    "nested-sid": json.dumps(
        _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    ).replace('"Effect"', '"Sid": ' + "[" * 900 + "]" * 900 + ', "Effect"'),
}


@pytest.mark.parametrize("policy", list(BAD_POLICIES.values()), ids=list(BAD_POLICIES))
def test_a_bad_policy_is_refused_and_nothing_is_stored(apigw: Any, policy: str) -> None:
    before = {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}
    assert _error(lambda: apigw.create_rest_api(name="bad", policy=policy)) == (
        "BadRequestException",
        INVALID,
    )
    assert {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]} == before
    api_id = apigw.create_rest_api(name="kept", policy=json.dumps(ALLOW_IPS))["id"]
    kept = apigw.get_rest_api(restApiId=api_id)
    refused = _error(
        lambda: apigw.update_rest_api(
            restApiId=api_id,
            patchOperations=[
                {"op": "replace", "path": "/name", "value": "renamed"},
                {"op": "replace", "path": "/policy", "value": policy},
            ],
        )
    )
    assert refused == ("BadRequestException", INVALID)
    after = apigw.get_rest_api(restApiId=api_id)
    assert after["name"] == "kept" and after["policy"] == kept["policy"]


def test_a_policy_past_aws_length_quota_is_refused(apigw: Any) -> None:
    def sized(length: int) -> str:
        statement = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke"}
        text = json.dumps(_policy({**statement, "Resource": ""}), separators=(",", ":"))
        padding = length - len(text)
        return json.dumps(_policy({**statement, "Resource": "a" * padding}), separators=(",", ":"))

    assert len(sized(8192)) == 8192
    api_id = apigw.create_rest_api(name="at-quota", policy=sized(8192))["id"]
    assert apigw.get_rest_api(restApiId=api_id)["policy"]
    assert _error(lambda: apigw.create_rest_api(name="past", policy=sized(8193))) == (
        "BadRequestException",
        TOO_LONG,
    )
    # Thousands of statements (a hostile or generated policy) are refused when written,
    # so no stage ever judges a request by them.
    many = _policy(
        *[
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": f"x{i}"}
            for i in range(5000)
        ]
    )
    assert _error(lambda: apigw.create_rest_api(name="many", policy=json.dumps(many))) == (
        "BadRequestException",
        TOO_LONG,
    )
    huge = json.dumps(
        _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "r" * 2_000_000})
    )
    assert _error(lambda: apigw.create_rest_api(name="huge", policy=huge)) == (
        "BadRequestException",
        TOO_LONG,
    )


def _definition(policy: dict[str, Any] | None) -> bytes:
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "imported", "version": "1"},
        "paths": {
            "/pets": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {
                        "type": "mock",
                        "requestTemplates": {"application/json": '{"statusCode": 200}'},
                        "responses": {"default": {"statusCode": "200"}},
                    },
                }
            }
        },
    }
    if policy is not None:
        document["x-amazon-apigateway-policy"] = policy
    return json.dumps(document).encode()


def test_an_imported_definitions_policy_is_the_apis(apigw: Any) -> None:
    api = apigw.import_rest_api(body=_definition(ALLOW_IPS))
    api_id = api["id"]
    resource = _unescaped(api["policy"])["Statement"][0]["Resource"]
    assert resource == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*"
    # A definition without the extension leaves the policy as it was.
    kept = apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=_definition(None))
    assert kept["policy"] == api["policy"]
    deny = _policy({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"})
    replaced = apigw.put_rest_api(restApiId=api_id, mode="merge", body=_definition(deny))
    assert _unescaped(replaced["policy"])["Statement"][0]["Effect"] == "Deny"
    apigw.create_deployment(restApiId=api_id, stageName="s")
    exported = apigw.get_export(
        restApiId=api_id, stageName="s", exportType="oas30", parameters={"extensions": "apigateway"}
    )
    document = json.loads(exported["body"].read())
    assert document["x-amazon-apigateway-policy"] == _unescaped(replaced["policy"])
    before = {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]}
    bad = _error(lambda: apigw.import_rest_api(body=_definition({"Statement": "nope"})))
    assert bad == ("BadRequestException", INVALID)
    assert {a["id"] for a in apigw.get_rest_apis(limit=500)["items"]} == before


def _stack_template(policy: Any) -> dict[str, Any]:
    return {
        "Resources": {
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Name": "stacked", "Policy": policy},
            }
        },
        "Outputs": {"ApiId": {"Value": {"Ref": "Api"}}},
    }


def _settled(cfn: Any, name: str) -> dict[str, Any]:
    for _ in range(600):
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return dict(stack)
        time.sleep(0.1)
    raise AssertionError(f"stack {name} still in progress")


def test_cloudformation_policy_as_object_or_string(server: ServerProcess, apigw: Any) -> None:
    cfn = server.client("cloudformation")
    as_object = _policy(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": {"Fn::Join": ["", ["execute-api:/", "*"]]},
        }
    )
    cfn.create_stack(StackName="policy-object", TemplateBody=json.dumps(_stack_template(as_object)))
    stack = _settled(cfn, "policy-object")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    api_id = stack["Outputs"][0]["OutputValue"]
    statement = _unescaped(apigw.get_rest_api(restApiId=api_id)["policy"])["Statement"][0]
    assert statement["Resource"] == f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*"
    # A change of Policy alone updates the API in place.
    as_string = json.dumps(_policy({**statement, "Effect": "Deny"}))
    cfn.update_stack(StackName="policy-object", TemplateBody=json.dumps(_stack_template(as_string)))
    updated = _settled(cfn, "policy-object")
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    assert updated["Outputs"][0]["OutputValue"] == api_id
    effect = _unescaped(apigw.get_rest_api(restApiId=api_id)["policy"])["Statement"][0]["Effect"]
    assert effect == "Deny"
    cfn.create_stack(
        StackName="policy-bad", TemplateBody=json.dumps(_stack_template("not a policy"))
    )
    failed = _settled(cfn, "policy-bad")
    assert failed["StackStatus"] in ("ROLLBACK_COMPLETE", "CREATE_FAILED")
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in cfn.describe_stack_events(StackName="policy-bad")["StackEvents"]
    ]
    assert any(INVALID in reason for reason in reasons), reasons
