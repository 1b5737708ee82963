"""Conformance requirement wait_for_condition_6_11: our handler, written from its description."""

from _prelude import *


class Reversed(SerDes):
    """Checkpoints the state reversed and prefixed; restores it on the way back."""

    def serialize(self, value, serdes_context):
        return json.dumps("enc:" + value[::-1])

    def deserialize(self, data, serdes_context):
        return json.loads(data).removeprefix("enc:")[::-1]


STRATEGY = create_wait_strategy(
    WaitStrategyConfig(
        should_continue_polling=lambda state: len(state) < 2,
        initial_delay=Duration.from_seconds(1),
        jitter_strategy=JitterStrategy.NONE,
    )
)


@durable_execution
def handler(event, context: DurableContext):
    return context.wait_for_condition(
        lambda state, _: state + "x",
        config=WaitForConditionConfig(wait_strategy=STRATEGY, initial_state="", serdes=Reversed()),
    )
