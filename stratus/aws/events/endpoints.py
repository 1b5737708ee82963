"""The global endpoint operations of :class:`~stratus.aws.events.provider.EventsProvider`.

https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEndpoint.html and
API_DescribeEndpoint.html, API_ListEndpoints.html, API_UpdateEndpoint.html,
API_DeleteEndpoint.html. ``HomeRegion`` names the Region an endpoint was created in: a
server answers for its caller's Region, so another one finds nothing.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.events.shapes import compact, when
from stratus.services.events.endpoints import Endpoint
from stratus.services.events.errors import NotFound
from stratus.services.events.service import EventsService

Params = dict[str, Any]
Result = dict[str, Any]


def _head(endpoint: Endpoint) -> Result:
    """What Create and Update answer: the endpoint's configuration and state."""
    return compact(
        {
            "Name": endpoint.name,
            "Arn": endpoint.arn,
            "RoutingConfig": endpoint.routing,
            "ReplicationConfig": endpoint.replication,
            "EventBuses": endpoint.buses,
            "RoleArn": endpoint.role_arn,
        }
    )


def _whole(endpoint: Endpoint) -> Result:
    """DescribeEndpoint's and ListEndpoints' shape."""
    return compact(
        {
            "Name": endpoint.name,
            "Description": endpoint.description,
            "Arn": endpoint.arn,
            "RoutingConfig": endpoint.routing,
            "ReplicationConfig": endpoint.replication,
            "EventBuses": endpoint.buses,
            "RoleArn": endpoint.role_arn,
            "EndpointId": endpoint.endpoint_id,
            "EndpointUrl": endpoint.url,
            "State": endpoint.state,
            "CreationTime": when(endpoint.created),
            "LastModifiedTime": when(endpoint.modified),
        }
    )


class EndpointsApi:
    _events: EventsService

    async def create_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        endpoint = await self._events.endpoints.create(ctx.scope, params)
        return {**_head(endpoint), "State": endpoint.state}

    async def describe_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        home = params.get("HomeRegion")
        if home and home != ctx.scope.region:
            raise NotFound(f"Endpoint {params['Name']} does not exist.")
        return _whole(self._events.endpoints.endpoint(ctx.scope, params["Name"]))

    async def update_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        endpoint = await self._events.endpoints.update(ctx.scope, params)
        return {
            **_head(endpoint),
            "EndpointId": endpoint.endpoint_id,
            "EndpointUrl": endpoint.url,
            "State": endpoint.state,
        }

    async def delete_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        await self._events.endpoints.delete(ctx.scope, params["Name"])
        return {}

    async def list_endpoints(self, ctx: RequestContext, params: Params) -> Result:
        home = params.get("HomeRegion")
        found = (
            []
            if home and home != ctx.scope.region
            else self._events.endpoints.listing(ctx.scope, params.get("NamePrefix"))
        )
        token = str(params.get("NextToken") or "0")
        start = int(token) if token.isdigit() else 0
        following = start + int(params.get("MaxResults") or 100)
        answer: Result = {"Endpoints": [_whole(e) for e in found[start:following]]}
        if following < len(found):
            answer["NextToken"] = str(following)
        return answer
