"""What the tables acknowledged survives ``kill -9``: writers put, update and transact
while the server is killed and restarted on the same data directory; every acknowledged
write is there afterwards, and every stream record of it reached the stream trigger's
function, in order per item, at least once."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import botocore.exceptions
import pytest

from tests.aws.lambda_.conftest import wait_for
from tests.conftest import ServerProcess, create_function

_GONE = (
    botocore.exceptions.EndpointConnectionError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.ReadTimeoutError,
    ConnectionError,
)

HANDLER = """
import json, os, time
def handler(event, context):
    with open(os.path.join(os.environ["OUT"], f"{time.time_ns():020d}.json"), "w") as f:
        json.dump([[r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["NewImage"]["n"]["N"]]
                   for r in event["Records"] if "NewImage" in r["dynamodb"]], f)
"""


def _delivered(out: Path) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for path in sorted(out.glob("*.json")):
        try:
            found.extend((k, int(n)) for k, n in json.loads(path.read_text()))
        except ValueError:
            continue
    return found


def _run(tmp_path: Path, kills: int, writers: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    server = ServerProcess(tmp_path / "data").start()
    ddb = server.client("dynamodb", read_timeout=5, connect_timeout=2)
    table = "durable"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    lam = server.client("lambda")
    fn = create_function(lam, HANDLER, Environment={"Variables": {"OUT": str(out)}})
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", BatchSize=50
    )
    acked: dict[str, int] = {}  # key -> highest acknowledged n
    all_acked: list[tuple[str, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write(index: int) -> None:
        n = 0
        key, pair = f"w{index}", f"w{index}-t"
        while not stop.is_set():
            client = server.client("dynamodb", read_timeout=5, connect_timeout=2)
            n += 1
            try:
                if n % 3 == 0:
                    client.transact_write_items(
                        TransactItems=[
                            {
                                "Put": {
                                    "TableName": table,
                                    "Item": {"pk": {"S": key}, "n": {"N": str(n)}},
                                }
                            },
                            {
                                "Update": {
                                    "TableName": table,
                                    "Key": {"pk": {"S": pair}},
                                    "UpdateExpression": "SET n = :n",
                                    "ExpressionAttributeValues": {":n": {"N": str(n)}},
                                }
                            },
                        ]
                    )
                    done = [key, pair]
                elif n % 3 == 1:
                    client.put_item(TableName=table, Item={"pk": {"S": key}, "n": {"N": str(n)}})
                    done = [key]
                else:
                    client.update_item(
                        TableName=table,
                        Key={"pk": {"S": key}},
                        UpdateExpression="SET n = :n",
                        ExpressionAttributeValues={":n": {"N": str(n)}},
                    )
                    done = [key]
            except _GONE:
                time.sleep(0.1)  # the server is down: try again once it is back
                continue
            with lock:
                for k in done:
                    acked[k] = n
                    all_acked.append((k, n))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(kills):
            wait_for(lambda: len(all_acked) > 30, timeout=30)
            time.sleep(0.5)
            server.kill()
            time.sleep(0.3)
            server.start()
            time.sleep(0.5)
        stop.set()
        for thread in threads:
            thread.join()
        ddb = server.client("dynamodb")
        for key, n in acked.items():
            stored = int(ddb.get_item(TableName=table, Key={"pk": {"S": key}})["Item"]["n"]["N"])
            assert stored >= n, (key, stored, n)  # a later unacknowledged write may be there too
        wanted = set(all_acked)
        wait_for(lambda: wanted <= set(_delivered(out)), timeout=120)
        delivered = _delivered(out)
        for key in acked:
            seen: list[int] = []
            for k, n in delivered:
                if k == key and n not in seen:
                    seen.append(n)
            assert seen == sorted(seen), key  # in order per item (first deliveries)
    finally:
        stop.set()
        server.stop()


def test_acknowledged_writes_and_their_records_survive_kill_9(tmp_path: Path) -> None:
    _run(tmp_path, kills=1, writers=2)


@pytest.mark.slow  # three kills and restarts under four writers: about 30 s
def test_acknowledged_writes_survive_repeated_kill_9(tmp_path: Path) -> None:
    _run(tmp_path, kills=3, writers=4)
