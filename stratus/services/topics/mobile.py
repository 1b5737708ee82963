"""Mobile push: platform applications, their endpoints (devices), and Publish to one.

AWS's rules (https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformApplication.html,
API_CreatePlatformEndpoint.html, sns-send-custom-platform-specific-payloads-mobile-devices):

- An application's ARN is ``arn:aws:sns:REGION:ACCOUNT:app/PLATFORM/NAME``, an endpoint's
  ``arn:aws:sns:REGION:ACCOUNT:endpoint/PLATFORM/NAME/UUID``.
- GCM (Firebase) needs a ``PlatformCredential`` (its API key or service account JSON); the
  other platforms a ``PlatformPrincipal`` and a ``PlatformCredential`` together
  (certificate and key, client id and secret, signing key id and key ...). AWS then asks
  the push service whether they are valid; Stratus reaches no push service, so only an
  empty one is refused ("Platform credentials are invalid").
- CreatePlatformEndpoint is idempotent: the same token with the same attributes answers
  the endpoint it made; with different ones it is refused, naming that endpoint.
- Publish with ``MessageStructure=json`` sends the entry named after the platform
  (``GCM``, ``APNS``, ``APNS_SANDBOX`` ...), else ``default``.

Nothing reaches a device: each message Publish accepts is recorded (``SentMessage``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from stratus.services.scope import Scope
from stratus.services.topics.errors import (
    APPLICATION_NOT_FOUND,
    ENDPOINT_NOT_FOUND,
    ApplicationDisabled,
    EndpointDisabled,
    InvalidParameter,
    NotFound,
)
from stratus.services.topics.mobile_rules import (
    PLATFORMS,
    check_application_attributes,
    check_application_name,
    check_arn,
    check_credentials,
    check_endpoint_attributes,
    check_token,
    normalized,
    public_attributes,
)
from stratus.services.topics.model import (
    Message,
    PlatformApplication,
    PlatformEndpoint,
    SentMessage,
)
from stratus.services.topics.registry import page_of, timestamp
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.serial import serialized


@dataclass(frozen=True, slots=True)
class PushRequest:
    """Publish's fields that a device message keeps."""

    message: str
    per_platform: dict[str, str] | None  # MessageStructure=json
    subject: str | None
    attributes: dict[str, dict[str, str]]


class MobilePush:
    def __init__(self, repository: TopicsRepository) -> None:
        self._repository = repository
        self._lock = asyncio.Lock()  # changes one at a time (serial.py)
        self.applications: dict[str, PlatformApplication] = {}
        self.endpoints: dict[str, PlatformEndpoint] = {}
        self._by_application: dict[str, list[str]] = {}

    def restore(
        self, applications: list[PlatformApplication], endpoints: list[PlatformEndpoint]
    ) -> None:
        for application in applications:
            self.applications[application.arn] = application
            self._by_application.setdefault(application.arn, [])
        for endpoint in sorted(endpoints, key=lambda e: e.created):
            self._index(endpoint)

    def _index(self, endpoint: PlatformEndpoint) -> None:
        self.endpoints[endpoint.arn] = endpoint
        arns = self._by_application.setdefault(endpoint.application_arn, [])
        if endpoint.arn not in arns:
            arns.append(endpoint.arn)

    # -- applications ----------------------------------------------------------------
    @serialized
    async def create_application(
        self, scope: Scope, name: str, platform: str, attributes: Mapping[str, str]
    ) -> PlatformApplication:
        check_application_name(name)
        if platform not in PLATFORMS:
            raise InvalidParameter(
                f"Invalid parameter: Platform Reason: {platform} is not supported"
            )
        check_application_attributes(attributes)
        check_credentials(platform, attributes)
        arn = f"arn:aws:sns:{scope.region}:{scope.account}:app/{platform}/{name}"
        existing = self.applications.get(arn)
        application = PlatformApplication(
            arn=arn,
            name=name,
            platform=platform,
            account=scope.account,
            region=scope.region,
            attributes={**(existing.attributes if existing else {}), **attributes},
            created=existing.created if existing else time.time(),
        )
        await self._repository.put_application(application)
        self.applications[arn] = application
        self._by_application.setdefault(arn, [])
        return application

    def application(self, scope: Scope, arn: str) -> PlatformApplication:
        check_arn(arn, "PlatformApplicationArn", "app", 2)
        application = self.applications.get(arn)
        if application is None or not scope.owns(arn):
            raise NotFound(APPLICATION_NOT_FOUND)
        return application

    def application_attributes(self, scope: Scope, arn: str) -> dict[str, str]:
        return public_attributes(self.application(scope, arn))

    @serialized
    async def set_application_attributes(
        self, scope: Scope, arn: str, attributes: Mapping[str, str]
    ) -> None:
        application = self.application(scope, arn)
        check_application_attributes(attributes)
        updated = PlatformApplication(
            **{
                **application.to_document(),
                "attributes": {**application.attributes, **normalized(attributes)},
            }
        )
        await self._repository.put_application(updated)
        self.applications[arn] = updated

    def list_applications(
        self, scope: Scope, token: str | None
    ) -> tuple[list[PlatformApplication], str | None]:
        arns = sorted(a for a in self.applications if scope.owns(a))
        page = page_of(arns, token)
        return [self.applications[a] for a in page.items], page.next_token

    @serialized
    async def delete_application(self, scope: Scope, arn: str) -> None:
        check_arn(arn, "PlatformApplicationArn", "app", 2)
        if arn not in self.applications or not scope.owns(arn):
            return  # deleting what is not there succeeds, as on AWS
        await self._repository.delete_application(arn)
        del self.applications[arn]
        for endpoint_arn in self._by_application.pop(arn, []):
            self.endpoints.pop(endpoint_arn, None)

    # -- endpoints -------------------------------------------------------------------
    @serialized
    async def create_endpoint(
        self,
        scope: Scope,
        application_arn: str,
        token: str,
        custom_user_data: str | None,
        attributes: Mapping[str, str],
    ) -> PlatformEndpoint:
        application = self.application(scope, application_arn)
        check_endpoint_attributes(attributes)
        check_token(application.platform, token)
        wanted = {"Enabled": "true", **normalized(attributes), "Token": token}
        if custom_user_data is not None and "CustomUserData" not in attributes:
            wanted["CustomUserData"] = custom_user_data
            check_endpoint_attributes(wanted)
        for arn in self._by_application.get(application_arn, []):
            existing = self.endpoints[arn]
            if existing.token != token:
                continue
            if existing.attributes != wanted:
                raise InvalidParameter(
                    f"Invalid parameter: Token Reason: Endpoint {arn} already exists with the "
                    "same Token, but different attributes."
                )
            return existing
        arn = (
            f"arn:aws:sns:{scope.region}:{scope.account}:endpoint/{application.platform}/"
            f"{application.name}/{uuid.uuid4()}"
        )
        endpoint = PlatformEndpoint(arn, application_arn, wanted, time.time())
        await self._repository.put_endpoint(endpoint)
        self._index(endpoint)
        return endpoint

    def endpoint(self, scope: Scope, arn: str) -> PlatformEndpoint:
        check_arn(arn, "EndpointArn", "endpoint", 3)
        endpoint = self.endpoints.get(arn)
        if endpoint is None or not scope.owns(arn):
            raise NotFound(ENDPOINT_NOT_FOUND)
        return endpoint

    @serialized
    async def set_endpoint_attributes(
        self, scope: Scope, arn: str, attributes: Mapping[str, str]
    ) -> None:
        endpoint = self.endpoint(scope, arn)
        check_endpoint_attributes(attributes)
        merged = {**endpoint.attributes, **normalized(attributes)}
        if "Token" in attributes:
            application = self.applications[endpoint.application_arn]
            check_token(application.platform, attributes["Token"])
        updated = PlatformEndpoint(endpoint.arn, endpoint.application_arn, merged, endpoint.created)
        await self._repository.put_endpoint(updated)
        self.endpoints[arn] = updated

    def list_endpoints(
        self, scope: Scope, application_arn: str, token: str | None
    ) -> tuple[list[PlatformEndpoint], str | None]:
        self.application(scope, application_arn)
        page = page_of(self._by_application.get(application_arn, []), token)
        return [self.endpoints[a] for a in page.items], page.next_token

    @serialized
    async def delete_endpoint(self, scope: Scope, arn: str) -> None:
        check_arn(arn, "EndpointArn", "endpoint", 3)
        endpoint = self.endpoints.get(arn)
        if endpoint is None or not scope.owns(arn):
            return  # deleting what is not there succeeds, as on AWS
        await self._repository.delete_endpoint(arn)
        del self.endpoints[arn]
        arns = self._by_application.get(endpoint.application_arn, [])
        if arn in arns:
            arns.remove(arn)

    # -- publishing ------------------------------------------------------------------
    def is_endpoint(self, arn: str) -> bool:
        parts = arn.split(":", 5)
        return len(parts) == 6 and parts[5].startswith("endpoint/")

    async def publish(self, scope: Scope, arn: str, request: PushRequest) -> SentMessage:
        endpoint = self.endpoints.get(arn) if scope.owns(arn) else None
        if endpoint is None:
            raise InvalidParameter(
                "Invalid parameter: TargetArn Reason: No endpoint found for the target arn "
                "specified"
            )
        application = self.applications[endpoint.application_arn]
        if not application.enabled:
            raise ApplicationDisabled("Platform application is disabled")
        if not endpoint.enabled:
            raise EndpointDisabled("Endpoint is disabled")
        body = request.message
        if request.per_platform is not None:
            chosen = _entry(request.per_platform, application.platform)
            if chosen is None:
                raise InvalidParameter(
                    "Invalid parameter: Message Structure - No default entry in JSON message body"
                )
            body = chosen
        sent = self._sent(
            str(uuid.uuid4()), application, endpoint, body, request.subject, request.attributes
        )
        await self._repository.add_sent(sent)
        return sent

    async def deliver(self, arn: str, message: Message, subscription_arn: str) -> str | None:
        """A topic's message to an ``application`` subscription: recorded as sent, or why
        not (an endpoint or application that is gone or disabled: AWS drops those)."""
        endpoint = self.endpoints.get(arn)
        if endpoint is None:
            return "the endpoint does not exist"
        application = self.applications[endpoint.application_arn]
        if not application.enabled or not endpoint.enabled:
            return "the endpoint or its application is disabled"
        body = message.body
        if message.per_protocol is not None:
            body = _entry(message.per_protocol, application.platform) or message.body
        sent = self._sent(
            message.message_id,
            application,
            endpoint,
            body,
            message.subject,
            message.attributes,
            topic_arn=message.topic_arn,
            subscription_arn=subscription_arn,
        )
        await self._repository.add_sent(sent)
        return None

    @staticmethod
    def _sent(
        message_id: str,
        application: PlatformApplication,
        endpoint: PlatformEndpoint,
        body: str,
        subject: str | None,
        attributes: dict[str, dict[str, str]],
        **topic: str,
    ) -> SentMessage:
        return SentMessage(
            message_id=message_id,
            kind="push",
            account=application.account,
            region=application.region,
            target=endpoint.arn,
            message=body,
            timestamp=timestamp(),
            subject=subject,
            attributes=attributes,
            platform=application.platform,
            token=endpoint.token,
            custom_user_data=endpoint.attributes.get("CustomUserData"),
            **topic,
        )


def _entry(per_platform: Mapping[str, str], platform: str) -> str | None:
    """AWS's pick from a JSON structure: the platform's entry, else ``default``."""
    chosen = per_platform.get(platform)
    return chosen if chosen is not None else per_platform.get("default")


__all__ = ["MobilePush", "PushRequest"]
