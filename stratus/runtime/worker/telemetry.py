"""Lambda's Telemetry API inside one environment: what subscribed extensions are sent.

An extension subscribes (``PUT /2022-07-01/telemetry``) with an HTTP destination it
listens on (``http://sandbox.localdomain:<port>/...``, the environment's own loopback),
the types it wants (``platform``, ``function``, ``extension``) and how to buffer them.
The environment then POSTs JSON arrays of ``{"time", "type", "record"}`` to it (schema
2022-12-13): init's events (``platform.initStart``, ``platform.initRuntimeDone``,
``platform.extension``, ``platform.initReport``), ``platform.telemetrySubscription``,
each invocation's (``platform.start``, ``platform.runtimeDone``, ``platform.report``),
the function's lines (``function``) and the external extensions' (``extension``).
Deliveries go out from a thread of their own, so a slow listener never holds up an
invocation; what a listener does not take in time is dropped, as Lambda drops it.

Runs inside execution environments: standard library only, Python 3.9 compatible.
"""

from __future__ import annotations

import datetime
import http.client
import json
import threading
import time
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

TYPES = ("platform", "function", "extension")
DEFAULT_BUFFERING = {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 1000}
LIMITS = {"maxItems": (1000, 10000), "maxBytes": (262144, 1048576), "timeoutMs": (25, 30000)}
LOCAL_HOSTS = ("sandbox.localdomain", "sandbox", "localhost", "127.0.0.1")
POST_TIMEOUT_S = 1.0


class InvalidSubscription(ValueError):
    """A subscription Lambda would refuse; the message says why."""


class Subscription(object):
    def __init__(
        self, host: str, port: int, path: str, types: List[str], buffering: Dict[str, int]
    ):
        self.host = host
        self.port = port
        self.path = path
        self.types = types
        self.buffering = buffering
        self.buffer: List[Dict[str, Any]] = []
        self.size = 0
        self.since = 0.0  # when the oldest buffered event came


class Telemetry(object):
    """Subscriptions, their buffers and the thread that delivers them."""

    def __init__(self) -> None:
        self.subscriptions: List[Subscription] = []
        self._lock = threading.Condition()
        self._thread: Optional[threading.Thread] = None
        self._flush_now = False  # set by flush(), cleared by the delivery thread

    def subscribe(self, body: bytes, name: str = "") -> None:
        """Add a subscription from a ``PUT`` body; raises InvalidSubscription. Lambda
        then tells the subscribers a ``platform.telemetrySubscription`` event."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            raise InvalidSubscription("Invalid JSON in subscription request") from None
        if not isinstance(request, dict):
            raise InvalidSubscription("Subscription request must be a JSON object")
        destination = request.get("destination") or {}
        if destination.get("protocol") != "HTTP":
            raise InvalidSubscription("Only the HTTP protocol is supported as a destination")
        parts = urlsplit(str(destination.get("URI") or ""))
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise InvalidSubscription(
                "destination.URI must be http://sandbox.localdomain:<port>/..."
            )
        types = request.get("types") or []
        if not types or any(t not in TYPES for t in types):
            raise InvalidSubscription("types must be a non-empty subset of {}".format(list(TYPES)))
        buffering = dict(DEFAULT_BUFFERING)
        for key, value in (request.get("buffering") or {}).items():
            if key not in LIMITS:
                raise InvalidSubscription("buffering.{} is not a buffering setting".format(key))
            low, high = LIMITS[key]
            if not isinstance(value, int) or not low <= value <= high:
                raise InvalidSubscription(
                    "buffering.{} must be between {} and {}".format(key, low, high)
                )
            buffering[key] = value
        host = "127.0.0.1" if parts.hostname in LOCAL_HOSTS else parts.hostname
        with self._lock:
            self.subscriptions.append(
                Subscription(host, parts.port, parts.path or "/", list(types), buffering)
            )
            if self._thread is None:
                self._thread = threading.Thread(target=self._deliver, name="telemetry", daemon=True)
                self._thread.start()
        self.emit(
            "platform.telemetrySubscription",
            {"name": name, "state": "Subscribed", "types": list(types)},
        )

    def emit(self, kind: str, record: Any, when: Optional[float] = None) -> None:
        """Queue one event (``platform.start``, ``function`` ...) for its subscribers;
        ``when`` (epoch seconds) dates an event that happened before it could be sent."""
        if not self.subscriptions:
            return
        category = kind.split(".", 1)[0]
        if when is None:
            now = datetime.datetime.now(datetime.timezone.utc)
        else:
            now = datetime.datetime.fromtimestamp(when, datetime.timezone.utc)
        event = {
            "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + "{:03d}Z".format(now.microsecond // 1000),
            "type": kind,
            "record": record,
        }
        size = len(json.dumps(event))
        with self._lock:
            for subscription in self.subscriptions:
                if category in subscription.types:
                    if not subscription.buffer:
                        subscription.since = time.monotonic()
                    subscription.buffer.append(event)
                    subscription.size += size
            self._lock.notify()

    def flush(self) -> None:
        """Send what is buffered now (the end of an invocation, or of the environment)."""
        with self._lock:
            self._flush_now = True
            self._lock.notify()

    def drain(self) -> None:
        """Send what is buffered now, from this thread: the environment is about to go
        (a failed init), and the delivery thread might not get to run."""
        with self._lock:
            batches = [(s, s.buffer) for s in self.subscriptions if s.buffer]
            for subscription in self.subscriptions:
                subscription.buffer, subscription.size = [], 0
        for subscription, events in batches:
            _post(subscription, events)

    def _deliver(self) -> None:
        """Send a subscriber's buffer when it is full, when its oldest event has waited
        ``timeoutMs``, or when asked to flush; never while holding the lock."""
        while True:
            batches: List[Tuple[Subscription, List[Dict[str, Any]]]] = []
            with self._lock:
                now = time.monotonic()
                waits = [
                    s.since + s.buffering["timeoutMs"] / 1000.0 - now
                    for s in self.subscriptions
                    if s.buffer
                ]
                if not self._flush_now:
                    self._lock.wait(max(0.0, min(waits)) if waits else None)
                now = time.monotonic()
                for subscription in self.subscriptions:
                    if not subscription.buffer:
                        continue
                    due = (
                        self._flush_now
                        or len(subscription.buffer) >= subscription.buffering["maxItems"]
                        or subscription.size >= subscription.buffering["maxBytes"]
                        or now - subscription.since >= subscription.buffering["timeoutMs"] / 1000.0
                    )
                    if due:
                        batches.append((subscription, subscription.buffer))
                        subscription.buffer, subscription.size = [], 0
                self._flush_now = False
            for subscription, events in batches:
                _post(subscription, events)


def _post(subscription: Subscription, events: List[Dict[str, Any]]) -> None:
    try:
        connection = http.client.HTTPConnection(
            subscription.host, subscription.port, timeout=POST_TIMEOUT_S
        )
        connection.request(
            "POST",
            subscription.path,
            json.dumps(events).encode(),
            {"Content-Type": "application/json"},
        )
        connection.getresponse().read()
        connection.close()
    except (OSError, http.client.HTTPException):
        pass  # the listener did not take it: dropped, as in Lambda
