"""The ``context`` object handed to a handler, with every member Lambda's runtime has.

Attribute names, types (``memory_limit_in_mb`` is the environment's string, as in
Lambda) and the nested ``identity``/``client_context`` objects follow awslambdaric's
``lambda_context.py``, so code that introspects the context behaves the same here.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Dict, Optional, Tuple

W3C_FIELDS = ("traceparent", "tracestate", "baggage")


class CognitoIdentity(object):
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data: Optional[Dict[str, Any]] = None) -> None:
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return "CognitoIdentity([cognito_identity_id={},cognito_identity_pool_id={}])".format(
            self.cognito_identity_id, self.cognito_identity_pool_id
        )


class Client(object):
    __slots__ = (
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    )

    def __init__(self, data: Dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, data.get(name))

    def __repr__(self) -> str:
        fields = ",".join("{}={}".format(n, getattr(self, n)) for n in self.__slots__)
        return "Client([{}])".format(fields)


class ClientContext(object):
    __slots__ = ("client", "custom", "env")

    def __init__(self, data: Dict[str, Any]) -> None:
        self.custom = data.get("custom")
        self.env = data.get("env")
        client = data.get("client")
        self.client = Client(client) if isinstance(client, dict) else client

    def __repr__(self) -> str:
        return "ClientContext([custom={},env={},client={}])".format(
            self.custom, self.env, self.client
        )


_STATIC_VARIABLES = (
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
)
StaticFacts = Tuple[Optional[str], ...]


def static_facts() -> StaticFacts:
    """The environment's facts, read once per environment (os.environ lookups cost ~1 us)."""
    return tuple(os.environ.get(name) for name in _STATIC_VARIABLES)


class LambdaContext(object):
    """What Lambda passes as ``context``: static facts from the environment, per-invoke ones
    from the request."""

    def __init__(
        self,
        request_id: str,
        client_context: Optional[Dict[str, Any]],
        cognito_identity: Optional[Dict[str, Any]],
        deadline_ms: float,
        invoked_function_arn: str,
        tenant_id: Optional[str] = None,
        facts: Optional[StaticFacts] = None,
    ) -> None:
        (
            self.log_group_name,
            self.log_stream_name,
            self.function_name,
            self.memory_limit_in_mb,
            self.function_version,
        ) = facts if facts is not None else static_facts()
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self._w3c = _pop_w3c(client_context)
        self.client_context = ClientContext(client_context) if client_context is not None else None
        self.identity = CognitoIdentity(cognito_identity)
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        remaining = int(self._deadline_ms - time.time() * 1000)
        return remaining if remaining > 0 else 0

    def w3c(self) -> Dict[str, str]:
        """The W3C trace context the caller sent in the client context, if any."""
        return dict(self._w3c)

    def log(self, msg: Any) -> None:
        """Write ``msg`` to the log stream as is (no newline added), as Lambda's does."""
        import logging

        for handler in logging.getLogger().handlers:
            sink = getattr(handler, "log_sink", None)
            if sink is not None:
                sink.write(str(msg))
                return
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},"
            "function_name={},memory_limit_in_mb={},function_version={},"
            "invoked_function_arn={},client_context={},identity={},tenant_id={}])"
        ).format(
            self.aws_request_id,
            self.log_group_name,
            self.log_stream_name,
            self.function_name,
            self.memory_limit_in_mb,
            self.function_version,
            self.invoked_function_arn,
            self.client_context,
            self.identity,
            self.tenant_id,
        )


def _pop_w3c(client_context: Optional[Dict[str, Any]]) -> Dict[str, str]:
    """Lambda strips ``w3c`` from the client context and exposes it through ``w3c()``."""
    if not isinstance(client_context, dict):
        return {}
    raw = client_context.pop("w3c", None)
    if not isinstance(raw, dict):
        return {}
    return {k: raw[k] for k in W3C_FIELDS if isinstance(raw.get(k), str)}
