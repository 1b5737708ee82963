"""Conformance requirement child_3_6: our handler, written from its description."""

from _prelude import *


def inner(child, value):
    return child.step(lambda _: value, name="inner-step")


def outer(child, value):
    child.step(lambda _: value, name="outer-step")
    return child.run_in_child_context(lambda grandchild: inner(grandchild, value), name="inner")


@durable_execution
def handler(event, context: DurableContext):
    return context.run_in_child_context(lambda child: outer(child, event), name="outer")
