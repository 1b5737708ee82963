"""What SNS sent to devices and phones, on the control port: Stratus reaches no push
service and no carrier, so tests (and curious users) read the messages here.

- ``GET /_stratus/sns/sent?after=SEQ&target=ARN_OR_NUMBER&kind=push|sms&limit=N``: the
  recorded messages after ``after``, oldest first, as ``{"Messages": [...], "Next": SEQ}``
  (``Next`` is the ``after`` of the following call).
- ``POST /_stratus/sns/opt-out?phoneNumber=+15550100&account=ACCOUNT&region=REGION``:
  the number opts out of SMS, as a recipient's STOP reply does on AWS.

Other requests go on to ``fallback``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from stratus.services.scope import DEFAULT_ACCOUNT_ID, Scope
from stratus.services.topics.errors import TopicsError
from stratus.services.topics.model import SentMessage
from stratus.services.topics.service import TopicsService

__all__ = ["SENT_PATH", "SentRoute"]

AsgiScope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[AsgiScope, Receive, Send], Awaitable[None]]

SENT_PATH = "/_stratus/sns/sent"
OPT_OUT_PATH = "/_stratus/sns/opt-out"
_MAX_LIMIT = 10_000


class SentRoute:
    def __init__(self, topics: TopicsService, region: str, fallback: AsgiApp) -> None:
        self._topics = topics
        self._region = region
        self._fallback = fallback

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path not in (SENT_PATH, OPT_OUT_PATH):
            await self._fallback(scope, receive, send)
            return
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        if path == OPT_OUT_PATH:
            await self._opt_out(scope["method"], query, send)
            return
        if scope["method"] != "GET":
            await _json(send, 405, {"message": "Method Not Allowed"})
            return
        try:
            after = int(query.get("after", "0"))
            limit = max(1, min(int(query.get("limit", "1000")), _MAX_LIMIT))
        except ValueError:
            await _json(send, 400, {"message": "after and limit must be integers"})
            return
        rows = await self._topics.repository.sent(after, limit)
        target = query.get("target")
        kind = query.get("kind")
        messages = [
            {"Seq": seq} | _shown(message)
            for seq, message in rows
            if (target is None or message.target == target)
            and (kind is None or message.kind == kind)
        ]
        await _json(send, 200, {"Messages": messages, "Next": rows[-1][0] if rows else after})

    async def _opt_out(self, method: str, query: dict[str, str], send: Send) -> None:
        if method != "POST":
            await _json(send, 405, {"message": "Method Not Allowed"})
            return
        where = Scope(query.get("account", DEFAULT_ACCOUNT_ID), query.get("region", self._region))
        try:
            await self._topics.sms.opt_out(where, query.get("phoneNumber", ""))
        except TopicsError as error:
            await _json(send, 400, {"message": error.message})
            return
        await _json(send, 200, {})


def _shown(message: SentMessage) -> dict[str, Any]:
    shown = {
        "MessageId": message.message_id,
        "Kind": message.kind,
        "Account": message.account,
        "Region": message.region,
        "Target": message.target,
        "Message": message.message,
        "Timestamp": message.timestamp,
        "Status": message.status,
        "MessageAttributes": message.attributes,
    }
    optional = {
        "Subject": message.subject,
        "Platform": message.platform,
        "Token": message.token,
        "CustomUserData": message.custom_user_data,
        "TopicArn": message.topic_arn,
        "SubscriptionArn": message.subscription_arn,
    }
    shown.update({k: v for k, v in optional.items() if v is not None})
    return shown


async def _json(send: Send, status: int, body: Any) -> None:
    data = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
