"""Browser uploads (POST Object) against the real server: forms signed by boto3's own
``generate_presigned_post``, posted with httpx as a browser would, and S3's errors for
policies and forms it refuses."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess


def _post(
    server: ServerProcess,
    bucket: str,
    fields: dict[str, str],
    content: bytes = b"hello",
    filename: str = "hello.txt",
    **kwargs: Any,
) -> httpx.Response:
    return httpx.post(
        f"{server.endpoint}/{bucket}",
        data=fields,
        files={"file": (filename, content)},
        timeout=30,
        **kwargs,
    )


def _error(response: httpx.Response) -> tuple[int, str, str]:
    root = ElementTree.fromstring(response.content)
    return response.status_code, root.findtext("Code") or "", root.findtext("Message") or ""


def _policy(document: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def _signed(bucket: str, conditions: list[Any], expires_in: float = 600.0) -> dict[str, str]:
    """A SigV2-style form as ceph's suite and older SDKs build it (signature unchecked)."""
    expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in))
    return {
        "AWSAccessKeyId": "test",
        "policy": _policy({"expiration": expiration, "conditions": conditions}),
        "signature": "c2lnbmF0dXJl",
    }


def test_presigned_post_from_boto3_stores_the_file(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    post = s3.generate_presigned_post(
        bucket,
        "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-owner": "ana"},
        Conditions=[
            ["starts-with", "$key", "uploads/"],
            {"Content-Type": "text/plain"},
            {"x-amz-meta-owner": "ana"},
            ["content-length-range", 1, 100],
        ],
    )
    response = httpx.post(
        post["url"], data=post["fields"], files={"file": ("notes.txt", b"a note")}, timeout=30
    )
    assert response.status_code == 204, response.text
    assert response.headers["ETag"] == '"{}"'.format(
        __import__("hashlib").md5(b"a note").hexdigest()
    )
    assert response.headers["Location"].endswith(f"/{bucket}/uploads/notes.txt")
    stored = s3.get_object(Bucket=bucket, Key="uploads/notes.txt")
    assert stored["Body"].read() == b"a note"
    assert stored["ContentType"] == "text/plain"
    assert stored["Metadata"] == {"owner": "ana"}


def test_success_action_status_201_answers_a_post_response(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    fields = {"key": "k.txt", "success_action_status": "201"}
    fields |= _signed(
        bucket, [{"bucket": bucket}, {"key": "k.txt"}, {"success_action_status": "201"}]
    )
    response = _post(server, bucket, fields)
    assert response.status_code == 201
    root = ElementTree.fromstring(response.content)
    assert root.tag == "PostResponse"
    assert root.findtext("Bucket") == bucket
    assert root.findtext("Key") == "k.txt"
    assert root.findtext("ETag") == s3.head_object(Bucket=bucket, Key="k.txt")["ETag"]


@pytest.mark.parametrize(("status", "expected"), [("200", 200), ("404", 204), ("", 204)])
def test_success_action_status_other_values(
    server: ServerProcess, bucket: str, status: str, expected: int
) -> None:
    fields = {"key": "k", "success_action_status": status}
    fields |= _signed(
        bucket, [{"bucket": bucket}, {"key": "k"}, ["starts-with", "$success_action_status", ""]]
    )
    response = _post(server, bucket, fields)
    assert response.status_code == expected
    assert response.content == b""


def test_success_action_redirect_sends_the_browser_on(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    target = "https://example.com/done"
    fields = {"key": "r.txt", "success_action_redirect": target}
    fields |= _signed(bucket, [{"key": "r.txt"}, {"success_action_redirect": target}])
    response = _post(server, bucket, fields)
    assert response.status_code == 303
    etag = s3.head_object(Bucket=bucket, Key="r.txt")["ETag"]
    assert response.headers["Location"] == (
        f"{target}?bucket={bucket}&key=r.txt&etag={etag.replace(chr(34), '%22')}"
    )


def test_tagging_field_tags_the_object(server: ServerProcess, s3: Any, bucket: str) -> None:
    tagging = "<Tagging><TagSet><Tag><Key>team</Key><Value>blue</Value></Tag></TagSet></Tagging>"
    fields = {"key": "t", "tagging": tagging}
    fields |= _signed(bucket, [{"key": "t"}, {"tagging": tagging}])
    assert _post(server, bucket, fields).status_code == 204
    tags = s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]
    assert tags == [{"Key": "team", "Value": "blue"}]


def test_field_names_and_operators_are_case_insensitive(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    fields = {"kEy": "foo.txt", "Content-Type": "text/plain"}
    fields |= _signed(
        bucket,
        [{"bUcKeT": bucket}, ["StArTs-WiTh", "$KeY", "foo"], ["eq", "$content-type", "text/plain"]],
    )
    assert _post(server, bucket, fields).status_code == 204
    assert s3.head_object(Bucket=bucket, Key="foo.txt")["ContentType"] == "text/plain"


def test_expired_policy_is_refused(server: ServerProcess, s3: Any, bucket: str) -> None:
    fields = {"key": "late"} | _signed(bucket, [{"key": "late"}], expires_in=-60)
    assert _error(_post(server, bucket, fields)) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_failed_condition_is_refused(server: ServerProcess, s3: Any, bucket: str) -> None:
    fields = {"key": "other/x"} | _signed(bucket, [["starts-with", "$key", "uploads/"]])
    assert _error(_post(server, bucket, fields)) == (
        403,
        "AccessDenied",
        'Invalid according to Policy: Policy Condition failed: ["starts-with","$key","uploads/"]',
    )
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_field_no_condition_names_is_refused(server: ServerProcess, bucket: str) -> None:
    fields = {"key": "x", "x-amz-meta-extra": "1", "x-ignore-this": "ok"}
    fields |= _signed(bucket, [{"key": "x"}])
    assert _error(_post(server, bucket, fields)) == (
        403,
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
    )


@pytest.mark.parametrize(
    ("size", "code", "message"),
    [
        (11, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"),
        (2, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"),
    ],
)
def test_content_length_range_bounds_the_file(
    server: ServerProcess, s3: Any, bucket: str, size: int, code: str, message: str
) -> None:
    fields = {"key": "sized"} | _signed(bucket, [{"key": "sized"}, ["content-length-range", 3, 10]])
    assert _error(_post(server, bucket, fields, content=b"x" * size)) == (400, code, message)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"conditions": []}, "Invalid Policy: Policy missing expiration."),
        ({"expiration": "2100-01-01T00:00:00Z"}, "Invalid Policy: Policy missing conditions."),
        (
            {"expiration": "tomorrow", "conditions": []},
            "Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
        ),
        (
            {"expiration": "2100-01-01T00:00:00Z", "conditions": [{"key": 1}]},
            "Invalid Policy: Invalid Simple-Condition: value must be a string.",
        ),
        (
            {"expiration": "2100-01-01T00:00:00Z", "conditions": [{}]},
            "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one "
            "property specified.",
        ),
        (
            {"expiration": "2100-01-01T00:00:00Z", "conditions": [["content-length-range", 5]]},
            'Invalid Policy: Invalid content-length-range condition: ["content-length-range",5]',
        ),
    ],
)
def test_malformed_policy_documents(
    server: ServerProcess, bucket: str, document: dict[str, Any], message: str
) -> None:
    fields = {"key": "k", "AWSAccessKeyId": "test", "signature": "x", "policy": _policy(document)}
    assert _error(_post(server, bucket, fields)) == (400, "InvalidPolicyDocument", message)


def test_policy_that_is_not_base64_json(server: ServerProcess, bucket: str) -> None:
    fields = {"key": "k", "AWSAccessKeyId": "test", "signature": "x", "policy": "%%%not json"}
    assert _error(_post(server, bucket, fields)) == (
        400,
        "InvalidPolicyDocument",
        "Invalid Policy: Invalid JSON.",
    )


def test_missing_fields(server: ServerProcess, bucket: str) -> None:
    signed = _signed(bucket, [["starts-with", "$key", ""]])
    assert _error(_post(server, bucket, dict(signed))) == (
        400,
        "InvalidArgument",
        "Bucket POST must contain a field named 'key'.  If it is specified, please check the "
        "order of the fields.",
    )
    unsigned = {k: v for k, v in signed.items() if k != "signature"} | {"key": "k"}
    assert _error(_post(server, bucket, unsigned))[:2] == (400, "InvalidArgument")
    no_file = httpx.post(f"{server.endpoint}/{bucket}", files={"key": (None, "k")}, timeout=30)
    assert _error(no_file) == (
        400,
        "InvalidArgument",
        "POST requires exactly one file upload per request.",
    )


def test_anonymous_form_needs_a_bucket_that_lets_anyone_write(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    assert _error(_post(server, bucket, {"key": "anon"}))[:2] == (403, "AccessDenied")
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    assert _post(server, bucket, {"key": "anon"}).status_code == 204
    assert s3.get_object(Bucket=bucket, Key="anon")["Body"].read() == b"hello"


def test_acl_field_on_a_bucket_that_disables_acls(server: ServerProcess, bucket: str) -> None:
    fields = {"key": "a", "acl": "public-read"} | _signed(
        bucket, [{"key": "a"}, {"acl": "public-read"}]
    )
    assert _error(_post(server, bucket, fields)) == (
        400,
        "AccessControlListNotSupported",
        "The bucket does not allow ACLs",
    )
    private = {"key": "a", "acl": "private"} | _signed(bucket, [{"key": "a"}, {"acl": "private"}])
    assert _post(server, bucket, private).status_code == 204


def test_unknown_bucket(server: ServerProcess) -> None:
    status, code, _ = _error(_post(server, unique(), {"key": "k"}))
    assert (status, code) == (404, "NoSuchBucket")


def test_hostile_forms_leave_the_store_intact(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="keep", Body=b"kept")
    url = f"{server.endpoint}/{bucket}"
    # Not a form at all.
    not_form = httpx.post(url, content=b"key=k", headers={"Content-Type": "text/plain"})
    assert _error(not_form)[:2] == (412, "PreconditionFailed")
    # A form whose closing boundary never comes.
    truncated = b'--xx\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n--xx\r\n'
    truncated += b'Content-Disposition: form-data; name="file"\r\n\r\n' + b"z" * 100_000
    response = httpx.post(
        url, content=truncated, headers={"Content-Type": "multipart/form-data; boundary=xx"}
    )
    assert _error(response) == (
        400,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data.",
    )
    # Endless little fields before any file.
    many = b"".join(
        b'--xx\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i for i in range(5000)
    )
    response = httpx.post(
        url,
        content=many + b"--xx--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert _error(response)[:2] == (400, "MalformedPOSTRequest")
    # An entity bomb in the tagging field.
    bomb = '<!DOCTYPE t [<!ENTITY a "aaaaaaaaaa">]><Tagging><TagSet><Tag><Key>&a;</Key><Value>v</Value></Tag></TagSet></Tagging>'
    fields = {"key": "bomb", "tagging": bomb} | _signed(
        bucket, [{"key": "bomb"}, {"tagging": bomb}]
    )
    assert _error(_post(server, bucket, fields))[:2] == (400, "MalformedXML")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == ["keep"]
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"kept"


def test_object_lock_default_retention_needs_content_md5(server: ServerProcess, s3: Any) -> None:
    """A form into a bucket whose Object Lock sets a default retention must prove its bytes
    with Content-MD5, as PutObject must; a wrong digest stores nothing, a right one gets
    the retention."""
    name = unique("postlock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )
    digest = base64.b64encode(__import__("hashlib").md5(b"kept").digest()).decode()

    def form(md5: str | None) -> dict[str, str]:
        fields = {"key": "kept.txt"}
        conditions: list[Any] = [{"key": "kept.txt"}]
        if md5 is not None:
            fields["Content-MD5"] = md5
            conditions.append({"content-md5": md5})
        return fields | _signed(name, conditions)

    assert _error(_post(server, name, form(None), b"kept")) == (
        400,
        "InvalidRequest",
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests "
        "with Object Lock parameters",
    )
    wrong = base64.b64encode(b"0" * 16).decode()
    assert _error(_post(server, name, form(wrong), b"kept"))[:2] == (400, "BadDigest")
    assert s3.list_object_versions(Bucket=name).get("Versions") is None
    assert _post(server, name, form(digest), b"kept").status_code == 204
    head = s3.head_object(Bucket=name, Key="kept.txt")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    version = head["VersionId"]
    error = error_of(s3.delete_object, Bucket=name, Key="kept.txt", VersionId=version)
    assert (error["Code"], error["Status"]) == ("AccessDenied", 403)
    s3.delete_object(Bucket=name, Key="kept.txt", VersionId=version, BypassGovernanceRetention=True)
