"""Bucket versioning: versions, delete markers, reading and deleting versions, suspension."""

from __future__ import annotations

from typing import Any

from tests.aws.s3.conftest import error_of, unique


def test_versions_and_delete_markers(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="before", Body=b"null version")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=v1)["VersionId"] == v1
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert error_of(s3.get_object, Bucket=bucket, Key="k")["Code"] == "NoSuchKey"
    error = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert (error["Code"], error["Status"]) == ("MethodNotAllowed", 405)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1  # "before" only
    versions = s3.list_object_versions(Bucket=bucket, Prefix="k")
    assert [(v["VersionId"], v["IsLatest"]) for v in versions["Versions"]] == [
        (v2, False),
        (v1, False),
    ]
    assert [(m["VersionId"], m["IsLatest"]) for m in versions["DeleteMarkers"]] == [(marker, True)]
    # Removing the marker brings the newest version back.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    before = s3.list_object_versions(Bucket=bucket, Prefix="before")["Versions"]
    assert [v["VersionId"] for v in before] == ["null"]
    assert (
        s3.get_object(Bucket=bucket, Key="before", VersionId="null")["Body"].read()
        == b"null version"
    )


def test_suspended_overwrites_null_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"null 1")
    s3.put_object(Bucket=bucket, Key="k", Body=b"null 2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"null 2"


def test_version_paging(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key=f"k{i % 2}", Body=b"x")["VersionId"] for i in range(5)]
    seen = []
    kwargs: dict[str, Any] = {}
    while True:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kwargs)
        seen += [v["VersionId"] for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        kwargs = {
            "KeyMarker": page["NextKeyMarker"],
            "VersionIdMarker": page["NextVersionIdMarker"],
        }
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 5


def test_bad_version_ids(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    error = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId="not-a-version")
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Invalid version id specified"
    error = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId="0" * 32)
    assert error["Code"] == "NoSuchVersion"
    assert error["Message"] == "The specified version does not exist."
    error = error_of(
        s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Disabled"}
    )
    assert error["Code"] == "MalformedXML"


def test_deleting_while_listing_versions_page_by_page(s3: Any, bucket: str) -> None:
    """A lister that deletes each page before asking for the next (ceph's cleanup does)
    passes markers naming versions that no longer exist: the listing goes on."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("a", "b", "c"):
        for n in range(3):
            s3.put_object(Bucket=bucket, Key=key, Body=str(n).encode())
    params: dict[str, Any] = {"Bucket": bucket, "MaxKeys": 2}
    deleted = 0
    while True:
        page = s3.list_object_versions(**params)
        for version in page.get("Versions", []):
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
            deleted += 1
        if not page["IsTruncated"]:
            break
        params["KeyMarker"] = page["NextKeyMarker"]
        params["VersionIdMarker"] = page["NextVersionIdMarker"]
    assert deleted == 9
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
    error = error_of(
        s3.list_object_versions, Bucket=unique_bucket(s3), KeyMarker="a", VersionIdMarker="zz"
    )
    assert (error["Code"], error["Message"]) == ("InvalidArgument", "Invalid version id specified")


def unique_bucket(s3: Any) -> str:
    name = unique()
    s3.create_bucket(Bucket=name)
    return name
