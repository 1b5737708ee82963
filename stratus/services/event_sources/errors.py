"""Errors of the event source mapping engine; messages are the ones Lambda writes.

EventSourceError
 +-- MappingNotFound      ResourceNotFoundException (404)
 +-- MappingConflict      ResourceConflictException (409): a duplicate mapping
 +-- MappingInUse         ResourceInUseException (400): changed while it changes state
 +-- InvalidMapping       InvalidParameterValueException (400)
 +-- SourceGone           not an API error: a source's resource no longer exists (poller)
"""

from __future__ import annotations


class EventSourceError(Exception):
    """Base of the event source mapping errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class MappingNotFound(EventSourceError):
    """No mapping with this UUID (or the named source does not exist)."""


class MappingConflict(EventSourceError):
    """The same source is already mapped to the same function."""


class MappingInUse(EventSourceError):
    """The mapping is being created, updated or deleted."""


class InvalidMapping(EventSourceError):
    """A parameter Lambda refuses (InvalidParameterValueException)."""


class SourceGone(EventSourceError):
    """The source's resource (queue, stream) was deleted under a mapping."""
