"""The ``query`` protocol: form parameters ``Action=...&Version=...&Name.member.1=...``.

Lists are ``Name.member.N`` (``Name.N`` when flattened), maps ``Name.entry.N.key`` /
``.value`` (``Name.N.key`` when flattened), structures ``Name.Member``; member
``locationName`` traits rename each part. Indexes start at 1.
See https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.parsers.base import RequestParser
from stratus.aws.protocol.routing import RouteMatch, parse_form

__all__ = ["QueryRequestParser", "SqsQueryRequestParser"]


class QueryRequestParser(RequestParser):
    """Walk the input shape and pick its members out of the flat parameter dict."""

    protocol = "query"
    checks_required = False

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """Parse the (already decoded) form parameters into the input shape."""
        assert match.operation is not None
        form = match.form if match.form is not None else parse_form(request) or {}
        shape = match.operation.input_shape
        if shape is None:
            return {}
        prefixes: set[str] = set()
        for key in form:
            dot = key.find(".")
            while dot != -1:
                prefixes.add(key[:dot])
                dot = key.find(".", dot + 1)
        out = self._read_structure(shape, form, prefixes, "") or {}
        self.check_required(shape, out, "")
        return out

    def member_key(self, parent: Shape, name: str, member: Shape) -> str:
        """The wire name of a structure member (``locationName`` or the member name)."""
        return str(member.serialization.get("name", name))

    def list_member_key(self, shape: Shape) -> str | None:
        """The ``locationName`` of a list's member, if the model gives one."""
        name = shape.member.serialization.get("name")
        return str(name) if name is not None else None

    def _read(self, shape: Shape, form: dict[str, str], prefixes: set[str], key: str) -> Any:
        type_name = shape.type_name
        if type_name == "structure":
            return self._read_structure(shape, form, prefixes, key) if key in prefixes else None
        if type_name == "list":
            return self._read_list(shape, form, prefixes, key)
        if type_name == "map":
            return self._read_map(shape, form, prefixes, key)
        raw = form.get(key)
        if raw is None:
            return None
        return self.text_value(shape, raw, key)

    def _read_structure(
        self, shape: Shape, form: dict[str, str], prefixes: set[str], prefix: str
    ) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            wire = self.member_key(shape, name, member)
            value = self._read(member, form, prefixes, f"{prefix}.{wire}" if prefix else wire)
            if value is not None:
                out[name] = value
        if prefix and out:
            self.check_required(shape, out, prefix)
        return out if out or not prefix else None

    def _read_list(
        self, shape: Shape, form: dict[str, str], prefixes: set[str], prefix: str
    ) -> list[Any] | None:
        if form.get(prefix) == "":
            return []  # the query protocol's spelling of an empty list
        if shape.serialization.get("flattened"):
            named = self.list_member_key(shape)
            base = (
                prefix.rpartition(".")[0] + "." + named
                if named and "." in prefix
                else (named or prefix)
            )
        else:
            base = f"{prefix}.{self.list_member_key(shape) or 'member'}"
        if base not in prefixes:
            return None
        member = shape.member
        items: list[Any] = []
        index = 1
        while True:
            value = self._read(member, form, prefixes, f"{base}.{index}")
            if value is None:
                break
            items.append(value)
            index += 1
        return items

    def _read_map(
        self, shape: Shape, form: dict[str, str], prefixes: set[str], prefix: str
    ) -> dict[str, Any] | None:
        base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        if base not in prefixes:
            return None
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        value_shape = shape.value
        out: dict[str, Any] = {}
        index = 1
        while True:
            key = form.get(f"{base}.{index}.{key_name}")
            if key is None:
                break
            value = self._read(value_shape, form, prefixes, f"{base}.{index}.{value_name}")
            if value is not None:
                out[key] = value
            index += 1
        return out


#: SQS's JSON model lost the query ``locationName`` traits its query form still uses
#: (``SendMessageBatchRequestEntry.1.Id``, ``Attribute.1.Name``); this is that table.
#: See https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
SQS_QUERY_NAMES = {
    "MessageAttributes": "MessageAttribute",
    "MessageSystemAttributes": "MessageSystemAttribute",
    "Attributes": "Attribute",
    "AttributeNames": "AttributeName",
    "MessageAttributeNames": "MessageAttributeName",
    "MessageSystemAttributeNames": "MessageSystemAttributeName",
    "Tags": "Tag",
    "TagKeys": "TagKey",
    "AWSAccountIds": "AWSAccountId",
    "Actions": "ActionName",
    "QueueUrls": "QueueUrl",
    "queueUrls": "QueueUrl",
    "Messages": "Message",
    "StringListValues": "StringListValue",
    "BinaryListValues": "BinaryListValue",
    "Successful": None,  # named by the entry shape, see ``member_key``
    "Failed": "BatchResultErrorEntry",
    "Entries": None,
}


class SqsQueryRequestParser(QueryRequestParser):
    """SQS's query form, read through its JSON model plus the lost names."""

    def parse(self, request: HttpRequest, match: RouteMatch) -> dict[str, Any]:
        """The query form posts to the queue's URL and may leave ``QueueUrl`` out: the
        path (``/{account}/{name}``) names the queue then."""
        params = super().parse(request, match)
        shape = match.operation.input_shape if match.operation else None
        if (
            shape is not None
            and "QueueUrl" in shape.members
            and "QueueUrl" not in params
            and request.path.count("/") == 2
            and len(request.path) > 2
        ):
            host = request.headers.get("host", "localhost")
            params["QueueUrl"] = f"http://{host}{request.path}"
        return params

    def member_key(self, parent: Shape, name: str, member: Shape) -> str:
        """Flattened lists and maps take their query names from :data:`SQS_QUERY_NAMES`."""
        if name in SQS_QUERY_NAMES:
            renamed = SQS_QUERY_NAMES[name]
            if renamed is None and member.type_name == "list":
                return str(member.member.name)
            if renamed is not None:
                return renamed
        return super().member_key(parent, name, member)

    def list_member_key(self, shape: Shape) -> str | None:
        """The member key already carries the singular name; keep it."""
        return None

    def _read_map(
        self, shape: Shape, form: dict[str, str], prefixes: set[str], prefix: str
    ) -> dict[str, Any] | None:
        if prefix not in prefixes:
            return None
        value_shape = shape.value
        out: dict[str, Any] = {}
        index = 1
        while True:
            key = form.get(f"{prefix}.{index}.Name")
            if key is None:
                break
            value = self._read(value_shape, form, prefixes, f"{prefix}.{index}.Value")
            if value is not None:
                out[key] = value
            index += 1
        return out
