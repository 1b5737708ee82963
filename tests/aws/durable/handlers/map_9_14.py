"""Conformance requirement map_9_14: our handler, written from its description."""

from _prelude import *


class Wrapped(SerDes):
    """A real round trip: the item is checkpointed inside an envelope."""

    def serialize(self, value, serdes_context):
        return "wrapped:" + value

    def deserialize(self, data, serdes_context):
        return data.removeprefix("wrapped:")


@durable_execution
def handler(event, context: DurableContext):
    batch = context.map(
        ["x", "y"],
        lambda ctx, item, index, items: item.upper(),
        name="map",
        config=MapConfig(max_concurrency=1, item_serdes=Wrapped()),
    )
    return batch.get_results()
