"""Errors of the topics service; messages are the ones SNS writes.

TopicsError
 +-- NotFound               NotFound (404): "Topic does not exist", "Subscription does not exist"
 +-- InvalidParameter       InvalidParameter (400): "Invalid parameter: ..."
 +-- InvalidParameterValue  ParameterValueInvalid (400): malformed message attributes
 +-- AuthorizationError     AuthorizationError (403): another account's resource
 +-- TagLimitExceeded       TagLimitExceeded (400): more than 50 tags
 +-- EndpointDisabled       EndpointDisabled (400): Publish to a disabled platform endpoint
 +-- ApplicationDisabled    PlatformApplicationDisabled (400): ... of a disabled application
 +-- OptedOut               OptedOut (400): a sandbox number that opted out
 +-- ResourceNotFound       ResourceNotFound (404): an SMS sandbox number that is not there
 +-- VerificationFailed     VerificationException (400): a wrong one-time password
 +-- BatchError             PublishBatch refusals of the whole request
      +-- EmptyBatch             EmptyBatchRequest
      +-- TooManyEntries         TooManyEntriesInBatchRequest
      +-- BatchIdsNotDistinct    BatchEntryIdsNotDistinct
      +-- InvalidBatchEntryId    InvalidBatchEntryId
      +-- BatchTooLong           BatchRequestTooLong
"""

from __future__ import annotations


class TopicsError(Exception):
    """Base of the topics service's errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(TopicsError):
    pass


class InvalidParameter(TopicsError):
    pass


class InvalidParameterValue(TopicsError):
    pass


class AuthorizationError(TopicsError):
    pass


class TagLimitExceeded(TopicsError):
    pass


class EndpointDisabled(TopicsError):
    pass


class ApplicationDisabled(TopicsError):
    pass


class OptedOut(TopicsError):
    pass


class ResourceNotFound(TopicsError):
    pass


class VerificationFailed(TopicsError):
    """Carries VerificationException's ``Status`` member."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status


class BatchError(TopicsError):
    pass


class EmptyBatch(BatchError):
    pass


class TooManyEntries(BatchError):
    pass


class BatchIdsNotDistinct(BatchError):
    pass


class InvalidBatchEntryId(BatchError):
    pass


class BatchTooLong(BatchError):
    pass


TOPIC_NOT_FOUND = "Topic does not exist"
SUBSCRIPTION_NOT_FOUND = "Subscription does not exist"
APPLICATION_NOT_FOUND = "PlatformApplication does not exist"
ENDPOINT_NOT_FOUND = "Endpoint does not exist"
