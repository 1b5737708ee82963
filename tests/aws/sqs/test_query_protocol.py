"""SQS's legacy query protocol (older SDKs, the AWS CLI v1): form-encoded POSTs to the
queue URL, XML answers, and errors with the query codes."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any

from tests.aws.sqs.conftest import unique
from tests.conftest import ServerProcess

NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}


def call(server: ServerProcess, path: str, **params: str) -> tuple[int, ET.Element]:
    body = urllib.parse.urlencode({"Version": "2012-11-05", **params}).encode()
    request = urllib.request.Request(
        f"{server.endpoint}{path}",
        data=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, ET.fromstring(response.read())
    except urllib.error.HTTPError as error:
        return error.code, ET.fromstring(error.read())


def text(root: ET.Element, path: str) -> str | None:
    node = root.find(path, NS)
    if node is None:
        node = root.find(path.replace("sqs:", ""))
    return None if node is None else node.text


def test_send_and_receive_over_query(server: ServerProcess, sqs: Any) -> None:
    name = unique()
    status, root = call(server, "/", Action="CreateQueue", QueueName=name)
    assert status == 200
    url = text(root, ".//sqs:QueueUrl")
    assert url is not None and url.endswith(f"/000000000000/{name}")
    path = urllib.parse.urlsplit(url).path
    status, root = call(
        server,
        path,
        Action="SendMessage",
        MessageBody="over query",
        **{
            "MessageAttribute.1.Name": "a",
            "MessageAttribute.1.Value.DataType": "String",
            "MessageAttribute.1.Value.StringValue": "v",
        },
    )
    assert status == 200
    assert text(root, ".//sqs:MessageId")
    # the JSON API sees what the query API sent
    (message,) = sqs.receive_message(
        QueueUrl=url, MessageAttributeNames=["All"], VisibilityTimeout=0
    )["Messages"]
    assert message["Body"] == "over query"
    assert message["MessageAttributes"]["a"]["StringValue"] == "v"
    status, root = call(server, path, Action="ReceiveMessage", QueueUrl=url)
    assert status == 200
    assert text(root, ".//sqs:Body") == "over query"


def test_query_errors_use_query_codes(server: ServerProcess) -> None:
    status, root = call(
        server, "/000000000000/nope-" + unique(), Action="SendMessage", MessageBody="x"
    )
    assert status == 400
    assert text(root, ".//sqs:Code") == "AWS.SimpleQueueService.NonExistentQueue"


def test_batches_and_attributes_over_query(server: ServerProcess, sqs: Any) -> None:
    name = unique()
    status, root = call(
        server,
        "/",
        Action="CreateQueue",
        QueueName=name,
        **{"Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "45"},
    )
    assert status == 200
    url = text(root, ".//sqs:QueueUrl")
    assert url is not None
    path = urllib.parse.urlsplit(url).path
    status, root = call(
        server,
        path,
        Action="SendMessageBatch",
        **{
            "SendMessageBatchRequestEntry.1.Id": "a",
            "SendMessageBatchRequestEntry.1.MessageBody": "first",
            "SendMessageBatchRequestEntry.2.Id": "b",
            "SendMessageBatchRequestEntry.2.MessageBody": "second",
        },
    )
    assert status == 200
    ids = [node.text for node in root.iter("{http://queue.amazonaws.com/doc/2012-11-05/}Id")]
    assert sorted(ids) == ["a", "b"]
    status, root = call(server, path, Action="GetQueueAttributes", **{"AttributeName.1": "All"})
    assert status == 200
    names = [node.text for node in root.iter("{http://queue.amazonaws.com/doc/2012-11-05/}Name")]
    assert "VisibilityTimeout" in names and "ApproximateNumberOfMessages" in names
    assert (
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "2"
    )
