"""Mapping templates of REST APIs: Velocity (VTL) with API Gateway's variables.

The Velocity language is airspeed's (a Python Velocity engine); this module gives a
template what API Gateway documents in its "mapping template and access logging variable
reference": ``$input`` (``body``, ``json(path)``, ``path(path)``, ``params()``,
``params(name)``), ``$util`` (``escapeJavaScript``, ``parseJson``, ``urlEncode``,
``urlDecode``, ``base64Encode``, ``base64Decode``), ``$context`` and ``$stageVariables``.
JSONPath is the Jayway dialect that Step Functions also speaks (API Gateway runs Jayway
too), so ``$input.path('$.items[0].id')`` means the same in both.

Parsed templates are cached by their text: the same few templates run on every request.
A rendering is bounded: 1,000 iterations per ``#foreach`` (API Gateway's quota), 100,000
for all its loops together, 10 MB of output (each interpolated string included).
A template that does not parse or fails while rendering raises :class:`TemplateFailed`
(the gateway answers 500, as API Gateway does).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from io import StringIO
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed
import orjson

from stratus.workflows.expressions.jsonpath import PathNotFound, PathSyntaxError, select

__all__ = ["Input", "TemplateFailed", "TemplateVars", "Util", "render"]


class TemplateFailed(Exception):
    """A mapping template that does not parse, or whose rendering raised."""


def _string_methods() -> dict[str, Any]:
    """Java String methods templates call that airspeed does not offer itself."""
    return {
        "toUpperCase": lambda s: s.upper(),
        "toLowerCase": lambda s: s.lower(),
        "trim": lambda s: s.strip(),
        "endsWith": lambda s, suffix: s.endswith(suffix),
        "equals": lambda s, other: s == other,
        "isEmpty": lambda s: not s,
        "indexOf": lambda s, sub: s.find(sub),
        "substring": lambda s, start, end=None: s[start:end],
        "replace": lambda s, old, new: s.replace(old, new),
        "split": lambda s, pattern: re.split(pattern, s),
    }


def _collection_methods() -> dict[type, dict[str, Any]]:
    """Java Map and List methods templates call on JSON objects and arrays."""
    return {
        dict: {
            "size": lambda d: len(d),
            "containsKey": lambda d, key: key in d,
            "containsValue": lambda d, value: value in d.values(),
            "entrySet": lambda d: [{"key": k, "value": v} for k, v in d.items()],
        },
        list: {"isEmpty": lambda items: not items},
    }


# airspeed's extension point: Java methods on Python types (str.length() ...). Shared by
# every airspeed template in the process; only methods airspeed lacks are added.
for _name, _method in _string_methods().items():
    airspeed.__additional_methods__[str].setdefault(_name, _method)
for _kind, _methods in _collection_methods().items():
    for _name, _method in _methods.items():
        airspeed.__additional_methods__[_kind].setdefault(_name, _method)


def java_text(value: Any) -> str:
    """A value as Velocity on the JVM writes it (``String.valueOf``): ``true``, not
    ``True``; a JSON object as a Java map, ``{a=1, b=x}``; an array as ``[1, 2]``."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return str(value)


def _write_reference(self: Any, stream: Any, namespace: Any, loader: Any) -> None:
    """airspeed's ``FormalReference.evaluate_raw`` (a ``$reference`` in the text), writing
    the value with :func:`java_text` where airspeed writes Python's ``str``."""
    value = None
    if self.expression is not None:
        value = self.expression.calculate(namespace, loader)
    if value is None:
        if self.alternate is not None:
            value = self.alternate.calculate(namespace, loader)
        elif self.silent and self.expression is not None:
            value = ""
        else:
            value = self.my_text()
    stream.write(java_text(value))


# The one place airspeed turns a value into text; the templates of this process are all
# API Gateway's, whose engine is Java's.
airspeed.FormalReference.evaluate_raw = _write_reference


#: API Gateway's quota on the iterations of one ``#foreach`` loop of a mapping template.
MAX_FOREACH_ITERATIONS = 1000
#: All the loops of one rendering together: nested loops multiply, each within its quota.
MAX_TOTAL_ITERATIONS = 100_000
#: What one rendering (or a string it interpolates) may write: API Gateway's payload limit.
MAX_OUTPUT_CHARS = 10 * 1024 * 1024


class _Budget:
    """The iterations one rendering has left (a template that loops without end fails)."""

    def __init__(self) -> None:
        self.remaining = MAX_TOTAL_ITERATIONS


_BUDGET: ContextVar[_Budget | None] = ContextVar("vtl_budget", default=None)


class _CountedItems:
    """What a ``#foreach`` walks, counted against the loop's quota and the rendering's
    budget; airspeed asks its length for ``$foreach.hasNext``."""

    def __init__(self, items: Any) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Any:
        budget = _BUDGET.get()
        for index, item in enumerate(self._items):
            if index >= MAX_FOREACH_ITERATIONS:
                raise TemplateFailed(f"#foreach loops more than {MAX_FOREACH_ITERATIONS} times")
            if budget is not None:
                budget.remaining -= 1
                if budget.remaining < 0:
                    raise TemplateFailed(
                        f"the template's loops run more than {MAX_TOTAL_ITERATIONS} times"
                    )
            yield item


class _CountedLoopValue:
    """Stands in for a ``#foreach``'s ``in`` expression: its value, counted."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def calculate(self, namespace: Any, loader: Any) -> Any:
        value = self._inner.calculate(namespace, loader)
        if value is None:
            return None
        if hasattr(value, "keys"):
            value = list(value.keys())
        try:
            iter(value)
        except TypeError:
            return value  # airspeed names the error itself
        return _CountedItems(value)


_parse_foreach = airspeed.ForeachDirective.parse


def _parse_counted_foreach(self: Any) -> None:
    _parse_foreach(self)
    self.value = _CountedLoopValue(self.value)


def _bounded_write(self: Any, text: str) -> None:
    """airspeed's output streams (the rendering's and each interpolated string's), bounded:
    a template that doubles a string in a loop fails instead of filling memory."""
    if self.stop:
        return
    if self.tell() + len(text) > MAX_OUTPUT_CHARS:
        raise TemplateFailed(f"the template writes more than {MAX_OUTPUT_CHARS} characters")
    StringIO.write(self, text)


airspeed.ForeachDirective.parse = _parse_counted_foreach
airspeed.StoppableStream.write = _bounded_write


@lru_cache(maxsize=512)
def _compiled(text: str) -> airspeed.Template:
    template = airspeed.Template(text)
    try:
        template.ensure_compiled()
    except airspeed.TemplateSyntaxError as exc:
        raise TemplateFailed(f"mapping template does not parse: {exc}") from exc
    return template


def _json_body(body: str) -> Any:
    try:
        return orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        return body


def _jsonpath(data: Any, path: str) -> Any:
    """The value ``path`` selects; ``None`` when nothing (API Gateway renders nothing)."""
    try:
        return select(data, path)
    except PathNotFound:
        return None
    except PathSyntaxError as exc:
        raise TemplateFailed(f"invalid JSONPath {path!r}") from exc


class Input:
    """``$input``: the method request's payload and parameters (or, in a response
    template, the integration response's payload)."""

    def __init__(self, body: str, params: Mapping[str, Mapping[str, str]]) -> None:
        self.body = body
        self._params = params
        self._parsed: Any = _MISSING

    def _data(self) -> Any:
        if self._parsed is _MISSING:
            self._parsed = _json_body(self.body)
        return self._parsed

    def path(self, path: str) -> Any:
        """The JSONPath's value as an object (a map, a list, a string ...): ``""`` when
        it selects nothing, so it renders empty."""
        value = _jsonpath(self._data(), path)
        return "" if value is None else value

    def json(self, path: str) -> str:
        """The JSONPath's value as JSON text."""
        value = _jsonpath(self._data(), path)
        return "" if value is None else orjson.dumps(value).decode()

    def params(self, name: str | None = None) -> Any:
        """No name: ``{"path": {...}, "querystring": {...}, "header": {...}}``. A name:
        its value, looked for in the path, then the query string, then the headers."""
        if name is None:
            return {
                kind: _Headers(values) if kind == "header" else dict(values)
                for kind, values in self._params.items()
            }
        for kind in ("path", "querystring"):
            value = self._params.get(kind, {}).get(name)
            if value is not None:
                return value
        lowered = name.lower()
        for header, value in self._params.get("header", {}).items():
            if header.lower() == lowered:
                return value
        return ""


_MISSING = object()


class _Headers(dict[str, str]):
    """``$input.params().header``: looked up whatever the case of the name, as HTTP
    header names are (the server hands them over lowercased, so ``get('X-Name')`` must
    find ``x-name``)."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__((k.lower(), v) for k, v in values.items())

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


# airspeed finds Java methods by exact type: a map's (keySet, size ...) for this one too
airspeed.__additional_methods__[_Headers] = airspeed.__additional_methods__[dict]


def _escape_javascript(text: str) -> str:
    """Apache Commons' ``escapeJavaScript``, which API Gateway's ``$util`` runs: quotes,
    backslash and ``/`` escaped, control and non-ASCII characters as ``\\uXXXX``."""
    out: list[str] = []
    for char in str(text):
        code = ord(char)
        if char in "'\"\\/":
            out.append("\\" + char)
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 32 or code > 0x7F:
            if code > 0xFFFF:  # as Java sees it: two UTF-16 units
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out)


_SHORT_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class Util:
    """``$util``: API Gateway's helper functions."""

    def escapeJavaScript(self, text: Any) -> str:
        return _escape_javascript("" if text is None else str(text))

    def parseJson(self, text: Any) -> Any:
        try:
            return orjson.loads(str(text))
        except orjson.JSONDecodeError as exc:
            raise TemplateFailed("$util.parseJson: not JSON") from exc

    def urlEncode(self, text: Any) -> str:
        # Java's URLEncoder: space as "+", "*" kept, "~" encoded.
        return quote_plus(str(text), safe="*").replace("~", "%7E")

    def urlDecode(self, text: Any) -> str:
        return unquote_plus(str(text))

    def base64Encode(self, text: Any) -> str:
        return base64.b64encode(str(text).encode()).decode()

    def base64Decode(self, text: Any) -> str:
        try:
            return base64.b64decode(str(text)).decode("utf-8", "replace")
        except ValueError as exc:
            raise TemplateFailed("$util.base64Decode: not base64") from exc


_UTIL = Util()


@dataclass(slots=True)
class TemplateVars:
    """What one template sees besides ``$input``. ``context`` is mutable on purpose: a
    template may ``#set($context.responseOverride.status = 400)``."""

    context: dict[str, Any]
    stage_variables: dict[str, str] = field(default_factory=dict)


def render(text: str, body: str, params: Mapping[str, Mapping[str, str]], env: TemplateVars) -> str:
    """The template's output for this payload and these parameters."""
    template = _compiled(text)
    namespace = {
        "input": Input(body, params),
        "util": _UTIL,
        "context": env.context,
        "stageVariables": env.stage_variables,
    }
    token = _BUDGET.set(_Budget())
    try:
        return str(template.merge(namespace))
    except TemplateFailed:
        raise
    except Exception as exc:  # airspeed raises whatever the Python underneath raised
        cause = exc.__cause__ if isinstance(exc.__cause__, TemplateFailed) else None
        if cause is not None:
            raise cause from exc
        raise TemplateFailed(f"mapping template failed: {type(exc).__name__}: {exc}") from exc
    finally:
        _BUDGET.reset(token)
