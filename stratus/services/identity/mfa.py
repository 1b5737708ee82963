"""Virtual MFA devices: created with a TOTP seed, enabled for a user, deactivated, deleted.

Enabling checks the two codes as IAM does: consecutive RFC 6238 codes (SHA-1, 30 s,
6 digits) of the device's seed, from the last five minutes or the next period, so an
authenticator app (or ``pyotp``) set up from the seed works and a made-up code does not.
Nothing asks for MFA afterwards: policies' ``aws:MultiFactorAuthPresent`` is not evaluated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from collections.abc import Iterable
from dataclasses import replace

from stratus.services.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
)
from stratus.services.identity.models import MfaDevice
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["MfaDevices", "totp"]

MAX_DEVICES_PER_USER = 8
_STEP_S = 30
_PAST_STEPS = 10


def totp(seed: str, step: int) -> str:
    """The 6-digit code of ``seed`` (Base32) for time step ``step`` (RFC 6238 / 4226)."""
    key = base64.b32decode(seed)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class MfaDevices:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    def _missing(self, serial: str) -> NoSuchEntity:
        return NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")

    def get(self, account: str, serial: str) -> MfaDevice:
        prefix = f"arn:aws:iam::{account}:mfa"
        found = None
        if serial.startswith(prefix + "/"):
            found = self._state.account(account).mfa.get(serial.removeprefix(prefix).lower())
        if found is None:
            raise self._missing(serial)
        return found

    def virtual(self, account: str, assignment: str = "Any") -> list[MfaDevice]:
        devices = self._state.account(account).mfa.values()
        return sorted(
            (
                d
                for d in devices
                if assignment == "Any" or (d.user_name is not None) == (assignment == "Assigned")
            ),
            key=lambda d: d.name.lower(),
        )

    def of_user(self, account: str, user_name: str) -> list[MfaDevice]:
        user = self._state.user(account, user_name)
        devices = self._state.account(account).mfa.values()
        return sorted(
            (d for d in devices if d.user_name == user.name), key=lambda d: d.enabled or 0.0
        )

    async def create(
        self, account: str, name: str, *, path: str = "/", tags: Iterable[tuple[str, str]] = ()
    ) -> MfaDevice:
        tag_map = merge_tags({}, tags)
        async with self._state.lock:
            key = f"{path}{name}"
            if key.lower() in self._state.account(account).mfa:
                raise EntityAlreadyExists("MFA device already exists.")
            device = MfaDevice(
                account=account,
                name=key,
                seed=base64.b32encode(secrets.token_bytes(40)).decode(),
                created=self._state.clock(),
                tags=tag_map,
            )
            await self._state.commit([device])
        return device

    async def delete(self, account: str, serial: str) -> None:
        async with self._state.lock:
            device = self.get(account, serial)
            if device.user_name is not None:
                raise DeleteConflict("MFA device is still in use.")
            await self._state.commit(deletes=[device])

    def _check_codes(self, device: MfaDevice, first: str, second: str) -> None:
        now = int(self._state.clock()) // _STEP_S
        for step in range(now - _PAST_STEPS, now + 2):
            if hmac.compare_digest(totp(device.seed, step), first) and hmac.compare_digest(
                totp(device.seed, step + 1), second
            ):
                return
        raise InvalidAuthenticationCode("Authentication code for device is not valid.")

    async def enable(
        self, account: str, user_name: str, serial: str, first: str, second: str
    ) -> None:
        async with self._state.lock:
            user = self._state.user(account, user_name)
            device = self.get(account, serial)
            if device.user_name is not None:
                raise EntityAlreadyExists("MFA Device is already in use.")
            if len(self.of_user(account, user.name)) >= MAX_DEVICES_PER_USER:
                raise LimitExceeded(
                    f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}"
                )
            self._check_codes(device, first, second)
            enabled = replace(device, user_name=user.name, enabled=self._state.clock())
            await self._state.commit([enabled])

    def assigned(self, account: str, user_name: str, serial: str) -> MfaDevice:
        user = self._state.user(account, user_name)
        device = self.get(account, serial)
        if device.user_name != user.name:
            raise self._missing(serial)
        return device

    async def deactivate(self, account: str, user_name: str, serial: str) -> None:
        async with self._state.lock:
            device = self.assigned(account, user_name, serial)
            await self._state.commit([replace(device, user_name=None, enabled=None)])

    async def tag(self, account: str, serial: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            device = self.get(account, serial)
            await self._state.commit([replace(device, tags=merge_tags(device.tags, tags))])

    async def untag(self, account: str, serial: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            device = self.get(account, serial)
            await self._state.commit([replace(device, tags=remove_tags(device.tags, keys))])
