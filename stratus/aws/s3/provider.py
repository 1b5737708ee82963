"""The S3 API over the object store: thin adapters from parsed requests to the service.

The operations live in four mixins by concern (buckets and their settings, objects,
listings, multipart uploads); this class joins them and carries the error table.
"""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.s3.buckets import BucketOperations
from stratus.aws.s3.errors import S3_ERRORS
from stratus.aws.s3.listing import ListingOperations
from stratus.aws.s3.multipart import MultipartOperations
from stratus.aws.s3.objects import ObjectOperations
from stratus.services.objects.service import ObjectsService

__all__ = ["S3Provider"]


class S3Provider(BucketOperations, ObjectOperations, ListingOperations, MultipartOperations):
    errors: ErrorTable = S3_ERRORS

    def __init__(self, objects: ObjectsService, endpoint_url: str) -> None:
        self.objects = objects
        self.endpoint_url = endpoint_url
