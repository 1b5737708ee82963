"""Console passwords: users' login profiles and the account's password policy.

Nothing signs in to a console here, so a password is only checked against the policy
and kept as a salted hash (never returned: IAM never returns one either). Without a
custom policy IAM applies its default one to new passwords: at least 8 characters and
three of the four character kinds
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html).
Hashing is CPU work, so it runs off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import replace

from stratus.services.identity.errors import (
    AccessDenied,
    EntityAlreadyExists,
    NoSuchEntity,
    PasswordPolicyViolation,
)
from stratus.services.identity.models import LoginProfile, PasswordPolicy
from stratus.services.identity.state import IdentityState

__all__ = ["SYMBOLS", "Passwords", "check_password"]

#: The characters IAM counts as symbols in a password policy.
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
_POLICY_KEY = "passwordpolicy"
_HASH_ROUNDS = 20_000
_VIOLATION = "Password does not conform to the account password policy."
#: Not recorded from AWS (its API reference names no error for it): see docs/identity.md.
_WRONG_PASSWORD = "The old password is incorrect."


def _hash(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _HASH_ROUNDS)
    return f"pbkdf2_sha256${_HASH_ROUNDS}${salt.hex()}${digest.hex()}"


def _matches(password: str, hashed: str) -> bool:
    """Whether ``password`` is the one ``hashed`` was made from (constant time)."""
    try:
        scheme, rounds, salt, digest = hashed.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    computed = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(rounds))
    return secrets.compare_digest(computed.hex(), digest)


def _kinds(password: str) -> dict[str, bool]:
    return {
        "upper": any(c.isascii() and c.isupper() for c in password),
        "lower": any(c.isascii() and c.islower() for c in password),
        "number": any(c.isdigit() for c in password),
        "symbol": any(c in SYMBOLS for c in password),
    }


def check_password(password: str, policy: PasswordPolicy | None) -> None:
    """Refuse ``password`` if it breaks ``policy`` (IAM's default one when None)."""
    kinds = _kinds(password)
    if policy is None:
        if len(password) < 8 or sum(kinds.values()) < 3:
            raise PasswordPolicyViolation(_VIOLATION)
        return
    wanted = {
        "upper": policy.require_uppercase,
        "lower": policy.require_lowercase,
        "number": policy.require_numbers,
        "symbol": policy.require_symbols,
    }
    if len(password) < policy.minimum_length or any(
        wanted[kind] and not present for kind, present in kinds.items()
    ):
        raise PasswordPolicyViolation(_VIOLATION)


class Passwords:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    # -- the account's password policy ----------------------------------------------
    def policy(self, account: str) -> PasswordPolicy:
        policy = self._state.account(account).settings.get(_POLICY_KEY)
        if policy is None:
            raise NoSuchEntity(f"The Password Policy with domain name {account} cannot be found.")
        return policy

    async def update_policy(self, policy: PasswordPolicy) -> None:
        """Replace the policy whole: members the call leaves out take their defaults."""
        async with self._state.lock:
            await self._state.commit([policy])

    async def delete_policy(self, account: str) -> None:
        async with self._state.lock:
            policy = self._state.account(account).settings.get(_POLICY_KEY)
            if policy is None:
                raise NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
            await self._state.commit(deletes=[policy])

    # -- login profiles --------------------------------------------------------------
    def login(self, account: str, user_name: str) -> LoginProfile:
        user = self._state.user(account, user_name)
        profile = self._state.account(account).logins.get(user.name.lower())
        if profile is None:
            raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
        return profile

    def _check(self, account: str, password: str) -> None:
        check_password(password, self._state.account(account).settings.get(_POLICY_KEY))

    async def create_login(
        self, account: str, user_name: str, password: str, *, reset_required: bool = False
    ) -> LoginProfile:
        self._state.user(account, user_name)
        self._check(account, password)
        hashed = await asyncio.to_thread(_hash, password)
        async with self._state.lock:
            user = self._state.user(account, user_name)
            if user.name.lower() in self._state.account(account).logins:
                raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
            profile = LoginProfile(
                account=account,
                name=user.name,
                created=self._state.clock(),
                password_hash=hashed,
                reset_required=reset_required,
            )
            await self._state.commit([profile])
        return profile

    async def update_login(
        self,
        account: str,
        user_name: str,
        *,
        password: str | None = None,
        reset_required: bool | None = None,
    ) -> None:
        self.login(account, user_name)
        hashed = None
        if password is not None:
            self._check(account, password)
            hashed = await asyncio.to_thread(_hash, password)
        async with self._state.lock:
            profile = self.login(account, user_name)
            if hashed is not None:
                profile = replace(profile, password_hash=hashed)
            if reset_required is not None:
                profile = replace(profile, reset_required=reset_required)
            await self._state.commit([profile])

    async def change(self, account: str, user_name: str, old: str, new: str) -> None:
        """The user's own change (ChangePassword): the old password must be the current
        one, the new one must meet the policy and, when the policy prevents reuse, differ
        from the current one. A reset that was required is then done."""
        profile = self.login(account, user_name)
        if not await asyncio.to_thread(_matches, old, profile.password_hash):
            raise AccessDenied(_WRONG_PASSWORD)
        policy = self._state.account(account).settings.get(_POLICY_KEY)
        check_password(new, policy)
        if policy is not None and policy.reuse_prevention and new == old:
            raise PasswordPolicyViolation(_VIOLATION)
        hashed = await asyncio.to_thread(_hash, new)
        async with self._state.lock:
            profile = self.login(account, user_name)
            await self._state.commit([replace(profile, password_hash=hashed, reset_required=False)])

    async def delete_login(self, account: str, user_name: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.login(account, user_name)])
