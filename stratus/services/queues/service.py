"""The queue service: messages in, messages out, durably.

Every change is committed to the store before it is acknowledged (a send returns its
MessageId only once the message is on disk; a delete returns once it is gone from disk);
the in-memory index (``index.py``) mirrors the store so that a receive chooses its messages
without a query, and is rebuilt from the store at start. A receive marks its messages in
flight in memory first (so concurrent receivers never take the same message), then records
the receive (count, visibility) in the store and reads the bodies in the same write.

In-process API (stable; the event source mapping poller builds on it)::

    key = service.queue_by_arn(arn)                       # QueueKey; raises QueueNotFound
    messages = await service.receive(
        key, 10, visibility_timeout=30, wait_seconds=0,
        attribute_names=("All",), message_attribute_names=("All",),
    )                                                     # list[ReceivedMessage]
    errors = await service.delete_messages(key, [m.receipt_handle for m in messages])
    errors = await service.change_visibility(key, [(handle, seconds)])
    ready = await service.wait_visible(key, timeout=20.0)  # True once a message is visible

``receive`` is the very path ReceiveMessage takes, so receive counts, FIFO group locking
and dead-letter redrive apply to the poller exactly as to any client. ``delete_messages``
and ``change_visibility`` return one entry per input, ``None`` for success or the
:class:`~stratus.services.queues.errors.QueueError` of that entry. ``wait_visible`` never
polls: it waits on the queue's wake-ups (sends, visibility changes) and on the time the
next in-flight or delayed message becomes visible, whichever comes first.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stratus.runtime.ids import new_request_id
from stratus.services.queues.attributes import MAX_VISIBILITY_TIMEOUT
from stratus.services.queues.errors import (
    InvalidParameterValue,
    MessageNotInflight,
    MissingParameter,
    PurgeQueueInProgress,
    QueueError,
    QueueNotFound,
    ReceiptHandleIsInvalid,
)
from stratus.services.queues.index import Counts
from stratus.services.queues.messages import attributes_md5, check_message
from stratus.services.queues.model import (
    MessageMeta,
    NewMessage,
    QueueKey,
    ReceivedMessage,
    StoredMessage,
)
from stratus.services.queues.move_tasks import MoveTasks
from stratus.services.queues.names import key_of_arn
from stratus.services.queues.queue import DedupRecord, Queue
from stratus.services.queues.received import (
    AttributeFilter,
    attributes_json,
    attributes_of_json,
    decode_handle,
    receipt_handle,
)
from stratus.services.queues.registry import QueueRegistry
from stratus.services.queues.repository import DedupEntry, QueueStore, Received

__all__ = ["QueueService", "SendResult"]

log = logging.getLogger(__name__)

DEDUP_WINDOW_MS = 5 * 60 * 1000
PURGE_INTERVAL_MS = 60 * 1000
REAP_INTERVAL_S = 1.0
_ID_CHARS = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") | frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)


@dataclass(frozen=True, slots=True)
class SendResult:
    message_id: str
    md5_of_body: str
    md5_of_attributes: str | None
    md5_of_system_attributes: str | None
    sequence_number: str | None


class QueueService:
    def __init__(self, store: QueueStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.registry = QueueRegistry(store, clock)
        self._clock = clock
        self._seq = 0
        self.move_tasks = MoveTasks(self)
        self._closing = False

    @property
    def last_seq(self) -> int:
        """The newest message's number (messages are numbered in send order)."""
        return self._seq

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    async def load(self) -> None:
        """Rebuild every queue and its index from the store."""
        now = self.now_ms()
        snapshot = await self.store.load(now)
        for stored in snapshot.queues:
            queue = Queue.of_record(stored.id, stored.key, stored.record)
            for meta in snapshot.messages.get(stored.id, []):
                queue.index.add(meta, now)
            self.registry.add_loaded(queue)
        for entry in snapshot.dedup:
            owner = self.registry.by_id.get(entry.queue_id)
            if owner is not None:
                owner.dedup[entry.key] = DedupRecord(entry.message_id, entry.seq, entry.expires_ms)
        self._seq = snapshot.max_seq

    def begin_shutdown(self) -> None:
        """Long polls return now (empty), so the server's shutdown is not held by them."""
        self._closing = True
        for queue in self.registry.queues.values():
            queue.waiters.wake_all()

    # -- lookup (in-process API) -------------------------------------------------------
    def queue_by_arn(self, arn: str) -> QueueKey:
        """The queue an ARN names; raises QueueNotFound."""
        return self.registry.get(key_of_arn(arn)).key

    def get(self, key: QueueKey) -> Queue:
        return self.registry.get(key)

    def counts(self, key: QueueKey) -> Counts:
        return self.get(key).index.counts(self.now_ms())

    # -- send --------------------------------------------------------------------------
    async def send(
        self, key: QueueKey, messages: Sequence[NewMessage], sender_id: str
    ) -> list[SendResult | QueueError]:
        """Send messages (one SendMessage, or a batch's entries): one result per message,
        a :class:`QueueError` for each refused one. Accepted messages are committed in one
        write before this returns."""
        queue = self.get(key)
        now = self.now_ms()
        results: list[SendResult | QueueError] = []
        rows: list[StoredMessage] = []
        dedup: list[DedupEntry] = []
        claimed: list[str] = []
        config = queue.config
        for message in messages:
            try:
                size = check_message(message, config.max_message_size)
                dedup_key = self._check_kind(queue, message)
            except QueueError as error:
                results.append(error)
                continue
            if dedup_key is not None:
                previous = queue.dedup.get(dedup_key)
                if previous is not None and previous.expires_ms > now:
                    results.append(_sent(message, previous.message_id, previous.seq, queue))
                    continue
            self._seq += 1
            seq = self._seq
            message_id = new_request_id()  # a UUID from the fast PRNG
            delay = config.delay_seconds if message.delay_seconds is None else message.delay_seconds
            system: dict[str, Any] = {"SenderId": sender_id}
            for name, value in message.system_attributes.items():
                system[name] = value.string_value
            meta = MessageMeta(
                seq=seq,
                message_id=message_id,
                sent_ms=now,
                visible_at_ms=now + delay * 1000,
                group_id=message.group_id,
                dedup_id=message.dedup_id
                if message.dedup_id is not None or dedup_key is None
                else _content_dedup_id(message.body),
                size=size,
            )
            rows.append(
                StoredMessage(
                    meta=meta,
                    queue_id=queue.id,
                    body=message.body,
                    md5_of_body=message.md5_of_body,
                    attributes=attributes_json(message.attributes),
                    md5_of_attributes=message.md5_of_attributes,
                    system=system,
                    md5_of_system=message.md5_of_system_attributes,
                )
            )
            if dedup_key is not None:
                record = DedupRecord(message_id, seq, now + DEDUP_WINDOW_MS)
                queue.dedup[dedup_key] = record  # now: a concurrent duplicate sees it
                claimed.append(dedup_key)
                dedup.append(DedupEntry(queue.id, dedup_key, message_id, seq, record.expires_ms))
            results.append(_sent(message, message_id, seq, queue))
        if rows:
            try:
                await self.store.add_messages(rows, dedup)
            except BaseException:
                for dedup_key in claimed:
                    queue.dedup.pop(dedup_key, None)
                raise
            if queue.deleted:  # deleted while we wrote: leave nothing behind
                await self.store.delete_messages([row.meta.seq for row in rows])
                raise QueueNotFound()
            now = self.now_ms()
            for row in rows:
                queue.index.add(row.meta, now)
            queue.waiters.wake(len(rows))
        return results

    def _check_kind(self, queue: Queue, message: NewMessage) -> str | None:
        """The FIFO-only and standard-only rules; the deduplication key on FIFO queues."""
        if message.delay_seconds is not None and not 0 <= message.delay_seconds <= 900:
            raise InvalidParameterValue(
                f"Value {message.delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                "DelaySeconds must be >= 0 and <= 900."
            )
        for name, value in (
            ("MessageGroupId", message.group_id),
            ("MessageDeduplicationId", message.dedup_id),
        ):
            if value is not None and (not 1 <= len(value) <= 128 or not set(value) <= _ID_CHARS):
                raise InvalidParameterValue(
                    f"Value {value} for parameter {name} is invalid. Reason: {name} can only "
                    "include alphanumeric and punctuation characters. 1 to 128 in length."
                )
        if not queue.fifo:
            if message.dedup_id is not None:
                raise InvalidParameterValue(
                    f"Value {message.dedup_id} for parameter MessageDeduplicationId is invalid. "
                    "Reason: The request include parameter that is not valid for this queue "
                    "type."
                )
            return None
        if message.delay_seconds:
            raise InvalidParameterValue(
                f"Value {message.delay_seconds} for parameter DelaySeconds is invalid. Reason: "
                "The request include parameter that is not valid for this queue type."
            )
        if message.group_id is None:
            raise MissingParameter("The request must contain the parameter MessageGroupId.")
        dedup_id = message.dedup_id
        if dedup_id is None:
            if not queue.config.content_dedup:
                raise InvalidParameterValue(
                    "The queue should either have ContentBasedDeduplication enabled or "
                    "MessageDeduplicationId provided explicitly"
                )
            dedup_id = _content_dedup_id(message.body)
        if queue.config.dedup_per_group:
            return f"{message.group_id}\x00{dedup_id}"
        return dedup_id

    # -- receive -----------------------------------------------------------------------
    async def receive(
        self,
        key: QueueKey,
        max_messages: int = 1,
        *,
        visibility_timeout: int | None = None,
        wait_seconds: float | None = None,
        attribute_names: Iterable[str] = (),
        message_attribute_names: Iterable[str] = (),
    ) -> list[ReceivedMessage]:
        """Up to ``max_messages`` messages, waiting up to ``wait_seconds`` (default: the
        queue's ReceiveMessageWaitTimeSeconds) for the first; each stays invisible for
        ``visibility_timeout`` seconds (default: the queue's). A message received as often
        as its queue's redrive policy allows goes to the dead-letter queue instead."""
        queue = self.get(key)
        wait = queue.config.wait_seconds if wait_seconds is None else wait_seconds
        deadline = time.monotonic() + wait
        names = AttributeFilter(attribute_names, message_attribute_names)
        while True:
            if queue.deleted:
                raise QueueNotFound()
            now = self.now_ms()
            picked = queue.index.pick(now, max_messages)
            if picked:
                timeout = (
                    queue.config.visibility_timeout
                    if visibility_timeout is None
                    else visibility_timeout
                )
                received = await self._deliver(queue, picked, now, timeout, names)
                if received:
                    return received
                continue  # every one expired or went to the dead-letter queue
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return []
            await queue.waiters.wait(self._wait_time(queue, now, remaining))

    async def wait_visible(self, key: QueueKey, timeout: float) -> bool:
        """Wait until the queue has a visible message (``True``) or ``timeout`` seconds
        pass (``False``). Raises QueueNotFound if the queue is (or gets) deleted."""
        queue = self.get(key)
        deadline = time.monotonic() + timeout
        while True:
            if queue.deleted:
                raise QueueNotFound()
            now = self.now_ms()
            if queue.index.has_visible(now):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing:
                return False
            await queue.waiters.wait(self._wait_time(queue, now, remaining))

    @staticmethod
    def _wait_time(queue: Queue, now: int, remaining: float) -> float:
        """Until woken, the next message becomes visible, or the time is up."""
        next_at = queue.index.next_visible_ms()
        if next_at is None:
            return remaining
        return min(remaining, max(0.001, (next_at - now) / 1000))

    async def _deliver(
        self,
        queue: Queue,
        picked: list[MessageMeta],
        now: int,
        visibility_timeout: int,
        names: AttributeFilter,
    ) -> list[ReceivedMessage]:
        redrive = queue.config.redrive
        dead_letter = (
            self.registry.queues.get(key_of_arn(redrive.dead_letter_arn)) if redrive else None
        )
        retention_ms = queue.config.retention_seconds * 1000
        expired: list[MessageMeta] = []
        dead: list[MessageMeta] = []
        receives: list[Received] = []
        # Memory first, before any await: concurrent receivers must not take these.
        for meta in picked:
            if meta.sent_ms + retention_ms <= now:
                expired.append(meta)
                queue.index.remove(meta)
            elif (
                redrive is not None
                and dead_letter is not None
                and meta.receive_count >= redrive.max_receive_count
            ):
                dead.append(meta)
                queue.index.remove(meta)
            else:
                meta.receive_count += 1
                if meta.first_receive_ms is None:
                    meta.first_receive_ms = now
                meta.last_receive_ms = now
                queue.index.set_visible_at(meta, now + visibility_timeout * 1000, now)
                receives.append(
                    Received(
                        meta.seq, meta.visible_at_ms, meta.receive_count, meta.first_receive_ms
                    )
                )
        if expired:
            await self.store.delete_messages([m.seq for m in expired])
        if dead and dead_letter is not None:
            await self.move(dead, queue, dead_letter, dead_letter_source=queue.arn)
        if not receives:
            return []
        rows = await self.store.mark_received(receives)
        if len(rows) < len(receives):  # deleted meanwhile (a purge): forget them here too
            found = {row.meta.seq for row in rows}
            for meta in picked:
                if meta.seq not in found and queue.index.get(meta.seq) is meta:
                    queue.index.remove(meta)
        return [self._received(queue, row, names) for row in rows]

    async def move(
        self,
        metas: list[MessageMeta],
        source: Queue,
        target: Queue,
        *,
        dead_letter_source: str | None = None,
        reset_receives: bool = False,
    ) -> None:
        """Move messages already taken out of ``source``'s index into ``target``, visible
        there at once (dead-letter redrive, message move tasks)."""
        await self.store.move_messages(
            [m.seq for m in metas],
            target.id,
            self.now_ms(),
            reset_receives=reset_receives,
            dead_letter_source=dead_letter_source,
        )
        now = self.now_ms()
        for meta in metas:
            meta.dead_letter_source = dead_letter_source
            if reset_receives:
                meta.receive_count = 0
                meta.first_receive_ms = None
            meta.visible_at_ms = now
            if target.fifo and meta.group_id is None:
                meta.group_id = ""
            target.index.add(meta, now)
        target.waiters.wake(len(metas))

    def _received(
        self, queue: Queue, row: StoredMessage, names: AttributeFilter
    ) -> ReceivedMessage:
        meta = row.meta
        attributes = names.system(queue, meta, row.system or {})
        values = attributes_of_json(row.attributes or {})
        chosen = names.message(values)
        md5 = row.md5_of_attributes if len(chosen) == len(values) else attributes_md5(chosen)
        return ReceivedMessage(
            message_id=meta.message_id,
            receipt_handle=receipt_handle(queue.id, meta),
            body=row.body,
            md5_of_body=row.md5_of_body,
            attributes=attributes,
            message_attributes=chosen,
            md5_of_message_attributes=md5 if chosen else None,
        )

    # -- delete, visibility, purge -----------------------------------------------------
    async def delete_messages(
        self, key: QueueKey, receipt_handles: Sequence[str]
    ) -> list[QueueError | None]:
        """Delete by receipt handles. An old handle of a message received again since
        succeeds without deleting it, as the API reference says."""
        queue = self.get(key)
        results: list[QueueError | None] = []
        deleted: list[int] = []
        for handle in receipt_handles:
            try:
                seq, count = decode_handle(handle, queue)
            except ReceiptHandleIsInvalid as error:
                results.append(error)
                continue
            meta = queue.index.get(seq)
            if meta is not None and meta.receive_count == count:
                queue.index.remove(meta)
                deleted.append(seq)
            results.append(None)
        if deleted:
            await self.store.delete_messages(deleted)
            if queue.fifo:
                queue.waiters.wake(len(deleted))  # the next message of a group is free
        return results

    async def change_visibility(
        self, key: QueueKey, changes: Sequence[tuple[str, int]]
    ) -> list[QueueError | None]:
        """Set (receipt handle, seconds from now) for messages in flight."""
        queue = self.get(key)
        now = self.now_ms()
        results: list[QueueError | None] = []
        stored: list[tuple[int, int]] = []
        freed = 0
        shortened = False
        for handle, timeout in changes:
            try:
                seq, count = decode_handle(handle, queue)
                meta = queue.index.get(seq)
                if not 0 <= timeout <= MAX_VISIBILITY_TIMEOUT:
                    raise InvalidParameterValue(
                        f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: "
                        f"Must be between 0 and {MAX_VISIBILITY_TIMEOUT}, if provided."
                    )
                if meta is None or meta.receive_count != count:
                    raise InvalidParameterValue(
                        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message "
                        "does not exist or is not available for visibility timeout change."
                    )
                if meta.visible_at_ms <= now:
                    raise MessageNotInflight(
                        "Message does not exist or is not available for visibility timeout change."
                    )
                received_at = meta.last_receive_ms or meta.first_receive_ms or now
                if (now - received_at) // 1000 + timeout > MAX_VISIBILITY_TIMEOUT:
                    raise InvalidParameterValue(
                        f"Value {timeout} for parameter VisibilityTimeout is invalid. Reason: "
                        "Total VisibilityTimeout for the message is beyond the limit "
                        f"[{MAX_VISIBILITY_TIMEOUT} seconds]"
                    )
            except QueueError as error:
                results.append(error)
                continue
            shortened = shortened or now + timeout * 1000 < meta.visible_at_ms
            queue.index.set_visible_at(meta, now + timeout * 1000, now)
            stored.append((seq, meta.visible_at_ms))
            freed += timeout == 0
            results.append(None)
        if stored:
            await self.store.set_visibility(stored)
        if shortened:  # waiters timed to the old visibility must look again
            queue.waiters.wake_all()
        return results

    async def purge(self, key: QueueKey) -> None:
        """Delete every message (in flight too); once per 60 seconds per queue."""
        queue = self.get(key)
        now = self.now_ms()
        if queue.last_purge_ms is not None and now - queue.last_purge_ms < PURGE_INTERVAL_MS:
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {queue.key.name} is allowed every 60 seconds."
            )
        queue.last_purge_ms = now
        # Exactly the messages the index holds: one whose send is still being committed
        # enters the index after its commit and is not purged (as a send racing
        # PurgeQueue may be on AWS), so memory and store never disagree.
        purged = list(queue.index.messages.values())
        for meta in purged:
            queue.index.remove(meta)
        await self.store.delete_messages([meta.seq for meta in purged])
        await self.registry.save(queue)

    # -- housekeeping --------------------------------------------------------------------
    async def run_reaper(self, interval_s: float = REAP_INTERVAL_S) -> None:
        """Delete messages past their queue's retention period and forget deduplication
        ids past five minutes, now and then every ``interval_s``; runs until cancelled."""
        passes = 0
        while True:
            try:
                await self.reap_once(forget_dedup=passes % 60 == 0)
            except Exception:  # a store hiccup must not end housekeeping
                log.exception("queue housekeeping failed")
            passes += 1
            await asyncio.sleep(interval_s)

    async def reap_once(self, *, forget_dedup: bool = True) -> None:
        now = self.now_ms()
        expired: list[int] = []
        for queue in list(self.registry.queues.values()):
            retention_ms = queue.config.retention_seconds * 1000
            while True:
                oldest = queue.index.oldest()
                if oldest is None or oldest.sent_ms + retention_ms > now:
                    break
                queue.index.remove(oldest)
                expired.append(oldest.seq)
            if forget_dedup and queue.dedup:
                for dedup_key in [k for k, r in queue.dedup.items() if r.expires_ms <= now]:
                    del queue.dedup[dedup_key]
        if expired:
            await self.store.delete_messages(expired)
        if forget_dedup:
            await self.store.delete_expired_dedup(now)

    async def remove_queue(self, key: QueueKey) -> None:
        """DeleteQueue: its waiters return empty-handed (then QueueDoesNotExist)."""
        await self.registry.delete(self.get(key))


# -- helpers -------------------------------------------------------------------------------
def _sent(message: NewMessage, message_id: str, seq: int, queue: Queue) -> SendResult:
    return SendResult(
        message_id=message_id,
        md5_of_body=message.md5_of_body,
        md5_of_attributes=message.md5_of_attributes,
        md5_of_system_attributes=message.md5_of_system_attributes,
        sequence_number=f"1{seq:019d}" if queue.fifo else None,
    )


def _content_dedup_id(body: str) -> str:
    """ContentBasedDeduplication: the SHA-256 of the body (attributes not included)."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
