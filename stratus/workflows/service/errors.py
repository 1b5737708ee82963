"""Errors of the Step Functions service, with the messages Step Functions writes.

WorkflowServiceError
 +-- StateMachineNotFound     StateMachineDoesNotExist
 +-- StateMachineExists       StateMachineAlreadyExists
 +-- ExecutionNotFound        ExecutionDoesNotExist
 +-- ExecutionExists          ExecutionAlreadyExists
 +-- InvalidDefinitionError   InvalidDefinition
 +-- InvalidArnError          InvalidArn
 +-- InvalidNameError         InvalidName
 +-- InvalidInputError        InvalidExecutionInput
 +-- InvalidOutputError       InvalidOutput
 +-- InvalidTokenError        InvalidToken
 +-- TaskNotFound             TaskDoesNotExist
 +-- TaskTimedOutError        TaskTimedOut
 +-- ActivityNotFound         ActivityDoesNotExist
 +-- TypeNotSupported         StateMachineTypeNotSupported
 +-- InvalidParameter         ValidationException
 +-- ResourceNotFound         ResourceNotFound (tags of an unknown resource, an alias)
 +-- ConflictError            ConflictException (versions and aliases)
 +-- QuotaExceeded            ServiceQuotaExceededException (1,000 versions, 100 aliases)
 +-- NotRedrivable            ExecutionNotRedrivable
"""

from __future__ import annotations


class WorkflowServiceError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class StateMachineNotFound(WorkflowServiceError):
    pass


class StateMachineExists(WorkflowServiceError):
    pass


class ExecutionNotFound(WorkflowServiceError):
    pass


class ExecutionExists(WorkflowServiceError):
    pass


class InvalidDefinitionError(WorkflowServiceError):
    pass


class InvalidArnError(WorkflowServiceError):
    pass


class InvalidNameError(WorkflowServiceError):
    pass


class InvalidInputError(WorkflowServiceError):
    pass


class InvalidOutputError(WorkflowServiceError):
    pass


class InvalidTokenError(WorkflowServiceError):
    pass


class TaskNotFound(WorkflowServiceError):
    pass


class TaskTimedOutError(WorkflowServiceError):
    pass


class ActivityNotFound(WorkflowServiceError):
    pass


class TypeNotSupported(WorkflowServiceError):
    pass


class InvalidParameter(WorkflowServiceError):
    pass


class ResourceNotFound(WorkflowServiceError):
    pass


class ConflictError(WorkflowServiceError):
    pass


class QuotaExceeded(WorkflowServiceError):
    pass


class NotRedrivable(WorkflowServiceError):
    pass


# The AWS error code of each error: the API edge answers with it, and the
# states:startExecution integration names task failures after it.
AWS_CODES: dict[type[WorkflowServiceError], str] = {
    StateMachineNotFound: "StateMachineDoesNotExist",
    StateMachineExists: "StateMachineAlreadyExists",
    ExecutionNotFound: "ExecutionDoesNotExist",
    ExecutionExists: "ExecutionAlreadyExists",
    InvalidDefinitionError: "InvalidDefinition",
    InvalidArnError: "InvalidArn",
    InvalidNameError: "InvalidName",
    InvalidInputError: "InvalidExecutionInput",
    InvalidOutputError: "InvalidOutput",
    InvalidTokenError: "InvalidToken",
    TaskNotFound: "TaskDoesNotExist",
    TaskTimedOutError: "TaskTimedOut",
    ActivityNotFound: "ActivityDoesNotExist",
    TypeNotSupported: "StateMachineTypeNotSupported",
    InvalidParameter: "ValidationException",
    ResourceNotFound: "ResourceNotFound",
    ConflictError: "ConflictException",
    QuotaExceeded: "ServiceQuotaExceededException",
    NotRedrivable: "ExecutionNotRedrivable",
}


def aws_code(error: WorkflowServiceError) -> str:
    return AWS_CODES.get(type(error), "InternalFailure")
