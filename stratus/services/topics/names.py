"""Topic names and the ARNs of topics and subscriptions."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from stratus.services.topics.errors import InvalidParameter

_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,251}\.fifo")
_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sns:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<name>[A-Za-z0-9_.-]{1,256})(?::(?P<subscription>[0-9a-f-]{36}))?"
)


@dataclass(frozen=True, slots=True)
class SnsArn:
    partition: str
    region: str
    account: str
    topic_name: str
    subscription_id: str | None

    @property
    def topic_arn(self) -> str:
        return f"arn:{self.partition}:sns:{self.region}:{self.account}:{self.topic_name}"


def check_topic_name(name: str, fifo: bool) -> None:
    """CreateTopic's name rules (FIFO names end with ``.fifo``)."""
    if fifo:
        if not _FIFO_NAME.fullmatch(name):
            raise InvalidParameter(
                "Invalid parameter: Fifo Topic names must end with .fifo and must be made up "
                "of only uppercase and lowercase ASCII letters, numbers, underscores, and "
                "hyphens, and must be between 1 and 256 characters long."
            )
    elif not _NAME.fullmatch(name):
        raise InvalidParameter("Invalid parameter: Topic Name")


def topic_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def new_subscription_arn(topic: str) -> str:
    return f"{topic}:{uuid.uuid4()}"


def parse_arn(arn: str, member: str = "TopicArn") -> SnsArn:
    """A topic or subscription ARN; ``InvalidParameter`` naming ``member`` otherwise."""
    match = _ARN.fullmatch(arn)
    if match is None:
        raise InvalidParameter(f"Invalid parameter: {member}")
    return SnsArn(
        partition=match["partition"],
        region=match["region"],
        account=match["account"],
        topic_name=match["name"],
        subscription_id=match["subscription"],
    )
