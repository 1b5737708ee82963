"""The HTTP servers' own limits, so that no client can stall or exhaust the server.

``stratus up`` serves both ports with :class:`GuardedHttpToolsProtocol` (head size, head
time, connection count, shared through one :class:`ConnectionGuard`) and wraps both apps
in :class:`BodyLimit` (one :class:`BodyBudget` of request bodies for the whole server).
:class:`HttpLimits` holds the figures; ``docs/limits.md`` explains them.
"""

from stratus.serving.bodies import BodyBudget, BodyLimit, BudgetStatistics
from stratus.serving.connections import ConnectionGuard, ConnectionStatistics
from stratus.serving.limits import HttpLimits, connection_cap
from stratus.serving.protocol import GuardedHttpToolsProtocol

__all__ = [
    "BodyBudget",
    "BodyLimit",
    "BudgetStatistics",
    "ConnectionGuard",
    "ConnectionStatistics",
    "GuardedHttpToolsProtocol",
    "HttpLimits",
    "connection_cap",
]
