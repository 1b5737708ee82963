"""Server-side encryption as S3's wire shows it: SSE-S3 (the default since January 2023),
SSE-KMS and SSE-C (customer-provided keys), and the bucket's default encryption.

What an object was encrypted with is kept among its stored headers (model member names:
``ServerSideEncryption``, ``SSEKMSKeyId``, ``SSECustomerAlgorithm``,
``SSECustomerKeyMD5``), so GET and HEAD echo it as S3 does; a customer key itself is never
stored, only its MD5, against which every read of an SSE-C object checks the key it is
given. Bytes are stored as written (no key material is kept to encrypt them with).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket, ObjectVersion

__all__ = [
    "check_part",
    "check_read",
    "default_configuration",
    "for_write",
]

_SSE_C_KEY_MESSAGE = (
    "Requests specifying Server Side Encryption with Customer provided keys must provide an "
    "appropriate secret key."
)
_SSE_C_ALGORITHM_MESSAGE = (
    "Requests specifying Server Side Encryption with Customer provided keys must provide a "
    "valid encryption algorithm."
)
_SSE_C_MD5_MESSAGE = (
    "Requests specifying Server Side Encryption with Customer provided keys must provide the "
    "client calculated MD5 of the secret key."
)
_STORED_ENCRYPTED = (
    "The object was stored using a form of Server Side Encryption. The correct parameters "
    "must be provided to retrieve the object."
)


def default_configuration() -> dict[str, Any]:
    """What GetBucketEncryption answers for a bucket that never set one (SSE-S3)."""
    return {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": False,
            }
        ]
    }


def customer_key_md5(params: dict[str, Any], prefix: str = "") -> str | None:
    """The MD5 of a valid SSE-C key given with the request (None when none is given)."""
    algorithm = params.get(f"{prefix}SSECustomerAlgorithm")
    key = params.get(f"{prefix}SSECustomerKey")
    digest = params.get(f"{prefix}SSECustomerKeyMD5")
    if algorithm is None and key is None and digest is None:
        return None
    if algorithm is None:
        raise oe.InvalidArgument(_SSE_C_ALGORITHM_MESSAGE, "x-amz-server-side-encryption", "null")
    if algorithm != "AES256":
        raise oe.InvalidEncryptionAlgorithm()
    if key is None:
        raise oe.InvalidArgument(_SSE_C_KEY_MESSAGE, "x-amz-server-side-encryption", None)
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise oe.InvalidArgument(
            "The secret key was invalid for the specified algorithm.",
            "x-amz-server-side-encryption",
            None,
        )
    actual = base64.b64encode(hashlib.md5(raw).digest()).decode()
    if digest is None:
        raise oe.InvalidArgument(_SSE_C_MD5_MESSAGE, "x-amz-server-side-encryption", None)
    if digest != actual:
        raise oe.InvalidArgument(
            "The calculated MD5 hash of the key did not match the hash that was provided.",
            "x-amz-server-side-encryption",
            None,
        )
    return actual


def for_write(params: dict[str, Any], bucket: Bucket, region: str, account: str) -> dict[str, str]:
    """The encryption a write asks for (or the bucket's default), as stored headers."""
    md5 = customer_key_md5(params)
    sse = params.get("ServerSideEncryption")
    kms_key = params.get("SSEKMSKeyId")
    if md5 is not None:
        if sse is not None:
            raise oe.InvalidArgument(
                "Server Side Encryption with Customer provided key is incompatible with the "
                "encryption method specified",
                "x-amz-server-side-encryption",
                str(sse),
            )
        return {"SSECustomerAlgorithm": "AES256", "SSECustomerKeyMD5": md5}
    if sse is None:
        if kms_key is not None:
            raise oe.InvalidArgument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header "
                "x-amz-server-side-encryption : aws:kms",
                None,
                None,
            )
        rule = (bucket.configs.get("encryption") or default_configuration())["Rules"][0]
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        sse = default.get("SSEAlgorithm", "AES256")
        kms_key = default.get("KMSMasterKeyID")
    if sse not in ("AES256", "aws:kms", "aws:kms:dsse"):
        raise oe.InvalidArgument(
            "The encryption method specified is not supported",
            "x-amz-server-side-encryption",
            str(sse),
        )
    out = {"ServerSideEncryption": str(sse)}
    if sse != "AES256":
        out["SSEKMSKeyId"] = _kms_arn(kms_key, region, account)
    return out


def _kms_arn(key: str | None, region: str, account: str) -> str:
    if not key:
        return f"arn:aws:kms:{region}:{account}:alias/aws/s3"
    if key.startswith("arn:"):
        return key
    kind = "alias" if key.startswith("alias/") else "key"
    return f"arn:aws:kms:{region}:{account}:{kind}/{key.removeprefix('alias/')}"


def check_read(params: dict[str, Any], version: ObjectVersion, prefix: str = "") -> None:
    """A read (GET, HEAD, a copy's source) of an SSE-C object must bring its key; SSE-C
    headers on any other object are refused, as are SSE-S3/KMS headers on a read."""
    stored = version.headers.get("SSECustomerKeyMD5")
    given = customer_key_md5(params, prefix)
    if stored is None:
        if given is not None:
            raise oe.InvalidRequest("The encryption parameters are not applicable to this object.")
        return
    if given is None:
        raise oe.InvalidRequest(_STORED_ENCRYPTED)
    if given != stored:
        raise oe.AccessDenied()


def check_part(params: dict[str, Any], upload_headers: dict[str, str]) -> None:
    """Each part of an SSE-C upload brings the key the upload was created with."""
    stored = upload_headers.get("SSECustomerKeyMD5")
    given = customer_key_md5(params)
    if stored != given:
        raise oe.InvalidRequest(
            "The provided encryption parameters did not match the ones used originally."
        )
