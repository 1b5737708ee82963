"""SAML providers and virtual MFA devices through boto3 on a real server."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.iam.conftest import assert_error, client_for, new_account
from tests.conftest import ServerProcess


def metadata(entity: str = "https://idp.example.com/saml", valid_until: str | None = None) -> str:
    """A SAML metadata document over IAM's 1000-character minimum."""
    until = f' validUntil="{valid_until}"' if valid_until else ""
    certificate = "MIIC" + "A" * 1200
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{entity}"{until}>'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"<ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data>"
        "</ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="{entity}/sso"/>'
        "</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def totp(seed: bytes, step: int) -> str:
    """RFC 6238 as an authenticator app computes it (independent of the server's code)."""
    digest = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**6:06d}"


def codes(seed: bytes) -> tuple[str, str]:
    step = int(time.time()) // 30 - 1
    return totp(seed, step), totp(seed, step + 1)


# -- SAML providers ----------------------------------------------------------------------
def test_saml_provider_lifecycle(iam: Any, account: str) -> None:
    document = metadata(valid_until="2030-01-01T00:00:00Z")
    created = iam.create_saml_provider(
        Name="okta", SAMLMetadataDocument=document, Tags=[{"Key": "k", "Value": "v"}]
    )
    arn = created["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{account}:saml-provider/okta"
    assert created["Tags"] == [{"Key": "k", "Value": "v"}]
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == document
    assert got["ValidUntil"] == datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    assert got["AssertionEncryptionMode"] == "Allowed"
    assert len(got["SAMLProviderUUID"]) >= 22
    listed = iam.list_saml_providers()["SAMLProviderList"]
    assert [p["Arn"] for p in listed] == [arn]
    replacement = metadata("https://other.example.com/saml")
    assert (
        iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=replacement)[
            "SAMLProviderArn"
        ]
        == arn
    )
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"] == replacement
    assert got["ValidUntil"].year >= datetime.datetime.now(datetime.UTC).year + 99
    iam.tag_saml_provider(SAMLProviderArn=arn, Tags=[{"Key": "team", "Value": "sec"}])
    iam.untag_saml_provider(SAMLProviderArn=arn, TagKeys=["k"])
    assert iam.list_saml_provider_tags(SAMLProviderArn=arn)["Tags"] == [
        {"Key": "team", "Value": "sec"}
    ]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert iam.list_saml_providers()["SAMLProviderList"] == []


def test_saml_provider_errors(iam: Any, account: str) -> None:
    missing = f"arn:aws:iam::{account}:saml-provider/NonExistentProvider"
    for call in (
        lambda: iam.get_saml_provider(SAMLProviderArn=missing),
        lambda: iam.delete_saml_provider(SAMLProviderArn=missing),
        lambda: iam.update_saml_provider(SAMLProviderArn=missing, SAMLMetadataDocument=metadata()),
    ):
        assert_error(call, "NoSuchEntity", f"Manifest not found for arn {missing}", 404)
    not_metadata = "<html>" + "x" * 1200 + "</html>"
    not_xml = "{" + "x" * 1200
    with_dtd = '<!DOCTYPE md [<!ENTITY a "aaaa">]>' + metadata()
    for document in (not_metadata, not_xml, with_dtd):
        assert_error(
            lambda document=document: iam.create_saml_provider(
                Name="bad", SAMLMetadataDocument=document
            ),
            "InvalidInput",
            "Could not parse metadata",
            400,
        )
    assert_error(
        lambda: iam.create_saml_provider(Name="short", SAMLMetadataDocument="<x/>"),
        "ValidationError",
        None,
        400,
    )
    assert iam.list_saml_providers()["SAMLProviderList"] == []
    arn = iam.create_saml_provider(Name="idp", SAMLMetadataDocument=metadata())["SAMLProviderArn"]
    assert_error(
        lambda: iam.create_saml_provider(Name="idp", SAMLMetadataDocument=metadata()),
        "EntityAlreadyExists",
        "SAMLProvider idp already exists",
        409,
    )
    assert_error(
        lambda: iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=not_metadata),
        "InvalidInput",
        "Could not parse metadata",
        400,
    )
    assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == metadata()


# -- virtual MFA devices ------------------------------------------------------------------
def test_virtual_mfa_device_lifecycle(iam: Any, account: str) -> None:
    iam.create_user(UserName="alice")
    created = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/team/")[
        "VirtualMFADevice"
    ]
    serial = created["SerialNumber"]
    assert serial == f"arn:aws:iam::{account}:mfa/team/phone"
    seed = created["Base32StringSeed"]
    assert len(base64.b32decode(seed)) == 40
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")
    assert unassigned["VirtualMFADevices"] == [{"SerialNumber": serial}]
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    first, second = codes(seed)
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
    )
    devices = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in devices] == [("alice", serial)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in assigned] == [(serial, "alice")]
    assert "EnableDate" in assigned[0]
    assert iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"] == []
    got = iam.get_mfa_device(UserName="alice", SerialNumber=serial)
    assert (got["UserName"], got["SerialNumber"]) == ("alice", serial)
    iam.resync_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
    )
    assert_error(
        lambda: iam.delete_user(UserName="alice"),
        "DeleteConflict",
        "Cannot delete entity, must remove MFA device first.",
        409,
    )
    assert_error(
        lambda: iam.delete_virtual_mfa_device(SerialNumber=serial),
        "DeleteConflict",
        "MFA device is still in use.",
        409,
    )
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["k"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == []
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    iam.delete_user(UserName="alice")


def test_virtual_mfa_device_errors(iam: Any, account: str) -> None:
    iam.create_user(UserName="bob")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="dev")["VirtualMFADevice"][
        "SerialNumber"
    ]
    assert_error(
        lambda: iam.create_virtual_mfa_device(VirtualMFADeviceName="dev"),
        "EntityAlreadyExists",
        "MFA device already exists.",
        409,
    )
    missing = f"arn:aws:iam::{account}:mfa/nonexistent-device"
    gone = f"MFA Device with serial number {missing} does not exist."
    assert_error(
        lambda: iam.delete_virtual_mfa_device(SerialNumber=missing), "NoSuchEntity", gone, 404
    )
    assert_error(
        lambda: iam.deactivate_mfa_device(UserName="bob", SerialNumber=missing),
        "NoSuchEntity",
        gone,
        404,
    )
    assert_error(
        lambda: iam.enable_mfa_device(
            UserName="ghost",
            SerialNumber=serial,
            AuthenticationCode1="123456",
            AuthenticationCode2="234567",
        ),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    assert_error(
        lambda: iam.enable_mfa_device(
            UserName="bob",
            SerialNumber=serial,
            AuthenticationCode1="000000",
            AuthenticationCode2="000000",
        ),
        "InvalidAuthenticationCode",
        "Authentication code for device is not valid.",
        403,
    )
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
    assert_error(
        lambda: iam.get_mfa_device(UserName="bob", SerialNumber=serial),
        "NoSuchEntity",
        f"MFA Device with serial number {serial} does not exist.",
        404,
    )
    assert_error(
        lambda: iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial),
        "NoSuchEntity",
        f"MFA Device with serial number {serial} does not exist.",
        404,
    )


def test_mfa_device_already_in_use(iam: Any, account: str) -> None:
    iam.create_user(UserName="a")
    iam.create_user(UserName="b")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="shared")["VirtualMFADevice"]
    first, second = codes(device["Base32StringSeed"])
    serial = device["SerialNumber"]
    iam.enable_mfa_device(
        UserName="a", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
    )
    assert_error(
        lambda: iam.enable_mfa_device(
            UserName="b", SerialNumber=serial, AuthenticationCode1=first, AuthenticationCode2=second
        ),
        "EntityAlreadyExists",
        "MFA Device is already in use.",
        409,
    )
    assert_error(
        lambda: iam.deactivate_mfa_device(UserName="b", SerialNumber=serial),
        "NoSuchEntity",
        f"MFA Device with serial number {serial} does not exist.",
        404,
    )


@pytest.mark.parametrize("status", ["Assigned", "Unassigned", "Any"])
def test_list_virtual_mfa_devices_paging(iam: Any, status: str) -> None:
    for name in ("d1", "d2", "d3"):
        iam.create_virtual_mfa_device(VirtualMFADeviceName=name)
    page = iam.list_virtual_mfa_devices(AssignmentStatus=status, MaxItems=2)
    expected = 0 if status == "Assigned" else 3
    assert len(page["VirtualMFADevices"]) == min(expected, 2)
    assert page["IsTruncated"] is (expected > 2)


def test_sign_in_state_survives_a_restart(tmp_path: Path) -> None:
    account = new_account()
    server = ServerProcess(tmp_path / "data").start()
    try:
        iam = client_for(server, "iam", account)
        iam.create_user(UserName="u")
        arn = iam.create_saml_provider(Name="idp", SAMLMetadataDocument=metadata())[
            "SAMLProviderArn"
        ]
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="m")["VirtualMFADevice"]
        first, second = codes(device["Base32StringSeed"])
        iam.enable_mfa_device(
            UserName="u",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
        server.kill()
        server.start()
        iam = client_for(server, "iam", account)
        assert iam.get_saml_provider(SAMLProviderArn=arn)["SAMLMetadataDocument"] == metadata()
        devices = iam.list_mfa_devices(UserName="u")["MFADevices"]
        assert [d["SerialNumber"] for d in devices] == [device["SerialNumber"]]
    finally:
        server.stop()


@pytest.mark.parametrize("marker", ["not-a-marker", "LTU="], ids=["garbage", "negative"])
def test_a_marker_iam_did_not_make_is_a_validation_error(iam: Any, marker: str) -> None:
    iam.create_virtual_mfa_device(VirtualMFADeviceName="d1")
    assert_error(
        lambda: iam.list_virtual_mfa_devices(Marker=marker),
        "ValidationError",
        "Invalid Marker.",
        400,
    )
    assert_error(lambda: iam.list_users(Marker=marker), "ValidationError", "Invalid Marker.", 400)
