"""Matching errors against Retry/Catch and computing retry back-off.

States-language.net, "Errors": `States.ALL` matches any error name and
`States.TaskFailed` any error except `States.Timeout`; neither catches `States.Runtime`,
which ends the execution ("Error handling in Step Functions": not retriable). A task
result over the payload limit (`States.DataLimitExceeded`) is caught by States.ALL, as
AWS-recorded executions show.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from stratus.workflows.states import Catcher, Retrier

#: Errors that fail the execution at once, whatever the Retry/Catch fields say.
TERMINAL_ERRORS = frozenset({"States.Runtime"})


def error_matches(error: str | None, error_equals: Sequence[str]) -> bool:
    """Whether `error` is named by an ErrorEquals list."""
    if error in TERMINAL_ERRORS:
        return False
    for name in error_equals:
        if name == error or name == "States.ALL":
            return True
        if name == "States.TaskFailed" and error != "States.Timeout":
            return True
    return False


def find_retrier(error: str | None, retriers: Sequence[Retrier]) -> int | None:
    """Index of the first retrier naming `error` (only the first match counts)."""
    for index, retrier in enumerate(retriers):
        if error_matches(error, retrier.error_equals):
            return index
    return None


def find_catcher(error: str | None, catchers: Sequence[Catcher]) -> Catcher | None:
    """The first catcher naming `error`."""
    for catcher in catchers:
        if error_matches(error, catcher.error_equals):
            return catcher
    return None


def backoff_seconds(retrier: Retrier, attempt: int, seed: str) -> float:
    """Delay before retry number `attempt` (0-based): IntervalSeconds * BackoffRate^attempt,
    capped by MaxDelaySeconds; with JitterStrategy FULL a deterministic pseudo-random
    fraction of it (derived from `seed`, so replaying an execution gives the same delay)."""
    delay = float(retrier.interval_seconds) * float(retrier.backoff_rate) ** attempt
    if retrier.max_delay_seconds is not None:
        delay = min(delay, float(retrier.max_delay_seconds))
    if retrier.jitter_strategy == "FULL":
        digest = hashlib.sha256(f"{seed}:{attempt}".encode()).digest()
        delay *= int.from_bytes(digest[:8], "big") / 2**64
    return delay
