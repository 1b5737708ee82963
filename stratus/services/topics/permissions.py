"""A topic's access policy as AddPermission and RemovePermission change it.

Pure functions over the ``Policy`` attribute's JSON text (the topic's own, or AWS's
default one when none was set). AddPermission appends
``{"Sid": Label, "Effect": "Allow", "Principal": {"AWS": ...}, "Action": ..., "Resource":
topic ARN}``, each account as ``arn:aws:iam::ACCOUNT:root`` and each action as
``SNS:ActionName``, a single one written as a string and several as a list, as AWS does.
RemovePermission of a label that is not there succeeds. The policy is stored, not
enforced.

https://docs.aws.amazon.com/sns/latest/api/API_AddPermission.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stratus.services.topics.errors import InvalidParameter

#: The actions a topic's policy may grant (AWS: "Policy statement action out of service
#: scope!" for any other).
ACTIONS = frozenset(
    {
        "GetTopicAttributes",
        "SetTopicAttributes",
        "AddPermission",
        "RemovePermission",
        "DeleteTopic",
        "Subscribe",
        "ListSubscriptionsByTopic",
        "Publish",
        "Receive",
    }
)


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def with_permission(
    policy: str,
    topic_arn: str,
    label: str,
    accounts: Sequence[str],
    actions: Sequence[str],
) -> str:
    """``policy`` with the statement ``label`` added; refused if the label is taken."""
    document = json.loads(policy)
    statements = _statements(document)
    if any(isinstance(s, dict) and s.get("Sid") == label for s in statements):
        raise InvalidParameter("Invalid parameter: Statement already exists")
    if any(action not in ACTIONS for action in actions):
        raise InvalidParameter("Invalid parameter: Policy statement action out of service scope!")
    statement: dict[str, Any] = {
        "Sid": label,
        "Effect": "Allow",
        "Principal": {"AWS": _one_or_many([f"arn:aws:iam::{a}:root" for a in accounts])},
        "Action": _one_or_many([f"SNS:{action}" for action in actions]),
        "Resource": topic_arn,
    }
    document["Statement"] = [*statements, statement]
    return json.dumps(document, separators=(",", ":"))


def without_permission(policy: str, label: str) -> str | None:
    """``policy`` without the statement ``label``; ``None`` when it had none such."""
    document = json.loads(policy)
    statements = _statements(document)
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == label)]
    if len(kept) == len(statements):
        return None
    document["Statement"] = kept
    return json.dumps(document, separators=(",", ":"))


def _statements(document: Any) -> list[Any]:
    found = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(found, list):
        return list(found)
    return [found] if isinstance(found, dict) else []
