"""The SQS API (json protocol, and its legacy query form) over the queue service."""
