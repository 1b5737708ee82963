"""What Lambda answers for an event source no registered source handles.

Kinesis, Amazon MQ and Kafka sources are AWS event sources Stratus does not serve yet:
until one registers, a mapping to such an ARN is answered as Lambda answers for a
resource that does not exist (and so is a DynamoDB stream that does not exist).
Any other ARN is not an event source at all.
"""

from __future__ import annotations

from stratus.services.event_sources.errors import InvalidMapping

UNRECOGNIZED = "Unrecognized event source, must be kinesis, dynamodb stream or sqs."


def missing_source(arn: str) -> InvalidMapping:
    """The error for a mapping to ``arn`` when no registered source serves its service."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "dynamodb" and "/stream/" in arn:
        return InvalidMapping(
            f"Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM."
        )
    if service == "kinesis":
        return InvalidMapping(
            f"Cannot access stream {arn}. Please ensure the role can perform the GetRecords, "
            "GetShardIterator, DescribeStream, and ListShards Actions on your stream in IAM."
        )
    if service == "kafka":
        return InvalidMapping(f"Cannot access cluster {arn}: the cluster does not exist.")
    if service == "mq":
        return InvalidMapping(f"Cannot access broker {arn}: the broker does not exist.")
    return InvalidMapping(UNRECOGNIZED)
