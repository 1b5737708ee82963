"""Conformance requirement callback_4_16: our handler, written from its description."""

from _prelude import *


class Number(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        return int(json.loads(data))


@durable_execution
def handler(event, context: DurableContext):
    count = context.create_callback(name=event, config=CallbackConfig(serdes=Number())).result()
    return {"count": count, "doubled": count * 2}
