import json

from tests.aws.durable.conftest import history, start, wait_status

SRC = '''
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

@durable_execution
def handler(event, context: DurableContext):
    a = context.step(lambda _: event["n"] + 1, name="inc")
    context.wait(Duration.from_seconds(1))
    return context.step(lambda _: a * 2, name="double")
'''


def test_smoke(lam, deploy):
    name = deploy(SRC)
    answer = lam.invoke(FunctionName=name, Payload=json.dumps({"n": 4}).encode())
    print(answer)
    print(answer["Payload"].read())
    arn = answer["DurableExecutionArn"]
    print(wait_status(lam, arn))
    for e in history(lam, arn):
        print(e)
