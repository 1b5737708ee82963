"""The store contract: one suite every persistence backend must pass.

Each repository Protocol (``FunctionStore``, ``AsyncInvocationStore``, ``LogStore``,
``WorkflowStore``, ``MappingStore``, ``QueueStore``) has one test module here. The tests call
only the Protocol's methods,
never SQL, so they say what a service may rely on whatever the backend: round trips,
ordering and paging, cascades, uniqueness (``DuplicateKey``), the atomicity the docstrings
promise, durability across close and reopen, concurrent writers, ``StoreClosed`` after
close, and JSON records that round-trip unicode and nested values.

Every test takes the ``backend`` fixture, parametrized over ``BACKENDS``. A backend is a
factory ``(tmp_path) -> Backend``; ``Backend.session()`` opens every repository over
one storage (a fresh connection each time, the same data every time, so a test can close
and reopen to check durability) and closes it on exit.

Adding PostgreSQL is one factory and one line::

    def _postgres(tmp_path: Path) -> Backend:
        # a fresh database per test (e.g. CREATE DATABASE from $STRATUS_TEST_POSTGRES,
        # pytest.skip when unset), its repositories built over it
        ...

    BACKENDS = {"sqlite": _sqlite, "postgres": _postgres}

and every test in this directory runs against it unchanged. ``Stores.settle`` is the one
hook a backend supplies beyond the Protocols: it returns once every write queued without
waiting (``LogStore.append_batch_nowait``, ``append_lines_nowait``) has been committed, so
tests need no sleeps.

Tests are ``async def``; the ``pytest_pyfunc_call`` hook below runs each in a fresh event
loop (``asyncio.run``), so the suite needs no asyncio plugin.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from stratus.services.durable.repository import DurableStore
from stratus.services.durable.sqlite import DURABLE_MIGRATIONS, SQLiteDurableStore
from stratus.services.event_sources.repository import MappingStore
from stratus.services.event_sources.sqlite import SQLiteMappingStore
from stratus.services.functions.capacity_providers import CapacityProviderStore
from stratus.services.functions.repository import AsyncInvocationStore, FunctionStore
from stratus.services.functions.sqlite.capacity_providers import SQLiteCapacityProviderStore
from stratus.services.functions.sqlite.functions import SQLiteFunctionStore
from stratus.services.functions.sqlite.invocations import SQLiteAsyncInvocationStore
from stratus.services.functions.sqlite.schema import FUNCTIONS_MIGRATIONS
from stratus.services.logs.repository import LogStore
from stratus.services.logs.sqlite import SQLiteLogStore
from stratus.services.queues.repository import QueueStore
from stratus.services.queues.sqlite import QUEUES_MIGRATIONS, SQLiteQueueStore
from stratus.store.sqlite.database import SQLiteDatabase
from stratus.workflows.service.repository import WorkflowStore
from stratus.workflows.service.sqlite import WORKFLOWS_MIGRATIONS, SQLiteWorkflowStore


@dataclass(slots=True)
class Stores:
    """Every repository of one open backend, plus the backend's own lifecycle hooks."""

    functions: FunctionStore
    invocations: AsyncInvocationStore
    logs: LogStore
    workflows: WorkflowStore
    mappings: MappingStore
    queues: QueueStore
    durable: DurableStore
    capacity_providers: CapacityProviderStore
    close: Callable[[], Awaitable[None]]
    settle: Callable[[], Awaitable[None]]  # writes queued without waiting are now committed


@dataclass(slots=True)
class Backend:
    """One storage location and how to open repositories over it."""

    name: str
    open: Callable[[], Awaitable[Stores]]

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Stores]:
        stores = await self.open()
        try:
            yield stores
        finally:
            await stores.close()


def _sqlite(tmp_path: Path) -> Backend:
    path = tmp_path / "stratus.db"

    async def open_stores() -> Stores:
        db = SQLiteDatabase(path)
        await db.open(
            {
                "functions": FUNCTIONS_MIGRATIONS,
                "workflows": WORKFLOWS_MIGRATIONS,
                "queues": QUEUES_MIGRATIONS,
                "durable": DURABLE_MIGRATIONS,
            }
        )

        async def settle() -> None:
            await db.write(lambda conn: None)  # one writer, FIFO: everything before is in

        return Stores(
            functions=SQLiteFunctionStore(db),
            invocations=SQLiteAsyncInvocationStore(db),
            logs=SQLiteLogStore(db),
            workflows=SQLiteWorkflowStore(db),
            mappings=SQLiteMappingStore(db),
            queues=SQLiteQueueStore(db),
            durable=SQLiteDurableStore(db),
            capacity_providers=SQLiteCapacityProviderStore(db),
            close=db.close,
            settle=settle,
        )

    return Backend("sqlite", open_stores)


BACKENDS: dict[str, Callable[[Path], Backend]] = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return BACKENDS[request.param](tmp_path)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests of this directory in their own event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs: dict[str, Any] = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True
