"""The topics service assembled: registry, publisher, dispatcher, sender, mobile push and
SMS over one store."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from stratus.services.aws_calls import AwsCaller
from stratus.services.topics.dispatcher import Dispatcher
from stratus.services.topics.envelopes import Envelopes
from stratus.services.topics.errors import TopicsError
from stratus.services.topics.mobile import MobilePush
from stratus.services.topics.model import Delivery
from stratus.services.topics.publisher import Publisher
from stratus.services.topics.registry import Registry
from stratus.services.topics.repository import TopicsRepository
from stratus.services.topics.sender import Sender
from stratus.services.topics.sms import Sms
from stratus.services.topics.transports import HTTP_TIMEOUT_S


class TopicsService:
    def __init__(
        self,
        repository: TopicsRepository,
        calls: AwsCaller,
        endpoint_url: str,
        error_codes: Callable[[TopicsError], str],
        *,
        http_timeout_s: float = HTTP_TIMEOUT_S,
    ) -> None:
        self.repository = repository
        self.envelopes = Envelopes(endpoint_url)
        self.mobile = MobilePush(repository)
        self.sms = Sms(repository)
        self.sender = Sender(self.envelopes, calls, self.mobile, self.sms, http_timeout_s)
        self.registry = Registry(
            repository, self._enqueue, lambda arn: arn in self.mobile.endpoints
        )
        self.dispatcher = Dispatcher(self.registry, repository, self.sender)
        self.publisher = Publisher(
            self.registry, repository, self._enqueue, error_codes, self.mobile, self.sms
        )

    def _enqueue(self, deliveries: Sequence[Delivery]) -> None:
        self.dispatcher.enqueue(deliveries)

    async def load(self) -> None:
        snapshot = await self.repository.load()
        self.registry.restore(snapshot.topics, snapshot.subscriptions)
        self.mobile.restore(snapshot.applications, snapshot.endpoints)
        self.sms.restore(snapshot.sms)
        self.dispatcher.enqueue(snapshot.deliveries)
