"""Durable queues: SQS's semantics over the store (standard and FIFO queues, long polling,
visibility timeouts, dead-letter redrive, message move tasks).

``service.QueueService`` is the entry point (its docstring documents the in-process API
the event source mapping poller uses); ``registry`` holds the queues, ``index`` the
in-memory view of their messages, ``sqlite`` the store.
"""
