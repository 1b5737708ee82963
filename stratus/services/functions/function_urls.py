"""Function URLs: one HTTPS endpoint per function (or alias), as Lambda configures them.

A URL config belongs to the unqualified function or to one of its aliases (never to
``$LATEST`` or a version: the API's qualifier pattern rules those out). It has an id of 32
lowercase letters and digits that names the endpoint
(``{url-id}.lambda-url.{region}.on.aws`` in AWS; ``...localhost:{port}`` here) and never
changes while the config exists. The data plane (``stratus/gateway/function_urls``) finds
configs by that id; this module owns them and keeps them in step with the functions:
deleting a function, or the alias a URL belongs to, deletes its URL as Lambda does.

See https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunctionUrlConfig.html
"""

from __future__ import annotations

import asyncio
import datetime
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from stratus.services.functions.errors import Conflict, NotFound
from stratus.services.functions.names import qualified
from stratus.services.functions.registry import FunctionRegistry

AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
_ID_ALPHABET = string.ascii_lowercase + string.digits
URL_ID_LENGTH = 32
NOT_EXIST = "The resource you requested does not exist."
NO_FUNCTION = "Function does not exist"


def new_url_id() -> str:
    """32 lowercase alphanumerics, as Lambda's url-ids are (unguessable: ``secrets``)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(URL_ID_LENGTH))


def now_text() -> str:
    """Lambda's timestamp for URL configs: ISO 8601 with microseconds and ``Z``."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class UrlConfig:
    """One function URL; ``function_id`` is the unqualified ARN, ``qualifier`` an alias."""

    url_id: str
    function_id: str
    qualifier: str | None
    auth_type: str
    cors: dict[str, Any] | None = None
    invoke_mode: str = "BUFFERED"
    creation_time: str = field(default_factory=now_text)
    last_modified_time: str = field(default_factory=now_text)

    @property
    def function_arn(self) -> str:
        return qualified(self.function_id, self.qualifier)

    @property
    def region(self) -> str:
        return self.function_id.split(":")[3]

    def to_record(self) -> dict[str, Any]:
        return {
            "url_id": self.url_id,
            "function_id": self.function_id,
            "qualifier": self.qualifier,
            "auth_type": self.auth_type,
            "cors": self.cors,
            "invoke_mode": self.invoke_mode,
            "creation_time": self.creation_time,
            "last_modified_time": self.last_modified_time,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> UrlConfig:
        return cls(**record)


class UrlConfigStore(Protocol):
    async def load(self) -> list[UrlConfig]: ...

    async def put(self, config: UrlConfig) -> None: ...

    async def delete(self, url_id: str) -> None: ...


class FunctionUrls:
    """The URL configs of every function, by url-id and by (function, qualifier)."""

    def __init__(self, store: UrlConfigStore, registry: FunctionRegistry) -> None:
        self._store = store
        self._registry = registry
        self._by_id: dict[str, UrlConfig] = {}
        self._by_target: dict[tuple[str, str | None], UrlConfig] = {}
        self._deletions: set[asyncio.Task[None]] = set()  # store deletions under way
        registry.on_change(self._function_changed)

    async def load(self) -> None:
        for config in await self._store.load():
            self._index(config)
        # A function deleted while its URL's row survived (a crash in between) has no URL.
        for config in list(self._by_id.values()):
            if not self._target_exists(config.function_id, config.qualifier):
                await self._drop(config)

    def _index(self, config: UrlConfig) -> None:
        self._by_id[config.url_id] = config
        self._by_target[(config.function_id, config.qualifier)] = config

    async def _drop(self, config: UrlConfig) -> None:
        self._by_id.pop(config.url_id, None)
        self._by_target.pop((config.function_id, config.qualifier), None)
        await self._store.delete(config.url_id)

    # -- lookups ---------------------------------------------------------------------
    def by_id(self, url_id: str) -> UrlConfig | None:
        """The data plane's lookup: one dict access per request."""
        return self._by_id.get(url_id)

    def get(self, function_id: str, qualifier: str | None) -> UrlConfig:
        self._require_function(function_id, NOT_EXIST)
        config = self._by_target.get((function_id, qualifier))
        if config is None:
            raise NotFound(NOT_EXIST)
        return config

    def of_function(self, function_id: str) -> list[UrlConfig]:
        self._require_function(function_id, NO_FUNCTION)
        return sorted(
            (c for c in self._by_id.values() if c.function_id == function_id),
            key=lambda c: c.function_arn,
        )

    def all(self) -> Iterable[UrlConfig]:
        return list(self._by_id.values())

    # -- changes ---------------------------------------------------------------------
    async def create(
        self,
        function_id: str,
        qualifier: str | None,
        *,
        auth_type: str,
        cors: dict[str, Any] | None,
        invoke_mode: str | None,
    ) -> UrlConfig:
        self._require_function(function_id, NO_FUNCTION)
        existing = self._by_target.get((function_id, qualifier))
        if existing is not None:
            raise Conflict(
                f"Failed to create function url config for [functionArn = "
                f"{existing.function_arn}]. Error message:  FunctionUrlConfig exists for this "
                "Lambda function"
            )
        self._require_target(function_id, qualifier)
        stamp = now_text()
        config = UrlConfig(
            url_id=new_url_id(),
            function_id=function_id,
            qualifier=qualifier,
            auth_type=auth_type,
            cors=cors,
            invoke_mode=invoke_mode or "BUFFERED",
            creation_time=stamp,
            last_modified_time=stamp,
        )
        await self._store.put(config)
        self._index(config)
        return config

    async def update(
        self,
        function_id: str,
        qualifier: str | None,
        *,
        auth_type: str | None,
        cors: dict[str, Any] | None,
        invoke_mode: str | None,
    ) -> UrlConfig:
        self._require_function(function_id, NO_FUNCTION)
        self._require_target(function_id, qualifier)
        current = self._by_target.get((function_id, qualifier))
        if current is None:
            raise NotFound(NOT_EXIST)
        config = replace(
            current,
            auth_type=auth_type or current.auth_type,
            cors=cors if cors is not None else current.cors,
            invoke_mode=invoke_mode or current.invoke_mode,
            last_modified_time=now_text(),
        )
        await self._store.put(config)
        self._index(config)
        return config

    async def delete(self, function_id: str, qualifier: str | None) -> None:
        config = self.get(function_id, qualifier)
        await self._drop(config)

    # -- consistency with the functions ----------------------------------------------
    def _require_function(self, function_id: str, message: str) -> None:
        try:
            self._registry.record(function_id)
        except NotFound:
            raise NotFound(message) from None

    def _require_target(self, function_id: str, qualifier: str | None) -> None:
        if not self._target_exists(function_id, qualifier):
            raise NotFound(NO_FUNCTION)

    def _target_exists(self, function_id: str, qualifier: str | None) -> bool:
        try:
            if qualifier is None:
                self._registry.record(function_id)
            else:
                self._registry.alias(function_id, qualifier)
        except NotFound:
            return False
        return True

    def _function_changed(self, function_id: str) -> None:
        """A function or alias was deleted: its URLs go with it (in memory now, in the
        store as soon as the loop runs the deletion)."""
        gone = [
            c
            for c in self._by_id.values()
            if c.function_id == function_id and not self._target_exists(function_id, c.qualifier)
        ]
        for config in gone:
            self._by_id.pop(config.url_id, None)
            self._by_target.pop((config.function_id, config.qualifier), None)
            task = asyncio.get_running_loop().create_task(self._store.delete(config.url_id))
            self._deletions.add(task)
            task.add_done_callback(self._deletions.discard)
