"""The queues themselves: create, find, list, configure, tag, permit and delete.

Queues live in memory (keyed by account, region and name) and are written through to the
store before any change is acknowledged. Messages are :mod:`service`'s business.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from stratus.services.queues.attributes import QueueConfig, defaults, parse_attributes
from stratus.services.queues.errors import (
    InvalidParameterValue,
    OverLimit,
    QueueNameExists,
    QueueNotFound,
)
from stratus.services.queues.model import QueueKey
from stratus.services.queues.names import check_queue_name, key_of_arn
from stratus.services.queues.queue import Queue
from stratus.services.queues.repository import QueueStore
from stratus.services.scope import Scope
from stratus.services.system_tags import counted, reserved
from stratus.store.errors import DuplicateKey

__all__ = ["QueueRegistry"]

MAX_TAGS = 50


class QueueRegistry:
    def __init__(self, store: QueueStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock
        self.queues: dict[QueueKey, Queue] = {}
        self.by_id: dict[int, Queue] = {}

    def add_loaded(self, queue: Queue) -> None:
        self.queues[queue.key] = queue
        self.by_id[queue.id] = queue

    # -- lookup --------------------------------------------------------------------
    def get(self, key: QueueKey) -> Queue:
        queue = self.queues.get(key)
        if queue is None:
            raise QueueNotFound()
        return queue

    def by_arn(self, arn: str) -> Queue:
        return self.get(key_of_arn(arn))

    def get_for(self, key: QueueKey, account: str) -> Queue:
        """The queue ``key`` as ``account`` may use it: its own, or another account's whose
        policy allows that account (Principal ``*``, the account, or one of its ARNs);
        otherwise the queue does not exist for the caller, as on AWS."""
        queue = self.get(key)
        if key.account != account and not _grants(queue, account):
            raise QueueNotFound()
        return queue

    def in_scope(self, scope: Scope, prefix: str = "") -> list[Queue]:
        """The scope's queues whose names start with ``prefix``, by name."""
        found = [
            q
            for k, q in self.queues.items()
            if k.account == scope.account and k.region == scope.region and k.name.startswith(prefix)
        ]
        return sorted(found, key=lambda q: q.key.name)

    def dead_letter_sources(self, queue: Queue) -> list[Queue]:
        """Queues whose redrive policy targets ``queue``, by name."""
        found = [
            q
            for q in self.queues.values()
            if q.config.redrive is not None and q.config.redrive.dead_letter_arn == queue.arn
        ]
        return sorted(found, key=lambda q: q.key.name)

    # -- lifecycle -----------------------------------------------------------------
    async def create(
        self, key: QueueKey, attributes: Mapping[str, str], tags: Mapping[str, str]
    ) -> Queue:
        """CreateQueue: a new queue, or the existing one if every given attribute matches."""
        # The FifoQueue attribute decides the type; the name must then fit it (a ".fifo"
        # name without the attribute breaks the standard name rules, as on AWS).
        fifo = attributes.get("FifoQueue", "").lower() == "true"
        check_queue_name(key.name, fifo)
        values = parse_attributes(attributes, fifo=fifo, creating=True)
        existing = self.queues.get(key)
        if existing is not None:
            current = {**defaults(fifo), **existing.config.values}
            for name, value in values.items():
                if current.get(name, "") != value:
                    raise QueueNameExists(
                        "A queue already exists with the same name and a different value for "
                        f"attribute {name}"
                    )
            return existing
        self._check_redrive(key, values, attributes)
        check_tags(tags, {})
        now = int(self._clock())
        config = QueueConfig.of({**defaults(fifo), **{k: v for k, v in values.items() if v}})
        queue = Queue.new(0, key, config, now, now)
        queue.tags = dict(tags)
        try:
            queue.id = await self._store.create_queue(key, queue.record())
        except DuplicateKey:  # a concurrent CreateQueue of the same name won
            return self.get(key)
        self.add_loaded(queue)
        return queue

    async def delete(self, queue: Queue) -> None:
        queue.deleted = True
        self.queues.pop(queue.key, None)
        self.by_id.pop(queue.id, None)
        queue.waiters.wake_all()
        await self._store.delete_queue(queue.id)

    async def set_attributes(self, queue: Queue, attributes: Mapping[str, str]) -> None:
        values = parse_attributes(attributes, fifo=queue.fifo, creating=False)
        self._check_redrive(queue.key, values, attributes)
        queue.config = queue.config.with_values(values)
        queue.modified_s = int(self._clock())
        await self.save(queue)
        queue.waiters.wake_all()  # a shorter visibility or delay may free messages

    async def save(self, queue: Queue) -> None:
        await self._store.update_queue(queue.id, queue.record())

    def _check_redrive(
        self, key: QueueKey, values: Mapping[str, str], given: Mapping[str, str]
    ) -> None:
        """The target exists in the same scope, has the source's type and admits it."""
        text = values.get("RedrivePolicy")
        if not text:
            return
        target_arn = orjson.loads(text)["deadLetterTargetArn"]
        reason = f"Value {given['RedrivePolicy']} for parameter RedrivePolicy is invalid. Reason: "
        try:
            target = self.by_arn(target_arn)
        except QueueNotFound:
            raise InvalidParameterValue(f"{reason}Dead-letter target does not exist.") from None
        if target.key.account != key.account or target.key.region != key.region:
            raise InvalidParameterValue(f"{reason}Dead-letter target does not exist.")
        if target.fifo != key.fifo:
            raise InvalidParameterValue(
                f"{reason}Dead-letter queue must be same type of queue as the source."
            )
        allow = target.config.values.get("RedriveAllowPolicy")
        if allow:
            document = orjson.loads(allow)
            permission = document.get("redrivePermission")
            if permission == "denyAll" or (
                permission == "byQueue" and key.arn not in document.get("sourceQueueArns", [])
            ):
                raise InvalidParameterValue(
                    f"{reason}Queue {key.arn} is not allowed as a source queue for the "
                    f"dead-letter queue {target.arn}."
                )

    # -- tags ----------------------------------------------------------------------
    async def tag(self, queue: Queue, tags: Mapping[str, str]) -> None:
        check_tags(tags, queue.tags)
        queue.tags.update(tags)
        await self.save(queue)

    async def untag(self, queue: Queue, keys: Iterable[str]) -> None:
        for name in keys:
            queue.tags.pop(name, None)
        await self.save(queue)

    # -- permissions (AddPermission statements live in the queue's Policy) -------------
    async def add_permission(
        self, queue: Queue, label: str, accounts: list[str], actions: list[str]
    ) -> None:
        policy = _policy(queue)
        statements = policy["Statement"]
        if any(s.get("Sid") == label for s in statements):
            raise InvalidParameterValue(
                f"Value {label} for parameter Label is invalid. Reason: Already exists."
            )
        if len(statements) >= 7:
            raise OverLimit("7 Actions were found, maximum allowed is 7.")
        names = [f"SQS:{a}" if a != "*" else "SQS:*" for a in actions]
        principals = [f"arn:aws:iam::{a}:root" for a in accounts]
        statements.append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
                "Action": names[0] if len(names) == 1 else names,
                "Resource": queue.arn,
            }
        )
        await self._set_policy(queue, policy)

    async def remove_permission(self, queue: Queue, label: str) -> None:
        policy = _policy(queue)
        kept = [s for s in policy["Statement"] if s.get("Sid") != label]
        if len(kept) == len(policy["Statement"]):
            raise InvalidParameterValue(
                f"Value {label} for parameter Label is invalid. Reason: can't find label on "
                "existing policy."
            )
        policy["Statement"] = kept
        await self._set_policy(queue, policy if kept else None)

    async def _set_policy(self, queue: Queue, policy: Mapping[str, object] | None) -> None:
        value = orjson.dumps(policy).decode() if policy else ""
        queue.config = queue.config.with_values({"Policy": value})
        queue.modified_s = int(self._clock())
        await self.save(queue)


def _policy(queue: Queue) -> dict[str, Any]:
    text = queue.config.values.get("Policy")
    if text:
        document = orjson.loads(text)
        if isinstance(document, dict) and isinstance(document.get("Statement"), list):
            return document
    return {"Version": "2012-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}


def _grants(queue: Queue, account: str) -> bool:
    """Whether the queue's policy has an Allow statement for ``account`` (actions and
    conditions are not evaluated: Stratus stores policies, it does not enforce them)."""
    text = queue.config.values.get("Policy")
    if not text:
        return False
    try:
        statements = orjson.loads(text).get("Statement", [])
    except (orjson.JSONDecodeError, AttributeError):
        return False
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            return True
        names = principal.get("AWS", []) if isinstance(principal, dict) else []
        for name in names if isinstance(names, list) else [names]:
            if name == "*" or name == account or f":{account}:" in str(name):
                return True
    return False


def check_tags(tags: Mapping[str, str], existing: Mapping[str, str]) -> None:
    """At most 50 tags; keys 1 to 128 characters, values up to 256, ``aws:`` reserved
    ("Amazon SQS cost allocation tags" in the developer guide)."""
    if counted({**existing, **tags}) > MAX_TAGS:
        raise InvalidParameterValue(
            f"Too many tags added for queue. A queue can have at most {MAX_TAGS} tags."
        )
    for name, value in tags.items():
        if not 1 <= len(name) <= 128:
            raise InvalidParameterValue(f"Tag key {name!r} must be 1 to 128 characters long.")
        if len(value) > 256:
            raise InvalidParameterValue(
                f"Tag value for key {name!r} must be at most 256 characters long."
            )
        if reserved(name):
            raise InvalidParameterValue("The tag key prefix 'aws:' is reserved for AWS use.")
