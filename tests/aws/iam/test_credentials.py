"""SSH public keys, signing certificates and server certificates through boto3."""

from __future__ import annotations

import base64
import datetime
import hashlib
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.aws.iam.conftest import assert_error, client_for, new_account
from tests.conftest import ServerProcess

NOT_AFTER = datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def ssh_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
        + " someone@example.com"
    )


def md5_fingerprint(body: str) -> str:
    digest = hashlib.md5(base64.b64decode(body.split()[1]), usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def certificate(common_name: str = "example.com") -> tuple[str, str]:
    """A self-signed certificate and its private key, both PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(NOT_AFTER)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return cert.public_bytes(serialization.Encoding.PEM).decode(), pem_key


# -- SSH public keys -------------------------------------------------------------------
def test_ssh_public_key_lifecycle(iam: Any) -> None:
    iam.create_user(UserName="dev")
    body = ssh_key()
    uploaded = iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body)["SSHPublicKey"]
    key_id = uploaded["SSHPublicKeyId"]
    assert key_id.startswith("APKA") and len(key_id) == 21
    assert (uploaded["Status"], uploaded["UserName"]) == ("Active", "dev")
    assert uploaded["Fingerprint"] == md5_fingerprint(body)
    assert uploaded["SSHPublicKeyBody"] == body
    got = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")
    assert got["SSHPublicKey"]["SSHPublicKeyBody"] == body
    pem = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="PEM")
    assert pem["SSHPublicKey"]["SSHPublicKeyBody"].startswith("-----BEGIN PUBLIC KEY-----")
    listed = iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"]
    assert [(k["SSHPublicKeyId"], k["Status"]) for k in listed] == [(key_id, "Active")]
    assert "Fingerprint" not in listed[0]
    iam.update_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Status="Inactive")
    got = iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id, Encoding="SSH")
    assert got["SSHPublicKey"]["Status"] == "Inactive"
    assert_error(
        lambda: iam.delete_user(UserName="dev"),
        "DeleteConflict",
        "Cannot delete entity, must delete SSH public keys first.",
        409,
    )
    iam.delete_ssh_public_key(UserName="dev", SSHPublicKeyId=key_id)
    assert iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"] == []
    iam.delete_user(UserName="dev")


def test_ssh_public_key_errors(iam: Any) -> None:
    assert_error(
        lambda: iam.upload_ssh_public_key(UserName="ghost", SSHPublicKeyBody=ssh_key()),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    iam.create_user(UserName="dev")
    assert_error(
        lambda: iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody="ssh-rsa notakey"),
        "InvalidPublicKey",
        "The request was rejected because the public key is malformed or otherwise invalid.",
        400,
    )
    missing = "APKAXXXXXXXXXXXXXXXXX"
    for call in (
        lambda: iam.get_ssh_public_key(UserName="dev", SSHPublicKeyId=missing, Encoding="SSH"),
        lambda: iam.update_ssh_public_key(UserName="dev", SSHPublicKeyId=missing, Status="Active"),
        lambda: iam.delete_ssh_public_key(UserName="dev", SSHPublicKeyId=missing),
    ):
        assert_error(
            call, "NoSuchEntity", f"The Public Key with id {missing} cannot be found.", 404
        )
    body = ssh_key()
    iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body)
    assert_error(
        lambda: iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=body),
        "DuplicateSSHPublicKey",
        "The request was rejected because the SSH public key is already associated with "
        "the specified IAM user.",
        400,
    )
    for _ in range(4):
        iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=ssh_key())
    assert_error(
        lambda: iam.upload_ssh_public_key(UserName="dev", SSHPublicKeyBody=ssh_key()),
        "LimitExceeded",
        "Cannot exceed quota for PublicKeysPerUser: 5",
        409,
    )
    assert len(iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"]) == 5
    # Another user's key id is not found through this user.
    iam.create_user(UserName="other")
    key_id = iam.list_ssh_public_keys(UserName="dev")["SSHPublicKeys"][0]["SSHPublicKeyId"]
    assert_error(
        lambda: iam.delete_ssh_public_key(UserName="other", SSHPublicKeyId=key_id),
        "NoSuchEntity",
        f"The Public Key with id {key_id} cannot be found.",
        404,
    )


# -- signing certificates ------------------------------------------------------------------
def test_signing_certificate_lifecycle(iam: Any) -> None:
    iam.create_user(UserName="signer")
    body, _ = certificate()
    uploaded = iam.upload_signing_certificate(UserName="signer", CertificateBody=body)[
        "Certificate"
    ]
    cert_id = uploaded["CertificateId"]
    assert len(cert_id) == 32
    assert (uploaded["Status"], uploaded["UserName"], uploaded["CertificateBody"]) == (
        "Active",
        "signer",
        body,
    )
    iam.update_signing_certificate(UserName="signer", CertificateId=cert_id, Status="Inactive")
    listed = iam.list_signing_certificates(UserName="signer")["Certificates"]
    assert [(c["CertificateId"], c["Status"]) for c in listed] == [(cert_id, "Inactive")]
    assert_error(
        lambda: iam.delete_user(UserName="signer"),
        "DeleteConflict",
        "Cannot delete entity, must delete signing certificates first.",
        409,
    )
    iam.update_user(UserName="signer", NewUserName="renamed")
    assert iam.list_signing_certificates(UserName="renamed")["Certificates"][0]["UserName"] == (
        "renamed"
    )
    iam.delete_signing_certificate(UserName="renamed", CertificateId=cert_id)
    assert iam.list_signing_certificates(UserName="renamed")["Certificates"] == []


def test_signing_certificate_errors(iam: Any) -> None:
    body, _ = certificate()
    assert_error(
        lambda: iam.upload_signing_certificate(UserName="ghost", CertificateBody=body),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    iam.create_user(UserName="signer")
    assert_error(
        lambda: iam.upload_signing_certificate(
            UserName="signer", CertificateBody="invalid-certificate-body"
        ),
        "MalformedCertificate",
        "Certificate invalid-certificate-body is malformed.",
        400,
    )
    missing = "NONEXISTENTCERTID12345678901"
    for call in (
        lambda: iam.update_signing_certificate(
            UserName="signer", CertificateId=missing, Status="Active"
        ),
        lambda: iam.delete_signing_certificate(UserName="signer", CertificateId=missing),
    ):
        assert_error(
            call, "NoSuchEntity", f"The Certificate with id {missing} cannot be found.", 404
        )
    iam.upload_signing_certificate(UserName="signer", CertificateBody=body)
    assert_error(
        lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody=body),
        "DuplicateCertificate",
        "The request was rejected because the same certificate is associated with an IAM "
        "user in the account.",
        409,
    )
    iam.upload_signing_certificate(UserName="signer", CertificateBody=certificate()[0])
    assert_error(
        lambda: iam.upload_signing_certificate(UserName="signer", CertificateBody=certificate()[0]),
        "LimitExceeded",
        "Cannot exceed quota for CertificatesPerUser: 2",
        409,
    )
    assert len(iam.list_signing_certificates(UserName="signer")["Certificates"]) == 2


# -- server certificates ---------------------------------------------------------------------
def test_server_certificate_lifecycle(iam: Any, account: str) -> None:
    body, key = certificate()
    chain, _ = certificate("ca.example.com")
    uploaded = iam.upload_server_certificate(
        ServerCertificateName="site",
        Path="/cloudfront/",
        CertificateBody=body,
        PrivateKey=key,
        CertificateChain=chain,
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    meta = uploaded["ServerCertificateMetadata"]
    assert meta["Arn"] == f"arn:aws:iam::{account}:server-certificate/cloudfront/site"
    assert meta["ServerCertificateId"].startswith("ASCA")
    assert meta["Expiration"] == NOT_AFTER
    assert uploaded["Tags"] == [{"Key": "env", "Value": "dev"}]
    got = iam.get_server_certificate(ServerCertificateName="SITE")["ServerCertificate"]
    assert (got["CertificateBody"], got["CertificateChain"]) == (body, chain)
    assert "PrivateKey" not in got
    assert got["Tags"] == [{"Key": "env", "Value": "dev"}]
    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")
    assert [c["ServerCertificateName"] for c in listed["ServerCertificateMetadataList"]] == ["site"]
    assert iam.list_server_certificates(PathPrefix="/other/")["ServerCertificateMetadataList"] == []
    iam.tag_server_certificate(ServerCertificateName="site", Tags=[{"Key": "team", "Value": "a"}])
    iam.untag_server_certificate(ServerCertificateName="site", TagKeys=["env"])
    assert iam.list_server_certificate_tags(ServerCertificateName="site")["Tags"] == [
        {"Key": "team", "Value": "a"}
    ]
    iam.update_server_certificate(
        ServerCertificateName="site", NewServerCertificateName="site2", NewPath="/elb/"
    )
    moved = iam.get_server_certificate(ServerCertificateName="site2")["ServerCertificate"]
    assert moved["ServerCertificateMetadata"]["Arn"] == (
        f"arn:aws:iam::{account}:server-certificate/elb/site2"
    )
    assert moved["ServerCertificateMetadata"]["ServerCertificateId"] == meta["ServerCertificateId"]
    iam.delete_server_certificate(ServerCertificateName="site2")
    assert_error(
        lambda: iam.get_server_certificate(ServerCertificateName="site2"),
        "NoSuchEntity",
        "The Server Certificate with name site2 cannot be found.",
        404,
    )


def test_server_certificate_errors(iam: Any) -> None:
    body, key = certificate()
    _, other_key = certificate()
    bad: list[tuple[dict[str, str], str, str]] = [
        (
            {"CertificateBody": "not a certificate", "PrivateKey": key},
            "MalformedCertificate",
            "Unable to parse certificate. Please ensure the certificate is in PEM format.",
        ),
        (
            {"CertificateBody": body, "PrivateKey": "not a key"},
            "MalformedCertificate",
            "Unable to parse private key.",
        ),
        (
            {"CertificateBody": body, "PrivateKey": key, "CertificateChain": "junk"},
            "MalformedCertificate",
            "Unable to parse certificate chain. Please ensure the chain is in PEM format.",
        ),
        (
            {"CertificateBody": body, "PrivateKey": other_key},
            "KeyPairMismatch",
            "Public key certificate and private key doesn't match.",
        ),
    ]
    for parts, code, message in bad:
        assert_error(
            lambda parts=parts: iam.upload_server_certificate(ServerCertificateName="c", **parts),
            code,
            message,
            400,
        )
    assert iam.list_server_certificates()["ServerCertificateMetadataList"] == []
    for call in (
        lambda: iam.get_server_certificate(ServerCertificateName="nope"),
        lambda: iam.delete_server_certificate(ServerCertificateName="nope"),
        lambda: iam.update_server_certificate(ServerCertificateName="nope", NewPath="/x/"),
        lambda: iam.list_server_certificate_tags(ServerCertificateName="nope"),
    ):
        assert_error(
            call, "NoSuchEntity", "The Server Certificate with name nope cannot be found.", 404
        )
    iam.upload_server_certificate(ServerCertificateName="c", CertificateBody=body, PrivateKey=key)
    iam.upload_server_certificate(ServerCertificateName="d", CertificateBody=body, PrivateKey=key)
    assert_error(
        lambda: iam.upload_server_certificate(
            ServerCertificateName="C", CertificateBody=body, PrivateKey=key
        ),
        "EntityAlreadyExists",
        "The Server Certificate with name C already exists.",
        409,
    )
    assert_error(
        lambda: iam.update_server_certificate(
            ServerCertificateName="c", NewServerCertificateName="D"
        ),
        "EntityAlreadyExists",
        "The Server Certificate with name D already exists.",
        409,
    )


def test_credentials_survive_a_restart(tmp_path: Path) -> None:
    account = new_account()
    server = ServerProcess(tmp_path / "data").start()
    try:
        iam = client_for(server, "iam", account)
        iam.create_user(UserName="u")
        rsa_public = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .public_key()
            .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
            .decode()
        )
        key_id = iam.upload_ssh_public_key(UserName="u", SSHPublicKeyBody=rsa_public)[
            "SSHPublicKey"
        ]["SSHPublicKeyId"]
        body, key = certificate()
        cert_id = iam.upload_signing_certificate(UserName="u", CertificateBody=body)["Certificate"][
            "CertificateId"
        ]
        iam.upload_server_certificate(
            ServerCertificateName="site", CertificateBody=body, PrivateKey=key
        )
        service_id = iam.create_service_specific_credential(
            UserName="u", ServiceName="codecommit.amazonaws.com"
        )["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
        server.kill()
        server.start()
        iam = client_for(server, "iam", account)
        got = iam.get_ssh_public_key(UserName="u", SSHPublicKeyId=key_id, Encoding="SSH")
        assert got["SSHPublicKey"]["SSHPublicKeyBody"] == rsa_public
        certificates = iam.list_signing_certificates(UserName="u")["Certificates"]
        assert [c["CertificateId"] for c in certificates] == [cert_id]
        site = iam.get_server_certificate(ServerCertificateName="site")["ServerCertificate"]
        assert site["ServerCertificateMetadata"]["Expiration"] == NOT_AFTER
        listed = iam.list_service_specific_credentials(UserName="u")["ServiceSpecificCredentials"]
        assert [c["ServiceSpecificCredentialId"] for c in listed] == [service_id]
    finally:
        server.stop()


# -- service-specific credentials ---------------------------------------------------------------
def test_service_specific_credential_lifecycle(iam: Any, account: str) -> None:
    iam.create_user(UserName="git")
    created = iam.create_service_specific_credential(
        UserName="git", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredential"]
    cred_id = created["ServiceSpecificCredentialId"]
    assert cred_id.startswith("ACCA") and len(cred_id) == 21
    assert created["ServiceUserName"] == f"git-at-{account}"
    assert len(created["ServicePassword"]) >= 40
    assert (created["Status"], created["ServiceName"]) == ("Active", "codecommit.amazonaws.com")
    listed = iam.list_service_specific_credentials(UserName="git")["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in listed] == [cred_id]
    assert "ServicePassword" not in listed[0]
    reset = iam.reset_service_specific_credential(
        UserName="git", ServiceSpecificCredentialId=cred_id
    )["ServiceSpecificCredential"]
    assert reset["ServicePassword"] != created["ServicePassword"]
    iam.update_service_specific_credential(
        UserName="git", ServiceSpecificCredentialId=cred_id, Status="Inactive"
    )
    listed = iam.list_service_specific_credentials(
        UserName="git", ServiceName="codecommit.amazonaws.com"
    )["ServiceSpecificCredentials"]
    assert listed[0]["Status"] == "Inactive"
    assert (
        iam.list_service_specific_credentials(
            UserName="git", ServiceName="cassandra.amazonaws.com"
        )["ServiceSpecificCredentials"]
        == []
    )
    bedrock = iam.create_service_specific_credential(
        UserName="git", ServiceName="bedrock.amazonaws.com", CredentialAgeDays=30
    )["ServiceSpecificCredential"]
    assert bedrock["ServiceCredentialAlias"] == f"git-at-{account}"
    assert bedrock["ServiceCredentialSecret"].startswith("ABSK")
    assert "ServicePassword" not in bedrock
    lifetime = bedrock["ExpirationDate"] - bedrock["CreateDate"]
    assert abs(lifetime.total_seconds() - 30 * 86400) < 5
    iam.create_user(UserName="other")
    iam.create_service_specific_credential(UserName="other", ServiceName="cassandra.amazonaws.com")
    everyone = iam.list_service_specific_credentials(AllUsers=True)["ServiceSpecificCredentials"]
    assert sorted(c["UserName"] for c in everyone) == ["git", "git", "other"]
    assert_error(
        lambda: iam.delete_user(UserName="git"),
        "DeleteConflict",
        "Cannot delete entity, must delete service specific credentials first.",
        409,
    )
    iam.delete_service_specific_credential(UserName="git", ServiceSpecificCredentialId=cred_id)
    iam.delete_service_specific_credential(
        UserName="git", ServiceSpecificCredentialId=bedrock["ServiceSpecificCredentialId"]
    )
    iam.delete_user(UserName="git")


def test_service_specific_credential_errors(iam: Any) -> None:
    assert_error(
        lambda: iam.create_service_specific_credential(
            UserName="ghost", ServiceName="codecommit.amazonaws.com"
        ),
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    iam.create_user(UserName="u")
    assert_error(
        lambda: iam.create_service_specific_credential(
            UserName="u", ServiceName="s3.amazonaws.com"
        ),
        "NotSupportedService",
        "The specified service does not support service-specific credentials.",
        404,
    )
    for _ in range(2):
        iam.create_service_specific_credential(UserName="u", ServiceName="codecommit.amazonaws.com")
    assert_error(
        lambda: iam.create_service_specific_credential(
            UserName="u", ServiceName="codecommit.amazonaws.com"
        ),
        "LimitExceeded",
        "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2",
        409,
    )
    iam.create_service_specific_credential(UserName="u", ServiceName="cassandra.amazonaws.com")
    missing = "ACCAXXXXXXXXXXXXXXXXX"
    for call in (
        lambda: iam.reset_service_specific_credential(
            UserName="u", ServiceSpecificCredentialId=missing
        ),
        lambda: iam.update_service_specific_credential(
            UserName="u", ServiceSpecificCredentialId=missing, Status="Active"
        ),
        lambda: iam.delete_service_specific_credential(
            UserName="u", ServiceSpecificCredentialId=missing
        ),
    ):
        assert_error(
            call,
            "NoSuchEntity",
            f"The Service Specific Credential with id {missing} cannot be found.",
            404,
        )
    assert (
        len(iam.list_service_specific_credentials(UserName="u")["ServiceSpecificCredentials"]) == 3
    )
