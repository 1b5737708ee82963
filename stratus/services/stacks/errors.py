"""The stacks service's exceptions, one tree; ``aws/cloudformation/errors.py`` maps them.

::

    StacksError
    +-- StackValidationError       a request or template CloudFormation refuses
    |   +-- StackNotFound          no stack with that name or id
    |   +-- TemplateError          "Template format error: ..." and template errors
    |   +-- NoUpdates              an update that changes nothing
    +-- ChangeSetNotFound
    +-- AlreadyExists              a stack or change set of that name exists
    +-- InsufficientCapabilities   IAM resources or macros not acknowledged
    +-- StackSetError              StackSets' own errors, each its AWS code
    |   +-- StackSetNotFound
    |   +-- NameAlreadyExists
    |   +-- StackSetNotEmpty
    |   +-- OperationInProgress
    |   +-- OperationNotFound
    |   +-- OperationIdAlreadyExists
    |   +-- StackInstanceNotFound
    |   +-- InvalidOperation
    +-- TypeNotFound               no registry type of that name, ARN or version
    +-- RegistryError              a registry request refused (CFNRegistryException)
    +-- ResourceFailed             a resource could not be provisioned (stack events)
        +-- NothingApplied         it failed before changing anything: no undo needed
            +-- PolicyDenied       the stack policy refuses the update action
            +-- UpdateCancelled    CancelUpdateStack stopped the update before it

https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations


class StacksError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StackValidationError(StacksError):
    """CloudFormation's ValidationError."""


class StackNotFound(StackValidationError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Stack with id {name} does not exist")


class TemplateError(StackValidationError):
    """The template cannot be read or evaluated."""


class NoUpdates(StackValidationError):
    def __init__(self) -> None:
        super().__init__("No updates are to be performed.")


class ChangeSetNotFound(StacksError):
    def __init__(self, name: str) -> None:
        super().__init__(f"ChangeSet [{name}] does not exist")


class AlreadyExists(StacksError):
    pass


class InsufficientCapabilities(StacksError):
    def __init__(self, capabilities: list[str]) -> None:
        super().__init__(f"Requires capabilities : [{', '.join(capabilities)}]")


class ResourceFailed(StacksError):
    """Provisioning one resource failed; the message becomes its event's reason."""


class NothingApplied(ResourceFailed):
    """A resource's update failed before anything was changed (a validation failure):
    its rollback has nothing to undo, so its handler is not asked to go back."""


class PolicyDenied(NothingApplied):
    """The stack policy refuses the update action on the resource."""


class UpdateCancelled(NothingApplied):
    """CancelUpdateStack stopped the update before this resource was touched."""

    def __init__(self) -> None:
        super().__init__("Resource update cancelled")


class StackSetError(StacksError):
    pass


class StackSetNotFound(StackSetError):
    def __init__(self, name: str) -> None:
        super().__init__(f"StackSet {name} not found")


class NameAlreadyExists(StackSetError):
    def __init__(self, name: str) -> None:
        super().__init__(f"StackSet {name} already exists")


class StackSetNotEmpty(StackSetError):
    def __init__(self) -> None:
        super().__init__("StackSet is not empty")


class OperationInProgress(StackSetError):
    def __init__(self, arn: str) -> None:
        super().__init__(f"Another Operation on StackSet {arn} is in progress")


class OperationNotFound(StackSetError):
    def __init__(self, operation_id: str) -> None:
        super().__init__(f"Operation {operation_id} not found")


class OperationIdAlreadyExists(StackSetError):
    def __init__(self, operation_id: str) -> None:
        super().__init__(f"An Operation with id {operation_id} already exists")


class StackInstanceNotFound(StackSetError):
    def __init__(self, account: str, region: str, name: str) -> None:
        super().__init__(
            f"Stack instance with account {account} and region {region} not found in StackSet {name}"
        )


class InvalidOperation(StackSetError):
    pass


class TypeNotFound(StacksError):
    pass


class RegistryError(StacksError):
    pass
