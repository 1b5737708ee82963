"""Conformance requirement parallel_8_16: our handler, written from its description."""

from _prelude import *


def fail(ctx):
    raise RuntimeError("branch failed")


def ok(value):
    return lambda ctx: value


@durable_execution
def handler(event, context: DurableContext):
    batch = context.parallel(
        [fail, fail, fail],
        name="parallel",
        config=ParallelConfig(
            max_concurrency=1, completion_config=CompletionConfig(tolerated_failure_count=3)
        ),
    )
    return projection(
        batch, "completionReason", "status", "successCount", "failureCount", "totalCount"
    )
