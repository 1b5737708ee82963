"""IAM policy statements compiled and judged: principals, actions, resources and
conditions, with ``NotPrincipal``/``NotAction``/``NotResource``. API Gateway judges the two
documents that decide who may call a REST API by it, its resource policy and a Lambda
authorizer's answered ``policyDocument`` (HTTP APIs' authorizers too); S3 bucket
policies share its :class:`Decision`.

A document is compiled once into :class:`CompiledPolicy` (a deployment's resource policy
when its stage is compiled, an authorizer's answer when it arrives), then each request
is one :meth:`CompiledPolicy.decide`: an explicit ``Deny`` wins, else an ``Allow``, else
neither (IAM's evaluation, https://docs.aws.amazon.com/IAM/latest/UserGuide/
reference_policies_evaluation-logic.html). A statement matches when its principal,
action and resource match and its ``Condition`` holds:

- ``Principal``/``NotPrincipal``: ``"*"`` and ``{"AWS": "*"}`` are everyone, the
  anonymous caller included; an account id or ``arn:aws:iam::{account}:root`` is every
  signed caller of that account; a user's ARN is that user; a role's ARN the sessions of
  that role. Service, federated and canonical-user principals never call ``execute-api``
  and never match. A statement without either (an authorizer's policy) is about the
  caller it was answered for.
- ``Action``/``NotAction`` with IAM's wildcards, ignoring case; ``Resource``/
  ``NotResource`` with the wildcards, case kept (``glob``: ``*`` and ``?`` only, a ``[``
  in a path is itself).
- ``Condition`` through the shared ``services.policy_conditions``; an operator it does not
  know makes the statement never match (a resource policy with one is refused when
  written, see :func:`check_document`).

Compiling is bounded (:data:`MAX_STATEMENTS`, :data:`MAX_PATTERNS`): a document past the
bounds raises :class:`MalformedPolicy`, so a hostile authorizer cannot make the gateway
match a million patterns per request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from stratus.services.policy_conditions import UnknownOperator, conditions_hold, glob

__all__ = [
    "MAX_PATTERNS",
    "MAX_STATEMENTS",
    "CompiledPolicy",
    "Decision",
    "MalformedPolicy",
    "PolicyCaller",
    "check_document",
    "compile_policy",
]

#: Statements one document may have (an 8,192-character resource policy holds ~130).
MAX_STATEMENTS = 1000
#: Principals, actions, resources and condition values of one document, all together.
MAX_PATTERNS = 4096

_ACCOUNT = re.compile(r"^\d{12}$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$")
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_PRINCIPAL_KINDS = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})


class Decision(Enum):
    """What a policy says of one request."""

    NONE = "none"  # no statement matched: an implicit deny unless something else allows
    ALLOW = "allow"
    DENY = "deny"


class MalformedPolicy(ValueError):
    """A document that is not a policy, or past the bounds (the reason in ``args``)."""


@dataclass(frozen=True, slots=True)
class PolicyCaller:
    """A signed caller as principals name it: its account, its ARN (a user's, the root's,
    or an assumed role's session ``arn:aws:sts::{account}:assumed-role/{role}/{session}``)."""

    account: str
    arn: str

    def named_by(self, principal: str) -> bool:
        if _ACCOUNT.match(principal):
            return principal == self.account
        if principal == self.arn:
            return True
        found = _IAM_ARN.match(principal)
        if found is None or found.group(2) != self.account:
            return False
        what = found.group(3)
        if what == "root":
            return True
        session = _IAM_ARN.match(self.arn)
        if what.startswith("role/") and session is not None:
            # A role (its path aside) names each of its sessions.
            kind, _, rest = session.group(3).partition("/")
            return kind == "assumed-role" and rest.split("/")[0] == what.rsplit("/", 1)[-1]
        return False


@dataclass(frozen=True, slots=True)
class _Statement:
    allow: bool
    principals: tuple[str, ...] | None  # None: no Principal element
    not_principal: bool
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    condition: dict[str, Any] | None

    def matches(
        self,
        action: str,
        resource: str,
        caller: PolicyCaller | None,
        context: Mapping[str, Sequence[str] | str],
    ) -> bool:
        if self.principals is not None:
            named = "*" in self.principals or (
                caller is not None and any(caller.named_by(p) for p in self.principals)
            )
            if named == self.not_principal:
                return False
        if any(glob(p, action, case=False) for p in self.actions) == self.not_action:
            return False
        if any(glob(p, resource) for p in self.resources) == self.not_resource:
            return False
        if self.condition is None:
            return True
        try:
            return conditions_hold(self.condition, context)
        except UnknownOperator:
            return False


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    statements: tuple[_Statement, ...]
    #: Whether any statement has a Condition (else no request context is ever read).
    conditional: bool

    def decide(
        self,
        action: str,
        resource: str,
        caller: PolicyCaller | None,
        context: Mapping[str, Sequence[str] | str] | None = None,
    ) -> Decision:
        """The document's word on ``caller`` (None: anonymous) doing ``action`` on
        ``resource``; ``context``: the request's condition keys (needed only when
        :attr:`conditional`)."""
        found = Decision.NONE
        values = context or {}
        for statement in self.statements:
            if statement.matches(action, resource, caller, values):
                if not statement.allow:
                    return Decision.DENY
                found = Decision.ALLOW
        return found


def _strings(value: Any) -> tuple[str, ...] | None:
    """A string or a non-empty list of strings as a tuple; None for anything else."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and value is not None


def _principals(value: Any) -> tuple[str, ...] | None:
    """The AWS principals a ``Principal`` names (``"*"`` for everyone); other kinds of
    principal are left out. None: not a principal element."""
    if value == "*":
        return ("*",)
    if not isinstance(value, dict) or not value or not set(value) <= _PRINCIPAL_KINDS:
        return None
    named: list[str] = []
    for kind, names in value.items():
        listed = _strings(names)
        if listed is None:
            return None
        if kind == "AWS":
            named.extend(listed)
    return tuple(named)


def _condition(value: Any) -> dict[str, Any] | None:
    """A ``Condition`` block whose values are scalars or lists of scalars (None: not one)."""
    if not isinstance(value, dict) or not value:
        return None
    for pairs in value.values():
        if not isinstance(pairs, dict) or not pairs:
            return None
        for wanted in pairs.values():
            if isinstance(wanted, list):
                if not all(_scalar(w) for w in wanted):
                    return None
            elif not _scalar(wanted):
                return None
    return value


def _statement(raw: Any, *, strict: bool) -> _Statement | None:
    """One statement (None: unreadable, so it never matches); strict: raises instead."""

    def bad(why: str) -> _Statement | None:
        if strict:
            raise MalformedPolicy(why)
        return None

    if not isinstance(raw, dict):
        return bad("a statement is not an object")
    if strict and not set(raw) <= _STATEMENT_KEYS:
        return bad(f"unknown statement elements {sorted(set(raw) - _STATEMENT_KEYS)}")
    if strict and not isinstance(raw.get("Sid", ""), str):
        return bad("Sid is a string")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        return bad("Effect must be Allow or Deny")
    elements: dict[str, tuple[tuple[str, ...] | None, bool]] = {}
    for positive, negative in (
        ("Principal", "NotPrincipal"),
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
    ):
        if (positive in raw) == (negative in raw):
            if positive == "Principal" and not strict and positive not in raw:
                elements[positive] = (None, False)  # an identity-style statement
                continue
            return bad(f"exactly one of {positive} and {negative}")
        name = positive if positive in raw else negative
        read = _principals(raw[name]) if positive == "Principal" else _strings(raw[name])
        if read is None:
            return bad(f"{name} is malformed")
        elements[positive] = (read, name == negative)
    condition = None
    if "Condition" in raw:
        condition = _condition(raw["Condition"])
        if condition is None:
            return bad("Condition is malformed")
    principals, not_principal = elements["Principal"]
    actions, not_action = elements["Action"]
    resources, not_resource = elements["Resource"]
    return _Statement(
        effect == "Allow",
        principals,
        not_principal,
        actions or (),
        not_action,
        resources or (),
        not_resource,
        condition,
    )


def compile_policy(document: Any, *, strict: bool = False) -> CompiledPolicy:
    """The document ready to judge requests. Lenient by default (an authorizer's answer:
    an unreadable statement never matches); ``strict`` (a resource policy being written)
    refuses any flaw. Past the bounds, or not an object with statements: MalformedPolicy."""
    if not isinstance(document, dict):
        raise MalformedPolicy("the policy is not a JSON object")
    raw = document.get("Statement")
    listed = [raw] if isinstance(raw, dict) else raw
    if not isinstance(listed, list) or (strict and not listed):
        raise MalformedPolicy("Statement must be an object or a list of them")
    if len(listed) > MAX_STATEMENTS:
        raise MalformedPolicy(f"more than {MAX_STATEMENTS} statements")
    statements = []
    patterns = 0
    for item in listed:
        statement = _statement(item, strict=strict)
        if statement is None:
            continue
        patterns += len(statement.actions) + len(statement.resources)
        patterns += len(statement.principals or ())
        for pairs in (statement.condition or {}).values():
            patterns += sum(len(v) if isinstance(v, list) else 1 for v in pairs.values())
        if patterns > MAX_PATTERNS:
            raise MalformedPolicy(f"more than {MAX_PATTERNS} names and patterns")
        statements.append(statement)
    return CompiledPolicy(tuple(statements), any(s.condition is not None for s in statements))


def check_document(document: Any) -> CompiledPolicy:
    """A resource policy as API Gateway accepts one: the top level holds only
    ``Version``, ``Id`` and ``Statement``; every statement is well formed (one of
    Principal/NotPrincipal, Action/NotAction, Resource/NotResource), its AWS principals
    are ``*``, account ids or IAM ARNs, and its condition operators exist.
    MalformedPolicy otherwise."""
    if not isinstance(document, dict):
        raise MalformedPolicy("the policy is not a JSON object")
    if not set(document) <= {"Version", "Id", "Statement"}:
        raise MalformedPolicy("unknown policy elements")
    if not all(isinstance(document.get(k, ""), str) for k in ("Version", "Id")):
        raise MalformedPolicy("Version and Id are strings")
    compiled = compile_policy(document, strict=True)
    for statement in compiled.statements:
        for principal in statement.principals or ():
            if principal != "*" and not (_ACCOUNT.match(principal) or _IAM_ARN.match(principal)):
                raise MalformedPolicy(f"invalid principal {principal}")
        if statement.condition is not None:
            try:  # any unknown operator raises, whatever the context holds
                for operator, pairs in statement.condition.items():
                    for key, wanted in pairs.items():
                        conditions_hold({operator: {key: wanted}}, {})
            except UnknownOperator as exc:
                raise MalformedPolicy(f"unknown condition operator {exc}") from None
    return compiled
