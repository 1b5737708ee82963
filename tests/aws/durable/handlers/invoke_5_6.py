"""Conformance requirement invoke_5_6: our handler, written from its description."""

from _prelude import *


@durable_execution
def handler(event, context: DurableContext):
    try:
        return context.invoke(TARGET, {"fail": True})
    except Exception:
        return "fallback"
