"""An event bus's resource policy as PutPermission and RemovePermission write it.

Pure functions over the policy's JSON text: the registry keeps the text on the bus and
stores it whole. AWS's shapes (recorded answers of DescribeEventBus): a statement is
``{"Sid", "Effect": "Allow", "Principal", "Action", "Resource"[, "Condition"]}`` where
the principal is ``{"AWS": "arn:aws:iam::<account>:root"}`` for an account and ``"*"``
for everyone; a second PutPermission with the same StatementId replaces that statement;
a ``Policy`` document replaces the whole policy. The policy is stored and shown, not
enforced: every account may still put events on every bus.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Condition.html
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.events.errors import Invalid, NotFound, PolicyLengthExceeded

#: "The permission policy on the event bus cannot exceed 10 KB in size." (PutPermission)
MAX_POLICY_BYTES = 10 * 1024
VERSION = "2012-10-17"
#: The only action, condition type and condition key PutPermission accepts.
ACTION = "events:PutEvents"
CONDITION_TYPE = "StringEquals"
CONDITION_KEY = "aws:PrincipalOrgID"

NO_POLICY = "EventBus does not have a policy."
NO_STATEMENT = "Statement with the provided id does not exist."


def _dump(document: dict[str, Any]) -> str:
    text = json.dumps(document, separators=(",", ":"))
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise PolicyLengthExceeded("The policy size exceeds the maximum allowed size of 10 KB.")
    return text


def statement(
    bus_arn: str,
    statement_id: str,
    action: str,
    principal: str,
    condition: dict[str, str] | None,
) -> dict[str, Any]:
    """One statement of PutPermission's parameters, checked as AWS checks them."""
    if action != ACTION:
        raise Invalid("Provided value in parameter 'action' is not supported.")
    built: dict[str, Any] = {
        "Sid": statement_id,
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action,
        "Resource": bus_arn,
    }
    if condition is not None:
        if condition["Type"] != CONDITION_TYPE:
            raise Invalid("Provided value in parameter 'condition.type' is not supported.")
        if condition["Key"] != CONDITION_KEY:
            raise Invalid("Provided value in parameter 'condition.key' is not supported.")
        built["Condition"] = {CONDITION_TYPE: {CONDITION_KEY: condition["Value"]}}
    return built


def with_statement(policy: str | None, added: dict[str, Any]) -> str:
    """``policy`` with ``added`` in place of its statement of the same Sid, or appended."""
    document = json.loads(policy) if policy else {"Version": VERSION, "Statement": []}
    statements = _statements(document)
    for index, existing in enumerate(statements):
        if isinstance(existing, dict) and existing.get("Sid") == added["Sid"]:
            statements[index] = added
            break
    else:
        statements.append(added)
    document["Statement"] = statements
    return _dump(document)


def without_statement(policy: str | None, statement_id: str) -> str | None:
    """``policy`` without the statement ``statement_id``; ``None`` once none is left."""
    document = json.loads(policy) if policy else {"Statement": []}
    statements = _statements(document)
    kept = [s for s in statements if not (isinstance(s, dict) and s.get("Sid") == statement_id)]
    if len(kept) == len(statements):
        raise NotFound(NO_STATEMENT)
    if not kept:
        return None
    document["Statement"] = kept
    return _dump(document)


def checked_document(text: str) -> str:
    """A whole ``Policy`` given to PutPermission: a JSON object with statements."""
    try:
        document = json.loads(text)
    except ValueError:
        raise Invalid("Policy is not valid JSON.") from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), (list, dict)):
        raise Invalid("Policy is not valid. Reason: Statement is missing or not valid.")
    return _dump(document)


def _statements(document: dict[str, Any]) -> list[Any]:
    found = document.get("Statement")
    if isinstance(found, list):
        return list(found)
    return [found] if isinstance(found, dict) else []
