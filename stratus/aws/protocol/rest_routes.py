"""Match a REST request (method, path, query, headers) to an operation of one service.

Each ``requestUri`` of the model becomes one :class:`RestRule`, compiled once: the path
template as a regular expression (``{Label}`` is one segment, ``{Key+}`` is greedy), the
query literals it demands (``?uploads``, ``?list-type=2``), and the required members it
binds to headers or the query string. Of all rules that match, the most specific wins:
S3 ``PUT /{Bucket}/{Key+}`` is CopyObject when ``x-amz-copy-source`` is present and
PutObject otherwise, exactly as the service tells them apart.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote

from botocore.model import OperationModel

__all__ = ["RestMatch", "RestRouteTable", "RestRule"]

_LABEL = re.compile(r"\{([^}]+?)(\+?)\}")


@dataclass(frozen=True, slots=True)
class RestMatch:
    """A matched operation, its decoded URI labels, and how specific the match was.
    Read-only: a table hands the same match to every request that routes alike."""

    operation: OperationModel
    uri_params: Mapping[str, str]
    score: tuple[int, ...]


@dataclass(slots=True)
class RestRule:
    """One operation's HTTP binding, compiled."""

    operation: OperationModel
    pattern: re.Pattern[str]
    labels: dict[str, str]  # regex group -> URI label (labels may hold ``-``)
    first_segment: str | None  # literal first path segment, for indexing
    query_literals: tuple[tuple[str, str | None], ...]  # (key, value or None)
    x_id: str | None  # S3's ``?x-id=Op`` hint: optional on the wire
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    literal_length: int
    label_count: int
    greedy: bool

    @classmethod
    def compile(cls, operation: OperationModel) -> RestRule:
        """Compile ``operation.http['requestUri']`` into a rule."""
        uri = operation.http.get("requestUri", "/")
        path, _, query = uri.partition("?")
        literals: list[tuple[str, str | None]] = []
        x_id = None
        for part in filter(None, query.split("&")):
            key, eq, value = part.partition("=")
            if key == "x-id":
                x_id = value
            else:
                literals.append((key, value if eq else None))
        regex: list[str] = []
        labels: dict[str, str] = {}
        pos = 0
        literal_length = 0
        label_count = 0
        greedy = False
        trimmed = path.rstrip("/") if len(path) > 1 else path
        for label in _LABEL.finditer(trimmed):
            literal = trimmed[pos : label.start()]
            regex.append(re.escape(literal))
            literal_length += len(literal)
            group = f"g{label_count}"
            labels[group] = label.group(1)
            if label.group(2):
                greedy = True
                regex.append(f"(?P<{group}>.+)")
            else:
                regex.append(f"(?P<{group}>[^/]+)")
            label_count += 1
            pos = label.end()
        tail = trimmed[pos:]
        regex.append(re.escape(tail))
        literal_length += len(tail)
        pattern = "".join(regex)
        if pattern != "/":
            pattern += "/?"  # botocore and other SDKs disagree on trailing slashes
        segments = trimmed.split("/")
        first = segments[1] if len(segments) > 1 else ""
        first_segment = None if "{" in first else first
        required_query: list[str] = []
        required_headers: list[str] = []
        shape = operation.input_shape
        if shape is not None:
            for name in shape.required_members:
                member = shape.members[name]
                location = member.serialization.get("location")
                wire = member.serialization.get("name", name)
                if location == "querystring":
                    required_query.append(wire)
                elif location == "header":
                    required_headers.append(wire.lower())
        return cls(
            operation=operation,
            pattern=re.compile(pattern),
            labels=labels,
            first_segment=first_segment,
            query_literals=tuple(literals),
            x_id=x_id,
            required_query=tuple(required_query),
            required_headers=tuple(required_headers),
            literal_length=literal_length,
            label_count=label_count,
            greedy=greedy,
        )

    def match(self, path: str, query: dict[str, str], headers: dict[str, str]) -> RestMatch | None:
        """Match this rule; ``None`` if the path or a demanded query literal differs."""
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        for key, value in self.query_literals:
            if key not in query or (value is not None and query[key] != value):
                return None
        x_id_hit = 0
        if self.x_id is not None and "x-id" in query:
            if query["x-id"] != self.x_id:
                return None
            x_id_hit = 1
        required = self.required_query + self.required_headers
        present = sum(1 for key in self.required_query if key in query) + sum(
            1 for key in self.required_headers if key in headers
        )
        complete = int(present == len(required))
        score = (
            x_id_hit,
            len(self.query_literals),
            complete,
            present,
            self.literal_length,
            -int(self.greedy),
            -self.label_count,
        )
        params = {self.labels[g]: unquote(value) for g, value in found.groupdict().items()}
        return RestMatch(self.operation, params, score)


#: Routing outcomes a table remembers (then forgets all at once): clients call the same
#: few paths over and over, and a path's outcome never changes. Only for short paths and
#: query strings, so that what a client can make every table hold stays small (an
#: unsigned request is tried against every table).
_REMEMBERED = 1024
_REMEMBERED_LENGTH = 256


class RestRouteTable:
    """All REST rules of one service, indexed by method and first path segment.

    Matching a path means a regular expression per candidate rule, a parsed query and a
    score per hit (~11-18 µs for a Lambda call); what decides the outcome is the method,
    the path, the query string and which of the headers some rule requires are present,
    so the outcome is remembered under exactly those (and a miss too: an unsigned
    request is tried against every service's table)."""

    def __init__(self, operations: list[OperationModel]) -> None:
        self._rules: dict[str, dict[str | None, list[RestRule]]] = defaultdict(
            lambda: defaultdict(list)
        )
        # A deprecated operation bound exactly like a current one (S3's GetBucketLifecycle
        # beside GetBucketLifecycleConfiguration) never wins: clients call the current one.
        current = {
            (op.http.get("method"), op.http.get("requestUri"))
            for op in operations
            if not op.deprecated
        }
        for operation in operations:
            if (
                operation.deprecated
                and (operation.http.get("method"), operation.http.get("requestUri")) in current
            ):
                continue
            rule = RestRule.compile(operation)
            method = operation.http.get("method", "POST").upper()
            self._rules[method][rule.first_segment].append(rule)
        self._deciding_headers = tuple(
            sorted(
                {
                    name
                    for by_segment in self._rules.values()
                    for rules in by_segment.values()
                    for rule in rules
                    for name in rule.required_headers
                }
            )
        )
        self._outcomes: dict[tuple[object, ...], RestMatch | None] = {}

    def match(
        self, method: str, path: str, query_string: str, headers: dict[str, str]
    ) -> RestMatch | None:
        """The most specific operation matching the request, or ``None``."""
        if self._deciding_headers:
            present = tuple(name in headers for name in self._deciding_headers)
            key: tuple[object, ...] = (method, path, query_string, present)
        else:
            key = (method, path, query_string)
        try:
            return self._outcomes[key]
        except KeyError:
            pass
        outcome = self._match(method, path, query_string, headers)
        if len(path) + len(query_string) <= _REMEMBERED_LENGTH:
            if len(self._outcomes) >= _REMEMBERED:
                self._outcomes.clear()
            self._outcomes[key] = outcome
        return outcome

    def _match(
        self, method: str, path: str, query_string: str, headers: dict[str, str]
    ) -> RestMatch | None:
        by_segment = self._rules.get(method)
        if by_segment is None:
            return None
        query = dict(parse_qsl(query_string, keep_blank_values=True)) if query_string else {}
        segment = path[1:].split("/", 1)[0]
        best: RestMatch | None = None
        for key in (segment, None):
            for rule in by_segment.get(key, ()):
                found = rule.match(path, query, headers)
                if found is not None and (best is None or found.score > best.score):
                    best = found
        return best
