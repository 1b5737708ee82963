"""Conformance requirement invoke_5_15: our handler, written from its description."""

from _prelude import *


class Upper(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(json.dumps(value).upper())

    def deserialize(self, data, serdes_context):
        return json.loads(data)


@durable_execution
def handler(event, context: DurableContext):
    return context.invoke(TARGET, event, config=InvokeConfig(serdes_payload=Upper()))
