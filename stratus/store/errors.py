"""Errors of the store layer.

StoreError
 +-- StoreClosed        the database was closed while a call waited
 +-- MigrationError     the schema on disk is newer than this code, or a step failed
 +-- BlobNotFound       no blob has that digest
 +-- DuplicateKey       a write would create a second row with the same unique key

Backends raise only these: no layer above ``store`` ever sees a driver's exception.
"""


class StoreError(Exception):
    """Base of every store failure."""


class StoreClosed(StoreError):
    """The database was closed while a call waited for it."""


class MigrationError(StoreError):
    """The on-disk schema cannot be brought to this code's version."""


class BlobNotFound(StoreError):
    """No blob with that digest exists."""


class DuplicateKey(StoreError):
    """A write would create a second row with the same unique key."""
