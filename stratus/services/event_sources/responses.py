"""Which records of a batch failed, from the function's answer (a pure function).

Lambda's rules ("Implementing partial batch responses" in the SQS chapter of the Lambda
developer guide):

- a function error (the invocation failed, timed out, ran out of memory) fails the whole
  batch;
- without ``ReportBatchItemFailures`` any successful invocation succeeds the whole batch;
- with it, the batch succeeds when the response is empty, ``null``, ``{}``, or has an empty
  or ``null`` ``batchItemFailures``; the listed ``itemIdentifier`` s failed, the others
  succeeded;
- a response Lambda cannot read (not JSON, ``batchItemFailures`` not a list, an entry that
  is not an object, an ``itemIdentifier`` that is missing, null, empty, or not in the batch)
  fails the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """``failed`` holds the item ids to leave; ``all_failed`` says the whole batch failed."""

    failed: frozenset[str]
    all_failed: bool

    @property
    def ok(self) -> bool:
        return not self.all_failed and not self.failed


SUCCEEDED = BatchOutcome(frozenset(), False)


def outcome(
    item_ids: Sequence[str],
    payload: bytes,
    function_error: str | None,
    *,
    report_item_failures: bool,
) -> BatchOutcome:
    """What the function's answer means for each record of the batch."""
    everything = BatchOutcome(frozenset(item_ids), True)
    if function_error is not None:
        return everything
    if not report_item_failures:
        return SUCCEEDED
    text = payload.strip()
    if not text:
        return SUCCEEDED
    try:
        response = orjson.loads(text)
    except orjson.JSONDecodeError:
        return everything
    if response is None:
        return SUCCEEDED
    if not isinstance(response, dict):
        return everything
    failures = response.get("batchItemFailures")
    if failures is None or failures == []:
        return SUCCEEDED
    if not isinstance(failures, list):
        return everything
    known = set(item_ids)
    failed: set[str] = set()
    for entry in failures:
        if not isinstance(entry, dict):
            return everything
        item = entry.get("itemIdentifier")
        if not isinstance(item, str) or not item or item not in known:
            return everything
        failed.add(item)
    return BatchOutcome(frozenset(failed), False)
