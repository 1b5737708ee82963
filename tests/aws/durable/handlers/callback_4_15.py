"""Conformance requirement callback_4_15: our handler, written from its description."""

from _prelude import *


class Received(SerDes):
    def serialize(self, value, serdes_context):
        return json.dumps(value)

    def deserialize(self, data, serdes_context):
        raw = json.loads(data)
        moment = datetime.datetime.fromisoformat(raw["timestamp"].replace("Z", "+00:00"))
        return {"id": raw["id"], "message": raw["message"], "timestamp": int(moment.timestamp())}


@durable_execution
def handler(event, context: DurableContext):
    callback = context.create_callback(name=event, config=CallbackConfig(serdes=Received()))
    return {"received": callback.result()}
