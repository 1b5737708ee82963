"""SMS: an account's SMS settings, its opted-out numbers, the SMS sandbox, and Publish to
a phone number.

AWS's rules (https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html,
sns-sms-sandbox.html): numbers are E.164 (``+`` then up to 15 digits, no leading zero);
``DefaultSMSType`` is ``Promotional`` or ``Transactional``; ``DefaultSenderID`` has 1-11
letters and digits, at least one a letter; ``MonthlySpendLimit`` is a whole number of
dollars (AWS's default quota: 1). A sandbox number is ``Pending`` until the one-time
password SNS texted it is given back, then ``Verified``.

Stratus's accounts are out of the sandbox (``GetSMSSandboxAccountStatus``: false), so
Publish reaches any number; no carrier is reached: each text, the sandbox's one-time
passwords too, is recorded (``SentMessage``), and a number that opted out gets nothing
(its record says ``OPTED_OUT``).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace

from stratus.services.scope import Scope
from stratus.services.topics.errors import (
    InvalidParameter,
    OptedOut,
    ResourceNotFound,
    VerificationFailed,
)
from stratus.services.topics.model import Message, SandboxNumber, SentMessage, SmsSettings
from stratus.services.topics.registry import Page, page_of, timestamp
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.serial import serialized

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
SMS_ATTRIBUTES = frozenset(
    {
        "MonthlySpendLimit",
        "DeliveryStatusIAMRole",
        "DeliveryStatusSuccessSamplingRate",
        "DefaultSenderID",
        "DefaultSMSType",
        "UsageReportS3Bucket",
    }
)
DEFAULT_ATTRIBUTES = {"MonthlySpendLimit": "1"}
_SENDER_ID = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9]{1,11}")
SANDBOX_PAGE = 100


def check_phone_number(phone: str) -> None:
    if not E164.fullmatch(phone):
        raise InvalidParameter("Invalid parameter: PhoneNumber Reason: input incorrectly formatted")


class Sms:
    def __init__(self, repository: TopicsRepository) -> None:
        self._repository = repository
        self._lock = asyncio.Lock()  # changes one at a time (serial.py)
        self._settings: dict[str, SmsSettings] = {}

    def restore(self, settings: Sequence[SmsSettings]) -> None:
        for item in settings:
            self._settings[item.key] = item

    def _of(self, scope: Scope) -> SmsSettings:
        key = f"{scope.account}:{scope.region}"
        settings = self._settings.get(key)
        if settings is None:
            settings = SmsSettings(scope.account, scope.region)
        return settings

    async def _save(self, settings: SmsSettings, sent: SentMessage | None = None) -> None:
        """Each change is a new record (``replace``): a failed write leaves the one in
        memory as it was."""
        await self._repository.put_sms(settings, sent)
        self._settings[settings.key] = settings

    # -- attributes ------------------------------------------------------------------
    @serialized
    async def set_attributes(self, scope: Scope, attributes: Mapping[str, str]) -> None:
        for key, value in attributes.items():
            if key not in SMS_ATTRIBUTES:
                raise InvalidParameter(f"{key} is not a valid attribute")
            if key == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
                raise InvalidParameter("DefaultSMSType is invalid")
            if key == "DefaultSenderID" and not _SENDER_ID.fullmatch(value):
                raise InvalidParameter("DefaultSenderID is not a valid attribute")
            if key == "MonthlySpendLimit" and not value.isdigit():
                raise InvalidParameter(
                    "Invalid parameter: MonthlySpendLimit Reason: must be a whole number"
                )
        settings = self._of(scope)
        await self._save(replace(settings, attributes={**settings.attributes, **attributes}))

    def attributes(self, scope: Scope, names: Sequence[str]) -> dict[str, str]:
        current = {**DEFAULT_ATTRIBUTES, **self._of(scope).attributes}
        if not names:
            return current
        return {name: current[name] for name in names if name in current}

    # -- opting out ------------------------------------------------------------------
    def is_opted_out(self, scope: Scope, phone: str) -> bool:
        check_phone_number(phone)
        return phone in self._of(scope).opted_out

    def opted_out(self, scope: Scope, token: str | None) -> Page:
        return page_of(sorted(self._of(scope).opted_out), token)

    @serialized
    async def opt_in(self, scope: Scope, phone: str) -> None:
        check_phone_number(phone)
        settings = self._of(scope)
        if phone in settings.opted_out:
            opted_out = [p for p in settings.opted_out if p != phone]
            await self._save(replace(settings, opted_out=opted_out))

    @serialized
    async def opt_out(self, scope: Scope, phone: str) -> None:
        """What a recipient's STOP reply does on AWS; offered to tests on the native API."""
        check_phone_number(phone)
        settings = self._of(scope)
        if phone not in settings.opted_out:
            await self._save(replace(settings, opted_out=[*settings.opted_out, phone]))

    # -- the sandbox -----------------------------------------------------------------
    @serialized
    async def add_sandbox_number(self, scope: Scope, phone: str, language: str) -> None:
        check_phone_number(phone)
        settings = self._of(scope)
        if phone in settings.opted_out:
            raise OptedOut("Phone number is opted out.")
        existing = settings.sandbox.get(phone)
        if existing is not None and existing.status == "Verified":
            return
        password = f"{secrets.randbelow(10**6):06d}"
        sandbox = dict(settings.sandbox)
        sandbox[phone] = SandboxNumber(phone, "Pending", language, password)
        sent = self._text(
            scope, phone, f"Your Amazon SNS verification code is: {password}", "DELIVERED"
        )
        await self._save(replace(settings, sandbox=sandbox), sent)

    @serialized
    async def verify_sandbox_number(self, scope: Scope, phone: str, password: str) -> None:
        settings = self._of(scope)
        number = settings.sandbox.get(phone)
        if number is None:
            raise ResourceNotFound("The phone number does not exist in the SMS sandbox.")
        if number.status == "Verified":
            return
        if not secrets.compare_digest(number.password, password):
            raise VerificationFailed("Invalid one-time password.", "Failed")
        sandbox = dict(settings.sandbox)
        sandbox[phone] = SandboxNumber(phone, "Verified", number.language, number.password)
        await self._save(replace(settings, sandbox=sandbox))

    def sandbox_numbers(
        self, scope: Scope, token: str | None, limit: int | None
    ) -> tuple[list[SandboxNumber], str | None]:
        settings = self._of(scope)
        numbers = sorted(settings.sandbox)
        page = page_of(numbers, token, limit or SANDBOX_PAGE)
        return [settings.sandbox[n] for n in page.items], page.next_token

    @serialized
    async def delete_sandbox_number(self, scope: Scope, phone: str) -> None:
        settings = self._of(scope)
        if phone not in settings.sandbox:
            raise ResourceNotFound("The phone number does not exist in the SMS sandbox.")
        sandbox = {k: v for k, v in settings.sandbox.items() if k != phone}
        await self._save(replace(settings, sandbox=sandbox))

    # -- publishing ------------------------------------------------------------------
    async def publish(
        self,
        scope: Scope,
        phone: str,
        message: str,
        attributes: dict[str, dict[str, str]],
    ) -> SentMessage:
        status = "OPTED_OUT" if phone in self._of(scope).opted_out else "DELIVERED"
        sent = self._text(scope, phone, message, status, attributes)
        await self._repository.add_sent(sent)
        return sent

    async def deliver(
        self, scope: Scope, phone: str, message: Message, subscription_arn: str
    ) -> None:
        """A topic's message to an ``sms`` subscription (its ``sms`` entry, else the
        default), recorded as :meth:`publish` records one."""
        status = "OPTED_OUT" if phone in self._of(scope).opted_out else "DELIVERED"
        sent = SentMessage(
            message_id=message.message_id,
            kind="sms",
            account=scope.account,
            region=scope.region,
            target=phone,
            message=message.body_for("sms"),
            timestamp=timestamp(),
            status=status,
            attributes=message.attributes,
            topic_arn=message.topic_arn,
            subscription_arn=subscription_arn,
        )
        await self._repository.add_sent(sent)

    @staticmethod
    def _text(
        scope: Scope,
        phone: str,
        message: str,
        status: str,
        attributes: dict[str, dict[str, str]] | None = None,
    ) -> SentMessage:
        return SentMessage(
            message_id=str(uuid.uuid4()),
            kind="sms",
            account=scope.account,
            region=scope.region,
            target=phone,
            message=message,
            timestamp=timestamp(),
            status=status,
            attributes=attributes or {},
        )


__all__ = ["E164", "Sms", "check_phone_number"]
