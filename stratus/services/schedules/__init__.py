"""Schedules: EventBridge Scheduler's schedules and groups, and the expression engine
(``at()``, ``rate()``, AWS's six-field ``cron()``) and timer loop that EventBridge's
scheduled rules share."""
