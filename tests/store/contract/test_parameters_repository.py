"""The ParametersRepository contract: parameters round-trip with their versions, labels
and tags (unicode intact), replace in place, delete by name within one account and
region, and survive close and reopen. Backends: one factory each in
``PARAMETER_BACKENDS``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from stratus.services.parameters.model import Parameter, Version
from stratus.services.parameters.repository import ParametersRepository
from stratus.services.parameters.sqlite import MIGRATIONS, SQLiteParametersRepository
from stratus.store.sqlite.database import SQLiteDatabase

Session = Callable[[], AbstractAsyncContextManager[ParametersRepository]]


def _sqlite(tmp_path: Path) -> Session:
    path = tmp_path / "stratus.db"

    @asynccontextmanager
    async def session() -> AsyncIterator[ParametersRepository]:
        db = SQLiteDatabase(path)
        await db.open({"parameters": MIGRATIONS})
        try:
            yield SQLiteParametersRepository(db)
        finally:
            await db.close()

    return session


PARAMETER_BACKENDS = {"sqlite": _sqlite}


@pytest.fixture(params=sorted(PARAMETER_BACKENDS))
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Session:
    return PARAMETER_BACKENDS[request.param](tmp_path)


def _parameter(name: str, *values: str, account: str = "000000000000") -> Parameter:
    versions = [
        Version(i + 1, value, "String", 1.5 + i, description="ü 🚀", labels=("l",) if i else ())
        for i, value in enumerate(values)
    ]
    return Parameter(account, "us-east-1", name, versions, {"team": "ünï"})


def _key(p: Parameter) -> tuple[str, str, str]:
    return (p.account, p.region, p.name)


async def test_round_trip_replace_and_reopen(session: Session) -> None:
    async with session() as store:
        await store.put(_parameter("/a", "1"))
        await store.put(_parameter("/a", "1", "2 🚀"))  # replaces, does not add
        await store.put(_parameter("/a", "x", account="111111111111"))
    async with session() as store:
        loaded = sorted(await store.load(), key=_key)
    assert loaded == [_parameter("/a", "1", "2 🚀"), _parameter("/a", "x", account="111111111111")]
    assert loaded[0].versions[1].labels == ("l",)


async def test_delete_only_the_names_given_in_that_scope(session: Session) -> None:
    async with session() as store:
        for name in ("/a", "/b", "/c"):
            await store.put(_parameter(name, "v"))
        await store.put(_parameter("/a", "v", account="111111111111"))
        await store.delete("000000000000", "us-east-1", ["/a", "/b", "/missing"])
        left = sorted(_key(p) for p in await store.load())
    assert left == [
        ("000000000000", "us-east-1", "/c"),
        ("111111111111", "us-east-1", "/a"),
    ]


async def test_concurrent_writers_each_land(session: Session) -> None:
    async with session() as store:
        await asyncio.gather(*(store.put(_parameter(f"/p{i}", str(i))) for i in range(20)))
        assert len(await store.load()) == 20
