"""Browser uploads: ``POST /bucket`` with a ``multipart/form-data`` form (POST Object).

No operation of S3's model describes it, so the app hands such requests to
``browser_upload``. A form with a ``policy`` is signed (``AWSAccessKeyId`` or
``x-amz-credential`` names the key, hence the account); its policy document is checked
(``services/objects/post_policy.py``). A form without one is anonymous and needs the
bucket's policy or ACL to let anyone write. Signatures themselves are not verified, as
everywhere in Stratus. The answer is S3's: 204 by default, 200 or 201 (a ``PostResponse``
document) by ``success_action_status``, or a 303 to ``success_action_redirect``.
See https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlencode
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from stratus.aws.context import RequestContext
from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.aws.s3 import acl, encryption, wire
from stratus.aws.s3.forms import boundary_of, parse_form
from stratus.services.objects import errors as oe
from stratus.services.objects.post_policy import check_policy, check_size
from stratus.services.objects.requests import Checks
from stratus.services.objects.service import ObjectsService

__all__ = ["FormUploads"]

#: Form fields stored as the object's headers (model member names), as on PutObject.
_HEADER_FIELDS = {
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "content-type": "ContentType",
    "expires": "Expires",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "x-amz-storage-class": "StorageClass",
}

#: Form fields choosing the object's encryption (request parameter names).
_SSE_FIELDS = {
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
    "x-amz-server-side-encryption-customer-algorithm": "SSECustomerAlgorithm",
    "x-amz-server-side-encryption-customer-key": "SSECustomerKey",
    "x-amz-server-side-encryption-customer-key-md5": "SSECustomerKeyMD5",
}


def _missing(field: str) -> oe.InvalidArgument:
    return oe.InvalidArgument(
        f"Bucket POST must contain a field named '{field}'.  If it is specified, please check "
        "the order of the fields.",
        field,
        "",
    )


def _tags(text: str | None) -> dict[str, str]:
    """The ``tagging`` field: a ``<Tagging>`` document, as PutObjectTagging's body."""
    if not text:
        return {}
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise oe.MalformedXML()
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        raise oe.MalformedXML() from None
    tag_set = [
        {"Key": tag.findtext("Key") or "", "Value": tag.findtext("Value") or ""}
        for tag in root.iter("Tag")
    ]
    return wire.check_tags(tag_set)


class FormUploads:
    objects: ObjectsService

    async def _check_access(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        raise NotImplementedError  # the provider's: bucket policies, then ACLs

    async def browser_upload(
        self, request: HttpRequest, request_id: str, region: str, account_for: Any
    ) -> HttpResponse:
        """Store the form's file as an object; raises ``ObjectsError`` for S3's errors.
        ``account_for`` maps an access key id (or None) to its account."""
        name = unquote(request.path.strip("/"))
        bucket = self.objects.bucket(name)
        boundary = boundary_of(request.headers.get("content-type", ""))
        if boundary is None:
            raise oe.PreconditionFailed(
                "Bucket POST must be of the enclosure-type multipart/form-data"
            )
        form = parse_form(request.body, boundary)
        fields = form.fields
        if "key" not in fields:
            raise _missing("key")
        if form.file is None:
            raise oe.InvalidArgument(
                "POST requires exactly one file upload per request.", "file", "0"
            )
        key = fields["key"].replace("${filename}", form.filename)
        fields["key"] = key
        access_key: str | None = None
        if "policy" in fields:
            access_key = fields.get("awsaccesskeyid") or (
                fields.get("x-amz-credential", "").split("/")[0] or None
            )
            if access_key is None:
                raise _missing("AWSAccessKeyId")
            if not (fields.get("signature") or fields.get("x-amz-signature")):
                raise _missing("Signature")
            allowed = check_policy(fields["policy"], fields, bucket.name)
            check_size(len(form.file), allowed)
        ctx = RequestContext(
            request_id=request_id,
            service="s3",
            operation="PutObject",
            region=region,
            account_id=account_for(access_key),
            access_key=access_key,
            request=request,
        )
        await self._check_access(ctx, {"Bucket": bucket.name, "Key": key})
        canned = fields.get("acl")
        policy = acl.acl_from_request(
            {"ACL": canned} if canned is not None else {}, ctx.account_id, bucket
        )
        headers = {
            member: fields[field] for field, member in _HEADER_FIELDS.items() if field in fields
        }
        wanted = {member: fields[field] for field, member in _SSE_FIELDS.items() if field in fields}
        headers |= encryption.for_write(wanted, bucket, region, bucket.account)
        if "Expires" in headers:  # stored as a timestamp, as PutObject's header is
            try:
                headers["Expires"] = str(parsedate_to_datetime(headers["Expires"]).timestamp())
            except (TypeError, ValueError):
                del headers["Expires"]
        metadata = {
            field[len("x-amz-meta-") :]: value
            for field, value in fields.items()
            if field.startswith("x-amz-meta-")
        }
        version = await self.objects.put_object(
            bucket.name,
            key,
            form.file,
            wire.requester(ctx),
            headers=headers,
            metadata=metadata,
            tags=_tags(fields.get("tagging")),
            # A Content-MD5 field is checked as PutObject's header is; it is also what lets
            # a form into a bucket whose Object Lock default retention asks for one.
            checks=Checks(content_md5=fields.get("content-md5")),
            event="ObjectCreated:Post",
            acl=policy,
        )
        return self._answer(request, request_id, bucket.name, key, version.etag, fields, version)

    def _answer(
        self,
        request: HttpRequest,
        request_id: str,
        bucket: str,
        key: str,
        etag: str,
        fields: dict[str, str],
        version: Any,
    ) -> HttpResponse:
        host = request.headers.get("host", "")
        location = f"{request.scheme}://{host}/{quote(bucket)}/{quote(key)}"
        headers = [("x-amz-request-id", request_id), ("ETag", etag)]
        if version.version_id != "null":
            headers.append(("x-amz-version-id", version.version_id))
        redirect = fields.get("success_action_redirect") or fields.get("redirect")
        if redirect and redirect.startswith(("http://", "https://")):
            joiner = "&" if "?" in redirect else "?"
            target = redirect + joiner + urlencode({"bucket": bucket, "key": key, "etag": etag})
            headers += [("Location", target), ("Content-Length", "0")]
            return HttpResponse(303, headers, b"")
        headers.append(("Location", location))
        status = fields.get("success_action_status")
        if status == "201":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
                f"<Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket>"
                f"<Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>"
            ).encode()
            headers += [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
            return HttpResponse(201, headers, body)
        headers.append(("Content-Length", "0"))
        return HttpResponse(200 if status == "200" else 204, headers, b"")
