"""Who may do what to a bucket, on the real server: another account needs a grant (a
bucket policy Allow, or an ACL where ACLs count), an explicit Deny wins, a copy needs
read access to its source; the ``s3:*`` condition keys; Block Public Access and the
policy status."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import boto3
import botocore
import botocore.config
import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

OTHER_ACCOUNT = "222233334444"


@pytest.fixture(scope="module")
def other(server: ServerProcess) -> Any:
    return server.client("s3", access_key=OTHER_ACCOUNT)


@pytest.fixture(scope="module")
def anonymous(server: ServerProcess) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        config=botocore.config.Config(signature_version=botocore.UNSIGNED),
    )


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action: str, resource: str, principal: Any = None, **extra: Any) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": principal or {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
        "Action": action,
        "Resource": resource,
    }
    return statement | extra


def test_another_account_needs_a_grant(s3: Any, other: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"mine")
    for call, kwargs in (
        (other.get_object, {"Bucket": bucket, "Key": "k"}),
        (other.put_object, {"Bucket": bucket, "Key": "theirs", "Body": b"x"}),
        (other.list_objects_v2, {"Bucket": bucket}),
        (other.delete_object, {"Bucket": bucket, "Key": "k"}),
        (other.get_bucket_policy, {"Bucket": bucket}),
        (other.put_bucket_policy, {"Bucket": bucket, "Policy": _policy(_allow("s3:*", "*"))}),
    ):
        error = error_of(call, **kwargs)
        assert (error["Code"], error["Status"]) == ("AccessDenied", 403), call
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"mine"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    s3.put_bucket_policy(
        Bucket=bucket, Policy=_policy(_allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    )
    assert other.get_object(Bucket=bucket, Key="k")["Body"].read() == b"mine"
    assert error_of(other.list_objects_v2, Bucket=bucket)["Code"] == "AccessDenied"
    # Creating a bucket of that name still says whose it is.
    assert error_of(other.create_bucket, Bucket=bucket)["Code"] == "BucketAlreadyExists"


def test_acl_grant_lets_another_account_in(s3: Any, other: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    grantee = hashlib.sha256(OTHER_ACCOUNT.encode()).hexdigest()
    s3.put_bucket_acl(Bucket=name, GrantRead=f'id="{grantee}"')
    assert other.list_objects_v2(Bucket=name)["KeyCount"] == 0
    assert error_of(other.put_object, Bucket=name, Key="k", Body=b"")["Code"] == "AccessDenied"
    s3.put_bucket_acl(Bucket=name, GrantWrite=f'id="{grantee}"', GrantRead=f'id="{grantee}"')
    other.put_object(Bucket=name, Key="k", Body=b"from the other account")
    assert s3.get_object(Bucket=name, Key="k")["ContentLength"] == 22


def test_copy_needs_read_access_to_its_source(s3: Any, other: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"secret")
    theirs = unique()
    other.create_bucket(Bucket=theirs)
    error = error_of(
        other.copy_object, Bucket=theirs, Key="stolen", CopySource={"Bucket": bucket, "Key": "src"}
    )
    assert (error["Code"], error["Status"]) == ("AccessDenied", 403)
    assert "Contents" not in other.list_objects_v2(Bucket=theirs)
    s3.put_bucket_policy(
        Bucket=bucket, Policy=_policy(_allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*"))
    )
    other.copy_object(Bucket=theirs, Key="copied", CopySource={"Bucket": bucket, "Key": "src"})
    assert other.get_object(Bucket=theirs, Key="copied")["Body"].read() == b"secret"


def test_condition_keys_from_headers_and_tags(s3: Any, other: Any, bucket: str) -> None:
    objects = f"arn:aws:s3:::{bucket}/*"
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=_policy(
            _allow("s3:PutObject", objects),
            _allow(
                "s3:GetObject",
                objects,
                Condition={"StringEquals": {"s3:ExistingObjectTag/security": "public"}},
            ),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"StringLike": {"s3:x-amz-acl": "public*"}},
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"StringEquals": {"s3:RequestObjectTag/class": "banned"}},
            },
        ),
    )
    other.put_object(Bucket=bucket, Key="open", Body=b"o", Tagging="security=public")
    other.put_object(Bucket=bucket, Key="shut", Body=b"s", Tagging="security=private")
    assert other.get_object(Bucket=bucket, Key="open")["Body"].read() == b"o"
    assert error_of(other.get_object, Bucket=bucket, Key="shut")["Code"] == "AccessDenied"
    error = error_of(other.put_object, Bucket=bucket, Key="p", Body=b"", ACL="public-read")
    assert error["Code"] == "AccessDenied"  # denied before the ACL itself is looked at
    error = error_of(other.put_object, Bucket=bucket, Key="b", Body=b"", Tagging="class=banned")
    assert error["Code"] == "AccessDenied"
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["open", "shut"]


def test_public_access_block_round_trip_and_policy_status(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_public_access_block, Bucket=bucket)
    assert (error["Code"], error["Status"]) == ("NoSuchPublicAccessBlockConfiguration", 404)
    error = error_of(s3.get_bucket_policy_status, Bucket=bucket)
    assert error["Code"] == "NoSuchBucketPolicy"
    s3.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicPolicy": True}
    )
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": False,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    public = _policy(_allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*", principal="*"))
    assert error_of(s3.put_bucket_policy, Bucket=bucket, Policy=public)["Code"] == "AccessDenied"
    narrowed = _policy(
        _allow(
            "s3:GetObject",
            f"arn:aws:s3:::{bucket}/*",
            principal="*",
            Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        )
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=narrowed)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public)
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    assert error_of(s3.get_public_access_block, Bucket=bucket)["Status"] == 404


def test_public_access_block_switches(s3: Any, anonymous: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.put_object(Bucket=name, Key="k", Body=b"x", ACL="public-read")
    s3.put_bucket_policy(
        Bucket=name, Policy=_policy(_allow("s3:ListBucket", f"arn:aws:s3:::{name}", principal="*"))
    )
    assert anonymous.get_object(Bucket=name, Key="k")["Body"].read() == b"x"
    assert anonymous.list_objects_v2(Bucket=name)["KeyCount"] == 1
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        },
    )
    assert error_of(anonymous.get_object, Bucket=name, Key="k")["Code"] == "AccessDenied"
    assert error_of(anonymous.list_objects_v2, Bucket=name)["Code"] == "AccessDenied"
    error = error_of(s3.put_object, Bucket=name, Key="k2", Body=b"", ACL="public-read")
    assert (error["Code"], error["Status"]) == ("AccessDenied", 403)
    error = error_of(s3.put_bucket_acl, Bucket=name, ACL="authenticated-read")
    assert error["Code"] == "AccessDenied"
    s3.put_object(Bucket=name, Key="k2", Body=b"", ACL="private")
    s3.delete_public_access_block(Bucket=name)
    assert anonymous.get_object(Bucket=name, Key="k")["Body"].read() == b"x"
