"""Records to AWS shapes and back, by the model's member names.

Record fields are the snake_case of AWS's members, so one function per direction serves
every resource: the output shape's members say what to render.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore import xform_name

from stratus.aws.protocol.models import load_service

Params = dict[str, Any]


@cache
def _members(service: str, shape_name: str) -> tuple[tuple[str, str], ...]:
    shape = load_service(service).model.shape_for(shape_name)
    return tuple((member, xform_name(member)) for member in shape.members)


def render(service: str, shape_name: str, record: Any, **extra: Any) -> Params:
    """The AWS shape ``shape_name`` of ``record`` (fields that are None left out)."""
    out: Params = {}
    for member, attribute in _members(service, shape_name):
        value = extra.get(member, getattr(record, attribute, None))
        if value is not None:
            out[member] = value
    return out


def fields(params: Params, *skip: str) -> Params:
    """The record fields a request sets (ids in the path left out)."""
    return {xform_name(k): v for k, v in params.items() if k not in skip}
