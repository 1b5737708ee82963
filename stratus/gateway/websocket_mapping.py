"""Mapping templates of WebSocket APIs' non-proxy (``AWS``) integrations.

What the function receives is the integration's request template for the message
(``RequestTemplates`` keyed by what its ``TemplateSelectionExpression`` selects:
``\\$default`` is the literal ``$default``, ``${request.body.action}`` a value of the
JSON message). With no template to apply, ``PassthroughBehavior`` decides: the message
goes on as it is (``WHEN_NO_MATCH``, the default; ``WHEN_NO_TEMPLATES`` only when the
integration has no templates at all) or is refused (``NEVER``). What comes back is
shaped by the integration response whose key matches: a ``/regex/`` on the status code
(200 for a function that answered) before ``$default``; its ``ResponseTemplates`` keyed
by what its own ``TemplateSelectionExpression`` selects from the function's answer.
Without a matching integration response or template, the answer goes back as it is.
("Set up data mapping for WebSocket APIs in API Gateway", "Set up WebSocket API
integration responses".)
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from stratus.gateway.vtl import TemplateVars, render
from stratus.services.apis.model import Integration, IntegrationResponse

__all__ = ["Refused", "request_payload", "response_payload", "select_route"]

DEFAULT = "$default"


class Refused(Exception):
    """No request template applies and the passthrough behavior refuses the message."""


def select_route(expression: str, body: str) -> str | None:
    """The route key ``$request.body.a.b`` (or ``${request.body.a}``) names in a JSON body."""
    path = expression.strip()
    if path.startswith("${") and path.endswith("}"):
        path = "$" + path[2:-1]
    if not path.startswith("$request.body."):
        return None
    try:
        value: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    for part in path[len("$request.body.") :].split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else None


def _selected(expression: str | None, body: str) -> str:
    """What a template selection expression selects for this message or answer."""
    if not expression:
        return DEFAULT
    text = expression.strip()
    if text.startswith("\\$"):
        return text[1:]
    if text.startswith("$request.body.") or text.startswith("${request.body."):
        return select_route(text, body) or DEFAULT
    return text


def request_payload(integration: Integration, body: str, env: TemplateVars) -> str:
    """What a non-proxy integration sends the function for ``body`` (Refused: nothing)."""
    templates = integration.request_templates or {}
    key = _selected(integration.template_selection_expression, body)
    template = templates.get(key)
    if template is None and key != DEFAULT:
        template = templates.get(DEFAULT)
    if template is not None:
        return render(template, body, {}, env)
    behavior = integration.passthrough_behavior or "WHEN_NO_MATCH"
    if behavior == "NEVER" or (behavior == "WHEN_NO_TEMPLATES" and templates):
        raise Refused(key)
    return body


def _matches(key: str, status: str) -> bool:
    if key == DEFAULT or len(key) < 3:
        return False
    try:
        return re.fullmatch(key[1:-1], status) is not None
    except re.error:
        return False


def response_payload(
    responses: list[IntegrationResponse], answer: str, status: str, env: TemplateVars
) -> str:
    """The function's answer as the matching integration response shapes it."""
    chosen = next((r for r in responses if _matches(r.integration_response_key, status)), None)
    if chosen is None:
        chosen = next((r for r in responses if r.integration_response_key == DEFAULT), None)
    if chosen is None or not chosen.response_templates:
        return answer
    key = _selected(chosen.template_selection_expression, answer)
    template: Any = chosen.response_templates.get(key)
    if template is None:
        template = chosen.response_templates.get(DEFAULT)
    if template is None:
        return answer
    return render(str(template), answer, {}, env)
