"""Lambda durable functions: executions, their operation log, checkpoints and the
scheduler that re-invokes a function when a wait, a callback, a chained invoke or a
step retry is due (docs/durable-functions.md)."""
