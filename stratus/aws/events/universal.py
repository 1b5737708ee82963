"""Scheduler's universal targets name an API's parameters as the AWS SDKs' builders do
(``{"StateMachineArn": ..., "Input": ...}`` for Step Functions, whose wire names are
``stateMachineArn`` and ``input``). This maps the input's keys onto the operation's model
member names, case-insensitively and through nested structures, lists and maps, before
the call is made; keys the model does not know are left for its validation to refuse."""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from stratus.aws.protocol.models import load_service

__all__ = ["model_parameters"]


def model_parameters(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with keys spelled as ``service``'s ``operation`` input members."""
    try:
        spec = load_service(service)
    except Exception:  # an unknown service: the call itself will say so
        return params
    model = spec.operation(operation)
    if model is None or model.input_shape is None:
        return params
    shaped = _shape(params, model.input_shape)
    return shaped if isinstance(shaped, dict) else params


def _shape(value: Any, shape: Shape) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = {name.lower(): (name, member) for name, member in shape.members.items()}
        shaped: dict[str, Any] = {}
        for key, item in value.items():
            found = members.get(str(key).lower())
            if found is None:
                shaped[key] = item
            else:
                shaped[found[0]] = _shape(item, found[1])
        return shaped
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_shape(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: _shape(item, shape.value) for key, item in value.items()}
    return value
