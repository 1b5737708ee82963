"""What a service plugs into the outbox loop: its :class:`Courier`, and the verdicts an
attempt comes back with.

The loop only moves deliveries; the courier makes one attempt, writes its consequence
to the service's own store (the row deleted, or rewritten with its next due time) and
answers with data, never by raising:

- :class:`Settled`: the row is gone (delivered, dead-lettered or dropped);
- :class:`Again`: try it again at ``at`` (a retry, a rate limit's turn, a dead-letter
  hand-off), in its FIFO lane's place or, with ``keep_lane=False``, behind it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar


class Pending(Protocol):
    """A stored delivery as the loop sees it: when its next attempt may start."""

    due: float


T = TypeVar("T", bound=Pending)
T_contra = TypeVar("T_contra", bound=Pending, contravariant=True)

Outcome = Literal["delivered", "dead_lettered", "dropped"]


@dataclass(frozen=True, slots=True)
class Settled:
    """The delivery is finished and its row deleted; ``outcome`` is counted."""

    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Again:
    """Attempt the delivery again at ``at`` (epoch seconds). ``retry`` counts it as a
    retry in the statistics (a failed attempt); ``keep_lane=False`` lets the rest of its
    FIFO lane go first (it rejoins the lane at the back)."""

    at: float
    retry: bool = False
    keep_lane: bool = True


Verdict = Settled | Again


class Courier(Protocol[T_contra]):
    """A service's delivery policy, as the loop needs it."""

    def describe(self, item: T_contra) -> str:
        """The delivery's name in logs."""
        ...

    def lane(self, item: T_contra) -> Hashable | None:
        """The FIFO lane the delivery keeps order in, or None (no order to keep)."""
        ...

    def endpoint(self, item: T_contra) -> Hashable | None:
        """What the per-endpoint cap counts the delivery against, or None."""
        ...

    async def attempt(self, item: T_contra) -> Verdict:
        """One attempt and its bookkeeping in the store."""
        ...
