"""Verify a SigV4 signature (``Authorization: AWS4-HMAC-SHA256 ...``) on a plain HTTP request.

The API endpoint only reads the credential scope (``sigv4.py``): Stratus runs with dummy
credentials. A function URL with ``AuthType: AWS_IAM`` is different: its whole point is
that unsigned or wrongly signed requests are refused, so the signature is checked here,
the way AWS computes it (canonical request, string to sign, the derived signing key).
See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

The secret of a key comes from ``secret_for`` (keys Stratus issued: IAM users' access keys,
STS sessions). A key Stratus did not issue has no secret here, yet Stratus accepts any
key on its API by design; for those the caller chooses ``unknown_secret`` (``None``:
refuse them).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, unquote

from botocore.utils import normalize_url_path

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=15)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


class SignatureError(Exception):
    """The request is not signed, or not signed right: why, for the server's log."""


@dataclass(frozen=True, slots=True)
class Signed:
    """Who signed a request that verified."""

    access_key: str
    region: str
    service: str
    session_token: str | None


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret}".encode(), date)
    key = _hmac(key, region)
    key = _hmac(key, service)
    return _hmac(key, "aws4_request")


def canonical_query(raw: str) -> str:
    pairs = []
    for part in raw.split("&") if raw else ():
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((quote(unquote(key), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def _parse_authorization(value: str) -> tuple[list[str], list[str], str]:
    if not value.startswith(ALGORITHM + " "):
        raise SignatureError("not a SigV4 Authorization header")
    fields: dict[str, str] = {}
    for item in value[len(ALGORITHM) + 1 :].split(","):
        name, sep, rest = item.strip().partition("=")
        if sep:
            fields[name] = rest
    try:
        credential = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except KeyError as exc:
        raise SignatureError(f"Authorization lacks {exc.args[0]}") from None
    if len(credential) != 5 or credential[4] != "aws4_request":
        raise SignatureError("malformed credential scope")
    return credential, signed, signature


def verify(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    service: str,
    region: str,
    secret_for: Callable[[str], str | None],
    unknown_secret: str | None = None,
    now: datetime.datetime | None = None,
) -> Signed:
    """The signer of a correctly signed request; raises SignatureError otherwise."""
    values: dict[str, list[str]] = {}
    for name, value in headers:
        values.setdefault(name.lower(), []).append(value)
    authorization = (values.get("authorization") or [""])[0]
    if not authorization:
        raise SignatureError("no Authorization header")
    credential, signed_headers, signature = _parse_authorization(authorization)
    access_key, date, scope_region, scope_service, _ = credential
    if scope_service != service or scope_region != region:
        raise SignatureError(f"credential scope {scope_region}/{scope_service}")
    stamp = (values.get("x-amz-date") or [""])[0]
    try:
        when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    except ValueError:
        raise SignatureError("no valid X-Amz-Date") from None
    if stamp[:8] != date:
        raise SignatureError("X-Amz-Date and the credential scope disagree")
    current = now or datetime.datetime.now(datetime.UTC)
    if abs(current - when) > MAX_SKEW:
        raise SignatureError("signature expired or not yet valid")
    if "host" not in signed_headers:
        raise SignatureError("host is not signed")
    secret = secret_for(access_key)
    if secret is None:
        secret = unknown_secret
    if secret is None:
        raise SignatureError("unknown access key")
    payload_hash = (values.get("x-amz-content-sha256") or [""])[0]
    actual_hash = hashlib.sha256(body).hexdigest()
    if payload_hash and payload_hash != UNSIGNED_PAYLOAD and payload_hash != actual_hash:
        raise SignatureError("body does not match X-Amz-Content-SHA256")
    canonical_headers = "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in values.get(name, []))}\n"
        for name in signed_headers
    )
    canonical = "\n".join(
        [
            method.upper(),
            quote(normalize_url_path(raw_path), safe="/~"),
            canonical_query(raw_query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash or actual_hash,
        ]
    )
    scope = f"{date}/{scope_region}/{scope_service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    expected = hmac.new(
        signing_key(secret, date, scope_region, scope_service), to_sign.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("signature does not match")
    tokens = values.get("x-amz-security-token")
    token = tokens[0] if tokens else None
    return Signed(access_key, scope_region, scope_service, token)
