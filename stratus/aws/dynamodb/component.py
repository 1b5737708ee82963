"""The tables component: the DynamoDB and DynamoDB Streams APIs over one tables service,
its own database file, and its background work (TTL expiry, stream trimming, exports to
and imports from S3).

Exports and imports reach the object store through ``object_store.ObjectsStore``. The
objects component is listed after this one, so it is looked up at ``start`` (every
component is built by then); without it, exports and imports fail as with no bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.dynamodb.object_store import ObjectsStore
from stratus.aws.dynamodb.provider import DynamoDbProvider
from stratus.aws.dynamodb.streams_provider import DynamoDbStreamsProvider
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.s3.component import ObjectsComponent
from stratus.services.event_sources.dynamodb_streams import DynamoDbStreamSource
from stratus.services.tables.housekeeping import Housekeeping
from stratus.services.tables.service import TableService
from stratus.services.tables.sqlite import TABLES_MIGRATIONS
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.workflows.integrations.base import IntegrationEntry
from stratus.workflows.integrations.dynamodb import DynamoDbIntegration, is_dynamodb_item_task

__all__ = ["TablesComponent"]


class TablesComponent(Component):
    name = "tables"

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        # Tables keep their own database file (see services/tables/sqlite.py for why).
        self.db = SQLiteDatabase(
            ctx.data_dir / "tables.db",
            {"tables": TABLES_MIGRATIONS},
            durability=ctx.durability,
        )
        self.tables = TableService(self.db)
        self.tables.collection_limit = ctx.limits.item_collection_bytes
        self._dynamodb = DynamoDbProvider(self.tables)
        self._streams = DynamoDbStreamsProvider(self.tables)
        self._housekeeping = Housekeeping(self.tables)
        self._integration = DynamoDbIntegration(ctx.aws_caller)
        # Streams are a Lambda event source: the functions component's mapping engine
        # reads them through the tables service.
        ctx.require(FunctionsComponent).event_sources.register(
            DynamoDbStreamSource(self.tables, ctx.aws_caller)
        )

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (IntegrationEntry("dynamodb:items", is_dynamodb_item_task, self._integration.run),)

    def providers(self) -> Mapping[str, object]:
        return {"dynamodb": self._dynamodb, "dynamodbstreams": self._streams}

    async def start(self) -> None:
        await self.db.open()
        await self.tables.load()
        for component in self.ctx.components:
            if isinstance(component, ObjectsComponent):
                store = ObjectsStore(component.objects)
                self.tables.exports.store = store
                self.tables.imports.store = store

    def background(self) -> Iterable[BackgroundTask]:
        return (
            BackgroundTask("tables-housekeeping", self._housekeeping.run),
            BackgroundTask("tables-transfers", self.tables.jobs.run),
        )

    async def stop(self) -> None:
        self.tables.close()
        await self.db.close()
