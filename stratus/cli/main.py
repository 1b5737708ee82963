"""The ``stratus`` command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from stratus.cli import (
    apis,
    buckets,
    client,
    durable,
    events,
    queues,
    stacks,
    tables,
    topics,
    workflows,
)
from stratus.cli.client import CliError

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stratus", description="Stratus: a self-hosted serverless platform for Python."
    )
    parser.add_argument(
        "--endpoint",
        default=os.environ.get("STRATUS_ENDPOINT", DEFAULT_ENDPOINT),
        help=f"URL of a running Stratus (default {DEFAULT_ENDPOINT}, or $STRATUS_ENDPOINT)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    up = commands.add_parser("up", help="run the platform in the foreground")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=4566, help="control port: AWS APIs")
    up.add_argument("--gateway-port", type=int, default=8080, help="users' HTTP APIs")
    up.add_argument(
        "--data-dir",
        default=os.environ.get("STRATUS_DATA_DIR", ".stratus"),
        help="where state lives (default .stratus, or $STRATUS_DATA_DIR)",
    )
    up.add_argument("--region", default="us-east-1")
    up.add_argument(
        "--durability",
        choices=("normal", "full"),
        default="normal",
        help="full: fsync every commit, survives power loss (slower)",
    )
    up.add_argument("--concurrency", type=int, default=None, help="account concurrency limit")
    up.add_argument(
        "--keep-warm", type=float, default=None, help="seconds an idle environment lives"
    )
    up.add_argument(
        "--async-retry-delay",
        type=float,
        default=None,
        help="seconds before the first retry of a failed Event invocation (Lambda: about 60)",
    )
    up.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override any limit of stratus.runtime.limits.Limits, e.g. init_timeout_s=2",
    )
    up.add_argument(
        "--http-limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a limit of the HTTP servers (stratus.serving.limits.HttpLimits, "
        "docs/limits.md), e.g. header_timeout_s=5",
    )
    up.add_argument("--demo", action="store_true", help="deploy the demo function")
    up.add_argument("--log-level", default="info")

    invoke = commands.add_parser("invoke", help="invoke a function and print its response")
    invoke.add_argument("name")
    invoke.add_argument("--payload", help="the event, as JSON")
    invoke.add_argument(
        "--async", dest="asynchronous", action="store_true", help="Event invocation"
    )
    invoke.add_argument("--tail", action="store_true", help="print the invocation's log too")

    logs = commands.add_parser("logs", help="print a function's logs")
    logs.add_argument("name")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    logs.add_argument("--since", type=float, default=None, help="only the last N seconds")

    commands.add_parser("functions", help="list functions with their metrics")
    commands.add_parser("topics", help="list SNS topics with their subscription counts")
    bucket_list = commands.add_parser(
        "buckets", help="list S3 buckets with their usage; 'buckets NAME' lists its objects"
    )
    bucket_list.add_argument("bucket", nargs="?", help="list this bucket's objects")
    bucket_list.add_argument("--prefix", default="", help="only keys starting with this")

    workflows = commands.add_parser(
        "workflows", help="state machines and executions by status; 'show ARN' for one execution"
    )
    workflow_commands = workflows.add_subparsers(dest="workflow_command")
    show = workflow_commands.add_parser("show", help="the path an execution took")
    show.add_argument("execution", help="the execution's ARN")

    durable_executions = commands.add_parser(
        "durable", help="durable executions; 'show ARN' for one as a timeline of its operations"
    )
    durable_commands = durable_executions.add_subparsers(dest="durable_command")
    durable_list = durable_commands.add_parser("list", help="one function's executions")
    durable_list.add_argument("function")
    durable_show = durable_commands.add_parser("show", help="one execution as a timeline")
    durable_show.add_argument("execution", help="the execution's ARN")

    commands.add_parser(
        "apis", help="API Gateway APIs with their URLs, requests, errors, throttles, latency"
    )
    queue_list = commands.add_parser(
        "queues", help="queues with visible, in-flight and delayed messages and DLQ depth"
    )
    queue_list.add_argument("--region", default="us-east-1")

    table_list = commands.add_parser(
        "tables", help="tables with their items, size, indexes, stream and TTL"
    )
    table_list.add_argument("--region", default="us-east-1")
    bus = commands.add_parser("events", help="'events rules': EventBridge rules and targets")
    bus.add_argument("what", choices=["rules"])
    bus.add_argument("--bus", default=None, help="one bus (default: every bus)")
    bus.add_argument("--region", default="us-east-1")
    schedules = commands.add_parser("schedules", help="EventBridge Scheduler schedules")
    schedules.add_argument("--group", default=None, help="one group (default: every group)")
    schedules.add_argument("--region", default="us-east-1")
    deploy = commands.add_parser(
        "deploy", help="deploy a SAM or CloudFormation template as a stack (packages local code)"
    )
    deploy.add_argument("template", help="the template file (YAML or JSON)")
    deploy.add_argument("--stack-name", default=None, help="default: the template's directory")
    deploy.add_argument(
        "--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE", help="parameters"
    )
    deploy.add_argument("--region", default="us-east-1")
    stack_list = commands.add_parser("stacks", help="CloudFormation stacks and their status")
    stack_list.add_argument("--region", default="us-east-1")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            return _up(args)
        if args.command == "invoke":
            return client.invoke(
                args.endpoint, args.name, args.payload, args.asynchronous, args.tail
            )
        if args.command == "logs":
            return client.logs(args.endpoint, args.name, args.follow, args.since)
        if args.command == "functions":
            return client.functions(args.endpoint)
        if args.command == "topics":
            return topics.list_topics(args.endpoint)
        if args.command == "buckets":
            if args.bucket:
                return buckets.list_objects(args.endpoint, args.bucket, args.prefix)
            return buckets.list_buckets(args.endpoint)
        if args.command == "workflows":
            if args.workflow_command == "show":
                return workflows.show_execution(args.endpoint, args.execution)
            return workflows.list_workflows(args.endpoint)
        if args.command == "durable":
            if args.durable_command == "show":
                return durable.show_execution(args.endpoint, args.execution)
            function = args.function if args.durable_command == "list" else None
            return durable.list_executions(args.endpoint, function)
        if args.command == "apis":
            return apis.list_apis(args.endpoint)
        if args.command == "deploy":
            return stacks.deploy(
                args.endpoint, args.template, args.stack_name, args.parameter_overrides, args.region
            )
        if args.command == "stacks":
            return stacks.list_stacks(args.endpoint, args.region)
        if args.command == "queues":
            return queues.list_queues(args.endpoint, args.region)
        if args.command == "tables":
            return tables.list_tables(args.endpoint, args.region)
        if args.command == "events":
            return events.list_rules(args.endpoint, args.bus, args.region)
        if args.command == "schedules":
            return events.list_schedules(args.endpoint, args.group, args.region)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def _up(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from stratus.cli.up import PortInUse, run
    from stratus.platform import PlatformConfig
    from stratus.runtime.limits import Limits, with_overrides
    from stratus.serving.limits import HttpLimits

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    limits = Limits()
    if args.concurrency is not None:
        limits = replace(limits, account_concurrency=args.concurrency)
    if args.keep_warm is not None:
        limits = replace(limits, keep_warm_s=args.keep_warm)
    if args.async_retry_delay is not None:
        limits = replace(limits, async_retry_base_s=args.async_retry_delay)
    try:
        limits = with_overrides(limits, args.limit)
        http = with_overrides(HttpLimits(), args.http_limit)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    config = PlatformConfig(
        data_dir=Path(args.data_dir).resolve(),
        host=args.host,
        port=args.port,
        gateway_port=args.gateway_port,
        region=args.region,
        durability=args.durability,
        limits=limits,
        http=http,
    )
    try:
        run(config, demo=args.demo)
    except (PortInUse, OSError) as exc:
        print(f"error: cannot start Stratus: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
