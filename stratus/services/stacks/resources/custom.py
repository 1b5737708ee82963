"""Custom resources (``AWS::CloudFormation::CustomResource`` and ``Custom::<Name>``): the
stack sends a request object to the ServiceToken (a function, invoked asynchronously,
or a topic, published to) and waits for the response object PUT to the ResponseURL.

https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requests.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from stratus.services.stacks.custom import MAX_RESPONSE_BYTES, CustomResponses, Pending
from stratus.services.stacks.errors import NothingApplied, ResourceFailed
from stratus.services.stacks.resources.base import Handler, Provisioned, Provisioning

__all__ = ["FAILED_PHYSICAL_ID", "CustomFailed", "CustomResourceHandler", "is_custom"]

#: Where a custom resource whose Create failed keeps the PhysicalResourceId its FAILED
#: response named: CloudFormation sends that id a Delete request when it rolls back.
FAILED_PHYSICAL_ID = "__failed_physical_id"


class CustomFailed(ResourceFailed):
    """The provider answered FAILED (with the physical id it named, if any)."""

    def __init__(self, message: str, physical_id: str | None) -> None:
        super().__init__(message)
        self.physical_id = physical_id


#: ServiceTimeout's bounds on AWS, in seconds.
_MIN_TIMEOUT_S, _MAX_TIMEOUT_S = 1, 3600


def is_custom(kind: str) -> bool:
    return kind == "AWS::CloudFormation::CustomResource" or kind.startswith("Custom::")


def _token_kind(token: Any) -> str:
    """``lambda`` or ``sns`` for a usable ServiceToken; a resource failure otherwise."""
    if not isinstance(token, str) or not token:
        raise ResourceFailed("Property ServiceToken cannot be empty.")
    parts = token.split(":")
    if len(parts) >= 7 and parts[:3] == ["arn", "aws", "lambda"] and parts[5] == "function":
        return "lambda"
    if len(parts) == 6 and parts[:3] == ["arn", "aws", "sns"] and parts[5]:
        return "sns"
    raise ResourceFailed("Invalid service token")


class CustomResourceHandler(Handler):
    """One resource type's custom resources (the type goes into each request)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        return await self._request(ctx, "Create", logical_id, props, None, None)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("ServiceToken") != new.get("ServiceToken"):
            # Refused before any request is sent: the rollback has nothing to undo.
            raise NothingApplied("Modifying service token is not allowed.")
        try:
            _token_kind(new.get("ServiceToken"))
        except ResourceFailed as exc:
            raise NothingApplied(exc.message) from exc
        return await self._request(ctx, "Update", logical_id, new, current, old)

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        logical_id = str(current.attributes.get("__logical", ""))
        try:
            await self._request(ctx, "Delete", logical_id, props, current, None)
        except ResourceFailed as exc:
            # The function or topic is already gone (deleted before us, or never made):
            # nothing can answer, and nothing is left to clean up.
            if "ResourceNotFound" in exc.message or "NotFound" in exc.message:
                return
            raise

    async def _request(
        self,
        ctx: Provisioning,
        request_type: str,
        logical_id: str,
        props: dict[str, Any],
        current: Provisioned | None,
        old: dict[str, Any] | None,
    ) -> Provisioned:
        responses = ctx.responses
        if responses is None:
            raise ResourceFailed("Custom resources are not served here")
        _token_kind(props.get("ServiceToken"))
        timeout = _timeout(props.get("ServiceTimeout"), responses.default_timeout_s)
        physical = current.physical_id if current is not None else None
        # A stack resumed after a restart waits on the request it had sent, if the
        # resource is still in the state that request asked about.
        pending = responses.find(ctx.stack_id, logical_id, request_type)
        if pending is not None and (
            pending.request.get("ResourceProperties") != props
            or pending.request.get("PhysicalResourceId") != physical
        ):
            await responses.close(pending.token)  # asked about another state: ask again
            pending = None
        if pending is None:
            pending = await self._send(
                ctx, responses, logical_id, request_type, props, current, old, timeout
            )
        # Cancelled (the server stops), the request stays pending for the next start.
        response = await responses.wait(pending.token)
        await responses.close(pending.token)
        request = pending.request
        if response is None:
            raise ResourceFailed(
                "CloudFormation did not receive a response from your Custom Resource. "
                f"Please check your logs for requestId [{request['RequestId']}]."
            )
        return _outcome(response, request, logical_id)

    async def _send(
        self,
        ctx: Provisioning,
        responses: CustomResponses,
        logical_id: str,
        request_type: str,
        props: dict[str, Any],
        current: Provisioned | None,
        old: dict[str, Any] | None,
        timeout: float,
    ) -> Pending:
        """Record the request object, then send it to the ServiceToken."""
        service_token = str(props["ServiceToken"])
        token = responses.new_token()
        request: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": service_token,
            "ResponseURL": responses.url(token),
            "StackId": ctx.stack_id,
            "RequestId": str(uuid.uuid4()),
            "LogicalResourceId": logical_id,
            "ResourceType": self.kind,
            "ResourceProperties": props,
        }
        if "ServiceTimeout" in props:
            request["ServiceTimeout"] = str(props["ServiceTimeout"])
        if current is not None:
            request["PhysicalResourceId"] = current.physical_id
        if old is not None:
            request["OldResourceProperties"] = old
        pending = Pending(token, ctx.stack_id, logical_id, request, time.time() + timeout)
        await responses.open(pending)
        try:
            if _token_kind(service_token) == "lambda":
                await ctx.call(
                    "lambda",
                    "Invoke",
                    {
                        "FunctionName": service_token,
                        "InvocationType": "Event",
                        "Payload": json.dumps(request).encode(),
                    },
                )
            else:
                await ctx.call(
                    "sns", "Publish", {"TopicArn": service_token, "Message": json.dumps(request)}
                )
        except BaseException:
            await responses.close(token)
            raise
        return pending


def _timeout(value: Any, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = int(str(value))
    except ValueError:
        raise ResourceFailed(
            f"ServiceTimeout must be a number between {_MIN_TIMEOUT_S} and {_MAX_TIMEOUT_S}"
        ) from None
    if not _MIN_TIMEOUT_S <= seconds <= _MAX_TIMEOUT_S:
        raise ResourceFailed(
            f"ServiceTimeout must be a number between {_MIN_TIMEOUT_S} and {_MAX_TIMEOUT_S}"
        )
    return float(seconds)


def _outcome(response: dict[str, Any], request: dict[str, Any], logical_id: str) -> Provisioned:
    """The resource as the response object describes it, or the failure it reports."""
    if len(json.dumps(response)) > MAX_RESPONSE_BYTES:
        raise ResourceFailed("Response object is too long.")
    status = response.get("Status")
    if status == "FAILED":
        reason = str(response.get("Reason") or "")
        named = response.get("PhysicalResourceId")
        raise CustomFailed(
            f"Received response status [FAILED] from custom resource. Message returned: {reason}",
            named if isinstance(named, str) and named else None,
        )
    if status != "SUCCESS":
        raise ResourceFailed(f"Invalid response status [{status}] from custom resource")
    physical = response.get("PhysicalResourceId") or request.get("PhysicalResourceId")
    if not isinstance(physical, str) or not physical or len(physical) > 1024:
        raise ResourceFailed("Invalid PhysicalResourceId")
    data = response.get("Data") or {}
    if not isinstance(data, dict):
        raise ResourceFailed("Invalid response object: Data must be an object")
    attributes: dict[str, Any] = {str(k): v for k, v in data.items()}
    attributes["__logical"] = logical_id  # a delete request names the resource too
    return Provisioned(physical, attributes)
