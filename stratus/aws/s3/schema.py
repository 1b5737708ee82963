"""A parsed S3 document checked against its shape in S3's model, as S3 checks a body
before reading it: a required element missing, a value of the wrong kind or outside its
enum is S3's ``MalformedXML`` ("... did not validate against our published schema").

The protocol layer does not validate ``rest-xml`` (``aws/protocol/validation.py``: S3
answers its own codes, not Coral's), so the configurations stored whole
(``aws/s3/settings.py``, ``aws/s3/configurations.py``) pass here first; their meaning
(ids, limits, destinations) is checked by the object store.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.model import Shape

from stratus.aws.protocol.models import load_service
from stratus.services.objects import errors as oe

__all__ = ["check"]


@cache
def _shape(name: str) -> Shape:
    return load_service("s3").model.shape_for(name)


def check(shape_name: str, value: Any) -> None:
    """Raise ``MalformedXML`` unless ``value`` fits S3's shape ``shape_name``."""
    _check(_shape(shape_name), value)


def _check(shape: Shape, value: Any) -> None:
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise oe.MalformedXML()
        for name in shape.required_members:
            if value.get(name) is None:
                raise oe.MalformedXML()
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name])
    elif kind == "list":
        if not isinstance(value, list):
            raise oe.MalformedXML()
        for item in value:
            _check(shape.member, item)
    elif kind == "string":
        if not isinstance(value, str) or (shape.enum and value not in shape.enum):
            raise oe.MalformedXML()
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise oe.MalformedXML()
    elif kind == "boolean" and not isinstance(value, bool):
        raise oe.MalformedXML()
