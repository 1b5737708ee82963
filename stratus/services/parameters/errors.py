"""Errors of the parameter store; messages are Systems Manager's.

ParametersError
 +-- ParameterNotFound          a name that holds no parameter
 +-- ParameterVersionNotFound   a ``name:version`` selector past the history
 +-- ParameterAlreadyExists     PutParameter on a taken name without Overwrite
 +-- LabelLimitExceeded         more than 10 labels on one version
 +-- PatternMismatch            a value its AllowedPattern refuses
 +-- InvalidAllowedPattern      an AllowedPattern that is no regular expression
 +-- HierarchyTooDeep           a path of more than 15 levels
 +-- InvalidFilterKey           a DescribeParameters filter key it does not know
 +-- InvalidFilterOption        an option its key does not take
 +-- InvalidFilterValue         a value its key does not take
 +-- InvalidResourceType        a tagging call on something other than a parameter
 +-- InvalidResourceId          a tagging call on a parameter that does not exist
 +-- Invalid                    ValidationException: what the model cannot say
"""

from __future__ import annotations


class ParametersError(Exception):
    """Base of the parameter store's errors."""

    def __init__(self, message: str = "") -> None:
        self.message = message
        super().__init__(message)


class ParameterNotFound(ParametersError):
    pass


class ParameterVersionNotFound(ParametersError):
    pass


class ParameterAlreadyExists(ParametersError):
    pass


class LabelLimitExceeded(ParametersError):
    pass


class PatternMismatch(ParametersError):
    pass


class InvalidAllowedPattern(ParametersError):
    pass


class HierarchyTooDeep(ParametersError):
    pass


class InvalidFilterKey(ParametersError):
    pass


class InvalidFilterOption(ParametersError):
    pass


class InvalidFilterValue(ParametersError):
    pass


class InvalidResourceType(ParametersError):
    pass


class InvalidResourceId(ParametersError):
    pass


class Invalid(ParametersError):
    pass
