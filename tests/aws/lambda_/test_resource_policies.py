"""PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy: a whole policy document.

The document is the one AddPermission/RemovePermission edit and GetPolicy returns, with
the same RevisionId (the version's or alias's), so both APIs see one policy. Documents are
stored, not enforced.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn
from tests.conftest import ServerProcess, create_function

SOURCE = "def handler(event, context):\n    return 1\n"
STALE = (
    "The Revision Id provided does not match the latest Revision Id. Call the "
    "GetResourcePolicy API to retrieve the latest Revision Id"
)
NO_POLICY = "No policy is associated with the given resource."


def _document(arn: str, sid: str = "cross-account") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "lambda:InvokeFunction",
                "Resource": arn,
            }
        ],
    }


def test_put_get_delete_round_trip(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    arn = function_arn(name)
    document = _document(arn)
    put = lambda_client.put_resource_policy(ResourceArn=arn, Policy=json.dumps(document))
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert json.loads(put["Policy"]) == document
    got = lambda_client.get_resource_policy(ResourceArn=arn)
    assert json.loads(got["Policy"]) == document
    assert got["RevisionId"] == put["RevisionId"]
    # the function's RevisionId moved with the policy, as AddPermission moves it
    assert (
        lambda_client.get_function_configuration(FunctionName=name)["RevisionId"]
        == (put["RevisionId"])
    )
    deleted = lambda_client.delete_resource_policy(ResourceArn=arn)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (lambda_client.get_resource_policy, lambda_client.delete_resource_policy):
        with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
            call(ResourceArn=arn)
        assert_error(error, "ResourceNotFoundException", NO_POLICY, 404)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_policy(FunctionName=name)


def test_one_document_for_both_apis(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    arn = function_arn(name)
    lambda_client.add_permission(
        FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="*"
    )
    # AddPermission's statement is visible to GetResourcePolicy, with GetPolicy's revision
    policy = lambda_client.get_policy(FunctionName=name)
    resource = lambda_client.get_resource_policy(ResourceArn=arn)
    assert resource["Policy"] == policy["Policy"]
    assert resource["RevisionId"] == policy["RevisionId"]
    # PutResourcePolicy replaces the statements AddPermission added
    lambda_client.put_resource_policy(ResourceArn=arn, Policy=json.dumps(_document(arn)))
    sids = [
        s["Sid"]
        for s in json.loads(lambda_client.get_policy(FunctionName=name)["Policy"])["Statement"]
    ]
    assert sids == ["cross-account"]
    # ... and AddPermission/RemovePermission keep editing the document it put
    lambda_client.add_permission(
        FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction", Principal="*"
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException):
        lambda_client.add_permission(
            FunctionName=name,
            StatementId="cross-account",
            Action="lambda:InvokeFunction",
            Principal="*",
        )
    lambda_client.remove_permission(FunctionName=name, StatementId="cross-account")
    statements = json.loads(lambda_client.get_resource_policy(ResourceArn=arn)["Policy"])[
        "Statement"
    ]
    assert [s["Sid"] for s in statements] == ["sns"]


def test_versions_and_aliases_have_their_own(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    for qualifier in ("1", "live"):
        arn = function_arn(name, qualifier)
        put = lambda_client.put_resource_policy(
            ResourceArn=arn, Policy=json.dumps(_document(arn, sid=f"q{qualifier}"))
        )
        policy = lambda_client.get_policy(FunctionName=name, Qualifier=qualifier)
        assert policy["RevisionId"] == put["RevisionId"]
        assert json.loads(policy["Policy"])["Statement"][0]["Sid"] == f"q{qualifier}"
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_resource_policy(ResourceArn=function_arn(name))
    assert_error(error, "ResourceNotFoundException", NO_POLICY, 404)
    # $LATEST reads as the unqualified function (as GetPolicy does) but takes no policy
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_resource_policy(ResourceArn=function_arn(name, "$LATEST"))
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.put_resource_policy(
            ResourceArn=function_arn(name, "$LATEST"),
            Policy=json.dumps(_document(function_arn(name))),
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "We currently do not support adding policies for $LATEST.",
        400,
    )
    # the alias's policy goes with the alias
    lambda_client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_resource_policy(ResourceArn=function_arn(name, "live"))
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, 'live')}"
    )


def test_revision_ids(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    arn = function_arn(name)
    first = lambda_client.put_resource_policy(ResourceArn=arn, Policy=json.dumps(_document(arn)))
    second = lambda_client.put_resource_policy(
        ResourceArn=arn, Policy=json.dumps(_document(arn, "b")), RevisionId=first["RevisionId"]
    )
    assert second["RevisionId"] != first["RevisionId"]
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.put_resource_policy(
            ResourceArn=arn, Policy=json.dumps(_document(arn, "c")), RevisionId=first["RevisionId"]
        )
    assert_error(error, "PreconditionFailedException", STALE, 412)
    with pytest.raises(lambda_client.exceptions.PreconditionFailedException) as error:
        lambda_client.delete_resource_policy(ResourceArn=arn, RevisionId=first["RevisionId"])
    assert_error(error, "PreconditionFailedException", STALE, 412)
    # nothing changed by the refusals
    got = lambda_client.get_resource_policy(ResourceArn=arn)
    assert got["RevisionId"] == second["RevisionId"]
    assert json.loads(got["Policy"])["Statement"][0]["Sid"] == "b"
    lambda_client.delete_resource_policy(ResourceArn=arn, RevisionId=second["RevisionId"])
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_resource_policy(ResourceArn=arn)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{not json", "The policy is not a valid JSON document."),
        ("[1]", "The policy must be a JSON object."),
        ('{"Version": "2012-10-17"}', "The policy must contain at least one statement."),
        ('{"Statement": []}', "The policy must contain at least one statement."),
        ('{"Statement": ["x"]}', "Each statement of the policy must be a JSON object."),
    ],
)
def test_bad_documents(lambda_client: Any, policy: str, message: str) -> None:
    name = create_function(lambda_client, SOURCE)
    arn = function_arn(name)
    lambda_client.put_resource_policy(ResourceArn=arn, Policy=json.dumps(_document(arn)))
    before = lambda_client.get_resource_policy(ResourceArn=arn)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.put_resource_policy(ResourceArn=arn, Policy=policy)
    assert_error(error, "InvalidParameterValueException", message, 400)
    after = lambda_client.get_resource_policy(ResourceArn=arn)
    assert (after["Policy"], after["RevisionId"]) == (before["Policy"], before["RevisionId"])


def test_a_lone_statement_object_is_a_list_of_one(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    arn = function_arn(name)
    statement = _document(arn)["Statement"][0]
    put = lambda_client.put_resource_policy(
        ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": statement})
    )
    assert json.loads(put["Policy"])["Statement"] == [statement]


def test_bad_resources(lambda_client: Any, raw_client: Any) -> None:
    missing = function_arn("no-such-function-rp")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.put_resource_policy(
            ResourceArn=missing, Policy=json.dumps(_document(missing))
        )
    assert_error(error, "ResourceNotFoundException", f"Function not found: {missing}", 404)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_resource_policy(ResourceArn=missing)
    assert_error(error, "ResourceNotFoundException", f"Function not found: {missing}", 404)
    name = create_function(lambda_client, SOURCE)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_resource_policy(ResourceArn=function_arn(name, "7"))
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, '7')}"
    )
    published = function_arn(name, "$LATEST.PUBLISHED")  # the model admits it; Stratus makes none
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.put_resource_policy(
            ResourceArn=published, Policy=json.dumps(_document(published))
        )
    assert_error(error, "ResourceNotFoundException", f"Function not found: {published}", 404)
    # not a function ARN: the model's pattern refuses it before Stratus looks
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.get_resource_policy(ResourceArn="arn:aws:lambda:us-east-1:000000000000:layer:x")
    assert error.value.response["Error"]["Code"] == "ValidationException"
    runtime = "arn:aws:lambda:us-east-1:000000000000:runtime/python3.12"
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.get_resource_policy(ResourceArn=runtime)
    assert_error(
        error,
        "InvalidParameterValueException",
        "Stratus supports resource policies for functions only.",
        400,
    )


def test_resource_policies_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
    second: ServerProcess | None = None
    try:
        client = first.client("lambda")
        name = create_function(client, SOURCE)
        client.publish_version(FunctionName=name)
        arn, version_arn = function_arn(name), function_arn(name, "1")
        client.put_resource_policy(ResourceArn=arn, Policy=json.dumps(_document(arn)))
        client.put_resource_policy(
            ResourceArn=version_arn, Policy=json.dumps(_document(version_arn, "v1"))
        )
        before = [client.get_resource_policy(ResourceArn=a) for a in (arn, version_arn)]
        first.kill()
        second = ServerProcess(data_dir).start()
        client = second.client("lambda")
        after = [client.get_resource_policy(ResourceArn=a) for a in (arn, version_arn)]
        for old, new in zip(before, after, strict=True):
            assert (new["Policy"], new["RevisionId"]) == (old["Policy"], old["RevisionId"])
    finally:
        if second is not None:
            second.stop()
        first.stop()
