"""The service seam: what one service brings to the platform, and what the platform gives it.

A service is one :class:`Component`. The platform (``stratus/platform.py``) holds a single
ordered list of component classes and, in a loop, constructs each with the
:class:`PlatformContext`, applies its migrations, routes its AWS APIs, registers its Step
Functions integrations, starts it, runs its background tasks and stops it. Nothing is wired
after construction: a component finds the components it builds on (listed before it) with
:meth:`PlatformContext.require` in its constructor, and everything it offers is declared by
the methods below. Adding a service therefore edits its own packages and that list.

Why the component lives in the ``aws`` layer: it bundles the service's AWS adapters
(providers), its workflow integrations and its domain objects, and ``aws`` is the lowest
layer allowed to import all three.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from stratus.aws.accounts import Accounts
from stratus.aws.app import AsgiApp
from stratus.gateway.app import FrontDoor
from stratus.runtime.limits import Limits
from stratus.store.blobs import BlobStore
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.store.sqlite.migrations import Migration
from stratus.workflows.integrations.base import AwsCaller, IntegrationEntry, IntegrationRegistry

__all__ = [
    "BackgroundTask",
    "Component",
    "FrontDoor",
    "IntegrationEntry",
    "PlatformContext",
]

C = TypeVar("C", bound="Component")


@dataclass(frozen=True, slots=True)
class BackgroundTask:
    """A long-running coroutine (poller, timer loop, reaper) the platform supervises."""

    name: str
    run: Callable[[], Coroutine[Any, Any, None]]


@dataclass(slots=True)
class PlatformContext:
    """What the platform hands every component: shared resources and the earlier components."""

    data_dir: Path
    region: str
    endpoint_url: str
    limits: Limits
    durability: str
    db: SQLiteDatabase
    blobs: BlobStore
    accounts: Accounts
    integrations: IntegrationRegistry
    aws_caller: AwsCaller  # calls any of our AWS APIs in-process (answers once serving)
    gateway_port: int = 8080  # users' endpoints (API Gateway, function URLs) are served here
    components: list[Component] = field(default_factory=list)

    def require(self, kind: type[C]) -> C:
        """The already-built component of type ``kind``: a component's dependencies must
        be listed before it, and asking for one that is not is a programming error."""
        for component in self.components:
            if isinstance(component, kind):
                return component
        raise LookupError(
            f"component {kind.__name__} is not built yet: list it before the one needing it"
        )


class Component:
    """One service: its APIs, integrations, background work, storage and lifecycle.

    Subclasses set ``name`` (unique; it keys the component's schema version) and
    ``migrations`` (its SQLite schema, versions 1..N of its own), build their objects in
    ``__init__(ctx)``, and override the hooks they need. Every hook has a no-op default.
    """

    name: ClassVar[str]
    migrations: ClassVar[Sequence[Migration]] = ()

    def __init__(self, ctx: PlatformContext) -> None:
        self.ctx = ctx

    def providers(self) -> Mapping[str, object]:
        """botocore service name -> provider (an object whose ``snake_case`` methods are
        the operations, with an ``errors`` :class:`ErrorTable` for its exceptions)."""
        return {}

    def routes(self, fallback: AsgiApp) -> AsgiApp:
        """The control port's app for the requests that are no AWS call and are this
        service's (a custom resource's ResponseURL, a record of sent SMS), the rest passed
        to ``fallback``; the platform chains every component's in list order."""
        return fallback

    def front_doors(self) -> Iterable[FrontDoor]:
        """Endpoints this service serves on the gateway port (API Gateway's APIs, function
        URLs), each keyed by its host label; see :mod:`stratus.gateway.app`."""
        return ()

    def integrations(self) -> Iterable[IntegrationEntry]:
        """Step Functions task integrations this service offers."""
        return ()

    async def start(self) -> None:
        """Load state from the store (the database is open and migrated)."""

    def background(self) -> Iterable[BackgroundTask]:
        """Long-running tasks, started after every component's ``start``."""
        return ()

    async def ready(self) -> None:
        """Wait until the component serves (e.g. recovered work re-issued)."""

    def begin_shutdown(self) -> None:
        """The server stops accepting requests: release what would hold open ones."""

    async def drain(self) -> None:
        """Wait for in-flight work to finish; the platform bounds the wait."""

    async def stop(self) -> None:
        """Release processes and files; background tasks are already cancelled."""
