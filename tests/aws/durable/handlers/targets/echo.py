"""The target of the chained-invoke requirements: a durable function that returns its
input, or fails when asked to."""

from aws_durable_execution_sdk_python import DurableContext, durable_execution


@durable_execution
def handler(event, context: DurableContext):
    if event == {"fail": True}:
        raise RuntimeError("the target failed as asked")
    return event
