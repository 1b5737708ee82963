"""The functions service's lifecycle in-process: a Pending function answers Lambda's error
when its code cannot be made ready in time, and a restart settles what a crash left
Pending. Real components throughout (SQLite store, blob store, code store)."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import pytest

from stratus.aws.lambda_.component import FunctionsComponent
from stratus.platform import Platform, PlatformConfig
from stratus.services.functions.errors import Conflict
from stratus.services.functions.names import function_arn
from stratus.services.functions.settings import FunctionSettings

ROLE = "arn:aws:iam::000000000000:role/test"
F = function_arn("us-east-1", "f")  # a function is known by its ARN


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _settings() -> FunctionSettings:
    return FunctionSettings(runtime="python3.12", role=ROLE, handler="app.handler")


async def _open(data_dir: Path) -> FunctionsComponent:
    """The functions component of a platform whose database is open, state loaded, and
    no background task running (the tests drive settling themselves)."""
    platform = Platform(PlatformConfig(data_dir=data_dir))
    await platform.db.open({c.name: c.migrations for c in platform.components})
    functions = platform.component(FunctionsComponent)
    snapshot = await functions.function_store.load()
    functions.layers.load(snapshot.layers)
    await functions.registry.load()
    return functions


def test_pending_invoke_answers_resource_conflict(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str, str]:
        platform = await _open(tmp_path / "data")
        try:
            platform.invocations.settle_wait_s = 0.0  # no time to extract: Lambda's answer
            config = await platform.registry.create(F, _settings(), _zip())
            with pytest.raises(Conflict) as error:
                await platform.invocations.invoke(F, None, b"{}")
            settled = await platform.registry.settle(F)
            return config.state, error.value.message, settled.state
        finally:
            await platform.ctx.db.close()

    before, message, after = asyncio.run(scenario())
    assert before == "Pending"
    assert message == (
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Pending"
    )
    assert after == "Active"


def test_restart_settles_what_was_pending(tmp_path: Path) -> None:
    async def create() -> str:
        platform = await _open(tmp_path / "data")
        try:
            config = await platform.registry.create(F, _settings(), _zip())
            return config.state
        finally:
            await platform.ctx.db.close()  # "crash" before the background settle ran

    async def reopen() -> tuple[str, str]:
        platform = await _open(tmp_path / "data")
        try:
            pending = platform.registry.latest(F).state
            task = asyncio.create_task(platform.registry.run())
            try:
                for _ in range(2000):
                    if platform.registry.latest(F).state != "Pending":
                        break
                    await asyncio.sleep(0.01)
            finally:
                task.cancel()
            return pending, platform.registry.latest(F).state
        finally:
            await platform.ctx.db.close()

    assert asyncio.run(create()) == "Pending"
    assert asyncio.run(reopen()) == ("Pending", "Active")


def test_code_that_cannot_be_prepared_fails_the_function(tmp_path: Path) -> None:
    """The stored zip is gone (a damaged data directory): Lambda's Failed state, and Invoke
    answers with it instead of running nothing."""

    async def scenario() -> tuple[str, str | None, str]:
        platform = await _open(tmp_path / "data")
        try:
            config = await platform.registry.create(F, _settings(), _zip())
            platform.ctx.blobs.path(config.code_digest).unlink()
            failed = await platform.registry.settle(F)
            with pytest.raises(Conflict) as error:
                await platform.invocations.invoke(F, None, b"{}")
            return failed.state, failed.state_reason_code, error.value.message
        finally:
            await platform.ctx.db.close()

    state, code, message = asyncio.run(scenario())
    assert (state, code) == ("Failed", "InternalError")
    assert message == (
        "The operation cannot be performed at this time. The function is currently in the "
        "following state: Failed"
    )


def test_a_settled_function_is_prepared_before_its_first_invoke(tmp_path: Path) -> None:
    """Once a function's code is ready, its user and bytecode folder are made in the
    background (the part of a cold start that needs no environment), so its first
    caller does not wait for them; the first invoke then finds them and answers."""
    from stratus.runtime.local.factory import UIDS_LOG

    async def scenario() -> tuple[str, str, bytes]:
        platform = Platform(PlatformConfig(data_dir=tmp_path / "data", shutdown_grace_s=5.0))
        await platform.start()
        try:
            functions = platform.component(FunctionsComponent)
            await functions.registry.create(F, _settings(), _zip())
            await functions.registry.wait_settled(F, 10.0)
            work_dir = Path(str(functions.factory._work_dir))
            for _ in range(100):  # the preparation runs as a task of its own
                uids = (work_dir / UIDS_LOG).read_text() if (work_dir / UIDS_LOG).exists() else ""
                if F in uids:
                    break
                await asyncio.sleep(0.01)
            before = uids
            response = await functions.invocations.invoke(F, None, b"{}")
            after = (work_dir / UIDS_LOG).read_text()
            return before, after, response.payload
        finally:
            await platform.stop()

    before, after, payload = asyncio.run(scenario())
    assert F in before  # prepared before anyone invoked it
    assert after.count(F) == 1  # and the cold start did not assign it another user
    assert payload == b"1", payload
