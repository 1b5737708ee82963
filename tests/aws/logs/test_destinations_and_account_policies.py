"""Log destinations and account-level policies through boto3: stored and shown as AWS
shows them, AWS's limits and errors, kept across a restart; a subscription filter may
name a destination."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name

ACCOUNT = "000000000000"
TARGET = "arn:aws:kinesis:us-east-1:000000000000:stream/central"
ROLE = "arn:aws:iam::000000000000:role/CWLtoKinesisRole"
ACCESS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "logs:PutSubscriptionFilter",
                "Resource": "*",
            }
        ],
    }
)
PROTECTION = json.dumps(
    {
        "Name": "account-protection",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "redact",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
)


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _account_client(server: ServerProcess) -> Any:
    """A client of an account of its own: account-wide lists and limits are its alone."""
    return server.client("logs", access_key=str(uuid.uuid4().int)[-12:].rjust(12, "1"))


# -- destinations ----------------------------------------------------------------------------
def test_destinations_put_described_updated_and_deleted(server: ServerProcess) -> None:
    logs = _account_client(server)
    made = logs.put_destination(destinationName="central", targetArn=TARGET, roleArn=ROLE)
    destination = made["destination"]
    owner = destination["arn"].split(":")[4]
    assert destination == {
        "destinationName": "central",
        "targetArn": TARGET,
        "roleArn": ROLE,
        "arn": f"arn:aws:logs:us-east-1:{owner}:destination:central",
        "creationTime": destination["creationTime"],
    }
    logs.put_destination_policy(destinationName="central", accessPolicy=ACCESS)
    other = TARGET.replace("central", "other")
    updated = logs.put_destination(destinationName="central", targetArn=other, roleArn=ROLE)
    assert updated["destination"]["targetArn"] == other
    assert updated["destination"]["accessPolicy"] == ACCESS  # the policy stays
    assert updated["destination"]["creationTime"] == destination["creationTime"]
    logs.put_destination(destinationName="audit", targetArn=TARGET, roleArn=ROLE)
    names = [d["destinationName"] for d in logs.describe_destinations()["destinations"]]
    assert names == ["audit", "central"]
    prefixed = logs.describe_destinations(DestinationNamePrefix="cen")["destinations"]
    assert [d["destinationName"] for d in prefixed] == ["central"]
    first = logs.describe_destinations(limit=1)
    assert [d["destinationName"] for d in first["destinations"]] == ["audit"]
    rest = logs.describe_destinations(limit=1, nextToken=first["nextToken"])
    assert [d["destinationName"] for d in rest["destinations"]] == ["central"]
    assert "nextToken" not in rest
    logs.delete_destination(destinationName="audit")
    names = [d["destinationName"] for d in logs.describe_destinations()["destinations"]]
    assert names == ["central"]


def test_destination_errors(server: ServerProcess) -> None:
    logs = _account_client(server)
    for call, params in (
        (logs.delete_destination, {"destinationName": "nope"}),
        (logs.put_destination_policy, {"destinationName": "nope", "accessPolicy": ACCESS}),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call(**params)
        assert _error(info) == (
            "ResourceNotFoundException",
            "The specified destination does not exist.",
        )
    logs.put_destination(destinationName="d", targetArn=TARGET, roleArn=ROLE)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_destination_policy(destinationName="d", accessPolicy="{not json")
    assert _error(info) == (
        "InvalidParameterException",
        "Access policy is not a valid JSON document.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_destination(destinationName="a:b", targetArn=TARGET, roleArn=ROLE)
    assert _error(info)[0] == "InvalidParameterException"
    assert _error(info)[1].startswith("1 validation error detected: Value 'a:b' at")
    described = logs.describe_destinations()["destinations"]
    assert [d.get("accessPolicy") for d in described] == [None]  # nothing half-stored


def test_a_subscription_filter_may_name_a_destination(server: ServerProcess) -> None:
    logs = _account_client(server)
    made = logs.put_destination(destinationName="sink", targetArn=TARGET, roleArn=ROLE)
    arn = made["destination"]["arn"]
    group = f"/app/{unique_name()}"
    logs.create_log_group(logGroupName=group)
    logs.put_subscription_filter(
        logGroupName=group, filterName="all", filterPattern="", destinationArn=arn
    )
    found = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [f["destinationArn"] for f in found] == [arn]
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": found[0]["creationTime"], "message": "kept"}],
    )
    assert [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]] == ["kept"]
    missing = arn.replace(":destination:sink", ":destination:none")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_subscription_filter(
            logGroupName=group, filterName="x", filterPattern="", destinationArn=missing
        )
    assert _error(info) == (
        "InvalidParameterException",
        f"The specified destination {missing} does not exist.",
    )


# -- account policies ----------------------------------------------------------------------
def test_account_policies_put_described_replaced_and_deleted(server: ServerProcess) -> None:
    logs = _account_client(server)
    made = logs.put_account_policy(
        policyName="protect", policyDocument=PROTECTION, policyType="DATA_PROTECTION_POLICY"
    )["accountPolicy"]
    owner = made["accountId"]
    assert made == {
        "policyName": "protect",
        "policyDocument": PROTECTION,
        "lastUpdatedTime": made["lastUpdatedTime"],
        "policyType": "DATA_PROTECTION_POLICY",
        "scope": "ALL",
        "accountId": owner,
    }
    subscription = json.dumps(
        {"DestinationArn": "arn:aws:lambda:us-east-1:000000000000:function:f", "FilterPattern": ""}
    )
    logs.put_account_policy(
        policyName="feed",
        policyDocument=subscription,
        policyType="SUBSCRIPTION_FILTER_POLICY",
        selectionCriteria='LogGroupName NOT IN ["/aws/lambda/f"]',
        scope="ALL",
    )
    shown = logs.describe_account_policies(policyType="SUBSCRIPTION_FILTER_POLICY")
    assert [(p["policyName"], p["selectionCriteria"]) for p in shown["accountPolicies"]] == [
        ("feed", 'LogGroupName NOT IN ["/aws/lambda/f"]')
    ]
    protection = logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY")
    assert [p["policyName"] for p in protection["accountPolicies"]] == ["protect"]
    assert (
        logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY", policyName="other")[
            "accountPolicies"
        ]
        == []
    )
    assert (
        logs.describe_account_policies(
            policyType="DATA_PROTECTION_POLICY", accountIdentifiers=["999999999999"]
        )["accountPolicies"]
        == []
    )
    # The one data protection policy is replaced by name.
    logs.put_account_policy(
        policyName="protect", policyDocument=PROTECTION, policyType="DATA_PROTECTION_POLICY"
    )
    logs.delete_account_policy(policyName="protect", policyType="DATA_PROTECTION_POLICY")
    assert (
        logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY")["accountPolicies"] == []
    )
    for n in range(20):
        logs.put_account_policy(
            policyName=f"index-{n:02d}",
            policyDocument=json.dumps({"Fields": ["requestId"]}),
            policyType="FIELD_INDEX_POLICY",
            selectionCriteria=f'LogGroupNamePrefix IN ["/app/{n:02d}"]',
        )
    listed = logs.describe_account_policies(policyType="FIELD_INDEX_POLICY")["accountPolicies"]
    assert [p["policyName"] for p in listed] == [f"index-{n:02d}" for n in range(20)]


def test_account_policy_limits_and_errors(server: ServerProcess) -> None:
    logs = _account_client(server)
    logs.put_account_policy(
        policyName="protect", policyDocument=PROTECTION, policyType="DATA_PROTECTION_POLICY"
    )
    bad: list[tuple[dict[str, Any], str, str]] = [
        (
            {"policyName": "second", "policyDocument": PROTECTION,
             "policyType": "DATA_PROTECTION_POLICY"},
            "LimitExceededException",
            "Resource limit exceeded.",
        ),
        (
            {"policyName": "p", "policyDocument": "not json",
             "policyType": "TRANSFORMER_POLICY"},
            "InvalidParameterException",
            "Policy document is not a valid JSON document.",
        ),
        (
            {"policyName": "p", "policyDocument": PROTECTION,
             "policyType": "DATA_PROTECTION_POLICY", "selectionCriteria": "x"},
            "InvalidParameterException",
            "selectionCriteria is not supported for policyType DATA_PROTECTION_POLICY.",
        ),
        (
            {"policyName": "p", "policyDocument": json.dumps({"DestinationArn": "a"}),
             "policyType": "SUBSCRIPTION_FILTER_POLICY",
             "selectionCriteria": 'LogGroupNamePrefix IN ["/x"]'},
            "InvalidParameterException",
            "Invalid selectionCriteria for policyType SUBSCRIPTION_FILTER_POLICY: "
            'LogGroupNamePrefix IN ["/x"]',
        ),
        (
            {"policyName": "p", "policyDocument": json.dumps({"FilterPattern": ""}),
             "policyType": "SUBSCRIPTION_FILTER_POLICY"},
            "InvalidParameterException",
            "Subscription filter policy must contain a DestinationArn.",
        ),
        (
            {"policyName": "p", "policyDocument": json.dumps({"retentionInDays": 7}),
             "policyType": "RETENTION_POLICY"},
            "InvalidParameterException",
            "retentionInDays must be NEVER_EXPIRE or one of 30, 60, 90, 120, 150, 180, 365, "
            "400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
        ),
        (
            {"policyName": "p", "policyDocument": json.dumps({"Fields": ["a"]}),
             "policyType": "FIELD_INDEX_POLICY", "dryRun": True},
            "InvalidParameterException",
            "dryRun is only supported for RETENTION_POLICY.",
        ),
    ]  # fmt: skip
    for params, code, message in bad:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.put_account_policy(**params)
        assert _error(info) == (code, message), params
    # A dry run checks and stores nothing.
    logs.put_account_policy(
        policyName="keep",
        policyDocument=json.dumps({"retentionInDays": 90, "enforcementMode": "NEW_ONLY"}),
        policyType="RETENTION_POLICY",
        dryRun=True,
    )
    assert logs.describe_account_policies(policyType="RETENTION_POLICY")["accountPolicies"] == []
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.delete_account_policy(policyName="nope", policyType="TRANSFORMER_POLICY")
    assert _error(info) == ("ResourceNotFoundException", "Policy with name [nope] does not exist")
    for n in range(5):
        logs.put_account_policy(
            policyName=f"emf-{n}",
            policyDocument=json.dumps({"disableEmf": True}),
            policyType="METRIC_EXTRACTION_POLICY",
            selectionCriteria=f'LogGroupName IN ["/g/{n}"]',
        )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_account_policy(
            policyName="emf-5",
            policyDocument=json.dumps({"disableEmf": True}),
            policyType="METRIC_EXTRACTION_POLICY",
        )
    assert _error(info) == ("LimitExceededException", "Resource limit exceeded.")
    stored = logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY")
    assert [p["policyName"] for p in stored["accountPolicies"]] == ["protect"]


def test_destinations_and_account_policies_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        logs = server.client("logs")
        logs.put_destination(destinationName="kept", targetArn=TARGET, roleArn=ROLE)
        logs.put_destination_policy(destinationName="kept", accessPolicy=ACCESS)
        logs.put_destination(destinationName="gone", targetArn=TARGET, roleArn=ROLE)
        logs.delete_destination(destinationName="gone")
        logs.put_account_policy(
            policyName="protect", policyDocument=PROTECTION, policyType="DATA_PROTECTION_POLICY"
        )
        server.kill()
        server.start()
        logs = server.client("logs")
        destinations = logs.describe_destinations()["destinations"]
        assert [(d["destinationName"], d["accessPolicy"]) for d in destinations] == [
            ("kept", ACCESS)
        ]
        policies = logs.describe_account_policies(policyType="DATA_PROTECTION_POLICY")
        assert [p["policyDocument"] for p in policies["accountPolicies"]] == [PROTECTION]
    finally:
        server.stop()
