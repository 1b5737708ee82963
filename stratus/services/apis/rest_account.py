"""API Gateway's account settings (GetAccount, UpdateAccount): the CloudWatch role that
AWS uses to write execution logs, one per account and region.

Stratus writes access logs without a role (docs/gateway.md), so the role is kept and
answered, never assumed; CDK's ``RestApi`` and many templates set it all the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from stratus.services.apis.errors import BadRequest
from stratus.services.apis.model import to_json
from stratus.services.apis.sqlite import SQLiteApiStore

__all__ = ["AccountSettings", "RestAccounts"]

KIND = "account"
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
#: What AWS answers for an account that set nothing (its default throttle included).
THROTTLE = {"burstLimit": 5000, "rateLimit": 10000.0}
FEATURES = ["UsagePlans"]
API_KEY_VERSION = "4"


@dataclass(slots=True)
class AccountSettings:
    key: str
    cloudwatch_role_arn: str | None = None


class RestAccounts:
    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._settings: dict[str, AccountSettings] = {}

    async def load(self) -> None:
        for data in await self._store.load(KIND):
            self._settings[data["key"]] = AccountSettings(**data)

    def get(self, account: str, region: str) -> AccountSettings:
        key = f"{account}:{region}"
        return self._settings.get(key) or AccountSettings(key)

    async def update(
        self, account: str, region: str, patch: list[dict[str, Any]]
    ) -> AccountSettings:
        settings = self.get(account, region)
        role = settings.cloudwatch_role_arn
        for operation in patch:
            path, op = operation.get("path"), operation.get("op")
            if path != "/cloudwatchRoleArn" or op not in ("replace", "add", "remove"):
                raise BadRequest(
                    f"Invalid patch path '{path}' specified for op '{op}'. "
                    "Must be one of: [/cloudwatchRoleArn]"
                )
            value = operation.get("value")
            role = None if op == "remove" or not value else str(value)
            if role is not None and not _ROLE_ARN.match(role):
                raise BadRequest("The role ARN is not well formed")
        settings.cloudwatch_role_arn = role
        self._settings[settings.key] = settings
        await self._store.put(KIND, settings.key, to_json(settings))
        return settings
