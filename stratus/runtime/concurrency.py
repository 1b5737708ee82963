"""Concurrency accounting: reserved concurrency per function, the account's shared rest.

As in Lambda, a function with reserved concurrency R runs at most R invocations at once
and always has them available; every other function shares what is left of the account
limit. Beyond either, the invocation is throttled immediately (no queueing), which is
what a synchronous caller of Lambda sees as TooManyRequestsException.
"""

from __future__ import annotations

from stratus.runtime.errors import Throttled

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"


class ConcurrencyLimiter:
    def __init__(self, account_limit: int) -> None:
        self.account_limit = account_limit
        self._reserved: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._unreserved_in_flight = 0

    @property
    def reserved_total(self) -> int:
        return sum(self._reserved.values())

    @property
    def unreserved_capacity(self) -> int:
        return self.account_limit - self.reserved_total

    def reserved_of(self, function_name: str) -> int | None:
        return self._reserved.get(function_name)

    def set_reserved(self, function_name: str, value: int | None) -> None:
        if value is None:
            self._reserved.pop(function_name, None)
        else:
            self._reserved[function_name] = value

    def in_flight(self, function_name: str) -> int:
        return self._in_flight.get(function_name, 0)

    def acquire(self, function_name: str) -> bool:
        """Take one slot or raise :class:`Throttled`; returns whether it was a reserved one."""
        current = self._in_flight.get(function_name, 0)
        reserved = self._reserved.get(function_name)
        if reserved is not None:
            if current >= reserved:
                raise Throttled(RESERVED_EXCEEDED)
            self._in_flight[function_name] = current + 1
            return True
        if self._unreserved_in_flight >= self.unreserved_capacity:
            raise Throttled(ACCOUNT_EXCEEDED)
        self._unreserved_in_flight += 1
        self._in_flight[function_name] = current + 1
        return False

    def release(self, function_name: str, reserved_slot: bool) -> None:
        current = self._in_flight.get(function_name, 0)
        if current <= 1:
            self._in_flight.pop(function_name, None)
        else:
            self._in_flight[function_name] = current - 1
        if not reserved_slot and self._unreserved_in_flight > 0:
            self._unreserved_in_flight -= 1
