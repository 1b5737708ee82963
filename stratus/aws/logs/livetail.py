"""StartLiveTail: an event stream of the events arriving in some log groups.

The answer is ``sessionStart``, then a ``sessionUpdate`` every second (its
``sessionResults`` empty when nothing arrived) until the client closes the connection or
the session has lasted three hours, when it ends with a ``SessionTimeoutException`` event,
as AWS ends it. The framing is the protocol layer's (``aws/protocol/eventstream.py``, an
``initial-response`` first, as the json protocol wants); ``services/logs/livetail.py``
gathers the events.
See https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Callable

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params
from stratus.services.logs.catalog import LogCatalog
from stratus.services.logs.errors import InvalidParameter, LogGroupNotFound
from stratus.services.logs.livetail import LiveTails, LiveTailSession, TailedEvent
from stratus.services.logs.patterns import compile_pattern

#: How long a session lasts at most (AWS: three hours).
SESSION_S = 3 * 3600.0
#: How often a sessionUpdate is sent (AWS: every second).
UPDATE_INTERVAL_S = 1.0


class LiveTailApi:
    _catalog: LogCatalog
    _tails: LiveTails
    live_tail_session_s: float = SESSION_S
    live_tail_interval_s: float = UPDATE_INTERVAL_S

    async def start_live_tail(self, ctx: RequestContext, params: Params) -> Params:
        identifiers: list[str] = list(params["logGroupIdentifiers"])
        names = params.get("logStreamNames") or []
        prefixes = params.get("logStreamNamePrefixes") or []
        if names and prefixes:
            raise InvalidParameter(
                "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters."
            )
        if (names or prefixes) and len(identifiers) != 1:
            raise InvalidParameter(
                "logStreamNames or logStreamNamePrefixes can only be specified "
                "with exactly one log group."
            )
        groups: dict[str, str] = {}
        for identifier in identifiers:
            group = _group_of(ctx, identifier)
            if not self._catalog.exists(ctx.scope, group):
                raise LogGroupNotFound(f"The specified log group does not exist: {identifier}")
            groups[group] = identifier
        text = params.get("logEventFilterPattern")
        pattern = compile_pattern(text)
        self._tails.check(ctx.scope)
        start: Params = {"requestId": ctx.request_id, "logGroupIdentifiers": identifiers}
        if names:
            start["logStreamNames"] = names
        if prefixes:
            start["logStreamNamePrefixes"] = prefixes
        if text is not None:
            start["logEventFilterPattern"] = text
        tail = functools.partial(self._tails.open, ctx.scope, groups, names, prefixes, pattern)
        return {"responseStream": self._updates(tail, start)}

    async def _updates(
        self, tail: Callable[[], LiveTailSession], start: Params
    ) -> AsyncIterator[Params]:
        """sessionStart, a sessionUpdate a second, the timeout. The session opens when the
        stream starts and closes however it ends (the client gone: the generator is
        closed), so an answer never sent holds no session."""
        session = tail()
        try:
            yield {"sessionStart": {**start, "sessionId": session.session_id}}
            deadline = time.monotonic() + self.live_tail_session_s
            # (the loop's timers may wake a little early: a sliver left is no update)
            while (remaining := deadline - time.monotonic()) > 0.05:
                await asyncio.sleep(min(self.live_tail_interval_s, remaining))
                events, sampled = session.take()
                yield {
                    "sessionUpdate": {
                        "sessionMetadata": {"sampled": sampled},
                        "sessionResults": [_event(e) for e in events],
                    }
                }
            yield {"SessionTimeoutException": {"message": "Session timed out."}}
        finally:
            self._tails.close(session)


def _group_of(ctx: RequestContext, identifier: str) -> str:
    """A group name, or the group of an ARN of the caller's account and region."""
    if not identifier.startswith("arn:"):
        return identifier
    prefix = f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        raise InvalidParameter(f"Invalid log group identifier: {identifier}")
    return identifier[len(prefix) :]


def _event(event: TailedEvent) -> Params:
    return {
        "logStreamName": event.stream,
        "logGroupIdentifier": event.group,
        "message": event.message,
        "timestamp": event.timestamp_ms,
        "ingestionTime": event.ingestion_ms,
    }
