"""The in-memory index of one queue's messages: which are visible, in what order.

The store holds every message (body included) and is the truth; memory holds each
message's :class:`MessageMeta` so that choosing what a receive returns, counting the
Approximate* attributes and knowing when the next message becomes visible cost no query.
A restart rebuilds the index from the store (``visible_at_ms`` is stored).

- :class:`StandardIndex`: visible messages in an ordered dict (oldest first; an
  ``OrderedDict`` because a plain dict scans past the holes that deletions at its front
  leave, and a queue deletes at its front all the time), the others keyed by
  when they become visible in a heap (lazy deletion: an entry whose message moved or went
  is skipped when popped).
- :class:`FifoIndex`: each message group's messages in order; a group is eligible when its
  first message is visible. A received message stays first in its group until deleted,
  and while it is in flight its group is blocked: that is FIFO's ordering rule, and it
  needs no other bookkeeping.

All times are wall-clock milliseconds. Nothing here waits or touches the store.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict, deque
from dataclasses import dataclass

from stratus.services.queues.model import MessageMeta

__all__ = ["Counts", "FifoIndex", "MessageIndex", "StandardIndex"]


@dataclass(frozen=True, slots=True)
class Counts:
    visible: int
    in_flight: int
    delayed: int


class MessageIndex:
    """What both kinds share: every message by seq, and the not-yet-visible heap."""

    def __init__(self) -> None:
        self.messages: OrderedDict[int, MessageMeta] = OrderedDict()  # by arrival
        self._waiting: dict[int, MessageMeta] = {}  # not visible at the last promote
        self._heap: list[tuple[int, int]] = []  # (visible_at_ms, seq)

    def __len__(self) -> int:
        return len(self.messages)

    def get(self, seq: int) -> MessageMeta | None:
        return self.messages.get(seq)

    def add(self, meta: MessageMeta, now_ms: int) -> None:
        self.messages[meta.seq] = meta
        self._place(meta, now_ms)

    def remove(self, meta: MessageMeta) -> None:
        self.messages.pop(meta.seq, None)
        self._waiting.pop(meta.seq, None)
        self._unplace(meta)

    def set_visible_at(self, meta: MessageMeta, visible_at_ms: int, now_ms: int) -> None:
        self._waiting.pop(meta.seq, None)
        self._unplace(meta)
        meta.visible_at_ms = visible_at_ms
        self._place(meta, now_ms)

    def next_visible_ms(self) -> int | None:
        """When the earliest not-yet-visible message becomes visible (``None``: none)."""
        while self._heap:
            at, seq = self._heap[0]
            meta = self._waiting.get(seq)
            if meta is not None and meta.visible_at_ms == at:
                return at
            heapq.heappop(self._heap)
        return None

    def promote(self, now_ms: int) -> None:
        """Make visible every waiting message whose time has come."""
        heap = self._heap
        while heap and heap[0][0] <= now_ms:
            at, seq = heapq.heappop(heap)
            meta = self._waiting.get(seq)
            if meta is not None and meta.visible_at_ms == at:
                del self._waiting[seq]
                self._became_visible(meta)

    def counts(self, now_ms: int) -> Counts:
        self.promote(now_ms)
        in_flight = sum(1 for m in self._waiting.values() if m.receive_count > 0)
        not_visible = len(self._waiting)
        return Counts(len(self.messages) - not_visible, in_flight, not_visible - in_flight)

    def has_visible(self, now_ms: int) -> bool:
        raise NotImplementedError

    def pick(self, now_ms: int, limit: int) -> list[MessageMeta]:
        """Up to ``limit`` visible messages, in the order the queue hands them out."""
        raise NotImplementedError

    def oldest(self) -> MessageMeta | None:
        return next(iter(self.messages.values()), None)

    def _place(self, meta: MessageMeta, now_ms: int) -> None:
        if meta.visible_at_ms <= now_ms:
            self._became_visible(meta)
        else:
            self._waiting[meta.seq] = meta
            heapq.heappush(self._heap, (meta.visible_at_ms, meta.seq))

    def _became_visible(self, meta: MessageMeta) -> None:
        """Hook: ``meta`` is visible now."""

    def _unplace(self, meta: MessageMeta) -> None:
        """Hook: ``meta`` leaves its visible place (if it has one)."""


class StandardIndex(MessageIndex):
    def __init__(self) -> None:
        super().__init__()
        self._visible: OrderedDict[int, MessageMeta] = OrderedDict()

    def has_visible(self, now_ms: int) -> bool:
        self.promote(now_ms)
        return bool(self._visible)

    def pick(self, now_ms: int, limit: int) -> list[MessageMeta]:
        self.promote(now_ms)
        picked: list[MessageMeta] = []
        for meta in self._visible.values():
            picked.append(meta)
            if len(picked) == limit:
                break
        return picked

    def _became_visible(self, meta: MessageMeta) -> None:
        self._visible[meta.seq] = meta

    def _unplace(self, meta: MessageMeta) -> None:
        self._visible.pop(meta.seq, None)


class FifoIndex(MessageIndex):
    def __init__(self) -> None:
        super().__init__()
        self._groups: dict[str, deque[MessageMeta]] = {}

    def add(self, meta: MessageMeta, now_ms: int) -> None:
        self._groups.setdefault(meta.group_id or "", deque()).append(meta)
        super().add(meta, now_ms)

    def remove(self, meta: MessageMeta) -> None:
        group = self._groups.get(meta.group_id or "")
        if group is not None:
            if group and group[0] is meta:
                group.popleft()
            else:
                try:
                    group.remove(meta)
                except ValueError:
                    pass
            if not group:
                del self._groups[meta.group_id or ""]
        super().remove(meta)

    def has_visible(self, now_ms: int) -> bool:
        return any(group[0].visible_at_ms <= now_ms for group in self._groups.values())

    def pick(self, now_ms: int, limit: int) -> list[MessageMeta]:
        """The first visible messages of eligible groups, in order within each group."""
        picked: list[MessageMeta] = []
        for group in self._groups.values():
            if group[0].visible_at_ms > now_ms:
                continue  # in flight or delayed: the whole group waits
            for meta in group:
                if meta.visible_at_ms > now_ms or len(picked) == limit:
                    break
                picked.append(meta)
            if len(picked) == limit:
                break
        return picked

    def group_messages(self, group_id: str) -> int:
        group = self._groups.get(group_id)
        return len(group) if group else 0
