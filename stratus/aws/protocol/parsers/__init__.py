"""Request parsers, one class per botocore protocol; service quirks are subclasses.

::

    RequestParser (base)
     ├── JsonValueReader
     │    ├── JsonRequestParser            json 1.0 / 1.1
     │    └── RestJsonRequestParser        rest-json (also a RestRequestParser)
     │         └── LambdaRequestParser
     ├── RestRequestParser                 URI / header / query string / payload bindings
     │    └── RestXmlRequestParser         rest-xml (also an XmlValueReader)
     │         └── S3RequestParser
     └── QueryRequestParser                query
          └── SqsQueryRequestParser
"""

from __future__ import annotations

from stratus.aws.protocol.models import ServiceSpec
from stratus.aws.protocol.parsers.base import RequestParser
from stratus.aws.protocol.parsers.json_ import JsonRequestParser
from stratus.aws.protocol.parsers.query import QueryRequestParser, SqsQueryRequestParser
from stratus.aws.protocol.parsers.rest_json import LambdaRequestParser, RestJsonRequestParser
from stratus.aws.protocol.parsers.rest_xml import RestXmlRequestParser, S3RequestParser

__all__ = ["RequestParser", "create_parser"]

_BY_PROTOCOL: dict[str, type[RequestParser]] = {
    "json": JsonRequestParser,
    "rest-json": RestJsonRequestParser,
    "rest-xml": RestXmlRequestParser,
    "query": QueryRequestParser,
}

_QUIRKS: dict[tuple[str, str], type[RequestParser]] = {
    ("lambda", "rest-json"): LambdaRequestParser,
    ("s3", "rest-xml"): S3RequestParser,
    ("sqs", "query"): SqsQueryRequestParser,
}


def create_parser(service: ServiceSpec, protocol: str | None = None) -> RequestParser:
    """The parser for a service in one of its protocols (default: its primary one)."""
    protocol = protocol or service.protocol
    cls = _QUIRKS.get((service.name, protocol)) or _BY_PROTOCOL[protocol]
    return cls(service)
