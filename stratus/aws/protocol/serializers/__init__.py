"""Response serializers, one class per botocore protocol; service quirks are subclasses.

::

    ResponseSerializer (base)
     ├── JsonValueWriter
     │    ├── JsonResponseSerializer            json 1.0 / 1.1
     │    └── RestJsonResponseSerializer        rest-json (also a RestResponseSerializer)
     │         └── LambdaResponseSerializer
     ├── RestResponseSerializer                 status code / header / payload bindings
     │    └── RestXmlResponseSerializer         rest-xml (also an XmlValueWriter)
     │         └── S3ResponseSerializer
     └── XmlValueWriter
          └── QueryResponseSerializer           query
               └── SqsQueryResponseSerializer
"""

from __future__ import annotations

from stratus.aws.protocol.models import ServiceSpec
from stratus.aws.protocol.serializers.base import ResponseSerializer
from stratus.aws.protocol.serializers.json_ import JsonResponseSerializer
from stratus.aws.protocol.serializers.query import (
    QueryResponseSerializer,
    SqsQueryResponseSerializer,
)
from stratus.aws.protocol.serializers.rest_json import (
    LambdaResponseSerializer,
    RestJsonResponseSerializer,
)
from stratus.aws.protocol.serializers.rest_xml import (
    RestXmlResponseSerializer,
    S3ResponseSerializer,
)

__all__ = ["ResponseSerializer", "create_serializer"]

_BY_PROTOCOL: dict[str, type[ResponseSerializer]] = {
    "json": JsonResponseSerializer,
    "rest-json": RestJsonResponseSerializer,
    "rest-xml": RestXmlResponseSerializer,
    "query": QueryResponseSerializer,
}

_QUIRKS: dict[tuple[str, str], type[ResponseSerializer]] = {
    ("lambda", "rest-json"): LambdaResponseSerializer,
    ("s3", "rest-xml"): S3ResponseSerializer,
    ("sqs", "query"): SqsQueryResponseSerializer,
}


def create_serializer(service: ServiceSpec, protocol: str | None = None) -> ResponseSerializer:
    """The serializer for a service in one of its protocols (default: its primary one)."""
    protocol = protocol or service.protocol
    cls = _QUIRKS.get((service.name, protocol)) or _BY_PROTOCOL[protocol]
    return cls(service)
