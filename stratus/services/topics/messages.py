"""Publish's input checked as SNS checks it, and turned into a Message.

AWS's rules (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html and the message
attribute guide): a non-empty message of at most 256 KiB counting the attributes' names,
types and values; a subject of at most 100 printable ASCII characters without line
breaks; ``MessageStructure=json`` needs a JSON object with a ``default`` string; attribute
names of letters, digits, ``-``, ``_`` and ``.`` (no leading, trailing or double dot, no
``AWS.``/``Amazon.`` prefix); types ``String``, ``Number``, ``Binary`` (with an optional
custom ``.suffix``) and ``String.Array``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from stratus.services.topics.errors import InvalidParameter, InvalidParameterValue

MAX_MESSAGE_BYTES = 256 * 1024
_NAME_CHARS = re.compile(r"[A-Za-z0-9_.-]")
# The attributes AWS reads itself: SMS settings per message (AWS.SNS.SMS.SenderID,
# AWS.MM.SMS.OriginationNumber ...) and mobile push headers (AWS.SNS.MOBILE.APNS.PUSH_TYPE).
_AWS_SETTINGS = ("AWS.SNS.SMS.", "AWS.MM.SMS.", "AWS.SNS.MOBILE.")
_TYPE = re.compile(r"(String|Number|Binary)(\.[^\s]{1,256})?")


def check_subject(subject: str | None) -> None:
    if subject is None:
        return
    if (
        not subject
        or len(subject) > 100
        or not subject.isascii()
        or any(ch in subject for ch in "\r\n")
        or not subject.isprintable()
    ):
        raise InvalidParameter("Invalid parameter: Subject")


def check_body(message: str) -> None:
    if not message:
        raise InvalidParameter("Invalid parameter: Empty message")


def per_protocol(message: str, require_default: bool = True) -> tuple[str, dict[str, str]]:
    """``MessageStructure=json``: the default message and the one per protocol (or per
    platform: a publish to one mobile endpoint may leave ``default`` out)."""
    try:
        document = json.loads(message)
    except ValueError:
        raise InvalidParameter(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        ) from None
    if not isinstance(document, dict):
        raise InvalidParameter(
            "Invalid parameter: Message Structure - JSON message body failed to parse"
        )
    if "default" not in document and require_default:
        raise InvalidParameter(
            "Invalid parameter: Message Structure - No default entry in JSON message body"
        )
    messages: dict[str, str] = {}
    for protocol, text in document.items():
        if not isinstance(text, str):
            raise InvalidParameter(
                "Invalid parameter: Message Structure - JSON message body failed to parse"
            )
        messages[protocol] = text
    return messages.get("default", ""), messages


def check_attribute_name(name: str) -> None:
    if name.startswith("."):
        raise InvalidParameterValue(
            "Invalid message attribute name starting with character '.' was found."
        )
    if name.endswith("."):
        raise InvalidParameterValue(
            "Invalid message attribute name ending with character '.' was found."
        )
    for index, char in enumerate(name):
        if not _NAME_CHARS.fullmatch(char):
            raise InvalidParameterValue(
                f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the "
                "message attribute name. Can only include alphanumeric characters, hyphens, "
                "underscores, or dots."
            )
        if char == "." and index and name[index - 1] == ".":
            raise InvalidParameterValue(
                "Message attribute name can not have successive '.' character."
            )
    lowered = name.lower()
    if lowered.startswith(("aws.", "amazon.")) and not name.startswith(_AWS_SETTINGS):
        raise InvalidParameterValue(
            f"The message attribute name '{name}' is reserved for use by AWS."
        )
    if len(name) > 256:
        raise InvalidParameterValue(
            f"The message attribute name '{name[:256]}...' exceeds the maximum length of 256."
        )


def check_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """Publish's ``MessageAttributes`` (DataType/StringValue/BinaryValue) checked, as
    subscribers see them: ``{"Type": ..., "Value": ...}`` (binary values in base64)."""
    checked: dict[str, dict[str, str]] = {}
    for name, attribute in attributes.items():
        check_attribute_name(name)
        kind = attribute.get("DataType") or ""
        if not _TYPE.fullmatch(kind) and kind != "String.Array":
            raise InvalidParameterValue(
                f"The message attribute '{name}' has an invalid message attribute type, the "
                "set of supported type prefixes is Binary, Number, and String."
            )
        field = "Binary" if kind.startswith("Binary") else "String"
        value = attribute.get(f"{field}Value")
        if value is None:
            other = "String" if field == "Binary" else "Binary"
            if attribute.get(f"{other}Value") is not None:
                raise InvalidParameterValue(
                    f"The message attribute '{name}' with type '{kind}' must use field '{field}'."
                )
        if value is None or len(value) == 0:
            raise InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                f"value for message attribute type '{kind}'."
            )
        if field == "Binary":
            raw = value if isinstance(value, bytes) else str(value).encode()
            checked[name] = {"Type": kind, "Value": base64.b64encode(raw).decode()}
            continue
        text = str(value)
        if kind.startswith("Number"):
            _check_number(name, text)
        elif kind == "String.Array":
            _check_array(name, text)
        checked[name] = {"Type": kind, "Value": text}
    return checked


def _check_number(name: str, text: str) -> None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InvalidParameterValue(f"Could not cast message attribute '{name}' value to number.")
    if number != 0 and not (Decimal("1e-128") <= abs(number) <= Decimal("1e126")):
        raise InvalidParameterValue(
            f"Value {text} for message attribute {name} must be between -1e126 and 1e126."
        )


def _check_array(name: str, text: str) -> None:
    try:
        elements = json.loads(text)
    except ValueError:
        elements = None
    if not isinstance(elements, list) or any(isinstance(e, (dict, list)) for e in elements):
        raise InvalidParameterValue(
            f"The message attribute '{name}' with type 'String.Array' has an invalid value: "
            "it must be a JSON array of strings, numbers, booleans or nulls."
        )


def message_size(body: str, attributes: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes SNS counts against the 256 KiB limit: the message, and each attribute's
    name, type and value."""
    size = len(body.encode("utf-8"))
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(str(attribute.get("DataType", "")).encode())
        value = attribute.get("StringValue", attribute.get("BinaryValue"))
        if isinstance(value, bytes):
            size += len(value)
        elif value is not None:
            size += len(str(value).encode())
    return size


def check_size(body: str, attributes: Mapping[str, Mapping[str, Any]]) -> None:
    if message_size(body, attributes) > MAX_MESSAGE_BYTES:
        raise InvalidParameter("Invalid parameter: Message too long")
