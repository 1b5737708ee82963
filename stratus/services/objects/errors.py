"""The object store's exceptions; the S3 adapter maps each to S3's error (``aws/s3/errors``).

::

    ObjectsError
     ├── BucketError
     │    ├── NoSuchBucket, BucketAlreadyExists, BucketAlreadyOwnedByYou, BucketNotEmpty
     │    ├── InvalidBucketName, InvalidLocationConstraint
     │    ├── InvalidBucketState         (versioning vs. Object Lock)
     │    └── NoSuchConfiguration        (a policy, CORS, lifecycle or tag set never set)
     ├── ObjectError
     │    ├── NoSuchKey, NoSuchVersion, MethodNotAllowed (a delete marker read)
     │    ├── PreconditionFailed, NotModified, InvalidRange
     │    ├── BadDigest, InvalidDigest, EntityTooLarge, KeyTooLong
     │    ├── NoSuchObjectLockConfiguration (no retention / legal hold on the version)
     │    ├── InvalidObjectState     (an archived version read before it is restored)
     │    └── RestoreAlreadyInProgress
     ├── UploadError
     │    ├── NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall
     ├── InvalidArgument, InvalidRequest, MalformedXML, InvalidTag, InvalidRetentionPeriod
     ├── InvalidTargetBucketForLogging, CrossLocationLoggingProhibited     (logging)
     ├── TooManyConfigurations, IdMismatch, InvalidS3DestinationBucket
     │                     (analytics, inventory, metrics, Intelligent-Tiering by id)
     ├── InvalidPolicyDocument, MalformedPOSTRequest   (browser uploads' forms)
     ├── AccessControlListNotSupported, InvalidBucketAclWithObjectOwnership,
     │   UnresolvableGrantByEmailAddress, MissingSecurityHeader,
     │   MalformedACLError                                               (ACLs)
     ├── InvalidEncryptionAlgorithm                                     (SSE-C)
     ├── AccessDenied                     (a bucket policy's Deny)
     ├── AuthorizationQueryParametersError (a presigned URL's own parameters)
     ├── HeaderNotImplemented             (a header asking for what S3 does not do)
     └── NotificationError                (a target that does not exist or rejects tests)

``fields`` carries the extra elements S3 writes into its ``<Error>`` (``BucketName``,
``Key``, ``ArgumentName`` ...).
"""

from __future__ import annotations

from typing import Any


class ObjectsError(Exception):
    """Any error of the object store."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}


class BucketError(ObjectsError):
    """A bucket that cannot be used as asked."""


class NoSuchBucket(BucketError):
    def __init__(self, bucket: str) -> None:
        super().__init__("The specified bucket does not exist", BucketName=bucket)


class BucketAlreadyExists(BucketError):
    def __init__(self, bucket: str) -> None:
        super().__init__(
            "The requested bucket name is not available. The bucket namespace is shared by "
            "all users of the system. Please select a different name and try again.",
            BucketName=bucket,
        )


class BucketAlreadyOwnedByYou(BucketError):
    def __init__(self, bucket: str) -> None:
        super().__init__(
            "Your previous request to create the named bucket succeeded and you already own it.",
            BucketName=bucket,
        )


class BucketNotEmpty(BucketError):
    def __init__(self, bucket: str) -> None:
        super().__init__("The bucket you tried to delete is not empty", BucketName=bucket)


class InvalidBucketName(BucketError):
    def __init__(self, bucket: str) -> None:
        super().__init__("The specified bucket is not valid.", BucketName=bucket)


class InvalidLocationConstraint(BucketError):
    """A ``LocationConstraint`` S3 does not take (``us-east-1`` is given by none)."""

    def __init__(self, constraint: str) -> None:
        super().__init__(
            "The specified location-constraint is not valid", LocationConstraint=constraint
        )


class InvalidBucketState(BucketError):
    """A request the bucket's versioning or Object Lock state forbids (409)."""


class NoSuchConfiguration(BucketError):
    """A bucket sub-resource that was never set; ``kind`` picks S3's code."""

    def __init__(self, kind: str, message: str, bucket: str) -> None:
        super().__init__(message, BucketName=bucket)
        self.kind = kind


class ObjectError(ObjectsError):
    """An object that cannot be read or written as asked."""


class NoSuchKey(ObjectError):
    """``marker``: the delete marker that is the key's current version, if one is (S3
    then names it in ``x-amz-delete-marker`` / ``x-amz-version-id`` headers)."""

    def __init__(self, key: str, marker: str | None = None) -> None:
        super().__init__("The specified key does not exist.", Key=key)
        self.marker = marker


class NoSuchVersion(ObjectError):
    def __init__(self, key: str, version_id: str) -> None:
        super().__init__("The specified version does not exist.", Key=key, VersionId=version_id)


class InvalidObjectState(ObjectError):
    """An archived version (GLACIER, DEEP_ARCHIVE) read or copied without a restored
    copy, or a restore asked of a version that is not archived."""

    def __init__(self, message: str, storage_class: str | None = None) -> None:
        super().__init__(message, StorageClass=storage_class)


class RestoreAlreadyInProgress(ObjectError):
    def __init__(self) -> None:
        super().__init__("Object restore is already in progress")


class MethodNotAllowed(ObjectError):
    """A GET or HEAD of a delete marker (S3 answers 405 and names the marker)."""

    def __init__(self, version_id: str, method: str = "GET", modified: float = 0.0) -> None:
        super().__init__(
            "The specified method is not allowed against this resource.",
            Method=method,
            ResourceType="DeleteMarker",
        )
        self.version_id = version_id
        self.modified = modified


class PreconditionFailed(ObjectError):
    def __init__(self, condition: str) -> None:
        super().__init__(
            "At least one of the pre-conditions you specified did not hold",
            Condition=condition,
        )


class NotModified(ObjectError):
    """If-None-Match / If-Modified-Since held back the object: 304, no body."""

    def __init__(self, etag: str, last_modified: float) -> None:
        super().__init__("Not Modified")
        self.etag = etag
        self.last_modified = last_modified


class InvalidRange(ObjectError):
    def __init__(self, size: int, requested: str) -> None:
        super().__init__(
            "The requested range is not satisfiable",
            RangeRequested=requested,
            ActualObjectSize=size,
        )


class BadDigest(ObjectError):
    def __init__(
        self, message: str = "The Content-MD5 you specified did not match what we received."
    ) -> None:
        super().__init__(message)


class InvalidDigest(ObjectError):
    def __init__(self) -> None:
        super().__init__("The Content-MD5 you specified is not valid.")


class EntityTooLarge(ObjectError):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            "Your proposed upload exceeds the maximum allowed size",
            ProposedSize=size,
            MaxSizeAllowed=limit,
        )


class KeyTooLong(ObjectError):
    def __init__(self) -> None:
        super().__init__("Your key is too long")


class NoSuchObjectLockConfiguration(ObjectError):
    def __init__(self) -> None:
        super().__init__("The specified object does not have a ObjectLock configuration")


class UploadError(ObjectsError):
    """A multipart upload that cannot proceed as asked."""


class NoSuchUpload(UploadError):
    def __init__(self, upload_id: str) -> None:
        super().__init__(
            "The specified upload does not exist. The upload ID may be invalid, or the "
            "upload may have been aborted or completed.",
            UploadId=upload_id,
        )


class InvalidPart(UploadError):
    def __init__(self, upload_id: str, part_number: int, etag: str) -> None:
        super().__init__(
            "One or more of the specified parts could not be found.  The part may not have "
            "been uploaded, or the specified entity tag may not match the part's entity tag.",
            UploadId=upload_id,
            PartNumber=part_number,
            ETag=etag,
        )


class InvalidPartOrder(UploadError):
    def __init__(self, upload_id: str) -> None:
        super().__init__(
            "The list of parts was not in ascending order. The parts list must be specified "
            "in order by part number.",
            UploadId=upload_id,
        )


class EntityTooSmall(UploadError):
    def __init__(
        self,
        size: int,
        minimum: int = 5 * 1024 * 1024,
        message: str = "Your proposed upload is smaller than the minimum allowed object size.",
    ) -> None:
        super().__init__(message, ProposedSize=size, MinSizeAllowed=minimum)


class InvalidArgument(ObjectsError):
    def __init__(self, message: str, name: str | None = None, value: str | None = None) -> None:
        super().__init__(message, ArgumentName=name, ArgumentValue=value)


class InvalidRequest(ObjectsError):
    """A request S3 refuses as a whole (``InvalidRequest``)."""


class MalformedXML(ObjectsError):
    def __init__(self) -> None:
        super().__init__(
            "The XML you provided was not well-formed or did not validate against our "
            "published schema"
        )


class InvalidTargetBucketForLogging(ObjectsError):
    """A logging target that does not exist or belongs to another account."""

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message, TargetBucket=target)


class CrossLocationLoggingProhibited(ObjectsError):
    """A logging target in another region than the bucket it logs (403 on S3)."""

    def __init__(self, source_region: str, target_region: str) -> None:
        super().__init__(
            "Cross S3 location logging not allowed. ",
            SourceBucketLocation=source_region,
            TargetBucketLocation=target_region,
        )


class TooManyConfigurations(ObjectsError):
    """A 1,001st analytics, inventory, metrics or Intelligent-Tiering configuration."""

    def __init__(self) -> None:
        super().__init__(
            "You are attempting to create a new configuration but have already reached the "
            "1,000-configuration limit."
        )


class IdMismatch(ObjectsError):
    """An inventory configuration whose ``Id`` is not the one its request names."""

    def __init__(self) -> None:
        super().__init__("Document ID does not match the specified configuration ID.")


class InvalidS3DestinationBucket(ObjectsError):
    """An inventory destination that is not a bucket ARN."""

    def __init__(self) -> None:
        super().__init__("Invalid bucket ARN.")


class InvalidRetentionPeriod(ObjectsError):
    def __init__(self) -> None:
        super().__init__("Default retention period must be a positive integer value.")


class InvalidTag(ObjectsError):
    """A tag set S3 refuses (too many, duplicate keys, too long)."""


class AccessDenied(ObjectsError):
    """A bucket policy's Deny statement refuses the request."""

    def __init__(self, message: str = "Access Denied") -> None:
        super().__init__(message)


class HeaderNotImplemented(ObjectsError):
    """A header that asks for what S3 does not do (``If-None-Match`` with an ETag on a
    write: S3 writes only if nothing is there, ``*``)."""

    def __init__(self, header: str) -> None:
        super().__init__(
            "A header you provided implies functionality that is not implemented",
            Header=header,
        )


class AuthorizationQueryParametersError(ObjectsError):
    """A presigned URL whose ``X-Amz-Expires`` is no number, negative or past a week."""


class InvalidPolicyDocument(ObjectsError):
    """A browser upload's policy document that is not one (bad JSON, a bad condition)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid Policy: {reason}")


class MalformedPOSTRequest(ObjectsError):
    def __init__(self) -> None:
        super().__init__("The body of your POST request is not well-formed multipart/form-data.")


class AccessControlListNotSupported(ObjectsError):
    """An ACL on a bucket whose Object Ownership is BucketOwnerEnforced."""

    def __init__(self) -> None:
        super().__init__("The bucket does not allow ACLs")


class UnresolvableGrantByEmailAddress(ObjectsError):
    def __init__(self) -> None:
        super().__init__("The e-mail address you provided does not match any account on record.")


class InvalidEncryptionAlgorithm(ObjectsError):
    def __init__(self) -> None:
        super().__init__(
            "The Encryption request you specified is not valid. Supported value: AES256."
        )


class MalformedACLError(ObjectsError):
    def __init__(self) -> None:
        super().__init__(
            "The XML you provided was not well-formed or did not validate against our "
            "published schema"
        )


class MissingSecurityHeader(ObjectsError):
    def __init__(self) -> None:
        super().__init__("Your request was missing a required header")


class InvalidBucketAclWithObjectOwnership(ObjectsError):
    def __init__(self) -> None:
        super().__init__(
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
        )


class NotificationError(ObjectsError):
    """A notification configuration naming a target that cannot receive events."""
