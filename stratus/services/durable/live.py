"""A running execution's in-memory companions, shared by the service's parts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from stratus.services.durable.model import Execution


@dataclass(slots=True)
class LiveExecution:
    """In-memory companions of a running execution."""

    execution: Execution
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    needs_invoke: bool = True
    retry_at: float | None = None
    idle: asyncio.Event = field(default_factory=asyncio.Event)  # no invocation running

    def __post_init__(self) -> None:
        self.idle.set()


@dataclass(frozen=True, slots=True)
class Started:
    execution: Execution
    created: bool
