"""KMS keys and data protection policies of log groups through boto3: associated,
shown by DescribeLogGroups, removed, with AWS's errors for each bad input."""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

ACCOUNT = "000000000000"
KEY = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROTECTION = json.dumps(
    {
        "Name": "data-protection-policy",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit-policy",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "redact-policy",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
)


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


@pytest.fixture
def group(logs: Any) -> str:
    name = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=name)
    return name


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _shown(logs: Any, name: str) -> dict[str, Any]:
    groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    return next(g for g in groups if g["logGroupName"] == name)


# -- KMS keys ------------------------------------------------------------------------------
def test_associate_and_disassociate_a_key(logs: Any, group: str) -> None:
    assert "kmsKeyId" not in _shown(logs, group)
    logs.associate_kms_key(logGroupName=group, kmsKeyId=KEY)
    assert _shown(logs, group)["kmsKeyId"] == KEY
    logs.disassociate_kms_key(logGroupName=group)
    assert "kmsKeyId" not in _shown(logs, group)


def test_a_group_arn_as_resource_identifier(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    logs.associate_kms_key(resourceIdentifier=arn, kmsKeyId=KEY)
    assert _shown(logs, group)["kmsKeyId"] == KEY
    logs.disassociate_kms_key(resourceIdentifier=arn)
    assert "kmsKeyId" not in _shown(logs, group)


@pytest.mark.parametrize(
    "key",
    [
        "1234abcd-12ab-34cd-56ef-1234567890ab",
        "alias/mine",
        "arn:aws:kms:eu-west-1:000000000000:key/1234abcd",
        "arn:aws:kms:us-east-1:000000000000:alias/mine",
    ],
    ids=["key-id", "alias", "other-region", "alias-arn"],
)
def test_a_key_not_named_by_its_arn_in_the_region_is_refused(
    logs: Any, group: str, key: str
) -> None:
    logs.associate_kms_key(logGroupName=group, kmsKeyId=KEY)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.associate_kms_key(logGroupName=group, kmsKeyId=key)
    assert _error(info) == (
        "InvalidParameterException",
        f"The specified KMS Key Id could not be found. '{group}'",
    )
    assert _shown(logs, group)["kmsKeyId"] == KEY
    name = f"/app/{unique_name()}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.create_log_group(logGroupName=name, kmsKeyId=key)
    assert _error(info)[0] == "InvalidParameterException"
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] == []


def test_key_calls_on_a_missing_group_or_with_both_names_are_refused(logs: Any, group: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.associate_kms_key(logGroupName="/nowhere", kmsKeyId=KEY)
    assert _error(info) == ("ResourceNotFoundException", "The specified log group does not exist.")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.disassociate_kms_key(logGroupName="/nowhere")
    assert _error(info)[0] == "ResourceNotFoundException"
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.associate_kms_key(logGroupName=group, resourceIdentifier=arn, kmsKeyId=KEY)
    assert _error(info) == (
        "InvalidParameterException",
        "logGroupName and resourceIdentifier are mutually exclusive parameters.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.disassociate_kms_key()
    assert _error(info) == (
        "InvalidParameterException",
        "Either logGroupName or resourceIdentifier must be provided.",
    )


# -- data protection -----------------------------------------------------------------------
def test_put_get_and_delete_a_data_protection_policy(logs: Any, group: str) -> None:
    assert "dataProtectionStatus" not in _shown(logs, group)
    before = int(time.time() * 1000)
    put = logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=PROTECTION)
    assert put["logGroupIdentifier"] == group and put["policyDocument"] == PROTECTION
    assert before <= put["lastUpdatedTime"] <= int(time.time() * 1000)
    got = logs.get_data_protection_policy(logGroupIdentifier=group)
    assert (got["policyDocument"], got["lastUpdatedTime"]) == (PROTECTION, put["lastUpdatedTime"])
    assert _shown(logs, group)["dataProtectionStatus"] == "ACTIVATED"

    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"
    by_arn = logs.get_data_protection_policy(logGroupIdentifier=arn)
    assert by_arn["logGroupIdentifier"] == arn and by_arn["policyDocument"] == PROTECTION

    logs.delete_data_protection_policy(logGroupIdentifier=group)
    got = logs.get_data_protection_policy(logGroupIdentifier=group)
    assert "policyDocument" not in got and got["logGroupIdentifier"] == group
    assert "dataProtectionStatus" not in _shown(logs, group)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_data_protection_policy(logGroupIdentifier=group)
    assert _error(info) == (
        "ResourceNotFoundException",
        "No data protection policy is associated with the specified log group.",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "Data protection policy document is not a valid JSON document."),
        (
            json.dumps({"Name": "p", "Statement": []}),
            "Data protection policy document must contain a non-empty Statement list.",
        ),
    ],
    ids=["not-json", "no-statements"],
)
def test_bad_protection_documents_are_refused_and_the_old_one_kept(
    logs: Any, group: str, document: str, message: str
) -> None:
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=PROTECTION)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=document)
    assert _error(info) == ("InvalidParameterException", message)
    got = logs.get_data_protection_policy(logGroupIdentifier=group)
    assert got["policyDocument"] == PROTECTION


def test_protection_calls_on_a_missing_group_are_refused(logs: Any) -> None:
    for call in (
        lambda: logs.put_data_protection_policy(
            logGroupIdentifier="/nowhere", policyDocument=PROTECTION
        ),
        lambda: logs.get_data_protection_policy(logGroupIdentifier="/nowhere"),
        lambda: logs.delete_data_protection_policy(logGroupIdentifier="/nowhere"),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        assert _error(info) == (
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        )


def test_a_deleted_group_takes_its_policy_with_it(logs: Any, group: str) -> None:
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=PROTECTION)
    logs.delete_log_group(logGroupName=group)
    logs.create_log_group(logGroupName=group)
    assert "policyDocument" not in logs.get_data_protection_policy(logGroupIdentifier=group)
    assert "dataProtectionStatus" not in _shown(logs, group)
