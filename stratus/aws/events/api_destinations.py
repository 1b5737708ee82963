"""The connection and API destination operations of
:class:`~stratus.aws.events.provider.EventsProvider`.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html and
API_CreateApiDestination.html. A connection's secrets are never part of an answer.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.events.shapes import compact, page, when
from stratus.services.events.api_destinations import ApiDestination
from stratus.services.events.connections import Connection, public_parameters
from stratus.services.events.service import EventsService

Params = dict[str, Any]
Result = dict[str, Any]


def _connection_head(connection: Connection, state: str | None = None) -> Result:
    return compact(
        {
            "ConnectionArn": connection.arn,
            "ConnectionState": state or connection.state,
            "CreationTime": when(connection.created),
            "LastModifiedTime": when(connection.modified),
            "LastAuthorizedTime": when(connection.authorized),
        }
    )


class ApiDestinationsApi:
    _events: EventsService

    # -- connections --------------------------------------------------------------------
    async def create_connection(self, ctx: RequestContext, params: Params) -> Result:
        connection = await self._events.connections.create(ctx.scope, params)
        head = _connection_head(connection)
        head.pop("LastAuthorizedTime", None)
        return head

    async def describe_connection(self, ctx: RequestContext, params: Params) -> Result:
        connection = self._events.connections.connection(ctx.scope, params["Name"])
        return compact(
            {
                "ConnectionArn": connection.arn,
                "Name": connection.name,
                "Description": connection.description,
                **connection.extra,
                "ConnectionState": connection.state,
                "StateReason": connection.state_reason,
                "AuthorizationType": connection.authorization_type,
                "SecretArn": connection.secret_arn,
                "KmsKeyIdentifier": connection.kms_key,
                "AuthParameters": public_parameters(connection.parameters),
                "CreationTime": when(connection.created),
                "LastModifiedTime": when(connection.modified),
                "LastAuthorizedTime": when(connection.authorized),
            }
        )

    async def update_connection(self, ctx: RequestContext, params: Params) -> Result:
        connection = await self._events.connections.update(ctx.scope, params)
        return _connection_head(connection)

    async def delete_connection(self, ctx: RequestContext, params: Params) -> Result:
        connection = await self._events.connections.delete(ctx.scope, params["Name"])
        return _connection_head(connection, "DELETING")

    async def deauthorize_connection(self, ctx: RequestContext, params: Params) -> Result:
        connection = await self._events.connections.deauthorize(ctx.scope, params["Name"])
        return _connection_head(connection, "DEAUTHORIZING")

    async def list_connections(self, ctx: RequestContext, params: Params) -> Result:
        found = self._events.connections.listing(
            ctx.scope, params.get("NamePrefix"), params.get("ConnectionState")
        )
        chosen, token = page(found, params)
        answer: Result = {
            "Connections": [
                compact(
                    {
                        "ConnectionArn": c.arn,
                        "Name": c.name,
                        "ConnectionState": c.state,
                        "StateReason": c.state_reason,
                        "AuthorizationType": c.authorization_type,
                        "CreationTime": when(c.created),
                        "LastModifiedTime": when(c.modified),
                        "LastAuthorizedTime": when(c.authorized),
                    }
                )
                for c in chosen
            ]
        }
        if token:
            answer["NextToken"] = token
        return answer

    # -- API destinations ---------------------------------------------------------------
    def _destination(self, destination: ApiDestination, *, full: bool) -> Result:
        answer: Result = {
            "ApiDestinationArn": destination.arn,
            "ApiDestinationState": self._events.api_destinations.state(destination),
            "CreationTime": when(destination.created),
            "LastModifiedTime": when(destination.modified),
        }
        if full:
            answer = {
                "ApiDestinationArn": destination.arn,
                "Name": destination.name,
                "Description": destination.description,
                "ApiDestinationState": answer["ApiDestinationState"],
                "ConnectionArn": destination.connection_arn,
                "InvocationEndpoint": destination.endpoint,
                "HttpMethod": destination.method,
                "InvocationRateLimitPerSecond": destination.rate,
                "CreationTime": answer["CreationTime"],
                "LastModifiedTime": answer["LastModifiedTime"],
            }
        return compact(answer)

    async def create_api_destination(self, ctx: RequestContext, params: Params) -> Result:
        destination = await self._events.api_destinations.create(ctx.scope, params)
        return self._destination(destination, full=False)

    async def describe_api_destination(self, ctx: RequestContext, params: Params) -> Result:
        destination = self._events.api_destinations.destination(ctx.scope, params["Name"])
        return self._destination(destination, full=True)

    async def update_api_destination(self, ctx: RequestContext, params: Params) -> Result:
        destination = await self._events.api_destinations.update(ctx.scope, params)
        return self._destination(destination, full=False)

    async def delete_api_destination(self, ctx: RequestContext, params: Params) -> Result:
        await self._events.api_destinations.delete(ctx.scope, params["Name"])
        return {}

    async def list_api_destinations(self, ctx: RequestContext, params: Params) -> Result:
        found = self._events.api_destinations.listing(
            ctx.scope, params.get("NamePrefix"), params.get("ConnectionArn")
        )
        chosen, token = page(found, params)
        answer: Result = {
            "ApiDestinations": [
                {k: v for k, v in self._destination(d, full=True).items() if k != "Description"}
                for d in chosen
            ]
        }
        if token:
            answer["NextToken"] = token
        return answer
