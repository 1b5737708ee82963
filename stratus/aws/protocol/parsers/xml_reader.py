"""Read an XML document into a shape (rest-xml request bodies).

Namespaces are ignored (AWS's own parsers ignore them too); ``locationName``,
``flattened`` and ``xmlAttribute`` traits are honoured as botocore writes them.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape

from stratus.aws.protocol.parsers.base import RequestParser

__all__ = ["XmlValueReader", "local_name"]


def local_name(tag: str) -> str:
    """``{namespace}Tag`` -> ``Tag``."""
    return tag.rpartition("}")[2]


class XmlValueReader(RequestParser):
    """Convert elements to values by shape; subclass of the parser for its error factories."""

    def load_xml(self, body: bytes) -> ElementTree.Element:
        """Parse a body, with AWS's error for one that is not well-formed XML."""
        try:
            return ElementTree.fromstring(body)
        except ElementTree.ParseError as exc:
            raise self.serialization_error(
                f"The XML you provided was not well-formed or did not validate: {exc}"
            ) from None

    def read_element(self, shape: Shape, node: ElementTree.Element, path: str) -> Any:
        """One element as a value of ``shape``."""
        type_name = shape.type_name
        if type_name == "structure":
            return self.read_structure(shape, node, path)
        if type_name == "list":
            member = shape.member
            return [self.read_element(member, child, f"{path}.member") for child in node]
        if type_name == "map":
            return self._read_map_entries(shape, list(node), path)
        return self.text_value(shape, node.text or "", path)

    def read_structure(
        self,
        shape: Shape,
        node: ElementTree.Element,
        path: str,
        members: dict[str, Shape] | None = None,
    ) -> dict[str, Any]:
        """A structure's members from the children (and attributes) of ``node``."""
        children: dict[str, list[ElementTree.Element]] = {}
        for child in node:
            children.setdefault(local_name(child.tag), []).append(child)
        out: dict[str, Any] = {}
        for name, member in (members or shape.members).items():
            serialization = member.serialization
            if serialization.get("xmlAttribute"):
                value = _attribute(node, serialization.get("name", name))
                if value is not None:
                    out[name] = self.text_value(member, value, name)
                continue
            flattened = member.type_name in ("list", "map") and serialization.get("flattened")
            wire = serialization.get("name", name)
            if flattened and member.type_name == "list":
                wire = member.member.serialization.get("name", wire)
            nodes = children.get(wire)
            if not nodes:
                continue
            member_path = f"{path}.{name}" if path else name
            if flattened and member.type_name == "list":
                out[name] = [self.read_element(member.member, n, member_path) for n in nodes]
            elif flattened:
                out[name] = self._read_map_entries(member, nodes, member_path, flat=True)
            else:
                out[name] = self.read_element(member, nodes[0], member_path)
        return out

    def _read_map_entries(
        self, shape: Shape, entries: list[ElementTree.Element], path: str, flat: bool = False
    ) -> dict[str, Any]:
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out: dict[str, Any] = {}
        for entry in entries:
            key = value = None
            for child in entry:
                tag = local_name(child.tag)
                if tag == key_name:
                    key = child.text or ""
                elif tag == value_name:
                    value = self.read_element(shape.value, child, f"{path}.value")
            if key is not None:
                out[key] = value
        return out


def _attribute(node: ElementTree.Element, name: str) -> str | None:
    wanted = name.rpartition(":")[2]
    for key, value in node.attrib.items():
        if local_name(key) == wanted:
            return value
    return None
