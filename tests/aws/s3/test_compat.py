"""Gaps ceph/s3-tests probes: delete markers read, public-read policies, copies onto
themselves, stored and overridden response headers, listings' URL encoding."""

from __future__ import annotations

import http.client
import json
from typing import Any

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

SCOPE = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _request(
    server: ServerProcess,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _versioned(s3: Any) -> str:
    name = unique()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


# -- 1. delete markers ------------------------------------------------------------------
def test_get_and_head_of_a_deleted_key_name_the_marker(s3: Any) -> None:
    bucket = _versioned(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for call in (s3.get_object, s3.head_object):
        try:
            call(Bucket=bucket, Key="k")
        except s3.exceptions.ClientError as error:
            response = error.response
        else:
            raise AssertionError("read a deleted key")
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert response["Error"]["Code"] in ("NoSuchKey", "404")
        assert headers["x-amz-delete-marker"] == "true"
        assert headers["x-amz-version-id"] == marker


def test_get_of_the_marker_version_is_method_not_allowed(s3: Any) -> None:
    bucket = _versioned(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    error = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert (error["Code"], error["Message"], error["Status"]) == (
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
    )
    assert (error["Method"], error["ResourceType"]) == ("GET", "DeleteMarker")
    try:
        s3.head_object(Bucket=bucket, Key="k", VersionId=marker)
    except s3.exceptions.ClientError as failure:
        headers = failure.response["ResponseMetadata"]["HTTPHeaders"]
        assert failure.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        assert headers["x-amz-delete-marker"] == "true"
        assert headers["x-amz-version-id"] == marker
        assert headers["allow"] == "DELETE"
        assert headers["last-modified"].endswith(" GMT")
    else:
        raise AssertionError("read a delete marker")


def test_plain_missing_key_has_no_marker_headers(s3: Any, bucket: str) -> None:
    try:
        s3.get_object(Bucket=bucket, Key="never")
    except s3.exceptions.ClientError as failure:
        assert "x-amz-delete-marker" not in failure.response["ResponseMetadata"]["HTTPHeaders"]
    else:
        raise AssertionError("read a missing key")


# -- 2. bucket policies for anonymous callers ------------------------------------------
def _policy(bucket: str, *statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _public_read(bucket: str, **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        **extra,
    }


def test_unsigned_read_needs_an_allowing_statement(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    status, _, body = _request(server, "GET", f"/{bucket}/k")
    assert status == 403
    assert b"<Code>AccessDenied</Code><Message>Access Denied</Message>" in body
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, _public_read(bucket)))
    assert _request(server, "GET", f"/{bucket}/k")[::2] == (200, b"public")
    assert _request(server, "HEAD", f"/{bucket}/k")[0] == 200
    # Reading is not listing, writing or deleting.
    assert _request(server, "GET", f"/{bucket}?list-type=2")[0] == 403
    assert _request(server, "PUT", f"/{bucket}/new")[0] == 403
    assert _request(server, "DELETE", f"/{bucket}/k")[0] == 403
    assert _request(server, "DELETE", f"/{bucket}?policy")[0] == 403
    opened = _policy(bucket, {**_public_read(bucket), "Action": "s3:*"}).encode()
    assert _request(server, "PUT", f"/{bucket}?policy", body=opened)[0] == 403
    # The owner keeps full access; a signed call is not limited to the Allow.
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    s3.delete_object(Bucket=bucket, Key="k")
    assert _request(server, "GET", f"/{bucket}/k")[0] == 404


def test_unsigned_request_for_a_missing_bucket_is_still_the_generic_404(
    server: ServerProcess,
) -> None:
    status, headers, _ = _request(server, "GET", f"/{unique()}/k")
    assert status == 404
    assert headers["content-type"] == "application/json"


def test_deny_beats_allow_and_conditions_apply(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="pub/a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="priv/b", Body=b"b")
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=_policy(
            bucket,
            _public_read(bucket),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/priv/*",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:ListBucket",
                "Resource": f"arn:aws:s3:::{bucket}",
                "Condition": {"StringLike": {"s3:prefix": ["pub/*", "pub/"]}},
            },
        ),
    )
    assert _request(server, "GET", f"/{bucket}/pub/a")[0] == 200
    assert _request(server, "GET", f"/{bucket}/priv/b")[0] == 403
    status, _, body = _request(server, "GET", f"/{bucket}?list-type=2&prefix=pub/")
    assert status == 200 and b"<Key>pub/a</Key>" in body
    assert _request(server, "GET", f"/{bucket}?list-type=2&prefix=priv/")[0] == 403
    assert _request(server, "GET", f"/{bucket}?list-type=2")[0] == 403
    # A Deny naming everyone binds signed callers too; the owner may still fix the policy.
    assert error_of(s3.get_object, Bucket=bucket, Key="priv/b")["Code"] == "AccessDenied"
    s3.delete_bucket_policy(Bucket=bucket)


def test_secure_transport_and_source_ip_conditions(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    # This server speaks plain HTTP, but its caller is on the loopback interface: its
    # requests never cross a network, so they count as secure transport.
    https_only = _public_read(bucket, Condition={"Bool": {"aws:SecureTransport": "true"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, https_only))
    assert _request(server, "GET", f"/{bucket}/k")[0] == 200
    local = _public_read(bucket, Condition={"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, local))
    assert _request(server, "GET", f"/{bucket}/k")[0] == 200
    elsewhere = _public_read(bucket, Condition={"IpAddress": {"aws:SourceIp": "10.9.0.0/16"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, elsewhere))
    assert _request(server, "GET", f"/{bucket}/k")[0] == 403
    deny_plain_http = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, deny_plain_http))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"  # (CDK's, SAM's)
    deny_https = {**deny_plain_http, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, deny_https))
    assert error_of(s3.get_object, Bucket=bucket, Key="k")["Code"] == "AccessDenied"
    unknown = _public_read(bucket, Condition={"DateGreaterThan": {"aws:CurrentTime": "2020"}})
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, unknown))
    assert _request(server, "GET", f"/{bucket}/k")[0] == 403  # unsupported: never matches


def test_presigned_urls_are_signed_requests(s3: Any, bucket: str) -> None:
    import urllib.request

    s3.put_object(Bucket=bucket, Key="k", Body=b"pre")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    with urllib.request.urlopen(url) as answer:
        assert answer.read() == b"pre"


# -- 3. ceph/s3-tests favourites -------------------------------------------------------
def test_list_objects_v2_fetch_owner(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "Owner" not in s3.list_objects_v2(Bucket=bucket)["Contents"][0]
    owner = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"][0]["Owner"]
    assert owner["ID"]


def test_encoding_type_url_on_versions_and_uploads(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="a b/c+d", Body=b"x")
    s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="plain")
    auth = {"Authorization": SCOPE}
    status, _, body = _request(
        server, "GET", f"/{bucket}?versions&encoding-type=url&prefix=a%20", auth
    )
    assert status == 200
    assert b"<EncodingType>url</EncodingType>" in body
    assert b"<Key>a%20b/c%2Bd</Key>" in body and b"<Prefix>a%20</Prefix>" in body
    status, _, body = _request(
        server, "GET", f"/{bucket}?versions&encoding-type=url&delimiter=%2F", auth
    )
    assert b"<Prefix>a%20b/</Prefix>" in body
    # boto3 asks for url encoding itself, and decodes.
    listed = s3.list_object_versions(Bucket=bucket)
    assert [v["Key"] for v in listed["Versions"]] == ["a b/c+d", "plain"]
    assert [m["Key"] for m in listed["DeleteMarkers"]] == ["plain"]
    s3.create_multipart_upload(Bucket=bucket, Key="up load+1")
    status, _, body = _request(server, "GET", f"/{bucket}?uploads&encoding-type=url", auth)
    assert status == 200
    assert b"<EncodingType>url</EncodingType>" in body
    assert b"<Key>up%20load%2B1</Key>" in body
    status, _, body = _request(server, "GET", f"/{bucket}?uploads", auth)
    assert b"<Key>up load+1</Key>" in body


def test_copy_source_with_version_id(s3: Any) -> None:
    bucket = _versioned(s3)
    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    copied = s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "k", "VersionId": v1}
    )
    assert copied["CopySourceVersionId"] == v1
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"one"
    error = error_of(
        s3.copy_object,
        Bucket=bucket,
        Key="dst",
        CopySource={"Bucket": bucket, "Key": "k", "VersionId": "0" * 32},
    )
    assert (error["Code"], error["Status"]) == ("NoSuchVersion", 404)
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    error = error_of(
        s3.copy_object,
        Bucket=bucket,
        Key="dst",
        CopySource={"Bucket": bucket, "Key": "k", "VersionId": marker},
    )
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidRequest",
        "The source of a copy request may not specifically refer to a delete marker by version id.",
        400,
    )
    try:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "k"})
    except s3.exceptions.ClientError as failure:
        assert failure.response["Error"]["Code"] == "NoSuchKey"
        assert "x-amz-delete-marker" not in failure.response["ResponseMetadata"]["HTTPHeaders"]
    else:
        raise AssertionError("copied a deleted key")


def test_copy_onto_itself(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Metadata={"a": "1"})
    error = error_of(s3.copy_object, Bucket=bucket, Key="k", CopySource=f"{bucket}/k")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidRequest",
        "This copy request is illegal because it is trying to copy an object to itself "
        "without changing the object's metadata, storage class, website redirect location "
        "or encryption attributes.",
        400,
    )
    s3.copy_object(
        Bucket=bucket,
        Key="k",
        CopySource=f"{bucket}/k",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
    )
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["Metadata"] == {"b": "2"}
    # Replacing the tags is a change too.
    s3.copy_object(
        Bucket=bucket,
        Key="k",
        CopySource=f"{bucket}/k",
        TaggingDirective="REPLACE",
        Tagging="t=1",
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "t", "Value": "1"}]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_stored_headers_round_trip(s3: Any, bucket: str) -> None:
    import datetime

    expires = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    s3.put_object(
        Bucket=bucket,
        Key="k",
        Body=b"x",
        ContentDisposition='attachment; filename="a.txt"',
        ContentEncoding="identity",
        Expires=expires,
        CacheControl="max-age=60",
        ContentLanguage="en",
    )
    for answer in (s3.get_object(Bucket=bucket, Key="k"), s3.head_object(Bucket=bucket, Key="k")):
        assert answer["ContentDisposition"] == 'attachment; filename="a.txt"'
        assert answer["ContentEncoding"] == "identity"
        assert answer["CacheControl"] == "max-age=60"
        assert answer["ContentLanguage"] == "en"
        assert answer["ResponseMetadata"]["HTTPHeaders"]["expires"] == (
            "Wed, 02 Jan 2030 03:04:05 GMT"
        )
    # A copy keeps them (COPY directive).
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k")
    assert s3.head_object(Bucket=bucket, Key="copy")["CacheControl"] == "max-age=60"


def test_response_overrides_signed_only(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket,
        Key="k",
        ResponseContentType="application/json",
        ResponseContentDisposition="inline",
        ResponseCacheControl="no-cache",
        ResponseContentEncoding="gzip",
        ResponseContentLanguage="fr",
    )
    assert (got["ContentType"], got["ContentDisposition"], got["CacheControl"]) == (
        "application/json",
        "inline",
        "no-cache",
    )
    assert (got["ContentEncoding"], got["ContentLanguage"]) == ("gzip", "fr")
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": "k", "ResponseContentType": "image/png"},
    )
    import urllib.request

    with urllib.request.urlopen(url) as answer:
        assert answer.headers["Content-Type"] == "image/png"
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(bucket, _public_read(bucket)))
    status, headers, _ = _request(server, "GET", f"/{bucket}/k")
    assert (status, headers["content-type"]) == (200, "text/plain")
    status, _, body = _request(server, "GET", f"/{bucket}/k?response-content-type=image/png")
    assert status == 400
    assert (
        b"<Code>InvalidRequest</Code><Message>Request specific response headers cannot be "
        b"used for anonymous GET requests.</Message>" in body
    )


def test_copy_source_if_match(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ETag"]
    s3.copy_object(Bucket=bucket, Key="ok", CopySource=f"{bucket}/k", CopySourceIfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="ok")["Body"].read() == b"x"
    error = error_of(
        s3.copy_object, Bucket=bucket, Key="no", CopySource=f"{bucket}/k", CopySourceIfMatch='"0"'
    )
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)
    error = error_of(
        s3.copy_object,
        Bucket=bucket,
        Key="no",
        CopySource=f"{bucket}/k",
        CopySourceIfNoneMatch=etag,
    )
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)
    assert error_of(s3.head_object, Bucket=bucket, Key="no")["Status"] == 404
