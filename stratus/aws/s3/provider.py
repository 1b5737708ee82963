"""The S3 API over the object store: thin adapters from parsed requests to the service.

The operations live in mixins by concern (buckets and their settings, ACLs, Block Public
Access, objects, listings, multipart uploads, browser form uploads, Object Lock, website
configuration, the settings kept but not acted on, the configurations kept by id); this
class joins them, carries the error table, puts every operation
behind the access check (``aws/s3/access.py``), and offers the CORS hooks the app calls
(``preflight`` for ``OPTIONS``, ``cors_headers``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botocore import xform_name

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.protocol.models import load_service
from stratus.aws.s3.access import AccessControl
from stratus.aws.s3.acl import AclOperations
from stratus.aws.s3.buckets import BucketOperations
from stratus.aws.s3.configurations import ConfigurationOperations
from stratus.aws.s3.cors import CorsHooks
from stratus.aws.s3.errors import S3_ERRORS
from stratus.aws.s3.listing import ListingOperations
from stratus.aws.s3.locking import LockOperations
from stratus.aws.s3.multipart import MultipartOperations
from stratus.aws.s3.objects import ObjectOperations
from stratus.aws.s3.post import FormUploads
from stratus.aws.s3.public_access import PublicAccessOperations
from stratus.aws.s3.restore import RestoreOperations
from stratus.aws.s3.settings import SettingOperations
from stratus.aws.s3.website import WebsiteOperations
from stratus.services.objects.service import ObjectsService

Operation = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]

__all__ = ["S3Provider"]


class S3Provider(
    AccessControl,
    AclOperations,
    BucketOperations,
    ObjectOperations,
    RestoreOperations,
    ListingOperations,
    MultipartOperations,
    FormUploads,
    PublicAccessOperations,
    LockOperations,
    WebsiteOperations,
    SettingOperations,
    ConfigurationOperations,
    CorsHooks,
):
    errors: ErrorTable = S3_ERRORS

    def __init__(self, objects: ObjectsService, endpoint_url: str) -> None:
        self.objects = objects
        self.endpoint_url = endpoint_url
        # Every operation first passes the access check (policies, ACLs, accounts).
        for operation in load_service("s3").model.operation_names:
            name = xform_name(operation)
            method = getattr(self, name, None)
            if method is not None:
                setattr(self, name, self._guarded(method))

    def _guarded(self, method: Operation) -> Operation:
        async def guarded(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
            await self._check_access(ctx, params)
            return await method(ctx, params)

        return guarded
