"""Connections: how API destinations authorize (API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS).

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection.html

A connection keeps its secrets (the password, the key's value, the client secret, the
values marked ``IsValueSecret``) and never answers them back: Describe shows the
parameters without them, and a ``SecretArn`` named as AWS names the Secrets Manager
secret it would hold them in. Stratus keeps them in its own store (the data directory),
not in a Secrets Manager.

States: API_KEY and BASIC connections are AUTHORIZED at once. An OAuth connection is
AUTHORIZING until the service has fetched a token from its authorization endpoint
(AUTHORIZED), or failed to (DEAUTHORIZED, the endpoint's answer as the reason).
DeauthorizeConnection removes the secrets: the connection is DEAUTHORIZED until an
UpdateConnection gives new ones.
"""

from __future__ import annotations

import copy
import secrets
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from stratus.services.events.errors import AlreadyExists, Invalid, NotFound
from stratus.services.scope import Scope

__all__ = ["Connection", "Connections", "public_parameters"]

KIND = "connection"
OAUTH = "OAUTH_CLIENT_CREDENTIALS"
#: AWS keeps a connection's parameters in a Secrets Manager secret, whose value holds at
#: most 65,536 bytes: the bound of what one connection may carry into every request.
MAX_PARAMETERS_BYTES = 65536
_PARAMETERS_OF = {
    "BASIC": "BasicAuthParameters",
    "API_KEY": "ApiKeyAuthParameters",
    OAUTH: "OAuthParameters",
}
#: Members that are secrets, by the structure that holds them.
_SECRET_MEMBERS = {
    "BasicAuthParameters": ("Password",),
    "ApiKeyAuthParameters": ("ApiKeyValue",),
    "ClientParameters": ("ClientSecret",),
}


def _hide(value: Any) -> Any:
    """``value`` without its secrets, as Describe answers it."""
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, item in value.items():
            if key in _SECRET_MEMBERS:
                item = {k: v for k, v in item.items() if k not in _SECRET_MEMBERS[key]}
            shown[key] = _hide(item)
        return shown
    if isinstance(value, list):
        return [_hide_parameter(item) for item in value]
    return value


def _hide_parameter(item: Any) -> Any:
    if isinstance(item, dict) and item.get("IsValueSecret"):
        return {k: v for k, v in item.items() if k != "Value"}
    return _hide(item)


def public_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    shown = _hide(parameters)
    return shown if isinstance(shown, dict) else {}


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """UpdateConnection: structures merge member by member; parameter lists replace."""
    merged = copy.deepcopy(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@dataclass(slots=True)
class Connection:
    name: str
    arn: str
    authorization_type: str
    parameters: dict[str, Any]  # AuthParameters as given, secrets included
    secret_arn: str
    description: str | None = None
    state: str = "AUTHORIZED"
    state_reason: str | None = None
    created: float = 0.0
    modified: float = 0.0
    authorized: float | None = None
    kms_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # InvocationConnectivityParameters

    @property
    def oauth(self) -> bool:
        return self.authorization_type == OAUTH

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "type": self.authorization_type,
            "parameters": self.parameters,
            "secret": self.secret_arn,
            "description": self.description,
            "state": self.state,
            "reason": self.state_reason,
            "created": self.created,
            "modified": self.modified,
            "authorized": self.authorized,
            "kms": self.kms_key,
            "extra": self.extra,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Connection:
        return cls(
            doc["name"],
            doc["arn"],
            doc["type"],
            dict(doc.get("parameters") or {}),
            doc["secret"],
            doc.get("description"),
            doc.get("state", "AUTHORIZED"),
            doc.get("reason"),
            doc.get("created", 0.0),
            doc.get("modified", 0.0),
            doc.get("authorized"),
            doc.get("kms"),
            dict(doc.get("extra") or {}),
        )


def connection_arn(scope: Scope, name: str) -> str:
    return f"arn:aws:events:{scope.region}:{scope.account}:connection/{name}/{uuid.uuid4()}"


def _secret_arn(scope: Scope, name: str) -> str:
    suffix = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(6))
    return (
        f"arn:aws:secretsmanager:{scope.region}:{scope.account}:secret:"
        f"events!connection/{name}/{uuid.uuid4()}-{suffix}"
    )


def _check(authorization_type: str, parameters: dict[str, Any]) -> None:
    """The structure of the authorization type must be given, and only it."""
    if len(orjson.dumps(parameters)) > MAX_PARAMETERS_BYTES:
        raise Invalid(
            f"AuthParameters must not exceed {MAX_PARAMETERS_BYTES} bytes "
            "(a connection's secret, as Secrets Manager holds it)."
        )
    wanted = _PARAMETERS_OF[authorization_type]
    if not parameters.get(wanted):
        raise Invalid(f"{wanted} must be specified for AuthorizationType {authorization_type}.")
    others = [p for t, p in _PARAMETERS_OF.items() if t != authorization_type and parameters.get(p)]
    if others:
        raise Invalid(
            f"{others[0]} is not valid for AuthorizationType {authorization_type}; "
            f"only {wanted} may be specified."
        )
    if authorization_type == OAUTH:
        oauth = parameters[wanted]
        client = oauth.get("ClientParameters") or {}
        for member, present in (
            ("ClientParameters.ClientID", client.get("ClientID")),
            ("ClientParameters.ClientSecret", client.get("ClientSecret")),
            ("AuthorizationEndpoint", oauth.get("AuthorizationEndpoint")),
            ("HttpMethod", oauth.get("HttpMethod")),
        ):
            if not present:
                raise Invalid(f"OAuthParameters.{member} must be specified.")
        _check_url(str(oauth["AuthorizationEndpoint"]), "AuthorizationEndpoint")
    elif authorization_type == "BASIC":
        basic = parameters[wanted]
        if not basic.get("Username") or not basic.get("Password"):
            raise Invalid("BasicAuthParameters.Username and Password must be specified.")
    else:
        key = parameters[wanted]
        if not key.get("ApiKeyName") or not key.get("ApiKeyValue"):
            raise Invalid("ApiKeyAuthParameters.ApiKeyName and ApiKeyValue must be specified.")


def _check_url(url: str, member: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise Invalid(f"Parameter {member} is not valid. Reason: it must be an HTTP(S) URL.")


class Connections:
    def __init__(
        self,
        store: Callable[[Connection], Any],
        forget: Callable[[str], Any],
        authorize: Callable[[Connection], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``store``/``forget`` persist a record; ``authorize`` starts an OAuth
        connection's token fetch in the background."""
        self._store = store
        self._forget = forget
        self._authorize = authorize
        self._clock = clock
        self.connections: dict[str, Connection] = {}  # by ARN

    def load(self, documents: list[dict[str, Any]]) -> None:
        for doc in documents:
            connection = Connection.from_document(doc)
            self.connections[connection.arn] = connection
            if connection.state in ("AUTHORIZING", "UPDATING"):
                self._authorize(connection)

    def connection(self, scope: Scope, name: str) -> Connection:
        for connection in self.connections.values():
            if connection.name == name and scope.owns(connection.arn):
                return connection
        raise NotFound(f"Failed to describe the connection(s). Connection '{name}' does not exist.")

    def by_arn(self, arn: str) -> Connection | None:
        return self.connections.get(arn)

    async def create(self, scope: Scope, params: dict[str, Any]) -> Connection:
        name = params["Name"]
        if any(c.name == name and scope.owns(c.arn) for c in self.connections.values()):
            raise AlreadyExists(f"Connection {name} already exists.")
        authorization_type = params["AuthorizationType"]
        parameters = copy.deepcopy(dict(params["AuthParameters"]))
        _check(authorization_type, parameters)
        now = self._clock()
        connection = Connection(
            name,
            connection_arn(scope, name),
            authorization_type,
            parameters,
            _secret_arn(scope, name),
            params.get("Description"),
            "AUTHORIZING" if authorization_type == OAUTH else "AUTHORIZED",
            created=now,
            modified=now,
            authorized=None if authorization_type == OAUTH else now,
            kms_key=params.get("KmsKeyIdentifier") or None,
            extra={k: params[k] for k in ("InvocationConnectivityParameters",) if params.get(k)},
        )
        await self._store(connection)
        self.connections[connection.arn] = connection
        if connection.oauth:
            self._authorize(connection)
        return connection

    async def update(self, scope: Scope, params: dict[str, Any]) -> Connection:
        connection = self.connection(scope, params["Name"])
        authorization_type = params.get("AuthorizationType") or connection.authorization_type
        change = copy.deepcopy(dict(params.get("AuthParameters") or {}))
        if authorization_type != connection.authorization_type:
            parameters = change  # a new type starts from what this call gives
        else:
            parameters = _merge(connection.parameters, change)
        _check(authorization_type, parameters)
        now = self._clock()
        connection.authorization_type = authorization_type
        connection.parameters = parameters
        if "Description" in params:
            connection.description = params["Description"]
        if "KmsKeyIdentifier" in params:
            connection.kms_key = params["KmsKeyIdentifier"] or None
        connection.modified = now
        connection.state_reason = None
        if connection.oauth:
            connection.state = "AUTHORIZING"
        else:
            connection.state, connection.authorized = "AUTHORIZED", now
        await self._store(connection)
        if connection.oauth:
            self._authorize(connection)
        return connection

    async def deauthorize(self, scope: Scope, name: str) -> Connection:
        """Secrets removed; the public parameters stay so an update can refill them."""
        connection = self.connection(scope, name)
        connection.parameters = public_parameters(connection.parameters)
        connection.state = "DEAUTHORIZED"
        connection.state_reason = None
        connection.modified = self._clock()
        await self._store(connection)
        return connection

    async def delete(self, scope: Scope, name: str) -> Connection:
        connection = self.connection(scope, name)
        await self._forget(connection.arn)
        del self.connections[connection.arn]
        connection.state = "DELETING"
        return connection

    def listing(self, scope: Scope, prefix: str | None, state: str | None) -> list[Connection]:
        return sorted(
            (
                c
                for c in self.connections.values()
                if scope.owns(c.arn)
                and c.name.startswith(prefix or "")
                and (state is None or c.state == state)
            ),
            key=lambda c: c.name,
        )

    async def authorized(self, connection: Connection, ok: bool, reason: str | None) -> None:
        """The outcome of an OAuth token fetch."""
        if self.connections.get(connection.arn) is not connection:
            return  # deleted meanwhile
        if connection.state == "DEAUTHORIZED" and ok:
            return  # deauthorized while the fetch ran
        now = self._clock()
        connection.state = "AUTHORIZED" if ok else "DEAUTHORIZED"
        connection.state_reason = None if ok else (reason or "")[:512]
        if ok:
            connection.authorized = now
        await self._store(connection)
