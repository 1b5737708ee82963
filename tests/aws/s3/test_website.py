"""Static website hosting: the configuration operations and the website endpoint on the
gateway port (host and path forms), with index and error documents, redirects, routing
rules and public read through the bucket policy."""

from __future__ import annotations

import http.client
import json
import os
from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess


def _public(s3: Any, bucket: str) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))


class Site:
    """HTTP to the website endpoint; redirects are not followed."""

    def __init__(self, server: ServerProcess, bucket: str, by_path: bool = False) -> None:
        self.server, self.bucket, self.by_path = server, bucket, by_path

    def get(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.gateway_port, timeout=30)
        sent = dict(headers or {})
        if self.by_path:
            path = f"/_aws/s3-website/{self.bucket}{path}"
        else:
            sent["Host"] = f"{self.bucket}.s3-website.localhost:{self.server.gateway_port}"
        conn.request(method, path, headers=sent)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


@pytest.fixture
def site_bucket(s3: Any) -> str:
    name = f"www.{unique('site')}.example"
    s3.create_bucket(Bucket=name)
    return name


def test_website_configuration(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_website, Bucket=bucket)
    assert (error["Code"], error["Message"], error["Status"]) == (
        "NoSuchWebsiteConfiguration",
        "The specified bucket does not have a website configuration",
        404,
    )
    config = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [
            {
                "Condition": {"KeyPrefixEquals": "docs/"},
                "Redirect": {"ReplaceKeyPrefixWith": "documents/"},
            }
        ],
    }
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    assert {k: v for k, v in s3.get_bucket_website(Bucket=bucket).items() if k in config} == (
        config
    )
    s3.delete_bucket_website(Bucket=bucket)
    assert error_of(s3.get_bucket_website, Bucket=bucket)["Code"] == "NoSuchWebsiteConfiguration"


BAD_CONFIGS = [
    pytest.param(
        {},
        "InvalidArgument",
        "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
        id="no-index",
    ),
    pytest.param(
        {"IndexDocument": {"Suffix": "a/index.html"}},
        "InvalidArgument",
        "The IndexDocument Suffix is not well formed",
        id="slash-in-suffix",
    ),
    pytest.param(
        {
            "RedirectAllRequestsTo": {"HostName": "example.com"},
            "IndexDocument": {"Suffix": "index.html"},
        },
        "InvalidArgument",
        "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
        id="redirect-all-and-index",
    ),
    pytest.param(
        {"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}},
        "InvalidRequest",
        "Invalid protocol, protocol can be http or https. If not defined the protocol will be "
        "selected automatically.",
        id="bad-protocol",
    ),
    pytest.param(
        {
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [
                {"Redirect": {"ReplaceKeyPrefixWith": "a/", "ReplaceKeyWith": "b"}},
            ],
        },
        "InvalidRequest",
        "You can only define ReplaceKeyPrefix or ReplaceKey but not both.",
        id="both-replacements",
    ),
    pytest.param(
        {
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [{"Redirect": {"HostName": "example.com"}}] * 51,
        },
        "InvalidRequest",
        "51 routing rules provided, the number of routing rules in a website configuration is "
        "limited to 50.",
        id="too-many-rules",
    ),
]


@pytest.mark.parametrize(("config", "code", "message"), BAD_CONFIGS)
def test_website_configuration_refused(
    raw_s3: Any, bucket: str, config: dict[str, Any], code: str, message: str
) -> None:
    error = error_of(raw_s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=config)
    assert (error["Code"], error["Message"], error["Status"]) == (code, message, 400)
    assert error_of(raw_s3.get_bucket_website, Bucket=bucket)["Code"] == (
        "NoSuchWebsiteConfiguration"
    )


@pytest.mark.parametrize("by_path", [False, True], ids=["host", "path"])
def test_serves_index_and_error_documents(
    server: ServerProcess, s3: Any, site_bucket: str, by_path: bool
) -> None:
    site = Site(server, site_bucket, by_path)
    status, _, body = site.get("/")
    assert status == 404 and b"NoSuchWebsiteConfiguration" in body
    s3.put_bucket_website(
        Bucket=site_bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "error.html"},
        },
    )
    s3.put_object(
        Bucket=site_bucket, Key="index.html", Body=b"<h1>home</h1>", ContentType="text/html"
    )
    s3.put_object(Bucket=site_bucket, Key="docs/index.html", Body=b"docs", ContentType="text/html")
    # Not public yet: S3 refuses anonymous reads.
    status, headers, body = site.get("/")
    assert status == 403
    assert headers["content-type"].startswith("text/html")
    assert b"<li>Code: AccessDenied</li>" in body
    _public(s3, site_bucket)
    status, headers, body = site.get("/")
    assert (status, body, headers["content-type"]) == (200, b"<h1>home</h1>", "text/html")
    assert site.get("/docs/")[2] == b"docs"
    status, headers, _ = site.get("/docs")
    assert (status, headers["location"]) == (302, "/docs/")
    status, headers, body = site.get("/index.html", method="HEAD")
    assert (status, body, headers["content-length"]) == (200, b"", str(len(b"<h1>home</h1>")))
    # A missing key: S3's HTML page until there is an error document, then the document.
    status, _, body = site.get("/missing.html")
    assert status == 404
    assert b"<li>Code: NoSuchKey</li>" in body and b"<li>Key: missing.html</li>" in body
    s3.put_object(Bucket=site_bucket, Key="error.html", Body=b"oops", ContentType="text/html")
    assert site.get("/missing.html")[:3:2] == (404, b"oops")
    status, headers, body = site.get("/index.html", headers={"Range": "bytes=1-3"})
    assert (status, body, headers["content-range"]) == (206, b"h1>", "bytes 1-3/13")
    assert site.get("/index.html", headers={"Range": "bytes=99-"})[:3:2] == (200, b"<h1>home</h1>")
    etag = s3.head_object(Bucket=site_bucket, Key="index.html")["ETag"]
    assert site.get("/", headers={"If-None-Match": etag})[0] == 304
    status, _, body = site.get("/", method="DELETE")
    assert status == 405 and b"MethodNotAllowed" in body


def test_block_public_access_closes_the_site(
    server: ServerProcess, s3: Any, site_bucket: str
) -> None:
    """RestrictPublicBuckets keeps anonymous callers out whatever a public policy says, on
    the website endpoint as on the REST one; lifting it opens the site again."""
    site = Site(server, site_bucket)
    s3.put_bucket_website(
        Bucket=site_bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    s3.put_object(Bucket=site_bucket, Key="index.html", Body=b"home", ContentType="text/html")
    _public(s3, site_bucket)
    assert site.get("/")[:3:2] == (200, b"home")
    s3.put_public_access_block(
        Bucket=site_bucket,
        PublicAccessBlockConfiguration={"RestrictPublicBuckets": True},
    )
    status, _, body = site.get("/")
    assert status == 403 and b"<li>Code: AccessDenied</li>" in body
    s3.delete_public_access_block(Bucket=site_bucket)
    assert site.get("/")[:3:2] == (200, b"home")


def test_customer_keyed_objects_are_not_served(
    server: ServerProcess, s3: Any, site_bucket: str
) -> None:
    """An object under a customer-provided key (SSE-C) needs that key to be read; the
    anonymous website endpoint answers 400 and never sends its bytes."""
    site = Site(server, site_bucket)
    s3.put_bucket_website(
        Bucket=site_bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}},
    )
    _public(s3, site_bucket)
    s3.put_object(
        Bucket=site_bucket,
        Key="secret.html",
        Body=b"the secret",
        SSECustomerAlgorithm="AES256",
        SSECustomerKey=os.urandom(32),
    )
    status, _, body = site.get("/secret.html")
    assert status == 400 and b"<li>Code: InvalidRequest</li>" in body
    assert b"the secret" not in body
    assert site.get("/secret.html", method="HEAD")[0] == 400


def test_archived_objects_are_not_served(server: ServerProcess, s3: Any, site_bucket: str) -> None:
    """A GLACIER object is read only once restored, from the website too: 403."""
    site = Site(server, site_bucket)
    s3.put_bucket_website(
        Bucket=site_bucket,
        WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}},
    )
    _public(s3, site_bucket)
    s3.put_object(Bucket=site_bucket, Key="old.html", Body=b"archived page", StorageClass="GLACIER")
    s3.put_object(
        Bucket=site_bucket, Key="ir.html", Body=b"instant page", StorageClass="GLACIER_IR"
    )
    status, _, body = site.get("/old.html")
    assert status == 403 and b"<li>Code: InvalidObjectState</li>" in body
    assert b"archived page" not in body
    assert site.get("/ir.html")[2] == b"instant page"


def test_redirects_and_routing_rules(server: ServerProcess, s3: Any, site_bucket: str) -> None:
    site = Site(server, site_bucket)
    _public(s3, site_bucket)
    s3.put_bucket_website(
        Bucket=site_bucket,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [
                {
                    "Condition": {"KeyPrefixEquals": "docs/"},
                    "Redirect": {"ReplaceKeyPrefixWith": "documents/"},
                },
                {
                    "Condition": {"HttpErrorCodeReturnedEquals": "404"},
                    "Redirect": {
                        "HostName": "fallback.example.com",
                        "Protocol": "https",
                        "ReplaceKeyPrefixWith": "report-404/",
                        "HttpRedirectCode": "307",
                    },
                },
            ],
        },
    )
    host = f"{site_bucket}.s3-website.localhost:{server.gateway_port}"
    status, headers, _ = site.get("/docs/a%20b.html")
    assert (status, headers["location"]) == (301, f"http://{host}/documents/a%20b.html")
    status, headers, _ = site.get("/nothing/here")
    assert (status, headers["location"]) == (
        307,
        "https://fallback.example.com/report-404/nothing/here",
    )
    s3.put_object(Bucket=site_bucket, Key="old.html", Body=b"", WebsiteRedirectLocation="/new.html")
    status, headers, _ = site.get("/old.html")
    assert (status, headers["location"]) == (301, "/new.html")
    s3.put_bucket_website(
        Bucket=site_bucket,
        WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "example.org"}},
    )
    status, headers, _ = site.get("/any/path")
    assert (status, headers["location"]) == (301, "http://example.org/any/path")


def test_unknown_bucket_and_hostile_paths(server: ServerProcess, s3: Any, site_bucket: str) -> None:
    status, _, body = Site(server, unique("nobucket")).get("/")
    assert status == 404 and b"<li>Code: NoSuchBucket</li>" in body
    _public(s3, site_bucket)
    s3.put_bucket_website(
        Bucket=site_bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )
    s3.put_object(Bucket=site_bucket, Key="index.html", Body=b"home")
    site = Site(server, site_bucket)
    for path in ("/../../etc/passwd", "/%00", "/" + "a" * 5000, "/<script>"):
        status, _, body = site.get(path)
        assert status in (400, 404), path
        assert b"<script>" not in body
    assert site.get("/")[:3:2] == (200, b"home")
