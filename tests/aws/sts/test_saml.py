"""AssumeRoleWithSAML through boto3: a base64 SAML response from a stored SAML provider
buys credentials acting as the role's account.

Error messages are those of AWS's "Troubleshooting SAML 2.0 federation" page where it
gives one; the rest are listed in docs/identity.md as not recorded from AWS.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.aws.iam.conftest import assert_error, new_account
from tests.aws.iam.test_sign_in import metadata
from tests.aws.sts.test_sts import role_arn, session_client

ENTITY = "https://idp.example.com/saml"
ATTR = "https://aws.amazon.com/SAML/Attributes/"


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_response(
    role: str,
    provider: str,
    *,
    issuer: str = ENTITY,
    session_name: str | None = "alice@example.com",
    expires: timedelta = timedelta(minutes=5),
    name_id: str = "alice",
    source_identity: str | None = None,
) -> str:
    attributes = [
        f'<saml:Attribute Name="{ATTR}Role"><saml:AttributeValue>{role},{provider}</saml:AttributeValue></saml:Attribute>'
    ]
    if session_name is not None:
        attributes.append(
            f'<saml:Attribute Name="{ATTR}RoleSessionName">'
            f"<saml:AttributeValue>{session_name}</saml:AttributeValue></saml:Attribute>"
        )
    if source_identity is not None:
        attributes.append(
            f'<saml:Attribute Name="{ATTR}SourceIdentity">'
            f"<saml:AttributeValue>{source_identity}</saml:AttributeValue></saml:Attribute>"
        )
    document = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" '
        f'IssueInstant="{stamp(timedelta())}" Destination="https://signin.aws.amazon.com/saml">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
        "</samlp:Status>"
        f'<saml:Assertion ID="_a1" Version="2.0" IssueInstant="{stamp(timedelta())}">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        "<saml:Subject>"
        '<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
        f"{name_id}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        '<saml:SubjectConfirmationData Recipient="https://signin.aws.amazon.com/saml" '
        f'NotOnOrAfter="{stamp(expires)}"/></saml:SubjectConfirmation></saml:Subject>'
        f'<saml:Conditions NotBefore="{stamp(timedelta(minutes=-1))}" '
        f'NotOnOrAfter="{stamp(expires)}"><saml:AudienceRestriction>'
        "<saml:Audience>urn:amazon:webservices</saml:Audience>"
        "</saml:AudienceRestriction></saml:Conditions>"
        f"<saml:AttributeStatement>{''.join(attributes)}</saml:AttributeStatement>"
        "</saml:Assertion></samlp:Response>"
    )
    return base64.b64encode(document.encode()).decode()


@pytest.fixture
def provider(iam: Any) -> str:
    return str(
        iam.create_saml_provider(Name="corp", SAMLMetadataDocument=metadata(ENTITY))[
            "SAMLProviderArn"
        ]
    )


def test_assume_role_with_saml(
    iam: Any, sts: Any, account: str, provider: str, make_client: Callable[..., Any]
) -> None:
    role = role_arn(iam, "federated")
    role_id = iam.get_role(RoleName="federated")["Role"]["RoleId"]
    before = datetime.now(UTC)
    answer = sts.assume_role_with_saml(
        RoleArn=role,
        PrincipalArn=provider,
        SAMLAssertion=saml_response(role, provider, source_identity="alice-src"),
        DurationSeconds=1800,
    )
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert (
        abs((credentials["Expiration"] - (before + timedelta(seconds=1800))).total_seconds()) < 60
    )
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role_id}:alice@example.com",
        "Arn": f"arn:aws:sts::{account}:assumed-role/federated/alice@example.com",
    }
    assert answer["Subject"] == "alice"
    assert answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == ENTITY
    assert answer["Audience"] == "https://signin.aws.amazon.com/saml"
    assert answer["SourceIdentity"] == "alice-src"
    expected = base64.b64encode(hashlib.sha1(f"{ENTITY}{account}/corp".encode()).digest()).decode()
    assert answer["NameQualifier"] == expected
    # the credentials act as the role in the role's account
    identity = session_client(make_client, "sts", credentials).get_caller_identity()
    assert identity["Account"] == account
    assert identity["Arn"] == f"arn:aws:sts::{account}:assumed-role/federated/alice@example.com"


def test_unsigned_callers_of_another_account_may_call(
    iam: Any, provider: str, make_client: Callable[..., Any]
) -> None:
    """AssumeRoleWithSAML needs no AWS credentials: the role's account is the ARN's."""
    role = role_arn(iam, "federated")
    stranger = make_client("sts", new_account())
    answer = stranger.assume_role_with_saml(
        RoleArn=role, PrincipalArn=provider, SAMLAssertion=saml_response(role, provider)
    )
    assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{role.split(':')[4]}:")


def test_provider_must_exist(iam: Any, sts: Any, account: str) -> None:
    role = role_arn(iam, "federated")
    missing = f"arn:aws:iam::{account}:saml-provider/none"
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role, PrincipalArn=missing, SAMLAssertion=saml_response(role, missing)
        ),
        "InvalidIdentityToken",
        "Specified provider doesn't exist",
        400,
    )


@pytest.mark.parametrize(
    "assertion",
    [
        "bm90IHhtbA==",  # "not xml"
        "!!!not base64!!!",
        base64.b64encode(b"<Response/>").decode(),  # no samlp:Response
        base64.b64encode(
            b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
        ).decode(),  # no assertion
    ],
)
def test_malformed_assertion(iam: Any, sts: Any, provider: str, assertion: str) -> None:
    role = role_arn(iam, "federated")
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion
        ),
        "InvalidIdentityToken",
        "Invalid SAML response",
        400,
    )


def test_expired_assertion(iam: Any, sts: Any, provider: str) -> None:
    role = role_arn(iam, "federated")
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role,
            PrincipalArn=provider,
            SAMLAssertion=saml_response(role, provider, expires=timedelta(minutes=-1)),
        ),
        "ExpiredTokenException",
        "Token must be redeemed within 5 minutes of issuance",
        400,
    )


def test_issuer_must_be_the_providers(iam: Any, sts: Any, provider: str) -> None:
    role = role_arn(iam, "federated")
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role,
            PrincipalArn=provider,
            SAMLAssertion=saml_response(role, provider, issuer="https://evil.example.com"),
        ),
        "InvalidIdentityToken",
        "Failed to assume role: Issuer not present in specified provider",
        400,
    )


def test_session_name_attribute(iam: Any, sts: Any, provider: str) -> None:
    role = role_arn(iam, "federated")
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role,
            PrincipalArn=provider,
            SAMLAssertion=saml_response(role, provider, session_name=None),
        ),
        "InvalidIdentityToken",
        "RoleSessionName is required in AuthnResponse",
        400,
    )
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role,
            PrincipalArn=provider,
            SAMLAssertion=saml_response(role, provider, session_name="bad name!"),
        ),
        "InvalidIdentityToken",
        "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
        400,
    )


def test_role_must_exist_and_be_in_the_assertion(
    iam: Any, sts: Any, account: str, provider: str
) -> None:
    role = role_arn(iam, "federated")
    other = role_arn(iam, "other")
    missing = f"arn:aws:iam::{account}:role/missing"
    for requested, in_assertion in ((missing, missing), (other, role)):
        assert_error(
            lambda requested=requested, in_assertion=in_assertion: sts.assume_role_with_saml(
                RoleArn=requested,
                PrincipalArn=provider,
                SAMLAssertion=saml_response(in_assertion, provider),
            ),
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithSAML",
            403,
        )


def test_duration_beyond_the_roles_maximum(iam: Any, sts: Any, provider: str) -> None:
    role = role_arn(iam, "federated")
    assert_error(
        lambda: sts.assume_role_with_saml(
            RoleArn=role,
            PrincipalArn=provider,
            SAMLAssertion=saml_response(role, provider),
            DurationSeconds=7200,
        ),
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
