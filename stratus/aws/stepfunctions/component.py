"""Workflows: the Step Functions API, durable executions, activities and TestState.

Builds on the functions component only through the task integrations registry (its
``lambda:invoke`` entries), so it is listed after it but never imports it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import ClassVar

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.stepfunctions.provider import StepFunctionsProvider
from stratus.workflows.integrations.base import IntegrationEntry
from stratus.workflows.integrations.sdk import AwsSdkIntegration, is_aws_sdk
from stratus.workflows.integrations.states import StartExecutionIntegration, is_start_execution
from stratus.workflows.service.activities import ActivityService, is_activity
from stratus.workflows.service.executions import ExecutionManager
from stratus.workflows.service.machines import StateMachineRegistry
from stratus.workflows.service.map_runs import MapRunService
from stratus.workflows.service.single_state import StateTester
from stratus.workflows.service.sqlite import WORKFLOWS_MIGRATIONS, SQLiteWorkflowStore
from stratus.workflows.service.versions import VersionRegistry

__all__ = ["WorkflowsComponent"]


class WorkflowsComponent(Component):
    name: ClassVar[str] = "workflows"
    migrations = WORKFLOWS_MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.store = SQLiteWorkflowStore(ctx.db)
        self.state_machines = StateMachineRegistry(self.store)
        self.versions = VersionRegistry(self.store, self.state_machines)
        # Scoped per call (account and region come with each request), not per server.
        self.activities = ActivityService(self.store)
        self.executions = ExecutionManager(
            self.store, self.state_machines, ctx.integrations, self.versions
        )
        self.activities.is_pending = self.executions.task_pending
        self.map_runs = MapRunService(self.store, self.executions)
        self.executions.on_recover = self.map_runs.restore
        self._provider = StepFunctionsProvider(
            self.state_machines,
            self.executions,
            self.activities,
            StateTester(ctx.integrations),
            self.versions,
            self.map_runs,
        )
        self._releasing: asyncio.Task[None] | None = None

    def providers(self) -> Mapping[str, object]:
        return {"stepfunctions": self._provider}

    def integrations(self) -> Iterable[IntegrationEntry]:
        return (
            IntegrationEntry(
                "activity",
                is_activity,
                self.activities.schedule,
                unavailable=self.activities.unavailable,
            ),
            IntegrationEntry(
                "states:startExecution",
                is_start_execution,
                StartExecutionIntegration(self.executions),
            ),
            IntegrationEntry(
                "aws-sdk", is_aws_sdk, AwsSdkIntegration(self.ctx.aws_caller), generic=True
            ),
        )

    async def start(self) -> None:
        await self.state_machines.load()
        await self.versions.load()
        await self.activities.load()

    def background(self) -> Iterable[BackgroundTask]:
        return (BackgroundTask("workflow-executions", self.executions.run),)

    async def ready(self) -> None:
        await self.executions.wait_ready()

    def begin_shutdown(self) -> None:
        # Open GetActivityTask long polls are answered at once so the server can stop.
        self._releasing = asyncio.create_task(self.activities.stop_polling())

    async def stop(self) -> None:
        if self._releasing is not None:
            await self._releasing
