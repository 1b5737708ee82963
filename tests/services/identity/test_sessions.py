"""Temporary credentials expire: the caller sees ExpiredToken, the reaper forgets the key.

Runs the identity service on a real SQLite file with the platform's real ``Accounts``;
only the clock is ours, because STS sessions last 15 minutes at least.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from stratus.aws.accounts import Accounts
from stratus.services.identity.errors import ExpiredToken
from stratus.services.identity.service import IdentityService
from stratus.services.identity.sqlite import MIGRATIONS, SQLiteIdentityRepository
from stratus.store.sqlite.database import SQLiteDatabase

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
             "Action": "sts:AssumeRole"}
        ],
    }
)  # fmt: skip
ACCOUNT = "123456789012"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


async def _open(
    path: Path, clock: Clock, accounts: Accounts
) -> tuple[SQLiteDatabase, IdentityService]:
    db = SQLiteDatabase(path, {"identity": MIGRATIONS})
    await db.open()
    service = IdentityService(SQLiteIdentityRepository(db), accounts, clock)
    await service.load()
    return db, service


def test_sessions_expire_are_reaped_and_stay_gone_after_restart(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = Clock()
        accounts = Accounts()
        db, service = await _open(tmp_path / "identity.db", clock, accounts)
        role = await service.roles.create(ACCOUNT, "short", TRUST)
        root = service.tokens.caller(None, ACCOUNT)
        assumed = await service.tokens.assume_role(root, role.arn, "s1", duration=900)
        key = assumed.session.key_id
        assert accounts.account_for(key) == ACCOUNT
        assert service.tokens.current_caller(key, "000000000000").arn.endswith("/short/s1")

        clock.now += 901
        with pytest.raises(ExpiredToken) as caught:
            service.tokens.current_caller(key, "000000000000")
        assert caught.value.message == "The security token included in the request is expired"
        assert await service.tokens.reap() == [key]
        assert accounts.account_for(key) == "000000000000"
        assert service.tokens.caller(key, "000000000000").arn == "arn:aws:iam::000000000000:root"
        await db.close()

        # A fresh process does not bring the reaped session back.
        restarted = Accounts()
        db, service = await _open(tmp_path / "identity.db", clock, restarted)
        assert restarted.account_for(key) == "000000000000"
        assert service.roles.get(ACCOUNT, "short").role_id == role.role_id
        await db.close()

    asyncio.run(scenario())


def test_an_expired_session_not_yet_reaped_is_not_registered_at_start(tmp_path: Path) -> None:
    async def scenario() -> None:
        clock = Clock()
        db, service = await _open(tmp_path / "identity.db", clock, Accounts())
        role = await service.roles.create(ACCOUNT, "r", TRUST)
        root = service.tokens.caller(None, ACCOUNT)
        live = await service.tokens.assume_role(root, role.arn, "live", duration=3600)
        dying = await service.tokens.assume_role(root, role.arn, "dying", duration=900)
        await db.close()
        clock.now += 1000
        accounts = Accounts()
        db, service = await _open(tmp_path / "identity.db", clock, accounts)
        assert accounts.account_for(live.session.key_id) == ACCOUNT
        assert accounts.account_for(dying.session.key_id) == "000000000000"
        await db.close()

    asyncio.run(scenario())
