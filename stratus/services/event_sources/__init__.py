"""Event source mappings: one engine that polls sources (SQS first) and invokes functions.

The engine (``engine.py``: mappings and their states, ``supervisor.py``: one poller per
enabled mapping, ``poller.py``: batching, filtering, invoking, scaling) knows sources only
through the :class:`~stratus.services.event_sources.source.EventSource` Protocol; each
kind of source (``sqs.py``; DynamoDB Streams and Kinesis later) registers itself with it.
"""
