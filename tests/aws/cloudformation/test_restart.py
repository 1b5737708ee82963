"""Stacks survive a kill -9 of the server: status, resources, events and outputs come
back, and the stack can still be updated and deleted."""

from __future__ import annotations

from pathlib import Path

from tests.aws.cloudformation.conftest import outputs, wait_stack
from tests.conftest import ServerProcess

TEMPLATE = """
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Queue:
    Type: AWS::SQS::Queue
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Topic
      Protocol: sqs
      Endpoint: !GetAtt Queue.Arn
      RawMessageDelivery: true
Outputs:
  Topic: {Value: !Ref Topic}
  Queue: {Value: !Ref Queue}
"""


def test_stack_survives_kill(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn = server.client("cloudformation")
        cfn.create_stack(StackName="durable", TemplateBody=TEMPLATE)
        before = wait_stack(cfn, "durable")
        events = len(cfn.describe_stack_events(StackName="durable")["StackEvents"])
        server.kill()
        server.start()
        cfn = server.client("cloudformation")
        after = cfn.describe_stacks(StackName="durable")["Stacks"][0]
        assert after["StackStatus"] == "CREATE_COMPLETE"
        assert outputs(after) == outputs(before)
        assert len(cfn.describe_stack_events(StackName="durable")["StackEvents"]) == events
        out = outputs(after)
        server.client("sns").publish(TopicArn=out["Topic"], Message="after restart")
        messages = server.client("sqs").receive_message(QueueUrl=out["Queue"], WaitTimeSeconds=5)[
            "Messages"
        ]
        assert messages[0]["Body"] == "after restart"
        cfn.update_stack(
            StackName="durable",
            TemplateBody=TEMPLATE.replace("RawMessageDelivery: true", "RawMessageDelivery: false"),
        )
        assert (
            wait_stack(cfn, "durable", "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
        )
        cfn.delete_stack(StackName="durable")
        cfn.get_waiter("stack_delete_complete").wait(
            StackName="durable", WaiterConfig={"Delay": 0.2}
        )
        assert server.client("sns").list_topics()["Topics"] == []
    finally:
        server.stop()
