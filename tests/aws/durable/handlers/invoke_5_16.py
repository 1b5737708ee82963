"""Conformance requirement invoke_5_16: our handler, written from its description."""

from _prelude import *


class UpperResult(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return json.loads(data).upper()


@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(TARGET, event, config=InvokeConfig(serdes_result=UpperResult()))
