"""Conformance requirement child_3_12: our handler, written from its description."""

import time

import boto3
from _prelude import *


def checkpointed(arn):
    """Whether StepStarted is in the history: the SDK sends it in the background."""
    try:
        lam = boto3.client("lambda")
        events = lam.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    except Exception as error:
        print(f"history not readable yet: {error!r}")
        return False
    return any(event["EventType"] == "StepStarted" for event in events)


def body(child, value, arn):
    def step(_):
        # The first run of the step ends the process once ContextStarted and StepStarted
        # are checkpointed; the marker, outside the environment, lets the second run pass.
        marker = os.path.join(os.environ["SCRATCH"], os.environ["AWS_LAMBDA_FUNCTION_NAME"])
        if not os.path.exists(marker):
            open(marker, "w").close()
            deadline = time.monotonic() + 20
            while not checkpointed(arn) and time.monotonic() < deadline:
                time.sleep(0.05)
            os._exit(1)
        return value

    return child.step(step, name="interrupted")


@durable_execution
def handler(event, context: DurableContext):
    arn = context.state.durable_execution_arn
    return context.run_in_child_context(lambda child: body(child, event, arn), name="child")
