"""Resource policies, data protection policies and KMS key associations of log groups.

All three are stored and shown as AWS shows them; none is acted on: a resource policy
grants nothing here (every service may write every group), a data protection policy
masks nothing and a KMS key encrypts nothing (docs/logs.md).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace

from stratus.services.logs.catalog import LogCatalog, now_ms
from stratus.services.logs.errors import (
    InvalidParameter,
    LimitExceeded,
    LogGroupNotFound,
    PolicyNotFound,
    RevisionMismatch,
)
from stratus.services.logs.records import DataProtectionRecord, ResourcePolicyRecord
from stratus.services.scope import Scope

#: Account-level resource policies per account and region (a quota AWS does not raise).
MAX_ACCOUNT_POLICIES = 10
#: A resource policy document's size (CloudWatch Logs quotas; EventBridge documents it
#: too, as the reason it folds its statements for log group targets).
MAX_POLICY_CHARS = 5120

_KMS_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/[A-Za-z0-9-]+")


def _json_object(document: str, what: str) -> dict[str, object]:
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidParameter(f"{what} is not a valid JSON document.")
    return parsed


class LogPolicies:
    def __init__(self, catalog: LogCatalog) -> None:
        self._catalog = catalog

    # -- resource policies ---------------------------------------------------------------
    def _policies(self, scope: Scope) -> dict[tuple[str, str], ResourcePolicyRecord]:
        return self._catalog.state.resource_policies.setdefault(scope, {})

    async def put_resource_policy(
        self,
        scope: Scope,
        name: str | None,
        document: str | None,
        resource_group: str | None = None,
        resource_arn: str = "",
        expected_revision: str | None = None,
    ) -> ResourcePolicyRecord:
        """Create or replace a policy; ``resource_group`` is the group ``resource_arn``
        names (a resource-scoped policy, one per group, guarded by its revision id)."""
        if not name:
            raise InvalidParameter("policyName is required.")
        if not document:
            raise InvalidParameter("policyDocument is required.")
        if len(document) > MAX_POLICY_CHARS:
            raise InvalidParameter(
                f"Policy document exceeds the maximum length of {MAX_POLICY_CHARS} characters."
            )
        _json_object(document, "Policy document")
        policies = self._policies(scope)
        revision = ""
        if resource_group is not None:
            if not self._catalog.exists(scope, resource_group):
                raise LogGroupNotFound()
            current = [p for (arn, _), p in policies.items() if arn == resource_arn]
            if current and expected_revision != current[0].revision_id:
                raise RevisionMismatch()
            if not current and expected_revision:
                raise RevisionMismatch()
            if current and current[0].name != name:
                raise InvalidParameter("A resource can have only one resource policy.")
            revision = uuid.uuid4().hex
        elif ("", name) not in policies and sum(
            1 for arn, _ in policies if not arn
        ) >= MAX_ACCOUNT_POLICIES:
            raise LimitExceeded()
        record = ResourcePolicyRecord(name, document, now_ms(), resource_arn, revision)
        await self._catalog.store.write(self._catalog.store.put_resource_policy(scope, record))
        policies[(resource_arn, name)] = record
        return record

    def resource_policies(
        self, scope: Scope, resource_arn: str | None, policy_scope: str | None
    ) -> list[ResourcePolicyRecord]:
        """The account's policies, or those of ``resource_arn``, or (policyScope
        RESOURCE alone) every resource-scoped one; in name order."""
        found = list(self._policies(scope).values())
        if resource_arn:
            found = [p for p in found if p.resource_arn == resource_arn]
        elif policy_scope == "RESOURCE":
            found = [p for p in found if p.resource_arn]
        else:
            found = [p for p in found if not p.resource_arn]
        return sorted(found, key=lambda p: (p.resource_arn, p.name))

    async def delete_resource_policy(
        self,
        scope: Scope,
        name: str | None,
        resource_arn: str = "",
        expected_revision: str | None = None,
    ) -> None:
        policies = self._policies(scope)
        if not name and resource_arn:  # a group's one policy, named or not
            name = next((n for arn, n in policies if arn == resource_arn), None)
        if not name:
            if not resource_arn:
                raise InvalidParameter("policyName is required.")
            raise PolicyNotFound(f"No resource policy found for resource [{resource_arn}]")
        current = policies.get((resource_arn, name))
        if current is None:
            raise PolicyNotFound(f"Policy with name [{name}] does not exist")
        if resource_arn and expected_revision and expected_revision != current.revision_id:
            raise RevisionMismatch()
        store = self._catalog.store
        await store.write(store.delete_resource_policy(scope, resource_arn, name))
        policies.pop((resource_arn, name), None)

    # -- data protection -----------------------------------------------------------------
    async def put_data_protection(
        self, scope: Scope, group: str, document: str
    ) -> DataProtectionRecord:
        if not self._catalog.exists(scope, group):
            raise LogGroupNotFound()
        parsed = _json_object(document, "Data protection policy document")
        statements = parsed.get("Statement")
        if not isinstance(statements, list) or not statements:
            raise InvalidParameter(
                "Data protection policy document must contain a non-empty Statement list."
            )
        record = DataProtectionRecord(group, document, now_ms())
        await self._catalog.store.write(self._catalog.store.put_data_protection(scope, record))
        self._catalog.state.data_protection[(scope, group)] = record
        return record

    def data_protection(self, scope: Scope, group: str) -> DataProtectionRecord | None:
        if not self._catalog.exists(scope, group):
            raise LogGroupNotFound()
        return self._catalog.state.data_protection.get((scope, group))

    def protected(self, scope: Scope, group: str) -> bool:
        return (scope, group) in self._catalog.state.data_protection

    async def delete_data_protection(self, scope: Scope, group: str) -> None:
        if self.data_protection(scope, group) is None:
            raise PolicyNotFound(
                "No data protection policy is associated with the specified log group."
            )
        await self._catalog.store.write(self._catalog.store.delete_data_protection(scope, group))
        self._catalog.state.data_protection.pop((scope, group), None)

    # -- KMS keys ------------------------------------------------------------------------
    async def associate_kms_key(self, scope: Scope, group: str, key_arn: str) -> None:
        if not self._catalog.exists(scope, group):
            raise LogGroupNotFound()
        check_kms_key(scope, group, key_arn)
        record = await self._catalog.require(scope, group)
        await self._catalog.save_group(scope, replace(record, kms_key_id=key_arn))

    async def disassociate_kms_key(self, scope: Scope, group: str) -> None:
        record = await self._catalog.require(scope, group)
        await self._catalog.save_group(scope, replace(record, kms_key_id=None))


def check_kms_key(scope: Scope, group: str, key_arn: str) -> None:
    """A key is named by its full ARN, in the group's region (AWS answers a key id, an
    alias or another region's key as a key it cannot find)."""
    match = _KMS_ARN.fullmatch(key_arn)
    if match is None or match.group(1) != scope.region:
        raise InvalidParameter(f"The specified KMS Key Id could not be found. '{group}'")
