"""IAM's policy simulator: what a set of policies decides for actions on resources.

Stratus enforces no identity policy; this is the one place they are evaluated, on request,
as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
describes for one account:

1. an explicit ``Deny`` in any policy (identity, permissions boundary, resource) wins;
2. otherwise the identity policies must allow, and a permissions boundary, when there is
   one, must allow too (the effective permissions are their intersection);
3. a resource policy that allows the caller grants access on its own within the caller's
   account; across accounts both the identity policies and the resource policy must.

Statements match on ``Action``/``NotAction`` (wildcards, case-insensitive),
``Resource``/``NotResource`` (wildcards, policy variables such as ``${aws:username}``
filled from the context), ``Principal``/``NotPrincipal`` (resource policies) and
``Condition`` (``services.policy_conditions``, shared with S3's bucket policies). A
condition key the context does not carry is reported in ``missing``, as AWS's
``MissingContextValues``. Positions of matched statements are IAM's: the line and the
column just past the statement's opening and closing braces (1-based).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stratus.services.identity.errors import MalformedPolicy
from stratus.services.identity.policy import SYNTAX
from stratus.services.policy_conditions import (
    Context,
    UnknownOperator,
    condition_keys,
    conditions_hold,
    glob,
    listed,
    lookup,
)

__all__ = [
    "ActionResult",
    "Matched",
    "PolicySource",
    "ResourceResult",
    "Simulation",
    "context_keys",
    "simulate",
]

ALLOWED = "allowed"
EXPLICIT_DENY = "explicitDeny"
IMPLICIT_DENY = "implicitDeny"
_SEVERITY = {ALLOWED: 0, IMPLICIT_DENY: 1, EXPLICIT_DENY: 2}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Matched:
    """A statement that decided a result: its policy and where it stands in the text."""

    policy_id: str
    policy_type: str | None
    start: tuple[int, int]  # (line, column)
    end: tuple[int, int]


@dataclass(frozen=True, slots=True)
class _Statement:
    body: dict[str, Any]
    start: tuple[int, int]
    end: tuple[int, int]


@dataclass(frozen=True, slots=True)
class PolicySource:
    """One policy given to the simulator, named as AWS names it in ``SourcePolicyId``."""

    policy_id: str
    policy_type: str | None
    statements: tuple[_Statement, ...]

    @classmethod
    def of(cls, policy_id: str, policy_type: str | None, text: str) -> PolicySource:
        try:
            document = json.loads(text)
        except ValueError:
            raise MalformedPolicy(SYNTAX) from None
        if not isinstance(document, dict) or "Statement" not in document:
            raise MalformedPolicy(SYNTAX)
        raw = document["Statement"]
        bodies = raw if isinstance(raw, list) else [raw]
        spans = _statement_spans(text)
        if len(spans) != len(bodies):  # a duplicate "Statement" key: JSON keeps the last
            spans = [((1, 1), (1, 1))] * len(bodies)
        statements = tuple(
            _Statement(body, start, end)
            for body, (start, end) in zip(bodies, spans, strict=True)
            if isinstance(body, dict)
        )
        return cls(policy_id, policy_type, statements)


# -- positions -------------------------------------------------------------------------
def _skip_string(text: str, i: int) -> int:
    i += 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i + 1
        i += 1
    return i


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip_value(text: str, i: int) -> int:
    """The index just past the JSON value starting at ``i`` (text already known valid)."""
    if text[i] == '"':
        return _skip_string(text, i)
    if text[i] not in "[{":
        while i < len(text) and text[i] not in ",]}" and not text[i].isspace():
            i += 1
        return i
    depth = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = _skip_string(text, i)
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _position(text: str, index: int) -> tuple[int, int]:
    """IAM's (line, column) for the brace at ``index``: the column just past it."""
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 2
    return line, column


def _statement_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where each statement object of the top-level ``Statement`` stands in ``text``."""
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    i = _skip_space(text, 0) + 1  # past the document's "{"
    while i < len(text):
        i = _skip_space(text, i)
        if i >= len(text) or text[i] != '"':
            break
        key_end = _skip_string(text, i)
        key = json.loads(text[i:key_end])
        i = _skip_space(text, key_end) + 1  # past ":"
        i = _skip_space(text, i)
        end = _skip_value(text, i)
        if key == "Statement":
            spans = []
            objects = [i] if text[i] == "{" else _elements(text, i)
            for start in objects:
                close = _skip_value(text, start) - 1
                spans.append((_position(text, start), _position(text, close)))
        i = _skip_space(text, end)
        if i < len(text) and text[i] == ",":
            i += 1
    return spans


def _elements(text: str, i: int) -> list[int]:
    """The start of each object in the JSON array at ``i``."""
    starts: list[int] = []
    i += 1
    while i < len(text):
        i = _skip_space(text, i)
        if i >= len(text) or text[i] == "]":
            break
        if text[i] == "{":
            starts.append(i)
        i = _skip_space(text, _skip_value(text, i))
        if i < len(text) and text[i] == ",":
            i += 1
    return starts


# -- matching --------------------------------------------------------------------------
def _substitute(pattern: str, context: Context, missing: list[str]) -> str | None:
    """``pattern`` with its policy variables filled in (None: one the context lacks)."""
    absent = False

    def fill(match: re.Match[str]) -> str:
        nonlocal absent
        name = match.group(1).strip()
        if name in _LITERALS:
            return _LITERALS[name]
        values = lookup(context, name)
        if not values:
            absent = True
            if name not in missing:
                missing.append(name)
            return ""
        return values[0]

    filled = _VARIABLE.sub(fill, pattern)
    return None if absent else filled


def _action_matches(statement: dict[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not any(glob(p, action, case=False) for p in listed(statement["NotAction"]))
    return any(glob(p, action, case=False) for p in listed(statement.get("Action")))


def _resource_matches(
    statement: dict[str, Any], resource: str, context: Context, missing: list[str]
) -> bool:
    negated = "NotResource" in statement
    patterns = listed(statement["NotResource"] if negated else statement.get("Resource"))
    if not negated and "Resource" not in statement:
        return True  # a resource policy's statement applies to the resource it is on
    hit = False
    for pattern in patterns:
        filled = _substitute(pattern, context, missing)
        if filled is not None and glob(filled, resource):
            hit = True
            break
    return hit != negated


def _principal_names(principal: Any) -> list[str]:
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return listed(principal.get("AWS"))
    return []


def _principal_matches(statement: dict[str, Any], caller: str | None) -> bool:
    if "Principal" not in statement and "NotPrincipal" not in statement:
        return True  # identity policies name no principal: they are the caller's own
    negated = "NotPrincipal" in statement
    names = _principal_names(statement["NotPrincipal" if negated else "Principal"])
    account = caller.split(":")[4] if caller and caller.count(":") >= 5 else None
    hit = any(
        name == "*"
        or (caller is not None and name == caller)
        or (account is not None and name in (account, f"arn:aws:iam::{account}:root"))
        for name in names
    )
    return hit != negated


@dataclass(slots=True)
class _Verdict:
    allows: list[Matched] = field(default_factory=list)
    denies: list[Matched] = field(default_factory=list)


def _judge(
    sources: Iterable[PolicySource],
    action: str,
    resource: str,
    context: Context,
    caller: str | None,
    missing: list[str],
) -> _Verdict:
    verdict = _Verdict()
    for source in sources:
        for statement in source.statements:
            body = statement.body
            if not (
                _action_matches(body, action)
                and _principal_matches(body, caller)
                and _resource_matches(body, resource, context, missing)
            ):
                continue
            block = body.get("Condition")
            tested = {op.lower() for op in (block or {})}
            for key in condition_keys(block):
                if lookup(context, key) is None and key not in missing and tested != {"null"}:
                    missing.append(key)
            try:
                if not conditions_hold(_fill_condition(block, context), context):
                    continue
            except UnknownOperator:
                continue
            matched = Matched(source.policy_id, source.policy_type, statement.start, statement.end)
            (verdict.denies if body.get("Effect") == "Deny" else verdict.allows).append(matched)
    return verdict


def _fill_condition(block: Any, context: Context) -> Any:
    """Policy variables in condition values, filled as in resources."""
    if not isinstance(block, dict):
        return block
    ignored: list[str] = []
    filled: dict[str, Any] = {}
    for operator, pairs in block.items():
        if not isinstance(pairs, dict):
            filled[operator] = pairs
            continue
        filled[operator] = {
            key: [
                _substitute(v, context, ignored) or ("" if "${" in v else v) for v in listed(wanted)
            ]
            for key, wanted in pairs.items()
        }
    return filled


# -- the simulation --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ResourceResult:
    resource: str
    decision: str
    matched: list[Matched]
    missing: list[str]
    boundary_allowed: bool | None  # None: no permissions boundary in play


@dataclass(frozen=True, slots=True)
class ActionResult:
    action: str
    resource: str
    decision: str
    matched: list[Matched]
    missing: list[str]
    boundary_allowed: bool | None
    per_resource: list[ResourceResult]


@dataclass(frozen=True, slots=True)
class Simulation:
    """What to simulate: the policies in play and who calls."""

    identity: Sequence[PolicySource]
    boundary: Sequence[PolicySource] = ()
    resource_policy: PolicySource | None = None
    caller: str | None = None  # the caller's ARN (resource policies' principal)
    resource_owner: str | None = None  # the resource's account, when it differs


def _one(sim: Simulation, action: str, resource: str, context: Context) -> ResourceResult:
    missing: list[str] = []
    identity = _judge(sim.identity, action, resource, context, sim.caller, missing)
    boundary = (
        _judge(sim.boundary, action, resource, context, sim.caller, missing)
        if sim.boundary
        else None
    )
    on_resource = (
        _judge([sim.resource_policy], action, resource, context, sim.caller, missing)
        if sim.resource_policy is not None
        else _Verdict()
    )
    boundary_allowed = None if boundary is None else bool(boundary.allows) and not boundary.denies
    denies = identity.denies + (boundary.denies if boundary else []) + on_resource.denies
    if denies:
        return ResourceResult(resource, EXPLICIT_DENY, denies, missing, boundary_allowed)
    by_identity = bool(identity.allows) and boundary_allowed is not False
    by_resource = bool(on_resource.allows)
    caller_account = sim.caller.split(":")[4] if sim.caller and sim.caller.count(":") >= 5 else None
    across = sim.resource_owner is not None and sim.resource_owner != caller_account
    allowed = (by_identity and by_resource) if across else (by_identity or by_resource)
    if not allowed:
        return ResourceResult(resource, IMPLICIT_DENY, [], missing, boundary_allowed)
    matched = (identity.allows if by_identity else []) + on_resource.allows
    return ResourceResult(resource, ALLOWED, matched, missing, boundary_allowed)


def simulate(
    sim: Simulation, actions: Sequence[str], resources: Sequence[str], context: Context
) -> list[ActionResult]:
    """One result per action (AWS's current form), with one per resource inside when
    resources were named: the action's decision is the most restrictive of them."""
    results: list[ActionResult] = []
    for action in actions:
        per = [_one(sim, action, resource, context) for resource in resources or ["*"]]
        decision = max((r.decision for r in per), key=_SEVERITY.__getitem__)
        matched: list[Matched] = []
        missing: list[str] = []
        for r in per:
            if r.decision == decision:
                matched.extend(m for m in r.matched if m not in matched)
            missing.extend(k for k in r.missing if k not in missing)
        bounds = [r.boundary_allowed for r in per if r.boundary_allowed is not None]
        results.append(
            ActionResult(
                action=action,
                resource=per[0].resource,
                decision=decision,
                matched=matched,
                missing=missing,
                boundary_allowed=all(bounds) if bounds else None,
                per_resource=per if resources else [],
            )
        )
    return results


def context_keys(texts: Iterable[str]) -> list[str]:
    """The context keys the policies use (conditions and policy variables), once each."""
    keys: list[str] = []
    seen: set[str] = set()

    def add(key: str) -> None:
        if key.lower() not in seen and key not in _LITERALS:
            seen.add(key.lower())
            keys.append(key)

    for text in texts:
        source = PolicySource.of("", None, text)
        for statement in source.statements:
            body = statement.body
            for element in ("Resource", "NotResource"):
                for pattern in listed(body.get(element)):
                    for name in _VARIABLE.findall(pattern):
                        add(name.strip())
            block = body.get("Condition")
            for key in condition_keys(block):
                add(key)
            if isinstance(block, dict):
                for pairs in block.values():
                    for wanted in pairs.values() if isinstance(pairs, dict) else []:
                        for value in listed(wanted):
                            for name in _VARIABLE.findall(value):
                                add(name.strip())
    return keys
