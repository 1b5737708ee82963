"""Conformance requirement parallel_8_18: our handler, written from its description."""

from _prelude import *


def fail(ctx):
    raise RuntimeError("branch failed")


def ok(value):
    return lambda ctx: value


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [fail, fail, ok("c"), ok("d")],
        name="parallel",
        config=ParallelConfig(
            max_concurrency=1,
            completion_config=CompletionConfig(min_successful=3, tolerated_failure_count=1),
        ),
    )
    return projection(batch, "completionReason", "successCount", "failureCount", "totalCount")
