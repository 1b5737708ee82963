"""Route responses and integration responses of WebSocket APIs (API Gateway v2).

A WebSocket route is one-way unless it has a route response: API Gateway passes the
backend's answer back to the client only through one, and ``$default`` is the only
route response key a WebSocket API may define ("Set up route responses for WebSocket APIs
in API Gateway"). Integration responses shape a non-proxy integration's answer; their key
is ``$default`` or a ``/regex/`` matched against the backend's status ("Overview of
integration responses"). HTTP APIs have neither.

Mixed into ``HttpApis``, which stores the API after each change (``_changed``).
"""

from __future__ import annotations

import re
from typing import Any

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_child_id
from stratus.services.apis.model import HttpApi, IntegrationResponse, Route, RouteResponse

DEFAULT_KEY = "$default"
CONTENT_HANDLING = frozenset({"CONVERT_TO_BINARY", "CONVERT_TO_TEXT"})
_SELECTION = re.compile(
    r"^\$(default|request\.body\.[A-Za-z0-9_.$\[\]-]+|integration\.response\.statuscode)$"
)


def _websocket_only(api: HttpApi, what: str) -> None:
    if api.protocol_type != "WEBSOCKET":
        raise BadRequest(f"{what} are supported only for WebSocket APIs.")


def check_integration_response_key(key: str) -> None:
    """``$default`` or ``/regex/`` (a Java-style pattern on the integration's status)."""
    if key == DEFAULT_KEY:
        return
    if len(key) < 3 or not key.startswith("/") or not key.endswith("/"):
        raise BadRequest(
            f"IntegrationResponseKey '{key}' is invalid: it must be $default or a regular "
            "expression between slashes, such as /4\\d\\d/."
        )
    try:
        re.compile(key[1:-1])
    except re.error as exc:
        raise BadRequest(
            f"IntegrationResponseKey '{key}' is invalid: not a valid regular expression."
        ) from exc


class RouteResponsesMixin:
    """CreateRouteResponse ... DeleteRouteResponse, CreateIntegrationResponse ...
    DeleteIntegrationResponse of ``HttpApis``."""

    async def _changed(self, api: HttpApi) -> None:
        raise NotImplementedError  # HttpApis stores the API

    def route(self, api: HttpApi, route_id: str) -> Route:
        raise NotImplementedError  # HttpApis finds the route

    # -- route responses -------------------------------------------------------------------
    def route_response(self, api: HttpApi, route_id: str, response_id: str) -> RouteResponse:
        self.route(api, route_id)
        found = api.route_responses.get(response_id)
        if found is None or found.route_id != route_id:
            raise NotFound(
                f"Invalid RouteResponse identifier specified {api.account}:{response_id}"
            )
        return found

    def route_responses_of(self, api: HttpApi, route_id: str) -> list[RouteResponse]:
        self.route(api, route_id)
        return [r for r in api.route_responses.values() if r.route_id == route_id]

    def _check_route_response(self, api: HttpApi, fields: dict[str, Any]) -> None:
        expression = fields.get("model_selection_expression")
        if expression is not None and not _SELECTION.match(expression):
            raise BadRequest(f"Invalid ModelSelectionExpression specified: {expression[:256]}")
        for name in (fields.get("response_models") or {}).values():
            if not any(m.name == name for m in api.models.values()):
                raise NotFound(f"Invalid model name specified {api.account}:{name}")

    async def create_route_response(
        self, api: HttpApi, route_id: str, fields: dict[str, Any]
    ) -> RouteResponse:
        _websocket_only(api, "Route responses")
        self.route(api, route_id)
        key = fields.get("route_response_key") or ""
        if key != DEFAULT_KEY:
            raise BadRequest(
                f"Unable to create RouteResponse with RouteResponseKey '{key[:256]}'. "
                "Only $default is supported for WebSocket APIs."
            )
        if any(
            r.route_id == route_id and r.route_response_key == key
            for r in api.route_responses.values()
        ):
            raise Conflict(
                f"Unable to create RouteResponse with RouteResponseKey '{key}'. "
                "RouteResponse already exists."
            )
        self._check_route_response(api, fields)
        response = RouteResponse(
            route_response_id=new_child_id(),
            route_id=route_id,
            **{k: v for k, v in fields.items() if v is not None},
        )
        api.route_responses[response.route_response_id] = response
        await self._changed(api)
        return response

    async def update_route_response(
        self, api: HttpApi, route_id: str, response_id: str, fields: dict[str, Any]
    ) -> RouteResponse:
        response = self.route_response(api, route_id, response_id)
        key = fields.get("route_response_key")
        if key is not None and key != DEFAULT_KEY:
            raise BadRequest(
                f"Unable to update RouteResponse to RouteResponseKey '{key[:256]}'. "
                "Only $default is supported for WebSocket APIs."
            )
        self._check_route_response(api, fields)
        for name, value in fields.items():
            if value is not None:
                setattr(response, name, value)
        await self._changed(api)
        return response

    async def delete_route_response(self, api: HttpApi, route_id: str, response_id: str) -> None:
        self.route_response(api, route_id, response_id)
        del api.route_responses[response_id]
        await self._changed(api)

    # -- integration responses ---------------------------------------------------------------
    def integration_of(self, api: HttpApi, integration_id: str) -> None:
        if integration_id not in api.integrations:
            raise NotFound(
                f"Invalid Integration identifier specified {api.account}:{integration_id}"
            )

    def integration_response(
        self, api: HttpApi, integration_id: str, response_id: str
    ) -> IntegrationResponse:
        self.integration_of(api, integration_id)
        found = api.integration_responses.get(response_id)
        if found is None or found.integration_id != integration_id:
            raise NotFound(
                f"Invalid IntegrationResponse identifier specified {api.account}:{response_id}"
            )
        return found

    def integration_responses_of(
        self, api: HttpApi, integration_id: str
    ) -> list[IntegrationResponse]:
        self.integration_of(api, integration_id)
        return [r for r in api.integration_responses.values() if r.integration_id == integration_id]

    def _check_integration_response(self, fields: dict[str, Any]) -> None:
        key = fields.get("integration_response_key")
        if key is not None:
            check_integration_response_key(key)
        strategy = fields.get("content_handling_strategy")
        if strategy is not None and strategy not in CONTENT_HANDLING:
            raise BadRequest(f"Invalid content handling strategy specified: {strategy[:64]}")
        for name, value in (fields.get("response_parameters") or {}).items():
            if not name.startswith(("method.response.header.", "route.response.header.")):
                raise BadRequest(f"Invalid mapping expression specified: {name[:256]}")
            if not isinstance(value, str) or not value:
                raise BadRequest(f"Invalid mapping expression specified: {value!s:.256}")

    async def create_integration_response(
        self, api: HttpApi, integration_id: str, fields: dict[str, Any]
    ) -> IntegrationResponse:
        _websocket_only(api, "Integration responses")
        self.integration_of(api, integration_id)
        self._check_integration_response(fields)
        key = fields["integration_response_key"]
        if any(
            r.integration_id == integration_id and r.integration_response_key == key
            for r in api.integration_responses.values()
        ):
            raise Conflict(
                f"Unable to create IntegrationResponse with IntegrationResponseKey '{key}'. "
                "IntegrationResponse already exists."
            )
        response = IntegrationResponse(
            integration_response_id=new_child_id(),
            integration_id=integration_id,
            **{k: v for k, v in fields.items() if v is not None},
        )
        api.integration_responses[response.integration_response_id] = response
        await self._changed(api)
        return response

    async def update_integration_response(
        self, api: HttpApi, integration_id: str, response_id: str, fields: dict[str, Any]
    ) -> IntegrationResponse:
        response = self.integration_response(api, integration_id, response_id)
        self._check_integration_response(fields)
        key = fields.get("integration_response_key")
        if (
            key is not None
            and key != response.integration_response_key
            and any(
                r.integration_id == integration_id and r.integration_response_key == key
                for r in api.integration_responses.values()
            )
        ):
            raise Conflict(
                f"Unable to update IntegrationResponse to IntegrationResponseKey '{key}'. "
                "IntegrationResponse already exists."
            )
        for name, value in fields.items():
            if value is not None:
                setattr(response, name, value)
        await self._changed(api)
        return response

    async def delete_integration_response(
        self, api: HttpApi, integration_id: str, response_id: str
    ) -> None:
        self.integration_response(api, integration_id, response_id)
        del api.integration_responses[response_id]
        await self._changed(api)


def drop_route(api: HttpApi, route_id: str) -> None:
    """A deleted route's responses go with it."""
    api.route_responses = {k: v for k, v in api.route_responses.items() if v.route_id != route_id}


def drop_integration(api: HttpApi, integration_id: str) -> None:
    """A deleted integration's responses go with it."""
    api.integration_responses = {
        k: v for k, v in api.integration_responses.items() if v.integration_id != integration_id
    }
