"""The object store's exceptions as S3 answers them: one table.

Codes and statuses from https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
(the model names few of S3's errors, so every rule gives its status).
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.aws.protocol.errors import ServiceError
from stratus.services.objects import errors as oe

__all__ = ["S3_ERRORS"]


def _rule(code: str, status: int) -> Callable[[Any], ServiceError]:
    return ErrorRule(code, status, fields=lambda exc: dict(getattr(exc, "fields", {})))


def _configuration(exc: oe.NoSuchConfiguration) -> ServiceError:
    return ServiceError(exc.message, code=exc.kind, status_code=404, fields=dict(exc.fields))


def _marker_headers(version_id: str) -> list[tuple[str, str]]:
    return [("x-amz-delete-marker", "true"), ("x-amz-version-id", version_id)]


def _no_such_key(exc: oe.NoSuchKey) -> ServiceError:
    """A key whose current version is a delete marker: 404 naming the marker."""
    error = ServiceError(exc.message, code="NoSuchKey", status_code=404, fields=dict(exc.fields))
    if exc.marker is not None:
        error.headers = _marker_headers(exc.marker)
    return error


def _method_not_allowed(exc: oe.MethodNotAllowed) -> ServiceError:
    """A read of a delete marker by its version id: 405 naming the marker, ``Allow:
    DELETE`` and its ``Last-Modified`` (API_GetObject: "the response returns a 405 Method
    Not Allowed error and the Last-Modified: timestamp response header")."""
    error = ServiceError(
        exc.message, code="MethodNotAllowed", status_code=405, fields=dict(exc.fields)
    )
    error.headers = [
        *_marker_headers(exc.version_id),
        ("Allow", "DELETE"),
        ("Last-Modified", formatdate(exc.modified, usegmt=True)),
    ]
    return error


S3_ERRORS = ErrorTable(
    {
        oe.NoSuchBucket: _rule("NoSuchBucket", 404),
        oe.BucketAlreadyExists: _rule("BucketAlreadyExists", 409),
        oe.BucketAlreadyOwnedByYou: _rule("BucketAlreadyOwnedByYou", 409),
        oe.BucketNotEmpty: _rule("BucketNotEmpty", 409),
        oe.InvalidBucketName: _rule("InvalidBucketName", 400),
        oe.InvalidLocationConstraint: _rule("InvalidLocationConstraint", 400),
        oe.InvalidBucketState: _rule("InvalidBucketState", 409),
        oe.NoSuchObjectLockConfiguration: _rule("NoSuchObjectLockConfiguration", 404),
        oe.InvalidRetentionPeriod: _rule("InvalidRetentionPeriod", 400),
        oe.NoSuchConfiguration: _configuration,
        oe.NoSuchKey: _no_such_key,
        oe.NoSuchVersion: _rule("NoSuchVersion", 404),
        oe.MethodNotAllowed: _method_not_allowed,
        oe.InvalidObjectState: _rule("InvalidObjectState", 403),
        oe.RestoreAlreadyInProgress: _rule("RestoreAlreadyInProgress", 409),
        oe.PreconditionFailed: _rule("PreconditionFailed", 412),
        oe.NotModified: _rule("NotModified", 304),
        oe.InvalidRange: _rule("InvalidRange", 416),
        oe.BadDigest: _rule("BadDigest", 400),
        oe.InvalidDigest: _rule("InvalidDigest", 400),
        oe.EntityTooLarge: _rule("EntityTooLarge", 400),
        oe.KeyTooLong: _rule("KeyTooLongError", 400),
        oe.NoSuchUpload: _rule("NoSuchUpload", 404),
        oe.InvalidPart: _rule("InvalidPart", 400),
        oe.InvalidPartOrder: _rule("InvalidPartOrder", 400),
        oe.EntityTooSmall: _rule("EntityTooSmall", 400),
        oe.InvalidArgument: _rule("InvalidArgument", 400),
        oe.InvalidRequest: _rule("InvalidRequest", 400),
        oe.MalformedXML: _rule("MalformedXML", 400),
        oe.InvalidTag: _rule("InvalidTag", 400),
        oe.InvalidTargetBucketForLogging: _rule("InvalidTargetBucketForLogging", 400),
        oe.CrossLocationLoggingProhibited: _rule("CrossLocationLoggingProhibited", 403),
        oe.TooManyConfigurations: _rule("TooManyConfigurations", 400),
        oe.IdMismatch: _rule("IdMismatch", 400),
        oe.InvalidS3DestinationBucket: _rule("InvalidS3DestinationBucket", 400),
        oe.NotificationError: _rule("InvalidArgument", 400),
        oe.InvalidPolicyDocument: _rule("InvalidPolicyDocument", 400),
        oe.MalformedPOSTRequest: _rule("MalformedPOSTRequest", 400),
        oe.AccessControlListNotSupported: _rule("AccessControlListNotSupported", 400),
        oe.InvalidBucketAclWithObjectOwnership: _rule("InvalidBucketAclWithObjectOwnership", 400),
        oe.UnresolvableGrantByEmailAddress: _rule("UnresolvableGrantByEmailAddress", 400),
        oe.MissingSecurityHeader: _rule("MissingSecurityHeader", 400),
        oe.MalformedACLError: _rule("MalformedACLError", 400),
        oe.InvalidEncryptionAlgorithm: _rule("InvalidEncryptionAlgorithmError", 400),
        oe.AccessDenied: _rule("AccessDenied", 403),
        oe.HeaderNotImplemented: _rule("NotImplemented", 501),
        oe.AuthorizationQueryParametersError: _rule("AuthorizationQueryParametersError", 400),
        oe.ObjectsError: _rule("InvalidRequest", 400),
    }
)
