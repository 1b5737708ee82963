"""Running a parsed Logs Insights query over events, a chunk at a time.

``QueryRun.feed`` takes a chunk of stored events (the caller yields to the loop between
chunks, so a big group never blocks the server); ``finish`` applies the commands that
need every row (stats, sort, limit) and answers rows of ``(field, value)``. Each event
is seen as fields: the built-in ``@timestamp @message @logStream @log @ingestionTime
@ptr``, the fields of a JSON message (nested keys dotted, as Insights discovers them),
and those of a Lambda ``REPORT`` line (``@type @requestId @duration @billedDuration
@memorySize @maxMemoryUsed @initDuration``).
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stratus.services.logs.insights_parse import AGGREGATES, Command, Expr, Query
from stratus.services.logs.repository import StoredLogEvent

__all__ = ["QueryRun", "RunStatistics"]

Row = dict[str, Any]
_MISSING: Any = None
_DEFAULT_FIELDS = ["@timestamp", "@message"]
_TIME_FIELDS = {"@timestamp", "@ingestionTime"}
_DECODER = json.JSONDecoder()
_REPORT = re.compile(
    r"REPORT RequestId: (?P<id>\S+)\s+Duration: (?P<d>[\d.]+) ms\s+"
    r"Billed Duration: (?P<b>[\d.]+) ms\s+Memory Size: (?P<m>\d+) MB\s+"
    r"Max Memory Used: (?P<u>\d+) MB(?:\s+Init Duration: (?P<i>[\d.]+) ms)?"
)


@dataclass(frozen=True, slots=True)
class RunStatistics:
    records_matched: int
    records_scanned: int
    bytes_scanned: int


def _flatten(prefix: str, value: Any, into: Row) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, into)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(f"{prefix}.{index}", inner, into)
    elif prefix:
        into[prefix] = value


def _document(text: str) -> dict[str, Any] | None:
    """The message's JSON object: the whole message, or else its first embedded JSON
    fragment (Insights reads the first one of a Lambda text line like
    ``2026-...Z\t<request id>\tINFO\t{"order": 7}``)."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        document, _end = _DECODER.raw_decode(text, start)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def event_row(event: StoredLogEvent, log: str, group: str) -> Row:
    """An event's fields, as Insights discovers them."""
    row: Row = {}
    message = event.message
    text = message.strip()
    if text.startswith("REPORT "):
        found = _REPORT.match(text)
        if found:
            row.update(
                {
                    "@type": "REPORT",
                    "@requestId": found["id"],
                    "@duration": float(found["d"]),
                    "@billedDuration": float(found["b"]),
                    "@memorySize": int(found["m"]) * 1_000_000,
                    "@maxMemoryUsed": int(found["u"]) * 1_000_000,
                }
            )
            if found["i"]:
                row["@initDuration"] = float(found["i"])
    else:
        document = _document(text)
        if document is not None:
            # A discovered name starting with "@" is shown with one more "@".
            _flatten("", {(f"@{k}" if str(k).startswith("@") else k): v
                          for k, v in document.items()}, row)  # fmt: skip
    pointer = base64.urlsafe_b64encode(f"{group}\x00{event.id}".encode()).decode()
    row.update(
        {
            "@timestamp": event.timestamp_ms,
            "@message": message,
            "@logStream": event.stream,
            "@log": log,
            "@ingestionTime": event.ingestion_ms,
            "@ptr": pointer,
        }
    )
    return row


# -- values ----------------------------------------------------------------------------


def _numeric(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    a, b = _numeric(left), _numeric(right)
    if a is not None and b is not None:
        return a == b
    return _text(left) == _text(right)


def _order(left: Any, right: Any) -> int | None:
    a, b = _numeric(left), _numeric(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    if left is None or right is None:
        return None
    x, y = _text(left), _text(right)
    return (x > y) - (x < y)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _time_text(ms: Any) -> str:
    moment = datetime.fromtimestamp(int(ms) / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{int(ms) % 1000:03d}"


def shown(name: str, value: Any) -> str:
    """A value as GetQueryResults answers it (always a string)."""
    if name in _TIME_FIELDS and isinstance(value, (int, float)):
        return _time_text(value)
    return _text(value)


def evaluate(expr: Expr, row: Row) -> Any:
    kind = expr[0]
    if kind == "lit":
        return expr[1]
    if kind == "field":
        return row.get(expr[1], _MISSING)
    if kind == "not":
        return not _truthy(evaluate(expr[1], row))
    if kind == "in":
        value = evaluate(expr[1], row)
        return any(_equal(value, evaluate(option, row)) for option in expr[2])
    if kind == "regex":
        return bool(expr[1].search(_text(row.get("@message", ""))))
    if kind == "call":
        return _call(expr[1], [evaluate(arg, row) for arg in expr[2]], row)
    op, left_expr, right_expr = expr[1], expr[2], expr[3]
    if op == "and":
        return _truthy(evaluate(left_expr, row)) and _truthy(evaluate(right_expr, row))
    if op == "or":
        return _truthy(evaluate(left_expr, row)) or _truthy(evaluate(right_expr, row))
    left = evaluate(left_expr, row)
    if op == "=~":
        return left is not None and bool(right_expr[1].search(_text(left)))
    right = evaluate(right_expr, row)
    if op == "like":
        return left is not None and _text(right) in _text(left)
    if op == "=":
        return _equal(left, right)
    if op == "!=":
        return left is not None and not _equal(left, right)
    if op in ("<", "<=", ">", ">="):
        order = _order(left, right)
        if order is None:
            return False
        return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
    a, b = _numeric(left), _numeric(right)
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "%":
        return a % b if b else None
    return a / b if b else None


def _truthy(value: Any) -> bool:
    return value is not None and value is not False and value != ""


def _call(name: str, args: list[Any], row: Row) -> Any:
    first = args[0] if args else None
    if name == "bin":
        stamp, span = int(row.get("@timestamp") or 0), int(first or 1)
        return ("@bin", stamp // span * span)
    if name == "ispresent":
        return first is not None
    if name == "isempty":
        return first is None or first == ""
    if name == "isblank":
        return first is None or _text(first).strip() == ""
    if name == "strlen":
        return None if first is None else len(_text(first))
    if name == "tolower":
        return None if first is None else _text(first).lower()
    if name == "toupper":
        return None if first is None else _text(first).upper()
    if name == "trim":
        return None if first is None else _text(first).strip()
    if name == "strcontains":
        return first is not None and len(args) > 1 and _text(args[1]) in _text(first)
    if name == "concat":
        return "".join(_text(a) for a in args if a is not None)
    if name == "coalesce":
        return next((a for a in args if a is not None), None)
    number = _numeric(first)
    if number is None:
        return None
    if name == "abs":
        return abs(number)
    return math.floor(number) if name == "floor" else math.ceil(number)


# -- aggregation -----------------------------------------------------------------------


class _Aggregate:
    def __init__(self, function: str, arg: Expr, rank: float = 50.0) -> None:
        self.function = function
        self.arg = arg
        self.rank = rank
        self.count = 0
        self.total = 0.0
        self.low: float | None = None
        self.high: float | None = None
        self.distinct: set[str] = set()
        self.values: list[float] = []
        self.chosen: tuple[int, Any] | None = None  # earliest/latest: (timestamp, value)

    def add(self, row: Row) -> None:
        if self.arg == ("lit", "*"):
            self.count += 1
            return
        value = evaluate(self.arg, row)
        if value is None:
            return
        if self.function in ("count", "count_distinct"):
            self.count += 1
            if self.function == "count_distinct":
                self.distinct.add(_text(value))
            return
        if self.function in ("earliest", "latest"):
            stamp = int(row.get("@timestamp") or 0)
            held = self.chosen
            if (
                held is None
                or (self.function == "earliest" and stamp < held[0])
                or (self.function == "latest" and stamp >= held[0])
            ):
                self.chosen = (stamp, value)
            return
        number = _numeric(value)
        if number is None:
            return
        self.count += 1
        self.total += number
        self.low = number if self.low is None else min(self.low, number)
        self.high = number if self.high is None else max(self.high, number)
        if self.function in ("pct", "percentile"):
            self.values.append(number)

    def result(self) -> Any:
        if self.function == "count":
            return self.count
        if self.function == "count_distinct":
            return len(self.distinct)
        if self.function in ("earliest", "latest"):
            return None if self.chosen is None else self.chosen[1]
        if not self.count:
            return None
        if self.function == "sum":
            return self.total
        if self.function == "avg":
            return self.total / self.count
        if self.function in ("pct", "percentile"):
            # The nearest rank: the smallest value at least ``rank`` percent of them reach.
            self.values.sort()
            index = math.ceil(self.rank / 100 * len(self.values)) - 1
            return self.values[min(max(index, 0), len(self.values) - 1)]
        return self.low if self.function == "min" else self.high


# -- the run ---------------------------------------------------------------------------


class QueryRun:
    """One query's evaluation: per-event commands as events arrive, then the rest."""

    def __init__(self, query: Query, limit: int) -> None:
        commands = query.commands
        split = next(
            (i for i, c in enumerate(commands) if c.name in ("stats", "sort", "limit", "dedup")),
            len(commands),
        )
        self._streaming = commands[:split]
        self._after = commands[split:]
        self._limit = limit
        # Rows are kept only as far as the rest of the query needs them: a leading
        # ``stats`` aggregates as events arrive, a query with nothing after its per-event
        # commands keeps its newest ``limit`` rows (newest first, as Insights answers).
        first = self._after[0] if self._after else None
        self._grouping = _Grouping(first) if first is not None and first.name == "stats" else None
        self._newest: list[tuple[int, int, Row]] | None = [] if first is None else None
        self._order = itertools.count()
        self._rows: list[Row] = []
        self.matched = 0
        self.scanned = 0
        self.bytes = 0
        self._shown = self._field_names(commands)
        self.sorted = any(c.name == "sort" for c in commands)

    @staticmethod
    def _field_names(commands: list[Command]) -> list[str]:
        display = [c for c in commands if c.name == "display"]
        if display:
            return [str(label) for _e, label in display[-1].items]
        names: list[str] = []
        for command in commands:
            if command.name == "stats":
                names = [str(label) for _e, label in command.by + command.items]
            elif command.name == "fields":
                names += [str(label) for _e, label in command.items if label not in names]
            elif command.name == "parse":
                names += [n for n in command.names if n not in names]
        return names or list(_DEFAULT_FIELDS)

    def statistics(self) -> RunStatistics:
        return RunStatistics(self.matched, self.scanned, self.bytes)

    def feed(self, events: list[tuple[StoredLogEvent, str, str]]) -> None:
        """Events with their ``@log`` and group, through the per-event commands."""
        for event, log, group in events:
            self.scanned += 1
            self.bytes += len(event.message.encode()) + 26
            row: Row | None = event_row(event, log, group)
            for command in self._streaming:
                row = _apply(command, row) if row is not None else None
            if row is None:
                continue
            self.matched += 1
            if self._grouping is not None:
                self._grouping.add(row)
            elif self._newest is not None:
                entry = (row.get("@timestamp", 0), next(self._order), row)
                if len(self._newest) < self._limit:
                    heapq.heappush(self._newest, entry)
                else:
                    heapq.heappushpop(self._newest, entry)
            else:
                self._rows.append(row)

    def finish(self) -> list[list[tuple[str, str]]]:
        after = self._after
        if self._grouping is not None:
            rows = self._grouping.rows()
            after = after[1:]
        elif self._newest is not None:
            rows = [row for _stamp, _n, row in sorted(self._newest, reverse=True)]
        else:
            rows = self._rows
            if not self.sorted:
                rows.sort(key=lambda r: r.get("@timestamp", 0), reverse=True)
        for command in after:
            if command.name == "sort":
                for expr, descending in reversed(command.items):
                    rows.sort(key=_sorter(expr), reverse=bool(descending))
            elif command.name == "limit":
                rows = rows[: command.limit]
            elif command.name == "dedup":
                seen: set[tuple[str, ...]] = set()
                kept: list[Row] = []
                for row in rows:
                    key = tuple(_text(evaluate(e, row)) for e, _label in command.items)
                    if key not in seen:
                        seen.add(key)
                        kept.append(row)
                rows = kept
            elif command.name == "stats":
                grouping = _Grouping(command)
                for row in rows:
                    grouping.add(row)
                rows = grouping.rows()
            else:
                rows = [r for r in (_apply(command, r) for r in rows) if r is not None]
        rows = rows[: self._limit]
        out: list[list[tuple[str, str]]] = []
        for row in rows:
            fields = [(n, shown(n, row[n])) for n in self._shown if row.get(n) is not None]
            if "@ptr" in row:
                fields.append(("@ptr", row["@ptr"]))
            out.append(fields)
        return out


class _Grouping:
    """A ``stats`` command's groups, each with its aggregates, fed a row at a time."""

    def __init__(self, command: Command) -> None:
        self._command = command
        self._groups: dict[tuple[str, ...], tuple[Row, list[_Aggregate]]] = {}

    def add(self, row: Row) -> None:
        command = self._command
        keys = [evaluate(expr, row) for expr, _label in command.by]
        key = tuple(_text(k) for k in keys)
        entry = self._groups.get(key)
        if entry is None:
            grouped: Row = {}
            for (_expr, label), value in zip(command.by, keys, strict=True):
                if isinstance(value, tuple):  # bin(...): a timestamp
                    grouped[label] = _time_text(value[1])
                elif value is not None:
                    grouped[label] = value
            aggregates = [
                _Aggregate(
                    expr[1],
                    expr[2][0] if expr[2] else ("lit", "*"),
                    float(expr[2][1][1]) if len(expr[2]) > 1 else 50.0,
                )
                for expr, _label in command.items
                if _is_aggregate(expr)
            ]
            entry = self._groups[key] = (grouped, aggregates)
        for aggregate in entry[1]:
            aggregate.add(row)

    def rows(self) -> list[Row]:
        out: list[Row] = []
        for grouped, aggregates in self._groups.values():
            row = dict(grouped)
            results = iter(aggregates)
            for expr, label in self._command.items:
                value = next(results).result() if _is_aggregate(expr) else evaluate(expr, row)
                if value is not None:
                    row[str(label)] = value
            out.append(row)
        return out


def _is_aggregate(expr: Expr) -> bool:
    return expr[0] == "call" and expr[1] in AGGREGATES


def _sorter(expr: Expr) -> Callable[[Row], tuple[int, float, str]]:
    return lambda row: _sort_key(evaluate(expr, row))


def _sort_key(value: Any) -> tuple[int, float, str]:
    number = _numeric(value)
    if value is None:
        return (0, 0.0, "")
    if number is not None:
        return (1, number, "")
    return (2, 0.0, _text(value))


def _apply(command: Command, row: Row) -> Row | None:
    """A per-event command on one row: the row (changed) or None when filtered out."""
    if command.name == "filter":
        assert command.expr is not None
        return row if _truthy(evaluate(command.expr, row)) else None
    if command.name in ("fields", "display"):
        for expr, label in command.items:
            if expr[0] == "field" and expr[1] == label:
                continue
            value = evaluate(expr, row)
            if value is not None and expr[0] == "field" and expr[1] in _TIME_FIELDS:
                value = _time_text(value)  # renamed, a time is still shown as one
            if value is not None:
                row[str(label)] = value
        return row
    if command.name == "parse":
        assert command.expr is not None and command.pattern is not None
        source = evaluate(command.expr, row)
        found = command.pattern.search(_text(source)) if source is not None else None
        if found is not None:
            for index, name in enumerate(command.names, start=1):
                value = found.group(name) if name in command.pattern.groupindex else None
                row[name] = value if value is not None else found.group(index)
        return row
    return row
