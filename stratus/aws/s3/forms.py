"""The ``multipart/form-data`` body of a browser upload (POST Object), read into fields.

S3 reads the form's fields in order up to the ``file`` field and ignores anything after
it, so parsing stops there: the file's bytes are the last thing taken from the body.
Field names are matched case-insensitively (S3 does), so they are kept lower-cased next
to the name as sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stratus.services.objects import errors as oe

__all__ = ["FormUpload", "boundary_of", "parse_form"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_DISPOSITION_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"|(\w+)=([^;\s]+)')
#: Parts a well-formed form may hold before its file; more is a body built to exhaust us.
MAX_FIELDS = 1000


@dataclass(slots=True)
class FormUpload:
    """The fields before ``file`` (lower-cased name -> value), and the file itself."""

    fields: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # field names as sent, in order
    file: bytes | None = None
    filename: str = ""
    file_content_type: str | None = None


def _malformed() -> oe.MalformedPOSTRequest:
    return oe.MalformedPOSTRequest()


def boundary_of(content_type: str) -> str | None:
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    match = _BOUNDARY.search(content_type)
    return match.group(1) if match else None


def _disposition(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _DISPOSITION_PARAM.finditer(value):
        if match.group(1):
            params[match.group(1).lower()] = match.group(2).replace('\\"', '"')
        else:
            params[match.group(3).lower()] = match.group(4)
    return params


def parse_form(body: bytes, boundary: str) -> FormUpload:
    """Read the form; ``MalformedPOSTRequest`` for a body that is not multipart/form-data
    with this boundary."""
    delimiter = b"--" + boundary.encode("latin-1")
    form = FormUpload()
    start = body.find(delimiter)
    if start < 0:
        raise _malformed()
    position = start + len(delimiter)
    for _ in range(MAX_FIELDS):
        if body.startswith(b"--", position):
            return form  # the closing delimiter: a form without a file
        if not body.startswith(b"\r\n", position):
            raise _malformed()
        header_end = body.find(b"\r\n\r\n", position + 2)
        if header_end < 0:
            raise _malformed()
        headers: dict[str, str] = {}
        for line in body[position + 2 : header_end].split(b"\r\n"):
            header, sep, value = line.decode("utf-8", "replace").partition(":")
            if not sep:
                raise _malformed()
            headers[header.strip().lower()] = value.strip()
        content_start = header_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, content_start)
        if next_delimiter < 0:
            raise _malformed()
        content = body[content_start:next_delimiter]
        params = _disposition(headers.get("content-disposition", ""))
        if "name" not in params:
            raise _malformed()
        name = params["name"]
        if name.lower() == "file":
            form.file = content
            form.filename = params.get("filename", "")
            form.file_content_type = headers.get("content-type")
            return form  # S3 ignores whatever follows the file
        form.names.append(name)
        form.fields.setdefault(name.lower(), content.decode("utf-8", "replace"))
        position = next_delimiter + 2 + len(delimiter)
    raise _malformed()
