"""API Gateway's parameter mapping expressions for HTTP APIs' service integrations
(``$request.body.name``, ``$request.header.x``, ``$context.requestId``, static text, and
``${...}`` inside text)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from stratus.gateway.request import GatewayRequest

_EMBEDDED = re.compile(r"\$\{([^}]+)\}")
_BARE = re.compile(
    r"\$(?:request\.(?:body|header|querystring|path)(?:\.[A-Za-z0-9_-]+)*"
    r"|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)"
)


class MappingContext:
    def __init__(
        self,
        request: GatewayRequest,
        stage_variables: dict[str, str] | None,
        path_parameters: dict[str, str] | None,
        context: dict[str, Any],
    ) -> None:
        self.request = request
        self.stage_variables = stage_variables or {}
        self.path_parameters = path_parameters or {}
        self.context = context
        self._json: Any = None
        self._parsed = False

    def body_json(self) -> Any:
        if not self._parsed:
            self._parsed = True
            try:
                self._json = orjson.loads(self.request.body) if self.request.body else None
            except orjson.JSONDecodeError:
                self._json = None
        return self._json

    def lookup(self, expression: str) -> str | None:
        expression = expression.strip()
        if expression == "$request.body":
            return self.request.body.decode("utf-8", "replace")
        if expression.startswith("$request.body."):
            value: Any = self.body_json()
            for part in expression[len("$request.body.") :].split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None:
                return None
            return value if isinstance(value, str) else orjson.dumps(value).decode()
        if expression.startswith("$request.header."):
            return self.request.header(expression[len("$request.header.") :].lower())
        if expression.startswith("$request.querystring."):
            values = self.request.query_lists().get(expression[len("$request.querystring.") :])
            return ",".join(values) if values else None
        if expression.startswith("$request.path."):
            return self.path_parameters.get(expression[len("$request.path.") :])
        if expression.startswith("$stageVariables."):
            return self.stage_variables.get(expression[len("$stageVariables.") :])
        if expression.startswith("$context."):
            found = self.context.get(expression[len("$context.") :])
            return None if found is None else str(found)
        return None

    def evaluate(self, template: str) -> str | None:
        """A mapping value: one expression, or text with ``${...}`` or ``$request...``
        parts (``/users/$request.path.id``), or static text."""
        if _BARE.fullmatch(template):
            return self.lookup(template)
        text = _EMBEDDED.sub(lambda m: self.lookup("$" + m.group(1)) or "", template)
        return _BARE.sub(lambda m: self.lookup(m.group(0)) or "", text)
