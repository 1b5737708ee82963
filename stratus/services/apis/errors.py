"""Errors of the APIs service; messages are the ones API Gateway writes.

ApiError
 +-- NotFound          NotFoundException (404): no such API, route, stage ...
 +-- BadRequest        BadRequestException (400): a value API Gateway refuses
 +-- Conflict          ConflictException (409): the name or key is taken
 +-- Unsupported       BadRequestException: valid in AWS, not in Stratus (VTL templates)
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of the APIs service's errors."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(ApiError):
    pass


class BadRequest(ApiError):
    pass


class Conflict(ApiError):
    pass


class Unsupported(BadRequest):
    pass
