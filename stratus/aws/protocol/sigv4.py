"""Read (not verify) the SigV4 credential scope: who signed, for which region and service.

The scope is how AWS itself knows the service on a shared endpoint, so routing starts
here. Signatures are not checked: Stratus runs with dummy credentials by design.
See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from stratus.aws.protocol.http import HttpRequest

__all__ = ["CredentialScope", "parse_credential_scope"]


@dataclass(frozen=True, slots=True)
class CredentialScope:
    """``AKID/20240101/us-east-1/lambda/aws4_request`` split into its parts.

    ``region`` is ``None`` for SigV4a (multi-region) scopes and SigV2, ``service`` is
    ``None`` for SigV2 (S3's legacy ``AWS AKID:signature``).
    """

    access_key: str
    region: str | None
    service: str | None


def parse_credential_scope(request: HttpRequest) -> CredentialScope | None:
    """The credential scope of the Authorization header or a presigned URL, if any."""
    auth = request.headers.get("authorization")
    if auth:
        return _from_authorization(auth)
    qs = request.query_string
    if qs:
        start = qs.find("X-Amz-Credential=")
        if start != -1 and (start == 0 or qs[start - 1] == "&"):
            end = qs.find("&", start)
            raw = qs[start + 17 : end if end != -1 else len(qs)]
            return _from_credential(unquote(raw.replace("+", " ")))
        if "AWSAccessKeyId=" in qs:  # presigned SigV2 (S3)
            for pair in qs.split("&"):
                if pair.startswith("AWSAccessKeyId="):
                    return CredentialScope(unquote(pair[15:]), None, None)
    return None


def _from_authorization(auth: str) -> CredentialScope | None:
    if auth.startswith("AWS "):  # SigV2: "AWS AKID:signature"
        key, _, _ = auth[4:].partition(":")
        return CredentialScope(key.strip(), None, None) if key.strip() else None
    start = auth.find("Credential=")
    if start == -1:
        return None
    start += 11
    end = len(auth)
    for stop in (",", " "):  # the scope ends at the first of either (or the header's end)
        found = auth.find(stop, start, end)
        if found != -1:
            end = found
    return _from_credential(auth[start:end])


@lru_cache(maxsize=256)
def _from_credential(credential: str) -> CredentialScope | None:
    """Cached: a client signs with the same scope all day, and the result is frozen."""
    parts = credential.split("/")
    if len(parts) == 5:  # AKID/date/region/service/aws4_request
        return CredentialScope(parts[0], parts[2] or None, parts[3] or None)
    if len(parts) == 4:  # SigV4a: AKID/date/service/aws4_request
        return CredentialScope(parts[0], None, parts[2] or None)
    return None
