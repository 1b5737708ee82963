"""The policies a user, group or role carries, as the simulator takes them.

A user's are its inline and attached policies and those of every group it belongs to
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html);
its permissions boundary is the default version of the managed policy it names.
``SourcePolicyId`` is the policy's name, ``SourcePolicyType`` says where it came from
(``user``/``group``/``role`` inline, ``aws-managed``/``user-managed`` attached).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from stratus.services.identity.errors import InvalidInput
from stratus.services.identity.models import Group, ManagedPolicy, Role, User
from stratus.services.identity.simulator import PolicySource
from stratus.services.identity.state import IdentityState

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


def principal_policies(
    state: IdentityState, account: str, arn: str, excluded: Collection[str] = ()
) -> PrincipalPolicies:
    """The policies of the principal ``arn`` (its account must be ``account``), less the
    managed policies named (by ARN or name) in ``excluded``."""
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
            identity.append(PolicySource.of(policy_name, holder_kind, document))
            documents.append(document)
        for policy_arn in holder.attached:
            policy = state.policy(account, policy_arn)
            if policy is None or policy_arn in excluded or policy.name in excluded:
                continue
            policy_id, policy_type, document = _managed(policy)
            identity.append(PolicySource.of(policy_id, policy_type, document))
            documents.append(document)
    boundary: list[PolicySource] = []
    if boundary_arn is not None:
        policy = state.policy(account, boundary_arn)
        if policy is not None:
            policy_id, policy_type, document = _managed(policy)
            boundary.append(PolicySource.of(policy_id, policy_type, document))
    return PrincipalPolicies(arn, identity, boundary, documents)
