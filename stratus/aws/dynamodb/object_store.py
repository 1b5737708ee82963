"""The tables service's ObjectStore (exports, imports) over the objects service: what an
export writes is an ordinary object, with its notifications, as DynamoDB's writes to S3
are on AWS."""

from __future__ import annotations

import uuid

from stratus.services.objects import errors as oe
from stratus.services.objects.requests import Requester
from stratus.services.objects.service import ObjectsService
from stratus.services.tables.object_store import StoredObject, StoreFailure

NO_BUCKET = ("S3NoSuchBucket", "The specified bucket does not exist")
PAGE = 1000


class ObjectsStore:
    def __init__(self, objects: ObjectsService) -> None:
        self._objects = objects

    def owner(self, bucket: str) -> str:
        try:
            return self._objects.bucket(bucket).account
        except oe.NoSuchBucket:
            raise StoreFailure(*NO_BUCKET) from None

    async def put(self, bucket: str, key: str, data: bytes, account: str, region: str) -> str:
        who = Requester(account, region, uuid.uuid4().hex, "dynamodb.amazonaws.com")
        try:
            version = await self._objects.put_object(bucket, key, data, who)
        except oe.NoSuchBucket:
            raise StoreFailure(*NO_BUCKET) from None
        except oe.ObjectsError as exc:
            raise StoreFailure(type(exc).__name__, str(exc)) from None
        return version.etag.strip('"')

    async def list(self, bucket: str, prefix: str) -> list[StoredObject]:
        try:
            found = self._objects.bucket(bucket)
        except oe.NoSuchBucket:
            raise StoreFailure(*NO_BUCKET) from None
        result: list[StoredObject] = []
        after = ""
        while True:
            page = await self._objects.list_latest(found, prefix, after, PAGE)
            result.extend(StoredObject(v.key, v.size) for v in page if not v.delete_marker)
            if len(page) < PAGE:
                return result
            after = page[-1].key

    async def get(self, bucket: str, key: str) -> bytes:
        try:
            version = await self._objects.head(bucket, key)
            return await self._objects.read_bytes(version)
        except oe.NoSuchBucket:
            raise StoreFailure(*NO_BUCKET) from None
        except oe.ObjectsError as exc:
            raise StoreFailure(type(exc).__name__, str(exc)) from None
