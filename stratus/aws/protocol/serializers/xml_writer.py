"""Write values as XML by shape (query and rest-xml responses).

Built as a list of strings joined once: no DOM, nothing per request beyond the walk.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.model import Shape

from stratus.aws.protocol.serializers.base import ResponseSerializer, scalar_text

__all__ = ["XmlValueWriter", "escape"]

_ESCAPES: dict[int, str | None] = {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\r"): "&#xD;",
}
# Characters XML 1.0 cannot carry at all (C0 controls but tab and newline, and the two
# non-characters): dropped, so an echoed hostile value never makes the document unreadable.
_ESCAPES.update({c: None for c in range(0x20) if chr(c) not in "\t\n\r"})
_ESCAPES.update({0xFFFE: None, 0xFFFF: None})
_TABLE = str.maketrans(_ESCAPES)
_SURROGATES = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """Escape text for element content and attribute values."""
    return _SURROGATES.sub("", text.translate(_TABLE))


class XmlValueWriter(ResponseSerializer):
    """Convert values to XML elements; hooks let quirky services rename members."""

    def member_key(self, parent: Shape, name: str, member: Shape) -> str:
        """The element name of a structure member."""
        return str(member.serialization.get("name", name))

    def map_names(self, shape: Shape) -> tuple[str, str]:
        """Element names of a map entry's key and value."""
        return (
            shape.key.serialization.get("name", "key"),
            shape.value.serialization.get("name", "value"),
        )

    def write(
        self, parts: list[str], shape: Shape, value: Any, name: str, namespace: str | None = None
    ) -> None:
        """Append ``<name>...</name>`` for ``value``."""
        type_name = shape.type_name
        xmlns = f' xmlns="{escape(namespace)}"' if namespace else ""
        if type_name == "structure":
            self._write_structure(parts, shape, value, name, xmlns)
        elif type_name == "list":
            parts.append(f"<{name}{xmlns}>")
            member = shape.member
            item_name = member.serialization.get("name", "member")
            for item in value:
                self.write(parts, member, item, item_name)
            parts.append(f"</{name}>")
        elif type_name == "map":
            parts.append(f"<{name}{xmlns}>")
            self._write_entries(parts, shape, value, "entry")
            parts.append(f"</{name}>")
        else:
            parts.append(f"<{name}{xmlns}>{escape(scalar_text(shape, value))}</{name}>")

    def write_members(self, parts: list[str], shape: Shape, value: dict[str, Any]) -> None:
        """Append the elements of a structure's members (no enclosing element)."""
        members = shape.members
        for name, item in value.items():
            member = members.get(name)
            if member is None or item is None or member.serialization.get("xmlAttribute"):
                continue
            if member.serialization.get("location"):
                continue  # bound to a header or the status code, never the body
            wire = self.member_key(shape, name, member)
            if member.serialization.get("flattened"):
                if member.type_name == "list":
                    inner = member.member
                    item_name = inner.serialization.get("name", wire)
                    for element in item:
                        self.write(parts, inner, element, item_name)
                    continue
                if member.type_name == "map":
                    self._write_entries(parts, member, item, wire)
                    continue
            self.write(parts, member, item, wire)

    def _write_structure(
        self, parts: list[str], shape: Shape, value: dict[str, Any], name: str, xmlns: str
    ) -> None:
        attributes = ""
        for member_name, member in shape.members.items():
            if member.serialization.get("xmlAttribute") and value.get(member_name) is not None:
                wire = member.serialization.get("name", member_name)
                if wire.startswith("xsi:") and "xmlns:xsi" not in attributes:
                    attributes += ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                attributes += f' {wire}="{escape(scalar_text(member, value[member_name]))}"'
        parts.append(f"<{name}{xmlns}{attributes}>")
        self.write_members(parts, shape, value)
        parts.append(f"</{name}>")

    def _write_entries(
        self, parts: list[str], shape: Shape, value: dict[str, Any], entry: str
    ) -> None:
        key_name, value_name = self.map_names(shape)
        value_shape = shape.value
        for key, item in value.items():
            parts.append(f"<{entry}><{key_name}>{escape(str(key))}</{key_name}>")
            self.write(parts, value_shape, item, value_name)
            parts.append(f"</{entry}>")
