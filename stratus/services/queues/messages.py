"""What a message may hold, and the MD5 digests SQS returns for it.

The rules are those of SendMessage and MessageAttributeValue in the API reference:
bodies hold only characters XML 1.0 allows; at most 10 message attributes, whose names
use alphanumerics, ``-``, ``_`` and ``.`` (not first, not last, never two in a row), at
most 256 characters, never starting with ``AWS.`` or ``Amazon.`` in any case; types are
``String``, ``Number`` or ``Binary`` with an optional ``.label``. A message's size is its
body plus each attribute's name, type and value, in bytes.

The digests are what SDKs verify: MD5 of the body's UTF-8 bytes, and for attributes the
MD5 of each attribute in name order encoded as: name, type (each as a 4-byte big-endian
length then UTF-8 bytes), one transport byte (1 string, 2 binary), then the value the same
length-prefixed way ("Calculating the MD5 message digest for message attributes" in the
developer guide).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Mapping

from stratus.services.queues.errors import (
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
)
from stratus.services.queues.model import MessageAttributeValue, NewMessage

__all__ = [
    "attributes_md5",
    "body_md5",
    "check_body",
    "check_message",
    "message_size",
]

MAX_ATTRIBUTES = 10
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.\-]+")
_RESERVED = ("aws.", "amazon.")
# Everything outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: ASCII's characters outside that set: the controls but tab, line feed and return.
_ASCII_INVALID = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_BASE_TYPES = ("String", "Number", "Binary")


def body_md5(body: str) -> str:
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def attributes_md5(attributes: Mapping[str, MessageAttributeValue]) -> str | None:
    """MD5OfMessageAttributes (and MD5OfMessageSystemAttributes); ``None`` when empty."""
    if not attributes:
        return None
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        _put(digest, name.encode("utf-8"))
        _put(digest, value.data_type.encode("utf-8"))
        if value.is_binary:
            digest.update(b"\x02")
            _put(digest, value.binary_value or b"")
        else:
            digest.update(b"\x01")
            _put(digest, (value.string_value or "").encode("utf-8"))
    return digest.hexdigest()


def _put(digest: hashlib._Hash, data: bytes) -> None:
    digest.update(struct.pack(">I", len(data)))
    digest.update(data)


def _invalid_character(text: str) -> str | None:
    """The first character outside XML 1.0's set, if any.

    Most text is ASCII, which a ``str`` knows without looking: its bytes are checked by
    deleting the forbidden ones in C, a few instructions a character, where the regular
    expression takes about 60 (callgrind: 31,000 instructions for a 512-byte body, 5 % of
    a whole SendMessage). The expression looks at the rest, and finds the culprit."""
    if text.isascii():
        raw = text.encode("ascii")
        if len(raw.translate(None, _ASCII_INVALID)) == len(raw):
            return None
    bad = _INVALID.search(text)
    return None if bad is None else bad.group()


def check_body(body: str) -> None:
    if body == "":
        raise MissingParameter("The request must contain the parameter MessageBody.")
    bad = _invalid_character(body)
    if bad is not None:
        raise InvalidMessageContents(
            f"Invalid binary character '#x{ord(bad):X}' was found in the message "
            "body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )


def check_attributes(attributes: Mapping[str, MessageAttributeValue]) -> None:
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}]."
        )
    for name, value in attributes.items():
        _check_name(name)
        _check_value(name, value)


def _check_name(name: str) -> None:
    if name == "":
        raise InvalidParameterValue("Message (user) attribute name must not be empty.")
    if len(name) > 256:
        raise InvalidParameterValue(
            "Message (user) attribute name can be at most 256 characters long."
        )
    if not _NAME_CHARS.fullmatch(name):
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' is invalid: it can only contain "
            "alphanumeric characters, hyphens (-), underscores (_) and periods (.)."
        )
    if name.lower().startswith(_RESERVED) or name.startswith(".") or name.endswith("."):
        raise InvalidParameterValue(
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These "
            "strings are reserved for internal use. Additionally, they cannot start or end "
            "with '.'."
        )
    if ".." in name:
        raise InvalidParameterValue(
            "Message (user) attributes name can not have successive '.' character."
        )


def _check_value(name: str, value: MessageAttributeValue) -> None:
    data_type = value.data_type
    base, _, label = data_type.partition(".")
    if data_type == "" or base not in _BASE_TYPES or (data_type.endswith(".") and not label):
        raise InvalidParameterValue(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    if len(data_type) > 256:
        raise InvalidParameterValue(
            f"Message (user) attribute '{name}' type must be at most 256 characters long."
        )
    if base == "Binary":
        if value.binary_value is None or value.string_value is not None:
            raise InvalidParameterValue(
                f"Message (user) attribute '{name}' must contain a non-empty value of type "
                "'Binary'."
            )
        if len(value.binary_value) == 0:
            raise InvalidParameterValue(
                f"Message (user) attribute '{name}' must contain a non-empty value of type "
                "'Binary'."
            )
        return
    if value.string_value is None or value.binary_value is not None or value.string_value == "":
        raise InvalidParameterValue(
            f"Message (user) attribute '{name}' must contain a non-empty value of type '{base}'."
        )
    if base == "Number" and not _NUMBER.fullmatch(value.string_value):
        raise InvalidParameterValue(f"Could not cast message attribute '{name}' value to number.")
    bad = _invalid_character(value.string_value)
    if bad is not None:
        raise InvalidParameterValue(
            f"Message (user) attribute '{name}' value contains invalid characters: #x{ord(bad):X}."
        )


def check_system_attributes(attributes: Mapping[str, MessageAttributeValue]) -> None:
    """Only ``AWSTraceHeader`` (a String) may be sent."""
    for name, value in attributes.items():
        if name != "AWSTraceHeader":
            raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
        if value.data_type != "String" or not value.string_value:
            raise InvalidParameterValue(
                "Message system attribute 'AWSTraceHeader' must contain a non-empty value of "
                "type 'String'."
            )


def message_size(body: str, attributes: Mapping[str, MessageAttributeValue]) -> int:
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value.data_type.encode("utf-8"))
        if value.binary_value is not None:
            size += len(value.binary_value)
        elif value.string_value is not None:
            size += len(value.string_value.encode("utf-8"))
    return size


def check_message(message: NewMessage, max_size: int) -> int:
    """Every rule of one message against a queue's MaximumMessageSize; returns its size."""
    check_body(message.body)
    check_attributes(message.attributes)
    check_system_attributes(message.system_attributes)
    size = message_size(message.body, message.attributes)
    if size > max_size:
        raise InvalidParameterValue(
            "One or more parameters are invalid. Reason: Message must be shorter than "
            f"{max_size} bytes."
        )
    return size


def new_message(
    body: str,
    attributes: Mapping[str, MessageAttributeValue] | None = None,
    system_attributes: Mapping[str, MessageAttributeValue] | None = None,
    *,
    delay_seconds: int | None = None,
    group_id: str | None = None,
    dedup_id: str | None = None,
) -> NewMessage:
    """A message with its digests computed (before any check: checks come per queue)."""
    attributes = dict(attributes or {})
    system = dict(system_attributes or {})
    return NewMessage(
        body=body,
        md5_of_body=body_md5(body),
        attributes=attributes,
        md5_of_attributes=attributes_md5(attributes),
        system_attributes=system,
        md5_of_system_attributes=attributes_md5(system),
        delay_seconds=delay_seconds,
        group_id=group_id,
        dedup_id=dedup_id,
    )
