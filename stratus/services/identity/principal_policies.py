"""The policies a user, group or role carries, as the simulator takes them.

A user's are its inline and attached policies and those of every group it belongs to
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
its permissions boundary is the default version of the managed policy it names.
``SourcePolicyId`` is the policy's name, ``SourcePolicyType`` says where it came from
(``user``/``group``/``role`` inline, ``aws-managed``/``user-managed`` attached).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stratus.services.identity.errors import InvalidInput
from stratus.services.identity.models import Group, ManagedPolicy, Role, User
from stratus.services.identity.simulator import PolicySource
from stratus.services.identity.state import IdentityState
from stratus.services.policy_conditions import glob

__all__ = ["PrincipalPolicies", "principal_policies"]

_ARN = re.compile(r"^arn:aws:iam::(\d{12}):(user|group|role)(/(?:[^/]+/)*)?([^/]+)$")


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    arn: str
    identity: list[PolicySource]
    boundary: list[PolicySource]
    documents: list[str]  # the identity policies' text (whose context keys count)


def _managed(policy: ManagedPolicy) -> tuple[str, str, str]:
    kind = "aws-managed" if policy.account == "aws" else "user-managed"
    version = policy.version(policy.default_version)
    return policy.name, kind, version.document if version is not None else "{}"


Exclusions = Sequence[Mapping[str, Any]]


def _excluded(
    exclusions: Exclusions,
    policy_type: str,
    *,
    arn: str | None = None,
    name: str | None = None,
    holder: tuple[str, str] | None = None,
) -> bool:
    """Whether a ``PolicyExclusionList`` identifier (a ``PolicyType``, a ``PolicyArn``
    with wildcards, or an ``InlinePolicyIdentifier``) names this policy."""
    for rule in exclusions:
        if rule.get("PolicyType") == policy_type:
            return True
        if arn is not None and rule.get("PolicyArn") and glob(rule["PolicyArn"], arn):
            return True
        inline = rule.get("InlinePolicyIdentifier") or {}
        if (
            holder is not None
            and inline.get("PolicyName") == name
            and inline.get("AttachmentType") == holder[0]
            and str(inline.get("AttachmentName", "")).lower() == holder[1].lower()
        ):
            return True
    return False


def principal_policies(
    state: IdentityState, account: str, arn: str, exclusions: Exclusions = ()
) -> PrincipalPolicies:
    """The policies of the principal ``arn`` (its account must be ``account``), less
    those ``exclusions`` (SimulatePrincipalPolicy's ``PolicyExclusionList``) names."""
    match = _ARN.match(arn)
    if match is None:
        raise InvalidInput(f"Invalid ARN: {arn}")
    if match.group(1) != account:
        raise InvalidInput(f"Invalid ARN: {arn}")
    kind, name = match.group(2), match.group(4)
    holders: list[tuple[Role | User | Group, str]] = []
    boundary_arn: str | None = None
    if kind == "user":
        user = state.user(account, name)
        holders.append((user, "user"))
        boundary_arn = user.boundary
        groups = state.account(account).groups.values()
        holders.extend((g, "group") for g in groups if user.name in g.members)
    elif kind == "role":
        role = state.role(account, name)
        holders.append((role, "role"))
        boundary_arn = role.boundary
    else:
        holders.append((state.group(account, name), "group"))
    documents: list[str] = []
    identity: list[PolicySource] = []
    for holder, holder_kind in holders:
        for policy_name, document in holder.inline.items():
            if _excluded(exclusions, "inline", name=policy_name, holder=(holder_kind, holder.name)):
                continue
            identity.append(PolicySource.of(policy_name, holder_kind, document))
            documents.append(document)
        for policy_arn in holder.attached:
            policy = state.policy(account, policy_arn)
            if policy is None:
                continue
            policy_id, policy_type, document = _managed(policy)
            if _excluded(exclusions, policy_type, arn=policy_arn):
                continue
            identity.append(PolicySource.of(policy_id, policy_type, document))
            documents.append(document)
    boundary: list[PolicySource] = []
    if boundary_arn is not None and not _excluded(
        exclusions, "permission-boundary", arn=boundary_arn
    ):
        policy = state.policy(account, boundary_arn)
        if policy is not None:
            policy_id, policy_type, document = _managed(policy)
            boundary.append(PolicySource.of(policy_id, policy_type, document))
    return PrincipalPolicies(arn, identity, boundary, documents)
