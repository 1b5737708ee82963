"""Between ASL values and botocore shapes, for ``arn:aws:states:::aws-sdk:*`` tasks.

Step Functions takes an SDK call's parameters in PascalCase even where the API's model
writes camelCase (``StateMachineArn`` for ``stateMachineArn``), blobs as text or as any
JSON value (its JSON text is sent), and answers with the SDK's result in PascalCase,
blobs as text and timestamps as ISO 8601 (see "Learning to use AWS service SDK
integrations" in the developer guide, and the recorded ``test_s3_get_object`` /
``test_s3_put_object`` cases).
"""

from __future__ import annotations

import base64
import functools
from datetime import UTC, datetime
from typing import Any

import orjson
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader, create_loader
from botocore.model import OperationModel, ServiceModel, Shape

__all__ = ["find_operation", "service_model", "to_input", "to_output"]


@functools.cache
def _loader() -> Loader:
    return create_loader()


@functools.cache
def service_model(name: str) -> ServiceModel | None:
    """botocore's model of a service by its botocore name; ``None`` if it has none."""
    try:
        data = _loader().load_service_model(name, "service-2")
    except UnknownServiceError:
        return None
    return ServiceModel(data, service_name=name)


def find_operation(model: ServiceModel, action: str) -> OperationModel | None:
    """The operation an ASL action names (``getObject`` -> ``GetObject``)."""
    wanted = action.lower()
    for name in model.operation_names:
        if name.lower() == wanted:
            return model.operation_model(name)
    return None


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def to_input(value: Any, shape: Shape | None) -> Any:
    """ASL parameters as the values botocore's serializer expects for ``shape``.

    Member names match exactly or by the case of their first letter; members the shape
    does not have are kept, so the service answers them as it answers any unknown input.
    """
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        by_lower = {_lower_first(name): name for name in members}
        result = {}
        for key, item in value.items():
            name = key if key in members else by_lower.get(_lower_first(key), key)
            result[name] = to_input(item, members.get(name))
        return result
    if kind == "list" and isinstance(value, list):
        return [to_input(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: to_input(item, shape.value) for key, item in value.items()}
    if kind == "blob":
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, bytes):
            return value
        return orjson.dumps(value)
    return value


def to_output(value: Any, shape: Shape | None) -> Any:
    """An SDK result as Step Functions hands it to the state: PascalCase members,
    blobs as text (base64 when they are no UTF-8), timestamps as ISO 8601."""
    if isinstance(value, dict):
        if shape is not None and shape.type_name == "structure":
            members = shape.members
            return {
                _upper_first(key): to_output(item, members.get(key))
                for key, item in value.items()
                if key != "ResponseMetadata"
            }
        item_shape = shape.value if shape is not None and shape.type_name == "map" else None
        return {key: to_output(item, item_shape) for key, item in value.items()}
    if isinstance(value, list):
        item_shape = shape.member if shape is not None and shape.type_name == "list" else None
        return [to_output(item, item_shape) for item in value]
    if hasattr(value, "read"):  # a streaming body
        value = value.read()
    if isinstance(value, bytes | bytearray):
        try:
            return bytes(value).decode()
        except UnicodeDecodeError:
            return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return iso_instant(value)
    return value


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


def iso_instant(moment: datetime) -> str:
    """A timestamp the way the Java SDK v2 prints an Instant (``2024-05-01T10:00:00.5Z``)."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        millis = f"{moment.microsecond:06d}"
        text += "." + (millis[:3] if millis.endswith("000") else millis)
    return text + "Z"
