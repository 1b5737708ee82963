"""Platform applications: CreatePlatformApplication and its siblings, driven by boto3.

Credentials: GCM needs a PlatformCredential, every other platform a PlatformPrincipal
with a PlatformCredential; they are never answered back.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, own_account
from tests.conftest import ServerProcess

CREDENTIALS = {
    "GCM": {"PlatformCredential": "gcm-api-key"},
    "APNS": {"PlatformPrincipal": "-----BEGIN CERTIFICATE-----", "PlatformCredential": "key"},
    "APNS_SANDBOX": {"PlatformPrincipal": "certificate", "PlatformCredential": "key"},
    "ADM": {"PlatformPrincipal": "client-id", "PlatformCredential": "client-secret"},
    "BAIDU": {"PlatformPrincipal": "api-key", "PlatformCredential": "secret-key"},
    "MPNS": {"PlatformPrincipal": "certificate", "PlatformCredential": "key"},
    "WNS": {"PlatformPrincipal": "package-sid", "PlatformCredential": "secret"},
}


@pytest.fixture
def account(server: ServerProcess) -> tuple[Any, str]:
    return own_account(server)


@pytest.mark.parametrize("platform", sorted(CREDENTIALS))
def test_create_each_platform(account: tuple[Any, str], platform: str) -> None:
    sns, account_id = account
    arn = sns.create_platform_application(
        Name="my-app.v1", Platform=platform, Attributes=CREDENTIALS[platform]
    )["PlatformApplicationArn"]
    assert arn == f"arn:aws:sns:us-east-1:{account_id}:app/{platform}/my-app.v1"
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {"Enabled": "true"}  # the credentials are never answered


def test_lifecycle(account: tuple[Any, str]) -> None:
    sns, _ = account
    arn = sns.create_platform_application(
        Name="shop",
        Platform="GCM",
        Attributes={"PlatformCredential": "key", "SuccessFeedbackSampleRate": "100"},
    )["PlatformApplicationArn"]
    sns.set_platform_application_attributes(
        PlatformApplicationArn=arn,
        Attributes={"Enabled": "false", "EventEndpointCreated": "arn:aws:sns:us-east-1:1:t"},
    )
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {
        "Enabled": "false",
        "SuccessFeedbackSampleRate": "100",
        "EventEndpointCreated": "arn:aws:sns:us-east-1:1:t",
    }
    listed = sns.list_platform_applications()["PlatformApplications"]
    assert listed == [{"PlatformApplicationArn": arn, "Attributes": attributes}]
    sns.delete_platform_application(PlatformApplicationArn=arn)
    assert sns.list_platform_applications()["PlatformApplications"] == []
    assert aws_error(
        lambda: sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    ) == ("NotFound", "PlatformApplication does not exist", 404)
    sns.delete_platform_application(PlatformApplicationArn=arn)  # again: no error, as on AWS


def test_apns_token_authentication_shows_its_method(account: tuple[Any, str]) -> None:
    sns, _ = account
    arn = sns.create_platform_application(
        Name="ios",
        Platform="APNS",
        Attributes={
            "PlatformPrincipal": "KEYID12345",
            "PlatformCredential": "-----BEGIN PRIVATE KEY-----",
            "ApplePlatformTeamID": "TEAM123456",
            "ApplePlatformBundleID": "com.example.app",
        },
    )["PlatformApplicationArn"]
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {
        "Enabled": "true",
        "ApplePlatformTeamID": "TEAM123456",
        "ApplePlatformBundleID": "com.example.app",
        "AuthenticationMethod": "Token",
    }


def test_list_pages_by_100(account: tuple[Any, str]) -> None:
    sns, _ = account
    made = {
        sns.create_platform_application(
            Name=f"app-{i:03d}", Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
        for i in range(101)
    }
    first = sns.list_platform_applications()
    assert len(first["PlatformApplications"]) == 100
    second = sns.list_platform_applications(NextToken=first["NextToken"])
    assert len(second["PlatformApplications"]) == 1
    assert "NextToken" not in second
    listed = first["PlatformApplications"] + second["PlatformApplications"]
    assert {a["PlatformApplicationArn"] for a in listed} == made
    assert aws_error(lambda: sns.list_platform_applications(NextToken="garbage!")) == (
        "InvalidParameter",
        "Invalid parameter: NextToken",
        400,
    )


def test_recreating_updates_the_application(account: tuple[Any, str]) -> None:
    sns, _ = account
    first = sns.create_platform_application(
        Name="again", Platform="GCM", Attributes={"PlatformCredential": "one"}
    )["PlatformApplicationArn"]
    second = sns.create_platform_application(
        Name="again",
        Platform="GCM",
        Attributes={"PlatformCredential": "two", "SuccessFeedbackSampleRate": "5"},
    )["PlatformApplicationArn"]
    assert first == second
    assert len(sns.list_platform_applications()["PlatformApplications"]) == 1


REASON = "Invalid parameter: Attributes Reason: "


@pytest.mark.parametrize(
    ("name", "platform", "attributes", "message"),
    [
        ("a", "FCM", {"PlatformCredential": "k"}, "Invalid parameter: Platform Reason: FCM is not supported"),
        ("a", "GCM", {"PlatformPrincipal": "p"}, f"{REASON}PlatformPrincipal attribute provided without PlatformCredential"),
        ("a", "GCM", {"SuccessFeedbackSampleRate": "5"}, f"{REASON}PlatformCredential attribute required"),
        ("a", "APNS", {"PlatformCredential": "k"}, f"{REASON}PlatformCredential attribute provided without PlatformPrincipal"),
        ("a", "ADM", {"PlatformPrincipal": "id"}, f"{REASON}PlatformPrincipal attribute provided without PlatformCredential"),
        ("a", "GCM", {"PlatformCredential": "k", "Colour": "blue"}, f"{REASON}Invalid attribute name: Colour"),
        ("a", "GCM", {"PlatformCredential": "  "}, f"{REASON}Platform credentials are invalid"),
        ("a", "GCM", {"PlatformCredential": "k", "Enabled": "yes"}, f"{REASON}Invalid value for attribute: Enabled: must be 'true' or 'false'"),
        ("bad name", "GCM", {"PlatformCredential": "k"}, "Invalid parameter: bad name Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"),
        ("x" * 257, "GCM", {"PlatformCredential": "k"}, f"Invalid parameter: {'x' * 257} Reason: must be at most 256 characters long"),
    ],
    ids=[
        "unsupported-platform",
        "principal-without-credential",
        "gcm-without-credential",
        "apns-credential-without-principal",
        "adm-principal-without-credential",
        "unknown-attribute",
        "empty-credential",
        "enabled-not-boolean",
        "bad-name",
        "long-name",
    ],
)  # fmt: skip
def test_create_refusals(
    account: tuple[Any, str], name: str, platform: str, attributes: dict[str, str], message: str
) -> None:
    sns, _ = account
    assert aws_error(
        lambda: sns.create_platform_application(Name=name, Platform=platform, Attributes=attributes)
    ) == ("InvalidParameter", message, 400)
    assert sns.list_platform_applications()["PlatformApplications"] == []


def test_set_refusals_keep_the_attributes(account: tuple[Any, str]) -> None:
    sns, account_id = account
    arn = sns.create_platform_application(
        Name="kept", Platform="GCM", Attributes={"PlatformCredential": "k"}
    )["PlatformApplicationArn"]
    assert aws_error(
        lambda: sns.set_platform_application_attributes(
            PlatformApplicationArn=arn, Attributes={"Enabled": "false", "Colour": "blue"}
        )
    ) == ("InvalidParameter", f"{REASON}Invalid attribute name: Colour", 400)
    assert aws_error(
        lambda: sns.set_platform_application_attributes(
            PlatformApplicationArn=arn, Attributes={"Enabled": "off"}
        )
    ) == (
        "InvalidParameter",
        f"{REASON}Invalid value for attribute: Enabled: must be 'true' or 'false'",
        400,
    )
    attributes = sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]
    assert attributes == {"Enabled": "true"}
    missing = f"arn:aws:sns:us-east-1:{account_id}:app/GCM/missing"
    assert aws_error(
        lambda: sns.set_platform_application_attributes(
            PlatformApplicationArn=missing, Attributes={"Enabled": "false"}
        )
    ) == ("NotFound", "PlatformApplication does not exist", 404)


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("nonsense", "Invalid parameter: PlatformApplicationArn Reason: An ARN must have at least 6 elements, not 1"),
        ("arn:aws:sns:us-east-1:000000000000:app/GCM", "Invalid parameter: PlatformApplicationArn Reason: Wrong number of slashes in relative portion of the ARN."),
    ],
    ids=["not-an-arn", "slashes"],
)  # fmt: skip
def test_malformed_arns(account: tuple[Any, str], arn: str, message: str) -> None:
    sns, _ = account
    assert aws_error(
        lambda: sns.get_platform_application_attributes(PlatformApplicationArn=arn)
    ) == ("InvalidParameter", message, 400)
    assert aws_error(lambda: sns.delete_platform_application(PlatformApplicationArn=arn)) == (
        "InvalidParameter",
        message,
        400,
    )


def test_another_accounts_application_is_not_found(
    server: ServerProcess, account: tuple[Any, str]
) -> None:
    sns, _ = account
    arn = sns.create_platform_application(
        Name="mine", Platform="GCM", Attributes={"PlatformCredential": "k"}
    )["PlatformApplicationArn"]
    other, _ = own_account(server)
    assert aws_error(
        lambda: other.get_platform_application_attributes(PlatformApplicationArn=arn)
    ) == ("NotFound", "PlatformApplication does not exist", 404)
    other.delete_platform_application(PlatformApplicationArn=arn)
    assert sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]


def test_attributes_are_required(account: tuple[Any, str]) -> None:
    sns, _ = account
    assert aws_error(
        lambda: sns.create_platform_application(Name="a", Platform="GCM", Attributes={})
    ) == (
        "ValidationError",
        "1 validation error detected: Value null at 'attributes' failed to satisfy constraint: "
        "Member must not be null",
        400,
    )
