"""Resource-based policies: AddPermission, RemovePermission, GetPolicy (and for layers).

Shapes and messages follow AWS's API reference and AWS-recorded answers: the statement
JSON AddPermission returns, GetPolicy's document (Version 2012-10-17, Id default) and the
RevisionId of the version or alias the policy belongs to. Policies are stored, not enforced.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import ACCOUNT, REGION, assert_error, function_arn
from tests.conftest import create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return 1\n"

STATEMENT_CASES = [
    pytest.param(
        {"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::bucket"},
        {
            "Principal": {"Service": "s3.amazonaws.com"},
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}},
        },
        id="service-source-arn",
    ),
    pytest.param(
        {"Principal": "123456789012"},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
        id="account",
    ),
    pytest.param(
        {"Principal": "arn:aws:iam::123456789012:role/caller"},
        {"Principal": {"AWS": "arn:aws:iam::123456789012:role/caller"}},
        id="role-arn",
    ),
    pytest.param(
        {"Principal": "*", "PrincipalOrgID": "o-a1b2c3d4e5"},
        {
            "Principal": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        },
        id="org",
    ),
    pytest.param(
        {
            "Principal": "events.amazonaws.com",
            "SourceAccount": "123456789012",
            "SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r",
        },
        {
            "Principal": {"Service": "events.amazonaws.com"},
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": "123456789012"},
                "ArnLike": {"AWS:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"},
            },
        },
        id="source-account-and-arn",
    ),
    pytest.param(
        {"Principal": "*", "FunctionUrlAuthType": "NONE", "Action": "lambda:InvokeFunctionUrl"},
        {
            "Principal": "*",
            "Action": "lambda:InvokeFunctionUrl",
            "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
        },
        id="function-url",
    ),
    pytest.param(
        {"Principal": "alexa-connectedhome.amazon.com", "EventSourceToken": "tok-1"},
        {
            "Principal": {"Service": "alexa-connectedhome.amazon.com"},
            "Condition": {"StringEquals": {"lambda:EventSourceToken": "tok-1"}},
        },
        id="event-source-token",
    ),
]


@pytest.mark.parametrize(("given", "expected"), STATEMENT_CASES)
def test_add_permission_statement(
    lambda_client: Any, given: dict[str, Any], expected: dict[str, Any]
) -> None:
    name = create_function(lambda_client, SOURCE)
    params = {"Action": "lambda:InvokeFunction", **given}
    response = lambda_client.add_permission(FunctionName=name, StatementId="sid-1", **params)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 201
    statement = json.loads(response["Statement"])
    assert statement == {
        "Sid": "sid-1",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Resource": function_arn(name),
        **expected,
    }
    policy = lambda_client.get_policy(FunctionName=name)
    assert json.loads(policy["Policy"]) == {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [statement],
    }


def test_policy_revision_is_the_functions(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    lambda_client.add_permission(
        FunctionName=name, StatementId="a", Action="lambda:InvokeFunction", Principal="*"
    )
    policy = lambda_client.get_policy(FunctionName=name)
    after = lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
    assert policy["RevisionId"] == after != before
    # the current RevisionId is accepted, a stale one refused
    lambda_client.add_permission(
        FunctionName=name,
        StatementId="b",
        Action="lambda:InvokeFunction",
        Principal="*",
        RevisionId=after,
    )
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="c",
            Action="lambda:InvokeFunction",
            Principal="*",
            RevisionId=after,
        )
    assert_error(
        error,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API "
        "to retrieve the latest Revision Id",
        412,
    )
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.remove_permission(FunctionName=name, StatementId="a", RevisionId=after)
    assert_error(
        error,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the "
        "GetFunction/GetAlias API to retrieve the latest Revision Id",
        412,
    )
    sids = [
        s["Sid"]
        for s in json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])["Statement"]
    ]
    assert sids == ["a", "b"]


def test_duplicate_statement_id(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.add_permission(
        FunctionName=name, StatementId="dup", Action="lambda:InvokeFunction", Principal="*"
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="dup",
            Action="lambda:GetFunction",
            Principal="123456789012",
        )
    assert_error(
        error,
        "ResourceConflictException",
        "The statement id (dup) provided already exists. Please provide a new statement id, or "
        "remove the existing statement.",
        409,
    )
    statements = json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [s["Action"] for s in statements] == ["lambda:InvokeFunction"]


def test_remove_permission_and_missing_policy(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_policy(FunctionName=name)
    assert_error(
        error, "ResourceNotFoundException", "No policy is associated with the given resource.", 404
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.remove_permission(FunctionName=name, StatementId="nope")
    assert_error(
        error, "ResourceNotFoundException", "No policy is associated with the given resource.", 404
    )
    lambda_client.add_permission(
        FunctionName=name, StatementId="one", Action="lambda:InvokeFunction", Principal="*"
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.remove_permission(FunctionName=name, StatementId="two")
    assert_error(
        error, "ResourceNotFoundException", "Statement two is not found in resource policy.", 404
    )
    response = lambda_client.remove_permission(FunctionName=name, StatementId="one")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_policy(FunctionName=name)


def test_policies_per_qualifier(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    for qualifier in (None, "1", "live"):
        extra = {"Qualifier": qualifier} if qualifier else {}
        # the same Sid may exist once per version or alias
        statement = json.loads(
            lambda_client.add_permission(
                FunctionName=name,
                StatementId="same",
                Action="lambda:InvokeFunction",
                Principal="sns.amazonaws.com",
                **extra,
            )["Statement"]
        )
        assert statement["Resource"] == function_arn(name, qualifier)
    alias_policy = lambda_client.get_policy(FunctionName=name, Qualifier="live")
    assert (
        alias_policy["RevisionId"]
        == lambda_client.get_alias(FunctionName=name, Name="live")["RevisionId"]
    )
    version_policy = lambda_client.get_policy(FunctionName=function_arn(name, "1"))
    assert (
        version_policy["RevisionId"]
        == lambda_client.get_function_configuration(FunctionName=name, Qualifier="1")["RevisionId"]
    )
    # $LATEST is the unqualified function's policy
    latest = lambda_client.get_policy(FunctionName=name, Qualifier="$LATEST")
    assert latest == lambda_client.get_policy(FunctionName=name) | {
        "ResponseMetadata": latest["ResponseMetadata"]
    }
    # deleting the alias takes its policy with it
    lambda_client.delete_alias(FunctionName=name, Name="live")
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_policy(FunctionName=name, Qualifier="live")
    assert_error(
        error, "ResourceNotFoundException", "No policy is associated with the given resource."
    )


def test_latest_qualifier_refused_for_add(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="s",
            Action="lambda:InvokeFunction",
            Principal="*",
            Qualifier="$LATEST",
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
        400,
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_policy(FunctionName=name)


BAD_INPUTS = [
    pytest.param(
        {"Principal": "not a principal"},
        "ValidationException",
        "1 validation error detected: Value 'not a principal' at 'principal' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [^\\s]+",
        id="bad-principal",
    ),
    pytest.param(
        {"Action": "invoke"},
        "ValidationException",
        "1 validation error detected: Value 'invoke' at 'action' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])",
        id="bad-action",
    ),
    pytest.param(
        {"StatementId": "has space"},
        "ValidationException",
        "1 validation error detected: Value 'has space' at 'statementId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
        id="bad-statement-id",
    ),
    pytest.param(
        {"SourceAccount": "12345"},
        "ValidationException",
        "1 validation error detected: Value '12345' at 'sourceAccount' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: \\d{12}",
        id="bad-source-account",
    ),
    pytest.param(
        {"PrincipalOrgID": "org-1"},
        "ValidationException",
        "2 validation errors detected: Value 'org-1' at 'principalOrgID' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: o-[a-z0-9]{10,32}; "
        "Value 'org-1' at 'principalOrgID' failed to satisfy constraint: Member must have "
        "length greater than or equal to 12",
        id="bad-org-id",
    ),
    pytest.param(
        {"FunctionUrlAuthType": "MAYBE"},
        "ValidationException",
        "1 validation error detected: Value 'MAYBE' at 'functionUrlAuthType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [NONE, AWS_IAM]",
        id="bad-auth-type",
    ),
]


@pytest.mark.parametrize(("change", "code", "message"), BAD_INPUTS)
def test_add_permission_bad_input(
    raw_client: Any, lambda_client: Any, change: dict[str, Any], code: str, message: str
) -> None:
    name = create_function(lambda_client, SOURCE)
    params = {
        "FunctionName": name,
        "StatementId": "s",
        "Action": "lambda:InvokeFunction",
        "Principal": "*",
        **change,
    }
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.add_permission(**params)
    assert_error(error, code, message, 400)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_policy(FunctionName=name)


def test_missing_function_and_qualifier(lambda_client: Any) -> None:
    ghost = unique_name("ghost")
    for call in (
        lambda: lambda_client.add_permission(
            FunctionName=ghost, StatementId="s", Action="lambda:InvokeFunction", Principal="*"
        ),
        lambda: lambda_client.remove_permission(FunctionName=ghost, StatementId="s"),
        lambda: lambda_client.get_policy(FunctionName=ghost),
    ):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call()
        assert_error(
            error, "ResourceNotFoundException", f"Function not found: {function_arn(ghost)}", 404
        )
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="s",
            Action="lambda:InvokeFunction",
            Principal="*",
            Qualifier="7",
        )
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, '7')}", 404
    )
    with pytest.raises(lambda_client.exceptions.ClientError) as error:
        lambda_client.get_policy(FunctionName=name, Qualifier="bad qualifier!")
    assert_error(
        error,
        "ValidationException",
        # GetPolicy's Qualifier pattern in the model (the validator quotes the model).
        "1 validation error detected: Value 'bad qualifier!' at 'qualifier' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+",
    )


# -- layer versions ------------------------------------------------------------------
def _layer(client: Any) -> tuple[str, int, str]:
    name = unique_name("layer")
    published = client.publish_layer_version(
        LayerName=name, Content={"ZipFile": make_zip({"python/x.py": "X = 1\n"})}
    )
    return name, published["Version"], published["LayerVersionArn"]


def test_layer_version_permissions(lambda_client: Any) -> None:
    name, version, arn = _layer(lambda_client)
    added = lambda_client.add_layer_version_permission(
        LayerName=name,
        VersionNumber=version,
        StatementId="xaccount",
        Action="lambda:GetLayerVersion",
        Principal="210987654321",
    )
    assert added["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert json.loads(added["Statement"]) == {
        "Sid": "xaccount",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "lambda:GetLayerVersion",
        "Resource": arn,
    }
    org = lambda_client.add_layer_version_permission(
        LayerName=name,
        VersionNumber=version,
        StatementId="org",
        Action="lambda:GetLayerVersion",
        Principal="*",
        OrganizationId="o-t194hfs8cz",
        RevisionId=added["RevisionId"],
    )
    assert json.loads(org["Statement"])["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": "o-t194hfs8cz"}
    }
    assert json.loads(org["Statement"])["Principal"] == "*"
    policy = lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=version)
    assert policy["RevisionId"] == org["RevisionId"] != added["RevisionId"]
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17"
    assert document["Id"] == "default"
    assert [s["Sid"] for s in document["Statement"]] == ["xaccount", "org"]

    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.add_layer_version_permission(
            LayerName=name,
            VersionNumber=version,
            StatementId="late",
            Action="lambda:GetLayerVersion",
            Principal="*",
            RevisionId=added["RevisionId"],
        )
    assert_error(
        error,
        "PreconditionFailedException",
        "The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy "
        "API to retrieve the latest Revision Id",
        412,
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.add_layer_version_permission(
            LayerName=name,
            VersionNumber=version,
            StatementId="org",
            Action="lambda:GetLayerVersion",
            Principal="*",
        )
    assert_error(
        error,
        "ResourceConflictException",
        "The statement id (org) provided already exists. Please provide a new statement id, or "
        "remove the existing statement.",
        409,
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.remove_layer_version_permission(
            LayerName=name, VersionNumber=version, StatementId="none"
        )
    assert_error(
        error, "ResourceNotFoundException", "Statement none is not found in resource policy."
    )
    lambda_client.remove_layer_version_permission(
        LayerName=name, VersionNumber=version, StatementId="xaccount"
    )
    lambda_client.remove_layer_version_permission(
        LayerName=name, VersionNumber=version, StatementId="org"
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=version)
    assert_error(
        error, "ResourceNotFoundException", "No policy is associated with the given resource.", 404
    )


LAYER_BAD_INPUTS = [
    pytest.param(
        {"Action": "lambda:InvokeFunction"},
        "ValidationException",
        "1 validation error detected: Value 'lambda:InvokeFunction' at 'action' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "lambda:GetLayerVersion",
        id="bad-action",
    ),
    pytest.param(
        {"Principal": "s3.amazonaws.com"},
        "ValidationException",
        "1 validation error detected: Value 's3.amazonaws.com' at 'principal' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root",
        id="bad-principal",
    ),
    pytest.param(
        {"Principal": "123456789012", "OrganizationId": "o-t194hfs8cz"},
        "InvalidParameterValueException",
        "OrganizationId can only be specified when principal is set to '*'.",
        id="org-needs-star",
    ),
]


@pytest.mark.parametrize(("change", "code", "message"), LAYER_BAD_INPUTS)
def test_layer_permission_bad_input(
    raw_client: Any, lambda_client: Any, change: dict[str, Any], code: str, message: str
) -> None:
    name, version, _ = _layer(lambda_client)
    params = {
        "LayerName": name,
        "VersionNumber": version,
        "StatementId": "s",
        "Action": "lambda:GetLayerVersion",
        "Principal": "*",
        **change,
    }
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.add_layer_version_permission(**params)
    assert_error(error, code, message, 400)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=version)


def test_layer_permission_on_missing_version(lambda_client: Any) -> None:
    name, version, _ = _layer(lambda_client)
    missing = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}:{version + 1}"
    for call in (
        lambda: lambda_client.add_layer_version_permission(
            LayerName=name,
            VersionNumber=version + 1,
            StatementId="s",
            Action="lambda:GetLayerVersion",
            Principal="*",
        ),
        lambda: lambda_client.get_layer_version_policy(LayerName=name, VersionNumber=version + 1),
        lambda: lambda_client.remove_layer_version_permission(
            LayerName=name, VersionNumber=version + 1, StatementId="s"
        ),
    ):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call()
        assert_error(
            error, "ResourceNotFoundException", f"Layer version {missing} does not exist.", 404
        )
