"""EventBridge Scheduler: the scheduler API adapter and its component."""
