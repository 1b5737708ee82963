"""The CDK app's function: a note per message (or per direct call) in the table and bucket."""

import json
import os

import boto3

VERSION = 1  # the test deploys the app again with another number here


def handler(event, context):
    notes = [json.loads(r["body"]) for r in event.get("Records", [])] or [event]
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    s3 = boto3.client("s3")
    for note in notes:
        table.put_item(Item={"id": note["id"], "text": note["text"]})
        s3.put_object(Bucket=os.environ["BUCKET"], Key=f"notes/{note['id']}", Body=note["text"])
    return {"stored": [n["id"] for n in notes], "version": VERSION}
