"""A REST API's resource policy as API Gateway stores and answers it.

Written by CreateRestApi's ``policy``, UpdateRestApi's ``replace`` of ``/policy``, an
imported definition's ``x-amazon-apigateway-policy`` or CloudFormation's ``Policy``
(a document or its JSON text), it is checked (``policy_statements.check_document``;
AWS's ``BadRequestException`` "Invalid policy document. Please check the policy syntax
and ensure that Principals are valid."), then kept as API Gateway keeps it: minified,
each ``execute-api:/...`` resource expanded to the API's own ARN prefix
``arn:aws:execute-api:{region}:{account}:{api-id}/...`` (the shorthand SAM and CDK write,
https://docs.aws.amazon.com/apigateway/latest/developerguide/openapi-extensions-policy.html),
and a principal list of one name written as that name. API Gateway's quota is 8,192
characters of policy (counted here on the minified document, before the expansion).

GetRestApi answers it JSON-escaped, as AWS does (``{\\"Version\\":...}``, ``/`` as
``\\/``): clients unescape it (terraform's provider does exactly that).
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.services.apis.errors import BadRequest
from stratus.services.policy_statements import MalformedPolicy, check_document

__all__ = ["INVALID_POLICY", "MAX_POLICY_CHARS", "stored_policy", "wire_policy"]

MAX_POLICY_CHARS = 8192
INVALID_POLICY = (
    "Invalid policy document. Please check the policy syntax and ensure that Principals are valid."
)
_SHORTHAND = "execute-api:/"
#: Text past this is refused unread: no minified policy within the quota is this long.
_MAX_TEXT = 16 * MAX_POLICY_CHARS


def _expanded(value: Any, prefix: str) -> Any:
    if isinstance(value, str) and value.startswith(_SHORTHAND):
        return prefix + value[len(_SHORTHAND) :]
    if isinstance(value, list):
        return [_expanded(v, prefix) for v in value]
    return value


def _single(principal: Any) -> Any:
    if not isinstance(principal, dict):
        return principal
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in principal.items()}


def stored_policy(value: Any, api_id: str, account: str, region: str) -> str | None:
    """The policy as kept for the API (None: no policy, for ``None`` or ``""``); a
    document (dict) or its JSON text. BadRequest when it is not a policy or too long."""
    if value is None or value == "":
        return None
    try:  # a document is read back from its text: the caller's stays untouched
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
    except TypeError:  # orjson's JSONEncodeError: not JSON, or nested past 255 levels
        raise BadRequest(INVALID_POLICY) from None
    if len(text) > _MAX_TEXT:
        raise BadRequest(_too_long())
    try:
        document = orjson.loads(text)
        check_document(document)
    except (orjson.JSONDecodeError, MalformedPolicy):  # nested past 1,024 levels too
        raise BadRequest(INVALID_POLICY) from None
    text = orjson.dumps(document).decode()
    if len(text) > MAX_POLICY_CHARS:
        raise BadRequest(_too_long())
    prefix = f"arn:aws:execute-api:{region}:{account}:{api_id}/"
    statements = document["Statement"]
    for statement in [statements] if isinstance(statements, dict) else statements:
        for name in ("Resource", "NotResource"):
            if name in statement:
                statement[name] = _expanded(statement[name], prefix)
        for name in ("Principal", "NotPrincipal"):
            if name in statement:
                statement[name] = _single(statement[name])
    return orjson.dumps(document).decode()


def _too_long() -> str:
    return f"The resource policy exceeds the maximum length of {MAX_POLICY_CHARS} characters."


def wire_policy(stored: str) -> str:
    """The stored policy as GetRestApi answers it: the JSON text escaped as the inside
    of a JSON string, ``/`` too (``{\\"Version\\":\\"2012-10-17\\",...}``)."""
    return orjson.dumps(stored).decode()[1:-1].replace("/", "\\/")
