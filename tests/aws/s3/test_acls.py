"""ACLs and Object Ownership on the real server: AWS's default (BucketOwnerEnforced)
refuses ACLs; buckets created with ``ObjectWriter`` keep canned ACLs and grants, answer
them from Get*Acl, and let anonymous callers in where ``AllUsers`` is granted."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import botocore
import botocore.config
import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _canonical(account: str) -> str:
    return hashlib.sha256(account.encode()).hexdigest()


OWNER = _canonical("000000000000")
OTHER = _canonical("222222222222")


@pytest.fixture(scope="module")
def anonymous(server: ServerProcess) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        config=botocore.config.Config(signature_version=botocore.UNSIGNED),
    )


@pytest.fixture
def writer_bucket(s3: Any) -> str:
    """A bucket whose ACLs count (Object Ownership ObjectWriter)."""
    name = unique()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    return name


def _grants(policy: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (g["Grantee"].get("ID") or g["Grantee"].get("URI") or "", g["Permission"])
        for g in policy["Grants"]
    )


def test_new_buckets_enforce_bucket_ownership(s3: Any, bucket: str) -> None:
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == OWNER
    assert _grants(acl) == [(OWNER, "FULL_CONTROL")]
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert _grants(s3.get_object_acl(Bucket=bucket, Key="k")) == [(OWNER, "FULL_CONTROL")]


def test_enforced_ownership_refuses_acls(s3: Any, bucket: str) -> None:
    refused = {
        "Code": "AccessControlListNotSupported",
        "Message": "The bucket does not allow ACLs",
        "Status": 400,
    }
    for call, kwargs in (
        (s3.put_bucket_acl, {"Bucket": bucket, "ACL": "public-read"}),
        (s3.put_object, {"Bucket": bucket, "Key": "k", "ACL": "public-read", "Body": b""}),
        (s3.put_bucket_acl, {"Bucket": bucket, "GrantRead": f'id="{OTHER}"'}),
        (s3.create_multipart_upload, {"Bucket": bucket, "Key": "m", "ACL": "public-read"}),
    ):
        error = error_of(call, **kwargs)
        assert {k: error[k] for k in refused} == refused
    # The owner's full control is what the bucket has anyway: accepted.
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    s3.put_object(Bucket=bucket, Key="k", ACL="bucket-owner-full-control", Body=b"")
    assert error_of(s3.head_object, Bucket=bucket, Key="missing")["Status"] == 404


def test_create_bucket_with_public_acl_and_enforced_ownership(s3: Any) -> None:
    error = error_of(s3.create_bucket, Bucket=unique(), ACL="public-read")
    assert error["Code"] == "InvalidBucketAclWithObjectOwnership"
    assert error["Message"] == (
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
    )


def test_canned_bucket_acls_are_kept(s3: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter", ACL="public-read")
    assert _grants(s3.get_bucket_acl(Bucket=name)) == [
        (OWNER, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
    ]
    s3.put_bucket_acl(Bucket=name, ACL="public-read-write")
    assert _grants(s3.get_bucket_acl(Bucket=name)) == [
        (OWNER, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
        (ALL_USERS, "WRITE"),
    ]
    s3.put_bucket_acl(Bucket=name, ACL="private")
    assert _grants(s3.get_bucket_acl(Bucket=name)) == [(OWNER, "FULL_CONTROL")]


def test_grant_headers_and_acl_documents(s3: Any, writer_bucket: str) -> None:
    s3.put_bucket_acl(
        Bucket=writer_bucket, GrantRead=f'id="{OTHER}"', GrantWriteACP=f'uri="{ALL_USERS}"'
    )
    assert _grants(s3.get_bucket_acl(Bucket=writer_bucket)) == [
        (OTHER, "READ"),
        (ALL_USERS, "WRITE_ACP"),
    ]
    s3.put_bucket_acl(
        Bucket=writer_bucket,
        AccessControlPolicy={
            "Owner": {"ID": OWNER},
            "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": OWNER}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"},
            ],
        },
    )
    assert _grants(s3.get_bucket_acl(Bucket=writer_bucket)) == [
        (OWNER, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
    ]


def test_bad_acl_requests(s3: Any, raw_s3: Any, writer_bucket: str) -> None:
    error = error_of(raw_s3.put_bucket_acl, Bucket=writer_bucket, ACL="public-ready")
    assert (error["Code"], error["Status"]) == ("InvalidArgument", 400)
    error = error_of(s3.put_bucket_acl, Bucket=writer_bucket, GrantRead='id="not-an-id"')
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Invalid id")
    error = error_of(s3.put_bucket_acl, Bucket=writer_bucket, GrantRead='emailAddress="a@b.c"')
    assert error["Code"] == "UnresolvableGrantByEmailAddress"
    error = error_of(
        s3.put_bucket_acl, Bucket=writer_bucket, ACL="private", GrantRead=f'id="{OTHER}"'
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Specifying both Canned ACLs and Header Grants is not allowed",
    )
    error = error_of(raw_s3.put_bucket_acl, Bucket=writer_bucket)
    assert error["Code"] == "MissingSecurityHeader"
    # Nothing of the refused requests stuck.
    assert _grants(s3.get_bucket_acl(Bucket=writer_bucket)) == [(OWNER, "FULL_CONTROL")]


def test_object_acls_per_version(s3: Any, writer_bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=writer_bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=writer_bucket, Key="k", Body=b"1", ACL="public-read")["VersionId"]
    second = s3.put_object(Bucket=writer_bucket, Key="k", Body=b"2")["VersionId"]
    assert _grants(s3.get_object_acl(Bucket=writer_bucket, Key="k", VersionId=first)) == [
        (OWNER, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
    ]
    assert _grants(s3.get_object_acl(Bucket=writer_bucket, Key="k")) == [(OWNER, "FULL_CONTROL")]
    s3.put_object_acl(Bucket=writer_bucket, Key="k", VersionId=second, ACL="authenticated-read")
    latest = s3.get_object_acl(Bucket=writer_bucket, Key="k")
    assert _grants(latest) == [
        (OWNER, "FULL_CONTROL"),
        ("http://acs.amazonaws.com/groups/global/AuthenticatedUsers", "READ"),
    ]


def test_acls_let_anonymous_callers_in(s3: Any, anonymous: Any, writer_bucket: str) -> None:
    s3.put_object(Bucket=writer_bucket, Key="open", Body=b"o", ACL="public-read")
    s3.put_object(Bucket=writer_bucket, Key="shut", Body=b"s")
    assert anonymous.get_object(Bucket=writer_bucket, Key="open")["Body"].read() == b"o"
    assert error_of(anonymous.get_object, Bucket=writer_bucket, Key="shut")["Code"] == (
        "AccessDenied"
    )
    assert error_of(anonymous.list_objects, Bucket=writer_bucket)["Code"] == "AccessDenied"
    assert error_of(anonymous.get_object, Bucket=writer_bucket, Key="gone")["Status"] == 403
    s3.put_bucket_acl(Bucket=writer_bucket, ACL="public-read")
    listed = anonymous.list_objects(Bucket=writer_bucket)["Contents"]
    assert sorted(o["Key"] for o in listed) == ["open", "shut"]
    # Who may list the bucket learns that a key does not exist.
    assert error_of(anonymous.get_object, Bucket=writer_bucket, Key="gone")["Code"] == "NoSuchKey"
    assert error_of(anonymous.put_object, Bucket=writer_bucket, Key="w", Body=b"")["Code"] == (
        "AccessDenied"
    )
    s3.put_bucket_acl(Bucket=writer_bucket, ACL="public-read-write")
    anonymous.put_object(Bucket=writer_bucket, Key="w", Body=b"anon")
    assert s3.get_object(Bucket=writer_bucket, Key="w")["Body"].read() == b"anon"


def test_ownership_controls_round_trip(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")  # ACLs now count
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    error = error_of(s3.get_bucket_ownership_controls, Bucket=bucket)
    assert (error["Code"], error["Status"]) == ("OwnershipControlsNotFoundError", 404)
    assert (ALL_USERS, "READ") in _grants(s3.get_bucket_acl(Bucket=bucket))
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    assert _grants(s3.get_bucket_acl(Bucket=bucket)) == [(OWNER, "FULL_CONTROL")]


def test_hostile_acls_are_refused_and_change_nothing(s3: Any, writer_bucket: str) -> None:
    s3.put_bucket_acl(Bucket=writer_bucket, ACL="public-read")
    many = ", ".join(f'id="{i:064x}"' for i in range(101))
    error = error_of(s3.put_bucket_acl, Bucket=writer_bucket, GrantRead=many)
    assert (error["Code"], error["Status"]) == ("MalformedACLError", 400)
    grants = [
        {"Grantee": {"Type": "CanonicalUser", "ID": f"{i:064x}"}, "Permission": "READ"}
        for i in range(101)
    ]
    error = error_of(
        s3.put_bucket_acl,
        Bucket=writer_bucket,
        AccessControlPolicy={"Owner": {"ID": OWNER}, "Grants": grants},
    )
    assert error["Code"] == "MalformedACLError"
    error = error_of(
        s3.put_bucket_acl,
        Bucket=writer_bucket,
        AccessControlPolicy={"Owner": {"ID": OTHER}, "Grants": []},
    )
    assert error["Code"] == "AccessDenied"  # an ACL naming another owner
    assert _grants(s3.get_bucket_acl(Bucket=writer_bucket)) == [
        (OWNER, "FULL_CONTROL"),
        (ALL_USERS, "READ"),
    ]
    s3.put_bucket_acl(
        Bucket=writer_bucket, GrantRead=", ".join(f'id="{i:064x}"' for i in range(99))
    )
    assert len(s3.get_bucket_acl(Bucket=writer_bucket)["Grants"]) == 99
