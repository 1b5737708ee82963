"""``stratus events rules`` and ``stratus schedules``: what fires what.

Rules of every bus (or one, ``--bus``) with their state, their trigger (event pattern or
schedule expression) and their targets; schedules of every group (or one, ``--group``)
with their expression, timezone, state and target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stratus.cli.client import aws_call, aws_client

_WIDTH = 60


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def _pages(call: Any, key: str, **kwargs: Any) -> list[Any]:
    items: list[Any] = []
    while True:
        page = call(**kwargs)
        items.extend(page.get(key, []))
        if not page.get("NextToken"):
            return items
        kwargs["NextToken"] = page["NextToken"]


def list_rules(endpoint: str, bus: str | None, region: str) -> int:
    client = aws_client("events", endpoint, region)
    buses = (
        [bus]
        if bus
        else [
            b["Name"]
            for b in aws_call(endpoint, lambda: _pages(client.list_event_buses, "EventBuses"))
        ]
    )
    rows = [("BUS", "NAME", "STATE", "TRIGGER", "TARGETS")]
    for name in buses:
        rules = aws_call(
            endpoint, lambda n=name: _pages(client.list_rules, "Rules", EventBusName=n)
        )
        for rule in rules:
            targets = aws_call(
                endpoint,
                lambda r=rule, n=name: client.list_targets_by_rule(Rule=r["Name"], EventBusName=n)[
                    "Targets"
                ],
            )
            trigger = rule.get("ScheduleExpression") or rule.get("EventPattern") or ""
            rows.append(
                (
                    name,
                    rule["Name"],
                    rule["State"],
                    _short(trigger),
                    ", ".join(t["Arn"].split(":", 5)[-1] for t in targets) or "-",
                )
            )
    if len(rows) == 1:
        print("no rules")
        return 0
    _table(rows)
    return 0


def list_schedules(endpoint: str, group: str | None, region: str) -> int:
    client = aws_client("scheduler", endpoint, region)
    kwargs = {"GroupName": group} if group else {}
    summaries = aws_call(endpoint, lambda: _pages(client.list_schedules, "Schedules", **kwargs))
    if not summaries:
        print("no schedules")
        return 0
    rows = [("GROUP", "NAME", "STATE", "EXPRESSION", "TIMEZONE", "TARGET")]
    for summary in summaries:
        schedule = aws_call(
            endpoint,
            lambda s=summary: client.get_schedule(Name=s["Name"], GroupName=s["GroupName"]),
        )
        rows.append(
            (
                schedule["GroupName"],
                schedule["Name"],
                schedule["State"],
                schedule["ScheduleExpression"],
                schedule.get("ScheduleExpressionTimezone", "UTC"),
                schedule["Target"]["Arn"].split(":", 5)[-1],
            )
        )
    _table(rows)
    return 0


def _table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
