"""Stack policies: which update actions a stack update may take on which resources.

A stack without a policy allows every update. Once a policy is set, every resource is
protected unless a statement allows the action; an explicit ``Deny`` wins over any
``Allow``. Actions are ``Update:Modify``, ``Update:Replace``, ``Update:Delete`` (or
``Update:*``), resources ``LogicalResourceId/<id>`` with ``*`` wildcards, and a statement
may be narrowed by ``Condition: {StringEquals|StringLike: {ResourceType: [...]}}``.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/protect-stack-resources.html
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from stratus.services.stacks.errors import StackValidationError

__all__ = ["ACTIONS", "StackPolicy"]

#: The update actions a policy controls.
ACTIONS = ("Update:Modify", "Update:Replace", "Update:Delete")
_INVALID = "Error validating stack policy: Invalid stack policy"


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise StackValidationError(_INVALID)


def _matches(patterns: list[str], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


@dataclass(frozen=True, slots=True)
class _Statement:
    allow: bool
    actions: list[str]
    not_actions: list[str]
    resources: list[str]
    not_resources: list[str]
    types_equal: list[str] | None
    types_like: list[str] | None

    def applies(self, action: str, logical_id: str, kind: str) -> bool:
        if self.actions and not _matches(self.actions, action):
            return False
        if self.not_actions and _matches(self.not_actions, action):
            return False
        resource = f"LogicalResourceId/{logical_id}"
        if self.resources and not _matches(self.resources, resource):
            return False
        if self.not_resources and _matches(self.not_resources, resource):
            return False
        if self.types_equal is not None and kind not in self.types_equal:
            return False
        return self.types_like is None or _matches(self.types_like, kind)


@dataclass(frozen=True, slots=True)
class StackPolicy:
    """A parsed, validated stack policy document."""

    statements: tuple[_Statement, ...]

    @classmethod
    def parse(cls, text: str) -> StackPolicy:
        """The policy ``text`` states; a ValidationError when it is no valid policy."""
        try:
            document = json.loads(text)
        except ValueError:
            raise StackValidationError(_INVALID) from None
        if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
            raise StackValidationError(_INVALID)
        return cls(tuple(_statement(s) for s in document["Statement"]))

    def denial(self, action: str, logical_id: str, kind: str) -> str | None:
        """Why the policy refuses ``action`` on the resource (an event's reason), or
        ``None`` when it allows it."""
        allowed = False
        for number, statement in enumerate(self.statements, 1):
            if not statement.applies(action, logical_id, kind):
                continue
            if not statement.allow:
                return (
                    f"Action denied by stack policy: Statement [#{number}] does not allow "
                    f"[{action}] for resource [LogicalResourceId/{logical_id}]"
                )
            allowed = True
        if allowed:
            return None
        return (
            "Action not allowed by stack policy: No statement allows "
            f"[{action}] for resource [LogicalResourceId/{logical_id}]"
        )


def _statement(raw: Any) -> _Statement:
    if not isinstance(raw, dict) or raw.get("Effect") not in ("Allow", "Deny"):
        raise StackValidationError(_INVALID)
    if raw.get("Principal", "*") != "*":
        raise StackValidationError(_INVALID)
    actions, not_actions = _strings(raw.get("Action")), _strings(raw.get("NotAction"))
    if bool(actions) == bool(not_actions):
        raise StackValidationError(_INVALID)
    for action in actions + not_actions:
        if not (action == "Update:*" or action in ACTIONS):
            raise StackValidationError(_INVALID)
    resources, not_resources = _strings(raw.get("Resource")), _strings(raw.get("NotResource"))
    if bool(resources) == bool(not_resources):
        raise StackValidationError(_INVALID)
    condition = raw.get("Condition") or {}
    if not isinstance(condition, dict):
        raise StackValidationError(_INVALID)
    equal = like = None
    for operator, test in condition.items():
        if operator not in ("StringEquals", "StringLike") or not isinstance(test, dict):
            raise StackValidationError(_INVALID)
        if set(test) != {"ResourceType"}:
            raise StackValidationError(_INVALID)
        values = _strings(test["ResourceType"])
        if operator == "StringEquals":
            equal = values
        else:
            like = values
    return _Statement(
        raw["Effect"] == "Allow", actions, not_actions, resources, not_resources, equal, like
    )
