"""Conformance requirement map_9_8: our handler, written from its description."""

from _prelude import *


def maybe_fail(ctx, item, index, items):
    if item == "fail":
        raise RuntimeError(f"item {index} failed")
    return item


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["ok", "fail", "ok"],
        maybe_fail,
        name="map",
        config=MapConfig(
            max_concurrency=1, completion_config=CompletionConfig(tolerated_failure_count=1)
        ),
    )
    return projection(
        batch, "completionReason", "status", "successCount", "failureCount", "totalCount"
    )
