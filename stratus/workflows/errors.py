"""Exceptions of the workflows layer (the Amazon States Language engine).

::

    WorkflowError
     +-- StatesError        a runtime error carrying an ASL error name ("States.Runtime", ...)
     |                      that Retry/Catch `ErrorEquals` match; the interpreter turns it
     |                      into data (error + cause), it never escapes an execution
     +-- DefinitionError    a definition failed validation; carries AWS-style diagnostics

Expression modules raise `StatesError` (or subclasses such as `PathNotFound`) with the error
names and cause texts AWS records, so a failure reads the same as on Step Functions.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of the workflows layer."""


class StatesError(WorkflowError):
    """A runtime error with an ASL error name, matched by Retry/Catch ErrorEquals."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class DefinitionError(WorkflowError):
    """A definition failed validation; `problems` are AWS-style diagnostics.

    Each problem reads like the lines of CreateStateMachine's InvalidDefinition message,
    e.g. "SCHEMA_VALIDATION_FAILED: The field 'Next' is required at /States/A".
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        # The shape of CreateStateMachine's InvalidDefinition message.
        super().__init__(f"Invalid State Machine Definition: '{', '.join(self.problems)}'")
