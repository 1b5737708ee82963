"""Conformance requirement wait_for_callback_7_11: our handler, written from its description."""

from _prelude import *


class JsonObject(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return json.loads(data)


@durable_execution
def handler(event, context: DurableContext):
    result = context.wait_for_callback(
        lambda callback_id, _: None, name=event, config=WaitForCallbackConfig(serdes=JsonObject())
    )
    return result["status"]
