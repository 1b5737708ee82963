"""The outbox delivery loop that the bus, the schedules, the topics and the bucket
notifications share: a timer heap of pending deliveries, bounded concurrency, FIFO lanes,
a per-endpoint cap; each service brings its :class:`Courier` (how to send, its retry
schedule, its dead-letter shape) and keeps its rows in its own tables."""

from stratus.services.outbox.courier import Again, Courier, Pending, Settled, Verdict
from stratus.services.outbox.loop import OutboxLoop, OutboxStatistics

__all__ = [
    "Again",
    "Courier",
    "OutboxLoop",
    "OutboxStatistics",
    "Pending",
    "Settled",
    "Verdict",
]
